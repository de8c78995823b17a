package dev.botdb.migrate;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.Engine;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Applies SQL migrations from a directory, each file in one transaction together with its
 * {@code schema_migrations} row, one instance at a time.
 *
 * <pre>{@code
 * MigrationResult r = Migrator.of(db.dataSource(), Engine.POSTGRESQL, Path.of("migrations"), log::info).migrate();
 * System.out.println(r.summary());   // Migration complete - Applied: 5, Skipped: 10 (0.41 s)
 * }</pre>
 *
 * <p>All pending files are read and split before anything runs, so an unterminated string or a
 * psql meta-command stops the run with nothing applied. A file that changed after it was applied
 * stops the run too, naming both checksums and the two ways out.
 */
public final class Migrator {
    /** How long an instance waits while another one migrates (it keeps renewing its lease). */
    static final Duration DEFAULT_LOCK_WAIT = Duration.ofMinutes(15);

    private final DataSource dataSource;
    private final Engine engine;
    private final Path directory;
    private final Consumer<String> log;
    private final History history;
    private Duration lockWait = DEFAULT_LOCK_WAIT;

    private Migrator(DataSource dataSource, Engine engine, Path directory, Consumer<String> log) {
        this.dataSource = dataSource;
        this.engine = engine;
        this.directory = directory;
        this.log = log;
        this.history = new History(engine);
    }

    /** A migrator for the {@code *.sql} files in {@code directory}; {@code log} receives the progress lines. */
    public static Migrator of(DataSource dataSource, Engine engine, Path directory, Consumer<String> log) {
        return new Migrator(dataSource, engine, directory, log);
    }

    /** How long to wait for another instance's migration before giving up (default 15 min). */
    public Migrator lockWait(Duration wait) {
        this.lockWait = wait;
        return this;
    }

