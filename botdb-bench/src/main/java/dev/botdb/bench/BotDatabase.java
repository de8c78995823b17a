package dev.botdb.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * A generated chat-bot database: users, chats, chat members, messages (text of words and small
 * JSON), warnings and filters, with the keys, foreign keys and indexes such a bot has. The rows
 * are deterministic (fixed seeds), so every run of the benchmark measures the same data.
 *
 * <p>Loaded the way {@code pg_restore} loads: the tables bare, filled by {@code COPY ... FROM STDIN}
 * streamed from Java on {@code jobs} connections at once, then the indexes and keys built, the
 * foreign keys added {@code NOT VALID} and validated on parallel connections, and finally
 * {@code VACUUM ANALYZE}. COPY won over server-side {@code INSERT ... SELECT generate_series}:
 * on one connection it loads about 130,000 messages a second with this richer text, the server
 * building word text per row about 74,000 (a subquery per row); precomputed fragments would be
 * faster but repeat, which flatters any compressor with a long window.
 */
final class BotDatabase {
    /**
     * Messages per GiB of database (heap and indexes together, {@code pg_database_size}): each
     * message takes about 332 bytes with its share of the other tables and the indexes (measured
     * on PostgreSQL 15 at 0.1 and 0.2 GiB), so this leaves a few percent to spare and
     * {@code --gigabytes 2} gives a little over 2 GiB.
     */
    static final double MESSAGES_PER_GIB = 3_400_000;
    /** Messages per COPY: the unit of work the loading connections share. */
    private static final long MESSAGE_CHUNK = 250_000;
    /** Three years of messages, from 2022-01-01 00:00 UTC. */
    private static final long FIRST_SECOND = 1_640_995_200L;
    private static final long SPAN_SECONDS = 3L * 365 * 86_400;
    private static final long SEED = 0x5eed_b07d_bL;

    private static final String[] FIRST_NAMES = ("Alex Anna Maria Ivan Dmitry Olga Sergey Elena John Michael Sarah"
            + " David Emma Lucas Sofia Mateo Fatima Ali Mehmet Ayse Yuki Chen Wei Priya Rahul Andrii Oksana Pedro Ana"
            + " Carlos Julia Max Lena Tom Kate Nikita Artem Daria Pavel Irina Ahmed Omar Leila Hana Kenji Luca Giulia")
            .split(" ");
    private static final String[] LAST_NAMES = ("Smith Ivanov Petrova Garcia Muller Rossi Kowalski Novak Silva Yilmaz"
            + " Kim Nguyen Singh Shevchenko Popescu Jansen Larsen Dubois Costa Sato").split(" ");
    private static final String[] LANGUAGES = {"en", "ru", "es", "de", "pt-br", "uk", "tr", "id", "fa", "it"};
    private static final String[] TIME_ZONES = {"Europe/Moscow", "Europe/Berlin", "America/New_York", "Asia/Tehran",
            "Asia/Jakarta", "Europe/Kyiv", "America/Sao_Paulo", "Asia/Kolkata", "UTC"};
    private static final String[] ROLES = {"creator", "administrator", "member", "restricted"};
    private static final String[] CHAT_TYPES = {"private", "group", "supergroup", "channel"};

    /** The tables, biggest first (the order parallel VACUUMs take them in). */
    static final List<String> TABLES = List.of("messages", "chat_members", "users", "chats", "warnings", "filters");

