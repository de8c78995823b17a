package dev.botdb.backup.external;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.config.PostgresTarget;
import dev.botdb.config.Secret;
import dev.botdb.config.SslMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a botdb killed with SIGKILL left for its client programs is cleaned up by the next run. */
class ChildCleanupTest {
    @Test
    void aPassFileLeftByAKilledBotdbIsDeletedWhenTheNextOneIsWritten() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path stale = Files.writeString(tmp.resolve("botdb-pgpass-pid" + gone.pid() + "-123"), "*:*:*:*:old\n");
        Path live = Files.writeString(tmp.resolve("botdb-pgpass-pid" + ProcessHandle.current().pid() + "-456"),
                "*:*:*:*:mine\n");
        PostgresTarget target = new PostgresTarget("localhost", 5432, "x", "bot", Secret.of("pw"), SslMode.DISABLE,
                Map.of(), Map.of(), Map.of());
        try (ChildEnvironment env = ChildEnvironment.forTarget(Map.of(), target, Tool.PG_DUMP)) {
            assertThat(env.passFile().getFileName().toString())
                    .startsWith("botdb-pgpass-pid" + ProcessHandle.current().pid() + "-");
            assertThat(stale).doesNotExist();
            assertThat(live).exists();
        } finally {
            Files.deleteIfExists(live);
            Files.deleteIfExists(stale);
        }
    }
}
