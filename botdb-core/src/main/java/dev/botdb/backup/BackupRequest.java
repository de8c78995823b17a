package dev.botdb.backup;

import dev.botdb.dialect.QualifiedName;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one backup takes.
 *
 * @param tables              only these tables ({@code name} or {@code schema.name}); empty = the whole database
 * @param ownershipAndGrants  include owners and GRANTs (restoring them needs the same roles on the target)
 */
public record BackupRequest(List<String> tables, boolean ownershipAndGrants) {
    public BackupRequest {
        tables = List.copyOf(tables);
    }

    /** The whole database, without owners and grants. */
    public static BackupRequest all() {
        return new BackupRequest(List.of(), false);
    }

    public Set<QualifiedName> tableNames() {
        return tables.stream().map(QualifiedName::parse).collect(Collectors.toUnmodifiableSet());
    }
}
