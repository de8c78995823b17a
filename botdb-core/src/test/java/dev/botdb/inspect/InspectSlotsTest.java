package dev.botdb.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.CrowdedServer;
import dev.botdb.config.PostgresTarget;
import dev.botdb.inspect.CheckResult.Verdict;
import dev.botdb.config.SslMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code connections} check on a server whose slots for ordinary roles are all taken: inspect
 * gets in as a superuser through the reserved slot and must say that new connections are refused
 * now, not "once N more are open".
 */
class InspectSlotsTest {
    private static CrowdedServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void smallServer() throws Exception {
        server = CrowdedServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private CheckResult connections() {
        return connections(InspectOptions.builder());
    }

    private CheckResult connections(InspectOptions.Builder builder) {
        PostgresTarget superuser = new PostgresTarget("localhost", server.port(), "crowd_db", "postgres", null,
                SslMode.DISABLE, Map.of(), Map.of(), Map.of());
        InspectOptions options = builder.checks(List.of("connections"))
                .historyFile(dir.resolve("history.json")).build();
        return Inspector.of(superuser).run(options).checks().get(0);
    }

    @Test
    void whenEveryOrdinarySlotIsTakenNewConnectionsAreRefusedNow() throws Exception {
        server.fill();
        try {
            CheckResult c = connections();

            assertThat(c.verdict()).as(c.summary()).isEqualTo(Verdict.PROBLEM);
            assertThat(c.summary()).startsWith("5 of 4 usable connections in use")
                    .contains("max_connections 5 less 1 reserved")
                    .endsWith(": new connections are being refused now (\"too many clients already\")");
            assertThat(c.figure("total")).isEqualTo(5L);
            assertThat(c.figure("usable")).isEqualTo(4L);
        } finally {
            server.release();
        }
    }

    @Test
    void withOneOrdinarySlotLeftAWarningSaysHowManyMoreUntilRefusal() throws Exception {
        server.fill();
        server.freeOne();
        server.freeOne();
        try {
            CheckResult c = connections(InspectOptions.builder().connectionsWarn(0.5));

            assertThat(c.verdict()).as(c.summary()).isEqualTo(Verdict.WARN);
            assertThat(c.summary()).startsWith("3 of 4 usable connections in use")
                    .endsWith(": new connections will be refused (\"too many clients already\") once 1 more are open");
        } finally {
            server.release();
        }
    }
}
