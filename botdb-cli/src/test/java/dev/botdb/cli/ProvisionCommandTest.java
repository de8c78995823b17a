package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.botdb.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code botdb provision} as an operator types it, against the CLI's test server (PostgreSQL 18,
 * where CREATEROLE and SET ROLE follow the rules of 16+), then the two printed URLs in use.
 */
class ProvisionCommandTest {
    private static final Pattern URL_LINE = Pattern.compile("(?m)^DATABASE_URL=(postgres://([^:@]+)(?::([^@]+))?@.*)$");

    @TempDir
    Path dir;

    private static Map<String, String> admin(String user, String password) {
        return TestPostgres.env("postgres://" + user + (password == null ? "" : ":" + password) + "@localhost:"
                + TestPostgres.port() + "/postgres");
    }

    private static void clean(String database, String... roles) {
        TestPostgres.exec("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        for (String r : roles) {
            TestPostgres.exec("DROP ROLE IF EXISTS " + r);
        }
    }

    private static String count(String sql) throws Exception {
        try (Connection c = TestPostgres.superuser("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** user -> the URL line's URL, and the password in it. */
    private static Map<String, String[]> urls(String out) {
        Map<String, String[]> urls = new java.util.LinkedHashMap<>();
        Matcher m = URL_LINE.matcher(out);
        while (m.find()) {
            urls.put(m.group(2), new String[] {m.group(1), m.group(3)});
        }
        return urls;
    }

    private static int occurrences(String text, String part) {
        return text.split(Pattern.quote(part), -1).length - 1;
    }

    @Test
    void provisionsThenTheOwnerMigratesAndTheBotsDoctorIsAllOk() throws Exception {
        clean("cli_prov_db", "cli_prov_bot", "cli_prov_db_owner");

        CliRun r = CliRun.of(admin("postgres", null), "provision", "--app-user", "cli_prov_bot",
                "--database", "cli_prov_db");

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).contains("  role cli_prov_db_owner: created (owns database cli_prov_db and schema public;"
                        + " for botdb migrate; password generated, shown once)")
                .contains("  database cli_prov_db: created (owned by cli_prov_db_owner)")
                .contains("Provisioning done - created: 3, changed: ");
        Map<String, String[]> urls = urls(r.out());
        assertThat(urls).containsOnlyKeys("cli_prov_db_owner", "cli_prov_bot");
        String ownerPw = urls.get("cli_prov_db_owner")[1];
        String appPw = urls.get("cli_prov_bot")[1];
        assertThat(ownerPw).matches("[A-Za-z0-9_-]{32}");
        assertThat(appPw).matches("[A-Za-z0-9_-]{32}");
        assertThat(occurrences(r.out(), ownerPw)).isEqualTo(1);
        assertThat(occurrences(r.out(), appPw)).isEqualTo(1);
        assertThat(r.err()).doesNotContain(ownerPw).doesNotContain(appPw);

        Files.createDirectories(dir.resolve("migrations"));
        Files.writeString(dir.resolve("migrations/001_scores.sql"),
                "CREATE TABLE scores (id bigserial PRIMARY KEY, points int NOT NULL);");
        CliRun migrate = CliRun.of(TestPostgres.env(urls.get("cli_prov_db_owner")[0], "MIGRATIONS_PATH",
                dir.resolve("migrations").toString()), "migrate");
        assertThat(migrate.exitCode()).as(migrate.all()).isZero();

        CliRun doctor = CliRun.of(TestPostgres.env(urls.get("cli_prov_bot")[0], "MIGRATIONS_PATH",
                dir.resolve("migrations").toString()), "doctor");
        assertThat(doctor.exitCode()).as(doctor.all()).isZero();
        assertThat(doctor.out()).contains("cli_prov_bot cannot CREATE in schema public (owner pg_database_owner, i.e."
                        + " cli_prov_db_owner): a read/write role, fine while no migration is pending")
                .contains("1 applied, none pending");

        CliRun again = CliRun.of(admin("postgres", null), "provision", "--app-user", "cli_prov_bot",
                "--database", "cli_prov_db");
        assertThat(again.exitCode()).as(again.all()).isZero();
        assertThat(again.out()).contains("  role cli_prov_bot: exists, unchanged (the bot's least-privilege role;"
                        + " its password is kept)")
                .contains("Nothing to change: everything was already in place - created: 0, changed: 0")
                .contains("DATABASE_URL=postgres://cli_prov_bot@localhost:" + TestPostgres.port() + "/cli_prov_db\n")
                .doesNotContain(ownerPw).doesNotContain(appPw).doesNotContain("generated passwords are shown");
    }

    @Test
    void aDryRunPrintsTheSqlWithPasswordsMaskedAndCreatesNothing() throws Exception {
        clean("cli_dry_db", "cli_dry_bot", "cli_dry_db_owner");

        CliRun r = CliRun.of(admin("postgres", null), "provision", "--app-user", "cli_dry_bot", "--database",
                "cli_dry_db", "--dry-run");

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).contains("-- SQL that would run (passwords masked):\n"
                + "CREATE ROLE cli_dry_db_owner LOGIN PASSWORD '****';\n"
                + "CREATE ROLE cli_dry_bot LOGIN PASSWORD '****';\n"
                + "CREATE DATABASE cli_dry_db OWNER cli_dry_db_owner;\n"
                + "GRANT CONNECT ON DATABASE cli_dry_db TO cli_dry_bot;\n"
                + "GRANT USAGE ON SCHEMA public TO cli_dry_bot;\n")
                .contains("ALTER DEFAULT PRIVILEGES FOR ROLE cli_dry_db_owner IN SCHEMA public GRANT SELECT, INSERT,"
                        + " UPDATE, DELETE ON TABLES TO cli_dry_bot;")
                .doesNotContain("DATABASE_URL=");
        assertThat(count("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'cli_dry%'")).isEqualTo("0");
        assertThat(count("SELECT count(*) FROM pg_database WHERE datname = 'cli_dry_db'")).isEqualTo("0");
    }

    @Test
    void anAdminWithoutTheAttributesExitsNineteen() {
        TestPostgres.exec("DROP ROLE IF EXISTS cli_plain", "CREATE ROLE cli_plain LOGIN PASSWORD 'Cli-Plain-1'");

        CliRun r = CliRun.of(admin("cli_plain", "Cli-Plain-1"), "provision", "--app-user", "x", "--database", "x_db");

        assertThat(r.exitCode()).as(r.all()).isEqualTo(19);
        assertThat(r.err()).contains("error: Role cli_plain (from DATABASE_URL) may not provision: it lacks CREATEDB and"
                + " CREATEROLE").contains("ALTER ROLE cli_plain CREATEDB CREATEROLE;").doesNotContain("Cli-Plain-1");
    }

    @Test
    void aCreateroleAdminOnPostgres18ProvisionsThroughMembershipInTheOwner() throws Exception {
        clean("cli_cloud_db", "cli_cloud_bot", "cli_cloud_db_owner", "cli_cloud_admin");
        TestPostgres.exec("CREATE ROLE cli_cloud_admin LOGIN CREATEDB CREATEROLE PASSWORD 'Cli-Cloud-1'");

        CliRun r = CliRun.of(admin("cli_cloud_admin", "Cli-Cloud-1"), "provision", "--app-user", "cli_cloud_bot",
                "--database", "cli_cloud_db", "--json");

        assertThat(r.exitCode()).as(r.all()).isZero();
        Map<String, Object> json = JSON.std.mapFrom(r.out());
        assertThat(json).containsEntry("database", "cli_cloud_db").containsEntry("changed", true)
                .containsEntry("dry_run", false);
        @SuppressWarnings("unchecked")
        Map<String, Object> app = (Map<String, Object>) json.get("app");
        @SuppressWarnings("unchecked")
        Map<String, Object> owner = (Map<String, Object>) json.get("owner");
        assertThat(app).containsEntry("name", "cli_cloud_bot").containsEntry("created", true);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> actions = (List<Map<String, Object>>) json.get("actions");
        assertThat(actions).extracting(a -> a.get("sql"))
                .contains("GRANT cli_cloud_db_owner TO cli_cloud_admin", "CREATE ROLE cli_cloud_bot LOGIN PASSWORD '****'");

        Files.createDirectories(dir.resolve("m"));
        Files.writeString(dir.resolve("m/001_t.sql"), "CREATE TABLE t (id bigserial PRIMARY KEY, v text);");
        CliRun migrate = CliRun.of(TestPostgres.env((String) owner.get("database_url"), "MIGRATIONS_PATH",
                dir.resolve("m").toString()), "migrate");
        assertThat(migrate.exitCode()).as(migrate.all()).isZero();
        try (Connection c = dev.botdb.pool.Connector.open((dev.botdb.config.PostgresTarget) dev.botdb.config.BotDbConfig
                .fromEnv(TestPostgres.env((String) app.get("database_url"))).target());
             Statement st = c.createStatement()) {
            st.execute("INSERT INTO t (v) VALUES ('ok')");
            try (ResultSet rs = st.executeQuery("SELECT v FROM t")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("ok");
            }
        }
    }

    @Test
    void aSqliteUrlIsAUsageError() {
        CliRun r = CliRun.of(TestPostgres.env("sqlite:///" + dir.resolve("bot.db")), "provision", "--app-user", "bot");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("botdb provision sets up roles on a PostgreSQL server");
    }
}
