package dev.botdb.backup.archive;

import com.github.luben.zstd.Zstd;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Writes a botdb backup archive: named entries, each split into chunks that are compressed with
 * zstd and, with a key, encrypted with AES-256-GCM. Several threads may each write their own
 * entry at the same time: a chunk is compressed and encrypted on the writing thread, and only
 * the append takes a lock.
 *
 * <p>The file is written as {@code <final>.partial}, created readable by its owner only, and
 * renamed to the final name by {@link #finish} after an fsync, so a file with the final name is
 * always complete. {@link #abort()}, or {@link #close()} without {@code finish}, deletes it.
 *
 * <pre>{@code
 * try (ArchiveWriter writer = ArchiveWriter.create(path, BackupKey.fromEnv(System.getenv()), 3)) {
 *     EntryInfo info;
 *     try (EntryOutput out = writer.openEntry("data/public.messages")) {
 *         copyManager.copyOut("COPY public.messages TO STDOUT", out);
 *         info = out.closeEntry();
 *     }
 *     writer.finish(manifestJson);
 * }
 * }</pre>
 */
public final class ArchiveWriter implements Closeable {
    /** zstd level 3: zstd's own default, faster than gzip -6 with a better ratio on COPY text. */
    public static final int DEFAULT_ZSTD_LEVEL = 3;
    public static final int MIN_ZSTD_LEVEL = 1;
    /** Levels above 19 need zstd's "ultra" mode and hundreds of MB per thread. */
    public static final int MAX_ZSTD_LEVEL = 19;
    /**
     * Uncompressed chunk size. Measured on COPY text of chat messages at level 3: 4 MiB chunks
     * come out 1.4% smaller than 1 MiB ones (256 KiB ones 5.6% larger) for about 5% less speed,
     * and 8 MiB gains only 0.2% more. Each writing thread holds about four chunk-sized buffers.
     */
    static final int DEFAULT_CHUNK_SIZE = 4 << 20;

    private enum State { OPEN, FINISHING, FINISHED, ABORTED }

    private final Path finalPath;
    private final Path partialPath;
    private final FileChannel channel;
    private final ArchiveCrypto crypto;
    private final ArchiveLayout.Header header;
    private final int zstdLevel;
    private final int chunkSize;
    /** Writing into an existing format 2 file in place ({@link AppendSession#begin}), not a new {@code .partial}. */
    private final boolean appending;

    // guarded by this
    private State state = State.OPEN;
    private long position = ArchiveLayout.HEADER_SIZE;
    private final List<String> names = new ArrayList<>();
    /** By entry id; null while the entry is open. */
    private final List<ArchiveLayout.Entry> entries = new ArrayList<>();
    private final List<EntryInfo> infos = new ArrayList<>();
    private Throwable failure;

    private ArchiveWriter(Path finalPath, Path partialPath, FileChannel channel, ArchiveCrypto crypto,
                          ArchiveLayout.Header header, int zstdLevel, int chunkSize, boolean appending) {
        this.finalPath = finalPath;
        this.partialPath = partialPath;
        this.channel = channel;
        this.crypto = crypto;
        this.header = header;
        this.zstdLevel = zstdLevel;
        this.chunkSize = chunkSize;
        this.appending = appending;
    }

    /**
     * Starts a new appendable (format 2) archive, written and finished like any other; {@link AppendSession}
     * adds entries to it later.
     */
    static ArchiveWriter createAppendable(Path finalPath, Optional<BackupKey> key) {
        return create(finalPath, key, DEFAULT_ZSTD_LEVEL, DEFAULT_CHUNK_SIZE, ArchiveCrypto.DEFAULT_ITERATIONS,
                ArchiveLayout.APPENDABLE_VERSION);
    }

    /**
     * Continues the finished format 2 archive {@code reader} has open: new chunks go where its index starts
     * (the caller has saved the old index, manifest and trailer in the journal), the entries it has are kept.
     */
    static ArchiveWriter continuing(Path file, FileChannel channel, ArchiveReader reader) {
        ArchiveWriter w = new ArchiveWriter(file, file, channel, reader.crypto(), reader.layoutHeader().withLength(0),
                DEFAULT_ZSTD_LEVEL, reader.layoutHeader().chunkSize(), true);
        w.position = reader.dataEnd();
        for (ArchiveLayout.Entry e : reader.layoutEntries()) {
            w.names.add(e.name());
            w.entries.add(e);
            w.infos.add(new EntryInfo(e.name(), e.rawBytes(), java.util.HexFormat.of().formatHex(e.sha256()),
                    e.chunks().size(), e.storedBytes()));
        }
        return w;
    }

    /** Format 2 archives store a random nonce with each encrypted chunk. */
    boolean appendable() {
        return header.version() == ArchiveLayout.APPENDABLE_VERSION;
    }

    /**
     * Starts an archive that {@link #finish} will rename to {@code finalPath}; until then it is
     * {@code finalPath + ".partial"}, mode {@code rw-------} from the moment it exists.
     *
     * @param key       encrypts the archive when present
     * @param zstdLevel {@value #MIN_ZSTD_LEVEL} to {@value #MAX_ZSTD_LEVEL}; {@value #DEFAULT_ZSTD_LEVEL} is a good default
     * @throws BotDbException {@link ErrorCode#BACKUP_FAILED} when the file exists already or
     *                        cannot be created
     */
    public static ArchiveWriter create(Path finalPath, Optional<BackupKey> key, int zstdLevel) {
        return create(finalPath, key, zstdLevel, DEFAULT_CHUNK_SIZE, ArchiveCrypto.DEFAULT_ITERATIONS);
    }

    /** {@link #create(Path, Optional, int)} with a chunk size and PBKDF2 cost, for tests and measurements. */
    static ArchiveWriter create(Path finalPath, Optional<BackupKey> key, int zstdLevel, int chunkSize, int iterations) {
        return create(finalPath, key, zstdLevel, chunkSize, iterations, ArchiveLayout.VERSION);
    }

    private static ArchiveWriter create(Path finalPath, Optional<BackupKey> key, int zstdLevel, int chunkSize,
                                        int iterations, int version) {
        Objects.requireNonNull(finalPath, "finalPath");
        Objects.requireNonNull(key, "key");
        if (zstdLevel < MIN_ZSTD_LEVEL || zstdLevel > MAX_ZSTD_LEVEL) {
            throw new IllegalArgumentException("zstd level must be from " + MIN_ZSTD_LEVEL + " to " + MAX_ZSTD_LEVEL
                    + ", but it is " + zstdLevel);
        }
        if (chunkSize < 1 || chunkSize > ArchiveLayout.MAX_CHUNK_SIZE) {
            throw new IllegalArgumentException("chunk size must be from 1 to " + ArchiveLayout.MAX_CHUNK_SIZE);
        }
        Path partial = finalPath.resolveSibling(finalPath.getFileName() + ArchiveLayout.PARTIAL_SUFFIX);
        if (Files.exists(finalPath)) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, finalPath + " already exists; botdb never overwrites a"
                    + " backup. Move it away or choose another name");
        }
        byte[] salt = new byte[ArchiveCrypto.SALT_BYTES];
        byte[] keyCheck = new byte[ArchiveCrypto.KEY_CHECK_BYTES];
        ArchiveCrypto crypto = null;
        if (key.isPresent()) {
            new SecureRandom().nextBytes(salt);
            crypto = key.get().deriveForWriting(salt, iterations);
            keyCheck = crypto.keyCheck();
        }
        ArchiveLayout.Header header = new ArchiveLayout.Header(version, crypto == null ? 0 : ArchiveLayout.FLAG_ENCRYPTED, chunkSize,
                System.currentTimeMillis(), 0, crypto == null ? 0 : iterations, salt, keyCheck);
        FileChannel channel = createOwnerOnly(partial);
        ArchiveWriter writer = new ArchiveWriter(finalPath, partial, channel, crypto, header, zstdLevel, chunkSize, false);
        try {
            // length 0 marks the file unfinished until finish() rewrites the header
            writer.writeFully(header.encode(), 0);
        } catch (IOException e) {
            writer.abort();
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "cannot write " + partial + ": " + e.getMessage(), e);
        }
        return writer;
    }

    private static FileChannel createOwnerOnly(Path partial) {
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        try {
            try {
                return FileChannel.open(partial, options,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                return FileChannel.open(partial, options); // not POSIX (Windows): the folder's ACL applies
            }
        } catch (FileAlreadyExistsException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, partial + " already exists: another backup is writing"
                    + " it, or one was stopped before it completed. If no backup is running, delete it", e);
        } catch (NoSuchFileException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "cannot create " + partial + ": the folder "
                    + partial.toAbsolutePath().getParent() + " does not exist", e);
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "cannot create " + partial + ": " + e, e);
        }
    }

    /**
     * Opens a new entry for the calling thread. Entries may be written at the same time from
     * different threads; one entry must not be shared by threads without synchronisation.
     *
     * @param name unique within the archive, 1 to 1024 bytes of UTF-8
     */
    public synchronized EntryOutput openEntry(String name) {
        Objects.requireNonNull(name, "name");
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > ArchiveLayout.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("an entry name must be 1 to " + ArchiveLayout.MAX_NAME_BYTES
                    + " bytes of UTF-8, but it is " + bytes);
        }
        if (names.contains(name)) {
            throw new IllegalArgumentException("the archive already has an entry named '" + name + "'");
        }
        checkWritable();
        int id = entries.size();
        names.add(name);
        entries.add(null);
        infos.add(null);
        return new EntryOutput(this, name, id, crypto, zstdLevel, chunkSize);
    }

    /** The entries closed so far, in the order they were opened. */
    public synchronized List<EntryInfo> entries() {
        return infos.stream().filter(Objects::nonNull).toList();
    }

    /** The file being written: {@code <final>.partial}. */
    public Path partialPath() {
        return partialPath;
    }

    /**
     * Completes the archive: writes the index, the manifest and the trailer, fsyncs, renames
     * {@code .partial} to the final name and fsyncs the folder. Every entry must be closed.
     *
     * @param manifestJson stored as given (encrypted with a key); {@link ArchiveReader#manifestJson()} returns it
     * @return the final path
     * @throws BotDbException {@link ErrorCode#BACKUP_FAILED} when writing failed; the
     *                        {@code .partial} is deleted
     */
    public Path finish(byte[] manifestJson) {
        Objects.requireNonNull(manifestJson, "manifestJson");
        if (appending) {
            throw new IllegalStateException("an append is completed by commit(), not finish()");
        }
        Closed closed = closeForMetadata("finish()");
        try {
            writeMetadata(closed.entries(), closed.dataEnd(), manifestJson);
            channel.force(true);
            channel.close();
            if (Files.exists(finalPath)) {
                throw new FileAlreadyExistsException(finalPath + " appeared while the backup was written");
            }
            // ATOMIC_MOVE is rename(2): the final name appears complete or not at all
            Files.move(partialPath, finalPath, StandardCopyOption.ATOMIC_MOVE);
            fsyncFolder(finalPath.toAbsolutePath().getParent());
            synchronized (this) {
                state = State.FINISHED;
            }
            return finalPath;
        } catch (IOException | RuntimeException e) {
            abort();
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "cannot complete " + partialPath + ": " + e
                    + ". The unfinished file was deleted", e);
        }
    }

    /**
     * Completes an append ({@link AppendSession#begin}): writes the new index, manifest and trailer after the new
     * chunks and fsyncs the file, but leaves the header's length at 0 (the file reads as unfinished) until
     * {@link AppendSession#settle()} says the append is to stay.
     */
    public void commit(byte[] manifestJson) {
        Objects.requireNonNull(manifestJson, "manifestJson");
        if (!appending) {
            throw new IllegalStateException("a new archive is completed by finish(), not commit()");
        }
        Closed closed = closeForMetadata("commit()");
        try {
            long total = writeMetadata(closed.entries(), closed.dataEnd(), manifestJson, false);
            channel.truncate(total);
            channel.force(true);
            channel.close();
            synchronized (this) {
                state = State.FINISHED;
            }
        } catch (IOException | RuntimeException e) {
            abort();
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "cannot complete the append to " + finalPath + ": " + e, e);
        }
    }

    /** Every entry, and where their chunks end, when no more may be written. */
    private record Closed(List<ArchiveLayout.Entry> entries, long dataEnd) {
    }

    /** Stops taking entries (all must be closed) before the index is written by {@code caller}. */
    private synchronized Closed closeForMetadata(String caller) {
        checkWritable();
        List<String> open = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i) == null) {
                open.add(names.get(i));
            }
        }
        if (!open.isEmpty()) {
            throw new IllegalStateException("close every entry before " + caller + "; still open: " + open);
        }
        state = State.FINISHING;
        return new Closed(List.copyOf(entries), position);
    }

    private void writeMetadata(List<ArchiveLayout.Entry> complete, long dataEnd, byte[] manifestJson) throws IOException {
        writeMetadata(complete, dataEnd, manifestJson, true);
    }

    /** Returns the file's length; {@code writeHeader} false leaves the header (length 0) as it is. */
    private long writeMetadata(List<ArchiveLayout.Entry> complete, long dataEnd, byte[] manifestJson,
                               boolean writeHeader) throws IOException {
        byte[] index = ArchiveLayout.encodeIndex(complete);
        int tag = crypto == null ? 0 : ArchiveCrypto.TAG_BYTES + (appendable() ? ArchiveCrypto.NONCE_BYTES : 0);
        long indexLength = index.length + tag;
        long manifestLength = manifestJson.length + tag;
        long total = dataEnd + indexLength + manifestLength + ArchiveLayout.TRAILER_SIZE;
        byte[] headerBytes = header.withLength(total).encode();
        byte[] indexStored = index;
        byte[] manifestStored = manifestJson;
        if (crypto != null) {
            ArchiveCrypto.Session cipher = crypto.session();
            indexStored = new byte[(int) indexLength];
            manifestStored = new byte[(int) manifestLength];
            byte[] indexAad = ArchiveCrypto.metadataAad("index", headerBytes);
            byte[] manifestAad = ArchiveCrypto.metadataAad("manifest", headerBytes);
            if (appendable()) {
                cipher.sealRandom(indexAad, index, index.length, indexStored);
                cipher.sealRandom(manifestAad, manifestJson, manifestJson.length, manifestStored);
            } else {
                cipher.seal(ArchiveCrypto.indexNonce(), indexAad, index, index.length, indexStored);
                cipher.seal(ArchiveCrypto.manifestNonce(), manifestAad, manifestJson, manifestJson.length, manifestStored);
            }
        }
        MessageDigest sha = sha256();
        sha.update(headerBytes);
        sha.update(indexStored);
        sha.update(manifestStored);
        byte[] trailer = new ArchiveLayout.Trailer(dataEnd, indexLength, dataEnd + indexLength, manifestLength, sha.digest())
                .encode();
        writeFully(indexStored, dataEnd);
        writeFully(manifestStored, dataEnd + indexLength);
        writeFully(trailer, dataEnd + indexLength + manifestLength);
        if (writeHeader) {
            writeFully(headerBytes, 0);
        }
        return total;
    }

    private static void fsyncFolder(Path folder) {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // some platforms cannot open or sync a folder; the rename is then as durable as they allow
        }
    }

    /** Deletes the {@code .partial}; entries still being written fail. Does nothing after {@link #finish}. */
    public void abort() {
        synchronized (this) {
            if (state == State.FINISHED || state == State.ABORTED) {
                return;
            }
            state = State.ABORTED;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // deleting matters, not closing
        }
        if (appending) {
            return; // the file is the archive itself: AppendSession.rollBack() puts its previous state back
        }
        try {
            Files.deleteIfExists(partialPath);
        } catch (IOException e) {
            // nothing better to do; the reader never takes a .partial for a backup
        }
    }

    /** Aborts unless {@link #finish} completed: a writer closed early leaves no file. */
    @Override
    public void close() {
        abort();
    }

    private void checkWritable() {
        if (state != State.OPEN) {
            throw new IllegalStateException("the archive " + partialPath + " is " + state.name().toLowerCase()
                    + "; no more entries can be written");
        }
        if (failure != null) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "writing " + partialPath + " failed earlier: "
                    + failure, failure);
        }
    }

    /** Reserves room under the lock and writes outside it: concurrent appends never wait for I/O. */
    long append(byte[] data, int length) throws IOException {
        long offset;
        synchronized (this) {
            if (state != State.OPEN) {
                throw new IOException("the archive " + partialPath + " was " + state.name().toLowerCase()
                        + "; this entry cannot be written");
            }
            offset = position;
            position += length;
        }
        ByteBuffer buffer = ByteBuffer.wrap(data, 0, length);
        while (buffer.hasRemaining()) {
            channel.write(buffer, offset + buffer.position());
        }
        return offset;
    }

    private void writeFully(byte[] data, long offset) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            channel.write(buffer, offset + buffer.position());
        }
    }

    synchronized void entryClosed(ArchiveLayout.Entry entry, EntryInfo info) {
        entries.set(entry.id(), entry);
        infos.set(entry.id(), info);
    }

    /** A failed entry poisons the archive: finish() refuses, so no half-written table looks complete. */
    synchronized void entryFailed(Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks SHA-256", e);
        }
    }

    static int compressBound(int length) {
        return (int) Zstd.compressBound(length);
    }
}
