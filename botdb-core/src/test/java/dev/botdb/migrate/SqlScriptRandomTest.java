package dev.botdb.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.migrate.SqlScript.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random scripts from a grammar of the pieces that hide a ';' (strings, quoted identifiers, dollar
 * quotes, comments, parentheses, trigger and BEGIN ATOMIC bodies) must split into exactly the
 * statements they were built from; random garbage must fail only with {@link BotDbException}.
 * Seeds are fixed, and a failure prints the seed and the input.
 */
class SqlScriptRandomTest {
    private static final String FILE = "V9__random.sql";
    private static final String[] LEADS = {"SELECT", "INSERT INTO t VALUES", "UPDATE t SET a =", "CREATE TABLE x",
            "WITH q AS", "DELETE FROM t WHERE", "COMMENT ON TABLE t IS"};
    private static final String[] WORDS = {"a", "b1", "col$x", "note", "e", "u", "E", "x.y", "1.5", "$1", "42", "t$",
            "+", "=", "::", "<>", "-", "/", "*", ",", "ä", "_x"};
    private static final String[] WHITESPACE = {" ", " ", " ", "\n", "\r\n", "\t", "  \n  ", "\n\n"};
    private static final String[] TAGS = {"", "a", "body", "_x1", "ä", "A"};

    /** One generated script and what it is made of. */
    private record Generated(String text, List<String> statements, List<Integer> lines, int removed) {
    }

