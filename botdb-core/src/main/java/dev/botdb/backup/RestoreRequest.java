package dev.botdb.backup;

import dev.botdb.config.ConnectionTarget;
import java.util.List;

/**
 * One restore.
 *
 * @param to      the database to restore into (created when it does not exist)
 * @param tables  only these tables ({@code name} or {@code schema.name}); empty = everything
 * @param force   replace what the target holds, after a safety backup of it
 */
public record RestoreRequest(ConnectionTarget to, List<String> tables, boolean force) {
    public RestoreRequest {
        tables = List.copyOf(tables);
    }
}
