package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import dev.botdb.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** What the botdb command says around the commands themselves: help, unknown commands, refused flags, library logs. */
class CliSurfaceTest {
    @TempDir
    Path dir;

    private Map<String, String> env(String... more) {
        Map<String, String> env = new HashMap<>(TestPostgres.env("postgres://postgres@localhost:" + TestPostgres.port()
                + "/postgres", "BACKUP_DIR", dir.toString()));
        for (int i = 0; i + 1 < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    @Test
    void helpForASubcommandAtAnyDepthPrintsThatSubcommandsHelp() {
        CliRun vacuum = CliRun.of(env(), "help", "maintain", "vacuum");
        assertThat(vacuum.exitCode()).as(vacuum.all()).isZero();
        assertThat(vacuum.out()).contains("Usage: botdb maintain vacuum");
        CliRun prune = CliRun.of(env(), "help", "backup", "prune");
        assertThat(prune.exitCode()).as(prune.all()).isZero();
        assertThat(prune.out()).contains("Usage: botdb backup prune");
        CliRun backup = CliRun.of(env(), "help", "backup");
        assertThat(backup.out()).contains("Usage: botdb backup ");
        CliRun wrong = CliRun.of(env(), "help", "backup", "prunee");
        assertThat(wrong.exitCode()).isEqualTo(2);
        assertThat(wrong.err()).contains("Unknown command 'prunee'").contains("prune");
    }

    @Test
    void verboseAfterASubcommandTwoLevelsDownPrintsTheStackTrace() {
        CliRun run = CliRun.of(env("BACKUP_ENCRYPTION_KEY", ""), "backup", "list", "--out", dir.toString());
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err()).doesNotContain("\tat ");
        CliRun verbose = CliRun.of(env("BACKUP_ENCRYPTION_KEY", ""), "backup", "verify", "--verbose");
        assertThat(verbose.exitCode()).isEqualTo(3);
        assertThat(verbose.err()).contains("BACKUP_ENCRYPTION_KEY is set but empty").contains("\tat ");
    }

    @Test
    void anUnknownCommandIsNamedWithTheClosestCommandsAndExits2() {
        CliRun run = CliRun.of(env(), "migrat");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown command 'migrat'").contains("migrate")
                .doesNotContain("Unmatched argument");
        CliRun sub = CliRun.of(env(), "backup", "lst");
        assertThat(sub.exitCode()).isEqualTo(2);
        assertThat(sub.err()).contains("Unknown command 'lst' for botdb backup").contains("list")
                .doesNotContain("Unmatched argument");
    }

    @Test
    void aBlankEncryptionKeyIsAConfigurationErrorNotAnUnencryptedBackup() {
        for (String blank : new String[] {"", "   "}) {
            CliRun run = CliRun.of(env("BACKUP_ENCRYPTION_KEY", blank), "backup");
            assertThat(run.exitCode()).as(run.all()).isEqualTo(3);
            assertThat(run.err()).contains("BACKUP_ENCRYPTION_KEY is set but empty").contains("unset it");
            assertThat(dir.toFile().list()).isEmpty();
        }
    }

    @Test
    void restoreToRefusesEveryFormOfPasswordOnTheCommandLine() {
        String port = String.valueOf(TestPostgres.port());
        for (String url : new String[] {
                "postgres://postgres:secretpw@localhost:" + port + "/x",
                "postgres://postgres@localhost:" + port + "/x?password=secretpw",
                "postgresql://postgres@localhost:" + port + "/x?sslmode=disable&password=secretpw",
                "postgres://postgres@localhost:" + port + "/x?sslpassword=secretpw",
                "jdbc:postgresql://localhost:" + port + "/x?user=postgres&password=secretpw",
                "jdbc:postgresql://localhost:" + port + "/x?PASSWORD=secretpw"}) {
            CliRun run = CliRun.of(env(), "restore", dir.resolve("none.botdb").toString(), "--to", url);
            assertThat(run.exitCode()).as(url + ": " + run.all()).isEqualTo(2);
            assertThat(run.err()).as(url).contains("--to has a password in it").doesNotContain("secretpw");
        }
    }

    @Test
    void aLibraryWarningWithAnExceptionIsOneLineAndItsTraceOnlyWithVerbose() throws Exception {
        String quiet = stderrOf(false);
        assertThat(quiet).contains("warning: Connection marked as broken").doesNotContain("EOFException")
                .doesNotContain("\tat ");
        String verbose = stderrOf(true);
        assertThat(verbose).contains("warning: Connection marked as broken").contains("java.io.EOFException")
                .contains("\tat ");
    }

    /**
     * Logs a HikariCP-like warning after a command ran, as the pool does when a connection breaks, through the
     * CLI's own logging setup (LogSetup), applied here again over whatever the test run configured.
     */
    private String stderrOf(boolean verbose) throws Exception {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        try {
            context.reset();
            LogSetup setup = new LogSetup();
            setup.setContext(context);
            setup.configure(context);
            Map<String, String> env = env();
            CliRun run = verbose ? CliRun.of(env, "--verbose", "config") : CliRun.of(env, "config");
            assertThat(run.exitCode()).as(run.all()).isZero();
            LoggerFactory.getLogger("com.zaxxer.hikari.pool.ProxyConnection")
                    .warn("Connection marked as broken", new java.io.EOFException("end of stream"));
        } finally {
            System.setErr(saved);
            context.reset();
            new ContextInitializer(context).autoConfig();
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    /** Every command path of the tree: maintain vacuum, backup prune, ... (the help command aside). */
    private static List<List<String>> commandPaths() {
        Cli cli = new Cli(Map.of(), System.in, System.out, System.err);
        List<List<String>> paths = new java.util.ArrayList<>();
        collect(Main.commandLine(cli), List.of(), paths);
        return paths;
    }

    private static void collect(picocli.CommandLine command, List<String> path, List<List<String>> out) {
        command.getSubcommands().forEach((name, sub) -> {
            if (!name.equals(sub.getCommandName()) || name.equals("help")) {
                return; // an alias (up) or the help command itself
            }
            List<String> p = new java.util.ArrayList<>(path);
            p.add(name);
            out.add(p);
            collect(sub, p, out);
        });
    }

    @Test
    void everyCommandAndSubcommandAnswersHelpAndGlobalOptionsAfterIt() {
        List<List<String>> paths = commandPaths();
        assertThat(paths).extracting(p -> String.join(" ", p))
                .contains("migrate", "status", "backup", "backup verify", "backup list", "backup prune", "restore",
                        "maintain vacuum", "maintain kill-idle", "inspect", "tune", "doctor", "provision", "repair");
        for (List<String> path : paths) {
            String usage = "Usage: botdb " + String.join(" ", path);
            for (String flag : List.of("--help", "-h")) {
                List<String> args = new java.util.ArrayList<>(path);
                args.add(flag);
                CliRun run = CliRun.of(env(), args.toArray(String[]::new));
                assertThat(run.exitCode()).as(args + ": " + run.all()).isZero();
                assertThat(run.out()).as(String.join(" ", args)).contains(usage);
            }
            List<String> viaHelp = new java.util.ArrayList<>(List.of("help"));
            viaHelp.addAll(path);
            CliRun help = CliRun.of(env(), viaHelp.toArray(String[]::new));
            assertThat(help.out()).as(String.join(" ", viaHelp)).contains(usage);
            List<String> global = new java.util.ArrayList<>(path);
            global.addAll(List.of("--verbose", "--allow-insecure", "--help"));
            CliRun after = CliRun.of(env(), global.toArray(String[]::new));
            assertThat(after.exitCode()).as(global + ": " + after.all()).isZero();
        }
    }

    @Test
    void backupListAcceptsVerboseAfterItself() {
        CliRun run = CliRun.of(env(), "backup", "list", "--verbose");
        assertThat(run.exitCode()).as(run.all()).isZero();
    }

    @Test
    void aMistypedOptionGetsTheClosestOptionsNotTheWholeUsage() {
        CliRun run = CliRun.of(env(), "migrate", "--dry-rn");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("error: Unknown option: '--dry-rn'").contains("Did you mean: --dry-run?")
                .contains("Options of botdb migrate: botdb migrate --help").doesNotContain("Usage:");
    }

    @Test
    void versionPrintsTheReleaseAndTheCommit() {
        CliRun run = CliRun.of(env(), "--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out().strip()).matches("botdb \\d+\\.\\d+\\.\\d+\\S* \\(commit [0-9a-f]{10}(-dirty)?\\)");
    }

    @Test
    void theCommandNamesWrittenOutInMainAreTheNamesTheCommandsDeclare() {
        picocli.CommandLine whole = Main.commandLine(new Cli(Map.of(), System.in, System.out, System.err));
        // picocli's map holds each name and each alias
        java.util.Set<String> names = new java.util.LinkedHashSet<>(Main.commandNames());
        names.addAll(Main.aliases().keySet());
        assertThat(whole.getSubcommands().keySet()).containsExactlyInAnyOrderElementsOf(names);
        whole.getSubcommands().forEach((name, sub) -> assertThat(sub.getCommandSpec().name())
                .isEqualTo(Main.aliases().getOrDefault(name, name)));
    }

    @Test
    void aCommandLineThatNamesOneCommandBuildsOnlyThatCommandAndBehavesAsTheWholeTree() {
        Cli cli = new Cli(Map.of(), System.in, System.out, System.err);
        assertThat(Main.commandLine(cli, "--verbose", "status", "--json").getSubcommands().keySet())
                .containsExactly("status");
        assertThat(Main.commandLine(cli, "up").getSubcommands().keySet()).containsExactlyInAnyOrder("migrate", "up");
        assertThat(Main.commandLine(cli, "--version").getSubcommands()).isEmpty();
        // help, completion, an unknown word and no command at all need every name
        for (String[] args : new String[][] {{"help", "status"}, {"completion", "bash"}, {"statsu"}, {}, {"--help"}}) {
            assertThat(Main.commandLine(cli, args).getSubcommands().keySet()).as(String.join(" ", args))
                    .containsAll(Main.commandNames());
        }
        // the one-command tree gives the same help and the same option errors as the whole tree
        CliRun help = CliRun.of(env(), "status", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Usage: botdb status");
        CliRun typo = CliRun.of(env(), "status", "--jsno");
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err()).contains("Did you mean: --json?");
    }
}
