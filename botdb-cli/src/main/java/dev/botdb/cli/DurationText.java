package dev.botdb.cli;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way every duration option is read: {@code 500ms}, {@code 30s}, {@code 5m} or {@code 5min},
 * {@code 1h30m}, {@code 2d}, parts from the largest unit down; a bare number is seconds.
 */
final class DurationText {
    private static final Pattern PART = Pattern.compile("(\\d{1,9})(ms|s|sec|secs|m|min|mins|h|d)");
    private static final Pattern WHOLE = Pattern.compile("(?:\\d{1,9}(?:ms|s|sec|secs|m|min|mins|h|d))+");

    private DurationText() {
    }

    /** {@code text} as a duration for {@code option} (named in the error). */
    static Duration parse(String option, String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        if (t.matches("\\d{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(t));
        }
        if (!WHOLE.matcher(t).matches()) {
            throw new BotDbException(ErrorCode.USAGE, option + " '" + text + "' is not a duration. Write a number with"
                    + " ms, s, m (or min), h or d, parts combined from the largest down: e.g. " + option + " 30s, "
                    + option + " 5m, " + option + " 1h30m or " + option + " 2d");
        }
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(t);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "m", "min", "mins" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofSeconds(n);
            });
        }
        return total;
    }
}
