package dev.botdb.backup.archive;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * One entry's content, chunk by chunk: positional read, SHA-256 check of the stored bytes,
 * decryption, zstd decompression with the frame's content checksum. So every chunk's content is
 * checked as it is read: stored chunks by their SHA-256 (and GCM tag), compressed ones by zstd.
 * Only an entry with chunks compressed without zstd's checksum (as earlier botdb builds wrote
 * them) is hashed whole and compared with its SHA-256 at the end, which costs about a second per
 * 1.6 GB. Each chunk's size is compared with the index too, so a stream read to its end has
 * delivered exactly what was written.
 */
final class EntryInput extends InputStream {
    private final ArchiveReader reader;
    private final ArchiveLayout.Entry entry;
    /** Null when every chunk's content is checked on its own. */
    private final MessageDigest sha256;
    private final MessageDigest chunkSha256 = ArchiveWriter.sha256();
    private final ArchiveCrypto.Session cipher;

    private int next;
    private byte[] stored = new byte[0];
    private byte[] decrypted = new byte[0];
    private byte[] raw = new byte[0];
    private int position;
    private int limit;
    private ZstdDecompressCtx zstd;
    private boolean closed;
    private boolean ended;

    EntryInput(ArchiveReader reader, ArchiveLayout.Entry entry) {
        this.reader = reader;
        this.entry = entry;
        this.cipher = reader.cipherSession();
        this.sha256 = entry.chunks().stream().anyMatch(c -> c.codec() == ArchiveLayout.CODEC_ZSTD) ? ArchiveWriter.sha256() : null;
    }

    @Override
    public int read() {
        if (position == limit && !nextChunk()) {
            return -1;
        }
        return raw[position++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (position == limit && !nextChunk()) {
            return -1;
        }
        int n = Math.min(len, limit - position);
        System.arraycopy(raw, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public int available() {
        return limit - position;
    }

    /** Loads the next chunk into {@code raw}; false at the end, after checking size and hash. */
    private boolean nextChunk() {
        if (closed) {
            throw new IllegalStateException("entry '" + entry.name() + "' is closed");
        }
        if (next == entry.chunks().size()) {
            finish();
            return false;
        }
        int number = next++;
        ArchiveLayout.Chunk c = entry.chunks().get(number);
        stored = ensure(stored, c.storedLength());
        reader.readChunk(entry, number, stored, chunkSha256);
        byte[] payload = stored;
        int payloadLength = c.storedLength();
        if (cipher != null) {
            decrypted = ensure(decrypted, c.storedLength());
            payloadLength = reader.decrypt(entry, number, cipher, stored, decrypted);
            payload = decrypted;
        }
        raw = ensure(raw, c.rawLength());
        int produced;
        if (c.codec() == ArchiveLayout.CODEC_STORED) {
            produced = payloadLength;
            System.arraycopy(payload, 0, raw, 0, Math.min(payloadLength, c.rawLength()));
        } else {
            if (c.codec() == ArchiveLayout.CODEC_ZSTD_CHECKED && !hasContentChecksum(payload, payloadLength)) {
                throw reader.invalid("is damaged: " + reader.where(entry, number) + " lacks zstd's content checksum."
                        + " Use another backup");
            }
            if (zstd == null) {
                zstd = new ZstdDecompressCtx();
            }
            try {
                produced = zstd.decompressByteArray(raw, 0, c.rawLength(), payload, 0, payloadLength);
            } catch (ZstdException e) {
                throw reader.invalid("is damaged: " + reader.where(entry, number) + " cannot be decompressed ("
                        + e.getMessage() + "). Use another backup");
            }
        }
        if (produced != c.rawLength()) {
            throw reader.invalid("is damaged: " + reader.where(entry, number) + " holds " + produced
                    + " bytes instead of " + c.rawLength() + ". Use another backup");
        }
        if (sha256 != null) {
            sha256.update(raw, 0, produced);
        }
        position = 0;
        limit = produced;
        return true;
    }

    private void finish() {
        if (ended) {
            return;
        }
        ended = true;
        release();
        if (sha256 != null && !MessageDigest.isEqual(sha256.digest(), entry.sha256())) {
            throw reader.invalid("is damaged: the content of entry '" + entry.name() + "' does not match its SHA-256."
                    + " Use another backup");
        }
    }

    /** A zstd frame (magic 28 B5 2F FD) whose frame header descriptor sets Content_Checksum_flag (bit 2). */
    private static boolean hasContentChecksum(byte[] frame, int length) {
        return length > 4 && frame[0] == 0x28 && frame[1] == (byte) 0xb5 && frame[2] == 0x2f && frame[3] == (byte) 0xfd
                && (frame[4] & 0x04) != 0;
    }

    private static byte[] ensure(byte[] buffer, int size) {
        return buffer.length >= size ? buffer : new byte[size];
    }

    private void release() {
        if (zstd != null) {
            zstd.close();
            zstd = null;
        }
        stored = new byte[0];
        decrypted = new byte[0];
    }

    @Override
    public void close() {
        closed = true;
        release();
        raw = new byte[0];
        position = 0;
        limit = 0;
    }
}
