package dev.botdb.transfer;

import java.util.Arrays;

/**
 * The COPY binary stream being built, one tuple at a time: a tuple is kept whole until it ends (a value that
 * cannot be converted drops the tuple begun, nothing of it is sent), then its bytes are hashed and, once
 * enough are gathered, handed to the server in one piece.
 */
final class CopyBuffer {
    private byte[] bytes = new byte[1 << 17];
    private int length;
    private int tupleStart;

    void beginTuple(int fields) {
        tupleStart = length;
        writeShort(fields);
    }

    /** Forgets the tuple begun. */
    void dropTuple() {
        length = tupleStart;
    }

    int tupleStart() {
        return tupleStart;
    }

    byte[] array() {
        return bytes;
    }

    int length() {
        return length;
    }

    void clear() {
        length = 0;
        tupleStart = 0;
    }

    void writeNull() {
        writeInt(-1);
    }

    void writeShort(int v) {
        ensure(2);
        bytes[length++] = (byte) (v >>> 8);
        bytes[length++] = (byte) v;
    }

    void writeInt(int v) {
        ensure(4);
        bytes[length++] = (byte) (v >>> 24);
        bytes[length++] = (byte) (v >>> 16);
        bytes[length++] = (byte) (v >>> 8);
        bytes[length++] = (byte) v;
    }

    void writeLong(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            bytes[length++] = (byte) (v >>> shift);
        }
    }

    /** A field: its length, then its bytes. */
    void writeField(byte[] b, int off, int len) {
        writeInt(len);
        ensure(len);
        System.arraycopy(b, off, bytes, length, len);
        length += len;
    }

    /** Reserves the 4 bytes of a field's length; {@link #endField} fills them in. */
    int beginField() {
        writeInt(0);
        return length;
    }

    void endField(int start) {
        int len = length - start;
        bytes[start - 4] = (byte) (len >>> 24);
        bytes[start - 3] = (byte) (len >>> 16);
        bytes[start - 2] = (byte) (len >>> 8);
        bytes[start - 1] = (byte) len;
    }

    void writeByte(int b) {
        ensure(1);
        bytes[length++] = (byte) b;
    }

    void write(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, bytes, length, len);
        length += len;
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