    private static final String TABLES_DDL = """
            CREATE TYPE chat_type AS ENUM ('private', 'group', 'supergroup', 'channel');

            CREATE TABLE users (
                id            bigint NOT NULL,
                username      text,
                first_name    text NOT NULL,
                last_name     text,
                language_code text,
                is_bot        boolean NOT NULL DEFAULT false,
                created_at    timestamptz NOT NULL DEFAULT now(),
                settings      jsonb NOT NULL DEFAULT '{}'
            );

            CREATE TABLE chats (
                id           bigint NOT NULL,
                title        text,
                type         chat_type NOT NULL,
                settings     jsonb NOT NULL DEFAULT '{}',
                member_count integer NOT NULL DEFAULT 0 CHECK (member_count >= 0),
                created_at   timestamptz NOT NULL DEFAULT now()
            );

            CREATE TABLE chat_members (
                chat_id   bigint NOT NULL,
                user_id   bigint NOT NULL,
                role      text NOT NULL DEFAULT 'member'
                          CHECK (role IN ('creator', 'administrator', 'member', 'restricted')),
                joined_at timestamptz NOT NULL DEFAULT now()
            );

            CREATE TABLE messages (
                id       bigserial NOT NULL,
                chat_id  bigint NOT NULL,
                user_id  bigint,
                sent_at  timestamptz NOT NULL,
                text     text,
                reply_to bigint,
                entities jsonb NOT NULL DEFAULT '[]',
                edited   boolean NOT NULL DEFAULT false
            );

            CREATE TABLE warnings (
                id         bigint GENERATED ALWAYS AS IDENTITY,
                chat_id    bigint NOT NULL,
                user_id    bigint NOT NULL,
                issued_by  bigint,
                reason     text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );

            CREATE TABLE filters (
                id         serial NOT NULL,
                chat_id    bigint NOT NULL,
                pattern    text NOT NULL,
                reply      text NOT NULL,
                is_regex   boolean NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            """;

    /** Indexes, biggest first; they run on parallel connections (CREATE INDEX takes a SHARE lock, which they share). */
    private static final List<String> INDEXES = List.of(
            "CREATE INDEX messages_chat_id_sent_at_idx ON messages (chat_id, sent_at)",
            "CREATE UNIQUE INDEX messages_pkey ON messages (id)",
            "CREATE INDEX messages_user_id_idx ON messages (user_id)",
            "CREATE INDEX messages_reply_to_idx ON messages (reply_to) WHERE reply_to IS NOT NULL",
            "CREATE UNIQUE INDEX chat_members_pkey ON chat_members (chat_id, user_id)",
            "CREATE INDEX chat_members_user_id_idx ON chat_members (user_id)",
            "CREATE UNIQUE INDEX users_pkey ON users (id)",
            "CREATE UNIQUE INDEX users_username_lower_idx ON users (lower(username)) WHERE username IS NOT NULL",
            "CREATE UNIQUE INDEX chats_pkey ON chats (id)",
            "CREATE INDEX chats_settings_idx ON chats USING gin (settings jsonb_path_ops)",
            "CREATE UNIQUE INDEX warnings_pkey ON warnings (id)",
            "CREATE INDEX warnings_chat_id_user_id_idx ON warnings (chat_id, user_id)",
            "CREATE UNIQUE INDEX filters_pkey ON filters (id)",
            "CREATE UNIQUE INDEX filters_chat_id_pattern_key ON filters (chat_id, pattern)");

    /** The keys on the indexes above, and the foreign keys, not yet checked (quick, one connection). */
    private static final String CONSTRAINTS_DDL = """
            ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey;
            ALTER TABLE chats ADD CONSTRAINT chats_pkey PRIMARY KEY USING INDEX chats_pkey;
            ALTER TABLE chat_members ADD CONSTRAINT chat_members_pkey PRIMARY KEY USING INDEX chat_members_pkey;
            ALTER TABLE messages ADD CONSTRAINT messages_pkey PRIMARY KEY USING INDEX messages_pkey;
            ALTER TABLE warnings ADD CONSTRAINT warnings_pkey PRIMARY KEY USING INDEX warnings_pkey;
            ALTER TABLE filters ADD CONSTRAINT filters_pkey PRIMARY KEY USING INDEX filters_pkey;
            ALTER TABLE filters ADD CONSTRAINT filters_chat_id_pattern_key UNIQUE USING INDEX filters_chat_id_pattern_key;
            ALTER TABLE chat_members ADD CONSTRAINT chat_members_chat_id_fkey
                FOREIGN KEY (chat_id) REFERENCES chats (id) ON DELETE CASCADE NOT VALID;
            ALTER TABLE chat_members ADD CONSTRAINT chat_members_user_id_fkey
                FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE NOT VALID;
            ALTER TABLE messages ADD CONSTRAINT messages_chat_id_fkey
                FOREIGN KEY (chat_id) REFERENCES chats (id) ON DELETE CASCADE NOT VALID;
            ALTER TABLE messages ADD CONSTRAINT messages_user_id_fkey
                FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL NOT VALID;
            ALTER TABLE warnings ADD CONSTRAINT warnings_chat_id_user_id_fkey
                FOREIGN KEY (chat_id, user_id) REFERENCES chat_members (chat_id, user_id) ON DELETE CASCADE NOT VALID;
            ALTER TABLE filters ADD CONSTRAINT filters_chat_id_fkey
                FOREIGN KEY (chat_id) REFERENCES chats (id) ON DELETE CASCADE NOT VALID;
            """;

