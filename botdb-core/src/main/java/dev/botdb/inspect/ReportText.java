package dev.botdb.inspect;

import dev.botdb.config.Redaction;
import dev.botdb.dialect.Dialect;
import java.time.Duration;
import java.util.Locale;

/** How the report writes sizes, counts, shares and durations. */
final class ReportText {
    private static final int QUERY_CHARS = 100;

    private ReportText() {
    }






    /** Another session's statement, one line, at most 100 characters, quoted strings after PASSWORD masked. */
    static String query(String query) {
        return Redaction.statement(query, QUERY_CHARS);
    }

    /** {@code schema.name}, the schema left out for {@code public}. */
    static String qualified(String schema, String name) {
        return ("public".equals(schema) ? "" : Dialect.POSTGRESQL.quote(schema) + ".") + Dialect.POSTGRESQL.quote(name);
    }
}
