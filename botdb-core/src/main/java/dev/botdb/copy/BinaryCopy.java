package dev.botdb.copy;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * COPY's binary format ({@code WITH (FORMAT binary)}): a 19-byte header (signature, flags, header
 * extension length) and its extension, then one tuple per row (a 16-bit field count, then each
 * field as a 32-bit length, -1 for NULL, and that many bytes), then a 16-bit -1. This stream
 * finds the rows in such output, however it is cut into writes, and hands each to {@link #row}.
 *
 * @see <a href="https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4">COPY binary format</a>
 */
public abstract class BinaryCopy extends OutputStream {
    /** The header a COPY FROM stream starts with: signature, no flags, no extension. */
    public static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    /** The end marker: a field count of -1. */
    public static final byte[] TRAILER = {(byte) 0xff, (byte) 0xff};
    private static final int SIGNATURE = 11;

    private byte[] pending = new byte[0];
    private int pendingLength;
    private boolean inHeader = true;
    private boolean ended;

    /** One row: its field count and fields, exactly as in the stream. */
    protected abstract void row(byte[] b, int off, int len);

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (pendingLength == 0) {
            int used = parse(b, off, off + len);
            keep(b, used, off + len - used);
            return;
        }
        keep(b, off, len);
        int used = parse(pending, 0, pendingLength);
        System.arraycopy(pending, used, pending, 0, pendingLength - used);
        pendingLength -= used;
    }

    /** True once the end marker was seen. */
    public boolean ended() {
        return ended;
    }

    /** True when bytes of an unfinished row (or header) are waiting for the rest. */
    public boolean incomplete() {
        return pendingLength > 0 || inHeader;
    }

    private void keep(byte[] b, int off, int len) {
        if (len <= 0) {
            return;
        }
        if (pendingLength + len > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + len));
        }
        System.arraycopy(b, off, pending, pendingLength, len);
        pendingLength += len;
    }

    /** Hands every complete row in {@code b[from, to)} to {@link #row}; returns where the unfinished rest starts. */
    private int parse(byte[] b, int from, int to) {
        int p = from;
        while (p < to) {
            if (ended) {
                return to; // nothing follows the end marker
            }
            if (inHeader) {
                int header = headerLength(b, p, to);
                if (header == INCOMPLETE) {
                    return p;
                }
                p += header;
                inHeader = false;
                continue;
            }
            int end = tupleEnd(b, p, to);
            if (end == INCOMPLETE) {
                return p;
            }
            if (end == END_MARKER) {
                ended = true;
                p += TRAILER.length;
                continue;
            }
            row(b, p, end - p);
            p = end;
        }
        return p;
    }

    /** {@link #tupleEnd}: the bytes end inside the tuple. */
    public static final int INCOMPLETE = -1;
    /** {@link #tupleEnd}: the end marker starts there. */
    public static final int END_MARKER = -2;

    /**
     * Where the tuple that starts at {@code p} ends (its field count, then each field's length and
     * bytes), found by jumping from length to length; {@link #INCOMPLETE} when {@code b[p, to)}
     * holds only part of it, {@link #END_MARKER} when the end marker starts at {@code p}.
     */
    public static int tupleEnd(byte[] b, int p, int to) {
        if (to - p < 2) {
            return INCOMPLETE;
        }
        int fields = (short) (((b[p] & 0xff) << 8) | (b[p + 1] & 0xff));
        if (fields == -1) {
            return END_MARKER;
        }
        int q = p + 2;
        for (int i = 0; i < fields; i++) {
            if (to - q < 4) {
                return INCOMPLETE;
            }
            int length = int32(b, q);
            q += 4;
            if (length > 0) {
                if (to - q < length) {
                    return INCOMPLETE;
                }
                q += length;
            }
        }
        return q;
    }

    /** The length of the header that starts at {@code b[p]} (with its extension); {@link #INCOMPLETE} when cut short. */
    public static int headerLength(byte[] b, int p, int to) {
        if (to - p < HEADER.length) {
            return INCOMPLETE;
        }
        if (!Arrays.equals(b, p, p + SIGNATURE, HEADER, 0, SIGNATURE)) {
            throw new IllegalArgumentException("not COPY binary data: the signature is missing");
        }
        int extension = int32(b, p + 15);
        return extension < 0 || to - p < HEADER.length + (long) extension ? INCOMPLETE : HEADER.length + extension;
    }

    private static int int32(byte[] b, int i) {
        return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }
}
