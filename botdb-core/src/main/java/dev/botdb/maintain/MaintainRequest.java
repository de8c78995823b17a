package dev.botdb.maintain;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.time.Duration;
import java.util.List;

/**
 * One run of {@code botdb maintain}.
 *
 * <pre>{@code
 * MaintainRequest r = MaintainRequest.of(Operation.VACUUM).withTables(List.of("users")).withAnalyze(true);
 * }</pre>
 *
 * @param operation        what to run
 * @param tables           only these tables ({@code name} or {@code schema.name}); empty with no indexes = every
 *                         table of the database's own schemas
 * @param indexes          REINDEX only: these indexes
 * @param analyze          VACUUM and VACUUM FULL: also refresh statistics ({@code VACUUM (ANALYZE)})
 * @param lockTimeout      how long to wait for a table's lock before skipping the table; never zero, so a
 *                         running bot never queues behind maintenance for longer than this
 * @param statementTimeout how long one table's statement may run; zero = no limit
 */
public record MaintainRequest(Operation operation, List<String> tables, List<String> indexes, boolean analyze,
                              Duration lockTimeout, Duration statementTimeout) {
    /** Five seconds: a bot's queries wait at most this long behind a maintenance lock request. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(5);

    public MaintainRequest {
        tables = List.copyOf(tables);
        indexes = List.copyOf(indexes);
        if (lockTimeout.isNegative() || lockTimeout.isZero()) {
            throw new BotDbException(ErrorCode.USAGE, "`lockTimeout` must be more than 0 (e.g. 5s): without one a"
                    + " maintenance statement waiting for a lock makes every query of the bot on that table wait too.");
        }
        if (statementTimeout.isNegative()) {
            throw new BotDbException(ErrorCode.USAGE, "`statementTimeout` must be 0 (no limit) or more, e.g. 30m");
        }
        if (!indexes.isEmpty() && operation != Operation.REINDEX) {
            throw new BotDbException(ErrorCode.USAGE, "`index` is for reindex only; " + operation.command()
                    + " works on tables (`table`).");
        }
        if (analyze && operation != Operation.VACUUM && operation != Operation.VACUUM_FULL) {
            throw new BotDbException(ErrorCode.USAGE, "`analyze` goes with vacuum and vacuum-full.");
        }
    }

    /** The whole database, default timeouts. */
    public static MaintainRequest of(Operation operation) {
        return new MaintainRequest(operation, List.of(), List.of(), false, DEFAULT_LOCK_TIMEOUT,
                operation.defaultStatementTimeout());
    }

    public MaintainRequest withTables(List<String> names) {
        return new MaintainRequest(operation, names, indexes, analyze, lockTimeout, statementTimeout);
    }

    public MaintainRequest withIndexes(List<String> names) {
        return new MaintainRequest(operation, tables, names, analyze, lockTimeout, statementTimeout);
    }

    public MaintainRequest withAnalyze(boolean also) {
        return new MaintainRequest(operation, tables, indexes, also, lockTimeout, statementTimeout);
    }

    public MaintainRequest withLockTimeout(Duration timeout) {
        return new MaintainRequest(operation, tables, indexes, analyze, timeout, statementTimeout);
    }

    public MaintainRequest withStatementTimeout(Duration timeout) {
        return new MaintainRequest(operation, tables, indexes, analyze, lockTimeout, timeout);
    }

    /** True when no table or index was named. */
    public boolean wholeDatabase() {
        return tables.isEmpty() && indexes.isEmpty();
    }

    /**
     * True when the operator should confirm first: VACUUM FULL always (it locks each table
     * completely while rewriting it), REINDEX of the whole database (long, I/O-heavy, needs disk).
     */
    public boolean needsConfirmation() {
        return operation == Operation.VACUUM_FULL || operation == Operation.REINDEX && wholeDatabase();
    }
}
