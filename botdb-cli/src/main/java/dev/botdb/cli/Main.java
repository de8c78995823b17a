package dev.botdb.cli;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.Redaction;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import java.util.concurrent.Callable;

/**
 * The {@code botdb} command. Exit codes are those of {@link ErrorCode}; picocli's usage errors
 * exit with 2.
 */
@Command(name = "botdb", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Database toolkit for chat bots: configuration, pool, embedded PostgreSQL.",
        subcommands = {DemoCommand.class, ConfigCommand.class, WaitCommand.class, MigrateCommand.class,
                StatusCommand.class, MigrationCommands.Validate.class, MigrationCommands.MarkApplied.class,
                MigrationCommands.Repair.class, MigrationCommands.Rollback.class, MigrationCommands.New.class,
                MigrationCommands.Reset.class, BackupCommands.Backup.class, BackupCommands.Restore.class,
                InspectCommand.class, MaintainCommand.class, TuneCommand.class,
                DoctorCommand.class, ProvisionCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    @Mixin
    GlobalOptions global;

    @Spec
    CommandSpec spec;

    private final Cli cli;

    Main(Cli cli) {
        this.cli = cli;
        this.global = cli.global; // picocli fills the existing instance, so commands see root-level flags
    }

    /** No command given: show what there is, as a usage error. */
    @Override
    public Integer call() {
        cli.err.println("error: no command given. Start with: botdb demo");
        spec.commandLine().usage(cli.err);
        return ErrorCode.USAGE.exitCode();
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Runs one command line against the given environment; returns the exit code. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return run(args, env, System.in, out, err);
    }

    /** As {@link #run(String[], Map, PrintStream, PrintStream)}, reading answers (reset's "yes") from {@code in}. */
    public static int run(String[] args, Map<String, String> env, java.io.InputStream in, PrintStream out,
                          PrintStream err) {
        Cli cli = new Cli(env, in, out, err);
        CommandLine cmd = new CommandLine(new Main(cli), new Factory(cli));
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean verbose = cli.global.verbose || parseResult.subcommand() != null
                    && parseResult.subcommand().hasMatchedOption("--verbose");
            return report(e, verbose, err);
        });
        cmd.setParameterExceptionHandler((e, args2) -> {
            err.println("error: " + e.getMessage());
            e.getCommandLine().usage(err);
            return ErrorCode.USAGE.exitCode();
        });
        return cmd.execute(args);
    }

    static int report(Exception e, boolean verbose, PrintStream err) {
        if (e instanceof BotDbException b) {
            err.println("error: " + b.getMessage());
            if (verbose) {
                err.println(stackTrace(b));
            }
            return b.code().exitCode();
        }
        err.println("error: unexpected " + e.getClass().getSimpleName() + ": " + Redaction.maskUrl(e.getMessage())
                + (verbose ? "" : " (run again with --verbose for the stack trace, and report it)"));
        if (verbose) {
            err.println(stackTrace(e));
        }
        return ErrorCode.INTERNAL.exitCode();
    }

    private static String stackTrace(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        return Redaction.maskUrl(sw.toString());
    }

    /** Hands every command the shared {@link Cli}. */
    private record Factory(Cli cli) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                return cls.getDeclaredConstructor(Cli.class).newInstance(cli);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"botdb " + (v == null ? "development build" : v)};
        }
    }
}
