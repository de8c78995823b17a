package dev.botdb.backup.schema;

import dev.botdb.dialect.QualifiedName;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link PgSchemaReader} needs from the system catalogs, read with one query per object
 * kind. Names come back unquoted; expressions and definitions come from the server's own
 * {@code pg_get_*def} functions, which the reader runs with {@code search_path = pg_catalog} so
 * that every user object in them is schema-qualified.
 */
final class CatalogQueries {
    /** A catalog row: {@code pg_class}, {@code pg_type}, ... and its oid. */
    record Obj(String catalog, long oid) {
    }

    /** One entry of an ACL: a quoted role (or {@code PUBLIC}), a privilege, with grant option or not. */
    record Acl(String grantee, String privilege, boolean grantable) {
    }

    record Schema(long oid, String name, String owner, List<Acl> acl) {
    }

    record Extension(long oid, String name, String schema) {
    }

    /** typtype: e enum, c composite, d domain, r range. */
    record Type(long oid, String schema, String name, char typtype, long relid, String baseType, String collation,
                String defaultExpr, boolean notNull, String owner, List<Acl> acl) {
    }

    record Range(long oid, String subtype, String opclass, String collation, String subtypeDiff, String multirange) {
    }

    /** ownDeptype: a for a serial-style OWNED BY, i for an identity column's sequence, blank for none. */
    record Sequence(long oid, String schema, String name, boolean unlogged, String dataType, long start, long increment,
                    long max, long min, long cache, boolean cycle, long ownerRelid, String ownerColumn, char ownDeptype,
                    String owner, List<Acl> acl) {
    }

    /** kind: f function, p procedure, w window function. */
    record Function(long oid, String schema, String name, char kind, String identityArgs, String definition, String owner,
                    List<Acl> acl) {
    }

    /** kind: r table, p partitioned table, v view, m materialized view. */
    record Relation(long oid, String schema, String name, char kind, char persistence, List<String> options,
                    List<String> toastOptions, boolean partition, String partitionBound, String partitionKey,
                    String accessMethod, boolean rowSecurity, boolean forceRowSecurity, char replicaIdentity,
                    boolean populated, String viewDefinition, String owner, List<Acl> acl, long bytes) {
        QualifiedName qualified() {
            return new QualifiedName(schema, name);
        }
    }

    record Inherit(long child, long parent, int seqno) {
    }

    /** identity: a always, d by default; generated: s stored, v virtual. */
    record Column(long relid, int num, String name, String type, boolean notNull, char identity, char generated,
                  boolean local, int inhcount, String collation, String defaultExpr, Integer statistics, char storage,
                  char typeStorage, String compression, List<String> options, List<Acl> acl) {
    }

    /** type: c check, f foreign key, p primary key, u unique, x exclusion, n not null. */
    record Constraint(long oid, String name, char type, long relid, long typid, long indexId, long parentId, boolean local,
                      int inhcount, boolean validated, boolean noInherit, String definition, long refRelid,
                      String column) {
    }

    record Index(long oid, long relid, String schema, String name, String definition, boolean clustered,
                 boolean replicaIdentity, boolean constraintBacked, long parent) {
    }

    record Trigger(long oid, long relid, String name, String definition, char enabled) {
    }

    record Rule(long oid, long relid, String name, String definition, char enabled) {
    }

    record Policy(long oid, long relid, String name, boolean permissive, char command, List<String> roles,
                  String using, String withCheck) {
    }

    record Comment(String catalog, long oid, int subid, String text) {
    }

    record DefaultAcl(String role, String schema, char objectType, List<Acl> acl) {
    }

    /** A pg_depend row: {@code from} depends on {@code to}. */
    record Depend(Obj from, Obj to, int toSubid, char type) {
    }

    /** Sub-objects that stand for their owner in dependencies; pre = they are created with it (pre-data). */
    record Alias(Obj from, Obj to, boolean pre) {
    }

    /** SQL: the schemas that hold user objects. */
    private static final String USER_SCHEMA = """
            n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'""";

    private final Connection connection;
    final int version;

    CatalogQueries(Connection connection, int version) {
        this.connection = connection;
        this.version = version;
    }

