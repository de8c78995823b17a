package dev.botdb.maintain;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.ConnectionTarget;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.SqliteTarget;
import java.util.function.Consumer;

/**
 * botdb's maintenance: ANALYZE, VACUUM, VACUUM FULL, REINDEX and ending idle sessions, on
 * PostgreSQL or SQLite, without stalling a running bot. Every statement runs with a lock timeout:
 * a table whose lock another session holds is skipped (and the holder named) instead of making
 * the bot's queries queue behind the maintenance. Each operation opens one connection of its own
 * (VACUUM cannot run in a transaction, and the bot's pool is left alone).
 *
 * <pre>{@code
 * Maintenance m = Maintenance.of(db.target(), System.out::println);
 * MaintainResult r = m.run(MaintainRequest.of(Operation.VACUUM).withAnalyze(true));
 * if (!r.complete()) { ... }                          // some table skipped, timed out or failed
 * KillIdleResult k = m.killIdle(new KillIdleRequest(Duration.ofMinutes(5), false, true)); // dry run
 * }</pre>
 */
public final class Maintenance {
    private final ConnectionTarget target;
    private final Consumer<String> log;

    private Maintenance(ConnectionTarget target, Consumer<String> log) {
        this.target = target;
        this.log = log;
    }

    /**
     * Maintenance of {@code target} (a PostgreSQL database or a SQLite file; for the embedded
     * server, {@code BotDb.target()} after it started); {@code log} receives a line per table as
     * it finishes.
     */
    public static Maintenance of(ConnectionTarget target, Consumer<String> log) {
        if (!(target instanceof PostgresTarget) && !(target instanceof SqliteTarget)) {
            throw new IllegalStateException("start the embedded server first (use BotDb.target()): "
                    + target.displayName());
        }
        return new Maintenance(target, log);
    }

    /**
     * Runs the operation table by table. Tables whose lock is not granted within the lock
     * timeout are skipped and the others still run; the result says what happened to each.
     *
     * @throws BotDbException for a table that does not exist, an operation the engine does not
     *                        have (integrity on PostgreSQL), or a lost connection
     */
    public MaintainResult run(MaintainRequest request) {
        if (target instanceof PostgresTarget pg) {
            if (request.operation() == Operation.INTEGRITY) {
                throw integrityDoesNotApply(pg);
            }
            return new PgMaintenance(pg, log).run(request);
        }
        return new SqliteMaintenance((SqliteTarget) target, log).run(request);
    }

    /**
     * What {@code request} would lock and for roughly how long, for a confirmation prompt
     * ({@link MaintainRequest#needsConfirmation()}). Takes no lock that could make the bot wait.
     */
    public MaintenancePlan plan(MaintainRequest request) {
        if (target instanceof PostgresTarget pg) {
            return new PgPlan(pg).plan(request);
        }
        return new SqliteMaintenance((SqliteTarget) target, log).plan(request);
    }

    /**
     * Ends client sessions of the application's database that have been idle longer than the
     * threshold: never this session itself, never another database's sessions, never replication
     * or background processes. Sessions the connected role may not end are reported with the
     * GRANT that would allow it.
     *
     * @throws BotDbException on SQLite, which has no sessions to end
     */
    public KillIdleResult killIdle(KillIdleRequest request) {
        if (target instanceof SqliteTarget sqlite) {
            throw SqliteMaintenance.killIdleDoesNotApply(sqlite);
        }
        return new PgIdleSessions((PostgresTarget) target, log).run(request);
    }

    private static BotDbException integrityDoesNotApply(PostgresTarget pg) {
        return new BotDbException(ErrorCode.USAGE, "maintain integrity is SQLite's PRAGMA integrity_check and does not"
                + " apply to PostgreSQL (" + pg.displayName() + "). To prove every row can be read and restored, run"
                + " botdb backup verify (or botdb backup --verify): it reads every table and restores it into a"
                + " scratch database; a damaged page fails there. For a suspect index, botdb maintain reindex"
                + " --table NAME rebuilds it, and the amcheck extension's bt_index_check() inspects it.");
    }
}
