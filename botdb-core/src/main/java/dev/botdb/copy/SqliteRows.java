package dev.botdb.copy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SQLite rows with their storage classes, as {@code botdb archive --to FILE} stores a SQLite batch: SQLite's
 * columns hold any type, so each value carries its own (NULL, INTEGER, REAL, TEXT, BLOB) and comes back exactly.
 * <pre>
 * "BOTDBSQR" version (u8 = 1) column count (u16), per column: name length (u16) + UTF-8 name
 * per row: 1 (u8), then per column a tag (u8) and value:
 *   0 NULL, 1 INTEGER (i64), 2 REAL (f64 bits), 3 TEXT (u32 length + UTF-8), 4 BLOB (u32 length + bytes)
 * end: 0 (u8)
 * </pre>
 */
public final class SqliteRows {
    private static final byte[] MAGIC = {'B', 'O', 'T', 'D', 'B', 'S', 'Q', 'R'};
    private static final int VERSION = 1;

    private SqliteRows() {
    }

    /** Writes rows; {@link #finish()} ends them. */
    public static final class Writer {
        private final DataOutputStream out;
        private final int columns;
        private long rows;

        public Writer(OutputStream out, List<String> columns) throws IOException {
            this.out = new DataOutputStream(out);
            this.columns = columns.size();
            this.out.write(MAGIC);
            this.out.writeByte(VERSION);
            this.out.writeShort(columns.size());
            for (String c : columns) {
                byte[] name = c.getBytes(StandardCharsets.UTF_8);
                this.out.writeShort(name.length);
                this.out.write(name);
            }
        }

        /** One row: Long/Integer, Double/Float, String, byte[] or null per column, as sqlite-jdbc returns them. */
        public void row(Object[] values) throws IOException {
            if (values.length != columns) {
                throw new IllegalArgumentException("a row of " + values.length + " values for " + columns + " columns");
            }
            out.writeByte(1);
            for (Object v : values) {
                if (v == null) {
                    out.writeByte(0);
                } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                    out.writeByte(1);
                    out.writeLong(((Number) v).longValue());
                } else if (v instanceof Double || v instanceof Float) {
                    out.writeByte(2);
                    out.writeLong(Double.doubleToRawLongBits(((Number) v).doubleValue()));
                } else if (v instanceof byte[] b) {
                    out.writeByte(4);
                    out.writeInt(b.length);
                    out.write(b);
                } else {
                    byte[] b = v.toString().getBytes(StandardCharsets.UTF_8);
                    out.writeByte(3);
                    out.writeInt(b.length);
                    out.write(b);
                }
            }
            rows++;
        }

        public long rows() {
            return rows;
        }

        public void finish() throws IOException {
            out.writeByte(0);
            out.flush();
        }
    }

    /** Reads what {@link Writer} wrote. */
    public static final class Reader {
        private final DataInputStream in;
        private final List<String> columns;

        public Reader(InputStream in) throws IOException {
            this.in = new DataInputStream(in);
            byte[] magic = this.in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC) || this.in.readUnsignedByte() != VERSION) {
                throw new IOException("not SQLite rows written by botdb (or a newer version of them)");
            }
            int n = this.in.readUnsignedShort();
            List<String> names = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                names.add(new String(this.in.readNBytes(this.in.readUnsignedShort()), StandardCharsets.UTF_8));
            }
            this.columns = List.copyOf(names);
        }

        public List<String> columns() {
            return columns;
        }

        /** The next row, or null after the last. */
        public Object[] next() throws IOException {
            int marker = in.readUnsignedByte();
            if (marker == 0) {
                return null;
            }
            if (marker != 1) {
                throw new IOException("damaged SQLite rows: row marker " + marker);
            }
            Object[] row = new Object[columns.size()];
            for (int i = 0; i < row.length; i++) {
                int tag = in.readUnsignedByte();
                row[i] = switch (tag) {
                    case 0 -> null;
                    case 1 -> in.readLong();
                    case 2 -> Double.longBitsToDouble(in.readLong());
                    case 3 -> new String(readBytes(), StandardCharsets.UTF_8);
                    case 4 -> readBytes();
                    default -> throw new IOException("damaged SQLite rows: value tag " + tag);
                };
            }
            return row;
        }

        private byte[] readBytes() throws IOException {
            int length = in.readInt();
            if (length < 0) {
                throw new IOException("damaged SQLite rows: length " + length);
            }
            byte[] b = in.readNBytes(length);
            if (b.length != length) {
                throw new EOFException("SQLite rows end inside a value");
            }
            return b;
        }
    }
}
