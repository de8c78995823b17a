package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code botdb psql} runs Debian's psql (installed by .ci/run) on the resolved connection; psql's
 * own environment, printed with {@code \! env}, shows the pass file and no password.
 */
class PsqlIT {
    private static final Path JAR = Path.of("target", "botdb.jar").toAbsolutePath();
    private static final String PASSWORD = "Ps9l-Secret";

    @BeforeAll
    static void user() {
        TestPostgres.createUserWithDatabase("psql_bot", PASSWORD, "psql_db");
    }

    private String run(String... psqlArgs) throws Exception {
        List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString(), "psql", "--"));
        command.addAll(List.of(psqlArgs));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("DATABASE_URL", "postgres://psql_bot:" + PASSWORD + "@localhost:" + TestPostgres.port()
                + "/psql_db?sslmode=disable");
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void psqlRunsOnTheResolvedConnectionWithThePasswordInAPassFile() throws Exception {
        assertThat(run("-At", "-c", "SELECT current_user || '@' || current_database()")).contains("psql_bot@psql_db");

        String env = run("-c", "\\! env");
        assertThat(env).contains("PGPASSFILE=").contains("PGUSER=psql_bot").contains("PGDATABASE=psql_db")
                .doesNotContain("PGPASSWORD").doesNotContain(PASSWORD);
    }
}
