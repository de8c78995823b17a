package dev.botdb.transfer;

import dev.botdb.copy.BinaryCopy;
import dev.botdb.copy.RowsHash;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.postgresql.util.ByteConverter;

/**
 * The order-independent hash of a table's converted rows ({@link RowsHash} over COPY binary tuples), taken
 * once of the tuples sent and once of the tuples the server gives back after loading: equal hashes mean every
 * row arrived as converted. Values the server keeps in a canonical form of its own (jsonb, numeric) are hashed
 * in that form on both sides.
 */
final class RowCheck {
    private final RowsHash hash = new RowsHash(true); // fed whole tuples through row(): no second parse
    private final Conversion.Canon[] canons;
    private final boolean plain;

    RowCheck(List<Conversion.Canon> canons) {
        this.canons = canons.toArray(new Conversion.Canon[0]);
        this.plain = canons.stream().allMatch(c -> c == Conversion.Canon.NONE);
    }

    /** One tuple: field count, then each field's length and bytes. */
    void tuple(byte[] b, int off, int len) {
        if (plain) {
            hash.row(b, off, len);
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(len + 16);
        out.write(b, off, 2);
        int p = off + 2;
        for (Conversion.Canon canon : canons) {
            int fieldLength = readInt(b, p);
            if (fieldLength < 0 || canon == Conversion.Canon.NONE) {
                int whole = 4 + Math.max(fieldLength, 0);
                out.write(b, p, whole);
                p += whole;
                continue;
            }
            byte[] value = canon == Conversion.Canon.JSONB
                    ? JsonCanon.canonical(b, p + 5, fieldLength - 1) // after jsonb's version byte
                    : numeric(b, p + 4, fieldLength);
            out.write(value.length >>> 24);
            out.write(value.length >>> 16);
            out.write(value.length >>> 8);
            out.write(value.length);
            out.write(value, 0, value.length);
            p += 4 + fieldLength;
        }
        byte[] t = out.toByteArray();
        hash.row(t, 0, t.length);
    }

    private static byte[] numeric(byte[] b, int off, int len) {
        Number n = ByteConverter.numeric(b, off, len);
        String text = n instanceof java.math.BigDecimal d
                ? (d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString()) : n.toString();
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static int readInt(byte[] b, int p) {
        return (b[p] << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
    }

    long rows() {
        return hash.rows();
    }

    /** {@code rows:hash}. */
    String hex() {
        return hash.hex();
    }

    /** A COPY TO STDOUT (FORMAT binary) stream whose tuples go to this check. */
    BinaryCopy sink() {
        return new BinaryCopy() {
            @Override
            protected void row(byte[] b, int off, int len) {
                tuple(b, off, len);
            }
        };
    }
}
