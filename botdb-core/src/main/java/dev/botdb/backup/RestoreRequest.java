package dev.botdb.backup;

import dev.botdb.config.ConnectionTarget;
import java.util.List;

/**
 * One restore.
 *
 * @param to      the database to restore into (created when it does not exist)
 * @param tables  only these tables ({@code name} or {@code schema.name}); empty = everything
 * @param force   replace what the target holds, after a safety backup of it
 * @param terminateSessions end the other sessions connected to the target instead of refusing
 */
public record RestoreRequest(ConnectionTarget to, List<String> tables, boolean force, boolean terminateSessions) {
    public RestoreRequest {
        tables = List.copyOf(tables);
    }

    /** A restore that refuses while other sessions are connected to the target. */
    public RestoreRequest(ConnectionTarget to, List<String> tables, boolean force) {
        this(to, tables, force, false);
    }
}
