package dev.botdb.backup.schema;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A schema-qualified name as PostgreSQL stores it (no quotes, case as created).
 *
 * @param schema the schema, or {@code null} for a name the user gave without one
 * @param name the object's name
 */
public record QualifiedName(String schema, String name) implements Comparable<QualifiedName> {
    private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_]*");

    /**
     * The keywords that {@code quote_ident} quotes: every keyword PostgreSQL 18 does not class as
     * unreserved ({@code SELECT word FROM pg_get_keywords() WHERE catcode <> 'U'}), a superset of the
     * older versions' lists; quoting one word too many changes nothing.
     */
    private static final Set<String> KEYWORDS = Set.of(("all analyse analyze and any array as asc asymmetric authorization"
            + " between bigint binary bit boolean both case cast char character check coalesce collate collation column"
            + " concurrently constraint create cross current_catalog current_date current_role current_schema current_time"
            + " current_timestamp current_user dec decimal default deferrable desc distinct do else end except exists"
            + " extract false fetch float for foreign freeze from full grant greatest group grouping having ilike in"
            + " initially inner inout int integer intersect interval into is isnull join json json_array json_arrayagg"
            + " json_exists json_object json_objectagg json_query json_scalar json_serialize json_table json_value"
            + " lateral leading least left like limit localtime localtimestamp merge_action national natural nchar none"
            + " normalize not notnull null nullif numeric offset on only or order out outer overlaps overlay placing"
            + " position precision primary real references returning right row select session_user setof similar"
            + " smallint some substring symmetric system_user table tablesample then time timestamp to trailing treat"
            + " trim true union unique user using values varchar variadic verbose when where window with xmlattributes"
            + " xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable")
            .split(" "));

    public QualifiedName {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a name is required");
        }
    }

    /** {@code "schema"."name"} quoted as {@code quote_ident} would, or just the name without a schema. */
    public String sql() {
        return schema == null ? quote(name) : quote(schema) + "." + quote(name);
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

    /** An identifier quoted exactly as PostgreSQL's {@code quote_ident} quotes it. */
    public static String quote(String identifier) {
        if (PLAIN.matcher(identifier).matches() && !KEYWORDS.contains(identifier)) {
            return identifier;
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
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
