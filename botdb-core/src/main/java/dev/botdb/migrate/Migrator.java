package dev.botdb.migrate;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.Engine;
import dev.botdb.config.MigrationSettings.SupabaseCleanupMode;
import dev.botdb.dialect.Dialect;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
 * stops the run too, naming both checksums and the two ways out; an applied file that was deleted
 * is only warned about, by name. {@code status}, {@code validate} and {@code plan} read the history
 * as it is (Alita's three columns included) and write nothing.
 *
 * <p>A database migrated by sqlx, golang-migrate, dbmate, Flyway or the USN bot is adopted on the
 * first {@code migrate}: what that tool applied is recorded as applied and never run again
 * ({@code ForeignHistories}); {@code status} and {@code plan} show it that way before then.
 */
public final class Migrator {
    /** How long an instance waits while another one migrates (it keeps renewing its lease). */
    static final Duration DEFAULT_LOCK_WAIT = Duration.ofMinutes(15);

    private final DataSource dataSource;
    private final Engine engine;
    private final Path directory;
    private final Consumer<String> log;
    private final History history;
    private final Map<String, JavaMigration> javaMigrations = new LinkedHashMap<>();
    private Duration lockWait = DEFAULT_LOCK_WAIT;
    private Duration lease = MigrationLock.LEASE;
    private SupabaseCleanupMode supabaseCleanup = SupabaseCleanupMode.AUTO;
    private Map<String, String> mirrorEnv = Map.of();

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

    /**
     * A directory of migrations on the class path (for example bundled in the bot's jar), as a
     * {@link Path} that {@link #of} can read.
     */
    public static Path classpathDirectory(String location) {
        java.net.URL url = Migrator.class.getClassLoader().getResource(location);
        if (url == null) {
            throw new BotDbException(ErrorCode.MIGRATION_INVALID, "No migrations directory " + location
                    + " on the class path. Put the .sql files under src/main/resources/" + location + ".");
        }
        try {
            java.net.URI uri = url.toURI();
            if (uri.getScheme().equals("jar")) {
                try {
                    java.nio.file.FileSystems.newFileSystem(uri, Map.of());
                } catch (java.nio.file.FileSystemAlreadyExistsException e) {
                    // opened before; Path.of(uri) finds it
                }
            }
            return Path.of(uri);
        } catch (java.net.URISyntaxException | java.io.IOException e) {
            throw new BotDbException(ErrorCode.MIGRATION_INVALID, "Cannot read " + url + ": " + e.getMessage());
        }
    }

    /** Adds a Java migration, ordered with the files by its version number. */
    public Migrator javaMigration(JavaMigration migration) {
        javaMigrations.put(migration.version(), migration);
        return this;
    }

    /** The SQL files of this engine plus the Java migrations, in version order. */
    private List<MigrationFile> loadFiles(Consumer<String> warn) {
        List<MigrationFile> all = new ArrayList<>(MigrationFiles.load(directory, engine, warn));
        for (JavaMigration m : javaMigrations.values()) {
            all.add(MigrationFiles.javaMigration(m.version()));
        }
        return MigrationFiles.order(all, warn);
    }

    private void applyJava(MigrationFile file, JavaMigration migration, MigrationLock lock) throws SQLException {
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            inTransaction(c, () -> {
                lock.verify(c, "before " + file.fileName() + ", which it did not run");
                migration.migrate(c, engine);
                resetSearchPath(c);
                lock.fence(c, beforeCommit(file));
                history.recordSuccess(c, file, System.nanoTime() - start);
            });
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.MIGRATION_FAILED, "Migration failed: " + file.fileName()
                    + (e.getSQLState() == null ? "" : " [SQLSTATE " + e.getSQLState() + "]") + ": " + serverText(e)
                    + "\n  Nothing of it was applied (rolled back).", e);
        }
    }

    /** How long to wait for another instance's migration before giving up (default 15 min). */
    public Migrator lockWait(Duration wait) {
        this.lockWait = wait;
        return this;
    }

    /** The length of the migration lease (default 30 s); tests make it long to control when it runs out. */
    Migrator lease(Duration length) {
        this.lease = length;
        return this;
    }

    /**
     * Whether pending PostgreSQL files exported from Supabase are cleaned before they run
     * (SUPABASE_CLEANUP; default {@code AUTO}): grants and policies for roles the server lacks,
     * {@code SCHEMA extensions} when that schema is missing, extensions it cannot install. Each
     * change is logged with file and line. See {@link dev.botdb.config.MigrationSettings}.
     */
    /**
     * The variables MIGRATIONS_HISTORY_MIRROR is read from (default: none set, so a tool's history
     * table that is already there, one botdb adopted, is kept in step).
     */
    public Migrator historyMirror(Map<String, String> env) {
        this.mirrorEnv = Map.copyOf(env);
        return this;
    }

    public Migrator supabaseCleanup(SupabaseCleanupMode mode) {
        this.supabaseCleanup = java.util.Objects.requireNonNull(mode, "mode");
        return this;
    }

    /** Applies every pending file in version order. */
    public MigrationResult migrate() {
        long start = System.nanoTime();
        log.accept("[Migrations] Starting automatic database migration..."); // Alita's first line, which operators grep for
        // the history comes from the server while the files are read and hashed
        CompletableFuture<Map<String, History.Row>> recorded = readHistoryInBackground();
        List<MigrationFile> files = loadFiles(w -> log.accept("[Migrations] " + w));
        log.accept("[Migrations] Found " + files.size() + " migration files");
        Optional<MigrationResult> upToDate = upToDate(files, recorded, start);
        if (upToDate.isPresent()) {
            log.accept("[Migrations] " + upToDate.get().summary());
            return upToDate.get();
        }
        List<String> applied = new ArrayList<>();
        int skipped;
        try (MigrationLock lock = MigrationLock.acquire(dataSource, engine, lockWait, lease, log)) {
            Map<String, History.Row> done;
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                ForeignHistories.adoptIfNeeded(c, engine, files, history, log);
                history.mirror(HistoryMirror.choose(mirrorEnv, c));
                history.ensure(c);
                done = history.read(c);
            }
            checkHistory(files, done);
            warnMissing(files, done);
            List<MigrationFile> pending = files.stream().filter(f -> !done.containsKey(f.version())).toList();
            skipped = files.size() - pending.size();
            Map<MigrationFile, SqlScript> scripts = new LinkedHashMap<>();
            for (MigrationFile f : pending) {
                scripts.put(f, javaMigrations.containsKey(f.version()) ? null : SqlScript.parse(f.upSql(), f.fileName()));
            }
            scripts = Tolerances.guardDropIndexLoops(
                    SupabaseCleanup.applyTo(scripts, supabaseCleanup, engine, dataSource), engine);
            for (Map.Entry<MigrationFile, SqlScript> e : scripts.entrySet()) {
                lock.check();
                MigrationFile file = e.getKey();
                log.accept("[Migrations] Applying " + file.fileName() + "...");
                if (e.getValue() != null) {
                    e.getValue().notes().forEach(n -> log.accept("[Migrations] " + n));
                }
                long t = System.nanoTime();
                if (e.getValue() == null) {
                    applyJava(file, javaMigrations.get(file.version()), lock);
                } else {
                    apply(file, e.getValue(), lock);
                }
                applied.add(file.version());
                log.accept(String.format(Locale.ROOT, "[Migrations] Successfully applied %s (%.2f s)", file.fileName(),
                        (System.nanoTime() - t) / 1e9));
            }
            if (!applied.isEmpty() && done.values().stream().anyMatch(r -> r.success() && r.error() != null)) {
                try (Connection c = dataSource.getConnection()) {
                    c.setAutoCommit(true);
                    history.clearAcceptedNotes(c);
                }
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

    /**
     * Checks every file (not only pending ones) splits cleanly and that no applied file changed,
     * failed or disappeared, without applying anything.
     *
     * @return the number of files checked
     */
    public int validate() {
        List<MigrationFile> files = loadFiles(w -> log.accept("[Migrations] " + w));
        for (MigrationFile f : files) {
            if (!javaMigrations.containsKey(f.version())) {
                SqlScript.parse(f.upSql(), f.fileName());
            }
        }
        Map<String, History.Row> done = readHistory(files);
        checkHistory(files, done);
        Set<String> onDisk = files.stream().map(MigrationFile::version).collect(Collectors.toSet());
        List<String> missing = done.keySet().stream().filter(v -> !onDisk.contains(v)).toList();
        if (!missing.isEmpty()) {
            throw new BotDbException(ErrorCode.MIGRATION_DRIFT, "Applied migrations have no file in " + directory + ": "
                    + String.join(", ", missing) + ". Restore the files (e.g. from git), or point MIGRATIONS_PATH at"
                    + " the right folder.");
        }
        return files.size();
    }

    /**
     * Records {@code version} as applied without running it: what Alita's operators do with an INSERT into schema_migrations for a file that
     * was applied by hand (or half-applied and then fixed by hand).
     */
    public void markApplied(String version) {
        List<MigrationFile> files = loadFiles(w -> { });
        MigrationFile file = files.stream().filter(f -> names(f, version)).findFirst()
                .orElseThrow(() -> new BotDbException(ErrorCode.MIGRATION_INVALID, "No migration file "
                        + version + " in " + directory + ". botdb status lists the versions."));
        withLockedHistory(c -> {
            History.Row row = history.read(c).get(file.version());
            if (row != null && row.success()) {
                log.accept("[Migrations] " + file.version() + " is already applied (since " + row.executedAt()
                        + "); nothing changed");
                return null;
            }
            history.markApplied(c, file);
            log.accept("[Migrations] Marked " + file.version() + " as applied (not run)");
            return null;
        });
    }

    /**
     * Whether an operator's {@code name} means {@code f}: its history key or file name, either
     * without {@code .sql}, or its version number ({@code 1}, {@code 001}, {@code 20240315}, {@code V1.2}).
     */
    private static boolean names(MigrationFile f, String name) {
        String n = name.strip();
        if (f.version().equals(n) || f.fileName().equals(n) || f.version().equals(n + ".sql")
                || f.fileName().equals(n + ".sql")) {
            return true;
        }
        if (!n.matches("[Vv]?[0-9]+([._][0-9]+)*")) {
            return false;
        }
        List<java.math.BigInteger> order = new ArrayList<>();
        for (String part : n.replaceFirst("^[Vv]", "").split("[._]")) {
            order.add(new java.math.BigInteger(part));
        }
        return order.equals(f.order());
    }

    /**
     * Accepts the files as they are now: stores the current checksum of every changed applied
     * file and forgets failed attempts, so the next migrate re-runs those files.
     *
     * @return one line per change made
     */
    public List<String> repair() {
        List<MigrationFile> files = loadFiles(w -> { });
        return withLockedHistory(c -> {
            List<String> changes = new ArrayList<>();
            Map<String, History.Row> done = history.read(c);
            for (MigrationFile f : files) {
                History.Row row = done.get(f.version());
                if (row != null && row.success() && !f.matches(row.checksum())) {
                    history.acceptChanged(c, f, "accepted by repair on " + java.time.LocalDate
                            .now(java.time.ZoneOffset.UTC) + " as changed after it ran; its new content was not applied"
                            + " (checksum " + row.checksum() + " -> " + f.checksum() + "): put that change in a new"
                            + " migration (botdb new NAME)");
                    changes.add(f.fileName() + " changed after it was applied: accepted as it is now (checksum "
                            + row.checksum() + " -> " + f.checksum() + "), but its new content was not applied, and"
                            + " botdb never runs an applied file again. To apply the change, put those statements in a"
                            + " new migration (botdb new NAME) and run botdb migrate; botdb status shows "
                            + f.fileName() + " as accepted by repair until a newer migration is applied");
                }
                if (row != null && !row.success()) {
                    history.delete(c, f.version());
                    changes.add("forgot the failed attempt of " + f.fileName() + "; migrate will run it again");
                }
            }
            changes.forEach(ch -> log.accept("[Migrations] Repair: " + ch));
            if (changes.isEmpty()) {
                log.accept("[Migrations] Repair: nothing to change");
            }
            return changes;
        });
    }

    /**
     * Undoes the last {@code count} applied migrations, newest first, by running each one's
     * {@code .down.sql} or {@code .rollback.sql} companion in a transaction with the removal of its
     * history row. Refuses before running anything when one of them has no companion.
     *
     * @return the versions rolled back
     */
    public List<String> rollback(int count) {
        return withLockedHistory(c -> {
            List<History.Row> applied = new ArrayList<>(history.read(c).values());
            java.util.Collections.reverse(applied);
            List<History.Row> targets = applied.subList(0, Math.min(count, applied.size()));
            if (targets.isEmpty()) {
                throw new BotDbException(ErrorCode.MIGRATION_INVALID, "Nothing to roll back: no migration is applied.");
            }
            Map<History.Row, MigrationFile> downs = new LinkedHashMap<>();
            for (History.Row row : targets) {
                downs.put(row, rollbackFile(row.version()));
            }
            List<String> done = new ArrayList<>();
            for (Map.Entry<History.Row, MigrationFile> e : downs.entrySet()) {
                MigrationFile down = e.getValue();
                SqlScript script = SqlScript.parse(down.sql(), down.fileName());
                log.accept("[Migrations] Rolling back " + e.getKey().version() + " with " + down.fileName() + "...");
                String version = e.getKey().version();
                inTransaction(c, () -> {
                    runOneByOne(c, down, script);
                    history.delete(c, version);
                });
                done.add(e.getKey().version());
                log.accept("[Migrations] Rolled back " + e.getKey().version());
            }
            return done;
        });
    }

    /** The companion that undoes {@code version}: NAME.down.sql or NAME.rollback.sql (engine variants too). */
    private MigrationFile rollbackFile(String version) {
        String stem = version.endsWith(".sql") ? version.substring(0, version.length() - 4) : version;
        List<String> candidates = List.of(stem + "." + engineSuffix() + ".down.sql", stem + "." + engineSuffix()
                + ".rollback.sql", stem + ".down.sql", stem + ".rollback.sql");
        for (String name : candidates) {
            Path p = directory.resolve(name);
            if (java.nio.file.Files.isRegularFile(p)) {
                try {
                    return MigrationFiles.parse(name, java.nio.file.Files.readAllBytes(p));
                } catch (java.io.IOException e) {
                    throw new BotDbException(ErrorCode.MIGRATION_INVALID, "Cannot read " + p + ": " + e.getMessage());
                }
            }
        }
        java.util.Optional<MigrationFile> dbmate = loadFiles(w -> { }).stream()
                .filter(f -> f.version().equals(version) && f.downSql().filter(d -> !d.isBlank()).isPresent())
                .findFirst();
        if (dbmate.isPresent()) {
            MigrationFile f = dbmate.get();
            return new MigrationFile(f.version(), f.fileName() + " (migrate:down section)", f.order(),
                    f.downSql().get());
        }
        throw new BotDbException(ErrorCode.MIGRATION_FAILED, "Cannot roll back " + version + ": there is no "
                + stem + ".down.sql or " + stem + ".rollback.sql in " + directory + ". Nothing was rolled back."
                + " Write the companion file that undoes it, or restore a backup.");
    }

    private String engineSuffix() {
        return engine == Engine.SQLITE ? "sqlite" : "postgres";
    }

    /**
     * Drops every object of the application's schema and applies all migrations again. The CLI asks
     * for confirmation and refuses under BOTDB_ENV=production without --force.
     */
    public MigrationResult reset() {
        withLockedHistory(c -> {
            List<String> drops = Reset.dropEverything(c, engine);
            log.accept("[Migrations] Reset: dropped " + drops.size() + " objects");
            return null;
        });
        return migrate();
    }

    /**
     * Creates {@code directory/YYYYMMDDHHMMSS_name.sql} (UTC), creating the directory if needed.
     *
     * @return the new file
     */
    public static Path create(Path directory, String name, java.time.Clock clock) {
        String clean = name.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
        if (clean.isEmpty()) {
            throw new BotDbException(ErrorCode.USAGE, "botdb new needs a name made of letters or digits, e.g.:"
                    + " botdb new add_captcha_settings");
        }
        String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
                .withZone(java.time.ZoneOffset.UTC).format(clock.instant());
        Path file = directory.resolve(stamp + "_" + clean + ".sql");
        try {
            java.nio.file.Files.createDirectories(directory);
            java.nio.file.Files.writeString(file, "-- " + clean.replace('_', ' ') + "\n-- Undo it in " + stamp + "_"
                    + clean + ".down.sql if it should be reversible (botdb rollback).\n\n",
                    java.nio.file.StandardOpenOption.CREATE_NEW);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new BotDbException(ErrorCode.MIGRATION_INVALID, file + " already exists; wait a second or pick another name.");
        } catch (java.io.IOException e) {
            throw new BotDbException(ErrorCode.MIGRATION_INVALID, "Cannot create " + file + ": " + e.getMessage());
        }
        return file;
    }

    private interface HistoryWork<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T withLockedHistory(HistoryWork<T> work) {
        try (MigrationLock lock = MigrationLock.acquire(dataSource, engine, lockWait, lease, log);
             Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            // mark-applied as the first command after a switch must not start an empty botdb history that hides the old one
            ForeignHistories.adoptIfNeeded(c, engine, loadFiles(w -> { }), history, log);
            history.mirror(HistoryMirror.choose(mirrorEnv, c));
            history.ensure(c);
            return work.run(c);
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.MIGRATION_FAILED, "Could not update schema_migrations: " + e.getMessage(), e);
        }
    }

    private Map<String, History.Row> readHistory(List<MigrationFile> files) {
        try (Connection c = dataSource.getConnection()) {
            return ForeignHistories.recorded(c, engine, files, history, log);
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.MIGRATION_FAILED, "Could not read schema_migrations: " + e.getMessage(), e);
        }
    }

    /** A pending file and the statements {@code migrate} would run for it. */
    public record Planned(String fileName, boolean outsideTransaction, List<String> statements, List<String> notes) {
    }

    /**
     * What {@code migrate} would run, after the Supabase clean-up (its changes are among the notes),
     * without running it or taking the lock ({@code migrate --dry-run}).
     */
    public List<Planned> plan() {
        List<MigrationFile> files = loadFiles(w -> log.accept("[Migrations] " + w));
        Map<String, History.Row> done = readHistory(files);
        checkHistory(files, done);
        Map<MigrationFile, SqlScript> scripts = new LinkedHashMap<>();
        for (MigrationFile f : files) {
            if (!done.containsKey(f.version()) && !javaMigrations.containsKey(f.version())) {
                scripts.put(f, SqlScript.parse(f.upSql(), f.fileName()));
            }
        }
        scripts = Tolerances.guardDropIndexLoops(
                    SupabaseCleanup.applyTo(scripts, supabaseCleanup, engine, dataSource), engine);
        List<Planned> plan = new ArrayList<>();
        for (MigrationFile f : files) {
            if (!done.containsKey(f.version())) {
                if (javaMigrations.containsKey(f.version())) {
                    plan.add(new Planned(f.fileName(), false, List.of("-- runs " + javaMigrations.get(f.version())
                            .getClass().getName() + " (Java migration)"), List.of()));
                    continue;
                }
                SqlScript script = scripts.get(f);
                plan.add(new Planned(f.fileName(), runsOutsideTransaction(script),
                        script.statements().stream().map(SqlScript.Statement::sql).toList(), script.notes()));
            }
        }
        return plan;
    }

    /**
     * The check every bot start makes: when botdb's history already lists every file and nothing
     * drifted, there is nothing to do and no reason to take the lock (a DDL statement, an insert,
     * a delete and a renewal thread). Returns empty whenever anything might need doing or
     * explaining (pending, failed, changed), so the locked path decides and words the error.
     */
    private Optional<MigrationResult> upToDate(List<MigrationFile> files,
                                               CompletableFuture<Map<String, History.Row>> recorded, long start) {
        Map<String, History.Row> done;
        try {
            done = recorded.join();
        } catch (java.util.concurrent.CompletionException e) {
            return Optional.empty(); // no table, an Alita table to extend, or a real error: the locked path handles it
        }
        for (MigrationFile f : files) {
            History.Row row = done.get(f.version());
            if (row == null || !row.success() || !f.matches(row.checksum())) {
                return Optional.empty(); // pending, failed or drifted: the locked path applies or explains
            }
        }
        if (done.isEmpty()) {
            return Optional.empty();
        }
        warnMissing(files, done);
        return Optional.of(new MigrationResult(files.size(), List.of(), files.size(),
                Duration.ofNanos(System.nanoTime() - start)));
    }

    /**
     * Reads botdb's history on its own thread and connection (one round trip); fails when there is
     * no botdb-shaped history yet.
     */
    private CompletableFuture<Map<String, History.Row>> readHistoryInBackground() {
        CompletableFuture<Map<String, History.Row>> result = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (Connection c = dataSource.getConnection()) {
                result.complete(history.readForCheck(c));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "botdb-history-read");
        reader.setDaemon(true);
        reader.start();
        return result;
    }

    /** Applied / pending / changed / missing / failed, per version, in file order then history order. */
    public List<MigrationState> status() {
        List<MigrationFile> files = loadFiles(w -> log.accept("[Migrations] " + w));
        Map<String, History.Row> done = readHistory(files);
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
                // a successful row carries an error only as repair's note: accepted, new content never ran
                states.add(new MigrationState(f.version(), MigrationState.State.APPLIED, row.executedAt(), row.durationMs(),
                        row.error()));
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

    /**
     * An applied file that was deleted leaves nothing to run, so {@code migrate} goes on (a deployment
     * that squashed old files keeps starting), but says so by name; {@code status} and
     * {@code validate} report it as drift (exit 13). A changed file stops {@code migrate} instead:
     * there, what is on disk contradicts what ran.
     */
    private void warnMissing(List<MigrationFile> files, Map<String, History.Row> done) {
        if (done.size() <= files.size() && files.stream().allMatch(f -> done.containsKey(f.version()))) {
            return; // every row has its file: the common case, no set to build
        }
        Set<String> onDisk = files.stream().map(MigrationFile::version).collect(Collectors.toSet());
        List<String> missing = done.keySet().stream().filter(v -> !onDisk.contains(v)).sorted().toList();
        if (!missing.isEmpty()) {
            log.accept("[Migrations] Warning: applied but no file in " + directory + ": " + String.join(", ", missing)
                    + ". Nothing runs for them; restore them (e.g. from git) if they were deleted by mistake."
                    + " botdb status reports them as missing (exit 13).");
        }
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

    /**
     * Runs one file, fenced by {@code lock}: a transactional file proves the lease in the transaction
     * of its statements and history row; a file outside a transaction proves it before each statement
     * and in the transaction that records it.
     */
    private void apply(MigrationFile file, SqlScript script, MigrationLock lock) throws SQLException {
        long start = System.nanoTime();
        if (runsOutsideTransaction(script)) {
            applyOutsideTransaction(file, script, start, lock);
        } else if (!batchable(script) || !applyAsBatch(file, script, start, lock)) {
            applyInTransaction(file, script, start, lock);
        }
    }

    private void applyOutsideTransaction(MigrationFile file, SqlScript script, long start, MigrationLock lock)
            throws SQLException {
        log.accept("[Migrations] " + file.fileName() + " runs outside a transaction ("
                + (script.declaredNoTransaction() ? "declared by its header" : "it contains "
                + firstWords(script.nonTransactional().get(0).sql())) + ")");
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            for (SqlScript.Statement s : script.statements()) {
                lock.fence(c, "before statement " + s.number() + " of " + file.fileName() + (s.number() == 1
                        ? ", so this instance ran none of its statements"
                        : ": statements 1-" + (s.number() - 1) + " ran here and are not recorded, so check them"));
                Tolerances.Tolerable tolerable = engine == Engine.POSTGRESQL ? Tolerances.of(s.sql()) : null;
                try (Statement st = c.createStatement()) {
                    st.execute(s.sql());
                } catch (SQLException e) {
                    if (tolerable != null && alreadyThere(c, file, s, tolerable, e)) {
                        continue;
                    }
                    BotDbException failure = failure(c, file, s, e, false);
                    try {
                        record(c, lock, file, () -> history.recordFailure(c, file, "statement " + s.number()
                                + " (line " + s.line() + "): " + serverText(e)));
                    } catch (SQLException | BotDbException notRecorded) {
                        failure.addSuppressed(notRecorded); // e.g. the connection itself was lost
                    }
                    throw failure;
                }
            }
            record(c, lock, file, () -> history.recordSuccess(c, file, System.nanoTime() - start));
        }
    }

    private interface SqlWork {
        void run() throws SQLException;
    }

    /** Runs {@code work} in one transaction on {@code c}: commits, or rolls back and rethrows. */
    private static void inTransaction(Connection c, SqlWork work) throws SQLException {
        c.setAutoCommit(false);
        try {
            work.run();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            abort(c);
            throw e;
        } finally {
            autoCommitOn(c);
        }
    }

    /** Writes the history row of a file that ran outside a transaction, fenced in a transaction of its own. */
    private void record(Connection c, MigrationLock lock, MigrationFile file, SqlWork write) throws SQLException {
        inTransaction(c, () -> {
            resetSearchPath(c);
            lock.fence(c, "after running " + file.fileName() + ", before recording it; it is not recorded, so check"
                    + " it before running migrate again");
            write.run();
        });
    }

    /**
     * Puts the connection's search_path back to what it was when it connected: a file may empty it
     * ({@code set_config('search_path', '', false)}, the header of every pg_dump and {@code supabase
     * db dump}, whose closing {@code RESET ALL} is not always kept), which would leave botdb's own
     * tables unreachable for the history row and every later file, and the pooled connection
     * changed for the bot.
     */
    private void resetSearchPath(Connection c) throws SQLException {
        if (engine != Engine.POSTGRESQL) {
            return;
        }
        try (Statement st = c.createStatement()) {
            st.execute("RESET search_path");
        }
    }

    private static String beforeCommit(MigrationFile file) {
        return "before committing " + file.fileName() + ", so nothing of it was applied by this instance (rolled back)";
    }

    private void applyInTransaction(MigrationFile file, SqlScript script, long start, MigrationLock lock)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            inTransaction(c, () -> {
                lock.verify(c, "before " + file.fileName() + ", which it did not run");
                try {
                    runOneByOne(c, file, script);
                } catch (BotDbException failed) {
                    if (!lock.stillHeld()) { // woke up after a takeover: the other instance's work is in the way
                        BotDbException lost = lock.lostLease(beforeCommit(file));
                        lost.addSuppressed(failed);
                        throw lost;
                    }
                    throw failed;
                }
                resetSearchPath(c);
                lock.fence(c, beforeCommit(file));
                history.recordSuccess(c, file, System.nanoTime() - start);
            });
        }
    }

    /**
     * Sends all of a file's statements to PostgreSQL in one round trip (pgjdbc pipelines a batch
     * and syncs once), where psql waits for each statement, then records and commits. Returns
     * false, with everything rolled back, when the batch failed: the caller then runs the file
     * again statement by statement, which names the failing statement, line and SQLSTATE exactly
     * (or succeeds, if the failure was transient).
     */
    private boolean applyAsBatch(MigrationFile file, SqlScript script, long start, MigrationLock lock)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                lock.verify(c, "before " + file.fileName() + ", which it did not run");
            } catch (SQLException | RuntimeException e) {
                abort(c);
                autoCommitOn(c);
                throw e;
            }
            try (Statement st = c.createStatement()) {
                for (SqlScript.Statement s : script.statements()) {
                    st.addBatch(s.sql());
                }
                st.executeBatch();
                resetSearchPath(c);
                lock.fence(c, beforeCommit(file));
                history.recordSuccess(c, file, System.nanoTime() - start);
                c.commit();
                return true;
            } catch (SQLException e) {
                abort(c); // HikariCP may have closed the connection: the next attempt takes a fresh one
                return false;
            } catch (RuntimeException e) {
                abort(c); // a lost lease: roll back before autocommit would commit the batch
                throw e;
            } finally {
                autoCommitOn(c);
            }
        }
    }

    private void runOneByOne(Connection c, MigrationFile file, SqlScript script) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (SqlScript.Statement s : script.statements()) {
                Tolerances.Tolerable tolerable = engine == Engine.POSTGRESQL ? Tolerances.of(s.sql()) : null;
                Savepoint sp = tolerable == null ? null : c.setSavepoint();
                try {
                    st.execute(s.sql());
                    if (sp != null) {
                        c.releaseSavepoint(sp);
                    }
                } catch (SQLException e) {
                    if (sp != null) {
                        c.rollback(sp);
                        if (alreadyThere(c, file, s, tolerable, e)) {
                            continue;
                        }
                    }
                    throw failure(c, file, s, e, true);
                }
            }
        }
    }

    /**
     * A tolerable statement failed because its object was already in place (see {@link Tolerances}):
     * says so with file and line and lets the file go on.
     */
    private boolean alreadyThere(Connection c, MigrationFile file, SqlScript.Statement s, Tolerances.Tolerable tolerable,
                                 SQLException e) throws SQLException {
        if (!Tolerances.DUPLICATE_OBJECT.equals(e.getSQLState()) || !tolerable.exists(c)) {
            return false;
        }
        log.accept("[Migrations] " + file.fileName() + " line " + s.line() + ": " + tolerable.what()
                + " already exists (SQLSTATE 42710); passed over, as Alita's runner does");
        return true;
    }

    /**
     * A batch may not return rows, so files with queries (SELECT setval(...), INSERT ... RETURNING,
     * CALL) run statement by statement; SQLite has no round trips to save.
     */
    private boolean batchable(SqlScript script) {
        if (engine != Engine.POSTGRESQL || script.statements().size() < 2) {
            return false;
        }
        for (SqlScript.Statement s : script.statements()) {
            String head = s.sql().stripLeading().toUpperCase(Locale.ROOT);
            if (head.startsWith("SELECT") || head.startsWith("WITH") || head.startsWith("VALUES")
                    || head.startsWith("SHOW") || head.startsWith("TABLE") || head.startsWith("EXPLAIN")
                    || head.startsWith("FETCH") || head.startsWith("CALL") || head.startsWith("COPY")
                    || head.startsWith("(") || head.contains("RETURNING")) {
                return false;
            }
        }
        return true;
    }

    /**
     * Ends a failed transaction. HikariCP closes a connection after some errors (SQLSTATE 0A000,
     * 08xxx, 57P0x); closing it already ended the transaction, and the statement's own error must
     * not be replaced by "connection is closed".
     */
    private static void abort(Connection c) throws SQLException {
        if (!c.isClosed()) {
            c.rollback();
        }
    }

    private static void autoCommitOn(Connection c) throws SQLException {
        if (!c.isClosed()) {
            c.setAutoCommit(true);
        }
    }

    private boolean runsOutsideTransaction(SqlScript script) {
        return engine == Engine.POSTGRESQL && (script.declaredNoTransaction() || !script.nonTransactional().isEmpty())
                || engine == Engine.SQLITE && script.statements().stream()
                .anyMatch(s -> s.sql().toUpperCase(Locale.ROOT).startsWith("VACUUM"));
    }

    private BotDbException failure(Connection c, MigrationFile file, SqlScript.Statement s, SQLException e,
                                   boolean rolledBack) {
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
                + " It is recorded as failed; see botdb status.") + privilegeHint(c, e), e);
    }

    private static final java.util.regex.Pattern NO_CREATE =
            java.util.regex.Pattern.compile("permission denied for schema (.+)");

    /**
     * For "permission denied for schema X" (42501): the privilege the statement needs and the line
     * that grants it, for the role that ran it.
     */
    private String privilegeHint(Connection c, SQLException e) {
        java.util.regex.Matcher m = NO_CREATE.matcher(serverText(e));
        if (engine != Engine.POSTGRESQL || !"42501".equals(e.getSQLState()) || !m.matches()) {
            return "";
        }
        String role;
        try {
            role = c.getMetaData().getUserName();
        } catch (SQLException unknown) {
            return "";
        }
        String schema = dev.botdb.dialect.Dialect.POSTGRESQL.quote(m.group(1));
        return "\n  The role " + role + " lacks CREATE on schema " + m.group(1) + ", which this statement needs."
                + " Run migrations as the schema's owner (botdb provision creates an owner role), or as the owner:\n"
                + "    GRANT CREATE ON SCHEMA " + schema + " TO " + dev.botdb.dialect.Dialect.POSTGRESQL.quote(role) + ";";
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
