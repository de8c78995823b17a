package dev.botdb.backup.archive;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The byte layout of format version 1 (described in {@code package-info.java}): header, trailer
 * and index encoding. Everything is big-endian. Decoding checks every count and offset, so a
 * damaged or hostile file fails with {@link Corrupt} instead of a huge allocation.
 */
final class ArchiveLayout {
    /** PNG-style signature: a high byte and CR LF catch 7-bit and line-ending mangling. */
    static final byte[] MAGIC = {(byte) 0x89, 'B', 'O', 'T', 'D', 'B', '\r', '\n'};
    static final byte[] END_MAGIC = {'B', 'O', 'T', 'D', 'B', 'E', 'N', 'D'};
    static final int VERSION = 1;
    /**
     * Format 2: as 1, but appendable ({@link ArchiveWriter#append}); every encrypted blob carries its own
     * random nonce in front of its ciphertext, because an append that is rolled back may write the same
     * position again with other content.
     */
    static final int APPENDABLE_VERSION = 2;
    static final int HEADER_SIZE = 64;
    static final int TRAILER_SIZE = 80;
    static final int FLAG_ENCRYPTED = 1;
    static final int CODEC_STORED = 0;
    /** zstd without its content checksum (archives of earlier botdb builds): the entry's SHA-256 checks it. */
    static final int CODEC_ZSTD = 1;
    /**
     * zstd with the frame's content checksum (XXH64 of the uncompressed bytes, checked by zstd as it
     * decompresses), so a chunk's content is checked as it is read and a restore need not hash the
     * whole entry again.
     */
    static final int CODEC_ZSTD_CHECKED = 2;
    /** Upper bound for a chunk's uncompressed size; keeps a reader's allocations bounded. */
    static final int MAX_CHUNK_SIZE = 64 << 20;
    static final int MAX_NAME_BYTES = 1024;
    /** The index and manifest are read into memory whole. */
    static final long MAX_METADATA_BYTES = 256L << 20;
    static final String PARTIAL_SUFFIX = ".partial";

    private ArchiveLayout() {
    }

    /** A decoding failure; the reader turns it into a message naming the file. */
    static final class Corrupt extends Exception {
        Corrupt(String message) {
            super(message);
        }
    }

