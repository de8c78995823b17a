package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A role whose own CONNECTION LIMIT is used up: {@code botdb status} must blame the role's limit
 * (not the server's max_connections) and print the ALTER ROLE line that lifts it, and that line,
 * run as a superuser, must let the next {@code botdb status} in.
 */
class ConnectionLimitCommandTest {
    private static final String PASSWORD = "L1mit-Ed";

    @BeforeAll
    static void limitedRole() {
        TestPostgres.createUserWithDatabase("limited_bot", PASSWORD, "limited_db");
        TestPostgres.exec("ALTER ROLE limited_bot CONNECTION LIMIT 1");
    }

    @TempDir
    Path migrations;

    @Test
    void statusNamesTheRolesLimitAndItsAlterRoleLineLiftsIt() throws Exception {
        String url = "postgres://limited_bot:" + PASSWORD + "@localhost:" + TestPostgres.port() + "/limited_db";
        CliRun refused;
        try (Connection holder = DriverManager.getConnection("jdbc:postgresql://localhost:" + TestPostgres.port()
                + "/limited_db", "limited_bot", PASSWORD)) {
            refused = CliRun.of(TestPostgres.env(url, "BOTDB_CONNECT_ATTEMPTS", "1", "MIGRATIONS_PATH", migrations.toString()), "status");
        }

        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(4);
        assertThat(refused.err()).contains("too many connections for role \"limited_bot\"")
                .contains("own CONNECTION LIMIT is used up (not the server's max_connections)")
                .doesNotContain("The server's max_connections is used up").doesNotContain(PASSWORD);
        Matcher fix = Pattern.compile("ALTER ROLE \\S+ CONNECTION LIMIT -1;").matcher(refused.err());
        assertThat(fix.find()).as(refused.err()).isTrue();
        assertThat(fix.group()).isEqualTo("ALTER ROLE limited_bot CONNECTION LIMIT -1;");

        try (Connection holder = DriverManager.getConnection("jdbc:postgresql://localhost:" + TestPostgres.port()
                + "/limited_db", "limited_bot", PASSWORD)) {
            TestPostgres.exec(fix.group());
            CliRun after = CliRun.of(TestPostgres.env(url, "BOTDB_CONNECT_ATTEMPTS", "1", "MIGRATIONS_PATH", migrations.toString()), "status");
            assertThat(after.exitCode()).as(after.all()).isZero();
        }
    }
}
