package dev.botdb.backup.schema;

import dev.botdb.dialect.QualifiedName;
import java.util.Set;

/**
 * What {@link PgSchemaReader#read} collects.
 *
 * @param tables the tables (or views) to back up; empty means the whole database. With a
 *     selection, the dump holds those relations with their sequences, indexes, constraints,
 *     triggers, policies and comments, plus every schema, extension, type and function that does not
 *     need a relation outside the selection (see {@link PgSchemaReader}).
 * @param includeOwnershipAndGrants also emit {@code ALTER ... OWNER TO}, {@code GRANT} and
 *     {@code ALTER DEFAULT PRIVILEGES}; the roles must exist in the database restored into
 */
public record SchemaOptions(Set<QualifiedName> tables, boolean includeOwnershipAndGrants) {
    public SchemaOptions {
        tables = Set.copyOf(tables);
    }

    /** The whole database, without ownership and grants. */
    public static SchemaOptions all() {
        return new SchemaOptions(Set.of(), false);
    }
}