    /**
     * The fixed 64-byte header. {@code length} is the whole file's size, 0 until
     * {@link ArchiveWriter#finish} completes the file.
     */
    record Header(int version, int flags, int chunkSize, long createdMillis, long length,
                  int kdfIterations, byte[] salt, byte[] keyCheck) {

        boolean encrypted() {
            return (flags & FLAG_ENCRYPTED) != 0;
        }

        Header withLength(long newLength) {
            return new Header(version, flags, chunkSize, createdMillis, newLength, kdfIterations, salt, keyCheck);
        }

        byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE);
            b.put(MAGIC);
            b.putShort((short) version);
            b.putShort((short) flags);
            b.putInt(chunkSize);
            b.putLong(createdMillis);
            b.putLong(length);
            b.putInt(kdfIterations);
            b.put(salt, 0, ArchiveCrypto.SALT_BYTES);
            b.put(keyCheck, 0, ArchiveCrypto.KEY_CHECK_BYTES);
            b.putInt(crc32c(b.array(), 0, HEADER_SIZE - 4));
            return b.array();
        }

        /** Checks signature and checksum only; the caller judges version and length. */
        static Header decode(byte[] bytes) throws Corrupt {
            if (!startsWithMagic(bytes)) {
                throw new Corrupt("no signature");
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.getInt(HEADER_SIZE - 4) != crc32c(bytes, 0, HEADER_SIZE - 4)) {
                throw new Corrupt("header checksum mismatch");
            }
            b.position(MAGIC.length);
            int version = Short.toUnsignedInt(b.getShort());
            int flags = Short.toUnsignedInt(b.getShort());
            int chunkSize = b.getInt();
            long created = b.getLong();
            long length = b.getLong();
            int iterations = b.getInt();
            byte[] salt = new byte[ArchiveCrypto.SALT_BYTES];
            b.get(salt);
            byte[] keyCheck = new byte[ArchiveCrypto.KEY_CHECK_BYTES];
            b.get(keyCheck);
            return new Header(version, flags, chunkSize, created, length, iterations, salt, keyCheck);
        }
    }

    static boolean startsWithMagic(byte[] bytes) {
        return bytes.length >= MAGIC.length && Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /** The fixed 80-byte trailer: where index and manifest are, and a hash of all metadata. */
    record Trailer(long indexOffset, long indexLength, long manifestOffset, long manifestLength, byte[] metadataSha256) {

        byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(TRAILER_SIZE);
            b.putLong(indexOffset);
            b.putLong(indexLength);
            b.putLong(manifestOffset);
            b.putLong(manifestLength);
            b.put(metadataSha256);
            b.putInt(crc32c(b.array(), 0, 64));
            b.putInt(0);
            b.put(END_MAGIC);
            return b.array();
        }

        static Trailer decode(byte[] bytes) throws Corrupt {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (!Arrays.equals(bytes, TRAILER_SIZE - END_MAGIC.length, TRAILER_SIZE, END_MAGIC, 0, END_MAGIC.length)) {
                throw new Corrupt("has no end signature");
            }
            if (b.getInt(64) != crc32c(bytes, 0, 64) || b.getInt(68) != 0) {
                throw new Corrupt("does not match its checksum");
            }
            byte[] sha = Arrays.copyOfRange(bytes, 32, 64);
            return new Trailer(b.getLong(0), b.getLong(8), b.getLong(16), b.getLong(24), sha);
        }
    }

    /** Where one chunk is stored and how to check and unpack it; {@code sha256} is of the stored bytes. */
    record Chunk(long offset, int storedLength, int rawLength, int codec, byte[] sha256) {
    }

    /** One entry as the index records it; {@code id} is its position, part of every chunk's nonce and AAD. */
    record Entry(String name, int id, long rawBytes, byte[] sha256, List<Chunk> chunks) {

        long storedBytes() {
            long sum = 0;
            for (Chunk c : chunks) {
                sum += c.storedLength();
            }
            return sum;
        }
    }

    static byte[] encodeIndex(List<Entry> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(entries.size());
            for (Entry e : entries) {
                byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
                out.writeShort(name.length);
                out.write(name);
                out.writeInt(e.id());
                out.writeLong(e.rawBytes());
                out.write(e.sha256());
                out.writeInt(e.chunks().size());
                for (Chunk c : e.chunks()) {
                    out.writeLong(c.offset());
                    out.writeInt(c.storedLength());
                    out.writeInt(c.rawLength());
                    out.writeByte(c.codec());
                    out.write(c.sha256());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static final int CHUNK_RECORD_BYTES = 8 + 4 + 4 + 1 + 32;

    /**
     * Decodes the index and checks it describes a sane file: ids in order, names unique, chunk
     * sizes within bounds, and the chunks tiling {@code [HEADER_SIZE, dataEnd)} with no gap or
     * overlap, so that every byte of the file is covered by some hash.
     */
    static List<Entry> decodeIndex(byte[] bytes, long dataEnd) throws Corrupt {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            int count = b.getInt();
            if (count < 0 || count > b.remaining() / (2 + 4 + 8 + 32 + 4)) {
                throw new Corrupt("index claims " + Integer.toUnsignedString(count) + " entries");
            }
            List<Entry> entries = new ArrayList<>(count);
            List<String> names = new ArrayList<>(count);
            List<Chunk> all = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int nameLength = Short.toUnsignedInt(b.getShort());
                if (nameLength == 0 || nameLength > MAX_NAME_BYTES) {
                    throw new Corrupt("entry " + i + " has a name of " + nameLength + " bytes");
                }
                byte[] nameBytes = new byte[nameLength];
                b.get(nameBytes);
                String name = utf8(nameBytes);
                int id = b.getInt();
                if (id != i) {
                    throw new Corrupt("entry " + i + " has id " + id);
                }
                long raw = b.getLong();
                byte[] sha = new byte[32];
                b.get(sha);
                int chunkCount = b.getInt();
                if (chunkCount < 0 || chunkCount > b.remaining() / CHUNK_RECORD_BYTES) {
                    throw new Corrupt("entry '" + name + "' claims " + Integer.toUnsignedString(chunkCount) + " chunks");
                }
                List<Chunk> chunks = new ArrayList<>(chunkCount);
                long rawSum = 0;
                for (int c = 0; c < chunkCount; c++) {
                    long offset = b.getLong();
                    int stored = b.getInt();
                    int rawLength = b.getInt();
                    int codec = Byte.toUnsignedInt(b.get());
                    byte[] chunkSha = new byte[32];
                    b.get(chunkSha);
                    Chunk chunk = new Chunk(offset, stored, rawLength, codec, chunkSha);
                    checkChunk(name, c, chunk);
                    rawSum += chunk.rawLength();
                    chunks.add(chunk);
                }
                if (rawSum != raw) {
                    throw new Corrupt("entry '" + name + "' has " + raw + " bytes but its chunks hold " + rawSum);
                }
                names.add(name);
                all.addAll(chunks);
                entries.add(new Entry(name, id, raw, sha, List.copyOf(chunks)));
            }
            if (b.hasRemaining()) {
                throw new Corrupt("index has " + b.remaining() + " bytes after its last entry");
            }
            if (names.stream().distinct().count() != names.size()) {
                throw new Corrupt("index names an entry twice");
            }
            checkTiling(all, dataEnd);
            return List.copyOf(entries);
        } catch (java.nio.BufferUnderflowException e) {
            throw new Corrupt("index ends in the middle of a record");
        }
    }

    private static void checkChunk(String name, int index, Chunk c) throws Corrupt {
        boolean rawOk = c.rawLength() > 0 && c.rawLength() <= MAX_CHUNK_SIZE;
        boolean storedOk = c.storedLength() > 0 && c.storedLength() <= MAX_CHUNK_SIZE + (MAX_CHUNK_SIZE >> 6) + 4096;
        if (c.codec() != CODEC_STORED && c.codec() != CODEC_ZSTD && c.codec() != CODEC_ZSTD_CHECKED) {
            throw new Corrupt("chunk " + index + " of entry '" + name + "' uses codec " + c.codec() + ", which this botdb"
                    + " does not know (a newer botdb wrote it?)");
        }
        if (!rawOk || !storedOk || c.offset() < HEADER_SIZE) {
            throw new Corrupt("chunk " + index + " of entry '" + name + "' has impossible sizes");
        }
    }

    private static void checkTiling(List<Chunk> chunks, long dataEnd) throws Corrupt {
        Chunk[] sorted = chunks.toArray(Chunk[]::new);
        Arrays.sort(sorted, (x, y) -> Long.compare(x.offset(), y.offset()));
        long expected = HEADER_SIZE;
        for (Chunk c : sorted) {
            if (c.offset() != expected) {
                throw new Corrupt("the index leaves bytes " + Math.min(expected, c.offset()) + ".."
                        + Math.max(expected, c.offset()) + " unaccounted for");
            }
            expected += c.storedLength();
        }
        if (expected != dataEnd) {
            throw new Corrupt("the chunks end at byte " + expected + " but the index starts at byte " + dataEnd);
        }
    }

    static String utf8(byte[] bytes) throws Corrupt {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Corrupt("an entry name is not UTF-8");
        }
    }

    static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
