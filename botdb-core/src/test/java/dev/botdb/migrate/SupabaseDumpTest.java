package dev.botdb.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.botdb.TestPostgres;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.Engine;
import dev.botdb.config.PostgresTarget;
import dev.botdb.pool.Connector;
import dev.botdb.provision.ProvisionRequest;
import dev.botdb.provision.ProvisionResult;
import dev.botdb.provision.Provisioner;
import dev.botdb.pool.Pools;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole {@code supabase db dump} of a bot's schema (header with an empty search_path, the
 * extensions schema, Supabase-only extensions, RLS policies for Supabase's roles, the Realtime
 * publication) applied by the Migrator to a fresh database of the test server, then used by a
 * role with {@code botdb provision}'s application grants.
 */
class SupabaseDumpTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final String DUMP = "20250301120000_remote_schema.sql";
    private static final String APP = "supabase_dump_app";

    @TempDir
    Path dir;

    private String database;
    private HikariDataSource ds;
    private final List<String> log = new CopyOnWriteArrayList<>();
    private String dump;

    @BeforeEach
    void freshDatabase() throws IOException {
        database = "supabase_dump_" + DATABASES.incrementAndGet();
        TestPostgres.exec("DROP DATABASE IF EXISTS " + database, "CREATE DATABASE " + database);
        BotDbConfig c = BotDbConfig.fromEnv(TestPostgres.env("postgres://postgres@localhost:" + TestPostgres.port() + "/"
                + database + "?sslmode=disable"));
        ds = Pools.open(c.target(), c.pool());
        try (InputStream in = SupabaseDumpTest.class.getResourceAsStream("/supabase/dump/" + DUMP)) {
            dump = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.writeString(dir.resolve(DUMP), dump);
    }

    @AfterEach
    void dropDatabase() {
        ds.close();
        TestPostgres.exec("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }

    private MigrationResult migrate() {
        return Migrator.of(ds, Engine.POSTGRESQL, dir, log::add).migrate();
    }

    private String one(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private void exec(String... sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    /** The 1-based line of the dump on which {@code text} starts. */
    private int line(String text) {
        int at = dump.indexOf(text);
        assertThat(at).as(text).isNotNegative();
        return (int) dump.substring(0, at).chars().filter(ch -> ch == '\n').count() + 1;
    }

    private String prefix(String text) {
        return "[Migrations] Supabase clean-up: " + DUMP + " line " + line(text) + ": ";
    }

    @Test
    void aFullDumpAppliesWithTheExtensionsItUsesWorkingAndNothingOfRealtimeLeft() throws Exception {
        MigrationResult r = migrate();

        assertThat(r.applied()).containsExactly(DUMP);
        assertThat(one("SELECT string_agg(extname || '@' || extnamespace::regnamespace, ',' ORDER BY extname)"
                + " FROM pg_extension WHERE extname <> 'plpgsql'"))
                .isEqualTo("pg_stat_statements@extensions,pgcrypto@extensions,uuid-ossp@extensions");
        exec("INSERT INTO public.chats (id, title) VALUES (1, 'group')",
                "INSERT INTO public.notes (chat_id, name) VALUES (1, 'rules')",
                "INSERT INTO public.warns (chat_id, user_id) VALUES (1, 42)",
                "INSERT INTO public.filters (chat_id, keyword) VALUES (1, 'hi')");
        assertThat(one("SELECT id::text ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-' FROM public.notes")).isEqualTo("t");
        assertThat(one("SELECT token ~ '^[0-9a-f]{32}$' FROM public.notes")).isEqualTo("t");
        assertThat(one("SELECT length(id::text) FROM public.warns")).isEqualTo("36");
        assertThat(one("SELECT id FROM public.filters")).isEqualTo("1");
        assertThat(one("SELECT count(*) FROM pg_publication")).isEqualTo("0");
        // RESET ALL at the end of the dump: the pooled connection is back to the normal search_path
        assertThat(one("SELECT current_schema()")).isEqualTo("public");



        assertThat(log).contains(
                prefix("CREATE EXTENSION IF NOT EXISTS \"pg_graphql\"") + "skipped CREATE EXTENSION IF NOT EXISTS"
                        + " \"pg_graphql\" WITH SCHEMA \"graphql\" (extension pg_graphql is not available on this"
                        + " server: pg_available_extensions does not list it)",
                prefix("CREATE EXTENSION IF NOT EXISTS \"pgjwt\"") + "skipped CREATE EXTENSION IF NOT EXISTS"
                        + " \"pgjwt\" WITH SCHEMA \"extensions\" (extension pgjwt is not available on this"
                        + " server: pg_available_extensions does not list it)",
                prefix("CREATE PUBLICATION \"supabase_realtime\"") + "removed CREATE PUBLICATION"
                        + " \"supabase_realtime\" WITH (publish = 'insert, update, delete, truncate') (Supabase"
                        + " Realtime's publication; this server has no Realtime to read it)",
                prefix("ALTER PUBLICATION \"supabase_realtime\" OWNER") + "removed ALTER PUBLICATION"
                        + " \"supabase_realtime\" OWNER TO \"postgres\" (publication supabase_realtime does not exist)");
        assertThat(log).anyMatch(l -> l.startsWith(prefix("CREATE EXTENSION IF NOT EXISTS \"pg_stat_statements\""))
                && l.contains("created schema extensions"));
    }

    @Test
    void theDryRunShowsNoSupabaseRealtimeStatement() {
        List<Migrator.Planned> plan = Migrator.of(ds, Engine.POSTGRESQL, dir, log::add).plan();

        assertThat(plan).singleElement().satisfies(p -> {
            assertThat(p.statements()).noneMatch(s -> s.contains("supabase_realtime"));
            assertThat(p.statements()).contains("CREATE SCHEMA IF NOT EXISTS extensions",
                    "GRANT USAGE ON SCHEMA extensions TO PUBLIC");
        });
    }

    /** Item: a table the clean-up left with RLS on and no policy for any role of the server. */
    @Test
    void theBotsRoleReadsTheRowsOfTablesWhosePoliciesWereAllRemoved() throws Exception {
        migrate();
        exec("INSERT INTO public.chats (id, title) VALUES (1, 'group')",
                "INSERT INTO public.notes (chat_id, name) VALUES (1, 'rules')",
                "INSERT INTO public.warns (chat_id, user_id) VALUES (1, 42)");
        TestPostgres.exec("DROP ROLE IF EXISTS " + APP, "CREATE ROLE " + APP + " LOGIN");
        try {
            // botdb provision's application grants
            exec("GRANT CONNECT ON DATABASE " + database + " TO " + APP,
                    "GRANT USAGE ON SCHEMA public TO " + APP,
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + APP,
                    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + APP);

            assertThat(asApp("SELECT count(*) FROM public.notes")).isEqualTo("1");
            assertThat(asApp("SELECT count(*) FROM public.warns")).isEqualTo("1");
            assertThat(asApp("SELECT count(*) FROM public.chats")).isEqualTo("1");
            // chats keeps RLS: its policy applies to every role
            assertThat(one("SELECT string_agg(relname || '=' || relrowsecurity, ',' ORDER BY relname) FROM pg_class"
                    + " WHERE relnamespace = 'public'::regnamespace AND relname IN ('chats', 'filters', 'notes', 'warns')"))
                    .isEqualTo("chats=true,filters=false,notes=false,warns=false");

            String notes = logged("ALTER TABLE \"public\".\"notes\" ENABLE ROW LEVEL SECURITY");
            assertThat(notes).contains("public.notes", "\"Members read notes\" (line " + line("CREATE POLICY \"Members read")
                    + ")", "\"Service role manages notes\" (line " + line("CREATE POLICY \"Service role") + ")",
                    "To keep row-level security instead");
            String warns = logged("ALTER TABLE \"public\".\"warns\" ENABLE ROW LEVEL SECURITY");
            assertThat(warns).contains("public.warns", "no policy");
            assertThat(log).noneMatch(l -> l.contains("\"public\".\"chats\" ENABLE ROW LEVEL SECURITY"));

            // the other way out, as printed: keep row-level security and add a policy
            for (String line : List.of(notes, warns)) {
                exec(fix(line));
            }
            assertThat(one("SELECT string_agg(relname || '=' || relrowsecurity, ',' ORDER BY relname) FROM pg_class"
                    + " WHERE relnamespace = 'public'::regnamespace AND relname IN ('chats', 'filters', 'notes', 'warns')"))
                    .isEqualTo("chats=true,filters=false,notes=true,warns=true");
            assertThat(asApp("SELECT count(*) FROM public.notes")).isEqualTo("1");
            assertThat(asApp("SELECT count(*) FROM public.warns")).isEqualTo("1");
            assertThat(asApp("INSERT INTO public.warns (chat_id, user_id) VALUES (1, 43) RETURNING 1")).isEqualTo("1");
        } finally {
            exec("DROP OWNED BY " + APP);
            TestPostgres.exec("DROP ROLE IF EXISTS " + APP);
        }
    }

    /**
     * The flow the README recommends: {@code botdb provision} makes an owner role (not a superuser)
     * that runs the migrations and an application role for the bot; the dump applies as the owner
     * and the bot's role reads and writes the tables it is granted.
     */
    @Test
    void aProvisionedOwnerAppliesTheDumpAndTheBotsRoleUsesItsTables() throws Exception {
        String db = "supabase_dump_prov";
        String bot = "supabase_dump_bot";
        TestPostgres.exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)", "DROP ROLE IF EXISTS " + bot,
                "DROP ROLE IF EXISTS " + db + "_owner");
        try {
            ProvisionResult p = Provisioner.of(target("postgres://postgres@localhost:" + TestPostgres.port() + "/postgres"),
                    l -> { }).run(ProvisionRequest.of(bot).withDatabase(db));
            BotDbConfig ownerConfig = BotDbConfig.fromEnv(TestPostgres.env(p.databaseUrl(p.owner(), true)));
            try (HikariDataSource owner = Pools.open(ownerConfig.target(), ownerConfig.pool())) {
                assertThat(Migrator.of(owner, Engine.POSTGRESQL, dir, log::add).migrate().applied()).containsExactly(DUMP);
                try (Connection c = owner.getConnection(); Statement st = c.createStatement()) {
                    st.execute("INSERT INTO public.chats (id, title) VALUES (1, 'group')");
                }
            }
            try (Connection app = Connector.open(target(p.databaseUrl(p.app(), true)));
                 Statement st = app.createStatement()) {
                st.execute("INSERT INTO public.notes (chat_id, name) VALUES (1, 'rules')");
                st.execute("INSERT INTO public.warns (chat_id, user_id) VALUES (1, 42)");
                st.execute("INSERT INTO public.filters (chat_id, keyword) VALUES (1, 'hi')");
                try (ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM public.chats) || ','"
                        + " || (SELECT count(*) FROM public.notes WHERE length(token) = 32) || ','"
                        + " || (SELECT count(*) FROM public.warns) || ',' || (SELECT count(*) FROM public.filters)")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("1,1,1,1");
                }
            }
            assertThat(log).anyMatch(l -> l.startsWith(prefix("ALTER TABLE \"public\".\"notes\" OWNER TO"))
                    && l.contains("cannot act as postgres"));
            String untrusted = log.stream().filter(l -> l.startsWith(prefix("CREATE EXTENSION IF NOT EXISTS"
                    + " \"pg_stat_statements\"") + "skipped")).findFirst().orElseThrow();
            assertThat(untrusted).contains("extension pg_stat_statements is not trusted, so only a superuser may install"
                    + " it, and the migrating role " + db + "_owner is not one");
            // its fix line, run as it says
            Matcher m = Pattern.compile("have a superuser run (CREATE EXTENSION IF NOT EXISTS \\S+) in this database")
                    .matcher(untrusted);
            assertThat(m.find()).as(untrusted).isTrue();
            try (Connection c = TestPostgres.superuser(db); Statement st = c.createStatement()) {
                st.execute(m.group(1));
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(1);
                }
            }
            assertThat(log).anyMatch(l -> l.startsWith(prefix("ALTER DEFAULT PRIVILEGES FOR ROLE \"postgres\" IN SCHEMA"
                    + " \"public\" GRANT ALL ON SEQUENCES TO \"postgres\"")) && l.endsWith("(the migrating role " + db
                    + "_owner cannot act as postgres, so it may not set that role's default privileges)"));
        } finally {
            TestPostgres.exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)", "DROP ROLE IF EXISTS " + bot,
                    "DROP ROLE IF EXISTS " + db + "_owner");
        }
    }

    private static PostgresTarget target(String url) {
        return (PostgresTarget) BotDbConfig.fromEnv(TestPostgres.env(url)).target();
    }

    /** The log line about the statement starting with {@code statement}, checked for file and line. */
    private String logged(String statement) {
        String start = prefix(statement) + "removed " + statement;
        return log.stream().filter(l -> l.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting " + start + " in " + log));
    }

    /** The SQL after "add a migration with:" in a log line. */
    private static String fix(String line) {
        Matcher m = Pattern.compile("add a migration with: (.*;)").matcher(line);
        assertThat(m.find()).as(line).isTrue();
        return m.group(1);
    }

    private String asApp(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("SET ROLE " + APP);
            try (ResultSet rs = st.executeQuery(sql)) {
                return rs.next() ? rs.getString(1) : null;
            } finally {
                st.execute("RESET ROLE");
            }
        }
    }
}
