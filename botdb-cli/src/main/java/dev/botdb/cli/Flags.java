package dev.botdb.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The library names a setting by its field, in backquotes ({@code `lockTimeout` must be more than
 * 0}); the command line knows it as a flag. This is the one place that turns the first into the
 * second ({@code --lock-timeout must be more than 0}) in whatever the CLI prints.
 */
final class Flags {
    private static final Pattern FIELD = Pattern.compile("`([a-z][A-Za-z0-9]*)`");
    private static final Pattern HUMP = Pattern.compile("([a-z0-9])([A-Z])");

    private Flags() {
    }

    /** {@code lockTimeout} -> {@code --lock-timeout}. */
    static String flag(String field) {
        return "--" + HUMP.matcher(field).replaceAll("$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** A library message as the CLI prints it: every {@code `field`} becomes its flag. */
    static String of(String text) {
        if (text == null || text.indexOf('`') < 0) {
            return text;
        }
        Matcher m = FIELD.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(flag(m.group(1))));
        }
        return m.appendTail(sb).toString();
    }
}
