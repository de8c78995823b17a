package dev.botdb.backup.postgres;

import dev.botdb.backup.schema.DdlStatement;
import dev.botdb.backup.schema.SchemaDump;
import dev.botdb.backup.schema.Section;
import dev.botdb.backup.schema.TableInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The post-data statements of one phase as tasks for several connections, handed out so that no
 * two running tasks wait for each other's locks: index builds of one table ({@code CREATE INDEX}
 * takes a SHARE lock) run side by side, while a task that alters a table (primary and unique keys,
 * foreign keys, triggers: ACCESS EXCLUSIVE or SHARE ROW EXCLUSIVE) runs only when nothing else of
 * that table does. The longest work comes first (index builds by {@link #buildWeight}, other tasks
 * by their table's size), so the longest builds start at once and the other connections fill in
 * with shorter ones (pg_restore -j runs all of one table's indexes one after another behind its
 * primary key).
 */
public final class PostDataPlan {
    /** Statements run one after another on one connection. */
    public record Task(String table, boolean shared, long weight, List<DdlStatement> statements) {
    }

    private final List<Task> pending;
    private final Map<String, Integer> sharedRunning = new HashMap<>();
    private final Set<String> exclusiveRunning = new HashSet<>();
    private int running;

    private PostDataPlan(List<Task> tasks) {
        this.pending = new ArrayList<>(tasks);
    }

    public static PostDataPlan of(SchemaDump schema, int phase) {
        Map<String, Long> bytes = new HashMap<>();
        Set<String> partitioned = new HashSet<>();
        for (TableInfo t : schema.tables()) {
            bytes.put(key(t.name().schema(), t.name().name()), t.estimatedBytes());
            if (t.partitionedParent()) {
                partitioned.add(key(t.name().schema(), t.name().name()));
            }
        }
        Map<String, List<DdlStatement>> lanes = new LinkedHashMap<>();
        List<Task> tasks = new ArrayList<>();
        for (DdlStatement d : schema.statements()) {
            if (d.section() != Section.POST_DATA || d.phase() != phase) {
                continue;
            }
            String table = d.table() == null ? "" : key(d.table().schema(), d.table().name());
            if (phase == 1 && d.kind().equals("INDEX") && !table.isEmpty() && !partitioned.contains(table)) {
                tasks.add(new Task(table, true, buildWeight(bytes.getOrDefault(table, 0L), d.sql()), List.of(d)));
            } else {
                lanes.computeIfAbsent(table, k -> new ArrayList<>()).add(d);
            }
        }
        lanes.forEach((table, statements) -> tasks.add(new Task(table, false,
                table.isEmpty() ? 0 : bytes.getOrDefault(table, 0L), statements)));
        tasks.sort(Comparator.comparingLong(Task::weight).reversed().thenComparing(Task::shared));
        return new PostDataPlan(tasks);
    }

    /**
     * How long an index build should take, relative to others: the table's size, times the number
     * of key columns (sorting compares more of each row), halved for a partial index (fewer rows).
     * Handing out the longest builds first keeps the connections busy until the end: on the
     * benchmark's messages table, (chat_id, sent_at) takes about 9 s, (id) 5 s, (user_id) 5 s
     * and a partial (reply_to) 2 s; started in that order the two connections finish within a
     * second of each other, where the order of the dump left one idle for 3 s.
     */
    public static long buildWeight(long tableBytes, String createIndex) {
        int depth = 0;
        int keys = 1;
        int close = -1;
        char quote = 0; // inside a quoted name or a literal: brackets and commas are not the list's
        for (int i = 0; i < createIndex.length() && close < 0; i++) {
            char ch = createIndex.charAt(i);
            if (quote != 0) {
                quote = ch == quote ? 0 : quote;
            } else if (ch == '"' || ch == '\'') {
                quote = ch;
            } else if (ch == '(') {
                depth++; // the first bracket outside quotes opens the key list
            } else if (ch == ')' && --depth == 0) {
                close = i;
            } else if (ch == ',' && depth == 1) {
                keys++;
            }
        }
        if (close < 0) {
            return tableBytes;
        }
        boolean partial = createIndex.indexOf(" WHERE ", close) > 0;
        return tableBytes / (partial ? 2 : 1) * keys;
    }

    private static final java.util.regex.Pattern SIMPLE_KEY = java.util.regex.Pattern.compile(
            "ALTER TABLE ONLY (.+) ADD CONSTRAINT (\\S+|\"(?:[^\"]|\"\")+\") (PRIMARY KEY|UNIQUE) \\(([^()]*)\\)");

    /**
     * The same statements, with each plain primary key or unique constraint of an ordinary table
     * ({@code ALTER TABLE ONLY t ADD CONSTRAINT k PRIMARY KEY (cols)}, nothing more) built as what it
     * is underneath: {@code CREATE UNIQUE INDEX k ON t (cols)} among the phase-1 index builds, so
     * it runs beside the table's other indexes instead of alone under an exclusive lock, then
     * {@code ADD CONSTRAINT k PRIMARY KEY USING INDEX k} (a catalog change) in a phase of its own
     * before the foreign keys. The catalogs end up as the plain statement leaves them.
     */
    public static SchemaDump keysAsIndexes(SchemaDump schema) {
        Set<String> partitioned = new HashSet<>();
        for (TableInfo t : schema.tables()) {
            if (t.partitionedParent()) {
                partitioned.add(key(t.name().schema(), t.name().name()));
            }
        }
        List<DdlStatement> statements = new ArrayList<>();
        List<DdlStatement> attach = new ArrayList<>();
        for (DdlStatement d : schema.statements()) {
            java.util.regex.Matcher m = SIMPLE_KEY.matcher(d.sql());
            boolean plain = d.section() == Section.POST_DATA && d.phase() == 1 && d.kind().equals("CONSTRAINT")
                    && d.table() != null && !partitioned.contains(key(d.table().schema(), d.table().name()))
                    && m.matches() && m.group(1).equals(d.table().sql());
            if (plain) {
                statements.add(new DdlStatement(Section.POST_DATA, 1, "INDEX", d.object(), d.table(),
                        "CREATE UNIQUE INDEX " + m.group(2) + " ON " + m.group(1) + " (" + m.group(4) + ")"));
                attach.add(new DdlStatement(Section.POST_DATA, 2, "CONSTRAINT", d.object(), d.table(),
                        "ALTER TABLE ONLY " + m.group(1) + " ADD CONSTRAINT " + m.group(2) + " " + m.group(3)
                                + " USING INDEX " + m.group(2)));
            } else if (d.section() == Section.POST_DATA && d.phase() >= 2) {
                statements.add(new DdlStatement(d.section(), d.phase() + 1, d.kind(), d.object(), d.table(), d.sql()));
            } else {
                statements.add(d);
            }
        }
        if (attach.isEmpty()) {
            return schema;
        }
        statements.addAll(attach);
        return new SchemaDump(schema.serverVersionNum(), schema.serverVersion(), schema.preamble(), statements,
                schema.tables(), schema.sequenceValues(), schema.notes());
    }

    private static String key(String schema, String name) {
        return schema + "." + name;
    }

    public boolean isEmpty() {
        return pending.isEmpty();
    }

    public int size() {
        return pending.size();
    }

    /** The next task whose locks do not collide with a running one; waits for one; null when all are done. */
    public synchronized Task next() throws InterruptedException {
        while (true) {
            if (pending.isEmpty()) {
                return null;
            }
            for (int i = 0; i < pending.size(); i++) {
                Task t = pending.get(i);
                boolean free = t.table().isEmpty() || (t.shared()
                        ? !exclusiveRunning.contains(t.table())
                        : !exclusiveRunning.contains(t.table()) && !sharedRunning.containsKey(t.table()));
                if (free) {
                    pending.remove(i);
                    if (!t.table().isEmpty()) {
                        if (t.shared()) {
                            sharedRunning.merge(t.table(), 1, Integer::sum);
                        } else {
                            exclusiveRunning.add(t.table());
                        }
                    }
                    running++;
                    return t;
                }
            }
            wait();
        }
    }

    public synchronized void done(Task t) {
        if (!t.table().isEmpty()) {
            if (t.shared()) {
                sharedRunning.computeIfPresent(t.table(), (k, n) -> n == 1 ? null : n - 1);
            } else {
                exclusiveRunning.remove(t.table());
            }
        }
        running--;
        notifyAll();
    }

    /** A worker failed: nothing more is handed out, and waiting workers stop. */
    public synchronized void abandon() {
        pending.clear();
        notifyAll();
    }
}
