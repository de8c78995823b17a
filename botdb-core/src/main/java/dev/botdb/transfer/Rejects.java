package dev.botdb.transfer;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The rows {@code --on-bad-row skip} leaves out, as CSV (RFC 4180, UTF-8): table, rowid (or primary key),
 * column, reason, the value, and the whole source row as a JSON object, so each can be fixed and loaded by hand.
 * The file is created on the first rejected row, never before.
 */
final class Rejects implements AutoCloseable {
    private final Path file;
    private CSVPrinter printer;
    private long rows;

    Rejects(Path file) {
        this.file = file;
    }

    void add(String table, String key, String column, String reason, String value, Map<String, Object> row) {
        try {
            if (printer == null) {
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
                printer = new CSVPrinter(w, CSVFormat.RFC4180.builder()
                        .setHeader("table", "row", "column", "reason", "value", "source_row").get());
            }
            printer.printRecord(table, key, column, reason, value, json(row));
            rows++;
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.TRANSFER_FAILED, "Cannot write the rejects file " + file + ": "
                    + e.getMessage() + ". Nothing was committed; give --rejects a writable path.", e);
        }
    }

    /** The row as a JSON object (BLOBs as {@code \\x} hex text), written by Jackson's generator. */
    private static String json(Map<String, Object> row) throws IOException {
        java.io.StringWriter out = new java.io.StringWriter();
        try (com.fasterxml.jackson.core.JsonGenerator g = new com.fasterxml.jackson.core.JsonFactory().createGenerator(out)) {
            g.writeStartObject();
            for (Map.Entry<String, Object> e : row.entrySet()) {
                g.writeFieldName(e.getKey());
                Object v = e.getValue();
                if (v == null) {
                    g.writeNull();
                } else if (v instanceof Long || v instanceof Integer) {
                    g.writeNumber(((Number) v).longValue());
                } else if (v instanceof Double d) {
                    g.writeNumber(d);
                } else if (v instanceof byte[] bytes) {
                    g.writeString("\\x" + java.util.HexFormat.of().formatHex(bytes));
                } else {
                    g.writeString(v.toString());
                }
            }
            g.writeEndObject();
        }
        return out.toString();
    }

    long rows() {
        return rows;
    }

    Path file() {
        return file;
    }

    @Override
    public void close() {
        if (printer != null) {
            try {
                printer.close(true);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
