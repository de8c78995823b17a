package dev.botdb.backup.external;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL release number as a client program or a server reports it.
 *
 * <p>Since PostgreSQL 10 the first number is the major version ({@code 15.18} is major 15); before,
 * the first two were ({@code 9.6.24} is major 9.6, kept here as {@code major=9, minor=6}).
 *
 * @param major the major version (15 for 15.18; 9 for 9.6.24)
 * @param minor the minor release (18 for 15.18; 6 for 9.6.24), 0 for a beta or release candidate
 * @param text  the version as printed, e.g. {@code 15.18} or {@code 18beta1}
 */
public record ToolVersion(int major, int minor, String text) implements Comparable<ToolVersion> {

    /** The first version number in {@code pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)}. */
    private static final Pattern NUMBER = Pattern.compile("(\\d+)(?:\\.(\\d+))?(?:\\.\\d+)?(?:(?:alpha|beta|rc|devel)\\d*)?");

    /**
     * Reads the version out of a {@code --version} line or a bare version string; empty when the
     * text holds none.
     */
    public static Optional<ToolVersion> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.strip();
        // "pg_dump (PostgreSQL) 15.18 (Debian ...)": the number after the product name
        int product = t.indexOf("(PostgreSQL)");
        Matcher m = NUMBER.matcher(t);
        if (!m.find(product < 0 ? 0 : product + "(PostgreSQL)".length())) {
            return Optional.empty();
        }
        int first = Integer.parseInt(m.group(1));
        int second = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        return Optional.of(new ToolVersion(first, second, m.group()));
    }

    /** A version for tests and messages: {@code of(15, 18)} is 15.18. */
    public static ToolVersion of(int major, int minor) {
        return new ToolVersion(major, minor, major + "." + minor);
    }

    /** {@code 15}, or {@code 9.6} for releases before 10. */
    public String majorText() {
        return major >= 10 ? Integer.toString(major) : major + "." + minor;
    }

    @Override
    public int compareTo(ToolVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return text;
    }
}
