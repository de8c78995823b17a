package dev.botdb.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Looks a password up in a libpq password file ({@code PGPASSFILE}, default {@code ~/.pgpass})
 * exactly as libpq does (https://www.postgresql.org/docs/current/libpq-pgpass.html): lines of
 * {@code host:port:database:user:password}, {@code *} matching anything, {@code \} escaping
 * {@code :} and {@code \}, the first matching line winning, and the file ignored with a warning
 * when group or others can read it.
 */
final class PgPass {

    /** A password found in the file, and the line it came from (for {@code botdb config}). */
    record Match(Secret password, String source) {
    }

    private PgPass() {
    }

    static Optional<Match> lookup(Path file, String displayName, String host, int port, String database,
                                  String user, List<String> warnings) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                warnings.add("password file " + displayName + " has group or world access and is ignored, as libpq"
                        + " does; run: chmod 0600 " + displayName);
                return Optional.empty();
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: libpq skips the check there too
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            warnings.add("password file " + displayName + " could not be read (" + e.getMessage() + ")");
            return Optional.empty();
        }
        String[] wanted = {host, Integer.toString(port), database, user};
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            List<String> fields = split(line);
            if (fields.size() < 5) {
                continue;
            }
            boolean matches = true;
            for (int i = 0; i < 4 && matches; i++) {
                String f = fields.get(i);
                matches = f.equals("*") || f.equals(wanted[i]);
            }
            if (matches) {
                return Optional.of(new Match(Secret.of(fields.get(4)), displayName + " line " + (n + 1)));
            }
        }
        return Optional.empty();
    }

    /** Splits on unescaped ':', removing the escapes; like libpq, the password ends at the next unescaped ':'. */
    static List<String> split(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                current.append(line.charAt(++i));
            } else if (c == ':') {
                fields.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        fields.add(current.toString());
        return fields;
    }
}
