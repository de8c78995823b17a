package dev.botdb.dist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.dist.Tarballs.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The x86_64 tarball on a machine without Java, as the README's Install section has a user do it:
 * unpacked into an empty folder, run with JAVA_HOME unset and no java on PATH, against its embedded
 * default (nothing configured): config, migrate, status, backup, backup verify.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TarballIT {
    @TempDir
    static Path dir;

    static Path home;
    static Path project;
    static Map<String, String> env;

    @BeforeAll
    static void unpack() throws Exception {
        // a folder name with a space: bin/botdb quotes every path it builds
        Path empty = Files.createDirectories(dir.resolve("my tools"));
        try (var list = Files.list(empty)) {
            assertThat(list).isEmpty();
        }
        home = Tarballs.unpack("x86_64", empty);
        project = Files.createDirectories(dir.resolve("mybot"));
        Files.createDirectories(project.resolve("migrations"));
        Files.writeString(project.resolve("migrations/001_users.sql"),
                "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);\n"
                        + "INSERT INTO users VALUES (1, 'alice'), (2, 'bob');\n");
        Files.writeString(project.resolve("migrations/002_chats.sql"),
                "CREATE TABLE chats (id bigint PRIMARY KEY, owner bigint REFERENCES users (id));\n");
        env = new HashMap<>();
        env.put("PATH", Tarballs.pathWithoutJava(dir.resolve("bin")).toString());
        env.put("HOME", Files.createDirectories(dir.resolve("home")).toString());
    }

    private static Result botdb(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/botdb").toString()));
        command.addAll(List.of(args));
        return Tarballs.run(command, project, env);
    }

    @Test
    @Order(0)
    void theMachineHasNoJavaForTheTarballToFallBackOn() throws Exception {
        Result which = Tarballs.run(List.of("sh", "-c", "command -v java || command -v javac || echo none"), project, env);
        assertThat(which.output().strip()).isEqualTo("none");
        assertThat(env).doesNotContainKey("JAVA_HOME");
    }

    @Test
    @Order(1)
    void versionRunsOnTheShippedRuntimeAndTheFirstRunMakesTheSharingArchive() throws Exception {
        Result v = botdb("--version");
        assertThat(v.exit()).as(v.output()).isZero();
        assertThat(v.output()).startsWith("botdb " + System.getProperty("botdb.version"));
        assertThat(home.resolve("lib/botdb.jsa")).isRegularFile();
        // -Xshare:on makes the JVM refuse to start unless the archive maps: later runs really use it
        env.put("BOTDB_JAVA_OPTS", "-Xshare:on");
        try {
            Result shared = botdb("--version");
            assertThat(shared.exit()).as(shared.output()).isZero();
        } finally {
            env.remove("BOTDB_JAVA_OPTS");
        }
    }

    @Test
    @Order(2)
    void configShowsTheEmbeddedDefault() throws Exception {
        Result r = botdb("config");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).containsIgnoringCase("embedded");
    }

    @Test
    @Order(3)
    void migrateAppliesTheBotsFilesOnTheEmbeddedServer() throws Exception {
        Result r = botdb("migrate");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("Using embedded PostgreSQL").contains("001_users.sql").contains("002_chats.sql");
    }

    @Test
    @Order(4)
    void statusShowsBothApplied() throws Exception {
        Result r = botdb("status", "--json");
        assertThat(r.exit()).as(r.output()).isZero();
        String json = r.output().replaceAll("\\s", "");
        assertThat(json).contains("\"version\":\"001_users.sql\",\"state\":\"applied\"")
                .contains("\"version\":\"002_chats.sql\",\"state\":\"applied\"");
    }

    @Test
    @Order(5)
    void backupWritesAnArchiveThatVerifyRestoresAndChecks() throws Exception {
        Result b = botdb("backup", "--json");
        assertThat(b.exit()).as(b.output()).isZero();
        try (var list = Files.list(project.resolve("backups"))) {
            assertThat(list.filter(p -> p.toString().endsWith(".botdb"))).hasSize(1);
        }
        Result v = botdb("backup", "verify");
        assertThat(v.exit()).as(v.output()).isZero();
        // the bot's two tables and botdb's history: 2 users rows, 2 history rows
        assertThat(v.output()).containsPattern("verified: 4 tables, 4 rows restore and match the manifest");
    }

    @Test
    @Order(6)
    void aSymlinkOnPathRunsTheSameInstallWithItsSharingArchive() throws Exception {
        // the README's "ln -s /opt/botdb/bin/botdb /usr/local/bin/botdb"
        Path link = Files.createDirectories(dir.resolve("links")).resolve("botdb");
        Files.createSymbolicLink(link, home.resolve("bin/botdb"));
        long archiveMade = Files.getLastModifiedTime(home.resolve("lib/botdb.jsa")).toMillis();
        Map<String, String> viaLink = new HashMap<>(env);
        viaLink.put("BOTDB_JAVA_OPTS", "-Xshare:on"); // refuses to start unless the archive maps
        Result r = Tarballs.run(List.of(link.toString(), "--version"), project, viaLink);
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).startsWith("botdb ");
        assertThat(Files.getLastModifiedTime(home.resolve("lib/botdb.jsa")).toMillis()).isEqualTo(archiveMade);
    }
}