    /** Checking the foreign keys: each scans its table, so they share the connections. */
    private static final List<String> VALIDATIONS = List.of(
            "ALTER TABLE messages VALIDATE CONSTRAINT messages_chat_id_fkey",
            "ALTER TABLE chat_members VALIDATE CONSTRAINT chat_members_chat_id_fkey",
            "ALTER TABLE messages VALIDATE CONSTRAINT messages_user_id_fkey",
            "ALTER TABLE chat_members VALIDATE CONSTRAINT chat_members_user_id_fkey",
            "ALTER TABLE warnings VALIDATE CONSTRAINT warnings_chat_id_user_id_fkey",
            "ALTER TABLE filters VALIDATE CONSTRAINT filters_chat_id_fkey");

    private static final String SEQUENCES = """
            SELECT setval('messages_id_seq', (SELECT max(id) FROM messages));
            SELECT setval('warnings_id_seq', (SELECT max(id) FROM warnings));
            SELECT setval('filters_id_seq', (SELECT max(id) FROM filters));
            """;

    private final long messages;
    private final int users;
    private final int chats;
    private final long warnings;
    /** Co-prime with {@code users}: chat c's members are users (c*s1 + j*s2) mod users, all different. */
    private final long s1;
    private final long s2;
    private final int[] members;
    private final byte[] type;
    /** Running total of the chats' message weights, to draw a chat for a message by its activity. */
    private final long[] weight;
    private final int[] groups;

