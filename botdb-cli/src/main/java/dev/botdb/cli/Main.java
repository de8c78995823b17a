package dev.botdb.cli;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.Release;
import dev.botdb.backup.tasks.Progress;
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
        description = "Database toolkit for chat bots: configuration, pool, embedded PostgreSQL.")
public final class Main implements Callable<Integer> {
    /**
     * The commands, in the order the usage lists them. Built lazily: picocli turns every command class it is
     * given into a model (annotations, options, help) before it parses, which costs a cold CLI ~150 ms for the
     * whole tree; a command line that names one command gets only that one (see {@link #commandLine(Cli, String...)}).
     */
    private static final Map<String, Class<?>> COMMANDS = commands(
            "demo", DemoCommand.class, "config", ConfigCommand.class, "wait", WaitCommand.class,
            "migrate", MigrateCommand.class, "status", StatusCommand.class, "validate", ValidateCommand.class,
            "mark-applied", MarkAppliedCommand.class, "repair", RepairCommand.class, "rollback", RollbackCommand.class,
            "new", NewCommand.class, "reset", ResetCommand.class, "backup", BackupCommand.class,
            "restore", RestoreCommand.class, "transfer", TransferCommand.class,
            "export", ExportCommand.class, "import", ImportCommand.class, "archive", ArchiveCommand.class,
            "inspect", InspectCommand.class, "maintain", MaintainCommand.class,
            "tune", TuneCommand.class, "doctor", DoctorCommand.class, "provision", ProvisionCommand.class,
            "sql", SqlCommand.class, "psql", PsqlCommand.class, "completion", CompletionCommand.class,
            "help", Main.Help.class);

    /** Other names of commands (their {@code @Command} aliases). */
    private static final Map<String, String> ALIASES = Map.of("up", "migrate");

    /** Commands that need the whole tree: help names the others, completion writes them all out. */
    private static final java.util.Set<String> WHOLE_TREE = java.util.Set.of("help", "completion");

    /**
     * Name, class, name, class, ...: the names are written out rather than read from each class's
     * {@code @Command}, which would parse 22 annotations on every start; CliSurfaceTest checks they agree.
     */
    private static Map<String, Class<?>> commands(Object... nameThenClass) {
        Map<String, Class<?>> byName = new java.util.LinkedHashMap<>();
        for (int i = 0; i < nameThenClass.length; i += 2) {
            byName.put((String) nameThenClass[i], (Class<?>) nameThenClass[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(byName);
    }

    /** The command names, in the usage's order. */
    static java.util.Set<String> commandNames() {
        return COMMANDS.keySet();
    }

    /** Alias to command name. */
    static Map<String, String> aliases() {
        return ALIASES;
    }

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

    /** The whole command tree, each command handed {@code cli}. */
    static CommandLine commandLine(Cli cli) {
        CommandLine root = new CommandLine(new Main(cli), new Factory(cli));
        COMMANDS.values().forEach(root::addSubcommand);
        return root;
    }

    /**
     * The tree {@code args} need: the root with just the command they name (the global options take no
     * values, so that is the first word not starting with '-'), or the whole tree when they name none, an
     * unknown one (for "Did you mean"), help or completion. What the user sees is the same either way.
     */
    static CommandLine commandLine(Cli cli, String... args) {
        String name = java.util.Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse(null);
        java.util.List<String> words = java.util.Arrays.asList(args);
        boolean versionOnly = name == null && (words.contains("--version") || words.contains("-V"))
                && !words.contains("--help") && !words.contains("-h");
        Class<?> only = name == null || WHOLE_TREE.contains(name) ? null
                : COMMANDS.get(ALIASES.getOrDefault(name, name));
        if (only == null && !versionOnly) {
            return commandLine(cli);
        }
        CommandLine root = new CommandLine(new Main(cli), new Factory(cli));
        if (only != null) {
            root.addSubcommand(only);
        }
        return root;
    }

    /** Runs one command line against the given environment; returns the exit code. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return run(args, env, System.in, out, err);
    }

    /** As {@link #run(String[], Map, PrintStream, PrintStream)}, reading answers (reset's "yes") from {@code in}. */
    public static int run(String[] args, Map<String, String> env, java.io.InputStream in, PrintStream out,
                          PrintStream err) {
        return run(args, new Cli(env, in, out, err), true);
    }

    /** As {@link #run(String[], Map, java.io.InputStream, PrintStream, PrintStream)}; tests compare with fast paths off. */
    static int run(String[] args, Cli cli, boolean fastPaths) {
        PrintStream out = cli.out;
        PrintStream err = cli.err;
        Integer waited = fastPaths ? WaitCommand.fastPath(args, cli) : null;
        if (waited != null) {
            return waited;
        }
        CommandLine cmd = commandLine(cli, args);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        cmd.setExecutionStrategy(parseResult -> {
            LogSetup.verbose = verbose(parseResult);
            Progress.switchOff(matched(parseResult, "--no-progress"));
            return new CommandLine.RunLast().execute(parseResult);
        });
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            return report(e, cli.global.verbose || verbose(parseResult), err);
        });
        cmd.setParameterExceptionHandler((e, args2) -> {
            if (unknownCommand(e, err)) {
                return ErrorCode.USAGE.exitCode();
            }
            err.println("error: " + e.getMessage());
            if (!unknownOption(e, err)) {
                e.getCommandLine().usage(err);
            }
            return ErrorCode.USAGE.exitCode();
        });
        return cmd.execute(args);
    }

    /** --verbose before the command or after any command name on the line. */
    private static boolean verbose(CommandLine.ParseResult parseResult) {
        return matched(parseResult, "--verbose");
    }

    /** A global option given before the command or after any command name on the line. */
    private static boolean matched(CommandLine.ParseResult parseResult, String option) {
        for (CommandLine.ParseResult p = parseResult; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption(option)) {
                return true;
            }
        }
        return false;
    }

