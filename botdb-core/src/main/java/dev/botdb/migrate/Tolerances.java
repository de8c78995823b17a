package dev.botdb.migrate;

import dev.botdb.config.Engine;
import dev.botdb.dialect.QualifiedName;
import dev.botdb.sql.SqlLexer;
import dev.botdb.sql.SqlLexer.Kind;
import dev.botdb.sql.SqlLexer.Token;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few failures botdb passes over on PostgreSQL, because Alita's own migration runner does and
 * real migration histories depend on it. Each is narrow: a statement of one kind, failing with one
 * SQLSTATE, because the very object it creates is already in the catalog; anything else still stops
 * the file. Each is logged with file and line.
 * <ul>
 *   <li>{@code CREATE TYPE name AS ENUM (...)} when an enum {@code name} exists (duplicate_object, 42710;
 *       a table or another kind of type of that name still stops the file);</li>
 *   <li>{@code ALTER TABLE t ADD CONSTRAINT c ...} when {@code t} already has constraint {@code c}
 *       (duplicate_object, 42710; a UNIQUE or PRIMARY KEY whose index name is taken fails with 42P07 and
 *       is not passed over, as in Alita's runner);</li>
 *   <li>{@code CREATE EXTENSION name} without {@code IF NOT EXISTS} when extension {@code name} is
 *       installed (duplicate_object, 42710);</li>
 *   <li>a {@code DO} block that drops a table's indexes in a loop
 *       ({@code EXECUTE 'DROP INDEX IF EXISTS ' || ...}): each such EXECUTE is wrapped so that an index a
 *       constraint still needs (dependent_objects_still_exist, 2BP01) is left for the table's own
 *       {@code DROP TABLE}, which follows.</li>
 * </ul>
 */
final class Tolerances {
    static final String DUPLICATE_OBJECT = "42710";

    /** An EXECUTE of a dynamic DROP INDEX inside a PL/pgSQL body, up to its ';'. */
    private static final Pattern DROP_INDEX_EXECUTE = Pattern.compile(
            "(?i)\\bEXECUTE\\s+'DROP\\s+INDEX\\s[^;]*;");

    private Tolerances() {
    }

    /** A statement that may meet its own object already in place, and how to look that object up. */
    record Tolerable(String what, String lookup, List<String> arguments) {
        /** True when the object the statement creates is in the catalog now. */
        boolean exists(Connection c) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(lookup)) {
                for (int i = 0; i < arguments.size(); i++) {
                    ps.setString(i + 1, arguments.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getBoolean(1);
                }
            }
        }
    }

    /** An enum of that name: a table's row type of the same name is not what the statement meant. */
    private static final String TYPE_EXISTS = """
            SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_type WHERE oid = to_regtype(?) AND typtype = 'e')
            """;
    private static final String CONSTRAINT_EXISTS = """
            SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = to_regclass(?) AND conname = ?)
            """;
    private static final String EXTENSION_EXISTS = """
            SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = ?)
            """;

    /** The statement's tolerable kind, or null: most statements have none. */
    static Tolerable of(String sql) {
        List<Token> t = words(sql);
        if (t.size() < 3) {
            return null;
        }
        if (is(t, 0, "CREATE", sql) && is(t, 1, "TYPE", sql)) {
            int after = nameEnd(t, 2, sql);
            if (after > 0 && is(t, after, "AS", sql) && is(t, after + 1, "ENUM", sql)) {
                String name = name(t, 2, after, sql).sql();
                return new Tolerable("type " + name, TYPE_EXISTS, List.of(name));
            }
        }
        if (is(t, 0, "ALTER", sql) && is(t, 1, "TABLE", sql)) {
            int i = 2;
            if (is(t, i, "IF", sql) && is(t, i + 1, "EXISTS", sql)) {
                i += 2;
            }
            if (is(t, i, "ONLY", sql)) {
                i++;
            }
            int after = nameEnd(t, i, sql);
            if (after > 0 && is(t, after, "ADD", sql) && is(t, after + 1, "CONSTRAINT", sql) && after + 2 < t.size()) {
                String table = name(t, i, after, sql).sql();
                String constraint = identifier(t.get(after + 2), sql);
                if (constraint != null) {
                    return new Tolerable("constraint " + constraint + " on " + table, CONSTRAINT_EXISTS,
                            List.of(table, constraint));
                }
            }
        }
        if (is(t, 0, "CREATE", sql) && is(t, 1, "EXTENSION", sql) && !is(t, 2, "IF", sql)) {
            String name = identifier(t.get(2), sql);
            if (name != null) {
                return new Tolerable("extension " + name, EXTENSION_EXISTS, List.of(name));
            }
        }
        return null;
    }

    /**
     * A {@code DO} block whose body drops indexes dynamically, with each such EXECUTE in a block of
     * its own that leaves an index a constraint needs; null when the statement is not one.
     */
    static String guardDropIndexLoop(String sql) {
        List<Token> t = words(sql);
        if (t.isEmpty() || !is(t, 0, "DO", sql)) {
            return null;
        }
        Matcher m = DROP_INDEX_EXECUTE.matcher(sql);
        if (!m.find()) {
            return null;
        }
        return m.replaceAll(r -> Matcher.quoteReplacement("BEGIN " + r.group()
                + " EXCEPTION WHEN dependent_objects_still_exist THEN NULL; END;"));
    }

    /** Every pending file with its dynamic DROP INDEX loops guarded (PostgreSQL only), with a note per change. */
    static Map<MigrationFile, SqlScript> guardDropIndexLoops(Map<MigrationFile, SqlScript> scripts, Engine engine) {
        if (engine != Engine.POSTGRESQL) {
            return scripts;
        }
        Map<MigrationFile, SqlScript> out = new LinkedHashMap<>();
        scripts.forEach((file, script) -> {
            if (script == null) {
                out.put(file, null);
                return;
            }
            List<SqlScript.Statement> statements = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            for (SqlScript.Statement st : script.statements()) {
                String guarded = guardDropIndexLoop(st.sql());
                statements.add(guarded == null ? st : new SqlScript.Statement(guarded, st.line(), st.number()));
                if (guarded != null) {
                    notes.add(file.fileName() + " line " + st.line() + ": the DO block's EXECUTE 'DROP INDEX ...' leaves"
                            + " an index a constraint still needs (SQLSTATE 2BP01) for the table's own DROP TABLE,"
                            + " as Alita's runner does");
                }
            }
            out.put(file, notes.isEmpty() ? script : script.withStatements(statements, notes));
        });
        return out;
    }

    /** The statement's tokens without comments. */
    private static List<Token> words(String sql) {
        List<Token> out = new ArrayList<>();
        SqlLexer lexer = new SqlLexer(sql);
        for (Token t = lexer.next(); t != null; t = lexer.next()) {
            if (t.kind() != Kind.LINE_COMMENT && t.kind() != Kind.BLOCK_COMMENT) {
                out.add(t);
            }
        }
        return out;
    }

    private static boolean is(List<Token> t, int i, String keyword, String sql) {
        return i < t.size() && t.get(i).kind() == Kind.WORD && t.get(i).text(sql).equalsIgnoreCase(keyword);
    }

    /** After a name of one or two parts starting at {@code i}: the index of the next token, or -1. */
    private static int nameEnd(List<Token> t, int i, String sql) {
        if (i >= t.size() || identifier(t.get(i), sql) == null) {
            return -1;
        }
        if (i + 2 < t.size() && t.get(i + 1).is('.', sql) && identifier(t.get(i + 2), sql) != null) {
            return i + 3;
        }
        return i + 1;
    }

    private static QualifiedName name(List<Token> t, int from, int to, String sql) {
        return to - from == 3 ? new QualifiedName(identifier(t.get(from), sql), identifier(t.get(from + 2), sql))
                : new QualifiedName(null, identifier(t.get(from), sql));
    }

    /** The name a token stands for: an unquoted word folded to lower case, a quoted one as written. */
    private static String identifier(Token token, String sql) {
        String text = token.text(sql);
        if (token.kind() == Kind.WORD) {
            return text.toLowerCase(Locale.ROOT);
        }
        if (token.kind() == Kind.QUOTED_IDENTIFIER && !token.unicode()) {
            return text.substring(1, text.length() - 1).replace("\"\"", "\"");
        }
        return null;
    }
}