    private BotDatabase(long messages) {
        this.messages = messages;
        this.users = (int) Math.max(200, messages / 40);
        this.chats = (int) Math.max(20, messages / 250);
        this.warnings = Math.max(10, messages / 300);
        this.s1 = coprime(7_919, users);
        this.s2 = coprime(104_729, users);
        this.members = new int[chats];
        this.type = new byte[chats];
        this.weight = new long[chats];
        List<Integer> groupList = new ArrayList<>();
        long total = 0;
        for (int c = 0; c < chats; c++) {
            SplittableRandom r = new SplittableRandom(SEED ^ mix(c));
            int t = r.nextInt(100);
            type[c] = (byte) (t < 40 ? 0 : t < 50 ? 1 : t < 95 ? 2 : 3);
            if (type[c] == 0) {
                members[c] = 1;
                total += 4;  // people write to a bot in private a lot
            } else {
                double u = 1 - r.nextDouble();
                members[c] = (int) Math.min(Math.min(20_000, users - 1), 2 + 5 * Math.pow(u, -0.8));
                total += type[c] == 3 ? 30 : members[c];
                if (type[c] != 3) {
                    groupList.add(c);
                }
            }
            weight[c] = total;
        }
        this.groups = groupList.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A database of about {@code gibibytes} GiB. */
    static BotDatabase ofSize(double gibibytes) {
        return new BotDatabase(Math.max(1_000, Math.round(gibibytes * MESSAGES_PER_GIB)));
    }

    long messages() {
        return messages;
    }

    /** What generating took, step by step. */
    record Timings(long loadMs, long indexMs, long keysMs, long vacuumMs, long copiedBytes) {
        long totalMs() {
            return loadMs + indexMs + keysMs + vacuumMs;
        }
    }

    /**
     * Creates the tables in the (empty) database behind {@code db}, fills them on {@code jobs}
     * connections, builds the indexes and keys, then {@code VACUUM ANALYZE}.
     */
    Timings generate(DataSource db, int jobs, Consumer<String> log) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute(TABLES_DDL);
        }
        long t0 = System.nanoTime();
        List<CopyTask> copies = new ArrayList<>();
        for (long from = 1; from <= messages; from += MESSAGE_CHUNK) {
            long a = from;
            long b = Math.min(messages, from + MESSAGE_CHUNK - 1);
            copies.add(new CopyTask("messages " + a + "-" + b, "COPY messages FROM STDIN", rows -> messageRows(rows, a, b)));
        }
        copies.add(new CopyTask("chat_members", "COPY chat_members FROM STDIN", this::memberRows));
        copies.add(new CopyTask("users", "COPY users FROM STDIN", this::userRows));
        copies.add(new CopyTask("chats", "COPY chats FROM STDIN", this::chatRows));
        copies.add(new CopyTask("warnings", "COPY warnings FROM STDIN", this::warningRows));
        copies.add(new CopyTask("filters", "COPY filters FROM STDIN", this::filterRows));
        long[] bytes = new long[1];
        parallel(db, jobs, copies.stream().map(t -> (Work) c -> {
            CopyManager cm = c.unwrap(PGConnection.class).getCopyAPI();
            CopyRows rows = new CopyRows(cm.copyIn(t.sql));
            t.rows.write(rows);
            rows.finish();
            synchronized (bytes) {
                bytes[0] += rows.sent();
            }
        }).toList());
        long t1 = System.nanoTime();
        log.accept(String.format(Locale.ROOT, "loaded %,d messages, %,d users, %,d chats (%.0f MB of COPY text) in %.1f s",
                messages, users, chats, bytes[0] / 1e6, (t1 - t0) / 1e9));
        parallel(db, jobs, INDEXES.stream().map(BotDatabase::statement).toList());
        long t2 = System.nanoTime();
        log.accept(String.format(Locale.ROOT, "built %d indexes in %.1f s", INDEXES.size(), (t2 - t1) / 1e9));
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute(CONSTRAINTS_DDL);
            st.execute(SEQUENCES);
        }
        parallel(db, jobs, VALIDATIONS.stream().map(BotDatabase::statement).toList());
        long t3 = System.nanoTime();
        log.accept(String.format(Locale.ROOT, "added keys and checked foreign keys in %.1f s", (t3 - t2) / 1e9));
        List<Work> vacuum = new ArrayList<>();
        for (String t : TABLES) {
            vacuum.add(statement("VACUUM (ANALYZE) " + t));
        }
        parallel(db, jobs, vacuum);
        long t4 = System.nanoTime();
        log.accept(String.format(Locale.ROOT, "VACUUM ANALYZE in %.1f s", (t4 - t3) / 1e9));
        return new Timings((t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, (t4 - t3) / 1_000_000,
                bytes[0]);
    }

    private record CopyTask(String name, String sql, RowWriter rows) {
    }

    @FunctionalInterface
    private interface RowWriter {
        void write(CopyRows rows) throws SQLException;
    }

    @FunctionalInterface
    private interface Work {
        void run(Connection c) throws Exception;
    }

    private static Work statement(String sql) {
        return c -> {
            try (Statement st = c.createStatement()) {
                st.execute(sql);
            }
        };
    }

    /** Runs the work on {@code jobs} connections, each taking the next item when done with its last. */
    private static void parallel(DataSource db, int jobs, List<Work> work) throws Exception {
        ConcurrentLinkedQueue<Work> queue = new ConcurrentLinkedQueue<>(work);
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                running.add(pool.submit(() -> {
                    try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                        // the benchmark's own work fans out over its connections; no parallel workers on top
                        st.execute("SET maintenance_work_mem = '256MB'");
                        st.execute("SET max_parallel_maintenance_workers = 0");
                        for (Work w; (w = queue.poll()) != null; ) {
                            w.run(c);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    queue.clear();
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- the rows

    private long userId(long i) {
        return 100_000_000L + i * 4_000L + Math.floorMod(mix(i), 4_000);
    }

    private int member(int c, long j) {
        return (int) Math.floorMod(c * s1 + j * s2, (long) users);
    }

    private long chatId(int c) {
        return type[c] == 0 ? userId(member(c, 0)) : -(1_001_000_000_000L + c * 1_000L + Math.floorMod(mix(c), 1_000));
    }

    private boolean russian(int c) {
        return Math.floorMod(mix(c + 17), 3) == 0;
    }

    private String username(long i) {
        return CopyRows.englishWord((int) Math.floorMod(mix(i), CopyRows.englishWords())) + "_" + Long.toString(i, 36);
    }

    private int pickChat(SplittableRandom r) {
        long w = r.nextLong(weight[chats - 1]);
        int i = Arrays.binarySearch(weight, w + 1);
        return i >= 0 ? i : -i - 1;
    }

    private void messageRows(CopyRows out, long from, long to) throws SQLException {
        SplittableRandom r = new SplittableRandom(SEED + from);
        StringBuilder json = new StringBuilder(128);
        for (long id = from; id <= to; id++) {
            int c = pickChat(r);
            boolean channel = type[c] == 3;
            long user = channel ? -1 : userId(member(c, r.nextInt(members[c])));
            out.num(id).tab().num(chatId(c)).tab();
            if (channel) {
                out.nul();
            } else {
                out.num(user);
            }
            out.tab().timestamp(FIRST_SECOND + id * SPAN_SECONDS / messages + r.nextInt(600), -1).tab();
            json.setLength(0);
            if (r.nextInt(100) < 6) {
                out.nul();  // a sticker, photo or voice message: no text
            } else {
                String mention = !channel && r.nextInt(100) < 8 ? "@" + username(member(c, r.nextInt(members[c]))) : null;
                long link = out.message(r, russian(c), mention, true);
                if (mention != null) {
                    entity(json, "mention", 0, mention.length());
                }
                if (link >= 0) {
                    entity(json, "url", (int) link, (int) (link >>> 32));
                }
                if (r.nextInt(100) < 4) {
                    entity(json, "bold", 0, 4);
                }
            }
            out.tab();
            if (id > 1 && r.nextInt(100) < 15) {
                out.num(id - 1 - r.nextInt((int) Math.min(id - 1, 300)));
            } else {
                out.nul();
            }
            out.tab().ascii(json.isEmpty() ? "[]" : json.append(']').toString()).tab().bool(r.nextInt(100) < 4);
            out.endRow();
        }
    }

    private static void entity(StringBuilder json, String type, int offset, int length) {
        json.append(json.isEmpty() ? "[" : ", ").append("{\"type\": \"").append(type).append("\", \"offset\": ")
                .append(offset).append(", \"length\": ").append(length).append('}');
    }

    private void userRows(CopyRows out) throws SQLException {
        SplittableRandom r = new SplittableRandom(SEED + 1);
        for (long i = 0; i < users; i++) {
            out.num(userId(i)).tab();
            if (r.nextInt(100) < 70) {
                out.ascii(username(i));
            } else {
                out.nul();
            }
            out.tab().ascii(FIRST_NAMES[r.nextInt(FIRST_NAMES.length)]).tab();
            if (r.nextBoolean()) {
                out.ascii(LAST_NAMES[r.nextInt(LAST_NAMES.length)]);
            } else {
                out.nul();
            }
            out.tab();
            String lang = r.nextInt(100) < 90 ? LANGUAGES[(int) (LANGUAGES.length * Math.pow(r.nextDouble(), 2))] : null;
            if (lang == null) {
                out.nul();
            } else {
                out.ascii(lang);
            }
            out.tab().bool(r.nextInt(100) == 0).tab()
                    .timestamp(FIRST_SECOND - 200 * 86_400L + i * (SPAN_SECONDS + 200 * 86_400L) / users, r.nextInt(1_000_000))
                    .tab().ascii("{\"lang\": \"").ascii(lang == null ? "en" : lang)
                    .ascii("\", \"timezone\": \"").ascii(TIME_ZONES[r.nextInt(TIME_ZONES.length)])
                    .ascii("\", \"notifications\": ").ascii(r.nextInt(10) < 8 ? "true" : "false");
            if (r.nextInt(4) == 0) {
                out.ascii(", \"digest\": \"").ascii(r.nextBoolean() ? "daily" : "weekly").ascii("\"");
            }
            if (r.nextInt(10) == 0) {
                out.ascii(", \"premium_until\": \"2025-").num(10 + r.nextInt(3)).ascii("-1").num(r.nextInt(10)).ascii("\"");
            }
            out.ascii("}").endRow();
        }
    }

    private void chatRows(CopyRows out) throws SQLException {
        SplittableRandom r = new SplittableRandom(SEED + 2);
        for (int c = 0; c < chats; c++) {
            out.num(chatId(c)).tab();
            if (type[c] == 0) {
                out.nul();
            } else {
                int words = 1 + r.nextInt(4);
                for (int w = 0; w < words; w++) {
                    if (w > 0) {
                        out.ascii(" ");
                    }
                    out.capitalWord(r, russian(c));
                }
            }
            out.tab().ascii(CHAT_TYPES[type[c]]).tab();
            boolean ru = russian(c);
            out.ascii("{\"locale\": \"").ascii(ru ? "ru" : "en").ascii("\"");
            if (type[c] != 0) {
                out.ascii(", \"welcome\": {\"enabled\": ").ascii(r.nextBoolean() ? "true" : "false")
                        .ascii(", \"text\": \"");
                out.capitalWord(r, ru).ascii(" {first}! ");
                out.message(r, ru, null, false);
                out.ascii("\"}, \"antiflood\": {\"limit\": ").num(3 + r.nextInt(8)).ascii(", \"seconds\": ")
                        .num(5 + r.nextInt(30)).ascii("}, \"captcha\": ").ascii(r.nextInt(3) == 0 ? "true" : "false")
                        .ascii(", \"max_warnings\": ").num(2 + r.nextInt(4));
                if (r.nextInt(5) == 0) {
                    out.ascii(", \"blocked_links\": true, \"log_channel\": ").num(-1_001_900_000_000L - r.nextInt(1 << 20));
                }
            }
            out.ascii("}").tab().num(members[c]).tab()
                    .timestamp(FIRST_SECOND - 100 * 86_400L + c * SPAN_SECONDS / chats, r.nextInt(1_000_000)).endRow();
        }
    }

    private void memberRows(CopyRows out) throws SQLException {
        SplittableRandom r = new SplittableRandom(SEED + 3);
        for (int c = 0; c < chats; c++) {
            long chat = chatId(c);
            int admins = Math.min(5, 1 + members[c] / 50);
            long joinedFrom = FIRST_SECOND - 100 * 86_400L + c * SPAN_SECONDS / chats;
            for (int j = 0; j < members[c]; j++) {
                String role = type[c] == 0 ? ROLES[2] : j == 0 ? ROLES[0] : j <= admins ? ROLES[1]
                        : r.nextInt(50) == 0 ? ROLES[3] : ROLES[2];
                out.num(chat).tab().num(userId(member(c, j))).tab().ascii(role).tab()
                        .timestamp(joinedFrom + r.nextLong(SPAN_SECONDS), r.nextInt(1_000_000)).endRow();
            }
        }
    }

    private void warningRows(CopyRows out) throws SQLException {
        SplittableRandom r = new SplittableRandom(SEED + 4);
        for (long id = 1; id <= warnings && groups.length > 0; id++) {
            int c = groups[r.nextInt(groups.length)];
            long user = userId(member(c, 1 + r.nextInt(members[c] - 1)));
            out.num(id).tab().num(chatId(c)).tab().num(user).tab().num(userId(member(c, 0))).tab();
            out.message(r, russian(c), null, true);
            out.tab().timestamp(FIRST_SECOND + id * SPAN_SECONDS / warnings, r.nextInt(1_000_000)).endRow();
        }
    }

    private void filterRows(CopyRows out) throws SQLException {
        SplittableRandom r = new SplittableRandom(SEED + 5);
        long id = 0;
        for (int c : groups) {
            if (r.nextInt(10) >= 3) {
                continue;
            }
            int n = 1 + r.nextInt(8);
            int first = r.nextInt(CopyRows.englishWords());
            for (int j = 0; j < n; j++) {
                out.num(++id).tab().num(chatId(c)).tab().ascii(CopyRows.englishWord(first + j)).tab();
                out.message(r, russian(c), null, true);
                out.tab().bool(r.nextInt(10) == 0).tab()
                        .timestamp(FIRST_SECOND + r.nextLong(SPAN_SECONDS), r.nextInt(1_000_000)).endRow();
            }
        }
    }

    private static long coprime(long start, long n) {
        long s = start;
        while (gcd(s, n) != 1) {
            s++;
        }
        return s;
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** A fixed scramble of {@code x} (SplitMix64's finaliser), positive. */
    private static long mix(long x) {
        long z = x * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    // ---- what a restore must reproduce

    /**
     * What the database holds, compared after every restore: per table its row count and a hash
     * of all its rows (in any order), the columns, indexes, constraints (and whether they are
     * validated), enum labels and sequence positions. A restore that skips an index or a key would be faster, and
     * wrong.
     */
    static List<String> fingerprint(DataSource db) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            for (String t : TABLES) {
                // order-independent: the sum of a 64-bit hash of every row's text
                try (ResultSet rs = st.executeQuery("""
                        SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)), 0)
                        FROM %s t
                        """.formatted(t))) {
                    rs.next();
                    out.add("rows " + t + ": " + rs.getLong(1));
                    out.add("content hash " + t + ": " + rs.getBigDecimal(2));
                }
            }
            for (String q : List.of("""
                            SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' null=' || is_nullable
                                   || ' default=' || coalesce(column_default, '-') || ' identity=' || is_identity
                            FROM information_schema.columns
                            WHERE table_schema = 'public'
                            ORDER BY 1
                            """, """
                            SELECT 'index ' || c.relname || ': ' || pg_get_indexdef(i.indexrelid)
                            FROM pg_index i
                            JOIN pg_class c ON c.oid = i.indexrelid
                            JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname = 'public'
                            ORDER BY 1
                            """, """
                            SELECT 'constraint ' || conrelid::regclass::text || '.' || conname || ': '
                                   || pg_get_constraintdef(oid) || ' validated=' || convalidated
                            FROM pg_constraint
                            WHERE connamespace = 'public'::regnamespace
                            ORDER BY 1
                            """, """
                            SELECT 'enum ' || t.typname || ': ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                            FROM pg_enum e
                            JOIN pg_type t ON t.oid = e.enumtypid
                            GROUP BY t.typname
                            ORDER BY 1
                            """, """
                            SELECT 'sequence ' || sequencename || ': ' || coalesce(last_value::text, 'unused')
                            FROM pg_sequences
                            WHERE schemaname = 'public'
                            ORDER BY 1
                            """)) {
                try (ResultSet rs = st.executeQuery(q)) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
        }
        return out;
    }

    /** The lines of {@code actual} that differ from {@code expected}, for an error message; empty when equal. */
    static List<String> differences(List<String> expected, List<String> actual) {
        List<String> diff = new ArrayList<>();
        for (String e : expected) {
            if (!actual.contains(e)) {
                diff.add("missing or different: " + e);
            }
        }
        for (String a : actual) {
            if (!expected.contains(a)) {
                diff.add("unexpected: " + a);
            }
        }
        return diff;
    }

    /** {@code pg_database_size}, and the parts in tables (with TOAST) and in indexes, in bytes. */
    record Size(long database, long tables, long indexes) {
    }

    static Size size(DataSource db) throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT pg_database_size(current_database()),
                            sum(pg_table_size(c.oid)),
                            sum(pg_indexes_size(c.oid))
                     FROM pg_class c
                     JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'public'
                       AND c.relkind = 'r'
                     """)) {
            rs.next();
            return new Size(rs.getLong(1), rs.getLong(2), rs.getLong(3));
        }
    }

    /** Per table: rows (counted), table size, index size, for the log. */
    static List<String> tableSizes(DataSource db) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            for (String t : TABLES) {
                try (ResultSet rs = st.executeQuery("""
                        SELECT count(*), pg_table_size('%1$s'), pg_indexes_size('%1$s')
                        FROM %1$s
                        """.formatted(t))) {
                    rs.next();
                    out.add(String.format(Locale.ROOT, "%-13s %,12d rows  table %,8.1f MB  indexes %,8.1f MB", t,
                            rs.getLong(1), rs.getLong(2) / 1e6, rs.getLong(3) / 1e6));
                }
            }
        }
        return out;
    }
}
