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
            List<Field> fields = split(line);
            if (fields.size() < 5) {
                continue;
            }
            boolean matches = true;
            for (int i = 0; i < 4 && matches; i++) {
                Field f = fields.get(i);
                matches = f.wildcard() || f.text().equals(wanted[i]);
            }
            if (matches) {
                return Optional.of(new Match(Secret.of(fields.get(4).text()), displayName + " line " + (n + 1)));
            }
        }
        return Optional.empty();
    }

    /** One field of a line: its text with the escapes removed, and whether it is a bare '*'. */
    record Field(String text, boolean wildcard) {
    }

    /**
     * Splits on unescaped ':', removing the escapes; like libpq, the password ends at the next
     * unescaped ':', and only an unescaped '*' alone is a wildcard ({@code \*} is a literal '*').
     */
    static List<Field> split(String line) {
        List<Field> fields = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean escaped = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                current.append(line.charAt(++i));
                escaped = true;
            } else if (c == ':') {
                fields.add(field(current, escaped));
                current.setLength(0);
                escaped = false;
            } else {
                current.append(c);
            }
        }
        fields.add(field(current, escaped));
        return fields;
    }

    private static Field field(StringBuilder text, boolean escaped) {
        return new Field(text.toString(), !escaped && text.toString().equals("*"));
    }
}
