package dev.botdb.backup.external;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.dialect.QualifiedName;
import dev.botdb.sql.SqlLexer;
import dev.botdb.sql.SqlLexer.Kind;
import dev.botdb.sql.SqlLexer.Token;
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

    /**
     * One pass over the lines. SQL text is gathered until {@link SqlLexer} finds a statement's
     * closing ';' outside strings, quoted names, dollar quotes and comments; COPY rows and psql's
     * own lines are read a line at a time, so a dump of any size passes in little memory.
     */
    private static final class Scanner {
        private final Path file;
        private final Set<QualifiedName> created = new LinkedHashSet<>();
        private final Set<QualifiedName> loaded = new LinkedHashSet<>();
        /** The unfinished statement's text, from the end of the last one. */
        private final StringBuilder pending = new StringBuilder();
        /** The file's line number of each line in {@code pending}, for messages. */
        private final java.util.List<Integer> pendingLines = new java.util.ArrayList<>();
        /** The pending text ends inside a string, quoted name, dollar quote or comment. */
        private boolean open;
        private boolean copyRows;

        Scanner(Path file) {
            this.file = file;
        }

        PlainSqlScan scan(BufferedReader in) throws IOException {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (copyRows) {
                    copyRows = !line.equals("\\.");
                } else if (!open && line.stripLeading().startsWith("\\")) {
                    metaCommand(line, line.indexOf('\\'), number);
                } else {
                    pending.append(line).append('\n');
                    pendingLines.add(number);
                    statements();
                }
            }
            return new PlainSqlScan(created, loaded);
        }

        /** Takes every complete statement off the front of {@code pending}. */
        private void statements() {
            SqlLexer lexer = new SqlLexer(pending);
            int first = -1;
            int done = 0;
            try {
                for (Token t = lexer.next(); t != null; t = lexer.next()) {
                    if (t.kind() == Kind.LINE_COMMENT || t.kind() == Kind.BLOCK_COMMENT) {
                        continue;
                    }
                    if (t.is(';', pending)) {
                        if (first >= 0) {
                            endStatement(pending.substring(first, Math.min(t.start(), first + KEPT_STATEMENT_CHARS)));
                        }
                        first = -1;
                        done = t.end();
                        if (copyRows) {
                            break; // the rows start on the next line
                        }
                    } else if (t.is('\\', pending)) {
                        String text = pending.toString();
                        int at = t.start();
                        int lineStart = text.lastIndexOf('\n', at - 1) + 1;
                        metaCommand(text.substring(lineStart, text.indexOf('\n', at)), at - lineStart,
                                pendingLines.get(t.line() - 1));
                    } else if (first < 0) {
                        first = t.start();
                    }
                }
                open = false;
            } catch (SqlLexer.Unclosed e) {
                open = true;
            }
            if (copyRows) {
                pending.setLength(0);
                pendingLines.clear();
            } else if (done > 0) {
                int linesDone = (int) pending.substring(0, done).chars().filter(c -> c == '\n').count();
                pending.delete(0, done);
                pendingLines.subList(0, linesDone).clear();
            }
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

        private void endStatement(String sql) {
            Matcher create = CREATE_TABLE.matcher(sql);
            if (create.find()) {
                created.add(name(create.group(1)));
                return;
            }
            Matcher copy = COPY_FROM_STDIN.matcher(sql);
            if (copy.matches()) {
                loaded.add(name(copy.group(1)));
                copyRows = true;
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
    }
}
