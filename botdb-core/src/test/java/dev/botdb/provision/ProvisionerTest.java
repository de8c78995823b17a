package dev.botdb.provision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.LogCapture;
import dev.botdb.TestPostgres;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.PostgresTarget;
import dev.botdb.pool.Connector;
import dev.botdb.provision.Action.Outcome;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** {@code botdb provision} against the shared test PostgreSQL (15, scram for every role but postgres). */
class ProvisionerTest {
    private final List<String> log = new CopyOnWriteArrayList<>();

    /** Drops what an earlier run of a test left: the databases first (their grants and default privileges go too). */
    private static void clean(List<String> databases, String... roles) {
        List<String> sql = new ArrayList<>();
        databases.forEach(d -> sql.add("DROP DATABASE IF EXISTS \"" + d + "\" WITH (FORCE)"));
        for (String r : roles) {
            sql.add("DROP ROLE IF EXISTS \"" + r + "\"");
        }
        TestPostgres.exec(sql.toArray(String[]::new));
    }

    private static PostgresTarget target(String url) {
        return (PostgresTarget) BotDbConfig.fromEnv(TestPostgres.env(url)).target();
    }

    private static PostgresTarget superuserAdmin() {
        return target("postgres://postgres@localhost:" + TestPostgres.port() + "/postgres");
    }

    private static Connection connect(String url) throws SQLException {
        return Connector.open(target(url));
    }