    /** Applies every pending file in version order. */
    public MigrationResult migrate() {
        long start = System.nanoTime();
        List<MigrationFile> files = MigrationFiles.load(directory, engine, w -> log.accept("[Migrations] " + w));
        log.accept("[Migrations] Found " + files.size() + " migration files");
        List<String> applied = new ArrayList<>();
        int skipped;
        try (MigrationLock lock = MigrationLock.acquire(dataSource, engine, lockWait, log)) {
            Map<String, History.Row> done;
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                history.ensure(c);
                done = history.read(c);
            }
            checkHistory(files, done);
            List<MigrationFile> pending = files.stream().filter(f -> !done.containsKey(f.version())).toList();
            skipped = files.size() - pending.size();
            Map<MigrationFile, SqlScript> scripts = new LinkedHashMap<>();
            for (MigrationFile f : pending) {
                scripts.put(f, SqlScript.parse(f.sql(), f.fileName()));
            }
            for (Map.Entry<MigrationFile, SqlScript> e : scripts.entrySet()) {
                lock.check();
                MigrationFile file = e.getKey();
                log.accept("[Migrations] Applying " + file.fileName() + "...");
                e.getValue().notes().forEach(n -> log.accept("[Migrations] " + n));
                long t = System.nanoTime();
                apply(file, e.getValue());
                applied.add(file.version());
                log.accept(String.format(Locale.ROOT, "[Migrations] Successfully applied %s (%.2f s)", file.fileName(),
                        (System.nanoTime() - t) / 1e9));
            }
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.MIGRATION_FAILED, "Could not read or write schema_migrations: "
                    + e.getMessage(), e);
        }
        MigrationResult result = new MigrationResult(files.size(), applied, skipped,
                Duration.ofNanos(System.nanoTime() - start));
        log.accept("[Migrations] " + result.summary());
        return result;
    }

    /** A pending file and the statements {@code migrate} would run for it. */
    public record Planned(String fileName, boolean outsideTransaction, List<String> statements, List<String> notes) {
    }

    /** What {@code migrate} would run, without running it or taking the lock ({@code migrate --dry-run}). */
    public List<Planned> plan() {
        List<MigrationFile> files = MigrationFiles.load(directory, engine, w -> log.accept("[Migrations] " + w));
        Map<String, History.Row> done;
        try (Connection c = dataSource.getConnection()) {
            done = history.columns(c).isEmpty() ? Map.of() : history.read(c);
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.MIGRATION_FAILED, "Could not read schema_migrations: " + e.getMessage(), e);
        }
        checkHistory(files, done);
        List<Planned> plan = new ArrayList<>();
        for (MigrationFile f : files) {
            if (!done.containsKey(f.version())) {
                SqlScript script = SqlScript.parse(f.sql(), f.fileName());
                plan.add(new Planned(f.fileName(), runsOutsideTransaction(script),
                        script.statements().stream().map(SqlScript.Statement::sql).toList(), script.notes()));
            }
        }
        return plan;
    }

    /** Applied / pending / changed / missing / failed, per version, in file order then history order. */
    public List<MigrationState> status() {
        List<MigrationFile> files = MigrationFiles.load(directory, engine, w -> { });
        Map<String, History.Row> done;
        try (Connection c = dataSource.getConnection()) {
            done = history.columns(c).isEmpty() ? Map.of() : history.read(c);
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.MIGRATION_FAILED, "Could not read schema_migrations: " + e.getMessage(), e);
        }
        List<MigrationState> states = new ArrayList<>();
        Set<String> onDisk = files.stream().map(MigrationFile::version).collect(Collectors.toSet());
        for (MigrationFile f : files) {
            History.Row row = done.get(f.version());
            if (row == null) {
                states.add(new MigrationState(f.version(), MigrationState.State.PENDING, null, null, null));
            } else if (!row.success()) {
                states.add(new MigrationState(f.version(), MigrationState.State.FAILED, row.executedAt(), null, row.error()));
            } else if (!f.matches(row.checksum())) {
                states.add(new MigrationState(f.version(), MigrationState.State.CHANGED, row.executedAt(), row.durationMs(),
                        "stored " + row.checksum() + ", on disk " + f.checksum()));
            } else {
                states.add(new MigrationState(f.version(), MigrationState.State.APPLIED, row.executedAt(), row.durationMs(), null));
            }
        }
        for (History.Row row : done.values()) {
            if (!onDisk.contains(row.version())) {
                states.add(new MigrationState(row.version(), MigrationState.State.MISSING, row.executedAt(), row.durationMs(),
                        "applied, but no file " + row.version() + " in " + directory));
            }
        }
        return states;
    }

    private void checkHistory(List<MigrationFile> files, Map<String, History.Row> done) {
        for (MigrationFile f : files) {
            History.Row row = done.get(f.version());
            if (row == null) {
                continue;
            }
            if (!row.success()) {
                throw new BotDbException(ErrorCode.MIGRATION_DRIFT, f.fileName() + " failed part way on " + row.executedAt()
                        + " (" + row.error() + "). It ran outside a transaction, so its earlier statements stayed."
                        + " Finish or undo them by hand, then either run 'botdb mark-applied " + f.version()
                        + "' (the file is done) or 'botdb repair' (forget the attempt and run the file again).");
            }
            if (!f.matches(row.checksum())) {
                throw new BotDbException(ErrorCode.MIGRATION_DRIFT, f.fileName() + " was changed after it was applied on "
                        + row.executedAt() + ".\n  stored checksum:  " + row.checksum() + "\n  file on disk now: "
                        + f.checksum() + "\n  Either revert the change to the file (and put the new change in a new"
                        + " migration: botdb new NAME), or run 'botdb repair' to accept the file as it is now.");
            }
        }
    }

    private void apply(MigrationFile file, SqlScript script) throws SQLException {
        boolean outside = runsOutsideTransaction(script);
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            if (outside) {
                log.accept("[Migrations] " + file.fileName() + " runs outside a transaction ("
                        + (script.declaredNoTransaction() ? "declared by its header" : "it contains "
                        + firstWords(script.nonTransactional().get(0).sql())) + ")");
                c.setAutoCommit(true);
                for (SqlScript.Statement s : script.statements()) {
                    try (Statement st = c.createStatement()) {
                        st.execute(s.sql());
                    } catch (SQLException e) {
                        BotDbException failure = failure(file, s, e, false);
                        try {
                            history.recordFailure(c, file, "statement " + s.number() + " (line " + s.line() + "): "
                                    + serverText(e));
                        } catch (SQLException notRecorded) {
                            failure.addSuppressed(notRecorded); // e.g. the connection itself was lost
                        }
                        throw failure;
                    }
                }
                history.recordSuccess(c, file, (System.nanoTime() - start) / 1_000_000);
                return;
            }
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    for (SqlScript.Statement s : script.statements()) {
                        try {
                            st.execute(s.sql());
                        } catch (SQLException e) {
                            throw failure(file, s, e, true);
                        }
                    }
                }
                history.recordSuccess(c, file, (System.nanoTime() - start) / 1_000_000);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private boolean runsOutsideTransaction(SqlScript script) {
        return engine == Engine.POSTGRESQL && (script.declaredNoTransaction() || !script.nonTransactional().isEmpty())
                || engine == Engine.SQLITE && script.statements().stream()
                .anyMatch(s -> s.sql().toUpperCase(Locale.ROOT).startsWith("VACUUM"));
    }

    private BotDbException failure(MigrationFile file, SqlScript.Statement s, SQLException e, boolean rolledBack) {
        int line = s.line();
        if (e instanceof PSQLException pe && pe.getServerErrorMessage() != null) {
            ServerErrorMessage m = pe.getServerErrorMessage();
            int pos = m.getPosition();
            if (pos > 0) {
                String before = s.sql().substring(0, Math.min(pos - 1, s.sql().length()));
                line += (int) before.chars().filter(ch -> ch == '\n').count();
            }
        }
        String state = e.getSQLState() == null ? "" : " [SQLSTATE " + e.getSQLState() + "]";
        return new BotDbException(ErrorCode.MIGRATION_FAILED, "Migration failed: " + file.fileName() + " line " + line
                + ", statement " + s.number() + state + ": " + serverText(e) + "\n  " + firstWords(s.sql()) + "\n  "
                + (rolledBack ? "Nothing of " + file.fileName() + " was applied (rolled back). Fix the file and run migrate again."
                : file.fileName() + " ran outside a transaction: statements 1-" + (s.number() - 1) + " stayed applied."
                + " It is recorded as failed; see botdb status."), e);
    }

    private static String serverText(SQLException e) {
        if (e instanceof PSQLException pe && pe.getServerErrorMessage() != null) {
            return pe.getServerErrorMessage().getMessage();
        }
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static String firstWords(String sql) {
        String oneLine = sql.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 77) + "...";
    }
}
