package dev.botdb;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The botdb release this code belongs to: its version and the commit it was built from, as the
 * build wrote them into {@code release.properties}. {@code botdb --version} prints it and backup
 * manifests record it.
 *
 * @param version the Maven version, e.g. {@code 0.1.0}
 * @param commit  the abbreviated git commit, with {@code -dirty} when built from uncommitted changes;
 *                {@code unknown} for a build outside git
 */
public record Release(String version, String commit) {
    private static final Release CURRENT = read();

    /** This library's release. */
    public static Release current() {
        return CURRENT;
    }

    /** {@code 0.1.0 (commit 1a2b3c4d5e)}. */
    @Override
    public String toString() {
        return version + " (commit " + commit + ")";
    }

    private static Release read() {
        Properties p = new Properties();
        try (InputStream in = Release.class.getResourceAsStream("release.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String version = filled(p.getProperty("version"), "development");
        String commit = filled(p.getProperty("commit"), "unknown");
        if (!commit.equals("unknown") && "true".equals(p.getProperty("dirty"))) {
            commit += "-dirty";
        }
        return new Release(version, commit);
    }

    /** A property the build filled in, or {@code otherwise} (absent, or left as {@code ${...}}). */
    private static String filled(String value, String otherwise) {
        return value == null || value.isBlank() || value.startsWith("${") ? otherwise : value;
    }
}
