package dev.botdb.cli;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.EmbeddedTarget;
import dev.botdb.pool.Connector;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code botdb wait}: a compose health check / entrypoint guard that, unlike {@code pg_isready},
 * succeeds only when the configured user can log in to the configured database and run a query.
 */
@Command(name = "wait", description = "Wait until the database accepts a query. Exit 0 when it does,"
        + " 8 with the last error when the timeout passes.")
final class WaitCommand extends BotDbCommand {
    static final String DEFAULT_TIMEOUT = "60s";

    @Option(names = "--timeout", defaultValue = DEFAULT_TIMEOUT, paramLabel = "DURATION",
            description = "How long to keep trying: 500ms, 30s, 2m, 1h (default ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing on success.")
    boolean quiet;

    @Override
    public Integer call() {
        return await(cli, timeout, quiet, this::config);
    }

    private static int await(Cli cli, String timeout, boolean quiet, java.util.function.Supplier<BotDbConfig> configured) {
        Duration limit = DurationText.parse("--timeout", timeout);
        BotDbConfig config = configured.get();
        if (config.target() instanceof EmbeddedTarget) {
            throw new BotDbException(ErrorCode.CONFIG_INVALID, "No database is configured, so there is nothing to wait"
                    + " for (botdb would start its embedded server). Set DATABASE_URL to the server to wait for, e.g."
                    + " DATABASE_URL=postgres://bot:secret@postgres:5432/mybot botdb wait --timeout 60s");
        }
        config.requireSecure();
        Connector.WaitResult r = Connector.waitUntilReady(config.target(), config.pool(), limit,
                quiet ? line -> { } : cli.err::println);
        if (!quiet) {
            // written out rather than printf'd: Formatter and its locale data are ~15 ms of a cold health check
            long tenths = (r.waited().toMillis() + 50) / 100;
            cli.out.println("Database ready: " + r.server() + " at " + config.target().displayName() + " after "
                    + tenths / 10 + "." + tenths % 10 + " s");
        }
        return 0;
    }

    /**
     * {@code botdb wait} as health checks write it, run without building picocli's model (about 60 ms of a
     * 200 ms cold start): the line may hold only wait, its options and the global flags, in any order.
     * Anything else (help, a typo, a missing value) returns null and goes through picocli, which explains it.
     */
    static Integer fastPath(String[] args, Cli cli) {
        String timeout = DEFAULT_TIMEOUT;
        boolean quiet = false;
        boolean verbose = false;
        boolean seenWait = false;
        GlobalOptions flags = new GlobalOptions();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "wait" -> {
                    if (seenWait) {
                        return null;
                    }
                    seenWait = true;
                }
                case "-q", "--quiet" -> {
                    if (!seenWait) {
                        return null; // wait's own option: picocli refuses it before the command
                    }
                    quiet = true;
                }
                case "--verbose" -> verbose = true;
                case "--allow-insecure" -> flags.allowInsecure = true;
                case "--no-progress" -> flags.noProgress = true;
                case "--timeout" -> {
                    if (!seenWait || i + 1 >= args.length || args[i + 1].startsWith("-")) {
                        return null;
                    }
                    timeout = args[++i];
                }
                default -> {
                    if (!seenWait || !a.startsWith("--timeout=") || a.length() == "--timeout=".length()) {
                        return null;
                    }
                    timeout = a.substring("--timeout=".length());
                }
            }
        }
        if (!seenWait) {
            return null;
        }
        LogSetup.verbose = verbose;
        cli.global.verbose = verbose;
        try {
            return await(cli, timeout, quiet, () -> cli.config(flags));
        } catch (RuntimeException e) {
            return Main.report(e, verbose, cli.err);
        }
    }
}
