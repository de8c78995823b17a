package dev.botdb.transfer;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code botdb transfer}: a SQLite database's rows into PostgreSQL, in one transaction on one connection.
 * <ol>
 *   <li>The source is checked and opened read-only in one read transaction; with {@code --create-schema}
 *       the missing tables are created (same transaction).</li>
 *   <li>Source tables and columns are matched to the target's by name (case-insensitive); anything without a
 *       place, any NOT NULL target column nobody fills, any type botdb cannot write is a problem, and problems
 *       stop the transfer before a row is sent.</li>
 *   <li>With {@code --truncate} the tables are emptied; the foreign keys on them are dropped, each table is
 *       copied ({@link TableLoad}), and the keys are added back, which checks every row once, whatever order
 *       or cycles the tables have.</li>
 *   <li>Identity and serial sequences are set past the loaded keys (and past SQLite's AUTOINCREMENT counter),
 *       the tables analyzed, and each is read back and hashed: only when every table matches what was sent
 *       is the transaction committed. Any failure rolls it back: the target is as it was.</li>
 * </ol>
 */
public final class Transfer {
    /** Progress of the table being copied. */
    public interface Listener {
        void progress(String table, long done, long total);
    }

    /**
     * Takes the backup of target tables that --truncate is about to empty (their schema-qualified names) and
     * returns its file; called inside the transfer, after the plan passed and before anything is written.
     */
    public interface SafetyBackup {
        Path before(List<String> tables);
    }

    private final Connection pg;
    private final TransferRequest request;
    private final Consumer<String> log;

    private Transfer(Connection pg, TransferRequest request, Consumer<String> log) {
        this.pg = pg;
        this.request = request;
        this.log = log;
    }

    /** The plan, worked out in a transaction that is rolled back: nothing on the target changes. */
    public static TransferPlan plan(Connection pg, TransferRequest request) {
        try (SqliteSource source = SqliteSource.open(request.source())) {
            Transfer t = new Transfer(pg, request, s -> { });
            return t.inTransaction(() -> t.new Prepared(source).plan(), false);
        }
    }

    /**
     * Runs the transfer on {@code pg} (a connection of its own: it is left in auto-commit when done). Throws a
     * {@link BotDbException} and leaves the target as it was when anything fails.
     */
    public static TransferResult run(Connection pg, TransferRequest request, SafetyBackup safety,
                                     Consumer<String> log, Listener listener) {
        long start = System.nanoTime();
        try (SqliteSource source = SqliteSource.openChecking(request.source());
             Rejects rejects = request.skipBadRows() ? new Rejects(request.rejects().orElseThrow()) : null) {
            Transfer t = new Transfer(pg, request, log);
            try {
                return t.inTransaction(() -> {
                    Prepared p = t.new Prepared(source);
                    p.refuseProblems(request.truncate());
                    Optional<Path> safetyBackup = Optional.empty();
                    if (!p.withRows.isEmpty()) {
                        log.accept("Taking a safety backup of " + String.join(", ", p.withRows) + " before emptying "
                                + (p.withRows.size() == 1 ? "it" : "them"));
                        safetyBackup = Optional.of(safety.before(p.withRows.stream()
                                .map(n -> p.tables.schema() + "." + n).toList()));
                    }
                    TransferResult r = t.load(source, p, rejects, listener, safetyBackup, start);
                    source.requireIntact(null); // quick_check ran alongside: its verdict before the commit
                    return r;
                }, true);
            } catch (RuntimeException e) {
                source.requireIntact(e);
                throw e;
            }
        }
    }

    private interface Work<T> {
        T run() throws SQLException;
    }

    private <T> T inTransaction(Work<T> work, boolean commit) {
        boolean done = false;
        try {
            pg.setAutoCommit(false);
            try (Statement s = pg.createStatement()) {
                s.execute("SET LOCAL lock_timeout = '30s'");
                s.execute("SET LOCAL statement_timeout = 0");
            }
            T result = work.run();
            if (commit) {
                pg.commit();
                done = true;
            }
            return result;
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            String fix = switch (state) {
                case "55P03" -> " Another session (the bot?) holds a lock on the target's tables for longer than 30 s:"
                        + " stop it for the transfer, or run again when it is idle.";
                case "42501" -> " The role lacks a privilege on the target's tables: transfer as their owner (the role"
                        + " that ran the migrations).";
                default -> " Run it again; if the same error returns, --verbose shows its cause.";
            };
            throw new BotDbException(ErrorCode.TRANSFER_FAILED, "The transfer failed on the target: " + e.getMessage()
                    + ". Nothing was committed: the target is as it was." + fix, e);
        } finally {
            try {
                if (!done) {
                    pg.rollback();
                }
                pg.setAutoCommit(true);
            } catch (SQLException ignored) {
                // a lost connection: the server rolls the transaction back itself
            }
        }
    }

    /** The source read, the schema created if asked, and everything mapped. */
    private final class Prepared {
        final List<SqliteSource.Table> order;
        final Map<String, TargetTables.Table> targets = new LinkedHashMap<>();
        final Map<String, List<TableLoad.Mapped>> mapped = new LinkedHashMap<>();
        final Map<String, Long> counts = new HashMap<>();
        final TargetTables tables;
        final List<String> problems = new ArrayList<>();
        final List<String> withRows = new ArrayList<>();
        final List<String> created;
        final List<String> notes = new ArrayList<>();
        final Map<String, List<String>> defaulted = new HashMap<>();
        final String journalMode;

        Prepared(SqliteSource source) throws SQLException {
            List<SqliteSource.Table> all = source.tables();
            this.journalMode = source.journalMode();
            this.order = loadOrder(all);
            if (all.isEmpty()) {
                problems.add(source.file() + " holds no tables to transfer.");
            }
            if (request.createSchema()) {
                SchemaCreator creator = new SchemaCreator(all, TargetTables.read(pg));
                List<String> ran = new ArrayList<>();
                try (Statement s = pg.createStatement()) {
                    for (SchemaCreator.Statement ddl : creator.statements()) {
                        if (!ddl.optional()) {
                            s.execute(ddl.sql());
                            ran.add(ddl.sql());
                            continue;
                        }
                        s.execute("SAVEPOINT botdb_ddl");
                        try {
                            s.execute(ddl.sql());
                            ran.add(ddl.sql());
                        } catch (SQLException e) {
                            s.execute("ROLLBACK TO SAVEPOINT botdb_ddl");
                            creator.note("The " + ddl.what() + " cannot be made on PostgreSQL as SQLite has it ("
                                    + e.getMessage().lines().findFirst().orElse("") + "); it was left out. Adapt it and"
                                    + " run it by hand: " + ddl.sql() + ";");
                        }
                        s.execute("RELEASE SAVEPOINT botdb_ddl");
                    }
                }
                created = List.copyOf(ran);
                notes.addAll(creator.notes());
            } else {
                created = List.of();
            }
            tables = TargetTables.read(pg);
            for (SqliteSource.Table t : order) {
                counts.put(t.name(), source.count(t));
                map(t);
            }
        }

        private void map(SqliteSource.Table t) throws SQLException {
            TargetTables.Table target = tables.find(t.name());
            if (target == null) {
                problems.add("Table " + t.name() + " is not on the target (schema " + tables.schema() + "): create it"
                        + " with your migrations (botdb migrate), or run with --create-schema to create it from"
                        + " SQLite's schema.");
                return;
            }
            targets.put(t.name(), target);
            List<TableLoad.Mapped> columns = new ArrayList<>();
            Set<String> filled = new LinkedHashSet<>();
            for (SqliteSource.Column c : t.columns()) {
                TargetTables.Column tc = TargetTables.column(target, c.name());
                if (tc == null) {
                    problems.add("Column " + t.name() + "." + c.name() + " (" + (c.declaredType().isEmpty() ? "no type"
                            : c.declaredType()) + ") has no column on the target: add it (ALTER TABLE "
                            + target.sql() + " ADD COLUMN " + TargetTables.quote(c.name().toLowerCase(Locale.ROOT))
                            + " ...), or drop it in SQLite if it is not needed.");
                    continue;
                }
                if (tc.generatedStored()) {
                    notes.add(target.name() + "." + tc.name() + " is a generated column on the target: computed"
                            + " there, SQLite's values are not copied.");
                    filled.add(tc.name());
                    continue;
                }
                Conversion conversion = Conversion.to(tc, request.numericDates());
                if (conversion == null) {
                    problems.add("Column " + target.name() + "." + tc.name() + " is of type " + tc.displayType()
                            + ", which botdb transfer cannot write; change it to text (or another type in the README's"
                            + " table) for the transfer, and back afterwards.");
                    continue;
                }
                if (!filled.add(tc.name())) {
                    problems.add("Columns of " + t.name() + " differing only in case both map to " + tc.name()
                            + ": rename one in SQLite.");
                    continue;
                }
                columns.add(new TableLoad.Mapped(c, tc, conversion));
            }
            List<String> defaults = new ArrayList<>();
            for (TargetTables.Column tc : target.columns()) {
                if (filled.contains(tc.name())) {
                    continue;
                }
                if (tc.notNull() && !tc.hasDefault()) {
                    problems.add("Column " + target.name() + "." + tc.name() + " is NOT NULL without a default and"
                            + " SQLite's " + t.name() + " has no such column to fill it: give it a default (ALTER TABLE "
                            + target.sql() + " ALTER COLUMN " + TargetTables.quote(tc.name()) + " SET DEFAULT ...),"
                            + " or add the column to SQLite.");
                } else {
                    defaults.add(tc.name());
                }
            }
            defaulted.put(t.name(), defaults);
            mapped.put(t.name(), columns);
            try (Statement s = pg.createStatement();
                 ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM " + target.sql() + ")")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    withRows.add(target.name());
                }
            }
        }

        TransferPlan plan() {
            List<TransferPlan.TablePlan> plans = new ArrayList<>();
            for (SqliteSource.Table t : order) {
                TargetTables.Table target = targets.get(t.name());
                List<TransferPlan.ColumnPlan> columns = mapped.getOrDefault(t.name(), List.of()).stream()
                        .map(m -> new TransferPlan.ColumnPlan(m.source().name(), m.source().declaredType(),
                                m.target().name(), m.target().displayType())).toList();
                plans.add(new TransferPlan.TablePlan(t.name(), target == null ? null : target.name(),
                        counts.getOrDefault(t.name(), 0L), columns, defaulted.getOrDefault(t.name(), List.of()),
                        t.withoutRowid()));
            }
            return new TransferPlan(request.source().toString(), tables.schema(), List.copyOf(plans),
                    List.copyOf(problems), List.copyOf(withRows), created, List.copyOf(notes), journalMode);
        }

        void refuseProblems(boolean truncate) {
            if (!problems.isEmpty()) {
                throw new BotDbException(ErrorCode.TRANSFER_REFUSED, "botdb transfer cannot start; nothing was written."
                        + " Fix these first (botdb transfer --dry-run shows the whole plan):\n  - "
                        + String.join("\n  - ", problems));
            }
            if (!withRows.isEmpty() && !truncate) {
                throw new BotDbException(ErrorCode.TRANSFER_REFUSED, "The target's " + String.join(", ", withRows)
                        + (withRows.size() == 1 ? " already holds" : " already hold") + " rows, and copying into them"
                        + " would mix two databases (and meet \"duplicate key value\"). Nothing was written. Run again"
                        + " with --truncate to replace them (a safety backup of them is taken first), or point --to at"
                        + " an empty database.");
            }
        }
    }

    /** Referenced tables before the tables that reference them; tables in a cycle in name order at the end. */
    static List<SqliteSource.Table> loadOrder(List<SqliteSource.Table> tables) {
        Map<String, SqliteSource.Table> byName = new LinkedHashMap<>();
        tables.forEach(t -> byName.put(t.name().toLowerCase(Locale.ROOT), t));
        List<SqliteSource.Table> order = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        boolean progress = true;
        while (progress) {
            progress = false;
            for (SqliteSource.Table t : tables) {
                String key = t.name().toLowerCase(Locale.ROOT);
                if (placed.contains(key)) {
                    continue;
                }
                boolean ready = t.foreignKeys().stream().map(k -> k.refTable().toLowerCase(Locale.ROOT))
                        .allMatch(r -> r.equals(key) || placed.contains(r) || !byName.containsKey(r));
                if (ready) {
                    order.add(t);
                    placed.add(key);
                    progress = true;
                }
            }
        }
        tables.stream().filter(t -> !placed.contains(t.name().toLowerCase(Locale.ROOT))).forEach(order::add);
        return order;
    }

    private TransferResult load(SqliteSource source, Prepared p, Rejects rejects, Listener listener,
                                Optional<Path> safetyBackup, long start) throws SQLException {
        log.accept(String.format(Locale.ROOT, "Checked the source and planned in %.1f s", (System.nanoTime() - start) / 1e9));
        List<String> loadedTargets = p.targets.values().stream().map(TargetTables.Table::sql).toList();
        try (Statement s = pg.createStatement()) {
            if (!p.withRows.isEmpty()) {
                s.execute("TRUNCATE " + String.join(", ", loadedTargets));
                log.accept("Emptied " + String.join(", ", p.withRows) + " (in this transaction)");
            }
        }
        Set<String> names = new LinkedHashSet<>();
        p.targets.values().forEach(t -> names.add(t.name()));
        List<TargetTables.ForeignKey> keys = p.tables.foreignKeysOf(names);
        List<TargetTables.Index> indexes = TargetTables.indexesOf(pg, p.tables.schema(), names);
        try (Statement s = pg.createStatement()) {
            for (TargetTables.ForeignKey k : keys) {
                s.execute("ALTER TABLE " + qualified(p, k.table()) + " DROP CONSTRAINT " + TargetTables.quote(k.name()));
            }
            for (TargetTables.Index i : indexes) {
                s.execute(i.constraint() != null
                        ? "ALTER TABLE " + qualified(p, i.table()) + " DROP CONSTRAINT " + TargetTables.quote(i.constraint())
                        : "DROP INDEX " + TargetTables.quote(p.tables.schema()) + "." + TargetTables.quote(i.name()));
            }
        }
        List<TransferResult.TableResult> results = new ArrayList<>();
        List<TableLoad> loads = new ArrayList<>();
        for (SqliteSource.Table t : p.order) {
            TargetTables.Table target = p.targets.get(t.name());
            long total = p.counts.get(t.name());
            TableLoad load = new TableLoad(source, t, target, p.mapped.get(t.name()), rejects);
            long tableStart = System.nanoTime();
            load.run(pg, done -> listener.progress(t.name(), done, total));
            loads.add(load);
            log.accept(String.format(Locale.ROOT, "%s -> %s: %s%s in %.1f s", t.name(), target.name(),
                    dev.botdb.text.Human.plural(load.written(), "row", "rows"), load.rejected() > 0 ? " (" + load.rejected() + " left out, see the rejects file)" : "",
                    (System.nanoTime() - tableStart) / 1e9));
        }
        long phase = System.nanoTime();
        String sortMemory = buildIndexes(p, indexes);
        addForeignKeysBack(p, keys);
        log.accept(String.format(Locale.ROOT, "Built %s (maintenance_work_mem %s) and checked %s in %.1f s",
                dev.botdb.text.Human.plural(indexes.size(), "index", "indexes"), sortMemory,
                dev.botdb.text.Human.plural(keys.size(), "foreign key", "foreign keys"), (System.nanoTime() - phase) / 1e9));
        phase = System.nanoTime();
        List<String> sequences = setSequences(p);
        try (Statement s = pg.createStatement()) {
            for (TargetTables.Table t : p.targets.values()) {
                s.execute("ANALYZE " + t.sql());
            }
        }
        log.accept(String.format(Locale.ROOT, "Set %s and analyzed %s in %.1f s",
                dev.botdb.text.Human.plural(sequences.size(), "sequence", "sequences"),
                dev.botdb.text.Human.plural(p.targets.size(), "table", "tables"), (System.nanoTime() - phase) / 1e9));
        phase = System.nanoTime();
        List<String> mismatched = new ArrayList<>();
        for (int i = 0; i < loads.size(); i++) {
            TableLoad load = loads.get(i);
            SqliteSource.Table t = p.order.get(i);
            RowCheck back = load.readBack(pg);
            TransferResult.TableResult r = new TransferResult.TableResult(t.name(), p.targets.get(t.name()).name(),
                    load.read(), load.written(), load.rejected(), load.sent().hex(), back.hex());
            results.add(r);
            if (!r.matches()) {
                mismatched.add(t.name() + " (sent " + r.sourceHash() + ", stored " + r.targetHash() + ")");
            }
        }
        log.accept(String.format(Locale.ROOT, "Read every table back and compared it in %.1f s",
                (System.nanoTime() - phase) / 1e9));
        if (!mismatched.isEmpty()) {
            throw new BotDbException(ErrorCode.TRANSFER_FAILED, "After loading, the check found rows on the target that"
                    + " differ from what was sent: " + String.join("; ", mismatched) + ". The transfer was rolled back:"
                    + " the target is as it was. This is a botdb bug; please report it with the tables' definitions.");
        }
        return new TransferResult(p.plan(), List.copyOf(results), sequences, safetyBackup,
                rejects != null && rejects.rows() > 0 ? Optional.of(rejects.file()) : Optional.empty(),
                (System.nanoTime() - start) / 1_000_000);
    }

    private static String qualified(Prepared p, String table) {
        return TargetTables.quote(p.tables.schema()) + "." + TargetTables.quote(table);
    }

    /** 256 MB: what the index builds get at least (more when the server's setting is higher). */
    static final long SORT_MEMORY = 256L << 20;
    /** The most they get: a 5-million-row index sorts in memory with it (measured: BENCHMARKS.md). */
    static final long SORT_MEMORY_MAX = 1L << 30;

    /**
     * The memory for the index builds of this transaction: {@link #SORT_MEMORY}, or when the server runs on this
     * machine (a loopback or Unix-socket connection, so its memory is this machine's) a sixteenth of the RAM, as
     * {@code botdb tune} recommends for maintenance_work_mem, up to {@link #SORT_MEMORY_MAX}.
     */
    private long sortMemory() throws SQLException {
        boolean local;
        try (Statement s = pg.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT inet_server_addr() IS NULL OR host(inet_server_addr()) IN ('127.0.0.1', '::1')")) {
            rs.next();
            local = rs.getBoolean(1);
        }
        if (!local) {
            return SORT_MEMORY;
        }
        return Math.max(SORT_MEMORY, Math.min(SORT_MEMORY_MAX, machineMemory() / 16));
    }

    /** MemTotal of /proc/meminfo, or 0 where there is none. */
    static long machineMemory() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // not Linux: the fixed amount
        }
        return 0;
    }

    /** The indexes dropped before loading, built again (with the memory a sort of millions of keys wants). */
    private String buildIndexes(Prepared p, List<TargetTables.Index> indexes) throws SQLException {
        String memory;
        try (Statement s = pg.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_size_pretty(pg_size_bytes("
                + "set_config('maintenance_work_mem', greatest(pg_size_bytes(current_setting('maintenance_work_mem')), "
                + sortMemory() + ") / 1024 || 'kB', true)))")) {
            rs.next();
            memory = rs.getString(1);
        }
        try (Statement s = pg.createStatement()) {
            for (TargetTables.Index i : indexes) {
                try {
                    s.execute(i.constraint() != null
                            ? "ALTER TABLE " + qualified(p, i.table()) + " ADD CONSTRAINT " + TargetTables.quote(i.constraint())
                                    + " " + i.definition()
                            : i.definition());
                } catch (SQLException e) {
                    String detail = e instanceof org.postgresql.util.PSQLException x && x.getServerErrorMessage() != null
                            && x.getServerErrorMessage().getDetail() != null ? " (" + x.getServerErrorMessage().getDetail() + ")" : "";
                    throw new BotDbException(ErrorCode.TRANSFER_FAILED, "The rows of " + i.table() + " break "
                            + (i.constraint() != null ? "its constraint " + i.constraint() + " " + i.definition()
                            : "its unique index " + i.name()) + detail + ": SQLite held the same key twice (it enforces"
                            + " only the constraints its own schema declares). Remove the duplicates in SQLite and run"
                            + " again. Nothing was committed: the target is as it was.", e);
                }
            }
        }
        return memory;
    }

    private void addForeignKeysBack(Prepared p, List<TargetTables.ForeignKey> keys) throws SQLException {
        for (TargetTables.ForeignKey k : keys) {
            try (Statement s = pg.createStatement()) {
                s.execute("ALTER TABLE " + qualified(p, k.table()) + " ADD CONSTRAINT " + TargetTables.quote(k.name())
                        + " " + k.definition());
            } catch (SQLException e) {
                String detail = e instanceof org.postgresql.util.PSQLException x && x.getServerErrorMessage() != null
                        && x.getServerErrorMessage().getDetail() != null ? " (" + x.getServerErrorMessage().getDetail() + ")" : "";
                throw new BotDbException(ErrorCode.TRANSFER_FAILED, "Rows of " + k.table() + " break its foreign key "
                        + k.name() + " " + k.definition() + detail + ". SQLite checks foreign keys only with PRAGMA"
                        + " foreign_keys=ON, so such rows are common: delete them or fix their keys in SQLite (PRAGMA"
                        + " foreign_key_check lists them all), then run again. Nothing was committed: the target is as"
                        + " it was.", e);
            }
        }
    }

    /** Each identity or serial sequence of a loaded column set past the largest key loaded and SQLite's counter. */
    private List<String> setSequences(Prepared p) throws SQLException {
        List<String> set = new ArrayList<>();
        for (SqliteSource.Table t : p.order) {
            TargetTables.Table target = p.targets.get(t.name());
            for (TableLoad.Mapped m : p.mapped.get(t.name())) {
                if (m.target().sequence() == null) {
                    continue;
                }
                long floor = t.rowidAlias(m.source()) && t.sequence() != null ? t.sequence() : Long.MIN_VALUE;
                Long max = null;
                try (Statement s = pg.createStatement();
                     ResultSet rs = s.executeQuery("SELECT max(" + TargetTables.quote(m.target().name()) + ")::bigint FROM "
                             + target.sql())) {
                    if (rs.next()) {
                        long v = rs.getLong(1);
                        max = rs.wasNull() ? null : v;
                    }
                }
                long value = Math.max(max == null ? Long.MIN_VALUE : max, floor);
                if (value == Long.MIN_VALUE || value < 1) {
                    continue;
                }
                try (var ps = pg.prepareStatement("SELECT setval(?, ?, true)")) {
                    ps.setString(1, m.target().sequence());
                    ps.setLong(2, value);
                    ps.execute();
                }
                set.add(m.target().sequence() + " = " + value);
            }
        }
        return List.copyOf(set);
    }
}
