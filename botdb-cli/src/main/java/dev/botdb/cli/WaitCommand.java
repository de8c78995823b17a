package dev.botdb.cli;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.EmbeddedTarget;
import dev.botdb.pool.Connector;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code botdb wait}: a compose health check / entrypoint guard that, unlike {@code pg_isready},
 * succeeds only when the configured user can log in to the configured database and run a query.
 */
@Command(name = "wait", description = "Wait until the database accepts a query. Exit 0 when it does,"
        + " 8 with the last error when the timeout passes.")
final class WaitCommand extends BotDbCommand {

    @Option(names = "--timeout", defaultValue = "60s", paramLabel = "DURATION",
            description = "How long to keep trying: 500ms, 30s, 2m, 1h (default ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing on success.")
    boolean quiet;

    @Override
    public Integer call() {
        Duration limit = DurationText.parse("--timeout", timeout);
        BotDbConfig config = config();
        if (config.target() instanceof EmbeddedTarget) {
            throw new BotDbException(ErrorCode.CONFIG_INVALID, "No database is configured, so there is nothing to wait"
                    + " for (botdb would start its embedded server). Set DATABASE_URL to the server to wait for, e.g."
                    + " DATABASE_URL=postgres://bot:secret@postgres:5432/mybot botdb wait --timeout 60s");
        }
        config.requireSecure();
        Connector.WaitResult r = Connector.waitUntilReady(config.target(), config.pool(), limit,
                quiet ? line -> { } : cli.err::println);
        if (!quiet) {
            cli.out.printf(Locale.ROOT, "Database ready: %s at %s after %.1f s%n", r.server(),
                    config.target().displayName(), r.waited().toMillis() / 1000.0);
        }
        return 0;
    }
}