    /** Leaves out objects that belong to an extension (CREATE EXTENSION makes them). */
    private static String notInExtension(String catalog, String oid) {
        return """
                NOT EXISTS (SELECT 1 FROM pg_depend e
                             WHERE e.classid = '%s'::regclass AND e.objid = %s AND e.deptype = 'e')"""
                .formatted(catalog, oid);
    }

    /** A JSON array of [grantee, privilege, grantable] in ACL order; NULL for a default ACL. */
    private static String aclJson(String column) {
        return """
                CASE WHEN %1$s IS NOT NULL THEN coalesce(
                    (SELECT json_agg(json_build_array(
                                CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END,
                                x.privilege_type, x.is_grantable) ORDER BY x.n)
                       FROM aclexplode(%1$s) WITH ORDINALITY x(grantor, grantee, privilege_type, is_grantable, n)),
                    '[]') END""".formatted(column);
    }

    List<Schema> schemas() throws SQLException {
        return query("""
                SELECT n.oid, n.nspname, pg_get_userbyid(n.nspowner) AS owner, %s AS acl
                FROM pg_namespace n
                WHERE %s
                  AND %s
                """.formatted(aclJson("n.nspacl"), USER_SCHEMA, notInExtension("pg_namespace", "n.oid")),
                rs -> new Schema(rs.getLong(1), rs.getString(2), rs.getString(3), acl(rs.getString(4))));
    }

    List<Extension> extensions() throws SQLException {
        // OIDs below 16384 are built in (plpgsql), as pg_dump's g_last_builtin_oid
        return query("""
                SELECT x.oid, x.extname, n.nspname
                FROM pg_extension x
                JOIN pg_namespace n ON n.oid = x.extnamespace
                WHERE x.oid >= 16384
                """, rs -> new Extension(rs.getLong(1), rs.getString(2), rs.getString(3)));
    }

    List<Type> types() throws SQLException {
        return query("""
                SELECT t.oid, n.nspname, t.typname, t.typtype, t.typrelid,
                       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
                       CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation
                            THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END AS collation,
                       CASE WHEN t.typtype = 'd' THEN pg_get_expr(t.typdefaultbin, 0) END AS default_expr,
                       t.typnotnull, pg_get_userbyid(t.typowner) AS owner, %s AS acl
                FROM pg_type t
                JOIN pg_namespace n ON n.oid = t.typnamespace
                LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
                LEFT JOIN pg_collation co ON co.oid = t.typcollation
                LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
                WHERE %s
                  AND (t.typtype IN ('e', 'd', 'r')
                       OR t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
                  AND %s
                """.formatted(aclJson("t.typacl"), USER_SCHEMA, notInExtension("pg_type", "t.oid")),
                rs -> new Type(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4).charAt(0),
                        rs.getLong(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getBoolean(9),
                        rs.getString(10), acl(rs.getString(11))));
    }

    /** Enum labels in sort order, by type oid. */
    Map<Long, List<String>> enumLabels() throws SQLException {
        Map<Long, List<String>> labels = new LinkedHashMap<>();
        for (String[] row : query("""
                SELECT e.enumtypid, e.enumlabel
                FROM pg_enum e
                ORDER BY e.enumtypid, e.enumsortorder
                """, rs -> new String[] {rs.getString(1), rs.getString(2)})) {
            labels.computeIfAbsent(Long.parseLong(row[0]), k -> new ArrayList<>()).add(row[1]);
        }
        return labels;
    }

