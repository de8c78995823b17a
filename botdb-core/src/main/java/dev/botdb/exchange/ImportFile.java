package dev.botdb.exchange;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A file to import: gzip read directly (by name or by its magic bytes), a UTF-8 byte order mark skipped, the
 * header line read off the top. The rest is handed on as bytes, so PostgreSQL's COPY parses it as fast as
 * {@code psql \copy} would; when COPY reports a failing record, {@link #lineOf} finds the record's first line
 * by reading the file again with a CSV parser (quoted fields may span lines).
 */
final class ImportFile {
    private final Path file;
    private final Format format;

    ImportFile(Path file, Format format) {
        this.file = file;
        this.format = format;
        if (!Files.isRegularFile(file)) {
            throw new BotDbException(ErrorCode.IMPORT_REFUSED, file + " does not exist (or is not a file); nothing was"
                    + " imported.");
        }
    }

    Path path() {
        return file;
    }

    /** The file's bytes after gzip and the byte order mark. */
    InputStream open() throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(4);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        if (b1 == 0x1f && b2 == 0x8b) {
            in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        in.mark(4);
        byte[] bom = in.readNBytes(3);
        if (!(bom.length == 3 && (bom[0] & 0xff) == 0xEF && (bom[1] & 0xff) == 0xBB && (bom[2] & 0xff) == 0xBF)) {
            in.reset();
        }
        return in;
    }

    /** Reads the header line off {@code in} (which then stands at the first record) and returns its names. */
    List<String> readHeader(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(line.toByteArray())).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new BotDbException(ErrorCode.IMPORT_REFUSED, file + " line 1 (the header) is not UTF-8. botdb reads"
                    + " UTF-8 files; convert it first (iconv -f WINDOWS-1251 -t UTF-8 ...). Nothing was imported.");
        }
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.isBlank()) {
            throw new BotDbException(ErrorCode.IMPORT_REFUSED, file + " is empty or starts with an empty line, where"
                    + " the header belongs. Nothing was imported.");
        }
        if (format == Format.TSV) {
            List<String> names = new ArrayList<>();
            for (String name : text.split("\t", -1)) {
                names.add(name.replace("\\t", "\t").replace("\\\\", "\\"));
            }
            return names;
        }
        try (CSVParser p = CSVParser.builder().setReader(new StringReader(text)).setFormat(CSVFormat.RFC4180).get()) {
            List<CSVRecord> records = p.getRecords();
            return records.isEmpty() ? List.of() : records.get(0).toList();
        }
    }

    /**
     * The file lines (first and last) of the record COPY reported as {@code line}. PostgreSQL's CSV line count is
     * not the record number: it counts the line breaks inside quoted fields too (so it names the line where the
     * record ends), except those of the first record it reads (measured on PostgreSQL 15). So the file is read
     * again with a CSV parser, each record's count worked out that way, and, when the server named the column
     * and its value, the record checked to hold that value (else the nearest one that does is taken).
     *
     * @param fields the file's column names in order, to find {@code column}
     */
    long[] linesOf(long line, boolean header, List<String> fields, String column, String value) {
        if (format != Format.CSV) {
            long l = line + (header ? 1 : 0);
            return new long[] {l, l};
        }
        int index = column == null ? -1 : fields.indexOf(column);
        try (InputStream in = open(); Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
             CSVParser p = CSVParser.builder().setReader(reader).setFormat(CSVFormat.RFC4180).get()) {
            long headerLines = 0;
            long previousEnd = 0;
            long firstBreaks = -1;
            long[] best = null;
            long bestDistance = Long.MAX_VALUE;
            boolean skipped = !header;
            for (CSVRecord r : p) {
                long end = p.getCurrentLineNumber();
                long start = previousEnd + 1;
                previousEnd = end;
                if (!skipped) {
                    skipped = true;
                    headerLines = end;
                    continue;
                }
                if (firstBreaks < 0) {
                    firstBreaks = end - start;
                }
                long counted = end - headerLines - firstBreaks;
                boolean holds = index < 0 || value == null || (index < r.size() && r.get(index).equals(value));
                if (counted == line && holds) {
                    return new long[] {start, end};
                }
                if (holds && index >= 0 && value != null && Math.abs(counted - line) < bestDistance) {
                    bestDistance = Math.abs(counted - line);
                    best = new long[] {start, end};
                }
                if (counted > line + 100_000 && best != null) {
                    break;
                }
            }
            if (best != null) {
                return best;
            }
        } catch (IOException | RuntimeException e) {
            // fall through: the server's count is the best there is
        }
        long l = line + (header ? 1 : 0);
        return new long[] {l, l};
    }

}
