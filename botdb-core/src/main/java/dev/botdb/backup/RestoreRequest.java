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
 * @param into    an archive file of {@code botdb archive --to} only: the table to put its rows in instead of
 *                the one they came from (created with the archived columns when missing), or null
 */
public record RestoreRequest(ConnectionTarget to, List<String> tables, boolean force, boolean terminateSessions,
                             String into) {
    public RestoreRequest {
        tables = List.copyOf(tables);
    }

    public RestoreRequest(ConnectionTarget to, List<String> tables, boolean force, boolean terminateSessions) {
        this(to, tables, force, terminateSessions, null);
    }

    /** A restore that refuses while other sessions are connected to the target. */
    public RestoreRequest(ConnectionTarget to, List<String> tables, boolean force) {
        this(to, tables, force, false);
    }
}
