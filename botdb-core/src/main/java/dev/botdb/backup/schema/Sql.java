package dev.botdb.backup.schema;

import dev.botdb.dialect.Dialect;
import dev.botdb.dialect.QualifiedName;
import java.util.List;

/** Text helpers for the generated DDL. */
final class Sql {
    private Sql() {
    }

    /** A string literal for a server with {@code standard_conforming_strings = on} (the preamble sets it). */
    static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    static String q(String identifier) {
        return Dialect.POSTGRESQL.quote(identifier);
    }

    static String q(String schema, String name) {
        return new QualifiedName(schema, name).sql();
    }

    /** {@code WITH (a=1, b=2)} for reloptions, or empty; {@code prefix} is {@code toast.} for TOAST options. */
    static String options(List<String> options, List<String> toastOptions) {
        if (options.isEmpty() && toastOptions.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (String o : options) {
            sb.append(sb.length() == 0 ? "" : ", ").append(option(o));
        }
        for (String o : toastOptions) {
            sb.append(sb.length() == 0 ? "" : ", ").append("toast.").append(option(o));
        }
        return " WITH (" + sb + ")";
    }

    /** {@code name=value} as stored in reloptions; the value quoted as pg_dump quotes it. */
    private static String option(String o) {
        int eq = o.indexOf('=');
        if (eq < 0) {
            return o;
        }
        String value = o.substring(eq + 1);
        boolean plain = value.matches("[A-Za-z0-9_.+-]+");
        return q(o.substring(0, eq)) + "=" + (plain ? value : literal(value));
    }

    /** Removes trailing white space and one trailing semicolon. */
    static String trimStatement(String s) {
        String t = s.strip();
        return t.endsWith(";") ? t.substring(0, t.length() - 1).stripTrailing() : t;
    }
}
