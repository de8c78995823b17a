package dev.botdb.cli;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.EmbeddedTarget;
import dev.botdb.pool.Connector;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code botdb wait}: a compose health check / entrypoint guard that, unlike {@code pg_isready},
 * succeeds only when the configured user can log in to the configured database and run a query.
 */
@Command(name = "wait", description = "Wait until the database accepts a query. Exit 0 when it does,"
        + " 8 with the last error when the timeout passes.")
final class WaitCommand extends BotDbCommand {
    private static final Pattern DURATION = Pattern.compile("([0-9]+)(ms|s|m|h)?");

    @Option(names = "--timeout", defaultValue = "60s", paramLabel = "DURATION",
            description = "How long to keep trying: 500ms, 30s, 2m, 1h (default ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing on success.")
    boolean quiet;

    @Override
    public Integer call() {
        Duration limit = parseDuration(timeout);
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

    static Duration parseDuration(String text) {
        return parseDuration("--timeout", text);
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h} (a bare number is seconds) for the option {@code option}. */
    static Duration parseDuration(String option, String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches() || m.group(1).length() > 9) {
            throw new BotDbException(ErrorCode.USAGE, option + " '" + text + "' is not a duration."
                    + " Write a whole number with ms, s, m or h, e.g. " + option + " 30s or " + option + " 5m");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
