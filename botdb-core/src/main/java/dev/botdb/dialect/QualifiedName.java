package dev.botdb.dialect;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * A schema-qualified name as PostgreSQL stores it (no quotes, case as created).
 *
 * @param schema the schema, or {@code null} for a name the user gave without one
 * @param name the object's name
 */
public record QualifiedName(String schema, String name) implements Comparable<QualifiedName> {

    public QualifiedName {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a name is required");
        }
    }

    /** {@code "schema"."name"} quoted as {@code quote_ident} would, or just the name without a schema. */
    public String sql() {
        Dialect pg = Dialect.POSTGRESQL;
        return schema == null ? pg.quote(name) : pg.quote(schema) + "." + pg.quote(name);
    }

    /** {@code schema.name} unquoted, for messages and archive entry names. */
    @Override
    public String toString() {
        return schema == null ? name : schema + "." + name;
    }

    @Override
    public int compareTo(QualifiedName o) {
        int c = String.valueOf(schema).compareTo(String.valueOf(o.schema));
        return c != 0 ? c : name.compareTo(o.name);
    }

    /**
     * Reads {@code table}, {@code schema.table} or a quoted form such as {@code "My Schema"."Users"}.
     * Quoted parts are taken as they are; unquoted parts are kept as typed (the reader matches
     * them exactly first, then ignoring case).
     *
     * @throws BotDbException ({@link ErrorCode#USAGE}) for an empty name, more than two parts or an
     *     unterminated quote
     */
    public static QualifiedName parse(String text) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    part.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    part.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == '.') {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(ch);
            }
        }
        parts.add(part.toString());
        if (quoted || parts.size() > 2 || parts.stream().anyMatch(String::isEmpty)) {
            throw new BotDbException(ErrorCode.USAGE, "'" + text + "' is not a table name: write table, schema.table"
                    + " or \"Schema\".\"Table\" (double quotes keep case, dots and spaces).");
        }
        return parts.size() == 1 ? new QualifiedName(null, parts.get(0)) : new QualifiedName(parts.get(0), parts.get(1));
    }
}