    private static String query(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static String sqlState(Connection c, String sql) {
        try {
            exec(c, sql);
            return "none";
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    /** Every ACL and default ACL a run could touch, to compare before and after. */
    private static String acls(String database) throws SQLException {
        try (Connection c = TestPostgres.superuser(database)) {
            return query(c, """
                    SELECT concat_ws(' | ',
                        (SELECT datacl::text FROM pg_database WHERE datname = current_database()),
                        (SELECT string_agg(nspname || '=' || coalesce(nspacl::text, '') || ':' || nspowner::regrole::text,
                                           ',' ORDER BY nspname) FROM pg_namespace),
                        (SELECT string_agg(relname || '=' || coalesce(relacl::text, ''), ',' ORDER BY relname)
                         FROM pg_class WHERE relnamespace = 'public'::regnamespace),
                        (SELECT string_agg(defaclobjtype::text || '=' || defaclacl::text, ',' ORDER BY defaclobjtype)
                         FROM pg_default_acl))
                    """);
        }
    }

    @Test
    void createsTheRolesAndDatabaseAndTheAppRoleMayOnlyReadAndWriteRows() throws Exception {
        clean(List.of("prov_db"), "prov_bot", "prov_db_owner");
        ProvisionResult r;
        try (LogCapture logs = new LogCapture()) {
            r = Provisioner.of(superuserAdmin(), log::add).run(ProvisionRequest.of("prov_bot").withDatabase("prov_db"));
            String ownerPassword = r.owner().password().reveal();
            String appPassword = r.app().password().reveal();
            assertThat(ownerPassword).matches("[A-Za-z0-9_-]{32}").isNotEqualTo(appPassword);
            assertThat(appPassword).matches("[A-Za-z0-9_-]{32}");
            assertThat(logs.text() + String.join("\n", log) + r + r.actions())
                    .doesNotContain(ownerPassword).doesNotContain(appPassword);
        }
        assertThat(r.owner()).extracting(ProvisionResult.Role::name, ProvisionResult.Role::created)
                .containsExactly("prov_db_owner", true);
        assertThat(r.actions()).extracting(Action::subject, Action::outcome).startsWith(
                org.assertj.core.groups.Tuple.tuple("role prov_db_owner", Outcome.CREATED),
                org.assertj.core.groups.Tuple.tuple("role prov_bot", Outcome.CREATED),
                org.assertj.core.groups.Tuple.tuple("database prov_db", Outcome.CREATED));
        assertThat(r.actions()).extracting(Action::sql).contains(
                "CREATE ROLE prov_bot LOGIN PASSWORD '****'",
                "CREATE DATABASE prov_db OWNER prov_db_owner",
                "GRANT CONNECT ON DATABASE prov_db TO prov_bot",
                "GRANT USAGE ON SCHEMA public TO prov_bot",
                "ALTER DEFAULT PRIVILEGES FOR ROLE prov_db_owner IN SCHEMA public GRANT SELECT, INSERT, UPDATE,"
                        + " DELETE ON TABLES TO prov_bot",
                "ALTER DEFAULT PRIVILEGES FOR ROLE prov_db_owner IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO"
                        + " prov_bot");
        assertThat(r.changed()).isTrue();
        assertThat(log.get(log.size() - 1)).startsWith("Provisioning done - created: 3, changed: ");
        try (Connection c = TestPostgres.superuser("postgres")) {
            assertThat(query(c, "SELECT rolpassword FROM pg_authid WHERE rolname = 'prov_bot'"))
                    .startsWith("SCRAM-SHA-256$4096:");
            assertThat(query(c, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'prov_db'"))
                    .isEqualTo("prov_db_owner");
        }

        // the owner's migration creates a table after provisioning: the default privileges cover it
        try (Connection owner = connect(r.databaseUrl(r.owner(), true))) {
            exec(owner, "CREATE TABLE items (id bigserial PRIMARY KEY, name text NOT NULL)");
        }
        try (Connection app = connect(r.databaseUrl(r.app(), true))) {
            exec(app, "INSERT INTO items (name) VALUES ('first'), ('second')");
            exec(app, "UPDATE items SET name = 'one' WHERE name = 'first'");
            exec(app, "DELETE FROM items WHERE name = 'second'");
            assertThat(query(app, "SELECT string_agg(id || ':' || name, ',') FROM items")).isEqualTo("1:one");
            assertThat(sqlState(app, "CREATE TABLE sneaky (id int)")).isEqualTo("42501");
            assertThat(sqlState(app, "DROP TABLE items")).isEqualTo("42501");
            assertThat(sqlState(app, "ALTER TABLE items ADD COLUMN x int")).isEqualTo("42501");
            assertThat(sqlState(app, "TRUNCATE items")).isEqualTo("42501");
        }
    }

    @Test
    void aSecondRunChangesNothingAndKeepsThePasswords() throws Exception {
        clean(List.of("prov_again_db"), "prov_again", "prov_again_db_owner");
        ProvisionRequest request = ProvisionRequest.of("prov_again").withDatabase("prov_again_db");
        ProvisionResult first = Provisioner.of(superuserAdmin(), line -> { }).run(request);
        try (Connection owner = connect(first.databaseUrl(first.owner(), true))) {
            exec(owner, "CREATE TABLE later (id serial PRIMARY KEY)");
        }
        String before = acls("prov_again_db");

        ProvisionResult second = Provisioner.of(superuserAdmin(), log::add).run(request);

        assertThat(second.changed()).isFalse();
        assertThat(second.actions()).isNotEmpty().allSatisfy(a -> {
            assertThat(a.outcome()).isEqualTo(Outcome.UNCHANGED);
            assertThat(a.sql()).isNull();
        });
        assertThat(second.owner().password()).isNull();
        assertThat(second.app().password()).isNull();
        assertThat(log).contains("  role prov_again: exists, unchanged (the bot's least-privilege role; its password"
                + " is kept)");
        assertThat(second.summary()).isEqualTo("Nothing to change: everything was already in place - created: 0,"
                + " changed: 0, unchanged: " + second.actions().size());
        assertThat(acls("prov_again_db")).isEqualTo(before);
        assertThat(second.databaseUrl(second.app(), true))
                .isEqualTo("postgres://prov_again@localhost:" + TestPostgres.port() + "/prov_again_db");
        try (Connection app = connect(first.databaseUrl(first.app(), true))) {
            assertThat(query(app, "SELECT count(*) FROM later")).isEqualTo("0");
        }
    }

    @Test
    void aDryRunShowsTheSqlWithPasswordsMaskedAndChangesNothing() throws Exception {
        clean(List.of("prov_dry_db"), "prov_dry", "prov_dry_db_owner");

        ProvisionResult r = Provisioner.of(superuserAdmin(), log::add)
                .run(ProvisionRequest.of("prov_dry").withDatabase("prov_dry_db").withDryRun(true));

        assertThat(r.dryRun()).isTrue();
        assertThat(r.owner().password()).isNull();
        assertThat(r.actions()).extracting(Action::sql).containsSubsequence(
                "CREATE ROLE prov_dry_db_owner LOGIN PASSWORD '****'",
                "CREATE ROLE prov_dry LOGIN PASSWORD '****'",
                "CREATE DATABASE prov_dry_db OWNER prov_dry_db_owner",
                "GRANT CONNECT ON DATABASE prov_dry_db TO prov_dry",
                "GRANT USAGE ON SCHEMA public TO prov_dry");
        assertThat(log).contains("  database prov_dry_db: would be created (owned by prov_dry_db_owner)");
        assertThat(r.summary()).startsWith("Dry run - would run ").endsWith("nothing was changed");
        try (Connection c = TestPostgres.superuser("postgres")) {
            assertThat(query(c, "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'prov_dry%'")).isEqualTo("0");
            assertThat(query(c, "SELECT count(*) FROM pg_database WHERE datname = 'prov_dry_db'")).isEqualTo("0");
        }
    }

    @Test
    void anAdminWithoutCreatedbAndCreateroleIsRefusedNamingWhatIsMissing() {
        clean(List.of(), "prov_plain", "prov_halfway");
        TestPostgres.exec("CREATE ROLE prov_plain LOGIN PASSWORD 'Plain-Pass-1'",
                "CREATE ROLE prov_halfway LOGIN CREATEDB PASSWORD 'Plain-Pass-1'");

        assertThatThrownBy(() -> Provisioner.of(target("postgres://prov_plain:Plain-Pass-1@localhost:"
                + TestPostgres.port() + "/postgres"), log::add).run(ProvisionRequest.of("x_bot").withDatabase("x_db")))
                .isInstanceOf(BotDbException.class)
                .hasMessageContaining("Role prov_plain (from DATABASE_URL) may not provision: it lacks CREATEDB and"
                        + " CREATEROLE and is not a superuser")
                .hasMessageContaining("ALTER ROLE prov_plain CREATEDB CREATEROLE;")
                .hasMessageNotContaining("Plain-Pass-1")
                .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThatThrownBy(() -> Provisioner.of(target("postgres://prov_halfway:Plain-Pass-1@localhost:"
                + TestPostgres.port() + "/postgres"), log::add).run(ProvisionRequest.of("x_bot").withDatabase("x_db")))
                .hasMessageContaining("it lacks CREATEROLE and")
                .hasMessageContaining("ALTER ROLE prov_halfway CREATEROLE;");
        assertThat(log).isEmpty();
    }

    @Test
    void anAdminWithCreatedbAndCreateroleButNoSuperuserCanProvision() throws Exception {
        clean(List.of("prov_cloud_db"), "prov_cloud", "prov_cloud_db_owner", "prov_cloud_admin");
        TestPostgres.exec("CREATE ROLE prov_cloud_admin LOGIN CREATEDB CREATEROLE PASSWORD 'Cloud-Admin-1'");
        PostgresTarget cloudAdmin = target("postgres://prov_cloud_admin:Cloud-Admin-1@localhost:" + TestPostgres.port()
                + "/postgres");

        ProvisionResult r = Provisioner.of(cloudAdmin, log::add)
                .run(ProvisionRequest.of("prov_cloud").withDatabase("prov_cloud_db"));

        assertThat(r.actions()).extracting(Action::sql).contains("GRANT prov_cloud_db_owner TO prov_cloud_admin");
        try (Connection owner = connect(r.databaseUrl(r.owner(), true))) {
            exec(owner, "CREATE TABLE notes (id bigserial PRIMARY KEY, body text)");
        }
        try (Connection app = connect(r.databaseUrl(r.app(), true))) {
            exec(app, "INSERT INTO notes (body) VALUES ('hello')");
            assertThat(query(app, "SELECT body FROM notes")).isEqualTo("hello");
            assertThat(sqlState(app, "DROP TABLE notes")).isEqualTo("42501");
        }
        assertThat(Provisioner.of(cloudAdmin, line -> { })
                .run(ProvisionRequest.of("prov_cloud").withDatabase("prov_cloud_db")).changed()).isFalse();
    }

    @Test
    void anExistingDatabaseKeepsItsOwnerAndItsTablesAreGrantedToTheAppRole() throws Exception {
        clean(List.of("prov_old_db"), "prov_old", "prov_old_owner");
        TestPostgres.exec("CREATE DATABASE prov_old_db");
        try (Connection c = TestPostgres.superuser("prov_old_db")) {
            exec(c, "CREATE TABLE legacy (id serial PRIMARY KEY, v text)");
        }

        ProvisionResult r = Provisioner.of(target("postgres://postgres@localhost:" + TestPostgres.port()
                + "/prov_old_db"), log::add).run(ProvisionRequest.of("prov_old").withOwner("prov_old_owner"));

        assertThat(r.database()).isEqualTo("prov_old_db");
        assertThat(r.actions()).extracting(a -> a.describe(false)).contains(
                "database prov_old_db: exists, unchanged (owner postgres)",
                "SELECT, INSERT, UPDATE, DELETE on all tables in public for prov_old: applied (1 of 1 tables lacked"
                        + " them)");
        assertThat(r.notes()).anySatisfy(n -> assertThat(n).contains("Database prov_old_db belongs to postgres")
                .contains("ALTER DATABASE prov_old_db OWNER TO prov_old_owner;"));
        try (Connection app = connect(r.databaseUrl(r.app(), true))) {
            exec(app, "INSERT INTO legacy (v) VALUES ('kept')");
            assertThat(query(app, "SELECT v FROM legacy")).isEqualTo("kept");
        }
    }

    @Test
    void namesThatNeedQuotingAreQuotedAndTheirUrlsWork() throws Exception {
        clean(List.of("Prov-Mixed"), "Prov-Bot", "Prov-Mixed_owner");

        ProvisionResult r = Provisioner.of(superuserAdmin(), log::add)
                .run(ProvisionRequest.of("Prov-Bot").withDatabase("Prov-Mixed"));

        assertThat(r.actions()).extracting(Action::sql).contains(
                "CREATE ROLE \"Prov-Bot\" LOGIN PASSWORD '****'",
                "CREATE DATABASE \"Prov-Mixed\" OWNER \"Prov-Mixed_owner\"");
        try (Connection owner = connect(r.databaseUrl(r.owner(), true))) {
            exec(owner, "CREATE TABLE t (id int)");
        }
        try (Connection app = connect(r.databaseUrl(r.app(), true))) {
            assertThat(query(app, "SELECT current_user || '@' || current_database()")).isEqualTo("Prov-Bot@Prov-Mixed");
            exec(app, "INSERT INTO t VALUES (1)");
        }
    }

    @Test
    void unusableNamesAreRefusedBeforeConnecting() {
        PostgresTarget nowhere = target("postgres://postgres@localhost:" + TestPostgres.closedPort() + "/postgres");
        for (ProvisionRequest bad : List.of(
                ProvisionRequest.of("bot; DROP TABLE x").withDatabase("mybot"),
                ProvisionRequest.of("pg_bot").withDatabase("mybot"),
                ProvisionRequest.of("bot").withDatabase("my\"bot"),
                ProvisionRequest.of("bot").withDatabase("mybot").withOwner("bot"),
                ProvisionRequest.of("bot").withDatabase("mybot").withSchema("pg_catalog"),
                ProvisionRequest.of("bot"),
                ProvisionRequest.of("b".repeat(64)).withDatabase("mybot"))) {
            assertThatThrownBy(() -> Provisioner.of(nowhere, log::add).run(bad)).as(bad.toString())
                    .isInstanceOf(BotDbException.class)
                    .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.USAGE);
        }
    }
}
