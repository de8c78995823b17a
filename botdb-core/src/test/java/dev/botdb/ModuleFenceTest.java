package dev.botdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fence {@code module-info.java} puts around the library, tried as a Java bot on the module
 * path would: a bot's nightly backup in three lines compiles and runs against a real server, and a
 * bot that reaches for an internal package does not compile.
 */
class ModuleFenceTest {
    /** The library's run-time dependencies, by jar name; test libraries stay out of the bot's path. */
    private static final List<String> RUNTIME_JARS = List.of("postgresql-", "HikariCP-", "sqlite-jdbc-", "slf4j-api-",
            "zstd-jni-", "jackson-jr-objects-", "jackson-core-", "commons-csv-", "commons-io-", "commons-codec-");

    @TempDir
    Path dir;

    private static String modulePath() throws Exception {
        Set<String> entries = new LinkedHashSet<>();
        entries.add(Path.of(BotDb.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(property, "");
            for (String entry : value.split(File.pathSeparator)) {
                String name = Path.of(entry).getFileName() == null ? "" : Path.of(entry).getFileName().toString();
                if (name.endsWith(".jar") && RUNTIME_JARS.stream().anyMatch(name::startsWith)) {
                    entries.add(entry);
                }
            }
        }
        assertThat(entries).as("the library and each run-time dependency").hasSize(RUNTIME_JARS.size() + 1);
        return String.join(File.pathSeparator, entries);
    }

    /** Compiles one class of a bot against the library on the module path; the compiler's output, or "" when it compiled. */
    private String compile(String className, String source) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Path file = Files.writeString(src.resolve(className + ".java"), source);
        Run javac = run(List.of(tool("javac"), "--module-path", modulePath(), "--add-modules", "dev.botdb",
                "-d", dir.resolve("classes").toString(), file.toString()), System.getenv());
        return javac.exit() == 0 ? "" : javac.output();
    }

    private record Run(int exit, String output) {
    }

    private static String tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private static Run run(List<String> command, java.util.Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        return new Run(p.exitValue(), output);
    }

    @Test
    void aBotsNightlyBackupIsThreeLinesAndRunsOnTheModulePath() throws Exception {
        TestPostgres.createUserWithDatabase("fenced_bot", "Fenc3d-pass", "fenced_db");
        TestPostgres.exec("ALTER ROLE fenced_bot CREATEDB");
        String errors = compile("Nightly", """
                import dev.botdb.BotDb;

                public class Nightly {
                    public static void main(String[] args) {
                        try (BotDb db = BotDb.fromEnv()) {
                            System.out.println("backup " + db.backups().backup().file());
                        }
                    }
                }
                """);
        assertThat(errors).isEmpty();

        Path backups = dir.resolve("nightly");
        Run nightly = run(List.of(tool("java"), "--module-path", modulePath(), "--add-modules", "dev.botdb",
                "-cp", dir.resolve("classes").toString(), "Nightly"),
                TestPostgres.env("postgres://fenced_bot:Fenc3d-pass@localhost:" + TestPostgres.port()
                        + "/fenced_db?sslmode=disable", "BACKUP_DIR", backups.toString()));

        assertThat(nightly.exit()).as(nightly.output()).isZero();
        assertThat(nightly.output()).contains("backup " + backups.resolve("")).doesNotContain("Fenc3d-pass");
        try (Stream<Path> files = Files.list(backups)) {
            assertThat(files.map(f -> f.getFileName().toString()).collect(Collectors.toList()))
                    .singleElement().asString().startsWith("fenced_db-").endsWith(".botdb");
        }
    }

    @Test
    void aBotThatReachesForAnInternalPackageDoesNotCompile() throws Exception {
        String errors = compile("Sneaky", """
                import dev.botdb.pool.Connector;

                public class Sneaky {
                    public static void main(String[] args) {
                        System.out.println(Connector.FIRST_RETRY_DELAY);
                    }
                }
                """);

        assertThat(errors).contains("package dev.botdb.pool is not visible")
                .contains("does not export it");
    }
}
