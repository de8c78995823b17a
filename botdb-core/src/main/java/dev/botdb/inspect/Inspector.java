package dev.botdb.inspect;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.ConnectionTarget;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.SqliteTarget;
import dev.botdb.inspect.InspectionCheck.Server;
import dev.botdb.inspect.CheckResult.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code botdb inspect}: a health report of a database, PgHero's checks and a few more, each with
 * a verdict (ok / warn / problem, or timed out / not permitted / not applicable) and the figures
 * behind it. Every query reads catalog and statistics views in a read-only transaction under a
 * statement timeout and a lock timeout; nothing takes a lock stronger than a plain read, and a
 * check that times out is reported as such while the others still run.
 *
 * <pre>{@code
 * InspectReport report = Inspector.of(db.target()).run(InspectOptions.defaults());
 * for (CheckResult c : report.checks()) {
 *     System.out.println(c.verdict().label() + " " + c.name() + ": " + c.summary());
 * }
 * if (report.hasProblems()) { ... }                     // botdb inspect exits 20
 * }</pre>
 */
public final class Inspector {
    private static final Map<String, InspectionCheck> CHECKS = new LinkedHashMap<>();

    static {
        List<InspectionCheck> all = new ArrayList<>();
        all.addAll(SpaceChecks.all());
        all.addAll(IndexChecks.all());
        all.addAll(TableChecks.all());
        all.addAll(MaintenanceChecks.all());
        all.addAll(ActivityChecks.all());
        all.add(new InspectionCheck("integrity", "sqlite", "SQLite quick_check", (o, s) -> List.of(),
                (r, ctx, f) -> f.raise(Verdict.NOT_APPLICABLE).summary("SQLite only; on PostgreSQL, botdb backup verify"
                        + " reads every row and restores it into a scratch database")));
        all.add(new InspectionCheck("freelist", "sqlite", "SQLite free pages", (o, s) -> List.of(),
                (r, ctx, f) -> f.raise(Verdict.NOT_APPLICABLE).summary("SQLite only; on PostgreSQL see dead-rows")));
        for (InspectionCheck c : all) {
            CHECKS.put(c.name(), c);
        }
    }

    private final ConnectionTarget target;

    private Inspector(ConnectionTarget target) {
        this.target = target;
    }

    /** An inspector of {@code target}: a PostgreSQL database or a SQLite file (for the embedded server, {@code BotDb.target()}). */
    public static Inspector of(ConnectionTarget target) {
        if (!(target instanceof PostgresTarget) && !(target instanceof SqliteTarget)) {
            throw new IllegalStateException("start the embedded server first (use BotDb.target()): "
                    + target.displayName());
        }
        return new Inspector(target);
    }

    /**
     * Runs the checks the options name (all that apply to the engine when none) and returns
     * every result; a check that fails, times out or is not permitted is a result, not an
     * exception.
     *
     * @throws BotDbException for an unknown check name (USAGE) or when the database cannot be reached
     */
    public InspectReport run(InspectOptions options) {
        List<String> names = selected(options, target instanceof SqliteTarget);
        if (target instanceof SqliteTarget sqlite) {
            return new SqliteInspection(sqlite).run(names, options);
        }
        return new PgInspection((PostgresTarget) target).run(names.stream().map(CHECKS::get).toList(), options);
    }

    /** Every check's name, in report order; {@code integrity} and {@code freelist} are SQLite's. */
    public static List<String> checkNames() {
        return List.copyOf(CHECKS.keySet());
    }

    /** {@code Unused indexes (indexes)} for {@code unused-indexes}. */
    public static String describe(String name) {
        InspectionCheck c = check(name);
        return c.title() + " (" + c.group() + ")";
    }

    static InspectionCheck check(String name) {
        InspectionCheck c = CHECKS.get(name);
        if (c == null) {
            throw new BotDbException(ErrorCode.USAGE, "unknown check '" + name + "'. The checks are: "
                    + String.join(", ", CHECKS.keySet()) + " (botdb inspect --list describes them)");
        }
        return c;
    }

    private static List<String> selected(InspectOptions options, boolean sqlite) {
        if (options.checks().isEmpty()) {
            return CHECKS.keySet().stream().filter(n -> sqlite || !SqliteInspection.ONLY_SQLITE.contains(n)).toList();
        }
        List<String> names = new ArrayList<>();
        for (String n : options.checks()) {
            check(n);
            if (!names.contains(n)) {
                names.add(n);
            }
        }
        return names;
    }

    /**
     * The exact statements the PostgreSQL report runs for {@code options}, thresholds inlined as
     * literals, in report order, starting with the server query; for PostgreSQL 13 or newer with
     * pg_stat_statements created in a schema on the search_path. Each check runs its statements
     * in one read-only transaction after {@code SET LOCAL statement_timeout} / {@code lock_timeout};
     * run bare in psql they give the same rows. The size history is a file, not SQL.
     */
    public static List<String> catalogQueries(InspectOptions options) {
        return catalogQueries(options, Server.ASSUMED.versionNum(), "");
    }

    /**
     * As {@link #catalogQueries(InspectOptions)} for a given server: {@code serverVersionNum} as
     * server_version_num (e.g. 150004), {@code pgStatStatementsSchema} the schema the extension
     * lives in ({@code ""} = on the search_path, null = not installed: those checks run no SQL).
     */
    public static List<String> catalogQueries(InspectOptions options, int serverVersionNum,
                                              String pgStatStatementsSchema) {
        Server server = new Server(serverVersionNum, "", "", "", true, true, pgStatStatementsSchema, false, true);
        List<String> out = new ArrayList<>();
        out.add(InspectionCheck.SERVER);
        for (String name : selected(options, false)) {
            out.addAll(CHECKS.get(name).sql().statements(options, server));
        }
        return out;
    }
}
