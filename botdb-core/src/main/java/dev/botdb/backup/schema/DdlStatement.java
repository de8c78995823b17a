package dev.botdb.backup.schema;

import dev.botdb.dialect.QualifiedName;

/**
 * One SQL statement of a schema dump, without a trailing semicolon.
 *
 * <p>Post-data statements carry a {@code phase}: the restorer runs the phases in ascending order,
 * each to completion before the next starts. Within a phase, statements with the same
 * {@code table} form one lane and run in list order on one connection; different lanes may run in
 * parallel on several connections. Statements whose {@code table} is {@code null} form one lane
 * of their own.
 * <ul>
 *   <li>phase 1: primary key, unique and exclusion constraints and indexes (for a partitioned
 *       table and its partitions the lane is the partitioned root, so the parent's index, each
 *       partition's index and the {@code ALTER INDEX ... ATTACH PARTITION} run in order);</li>
 *   <li>phase 2: foreign keys (lane: the referencing table; the statement also locks the
 *       referenced table, so two tables that reference each other can deadlock when their foreign
 *       keys run at the same time: retry a statement that fails with SQLSTATE 40P01);</li>
 *   <li>phase 3: everything else: NOT VALID checks, triggers, rules, row-level security,
 *       policies, replica identity, cluster marks, comments, ownership and grants;</li>
 *   <li>phase 4: {@code REFRESH MATERIALIZED VIEW}, in dependency order, in one lane.</li>
 * </ul>
 * Pre-data and data statements have phase 0 and run in list order.
 *
 * @param section where the statement runs
 * @param phase 0 outside post-data, 1-4 in post-data
 * @param kind what the statement does, pg_dump style. Pre-data: {@code SCHEMA}, {@code EXTENSION},
 *     {@code TYPE}, {@code DOMAIN}, {@code FUNCTION}, {@code PROCEDURE}, {@code SEQUENCE},
 *     {@code TABLE}, {@code TABLE ATTRIBUTE}, {@code DEFAULT}, {@code VIEW},
 *     {@code MATERIALIZED VIEW}, {@code SEQUENCE OWNED BY}; data: {@code SEQUENCE SET}; post-data:
 *     {@code CONSTRAINT}, {@code INDEX}, {@code INDEX ATTACH}, {@code FK CONSTRAINT},
 *     {@code CHECK CONSTRAINT}, {@code ROW SECURITY}, {@code POLICY}, {@code TRIGGER},
 *     {@code TRIGGER STATE}, {@code RULE}, {@code RULE STATE}, {@code REPLICA IDENTITY},
 *     {@code CLUSTER}, {@code COMMENT}, {@code OWNER}, {@code ACL}, {@code DEFAULT ACL},
 *     {@code REFRESH MATERIALIZED VIEW}
 * @param object the object the statement is about (for functions the name holds the argument
 *     types, for columns {@code table.column})
 * @param table the table the statement belongs to, or {@code null} (types, functions, schemas)
 * @param sql the statement
 */
public record DdlStatement(Section section, int phase, String kind, QualifiedName object, QualifiedName table, String sql) {
}
