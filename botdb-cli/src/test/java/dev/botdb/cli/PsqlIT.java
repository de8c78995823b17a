package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.TestPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code botdb psql} runs Debian's psql (installed by .ci/run) on the resolved connection; psql's
 * own environment, printed with {@code \! env}, shows the pass file and no password.
 */
class PsqlIT {
    private static final String PASSWORD = "Ps9l-Secret";

    @BeforeAll
    static void user() {
        TestPostgres.createUserWithDatabase("psql_bot", PASSWORD, "psql_db");
    }

    private String run(String... psqlArgs) throws Exception {
        List<String> command = new ArrayList<>(List.of("java", "-jar", JarRun.JAR.toString(), "psql", "--"));
        command.addAll(List.of(psqlArgs));
        return JarRun.ok(command, Map.of("DATABASE_URL", "postgres://psql_bot:" + PASSWORD + "@localhost:"
                + TestPostgres.port() + "/psql_db?sslmode=disable"), List.of("PG"));
    }

    @Test
    void psqlRunsOnTheResolvedConnectionWithThePasswordInAPassFile() throws Exception {
        assertThat(run("-At", "-c", "SELECT current_user || '@' || current_database()")).contains("psql_bot@psql_db");

        String env = run("-c", "\\! env");
        assertThat(env).contains("PGPASSFILE=").contains("PGUSER=psql_bot").contains("PGDATABASE=psql_db")
                .doesNotContain("PGPASSWORD").doesNotContain(PASSWORD);
    }
}