    /**
     * "Unknown command 'x'" with the closest commands, where picocli would say "Unmatched argument at index 0":
     * a word where a command takes no parameters but has subcommands.
     */
    private static boolean unknownCommand(CommandLine.ParameterException e, PrintStream err) {
        if (!(e instanceof CommandLine.UnmatchedArgumentException u) || u.getUnmatched().isEmpty()) {
            return false;
        }
        CommandLine at = u.getCommandLine();
        String word = u.getUnmatched().get(0);
        if (word.startsWith("-") || at.getSubcommands().isEmpty() || !at.getCommandSpec().positionalParameters().isEmpty()) {
            return false;
        }
        unknownCommand(at, word, err::println);
        return true;
    }

    /** A mistyped option: the closest options and where the help is, not the whole usage. */
    private static boolean unknownOption(CommandLine.ParameterException e, PrintStream err) {
        if (!(e instanceof CommandLine.UnmatchedArgumentException u) || u.getUnmatched().isEmpty()
                || !u.getUnmatched().get(0).startsWith("-")) {
            return false;
        }
        CommandLine at = u.getCommandLine();
        String word = u.getUnmatched().get(0).replaceFirst("=.*", "");
        java.util.List<String> close = closest(word, at.getCommandSpec().options().stream()
                .flatMap(o -> java.util.Arrays.stream(o.names())).collect(java.util.stream.Collectors.toSet()));
        if (!close.isEmpty()) {
            err.println("Did you mean: " + String.join(", ", close) + "?");
        }
        err.println("Options of " + at.getCommandSpec().qualifiedName(" ") + ": "
                + at.getCommandSpec().qualifiedName(" ") + " --help");
        return true;
    }

    private static void unknownCommand(CommandLine at, String word, java.util.function.Consumer<String> err) {
        String where = at.getParent() == null ? "" : " for " + at.getCommandSpec().qualifiedName();
        java.util.List<String> close = closest(word, at.getSubcommands().keySet());
        err.accept("error: Unknown command '" + word + "'" + where + "."
                + (close.isEmpty() ? "" : " Did you mean: " + String.join(", ", close) + "?"));
        err.accept("Commands: " + String.join(", ", at.getSubcommands().keySet())
                + ". Help on one: botdb help " + (where.isEmpty() ? "" : at.getCommandSpec().qualifiedName(" ")
                .replaceFirst("^botdb ", "") + " ") + "COMMAND");
    }

    /** Commands that start like the word, or are at most two edits from it. */
    private static java.util.List<String> closest(String word, java.util.Set<String> names) {
        String w = word.toLowerCase(java.util.Locale.ROOT);
        return names.stream().filter(n -> n.startsWith(w) || w.startsWith(n) && w.length() - n.length() <= 2
                || edits(w, n) <= 2).toList();
    }

    private static int edits(String a, String b) {
        int[] prev = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int[] cur = new int[b.length() + 1];
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1),
                        prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            prev = cur;
        }
        return prev[b.length()];
    }

    static int report(Exception e, boolean verbose, PrintStream err) {
        if (e instanceof BotDbException b) {
            err.println("error: " + Flags.of(b.getMessage()));
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
            K created = CommandLine.defaultFactory().create(cls);
            if (created instanceof BotDbCommand command) {
                command.attach(cli);
            }
            return created;
        }
    }

    /** {@code botdb help [COMMAND [SUBCOMMAND ...]]}: the help of the command named, at any depth. */
    @Command(name = "help", helpCommand = true, description = "Help on a command: botdb help maintain vacuum.")
    static final class Help implements CommandLine.IHelpCommandInitializable2, Callable<Integer> {
        @picocli.CommandLine.Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command, and its subcommands.")
        java.util.List<String> commands = new java.util.ArrayList<>();

        private CommandLine self;
        private PrintWriter out;
        private PrintWriter err;

        @Override
        public void init(CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme, PrintWriter out,
                         PrintWriter err) {
            this.self = helpCommandLine;
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            CommandLine at = self.getParent();
            for (String name : commands) {
                CommandLine next = at.getSubcommands().get(name);
                if (next == null) {
                    unknownCommand(at, name, err::println);
                    return ErrorCode.USAGE.exitCode();
                }
                at = next;
            }
            at.usage(out);
            return 0;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"botdb " + Release.current()};
        }
    }
}
