package dev.botdb.backup.archive;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.Redaction;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.AEADBadTagException;

/**
 * Reads a botdb backup archive. {@link #open} checks the header, the trailer and the index (cheap:
 * it reads no entry data; with encryption the index is authenticated by AES-GCM), then
 * {@link #verifyIntegrity()} checks every chunk against the SHA-256 the index holds for it, so a
 * damaged, truncated or tampered file is refused before anything touches a database. Several threads may read different entries at the same time.
 *
 * <pre>{@code
 * try (ArchiveReader reader = ArchiveReader.open(path, BackupKey.fromEnv(System.getenv()))) {
 *     reader.verifyIntegrity();
 *     byte[] manifest = reader.manifestJson();
 *     try (InputStream in = reader.openEntry("data/public.messages")) {
 *         copyManager.copyIn("COPY public.messages FROM STDIN", in);
 *     }
 * }
 * }</pre>
 *
 * <p>Every problem with the file is a {@link BotDbException} with {@link ErrorCode#BACKUP_INVALID}
 * whose message names the file, says what is wrong and what to do.
 */
public final class ArchiveReader implements Closeable {
    private static final byte[] PG_DUMP_MAGIC = "PGDMP".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b};

    private final Path file;
    private final FileChannel channel;
    private final ArchiveLayout.Header header;
    private final ArchiveCrypto crypto;
    private final Map<String, ArchiveLayout.Entry> entries;
    /** Where the chunks end and the index starts. */
    private long dataEnd;
    private final byte[] manifest;

    private ArchiveReader(Path file, FileChannel channel, ArchiveLayout.Header header, ArchiveCrypto crypto,
                          List<ArchiveLayout.Entry> entries, byte[] manifest) {
        this.file = file;
        this.channel = channel;
        this.header = header;
        this.crypto = crypto;
        this.entries = new LinkedHashMap<>();
        entries.forEach(e -> this.entries.put(e.name(), e));
        this.manifest = manifest;
    }

    /**
     * What the file says about itself, without a key and without reading entries: format
     * version, creation time, whether it is encrypted. Checks that the file is a complete botdb
     * archive (header, length, trailer), not that its content is intact.
     */
    public static ArchiveHeader readHeader(Path file) {
        try (FileChannel channel = openChannel(file)) {
            ArchiveLayout.Header header = readCheckedHeader(file, channel);
            readCheckedTrailer(file, channel, header);
            return describe(header);
        } catch (IOException e) {
            throw readFailed(file, e);
        }
    }

    /**
     * Opens an archive: checks header, length and trailer, reads the index and the manifest and
     * checks their hash; with encryption checks the key and decrypts them. Reads no entry data.
     *
     * @param key needed when the archive is encrypted; ignored otherwise
     */
    public static ArchiveReader open(Path file, Optional<BackupKey> key) {
        FileChannel channel = openChannel(file);
        try {
            ArchiveLayout.Header header = readCheckedHeader(file, channel);
            ArchiveLayout.Trailer trailer = readCheckedTrailer(file, channel, header);
            byte[] headerBytes = header.encode();
            byte[] indexStored = readFully(file, channel, trailer.indexOffset(), (int) trailer.indexLength());
            byte[] manifestStored = readFully(file, channel, trailer.manifestOffset(), (int) trailer.manifestLength());
            MessageDigest sha = ArchiveWriter.sha256();
            sha.update(headerBytes);
            sha.update(indexStored);
            sha.update(manifestStored);
            if (!MessageDigest.isEqual(sha.digest(), trailer.metadataSha256())) {
                throw invalid(file, "is damaged: its index or manifest (bytes " + trailer.indexOffset() + ".."
                        + (trailer.manifestOffset() + trailer.manifestLength()) + ") does not match its checksum."
                        + " Use another backup");
            }
            ArchiveCrypto crypto = null;
            byte[] index = indexStored;
            byte[] manifest = manifestStored;
            if (header.encrypted()) {
                crypto = keyFor(file, header, key);
                ArchiveCrypto.Session cipher = crypto.session();
                boolean random = header.version() == ArchiveLayout.APPENDABLE_VERSION;
                index = openMetadata(file, cipher, "index", random ? null : ArchiveCrypto.indexNonce(), headerBytes,
                        indexStored);
                manifest = openMetadata(file, cipher, "manifest", random ? null : ArchiveCrypto.manifestNonce(),
                        headerBytes, manifestStored);
            }
            List<ArchiveLayout.Entry> entries;
            try {
                entries = ArchiveLayout.decodeIndex(index, trailer.indexOffset());
            } catch (ArchiveLayout.Corrupt e) {
                throw invalid(file, "is damaged: its index is inconsistent (" + e.getMessage() + "). Use another backup");
            }
            ArchiveReader reader = new ArchiveReader(file, channel, header, crypto, entries, manifest);
            reader.dataEnd = trailer.indexOffset();
            return reader;
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e instanceof IOException io ? readFailed(file, io) : (RuntimeException) e;
        }
    }

    private static FileChannel openChannel(Path file) {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new BotDbException(ErrorCode.BACKUP_INVALID, file + " does not exist; `botdb backup list` shows"
                    + " the backups in BACKUP_DIR", e);
        } catch (AccessDeniedException e) {
            throw new BotDbException(ErrorCode.BACKUP_INVALID, file + " cannot be read: permission denied. Backups"
                    + " are readable by their owner only; run botdb as the user that wrote it", e);
        } catch (IOException e) {
            throw readFailed(file, e);
        }
    }

    private static ArchiveLayout.Header readCheckedHeader(Path file, FileChannel channel) throws IOException {
        if (file.getFileName() != null && file.getFileName().toString().endsWith(ArchiveLayout.PARTIAL_SUFFIX)) {
            throw unfinished(file);
        }
        long size = channel.size();
        byte[] start = readFully(file, channel, 0, (int) Math.min(size, ArchiveLayout.HEADER_SIZE));
        if (!ArchiveLayout.startsWithMagic(start)) {
            if (start.length < ArchiveLayout.MAGIC.length
                    && Arrays.equals(start, 0, start.length, ArchiveLayout.MAGIC, 0, start.length) && start.length > 0) {
                throw invalid(file, "is truncated: it ends at byte " + size + ", inside its header. It was probably"
                        + " copied while being written or the disk filled; use another backup");
            }
            throw notABackup(file, start);
        }
        if (size < ArchiveLayout.HEADER_SIZE) {
            throw invalid(file, "is truncated: it ends at byte " + size + ", inside its header. It was probably"
                    + " copied while being written or the disk filled; use another backup");
        }
        ArchiveLayout.Header header;
        try {
            header = ArchiveLayout.Header.decode(start);
        } catch (ArchiveLayout.Corrupt e) {
            throw invalid(file, "is damaged: its header (bytes 0.." + ArchiveLayout.HEADER_SIZE + ") does not match its"
                    + " checksum. Use another backup");
        }
        if (header.version() < ArchiveLayout.VERSION || header.version() > ArchiveLayout.APPENDABLE_VERSION
                || (header.flags() & ~ArchiveLayout.FLAG_ENCRYPTED) != 0) {
            throw invalid(file, "was written by a newer botdb (archive format " + header.version() + ", flags "
                    + header.flags() + "); this botdb reads formats " + ArchiveLayout.VERSION + " and "
                    + ArchiveLayout.APPENDABLE_VERSION + ". Upgrade botdb to read it");
        }
        if (header.length() == 0) {
            throw unfinished(file);
        }
        if (size < header.length()) {
            throw invalid(file, "is truncated: it ends at byte " + size + " of " + header.length() + ". It was"
                    + " probably copied while being written or the disk filled; use another backup");
        }
        if (size > header.length()) {
            throw invalid(file, "has " + (size - header.length()) + " unexpected bytes after its end at byte "
                    + header.length() + ": it was appended to or damaged. Use another backup");
        }
        boolean sane = header.chunkSize() > 0 && header.chunkSize() <= ArchiveLayout.MAX_CHUNK_SIZE
                && header.length() >= ArchiveLayout.HEADER_SIZE + ArchiveLayout.TRAILER_SIZE
                && (header.encrypted()
                ? header.kdfIterations() > 0 && header.kdfIterations() <= ArchiveCrypto.MAX_ITERATIONS
                : header.kdfIterations() == 0);
        if (!sane) {
            throw invalid(file, "is damaged: its header holds impossible values. Use another backup");
        }
        return header;
    }

    private static ArchiveLayout.Trailer readCheckedTrailer(Path file, FileChannel channel, ArchiveLayout.Header header)
            throws IOException {
        long at = header.length() - ArchiveLayout.TRAILER_SIZE;
        ArchiveLayout.Trailer t;
        try {
            t = ArchiveLayout.Trailer.decode(readFully(file, channel, at, ArchiveLayout.TRAILER_SIZE));
        } catch (ArchiveLayout.Corrupt e) {
            throw invalid(file, "is damaged: its end record (bytes " + at + ".." + header.length() + ") " + e.getMessage()
                    + ". Use another backup");
        }
        boolean sane = t.indexOffset() >= ArchiveLayout.HEADER_SIZE
                && t.indexLength() >= 0 && t.indexLength() <= ArchiveLayout.MAX_METADATA_BYTES
                && t.manifestLength() >= 0 && t.manifestLength() <= ArchiveLayout.MAX_METADATA_BYTES
                && t.manifestOffset() == t.indexOffset() + t.indexLength()
                && t.manifestOffset() + t.manifestLength() == at;
        if (!sane) {
            throw invalid(file, "is damaged: its end record points outside the file. Use another backup");
        }
        return t;
    }

    private static ArchiveCrypto keyFor(Path file, ArchiveLayout.Header header, Optional<BackupKey> key) {
        if (key.isEmpty()) {
            throw invalid(file, "is an encrypted backup, but no key is configured: set " + BackupKey.KEY_VARIABLE
                    + " or " + BackupKey.KEY_FILE_VARIABLE + " to the key it was written with");
        }
        ArchiveCrypto crypto = key.get().deriveForReading(header.salt(), header.kdfIterations());
        if (!crypto.matches(header.keyCheck())) {
            throw invalid(file, "cannot be read: wrong key: " + key.get().source() + " does not decrypt this backup."
                    + " Set it to the key the backup was written with");
        }
        return crypto;
    }

    private static byte[] openMetadata(Path file, ArchiveCrypto.Session cipher, String what, byte[] nonce,
                                       byte[] headerBytes, byte[] stored) {
        int overhead = ArchiveCrypto.TAG_BYTES + (nonce == null ? ArchiveCrypto.NONCE_BYTES : 0);
        if (stored.length < overhead) {
            throw invalid(file, "is damaged: its " + what + " is too short to be encrypted. Use another backup");
        }
        byte[] plain = new byte[stored.length - overhead];
        byte[] aad = ArchiveCrypto.metadataAad(what, headerBytes);
        try {
            if (nonce == null) {
                cipher.openRandom(aad, stored, stored.length, plain);
            } else {
                cipher.open(nonce, aad, stored, stored.length, plain);
            }
        } catch (AEADBadTagException e) {
            throw invalid(file, "was tampered with: its " + what + " fails authentication although the key is right"
                    + " (it was changed after it was written). Use another backup");
        }
        return plain;
    }

    ArchiveLayout.Header layoutHeader() {
        return header;
    }

    List<ArchiveLayout.Entry> layoutEntries() {
        return List.copyOf(entries.values());
    }

    long dataEnd() {
        return dataEnd;
    }

    ArchiveCrypto crypto() {
        return crypto;
    }

    /** The first bytes of every botdb archive (for telling files apart). */
    public static byte[] magic() {
        return ArchiveLayout.MAGIC.clone();
    }

    /** The archive's format version, creation time and encryption, from its header. */
    public ArchiveHeader header() {
        return describe(header);
    }

    /** The manifest exactly as {@link ArchiveWriter#finish} was given it (decrypted). */
    public byte[] manifestJson() {
        return manifest.clone();
    }

    /** The entries in the order they were opened by the writer. */
    public List<EntryInfo> entries() {
        return entries.values().stream().map(ArchiveReader::info).toList();
    }

    /**
     * Checks every chunk's stored bytes against the SHA-256 the index holds for it. The index is
     * covered by the trailer's hash and, with encryption, authenticated by AES-GCM under the key,
     * so a chunk that was damaged, changed, swapped or replaced fails here; together with
     * {@link #open}'s checks every byte of the file has been checked. Hashing runs at about
     * 1.4 GB/s per core (SHA-NI) on up to 4 threads, so this is bounded by the disk. It does not decrypt or decompress:
     * {@link #openEntry} checks each chunk's GCM tag and its content (zstd's checksum) as it reads.
     *
     * @throws BotDbException {@link ErrorCode#BACKUP_INVALID} naming the first bad chunk
     */
    public void verifyIntegrity() {
        record Located(ArchiveLayout.Entry entry, int number, ArchiveLayout.Chunk chunk) {
        }
        List<Located> all = new ArrayList<>();
        for (ArchiveLayout.Entry e : entries.values()) {
            for (int i = 0; i < e.chunks().size(); i++) {
                all.add(new Located(e, i, e.chunks().get(i)));
            }
        }
        // in file order, one chunk after another, on a thread per core (hashing, not the disk, is
        // the limit once the file is in the page cache): the first chunk that fails is reported
        all.sort(Comparator.comparingLong(l -> l.chunk().offset()));
        int max = all.stream().mapToInt(l -> l.chunk().storedLength()).max().orElse(0);
        AtomicInteger next = new AtomicInteger();
        ConcurrentSkipListMap<Integer, RuntimeException> failures = new ConcurrentSkipListMap<>();
        Runnable check = () -> {
            byte[] stored = new byte[max];
            MessageDigest sha = ArchiveWriter.sha256();
            int i;
            // every chunk before a failed one was taken before it, so it is checked too
            while (failures.isEmpty() && (i = next.getAndIncrement()) < all.size()) {
                Located l = all.get(i);
                try {
                    readChunk(l.entry(), l.number(), stored, sha);
                } catch (RuntimeException e) {
                    failures.put(i, e);
                }
            }
        };
        int threads = Math.min(Runtime.getRuntime().availableProcessors(), Math.min(4, all.size()));
        List<Thread> helpers = new ArrayList<>();
        for (int t = 1; t < threads; t++) {
            Thread helper = new Thread(check, "botdb-archive-check");
            helper.setDaemon(true);
            helper.start();
            helpers.add(helper);
        }
        check.run();
        for (Thread helper : helpers) {
            try {
                helper.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while checking " + file, e);
            }
        }
        if (!failures.isEmpty()) {
            throw failures.firstEntry().getValue();
        }
    }

    /**
     * The uncompressed (and decrypted) content of an entry, read chunk by chunk with positional
     * reads, so other threads can read other entries meanwhile. Each chunk's content is checked as
     * it is read (see {@link EntryInput}). Problems with the file are thrown
     * as {@link BotDbException} ({@link ErrorCode#BACKUP_INVALID}) from {@code read}.
     *
     * @throws IllegalArgumentException when the archive has no such entry
     */
    public InputStream openEntry(String name) {
        ArchiveLayout.Entry entry = entries.get(name);
        if (entry == null) {
            throw new IllegalArgumentException(file + " has no entry '" + Redaction.printable(name) + "'; it has "
                    + entries.keySet());
        }
        return new EntryInput(this, entry);
    }

    /** Reads one chunk into {@code into} and checks its SHA-256. */
    void readChunk(ArchiveLayout.Entry entry, int number, byte[] into, MessageDigest sha) {
        ArchiveLayout.Chunk c = entry.chunks().get(number);
        try {
            ByteBuffer buffer = ByteBuffer.wrap(into, 0, c.storedLength());
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, c.offset() + buffer.position()) < 0) {
                    throw invalid(file, "is truncated: it ends inside chunk " + number + " of entry '" + entry.name()
                            + "' (it shrank while being read). Use another backup");
                }
            }
        } catch (IOException e) {
            throw readFailed(file, e);
        }
        sha.update(into, 0, c.storedLength());
        if (!MessageDigest.isEqual(sha.digest(), c.sha256())) {
            throw invalid(file, "is damaged: " + where(entry, number) + " does not match its checksum. Use another"
                    + " backup");
        }
    }

    /** Decrypts and authenticates one chunk; returns the plaintext length. */
    int decrypt(ArchiveLayout.Entry entry, int number, ArchiveCrypto.Session cipher, byte[] stored, byte[] into) {
        ArchiveLayout.Chunk c = entry.chunks().get(number);
        boolean random = header.version() == ArchiveLayout.APPENDABLE_VERSION;
        if (c.storedLength() < ArchiveCrypto.TAG_BYTES + (random ? ArchiveCrypto.NONCE_BYTES : 0)) {
            throw invalid(file, "is damaged: " + where(entry, number) + " is too short to be encrypted");
        }
        byte[] aad = ArchiveCrypto.chunkAad(entry.id(), number, entry.name());
        try {
            return random ? cipher.openRandom(aad, stored, c.storedLength(), into)
                    : cipher.open(ArchiveCrypto.chunkNonce(entry.id(), number), aad, stored, c.storedLength(), into);
        } catch (AEADBadTagException e) {
            throw invalid(file, "was tampered with: " + where(entry, number) + " fails authentication (it was changed,"
                    + " swapped or copied from elsewhere after it was written). Use another backup");
        }
    }

    /** A cipher for one reading thread, or null when the archive is not encrypted. */
    ArchiveCrypto.Session cipherSession() {
        return crypto == null ? null : crypto.session();
    }

    String where(ArchiveLayout.Entry entry, int number) {
        ArchiveLayout.Chunk c = entry.chunks().get(number);
        return "chunk " + number + " of entry '" + entry.name() + "' (bytes " + c.offset() + ".."
                + (c.offset() + c.storedLength()) + ")";
    }

    BotDbException invalid(String what) {
        return invalid(file, what);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static EntryInfo info(ArchiveLayout.Entry e) {
        return new EntryInfo(e.name(), e.rawBytes(), HexFormat.of().formatHex(e.sha256()), e.chunks().size(),
                e.storedBytes());
    }

    private static ArchiveHeader describe(ArchiveLayout.Header h) {
        return new ArchiveHeader(h.version(), Instant.ofEpochMilli(h.createdMillis()), h.encrypted(), h.chunkSize(),
                h.length());
    }

    private static byte[] readFully(Path file, FileChannel channel, long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, offset + buffer.position()) < 0) {
                throw invalid(file, "is truncated: it ends at byte " + (offset + buffer.position()) + " (it shrank"
                        + " while being read). Use another backup");
            }
        }
        return buffer.array();
    }

    private static BotDbException notABackup(Path file, byte[] start) {
        String hint;
        if (startsWith(start, PG_DUMP_MAGIC)) {
            hint = "it is a pg_dump custom-format file: restore it with pg_restore";
        } else if (startsWith(start, SQLITE_MAGIC)) {
            hint = "it is an SQLite database file, not a backup archive";
        } else if (startsWith(start, GZIP_MAGIC)) {
            hint = "it is a gzip file (perhaps a compressed SQL dump): restore it with gunzip and psql";
        } else if (start.length == 0) {
            hint = "it is empty";
        } else {
            hint = "it does not start with the botdb archive signature";
        }
        return invalid(file, "is not a botdb backup: " + hint);
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static BotDbException unfinished(Path file) {
        return invalid(file, "is an unfinished backup: the process writing it stopped before it completed, so it is"
                + " not a backup. Delete it once no backup is running, and use a complete .botdb file");
    }

    private static BotDbException invalid(Path file, String what) {
        return new BotDbException(ErrorCode.BACKUP_INVALID, file + " " + what);
    }

    private static BotDbException readFailed(Path file, IOException e) {
        return new BotDbException(ErrorCode.BACKUP_INVALID, "cannot read " + file + ": " + e, e);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // read-only: nothing is lost
        }
    }
}
