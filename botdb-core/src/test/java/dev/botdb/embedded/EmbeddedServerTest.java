package dev.botdb.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.EmbeddedTarget;
import dev.botdb.config.PostgresTarget;
import dev.botdb.pool.Connector;
import dev.botdb.config.BotDbConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default: persistent data folder, atomic first start, orphan clean-up. */
class EmbeddedServerTest {
    @TempDir
    Path project;

    private static Connection connect(EmbeddedServer server) throws SQLException {
        PostgresTarget t = server.target();
        return Connector.open(t, BotDbConfig.fromEnv(Map.of("BOTDB_DATA_DIR", "unused")).pool());
    }

    @Test
    void keepsDataFromOneRunToTheNextAndAnnouncesServerAndFolder() throws Exception {
        EmbeddedTarget target = new EmbeddedTarget(project.resolve(".botdb/postgres"), "default");
        List<String> lines = new CopyOnWriteArrayList<>();
        try (EmbeddedServer server = EmbeddedServer.start(target, lines::add);
             Connection c = connect(server); Statement st = c.createStatement()) {
            assertThat(server.target().database()).isEqualTo("botdb");
            st.execute("CREATE TABLE chats (id bigint PRIMARY KEY, title text)");
            st.execute("INSERT INTO chats VALUES (42, 'persisted')");
        }
        assertThat(lines).singleElement().asString()
                .startsWith("Using embedded PostgreSQL ")
                .contains(project.resolve(".botdb/postgres").toString())
                .contains("set DATABASE_URL to use your own database");
        assertThat(project.resolve(".botdb/postgres/postmaster.pid")).as("stopped cleanly").doesNotExist();

        try (EmbeddedServer again = EmbeddedServer.start(target, l -> { });
             Connection c = connect(again); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT title FROM chats WHERE id = 42")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("persisted");
        }
    }

    @Test
    void leftoversOfAnInterruptedFirstStartAreDiscarded() throws Exception {
        Path dir = project.resolve("pg");
        Path staging = project.resolve("pg.initialising");
        Files.createDirectories(staging.resolve("base"));
        Files.writeString(staging.resolve("PG_VERSION"), "15\n");
        try (EmbeddedServer server = EmbeddedServer.start(new EmbeddedTarget(dir, "test"), l -> { })) {
            assertThat(dir.resolve("PG_VERSION")).exists();
            assertThat(staging).doesNotExist();
        }
    }

    @Test
    void refusesAFolderThatHoldsSomethingElse() throws Exception {
        Path dir = project.resolve("notes");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("important.txt"), "do not delete");
        assertThatThrownBy(() -> EmbeddedServer.start(new EmbeddedTarget(dir, "BOTDB_DATA_DIR"), l -> { }))
                .isInstanceOf(BotDbException.class)
                .hasMessageContaining("is not empty but holds no PostgreSQL data")
                .hasMessageContaining("BOTDB_DATA_DIR")
                .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.EMBEDDED_FAILED);
        assertThat(dir.resolve("important.txt")).hasContent("do not delete");
    }

    @Test
    void refusesAFolderAnotherLiveBotdbIsUsing() throws Exception {
        EmbeddedTarget target = new EmbeddedTarget(project.resolve("shared"), "test");
        try (EmbeddedServer first = EmbeddedServer.start(target, l -> { })) {
            assertThatThrownBy(() -> EmbeddedServer.start(target, l -> { }))
                    .hasMessageContaining("Another botdb process is using the embedded PostgreSQL");
            try (Connection c = connect(first)) {
                assertThat(c.isValid(2)).as("the first server is untouched").isTrue();
            }
        }
    }

    /** A botdb killed with SIGKILL leaves postgres running; the next start stops it and carries on. */
    @Test
    void stopsAServerOrphanedByAKilledProcess() throws Exception {
        Path dir = project.resolve("orphaned");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OrphanMaker.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String childOutput = new String(child.getInputStream().readAllBytes());
        assertThat(child.exitValue()).as(childOutput).isEqualTo(OrphanMaker.EXIT_HALTED);
        long orphanPid = Long.parseLong(Files.readAllLines(dir.resolve("postmaster.pid")).get(0).trim());
        assertThat(ProcessHandle.of(orphanPid)).as("postgres outlived its JVM").isPresent();

        List<String> lines = new CopyOnWriteArrayList<>();
        try (EmbeddedServer server = EmbeddedServer.start(new EmbeddedTarget(dir, "test"), lines::add);
             Connection c = connect(server)) {
            assertThat(c.isValid(2)).isTrue();
        }
        assertThat(lines.get(0)).contains("Stopping an embedded PostgreSQL (pid " + orphanPid + ")");
        assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }
}