    List<Range> ranges() throws SQLException {
        return query("""
                SELECT r.rngtypid, format_type(r.rngsubtype, NULL) AS subtype,
                       quote_ident(opn.nspname) || '.' || quote_ident(opc.opcname) AS opclass,
                       CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation
                            THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END AS collation,
                       CASE WHEN r.rngsubdiff <> 0
                            THEN quote_ident(pn.nspname) || '.' || quote_ident(p.proname) END AS subtype_diff,
                       quote_ident(mn.nspname) || '.' || quote_ident(mt.typname) AS multirange
                FROM pg_range r
                JOIN pg_type st ON st.oid = r.rngsubtype
                JOIN pg_opclass opc ON opc.oid = r.rngsubopc
                JOIN pg_namespace opn ON opn.oid = opc.opcnamespace
                LEFT JOIN pg_collation co ON co.oid = r.rngcollation
                LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
                LEFT JOIN pg_proc p ON p.oid = r.rngsubdiff
                LEFT JOIN pg_namespace pn ON pn.oid = p.pronamespace
                JOIN pg_type mt ON mt.oid = r.rngmultitypid
                JOIN pg_namespace mn ON mn.oid = mt.typnamespace
                WHERE r.rngtypid >= 16384
                """, rs -> new Range(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6)));
    }

    List<Sequence> sequences() throws SQLException {
        return query("""
                SELECT c.oid, n.nspname, c.relname, c.relpersistence = 'u', format_type(s.seqtypid, NULL),
                       s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle,
                       d.refobjid, a.attname, d.deptype,
                       pg_get_userbyid(c.relowner) AS owner, %s AS acl
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_sequence s ON s.seqrelid = c.oid
                LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                     AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
                                     AND d.deptype IN ('a', 'i')
                LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                WHERE c.relkind = 'S'
                  AND %s
                  AND %s
                """.formatted(aclJson("c.relacl"), USER_SCHEMA, notInExtension("pg_class", "c.oid")),
                rs -> new Sequence(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getString(5),
                        rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10), rs.getBoolean(11),
                        rs.getLong(12), rs.getString(13), rs.getString(14) == null ? ' ' : rs.getString(14).charAt(0),
                        rs.getString(15), acl(rs.getString(16))));
    }

    /** Functions and procedures; aggregates are not covered (pg_get_functiondef cannot show them). */
    List<Function> functions() throws SQLException {
        return query("""
                SELECT p.oid, n.nspname, p.proname, p.prokind, pg_get_function_identity_arguments(p.oid),
                       pg_get_functiondef(p.oid), pg_get_userbyid(p.proowner) AS owner, %s AS acl
                FROM pg_proc p
                JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE p.prokind IN ('f', 'p', 'w')
                  AND %s
                  AND %s
                  -- range and multirange constructors come with their type
                  AND NOT EXISTS (SELECT 1 FROM pg_depend i
                                   WHERE i.classid = 'pg_proc'::regclass AND i.objid = p.oid AND i.deptype = 'i')
                """.formatted(aclJson("p.proacl"), USER_SCHEMA, notInExtension("pg_proc", "p.oid")),
                rs -> new Function(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4).charAt(0),
                        rs.getString(5), rs.getString(6), rs.getString(7), acl(rs.getString(8))));
    }

    /** Tables, partitioned tables, views and materialized views. */
    List<Relation> relations() throws SQLException {
        return query("""
                SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence, c.reloptions, tc.reloptions,
                       c.relispartition, pg_get_expr(c.relpartbound, c.oid),
                       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
                       CASE WHEN am.amname <> 'heap' THEN quote_ident(am.amname) END,
                       c.relrowsecurity, c.relforcerowsecurity, c.relreplident, c.relispopulated,
                       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END,
                       pg_get_userbyid(c.relowner) AS owner, %s AS acl,
                       CASE WHEN c.relkind IN ('r', 'm') THEN pg_table_size(c.oid) ELSE 0 END
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN pg_class tc ON tc.oid = c.reltoastrelid
                LEFT JOIN pg_am am ON am.oid = c.relam
                WHERE c.relkind IN ('r', 'p', 'v', 'm')
                  AND %s
                  AND %s
                """.formatted(aclJson("c.relacl"), USER_SCHEMA, notInExtension("pg_class", "c.oid")),
                rs -> new Relation(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4).charAt(0),
                        rs.getString(5).charAt(0), strings(rs.getArray(6)), strings(rs.getArray(7)), rs.getBoolean(8),
                        rs.getString(9), rs.getString(10), rs.getString(11), rs.getBoolean(12), rs.getBoolean(13),
                        rs.getString(14).charAt(0), rs.getBoolean(15), rs.getString(16), rs.getString(17),
                        acl(rs.getString(18)), rs.getLong(19)));
    }

    /** Table inheritance and partitions (not index partitions). */
    List<Inherit> inherits() throws SQLException {
        return query("""
                SELECT i.inhrelid, i.inhparent, i.inhseqno
                FROM pg_inherits i
                JOIN pg_class c ON c.oid = i.inhrelid
                WHERE c.relkind IN ('r', 'p')
                ORDER BY i.inhrelid, i.inhseqno
                """, rs -> new Inherit(rs.getLong(1), rs.getLong(2), rs.getInt(3)));
    }

    /** Columns of tables, views, materialized views and composite types, in column order. */
    List<Column> columns() throws SQLException {
        return query("""
                SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                       a.attidentity, a.attgenerated, a.attislocal, a.attinhcount,
                       CASE WHEN a.attcollation <> t.typcollation
                            THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END AS collation,
                       pg_get_expr(ad.adbin, ad.adrelid) AS default_expr,
                       NULLIF(a.attstattarget, -1), a.attstorage, t.typstorage,
                       CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END,
                       a.attoptions, %s AS acl
                FROM pg_attribute a
                JOIN pg_class c ON c.oid = a.attrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_type t ON t.oid = a.atttypid
                LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                LEFT JOIN pg_collation co ON co.oid = a.attcollation
                LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
                WHERE c.relkind IN ('r', 'p', 'v', 'm', 'c')
                  AND a.attnum > 0
                  AND NOT a.attisdropped
                  AND %s
                ORDER BY a.attrelid, a.attnum
                """.formatted(aclJson("a.attacl"), USER_SCHEMA),
                rs -> new Column(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getBoolean(5),
                        charOf(rs.getString(6)), charOf(rs.getString(7)), rs.getBoolean(8), rs.getInt(9),
                        rs.getString(10), rs.getString(11), (Integer) rs.getObject(12), rs.getString(13).charAt(0),
                        rs.getString(14).charAt(0), rs.getString(15), strings(rs.getArray(16)), acl(rs.getString(17))));
    }

    /** Constraints of tables and domains (constraint triggers are triggers). */
    List<Constraint> constraints() throws SQLException {
        return query("""
                SELECT co.oid, co.conname, co.contype, co.conrelid, co.contypid, co.conindid, co.conparentid,
                       co.conislocal, co.coninhcount, co.convalidated, co.connoinherit, pg_get_constraintdef(co.oid),
                       co.confrelid, a.attname
                FROM pg_constraint co
                JOIN pg_namespace n ON n.oid = co.connamespace
                LEFT JOIN pg_attribute a ON co.contype = 'n' AND a.attrelid = co.conrelid AND a.attnum = co.conkey[1]
                WHERE co.contype IN ('c', 'f', 'p', 'u', 'x', 'n')
                  AND %s
                """.formatted(USER_SCHEMA),
                rs -> new Constraint(rs.getLong(1), rs.getString(2), rs.getString(3).charAt(0), rs.getLong(4),
                        rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getBoolean(8), rs.getInt(9), rs.getBoolean(10),
                        rs.getBoolean(11), rs.getString(12), rs.getLong(13), rs.getString(14)));
    }

    /** Valid indexes (and partitioned ones, which stay invalid until every partition has its index). */
    List<Index> indexes() throws SQLException {
        return query("""
                SELECT i.indexrelid, i.indrelid, n.nspname, ic.relname, pg_get_indexdef(i.indexrelid),
                       i.indisclustered, i.indisreplident,
                       EXISTS (SELECT 1 FROM pg_constraint co
                                WHERE co.conindid = i.indexrelid AND co.conrelid = i.indrelid
                                  AND co.contype IN ('p', 'u', 'x')) AS constraint_backed,
                       coalesce((SELECT h.inhparent FROM pg_inherits h WHERE h.inhrelid = i.indexrelid), 0)
                FROM pg_index i
                JOIN pg_class ic ON ic.oid = i.indexrelid
                JOIN pg_class tc ON tc.oid = i.indrelid
                JOIN pg_namespace n ON n.oid = ic.relnamespace
                WHERE tc.relkind IN ('r', 'p', 'm')
                  AND (i.indisvalid OR ic.relkind = 'I')
                  AND %s
                """.formatted(USER_SCHEMA),
                rs -> new Index(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getBoolean(6), rs.getBoolean(7), rs.getBoolean(8), rs.getLong(9)));
    }

    /** User triggers; the ones PostgreSQL makes for foreign keys and copies to partitions are left out. */
    List<Trigger> triggers() throws SQLException {
        return query("""
                SELECT t.oid, t.tgrelid, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled
                FROM pg_trigger t
                WHERE NOT t.tgisinternal
                  AND t.tgparentid = 0
                """, rs -> new Trigger(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                rs.getString(5).charAt(0)));
    }

    /** Rules other than the ones that make views. */
    List<Rule> rules() throws SQLException {
        return query("""
                SELECT r.oid, r.ev_class, r.rulename, pg_get_ruledef(r.oid), r.ev_enabled
                FROM pg_rewrite r
                WHERE r.rulename <> '_RETURN'
                """, rs -> new Rule(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                rs.getString(5).charAt(0)));
    }

    List<Policy> policies() throws SQLException {
        return query("""
                SELECT p.oid, p.polrelid, p.polname, p.polpermissive, p.polcmd,
                       ARRAY(SELECT CASE WHEN r.role = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r.role)) END
                               FROM unnest(p.polroles) WITH ORDINALITY r(role, n)
                              ORDER BY r.n),
                       pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)
                FROM pg_policy p
                """, rs -> new Policy(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getBoolean(4),
                rs.getString(5).charAt(0), strings(rs.getArray(6)), rs.getString(7), rs.getString(8)));
    }

    List<Comment> comments() throws SQLException {
        return query("""
                SELECT d.classoid::regclass::text, d.objoid, d.objsubid, d.description
                FROM pg_description d
                WHERE d.objoid >= 16384
                """, rs -> new Comment(rs.getString(1), rs.getLong(2), rs.getInt(3), rs.getString(4)));
    }

    List<DefaultAcl> defaultAcls() throws SQLException {
        return query("""
                SELECT pg_get_userbyid(d.defaclrole), n.nspname, d.defaclobjtype, %s
                FROM pg_default_acl d
                LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
                ORDER BY 1, 2 NULLS FIRST, 3
                """.formatted(aclJson("d.defaclacl")),
                rs -> new DefaultAcl(rs.getString(1), rs.getString(2), rs.getString(3).charAt(0), acl(rs.getString(4))));
    }

    /** Normal and automatic dependencies between user objects. */
    List<Depend> depends() throws SQLException {
        return query("""
                SELECT d.classid::regclass::text, d.objid, d.refclassid::regclass::text, d.refobjid, d.refobjsubid,
                       d.deptype
                FROM pg_depend d
                WHERE d.deptype IN ('n', 'a')
                  AND d.objid >= 16384
                  AND d.refobjid >= 16384
                """, rs -> new Depend(new Obj(rs.getString(1), rs.getLong(2)), new Obj(rs.getString(3), rs.getLong(4)),
                rs.getInt(5), rs.getString(6).charAt(0)));
    }

    /**
     * The owner each sub-object stands for in dependencies: defaults, check constraints, view
     * rules and row types stand for their table (pre-data); indexes, triggers, policies and other
     * constraints too, but only to find what a table selection needs (post-data); array and
     * multirange types for their element and range type; composite types' relations for the type.
     * Foreign keys are not listed: a table selection does not follow them.
     */
    List<Alias> aliases() throws SQLException {
        return query("""
                SELECT 'pg_attrdef', ad.oid, 'pg_class', ad.adrelid, true FROM pg_attrdef ad WHERE ad.oid >= 16384
                UNION ALL
                SELECT 'pg_rewrite', r.oid, 'pg_class', r.ev_class, r.rulename = '_RETURN' FROM pg_rewrite r
                 WHERE r.oid >= 16384
                UNION ALL
                SELECT 'pg_constraint', co.oid,
                       CASE WHEN co.conrelid <> 0 THEN 'pg_class' ELSE 'pg_type' END,
                       CASE WHEN co.conrelid <> 0 THEN co.conrelid ELSE co.contypid END,
                       co.contype IN ('c', 'n') AND co.convalidated
                  FROM pg_constraint co WHERE co.oid >= 16384 AND co.contype <> 'f'
                UNION ALL
                SELECT 'pg_type', t.oid, 'pg_class', t.typrelid, true FROM pg_type t
                  JOIN pg_class c ON c.oid = t.typrelid AND c.relkind <> 'c' WHERE t.oid >= 16384
                UNION ALL
                SELECT 'pg_type', t.oid, 'pg_type', t.typelem, true FROM pg_type t
                  JOIN pg_type e ON e.oid = t.typelem AND e.typarray = t.oid WHERE t.oid >= 16384
                UNION ALL
                SELECT 'pg_type', r.rngmultitypid, 'pg_type', r.rngtypid, true FROM pg_range r WHERE r.rngtypid >= 16384
                UNION ALL
                SELECT 'pg_class', c.oid, 'pg_type', c.reltype, true FROM pg_class c
                 WHERE c.relkind = 'c' AND c.oid >= 16384
                UNION ALL
                SELECT 'pg_class', i.indexrelid, 'pg_class', i.indrelid, false FROM pg_index i WHERE i.indexrelid >= 16384
                UNION ALL
                SELECT 'pg_trigger', t.oid, 'pg_class', t.tgrelid, false FROM pg_trigger t WHERE t.oid >= 16384
                UNION ALL
                SELECT 'pg_policy', p.oid, 'pg_class', p.polrelid, false FROM pg_policy p WHERE p.oid >= 16384
                """, rs -> new Alias(new Obj(rs.getString(1), rs.getLong(2)), new Obj(rs.getString(3), rs.getLong(4)),
                rs.getBoolean(5)));
    }

    /** Objects that belong to an extension, and the extension. */
    Map<Obj, Long> extensionMembers() throws SQLException {
        Map<Obj, Long> members = new LinkedHashMap<>();
        for (Depend d : query("""
                SELECT d.classid::regclass::text, d.objid, d.refobjid
                FROM pg_depend d
                WHERE d.refclassid = 'pg_extension'::regclass
                  AND d.deptype = 'e'
                """, rs -> new Depend(new Obj(rs.getString(1), rs.getLong(2)), new Obj("pg_extension", rs.getLong(3)), 0,
                'e'))) {
            members.put(d.from(), d.to().oid());
        }
        return members;
    }

    /** {@code last_value} and {@code is_called} of each sequence, by oid. */
    Map<Long, Object[]> sequenceValues(List<Sequence> sequences) throws SQLException {
        Map<Long, Object[]> values = new LinkedHashMap<>();
        // one statement for all: a bot database has a few dozen sequences at most
        for (int from = 0; from < sequences.size(); from += 500) {
            List<String> parts = new ArrayList<>();
            for (Sequence s : sequences.subList(from, Math.min(sequences.size(), from + 500))) {
                parts.add("SELECT " + s.oid() + "::bigint, last_value, is_called FROM "
                        + new QualifiedName(s.schema(), s.name()).sql());
            }
            for (Object[] row : query(String.join("\nUNION ALL\n", parts),
                    rs -> new Object[] {rs.getLong(1), rs.getLong(2), rs.getBoolean(3)})) {
                values.put((Long) row[0], row);
            }
        }
        return values;
    }

    /**
     * Counts of what the database has that botdb does not back up, by a description that ends up in
     * a note. Only non-zero counts are returned.
     */
    Map<String, Long> uncovered() throws SQLException {
        // objects of extensions, and the ones PostgreSQL makes along with another (a multirange's cast)
        String notInExt = "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = o.oid AND e.deptype IN ('e', 'i'))";
        List<Object[]> rows = query("""
                SELECT 'event trigger(s)', (SELECT count(*) FROM pg_event_trigger o WHERE %1$s)
                UNION ALL SELECT 'publication(s)', (SELECT count(*) FROM pg_publication)
                UNION ALL SELECT 'subscription(s)', (SELECT count(*) FROM pg_subscription s
                                                     WHERE s.subdbid = (SELECT oid FROM pg_database
                                                                         WHERE datname = current_database()))
                UNION ALL SELECT 'foreign server(s) or foreign-data wrapper(s)',
                       (SELECT count(*) FROM pg_foreign_server o WHERE %1$s)
                       + (SELECT count(*) FROM pg_foreign_data_wrapper o WHERE %1$s)
                UNION ALL SELECT 'foreign table(s)', (SELECT count(*) FROM pg_class o WHERE o.relkind = 'f' AND %1$s)
                UNION ALL SELECT 'aggregate(s)', (SELECT count(*) FROM pg_proc o WHERE o.prokind = 'a' AND o.oid >= 16384 AND %1$s)
                UNION ALL SELECT 'operator(s), operator class(es) or famil(ies)',
                       (SELECT count(*) FROM pg_operator o WHERE o.oid >= 16384 AND %1$s)
                       + (SELECT count(*) FROM pg_opclass o WHERE o.oid >= 16384 AND %1$s)
                       + (SELECT count(*) FROM pg_opfamily o WHERE o.oid >= 16384 AND %1$s)
                UNION ALL SELECT 'cast(s)', (SELECT count(*) FROM pg_cast o WHERE o.oid >= 16384 AND %1$s)
                UNION ALL SELECT 'collation(s)', (SELECT count(*) FROM pg_collation o WHERE o.oid >= 16384 AND %1$s)
                UNION ALL SELECT 'text search configuration(s) or dictionar(ies)',
                       (SELECT count(*) FROM pg_ts_config o WHERE o.oid >= 16384 AND %1$s)
                       + (SELECT count(*) FROM pg_ts_dict o WHERE o.oid >= 16384 AND %1$s)
                UNION ALL SELECT 'base type(s) (CREATE TYPE with input/output functions)',
                       (SELECT count(*) FROM pg_type o WHERE o.typtype = 'b' AND o.oid >= 16384 AND o.typelem = 0
                          AND %1$s)
                UNION ALL SELECT 'extended statistics object(s)',
                       (SELECT count(*) FROM pg_statistic_ext o WHERE %1$s)
                UNION ALL SELECT 'large object(s)', (SELECT count(*) FROM pg_largeobject_metadata)
                UNION ALL SELECT 'relation(s) in a non-default tablespace',
                       (SELECT count(*) FROM pg_class o
                         WHERE o.reltablespace <> 0 AND o.oid >= 16384 AND o.relkind IN ('r', 'p', 'i', 'm'))
                UNION ALL SELECT 'typed table(s) (CREATE TABLE ... OF type)',
                       (SELECT count(*) FROM pg_class o WHERE o.reloftype <> 0)
                UNION ALL SELECT 'procedural language(s) outside extensions',
                       (SELECT count(*) FROM pg_language o WHERE o.oid >= 16384 AND %1$s)
                UNION ALL SELECT 'conversion(s)', (SELECT count(*) FROM pg_conversion o WHERE o.oid >= 16384)
                UNION ALL SELECT 'security label(s)', (SELECT count(*) FROM pg_seclabel)
                UNION ALL SELECT 'extension(s) at a version other than the server''s default',
                       (SELECT count(*) FROM pg_extension x JOIN pg_available_extensions a ON a.name = x.extname
                         WHERE x.extversion <> a.default_version)
                """.formatted(notInExt), rs -> new Object[] {rs.getString(1), rs.getLong(2)});
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Object[] row : rows) {
            if ((Long) row[1] > 0) {
                counts.put((String) row[0], (Long) row[1]);
            }
        }
        return counts;
    }

    interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    <T> List<T> query(String sql, Row<T> row) throws SQLException {
        List<T> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(row.map(rs));
            }
        }
        return out;
    }

    private static char charOf(String s) {
        return s == null || s.isEmpty() ? ' ' : s.charAt(0);
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }

    /** null: the built-in default ACL; empty: every privilege revoked. */
    private static List<Acl> acl(String json) throws SQLException {
        if (json == null) {
            return null;
        }
        try {
            List<Acl> acl = new ArrayList<>();
            for (Object o : JSON.std.listFrom(json)) {
                List<?> item = (List<?>) o;
                acl.add(new Acl((String) item.get(0), (String) item.get(1), (Boolean) item.get(2)));
            }
            return acl;
        } catch (IOException e) {
            throw new SQLException("unreadable ACL " + json, e);
        }
    }
}
