package dev.botdb.backup.external;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.dialect.QualifiedName;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a plain SQL file ({@code .sql} or {@code .sql.gz}) would make psql do, read before psql
 * sees it: the tables it creates, the tables it loads with {@code COPY ... FROM stdin}, and
 * whether it holds a psql meta-command other than the ones pg_dump writes.
 *
 * <p>psql runs a backslash command wherever one stands outside a string, a quoted name, a
 * dollar quote, a comment or the rows of a {@code COPY ... FROM stdin} block, even in the middle
 * of a line ({@code SELECT 1 \! rm -rf ~}). So the scan follows the same quoting rules:
 * {@code '...'} (backslash escapes only in {@code E'...'}), {@code "..."}, {@code $tag$...$tag$},
 * {@code --} and nested {@code /* *}{@code /} comments, and COPY rows up to their {@code \.} line.
 * pg_dump's own {@code \connect}, {@code \restrict} and {@code \}{@code unrestrict} lines are allowed.
 */
public final class PlainSqlScan {
    /** The meta-commands pg_dump writes: {@code \connect} (with -C), {@code \restrict} / {@code \}{@code unrestrict} (2025 on). */
    private static final Set<String> PG_DUMP_META = Set.of("connect", "c", "restrict", "unrestrict");
    private static final String NAME = "(?:\"(?:[^\"]|\"\")*\"|[^\\s.(\"]+)";
    private static final Pattern CREATE_TABLE = Pattern.compile("(?is)^CREATE\\s+(?:(?:GLOBAL|LOCAL)\\s+)?"
            + "(?:UNLOGGED\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(" + NAME + "(?:\\s*\\.\\s*" + NAME + ")?)");
    private static final Pattern COPY_FROM_STDIN = Pattern.compile("(?is)^COPY\\s+(" + NAME + "(?:\\s*\\.\\s*"
            + NAME + ")?)(?:\\s*\\([^)]*\\))?\\s+FROM\\s+stdin\\b.*");
    private static final Pattern PART = Pattern.compile(NAME);
    private static final int KEPT_STATEMENT_CHARS = 2000;

    private final Set<QualifiedName> created;
    private final Set<QualifiedName> loaded;

    private PlainSqlScan(Set<QualifiedName> created, Set<QualifiedName> loaded) {
        this.created = Set.copyOf(created);
        this.loaded = Set.copyOf(loaded);
    }

    /** Tables the file creates ({@code CREATE TABLE}), schema-qualified as written (unqualified ones in {@code public}). */
    public Set<QualifiedName> createdTables() {
        return created;
    }

    /** Tables the file loads rows into with {@code COPY ... FROM stdin}. */
    public Set<QualifiedName> loadedTables() {
        return loaded;
    }

    /** Every table the file creates or loads. */
    public Set<QualifiedName> tables() {
        Set<QualifiedName> all = new LinkedHashSet<>(created);
        all.addAll(loaded);
        return all;
    }

    /**
     * Reads the whole file (gunzipping it when {@code gzip}).
     *
     * @throws BotDbException {@link ErrorCode#BACKUP_INVALID} naming file and line of a psql
     *                        meta-command pg_dump does not write ({@code \!}, {@code \i}, {@code \o},
     *                        {@code \set}, ...), or when the file cannot be read
     */
    public static PlainSqlScan of(Path file, boolean gzip) {
        try (InputStream raw = PgTools.open(file, gzip);
             BufferedReader in = new BufferedReader(new InputStreamReader(raw, StandardCharsets.ISO_8859_1), 1 << 16)) {
            return new Scanner(file).scan(in);
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.BACKUP_INVALID, "Could not read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads SQL text; {@code name} is only for messages. */
    static PlainSqlScan ofText(String text, String name) {
        try (BufferedReader in = new BufferedReader(new java.io.StringReader(text))) {
            return new Scanner(Path.of(name)).scan(in);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** One pass over the lines, carrying the quoting state from line to line. */
    private static final class Scanner {
        private enum State { CODE, STRING, ESCAPE_STRING, QUOTED_NAME, DOLLAR, BLOCK_COMMENT, COPY_ROWS }

        private final Path file;
        private final Set<QualifiedName> created = new LinkedHashSet<>();
        private final Set<QualifiedName> loaded = new LinkedHashSet<>();
        private final StringBuilder statement = new StringBuilder();
        private State state = State.CODE;
        private String dollarTag;
        private int commentDepth;
        private boolean copyRowsNext;

        Scanner(Path file) {
            this.file = file;
        }

        PlainSqlScan scan(BufferedReader in) throws IOException {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (state == State.COPY_ROWS) {
                    if (line.equals("\\.")) {
                        state = State.CODE;
                    }
                    continue;
                }
                scanLine(line, number);
                if (copyRowsNext) {
                    copyRowsNext = false;
                    state = State.COPY_ROWS;
                }
            }
            return new PlainSqlScan(created, loaded);
        }

        private void scanLine(String s, int number) {
            int n = s.length();
            int i = 0;
            while (i < n) {
                char c = s.charAt(i);
                switch (state) {
                    case STRING, ESCAPE_STRING -> {
                        if (state == State.ESCAPE_STRING && c == '\\') {
                            i += 2;
                            continue;
                        }
                        if (c == '\'') {
                            if (i + 1 < n && s.charAt(i + 1) == '\'') {
                                i += 2;
                                continue;
                            }
                            state = State.CODE;
                        }
                        i++;
                    }
                    case QUOTED_NAME -> {
                        keep(c);
                        if (c == '"') {
                            if (i + 1 < n && s.charAt(i + 1) == '"') {
                                keep('"');
                                i += 2;
                                continue;
                            }
                            state = State.CODE;
                        }
                        i++;
                    }
                    case DOLLAR -> {
                        if (s.startsWith(dollarTag, i)) {
                            state = State.CODE;
                            i += dollarTag.length();
                        } else {
                            i++;
                        }
                    }
                    case BLOCK_COMMENT -> {
                        if (s.startsWith("/*", i)) {
                            commentDepth++;
                            i += 2;
                        } else if (s.startsWith("*/", i)) {
                            if (--commentDepth == 0) {
                                state = State.CODE;
                            }
                            i += 2;
                        } else {
                            i++;
                        }
                    }
                    default -> {
                        if (s.startsWith("--", i)) {
                            i = n;
                        } else if (s.startsWith("/*", i)) {
                            state = State.BLOCK_COMMENT;
                            commentDepth = 1;
                            i += 2;
                        } else if (c == '\'') {
                            boolean escapes = i > 0 && (s.charAt(i - 1) == 'E' || s.charAt(i - 1) == 'e')
                                    && (i < 2 || !isIdentPart(s.charAt(i - 2)));
                            state = escapes ? State.ESCAPE_STRING : State.STRING;
                            keep(' ');
                            i++;
                        } else if (c == '"') {
                            state = State.QUOTED_NAME;
                            keep(c);
                            i++;
                        } else if (c == '$' && (i == 0 || !isIdentPart(s.charAt(i - 1))) && dollarTagAt(s, i) != null) {
                            dollarTag = dollarTagAt(s, i);
                            state = State.DOLLAR;
                            keep(' ');
                            i += dollarTag.length();
                        } else if (c == '\\') {
                            metaCommand(s, i, number);
                            return; // a meta-command takes the rest of its line
                        } else if (c == ';') {
                            endStatement();
                            i++;
                        } else {
                            keep(c);
                            i++;
                        }
                    }
                }
            }
            keep('\n');
        }

        private void metaCommand(String s, int at, int number) {
            int end = at + 1;
            while (end < s.length() && !Character.isWhitespace(s.charAt(end)) && s.charAt(end) != '\\') {
                end++;
            }
            String command = s.substring(at + 1, end);
            boolean lineStart = s.substring(0, at).isBlank();
            if (lineStart && PG_DUMP_META.contains(command)) {
                return;
            }
            String shown = s.substring(at, Math.min(s.length(), at + 60)).strip();
            throw new BotDbException(ErrorCode.BACKUP_INVALID, file + " line " + number + ": psql meta-command '"
                    + shown + "' is not something pg_dump writes, and psql would run it (\\! runs a shell command,"
                    + " \\i and \\o read and write files). botdb restores SQL and pg_dump's own \\connect,"
                    + " \\restrict and \\unrestrict lines only. Remove the line if the file is yours; if it is not,"
                    + " do not run it.");
        }

        private void keep(char c) {
            if (statement.length() < KEPT_STATEMENT_CHARS) {
                statement.append(c);
            }
        }

        private void endStatement() {
            String sql = statement.toString().strip();
            statement.setLength(0);
            Matcher create = CREATE_TABLE.matcher(sql);
            if (create.find()) {
                created.add(name(create.group(1)));
                return;
            }
            Matcher copy = COPY_FROM_STDIN.matcher(sql);
            if (copy.matches()) {
                loaded.add(name(copy.group(1)));
                copyRowsNext = true;
            }
        }

        /** {@code a.b}, {@code "A"."b"}: unquoted parts folded to lower case as PostgreSQL does; no schema means public. */
        private static QualifiedName name(String text) {
            Matcher m = PART.matcher(text);
            java.util.List<String> parts = new java.util.ArrayList<>();
            while (m.find()) {
                String p = m.group();
                parts.add(p.startsWith("\"") ? p.substring(1, p.length() - 1).replace("\"\"", "\"")
                        : p.toLowerCase(java.util.Locale.ROOT));
            }
            return parts.size() == 1 ? new QualifiedName("public", utf8(parts.get(0)))
                    : new QualifiedName(utf8(parts.get(0)), utf8(parts.get(1)));
        }

        /** The file is read as ISO-8859-1 so any byte passes; names are turned back into UTF-8 text. */
        private static String utf8(String latin1) {
            return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        }

        private static String dollarTagAt(String s, int i) {
            int j = i + 1;
            if (j < s.length() && (Character.isLetter(s.charAt(j)) || s.charAt(j) == '_')) {
                j++;
                while (j < s.length() && isIdentPart(s.charAt(j))) {
                    j++;
                }
            }
            return j < s.length() && s.charAt(j) == '$' ? s.substring(i, j + 1) : null;
        }

        private static boolean isIdentPart(char c) {
            return Character.isLetterOrDigit(c) || c == '_' || c == '$';
        }
    }
}
