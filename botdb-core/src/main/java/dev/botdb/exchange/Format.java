package dev.botdb.exchange;

import java.util.Locale;

/**
 * The file formats of export and import. CSV is RFC 4180 with a header, UTF-8: a NULL is an empty unquoted
 * field, the empty string is {@code ""} (as PostgreSQL's {@code COPY ... CSV} writes and reads them). TSV is
 * PostgreSQL's text format with a header line: tab-separated, {@code \N} for NULL, backslash escapes for tab,
 * newline and backslash. JSON lines: one JSON object per row, typed values ({@code null}, numbers, booleans,
 * nested JSON for json/jsonb and arrays).
 */
public enum Format {
    CSV("csv"), TSV("tsv"), JSONL("jsonl");

    private final String extension;

    Format(String extension) {
        this.extension = extension;
    }

    public String extension() {
        return extension;
    }

    /** The format a file name implies ({@code .csv}, {@code .tsv}, {@code .jsonl} / {@code .ndjson}, optionally {@code .gz}). */
    public static Format of(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.endsWith(".gz")) {
            n = n.substring(0, n.length() - 3);
        }
        if (n.endsWith(".tsv") || n.endsWith(".tab")) {
            return TSV;
        }
        if (n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".json")) {
            return JSONL;
        }
        return CSV;
    }

    /** {@code csv}, {@code tsv}, {@code jsonl}; null when the text names none. */
    public static Format parse(String text) {
        for (Format f : values()) {
            if (f.extension.equalsIgnoreCase(text)) {
                return f;
            }
        }
        return text.equalsIgnoreCase("ndjson") ? JSONL : null;
    }
}