    @Test
    void randomScriptsSplitIntoExactlyTheStatementsTheyWereBuiltFrom() {
        for (int seed = 0; seed < 3000; seed++) {
            Generated g = script(new Random(seed));
            SqlScript parsed;
            try {
                parsed = SqlScript.parse(g.text(), FILE);
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " threw " + e + " for input:\n" + show(g.text()), e);
            }
            List<String> got = parsed.statements().stream().map(s -> s.sql().trim()).toList();
            List<String> want = g.statements().stream().map(String::trim).toList();
            assertThat(got).as("seed %d, input:%n%s", seed, show(g.text())).isEqualTo(want);
            assertThat(parsed.statements().stream().map(Statement::line).toList())
                    .as("lines, seed %d, input:%n%s", seed, show(g.text())).isEqualTo(g.lines());
            assertThat(parsed.statements().stream().map(Statement::number).toList())
                    .as("numbers, seed %d", seed).isEqualTo(numbers(want.size()));
            assertThat(parsed.notes()).as("notes, seed %d, input:%n%s", seed, show(g.text())).hasSize(g.removed());
        }
    }

    @Test
    void randomGarbageFailsOnlyWithMigrationInvalidAndWhatItSplitsSplitsAgainTheSameWay() {
        String[] fragments = {"'", "''", "\"", "$", "$$", "$a$", "$1", ";", ";", ";", "--", "/*", "*/", "\n", "\r\n",
                "\\", "\\i x", "E'", "e'", "\\'", "U&'", "U&\"", "&", "(", ")", "BEGIN", "begin", "END", "CASE",
                "ATOMIC", "CREATE", "TRIGGER", "FUNCTION", "OR REPLACE", "COMMIT", "ROLLBACK", "START TRANSACTION",
                "VACUUM", "INDEX", "CONCURRENTLY", " ", " ", "a", "1", ".", "ä", "-- botdb:no-transaction\n", "e",
                "-", "/", "*", "x.end"};
        int failures = 0;
        for (int seed = 0; seed < 20_000; seed++) {
            Random r = new Random(seed);
            StringBuilder b = new StringBuilder(r.nextInt(10) == 0 ? "\uFEFF" : "");
            int pieces = r.nextInt(40);
            for (int i = 0; i < pieces; i++) {
                if (r.nextInt(8) == 0) {
                    b.append((char) (r.nextInt(8) == 0 ? r.nextInt(0x3000) : r.nextInt(128)));
                } else {
                    b.append(fragments[r.nextInt(fragments.length)]);
                }
            }
            String text = b.toString();
            try {
                SqlScript parsed = SqlScript.parse(text, FILE);
                checkInvariants(seed, text, parsed);
            } catch (BotDbException e) {
                failures++;
                assertThat(e.code()).as("seed %d", seed).isEqualTo(ErrorCode.MIGRATION_INVALID);
                assertThat(e.getMessage()).as("seed %d", seed).startsWith(FILE + " ");
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " threw " + e + " for input:\n" + show(text), e);
            }
        }
        // both outcomes must be well represented, or the generator tests nothing
        assertThat(failures).isBetween(2_000, 18_000);
    }

    private static void checkInvariants(int seed, String text, SqlScript parsed) {
        List<Statement> statements = parsed.statements();
        int lines = 1 + (int) text.chars().filter(c -> c == '\n').count();
        int previousLine = 1;
        for (int i = 0; i < statements.size(); i++) {
            Statement s = statements.get(i);
            if (s.number() != i + 1 || s.line() < previousLine || s.line() > lines || !trimmed(s.sql())
                    || !text.contains(s.sql())) {
                fail("seed " + seed + ": bad statement " + s + " for input:\n" + show(text));
            }
            previousLine = s.line();
        }
        assertThat(parsed.nonTransactional()).as("seed %d", seed).isSubsetOf(statements);
        // the statements joined again must split into themselves
        String joined = String.join(";\n", statements.stream().map(Statement::sql).toList());
        List<String> again = SqlScript.parse(joined, FILE).statements().stream().map(Statement::sql).toList();
        assertThat(again).as("seed %d, input:%n%s", seed, show(text))
                .isEqualTo(statements.stream().map(Statement::sql).toList());
    }

    /** Non-empty and without PostgreSQL whitespace (space, tab, CR, LF, FF, VT) at either end. */
    private static boolean trimmed(String sql) {
        String blanks = " \t\r\n\f\u000B";
        return !sql.isEmpty() && blanks.indexOf(sql.charAt(0)) < 0 && blanks.indexOf(sql.charAt(sql.length() - 1)) < 0;
    }

    private static Generated script(Random r) {
        StringBuilder text = new StringBuilder();
        List<String> statements = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        int removed = 0;
        int count = 1 + r.nextInt(12);
        gap(r, text);
        for (int i = 0; i < count; i++) {
            if (r.nextInt(10) == 0) {
                text.append(pick(r, "BEGIN", "COMMIT", "begin transaction", "END", "START TRANSACTION", "commit work"))
                        .append(';');
                gap(r, text);
                removed++;
            }
            String statement = switch (r.nextInt(10)) {
                case 0 -> trigger(r);
                case 1 -> atomicFunction(r);
                default -> statement(r, 0);
            };
            lines.add(1 + (int) text.chars().filter(c -> c == '\n').count());
            statements.add(statement);
            text.append(statement);
            boolean last = i == count - 1;
            if (!last || r.nextBoolean()) {
                text.append(r.nextInt(10) == 0 ? ";;" : ";");
            } else {
                text.append(pick(r, "", "\n", " -- no semicolon at the end"));
                break;
            }
            gap(r, text);
        }
        return new Generated(text.toString(), statements, lines, removed);
    }

    /** Whitespace and comments between statements. */
    private static void gap(Random r, StringBuilder text) {
        text.append(pick(r, WHITESPACE));
        if (r.nextInt(3) == 0) {
            text.append(r.nextBoolean() ? lineComment(r) : blockComment(r, 0)).append(pick(r, WHITESPACE));
        }
    }

    /** A statement: a lead word, then pieces separated by whitespace, never ending in a comment. */
    private static String statement(Random r, int depth) {
        StringBuilder b = new StringBuilder(pick(r, LEADS));
        int pieces = 1 + r.nextInt(8);
        for (int i = 0; i < pieces; i++) {
            b.append(pick(r, WHITESPACE));
            if (i < pieces - 1 && r.nextInt(6) == 0) {
                b.append(r.nextBoolean() ? lineComment(r) : blockComment(r, 0)).append(pick(r, WHITESPACE));
            }
            b.append(piece(r, depth));
        }
        return b.toString();
    }

    private static String piece(Random r, int depth) {
        return switch (r.nextInt(depth < 2 ? 9 : 8)) {
            case 0, 1 -> pick(r, WORDS);
            case 2 -> "'" + units(r, "a", ";", " ", "''", "\\", "\"", "$", "$$", "--", "/*", "\n") + "'";
            case 3 -> pick(r, "E'", "e'") + units(r, "a", ";", "\\'", "''", "\\\\", "\n", "\\n", "\"", "$", "--") + "'";
            case 4 -> "\"" + units(r, "a", ";", "\"\"", "'", "\\", "$", "--", "/*", " ") + "\"";
            case 5 -> "U&'" + units(r, "a", ";", "''", "\\0061", "$", "\n") + "'";
            case 6 -> "U&\"" + units(r, "a", ";", "\"\"", "\\0061") + "\"";
            case 7 -> dollarQuote(r, 0);
            default -> "(" + piece(r, depth + 1) + pick(r, " ; ", ";", "\n;\n", ", ") + piece(r, depth + 1) + ")";
        };
    }

    /** A dollar quote whose body holds ';', quotes, comments and dollar quotes with other tags. */
    private static String dollarQuote(Random r, int depth) {
        String tag = pick(r, TAGS);
        String delimiter = "$" + tag + "$";
        while (true) {
            StringBuilder body = new StringBuilder();
            int units = r.nextInt(8);
            for (int i = 0; i < units; i++) {
                if (depth < 2 && r.nextInt(5) == 0) {
                    body.append(dollarQuote(r, depth + 1));
                } else {
                    body.append(pick(r, "a", ";", "'", "\"", "--", "/*", "\n", "$", "$1", " ", "$x", "BEGIN", "END;"));
                }
            }
            String candidate = body + delimiter;
            if (candidate.indexOf(delimiter) == body.length()) {
                return delimiter + body + delimiter;
            }
            // the body happened to contain its own closing delimiter: draw again
        }
    }

    private static String lineComment(Random r) {
        return "--" + units(r, " ", "a", ";", "'", "\"", "$$", "/*", "*/", "$a$") + "\n";
    }

    private static String blockComment(Random r, int depth) {
        StringBuilder b = new StringBuilder("/*");
        int units = r.nextInt(6);
        for (int i = 0; i < units; i++) {
            if (depth < 2 && r.nextInt(4) == 0) {
                b.append(blockComment(r, depth + 1));
            } else {
                b.append(pick(r, " ", "a", ";", "'", "\"", "$$", "--", "\n", "\\i x"));
            }
        }
        return b.append("*/").toString();
    }

    private static String trigger(Random r) {
        StringBuilder b = new StringBuilder(pick(r, "CREATE TRIGGER", "create temp trigger", "CREATE TEMPORARY TRIGGER"))
                .append(" tr AFTER INSERT ON t").append(pick(r, WHITESPACE))
                .append(pick(r, "", "WHEN new.a = 1 ", "WHEN CASE new.a WHEN 1 THEN 1 END "))
                .append("BEGIN").append(pick(r, WHITESPACE));
        int body = 1 + r.nextInt(4);
        for (int i = 0; i < body; i++) {
            b.append(bodyStatement(r)).append(';').append(pick(r, WHITESPACE));
        }
        return b.append(pick(r, "END", "end")).toString();
    }

    private static String atomicFunction(Random r) {
        StringBuilder b = new StringBuilder(pick(r, "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", "create procedure"))
                .append(" f(begin int) LANGUAGE sql").append(pick(r, WHITESPACE))
                .append(pick(r, "BEGIN ATOMIC", "begin /* ; */ atomic", "BEGIN\nATOMIC")).append(pick(r, WHITESPACE));
        int body = 1 + r.nextInt(4);
        for (int i = 0; i < body; i++) {
            b.append(bodyStatement(r)).append(';').append(pick(r, WHITESPACE));
        }
        return b.append("END").toString();
    }

    private static String bodyStatement(Random r) {
        String s = statement(r, 0);
        return r.nextBoolean() ? s : s + " CASE WHEN a THEN " + piece(r, 0) + " ELSE " + piece(r, 0) + " END";
    }

    private static String units(Random r, String... units) {
        StringBuilder b = new StringBuilder();
        int n = r.nextInt(7);
        for (int i = 0; i < n; i++) {
            b.append(pick(r, units));
        }
        return b.toString();
    }

    private static String pick(Random r, String... choices) {
        return choices[r.nextInt(choices.length)];
    }

    private static List<Integer> numbers(int n) {
        List<Integer> numbers = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            numbers.add(i);
        }
        return numbers;
    }

    /** The input with line breaks visible, so a failure can be pasted into a test. */
    private static String show(String text) {
        return text.replace("\r", "\\r").replace("\n", "\\n\n");
    }
}
