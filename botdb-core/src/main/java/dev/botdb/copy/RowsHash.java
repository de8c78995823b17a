package dev.botdb.copy;

import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A table's rows as a multiset: each row of COPY text (a raw newline always ends a row; newlines in
 * values are escaped), or each tuple of COPY binary output, gets a 64-bit MurmurHash64A, and the table's checksum is the row count plus
 * two sums of those hashes. The order of the rows does not matter, so a table restored by several
 * connections at once (whose rows land in another physical order) still matches its backup, while
 * any changed, missing or extra row changes it.
 */
public final class RowsHash extends OutputStream {
    private static final long M = 0xc6a4a7935bd1e995L;
    private static final int R = 47;
    private static final long SEED = 0x62_6f_74_64_62L; // "botdb"
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[] partial = new byte[256];
    private int partialLength;
    private long rows;
    private long sum;
    private long mixedSum;
    /** In binary mode, what finds the tuples; null for COPY text. */
    private final BinaryCopy tuples;

    /** The hash of COPY text output. */
    public RowsHash() {
        this(false);
    }

    /** The hash of COPY output in the given format ({@code binary}: each stream written in is one whole COPY). */
    public RowsHash(boolean binary) {
        this.tuples = binary ? new BinaryCopy() {
            @Override
            protected void row(byte[] b, int off, int len) {
                RowsHash.this.row(b, off, len);
            }
        } : null;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (tuples != null) {
            tuples.write(b, off, len);
            return;
        }
        int start = off;
        int end = off + len;
        for (int i = off; i < end; i++) {
            if (b[i] == '\n') {
                if (partialLength > 0) {
                    append(b, start, i - start);
                    row(partial, 0, partialLength);
                    partialLength = 0;
                } else {
                    row(b, start, i - start);
                }
                start = i + 1;
            }
        }
        if (start < end) {
            append(b, start, end - start);
        }
    }

    private void append(byte[] b, int off, int len) {
        if (partialLength + len > partial.length) {
            partial = Arrays.copyOf(partial, Math.max(partial.length * 2, partialLength + len));
        }
        System.arraycopy(b, off, partial, partialLength, len);
        partialLength += len;
    }

    /** One whole row (a COPY binary tuple, or a line of COPY text without its newline) whose bounds the caller knows. */
    public void row(byte[] b, int off, int len) {
        long h = hash(b, off, len);
        rows++;
        sum += h;
        mixedSum += Long.rotateLeft(h * 0x9e3779b97f4a7c15L, 29);
    }

    public static long hash(byte[] b, int off, int len) {
        long h = SEED ^ (len * M);
        int i = off;
        int end = off + len;
        for (; i + 8 <= end; i += 8) {
            long k = (long) LONG.get(b, i);
            k *= M;
            k ^= k >>> R;
            k *= M;
            h ^= k;
            h *= M;
        }
        if (i < end) {
            long k = 0;
            for (int shift = 0; i < end; i++, shift += 8) {
                k |= (b[i] & 0xffL) << shift;
            }
            h ^= k;
            h *= M;
        }
        h ^= h >>> R;
        h *= M;
        h ^= h >>> R;
        return h;
    }

    /** Adds another part of the same table (hashes of disjoint row sets add up). */
    public synchronized void add(RowsHash other) {
        other.finish();
        finish();
        rows += other.rows;
        sum += other.sum;
        mixedSum += other.mixedSum;
    }

    /** Counts a final row that lacks its newline. */
    private void finish() {
        if (partialLength > 0) {
            row(partial, 0, partialLength);
            partialLength = 0;
        }
    }

    /** Rows seen so far (a final row without its newline counts once {@link #hex()} is asked). */
    public long rows() {
        return rows + (partialLength > 0 ? 1 : 0);
    }

    /** {@code rows:sum:mixedSum} in hex; a trailing row without newline is included. */
    public String hex() {
        long r = rows;
        long s = sum;
        long x = mixedSum;
        if (partialLength > 0) {
            long h = hash(partial, 0, partialLength);
            r++;
            s += h;
            x += Long.rotateLeft(h * 0x9e3779b97f4a7c15L, 29);
        }
        HexFormat hex = HexFormat.of();
        return Long.toString(r) + ":" + hex.toHexDigits(s) + hex.toHexDigits(x);
    }
}
