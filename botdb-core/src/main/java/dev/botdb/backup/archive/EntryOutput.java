package dev.botdb.backup.archive;

import com.github.luben.zstd.ZstdCompressCtx;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Writes one entry of an {@link ArchiveWriter}: buffers the content into chunks, compresses and
 * encrypts each full chunk on the calling thread, then appends it to the file. Use it from one
 * thread. {@link #flush()} does nothing: chunks are only cut when full, so callers that flush
 * often (COPY does) do not make chunks small.
 *
 * <p>Close it with {@link #closeEntry()} to get its {@link EntryInfo}; {@link #close()} does the
 * same. If writing the content failed half-way, abort the whole archive: a closed entry counts
 * as complete.
 */
public final class EntryOutput extends OutputStream {
    /** First buffer size: small entries (schema.json) do not allocate a whole chunk. */
    private static final int INITIAL_BUFFER = 64 << 10;

    private final ArchiveWriter writer;
    private final String name;
    private final int id;
    private final ArchiveCrypto crypto;
    private final int zstdLevel;
    private final int chunkSize;
    /** Format 2: a random nonce stored with each chunk (see {@link ArchiveCrypto.Session#sealRandom}). */
    private final boolean randomNonces;
    private final MessageDigest sha256 = ArchiveWriter.sha256();
    private final MessageDigest chunkSha256 = ArchiveWriter.sha256();
    private final List<ArchiveLayout.Chunk> chunks = new ArrayList<>();

    private byte[] buffer = new byte[0];
    private int filled;
    private long rawBytes;
    private long storedBytes;
    private ZstdCompressCtx zstd;
    private byte[] packed;
    private byte[] sealed;
    private ArchiveCrypto.Session cipher;
    private EntryInfo info;
    private IOException failure;

    EntryOutput(ArchiveWriter writer, String name, int id, ArchiveCrypto crypto, int zstdLevel, int chunkSize) {
        this.writer = writer;
        this.name = name;
        this.id = id;
        this.crypto = crypto;
        this.zstdLevel = zstdLevel;
        this.chunkSize = chunkSize;
        this.randomNonces = writer.appendable();
    }

    /** The entry's name. */
    public String name() {
        return name;
    }

    @Override
    public void write(int b) throws IOException {
        ensureWritable();
        if (filled == buffer.length) {
            makeRoom();
        }
        buffer[filled++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureWritable();
        while (len > 0) {
            if (filled == buffer.length) {
                makeRoom();
            }
            int n = Math.min(len, buffer.length - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
        }
    }

    /** Grows the buffer up to one chunk, then emits full chunks. */
    private void makeRoom() throws IOException {
        if (buffer.length < chunkSize) {
            int size = (int) Math.min(chunkSize, Math.max(INITIAL_BUFFER, 2L * buffer.length));
            buffer = java.util.Arrays.copyOf(buffer, size);
        } else {
            emitChunk();
        }
    }

    private void emitChunk() throws IOException {
        try {
            sha256.update(buffer, 0, filled);
            if (zstd == null) {
                zstd = new ZstdCompressCtx();
                zstd.setLevel(zstdLevel);
                zstd.setChecksum(true); // readers check each chunk's content as they decompress it
            }
            int bound = ArchiveWriter.compressBound(filled);
            if (packed == null || packed.length < bound) {
                packed = new byte[ArchiveWriter.compressBound(buffer.length)];
            }
            int packedLength = zstd.compressByteArray(packed, 0, packed.length, buffer, 0, filled);
            // incompressible data (an already compressed blob) is stored as it is
            int codec = packedLength < filled ? ArchiveLayout.CODEC_ZSTD_CHECKED : ArchiveLayout.CODEC_STORED;
            byte[] payload = codec == ArchiveLayout.CODEC_STORED ? buffer : packed;
            int payloadLength = codec == ArchiveLayout.CODEC_STORED ? filled : packedLength;
            if (crypto != null) {
                if (cipher == null) {
                    cipher = crypto.session();
                }
                if (sealed == null || sealed.length < payloadLength + ArchiveCrypto.TAG_BYTES + ArchiveCrypto.NONCE_BYTES) {
                    sealed = new byte[Math.max(packed.length, buffer.length) + ArchiveCrypto.TAG_BYTES
                            + ArchiveCrypto.NONCE_BYTES];
                }
                int number = chunks.size();
                byte[] aad = ArchiveCrypto.chunkAad(id, number, name);
                payloadLength = randomNonces
                        ? cipher.sealRandom(aad, payload, payloadLength, sealed)
                        : cipher.seal(ArchiveCrypto.chunkNonce(id, number), aad, payload, payloadLength, sealed);
                payload = sealed;
            }
            chunkSha256.update(payload, 0, payloadLength);
            byte[] storedHash = chunkSha256.digest();
            long offset = writer.append(payload, payloadLength);
            chunks.add(new ArchiveLayout.Chunk(offset, payloadLength, filled, codec, storedHash));
            rawBytes += filled;
            storedBytes += payloadLength;
            filled = 0;
        } catch (IOException | RuntimeException e) {
            IOException failed = e instanceof IOException io ? io
                    : new IOException("cannot compress or encrypt entry '" + name + "': " + e, e);
            fail(failed);
            throw failed;
        }
    }

    private void fail(IOException e) {
        failure = e;
        writer.entryFailed(e);
        release();
    }

    private void ensureWritable() throws IOException {
        if (failure != null) {
            throw new IOException("entry '" + name + "' failed earlier: " + failure.getMessage(), failure);
        }
        if (info != null) {
            throw new IOException("entry '" + name + "' is closed");
        }
    }

    /** Does nothing: chunks are cut when full (see the class comment). */
    @Override
    public void flush() {
    }

    /**
     * Writes the last chunk and records the entry in the archive. Idempotent.
     *
     * @return the entry's size and SHA-256 of its uncompressed content
     */
    public EntryInfo closeEntry() throws IOException {
        if (info != null) {
            return info;
        }
        ensureWritable();
        if (filled > 0) {
            emitChunk();
        }
        byte[] digest = sha256.digest();
        info = new EntryInfo(name, rawBytes, HexFormat.of().formatHex(digest), chunks.size(), storedBytes);
        writer.entryClosed(new ArchiveLayout.Entry(name, id, rawBytes, digest, List.copyOf(chunks)), info);
        release();
        return info;
    }

    /** Same as {@link #closeEntry()}; after a failed write it only releases the buffers (the write threw already). */
    @Override
    public void close() throws IOException {
        if (failure == null) {
            closeEntry();
        }
    }

    private void release() {
        if (zstd != null) {
            zstd.close();
            zstd = null;
        }
        buffer = new byte[0];
        packed = null;
        sealed = null;
    }
}
