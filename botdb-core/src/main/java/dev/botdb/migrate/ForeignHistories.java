package dev.botdb.migrate;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.Engine;
import dev.botdb.dialect.Dialect;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Takes over the history of the tool a deployment used before botdb, so switching runs no
 * migration twice. Adoption happens once: on the first {@code migrate} whose
 * {@code schema_migrations} is missing, empty, or belongs to another tool.
 *
 * <table>
 *   <caption>What is read</caption>
 *   <tr><th>tool</th><th>table</th><th>matched to a file by</th></tr>
 *   <tr><td>sqlx</td><td>{@code _sqlx_migrations}</td><td>numeric prefix ({@code 001_users.sql} is 1)</td></tr>
 *   <tr><td>USN bot</td><td>{@code migration_history}</td><td>file stem ({@code 001_users})</td></tr>
 *   <tr><td>golang-migrate</td><td>{@code schema_migrations(version, dirty)}</td><td>every file up to the one recorded version</td></tr>
 *   <tr><td>dbmate</td><td>{@code schema_migrations(version)}</td><td>numeric prefix, as text</td></tr>
 *   <tr><td>Flyway</td><td>{@code flyway_schema_history} (Flyway 4: {@code schema_version})</td><td>script name, else version ({@code 1.2})</td></tr>
 * </table>
 *
 * <p>golang-migrate's and dbmate's tables have botdb's name, so they are renamed to
 * {@code schema_migrations_golang_migrate} / {@code schema_migrations_dbmate} (kept as a backup,
 * never dropped) and botdb's table takes their place; the other tools' tables stay, and sqlx's and
 * the USN bot's are kept in step from then on ({@link HistoryMirror}).
 * Renaming, creating botdb's table and writing its rows are one transaction.
 *
 * <p>Decisions:
 * <ul>
 *   <li>Rows keep the other tool's applied-at time (and duration where it has one); the checksum is
 *       botdb's checksum of the file on disk now, because the other tools' checksums (sqlx's
 *       SHA-384, Flyway's CRC32) are not botdb's. A sqlx checksum that differs from the file is
 *       logged, not refused.</li>
 *   <li>A history row with no file is recorded as applied under a file name, so {@code status}
 *       shows it as missing: the exact name where the tool stores one (USN's stem + {@code .sql},
 *       Flyway's script), otherwise a reconstruction (sqlx: {@code 1_create_users.sql} from version
 *       and description; dbmate: {@code 20240101120000.sql}). golang-migrate records no names, so a
 *       recorded version without a file is only logged.</li>
 *   <li>A failed row (sqlx or Flyway {@code success = false}, i.e. stopped part way outside a
 *       transaction) is not adopted as applied: it is recorded as failed, so {@code migrate} stops
 *       with botdb's own instructions ({@code botdb mark-applied} or {@code botdb repair}) instead of
 *       running a half-applied file again.</li>
 *   <li>A dirty golang-migrate table stops everything, with nothing changed.</li>
 *   <li>Flyway: files up to a {@code BASELINE} row's version count as applied, since Flyway never
 *       runs them; the baseline row itself is no migration. An undone or deleted version is not
 *       applied.</li>
 * </ul>
 */
final class ForeignHistories {
    private static final String TABLE = History.TABLE;
    private static final String SQLX = "_sqlx_migrations";
    private static final String USN = "migration_history";
    private static final List<String> FLYWAY = List.of("flyway_schema_history", "schema_version");
    private static final String GOLANG_BACKUP = "schema_migrations_golang_migrate";
    private static final String DBMATE_BACKUP = "schema_migrations_dbmate";

    private static final Set<String> SQLX_COLUMNS =
            Set.of("version", "description", "installed_on", "success", "checksum", "execution_time");
    private static final Set<String> USN_COLUMNS = Set.of("id", "version", "applied_at");
    private static final Set<String> FLYWAY_COLUMNS = Set.of("installed_rank", "version", "description", "type",
            "script", "checksum", "installed_by", "installed_on", "execution_time", "success");

    /** What adoption writes into {@code schema_migrations} for one version. */
    private record Entry(String version, Object appliedAt, String checksum, Long durationMs, boolean success,
                         String error) {
    }

    /** One tool's history, read and matched to the files; {@code backup} is set when its table must move. */
    private record Found(String tool, String table, String backup, List<Entry> entries, List<String> notes) {
        String what() {
            return tool + " (" + table + (backup == null ? "" : ", kept as " + backup) + ")";
        }
    }

    private ForeignHistories() {
    }

    /**
     * Adopts every other tool's history found, when botdb's {@code schema_migrations} has no rows
     * yet; call it with the migration lock held, before {@link History#ensure}. Commits on its own.
     *
     * @return the lines logged, one per adopted tool; empty when there was nothing to adopt
     * @throws BotDbException {@link ErrorCode#MIGRATION_DRIFT} for a dirty golang-migrate table
     */
    static List<String> adoptIfNeeded(Connection c, Engine engine, List<MigrationFile> files, History history,
                                      Consumer<String> log) throws SQLException {
        List<Found> found = find(c, engine, files);
        if (found.isEmpty()) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            for (Found f : found) {
                if (f.backup() != null) {
                    rename(c, engine, f.backup());
                }
            }
            history.ensure(c);
            for (Found f : found) {
                int adopted = 0;
                for (Entry e : f.entries()) {
                    if (insert(c, engine, e) && e.success()) {
                        adopted++;
                    }
                }
                f.notes().forEach(n -> lines.add("[Migrations] " + n));
                lines.add("[Migrations] Adopted " + migrations(adopted) + " from " + f.what()
                        + "; nothing will be re-run");
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
        lines.forEach(log);
        return lines.stream().filter(l -> l.startsWith("[Migrations] Adopted ")).toList();
    }

    /**
     * What is applied, for {@code status} and {@code plan}, without writing anything: botdb's rows,
     * or, when adoption is still to come, the rows it would write (and a "would adopt" line to {@code log}).
     */
    static Map<String, History.Row> recorded(Connection c, Engine engine, List<MigrationFile> files, History history,
                                             Consumer<String> log) throws SQLException {
        List<Found> found = find(c, engine, files);
        if (found.isEmpty()) {
            return history.columns(c).isEmpty() ? Map.of() : history.read(c);
        }
        Map<String, History.Row> rows = new LinkedHashMap<>();
        for (Found f : found) {
            for (Entry e : f.entries()) {
                rows.putIfAbsent(e.version(), new History.Row(e.version(), timestamp(e.appliedAt()), e.checksum(),
                        e.durationMs(), e.success(), e.error()));
            }
            log.accept("[Migrations] Would adopt " + migrations(f.entries().stream().filter(Entry::success).count())
                    + " from " + f.what() + " on the next migrate");
        }
        return rows;
    }

    /** Every other tool's history, matched to the files; empty when botdb's own table already has rows. */
    private static List<Found> find(Connection c, Engine engine, List<MigrationFile> files) throws SQLException {
        Map<String, Set<String>> tables = tables(c, engine);
        Set<String> own = tables.getOrDefault(TABLE, Set.of());
        boolean ownShape = own.contains("executed_at"); // botdb's or Alita's
        if (ownShape && hasRows(c)) {
            return List.of();
        }
        List<Found> found = new ArrayList<>();
        if (!own.isEmpty() && !ownShape) {
            if (own.contains("version") && own.contains("dirty")) {
                requireFree(tables, GOLANG_BACKUP, "golang-migrate");
                found.add(golangMigrate(c, files));
            } else if (own.equals(Set.of("version"))) {
                requireFree(tables, DBMATE_BACKUP, "dbmate");
                found.add(dbmate(c, files));
            }
            // any other shape is left to History.ensure, as before adoption existed
        }
        if (tables.getOrDefault(SQLX, Set.of()).containsAll(SQLX_COLUMNS)) {
            found.add(sqlx(c, engine, files));
        }
        if (tables.getOrDefault(USN, Set.of()).containsAll(USN_COLUMNS)) {
            found.add(usn(c, engine, files));
        }
        for (String table : FLYWAY) {
            if (tables.getOrDefault(table, Set.of()).containsAll(FLYWAY_COLUMNS)) {
                found.add(flyway(c, engine, files, table));
            }
        }
        return found;
    }


    private static Found sqlx(Connection c, Engine engine, List<MigrationFile> files) throws SQLException {
        List<Entry> entries = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT version, description, installed_on, success, checksum, execution_time
                     FROM _sqlx_migrations
                     ORDER BY version
                     """)) {
            while (rs.next()) {
                long version = rs.getLong(1);
                String description = rs.getString(2);
                Object at = appliedAt(rs, 3, engine);
                boolean success = rs.getBoolean(4);
                byte[] checksum = rs.getBytes(5);
                long nanos = rs.getLong(6);
                Long ms = nanos < 0 ? null : nanos / 1_000_000; // sqlx writes -1 until the time is known
                MigrationFile file = byOrder(files, List.of(BigInteger.valueOf(version)));
                String name = file != null ? file.fileName()
                        : version + "_" + String.valueOf(description).replace(' ', '_') + ".sql";
                if (!success) {
                    failed(entries, notes, "sqlx", SQLX, file, name, at);
                    continue;
                }
                if (file == null) {
                    notes.add(missing("sqlx", SQLX, "version " + version + " (" + description + ")", name));
                    entries.add(new Entry(name, at, null, ms, true, null));
                    continue;
                }
                if (checksum != null && checksum.length == 48 && !HexFormat.of().formatHex(checksum)
                        .equals(sha384(file.sql()))) {
                    notes.add(file.fileName() + " differs from the file sqlx applied (its SHA-384 in " + SQLX
                            + "); adopted as applied, with the file as it is now");
                }
                entries.add(new Entry(file.version(), at, file.checksum(), ms, true, null));
            }
        }
        return new Found("sqlx", SQLX, null, entries, notes);
    }

    private static Found usn(Connection c, Engine engine, List<MigrationFile> files) throws SQLException {
        List<Entry> entries = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT version, applied_at
                     FROM migration_history
                     ORDER BY id
                     """)) {
            while (rs.next()) {
                String stem = rs.getString(1);
                Object at = appliedAt(rs, 2, engine);
                MigrationFile file = byStem(files, stem);
                if (file == null) {
                    String name = stem.toLowerCase(Locale.ROOT).endsWith(".sql") ? stem : stem + ".sql";
                    notes.add(missing("the USN bot", USN, "version " + stem, name));
                    entries.add(new Entry(name, at, null, null, true, null));
                } else {
                    entries.add(new Entry(file.version(), at, file.checksum(), null, true, null));
                }
            }
        }
        return new Found("the USN bot", USN, null, entries, notes);
    }

    private static Found golangMigrate(Connection c, List<MigrationFile> files) throws SQLException {
        List<Entry> entries = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT version, dirty
                     FROM schema_migrations
                     ORDER BY version DESC
                     """)) {
            if (!rs.next()) {
                return new Found("golang-migrate", TABLE, GOLANG_BACKUP, entries, notes);
            }
            List<BigInteger> version = List.of(BigInteger.valueOf(rs.getLong(1)));
            if (rs.getBoolean(2)) {
                throw dirty(files, version);
            }
            for (MigrationFile f : files) {
                if (compare(f.order(), version) <= 0) {
                    entries.add(new Entry(f.version(), null, f.checksum(), null, true, null));
                }
            }
            if (byOrder(files, version) == null) {
                notes.add("golang-migrate is at version " + version.get(0) + ", but no file has that version;"
                        + " adopted the " + entries.size() + " files below it");
            }
        }
        return new Found("golang-migrate", TABLE, GOLANG_BACKUP, entries, notes);
    }

    private static BotDbException dirty(List<MigrationFile> files, List<BigInteger> version) {
        MigrationFile file = byOrder(files, version);
        MigrationFile before = null;
        for (MigrationFile f : files) {
            if (compare(f.order(), version) < 0) {
                before = f;
            }
        }
        String v = version.get(0).toString();
        String undone = before == null
                ? "DELETE FROM schema_migrations;  (nothing before it was applied)"
                : "UPDATE schema_migrations SET version = " + MigrationFiles.versionText(before.order())
                  + ", dirty = false;  (" + before.fileName() + " is the last one applied)";
        return new BotDbException(ErrorCode.MIGRATION_DRIFT, "golang-migrate's schema_migrations is dirty at version "
                + v + (file == null ? "" : " (" + file.fileName() + ")") + ": that migration failed part way, and"
                + " botdb will not guess which of its statements ran. Nothing was changed.\n"
                + "  Finish or undo version " + v + " by hand, then record the outcome in schema_migrations"
                + " (what 'migrate force' does):\n"
                + "    finished: UPDATE schema_migrations SET dirty = false;\n"
                + "    undone:   " + undone + "\n"
                + "  and run botdb migrate again: it adopts every file up to that version and runs the rest."
                + " After that, single files are marked with 'botdb mark-applied FILE'.");
    }

    private static Found dbmate(Connection c, List<MigrationFile> files) throws SQLException {
        List<Entry> entries = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT version
                     FROM schema_migrations
                     ORDER BY version
                     """)) {
            while (rs.next()) {
                String version = rs.getString(1);
                List<BigInteger> order = numeric(version);
                MigrationFile file = order == null ? byStem(files, version) : byOrder(files, order);
                if (file == null) {
                    notes.add(missing("dbmate", TABLE, "version " + version, version + ".sql"));
                    entries.add(new Entry(version + ".sql", null, null, null, true, null));
                } else {
                    entries.add(new Entry(file.version(), null, file.checksum(), null, true, null));
                }
            }
        }
        return new Found("dbmate", TABLE, DBMATE_BACKUP, entries, notes);
    }

    private static Found flyway(Connection c, Engine engine, List<MigrationFile> files, String table)
            throws SQLException {
        Map<String, Entry> byVersion = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        List<BigInteger> baseline = null;
        Object baselineAt = null;
        // the table name is one of two constants
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT version, description, type, script, installed_on, execution_time, success
                     FROM %s
                     ORDER BY installed_rank
                     """.formatted(table))) {
            while (rs.next()) {
                String version = rs.getString(1);
                String type = String.valueOf(rs.getString(3)).toUpperCase(Locale.ROOT);
                String script = rs.getString(4);
                Object at = appliedAt(rs, 5, engine);
                long ms = rs.getLong(6);
                boolean success = rs.getBoolean(7);
                List<BigInteger> order = version == null ? null : numeric(version);
                if (type.equals("BASELINE")) {
                    if (order != null && (baseline == null || compare(order, baseline) > 0)) {
                        baseline = order;
                        baselineAt = at;
                    }
                    continue;
                }
                MigrationFile file = byScript(files, script);
                if (file == null && order != null) {
                    file = byOrder(files, order);
                }
                String key = order == null ? version : key(order);
                if (type.startsWith("UNDO_") || type.equals("DELETE")) {
                    if (success && key != null) {
                        byVersion.remove(key);
                    }
                    continue;
                }
                if (!type.equals("SQL") && !type.equals("JDBC")) {
                    continue; // SCHEMA (Flyway created the schema) and other bookkeeping rows
                }
                if (version == null) {
                    notes.add("Flyway repeatable migration " + script + " is not adopted: botdb runs versioned files only");
                    continue;
                }
                String name = file != null ? file.version() : baseName(script);
                if (!success) {
                    List<Entry> failed = new ArrayList<>();
                    failed(failed, notes, "Flyway", table, file, name, at);
                    failed.forEach(e -> byVersion.put(key, e));
                } else if (file == null) {
                    notes.add(missing("Flyway", table, script, name));
                    byVersion.put(key, new Entry(name, at, null, ms, true, null));
                } else {
                    byVersion.put(key, new Entry(name, at, file.checksum(), ms, true, null));
                }
            }
        }
        if (baseline != null) {
            int below = 0;
            for (MigrationFile f : files) {
                if (compare(f.order(), baseline) <= 0 && !byVersion.containsKey(key(f.order()))) {
                    byVersion.put(key(f.order()), new Entry(f.version(), baselineAt, f.checksum(), null, true, null));
                    below++;
                }
            }
            notes.add("Flyway was baselined at version " + MigrationFiles.versionText(baseline) + ": " + below
                    + " files up to it count as applied, as Flyway never runs them");
        }
        return new Found("Flyway", table, null, List.copyOf(byVersion.values()), notes);
    }

    private static void failed(List<Entry> entries, List<String> notes, String tool, String table, MigrationFile file,
                               String name, Object at) {
        if (file == null) {
            notes.add(tool + " recorded " + name + " as failed (success = false in " + table + "), and it has no"
                    + " file; not adopted");
            return;
        }
        notes.add(tool + " recorded " + file.fileName() + " as failed (success = false in " + table + "): not adopted;"
                + " recorded as failed, so migrate stops until it is finished or undone by hand");
        entries.add(new Entry(file.version(), at, file.checksum(), null, false,
                "failed under " + tool + " (success = false in " + table + "), possibly part way"));
    }

    private static String migrations(long n) {
        return n + (n == 1 ? " applied migration" : " applied migrations");
    }

    private static String missing(String tool, String table, String what, String name) {
        return tool + " " + what + " in " + table + " has no file; recorded as missing (" + name + ")";
    }


    private static MigrationFile byOrder(List<MigrationFile> files, List<BigInteger> order) {
        for (MigrationFile f : files) {
            if (compare(f.order(), order) == 0) {
                return f;
            }
        }
        return null;
    }

    private static MigrationFile byStem(List<MigrationFile> files, String stem) {
        for (MigrationFile f : files) {
            if (stemOf(f.version()).equals(stem) || stemOf(f.fileName()).equals(stem) || f.version().equals(stem)) {
                return f;
            }
        }
        return null;
    }

    private static MigrationFile byScript(List<MigrationFile> files, String script) {
        if (script == null) {
            return null;
        }
        String name = baseName(script);
        for (MigrationFile f : files) {
            if (f.fileName().equals(name) || f.version().equals(name)) {
                return f;
            }
        }
        return null;
    }

    private static String baseName(String path) {
        return path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
    }

    private static String stemOf(String fileName) {
        return fileName.toLowerCase(Locale.ROOT).endsWith(".sql") ? fileName.substring(0, fileName.length() - 4) : fileName;
    }

    /** "20240101120000" is [20240101120000], Flyway's "1.2" is [1, 2]; null when not a number. */
    private static List<BigInteger> numeric(String version) {
        if (!version.matches("[0-9]+([._][0-9]+)*")) {
            return null;
        }
        List<BigInteger> parts = new ArrayList<>();
        for (String p : version.split("[._]")) {
            parts.add(new BigInteger(p));
        }
        return parts;
    }

    /** Flyway's version key: 1, 1.0 and 1_0 are all "1". */
    private static String key(List<BigInteger> order) {
        int n = order.size();
        while (n > 1 && order.get(n - 1).signum() == 0) {
            n--;
        }
        return MigrationFiles.versionText(order.subList(0, n));
    }

    /** Numeric order where trailing zero parts do not count, as in Flyway: 1, 1.0 and 1.0.0 are one version. */
    private static int compare(List<BigInteger> a, List<BigInteger> b) {
        int n = Math.max(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            BigInteger x = i < a.size() ? a.get(i) : BigInteger.ZERO;
            BigInteger y = i < b.size() ? b.get(i) : BigInteger.ZERO;
            int c = x.compareTo(y);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static String sha384(String sql) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-384").digest(sql.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-384", e);
        }
    }


    /** Column names of the tables adoption cares about, in the current schema. */
    private static Map<String, Set<String>> tables(Connection c, Engine engine) throws SQLException {
        List<String> names = new ArrayList<>(List.of(TABLE, SQLX, USN, GOLANG_BACKUP, DBMATE_BACKUP));
        names.addAll(FLYWAY);
        String sql;
        if (engine == Engine.SQLITE) {
            List<String> parts = new ArrayList<>();
            for (String name : names) {
                parts.add("SELECT '" + name + "', name FROM pragma_table_info('" + name + "')");
            }
            sql = String.join("\nUNION ALL\n", parts);
        } else {
            sql = """
                    SELECT table_name, column_name
                    FROM information_schema.columns
                    WHERE table_schema = current_schema()
                      AND table_name IN (%s)
                    """.formatted(String.join(", ", names.stream().map(n -> "'" + n + "'").toList()));
        }
        Map<String, Set<String>> tables = new TreeMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                tables.computeIfAbsent(rs.getString(1), k -> new HashSet<>())
                        .add(rs.getString(2).toLowerCase(Locale.ROOT));
            }
        }
        return tables;
    }

    private static boolean hasRows(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT 1
                     FROM schema_migrations
                     LIMIT 1
                     """)) {
            return rs.next();
        }
    }

    private static void requireFree(Map<String, Set<String>> tables, String backup, String tool) {
        if (tables.containsKey(backup)) {
            throw new BotDbException(ErrorCode.MIGRATION_DRIFT, "schema_migrations is " + tool + "'s history, but its"
                    + " backup name " + backup + " is taken by an older copy. Rename or drop " + backup
                    + " (after checking it is not needed), then run migrate again.");
        }
    }

    /** Moves the other tool's schema_migrations aside; PostgreSQL index names move too, since botdb's table needs them. */
    private static void rename(Connection c, Engine engine, String backup) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("ALTER TABLE " + TABLE + " RENAME TO " + backup);
            if (engine == Engine.SQLITE) {
                return; // SQLite renames a table's automatic indexes with it
            }
            List<String> indexes = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("""
                    SELECT indexname
                    FROM pg_indexes
                    WHERE schemaname = current_schema()
                      AND tablename = '%s'
                    """.formatted(backup))) {
                while (rs.next()) {
                    indexes.add(rs.getString(1));
                }
            }
            for (String index : indexes) {
                if (index.startsWith(TABLE) && !index.startsWith(backup)) {
                    // renaming a constraint's index renames the constraint too
                    st.execute("ALTER INDEX " + Dialect.POSTGRESQL.quote(index) + " RENAME TO "
                            + Dialect.POSTGRESQL.quote(backup + index.substring(TABLE.length())));
                }
            }
        }
    }


    /** Inserts one adopted row; false when the version is already there (two tools knew the same file). */
    private static boolean insert(Connection c, Engine engine, Entry e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO schema_migrations (version, executed_at, checksum, duration_ms, success, error)
                VALUES (?, COALESCE(?, CURRENT_TIMESTAMP), ?, ?, ?, ?)
                ON CONFLICT (version) DO NOTHING
                """)) {
            ps.setString(1, e.version());
            if (e.appliedAt() == null) {
                ps.setNull(2, engine == Engine.SQLITE ? Types.VARCHAR : Types.TIMESTAMP);
            } else if (e.appliedAt() instanceof Timestamp t) {
                ps.setTimestamp(2, t);
            } else {
                ps.setString(2, e.appliedAt().toString());
            }
            ps.setString(3, e.checksum());
            if (e.durationMs() == null) {
                ps.setNull(4, Types.BIGINT);
            } else {
                ps.setLong(4, e.durationMs());
            }
            ps.setBoolean(5, e.success());
            ps.setString(6, e.error());
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * The other tool's applied-at time as the driver gives it back: a Timestamp from PostgreSQL,
     * SQLite's own text (kept as text, the form CURRENT_TIMESTAMP has in botdb's rows).
     */
    private static Object appliedAt(ResultSet rs, int column, Engine engine) throws SQLException {
        return engine == Engine.SQLITE ? rs.getString(column) : rs.getTimestamp(column);
    }

    private static Timestamp timestamp(Object appliedAt) {
        if (appliedAt instanceof Timestamp t) {
            return t;
        }
        try {
            return appliedAt == null ? null : Timestamp.valueOf(appliedAt.toString());
        } catch (IllegalArgumentException notSqlText) {
            return null;
        }
    }
}
