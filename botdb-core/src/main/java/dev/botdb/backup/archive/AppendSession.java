package dev.botdb.backup.archive;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Appends entries to a format 2 archive in place, one append at a time, so that a kill at any moment leaves
 * either the archive as it was before the append or the archive with the append, never anything between.
 *
 * <p>The file {@code FILE.journal} beside the archive is both the lock (held for the whole session, so two
 * processes never append to one archive) and the undo log. An append:
 * <ol>
 *   <li>{@link #begin}: saves the archive's header, index, manifest and trailer in the journal, with the
 *       caller's token, and fsyncs it; sets the header's length to 0 (the file now reads as unfinished);</li>
 *   <li>the caller writes entries; {@link ArchiveWriter#commit} writes the new index, manifest and trailer
 *       where the old ones were (after the new chunks) and fsyncs: the append is durable but pending;</li>
 *   <li>{@link #settle()} writes the header's real length and empties the journal: the append stays; or
 *       {@link #rollBack()} puts the saved bytes back: the archive is exactly what it was.</li>
 * </ol>
 * After a crash, {@link #pending()} returns the token of the append that was under way, and the caller (who
 * knows, from its database, whether the work the append recorded was committed) settles or rolls it back.
 * Readers refuse the file while an append is pending (its header says it is unfinished).
 */
public final class AppendSession implements Closeable {
    private static final byte[] JOURNAL_MAGIC = {'B', 'O', 'T', 'D', 'B', 'J', 'N', 'L'};
    private static final int JOURNAL_VERSION = 1;

    private final Path file;
    private final Path journalPath;
    private final FileChannel journal;
    private final FileLock lock;
    private final Optional<BackupKey> key;

    private AppendSession(Path file, Path journalPath, FileChannel journal, FileLock lock, Optional<BackupKey> key) {
        this.file = file;
        this.journalPath = journalPath;
        this.journal = journal;
        this.lock = lock;
        this.key = key;
    }

    /**
     * Takes the lock on {@code FILE.journal} (creating it, readable by its owner only).
     *
     * @throws BotDbException {@link ErrorCode#BACKUP_FAILED} when another process holds it or it cannot be created
     */
    public static AppendSession open(Path file, Optional<BackupKey> key) {
        Objects.requireNonNull(file, "file");
        Path journalPath = journalOf(file);
        FileChannel channel;
        try {
            boolean created = !Files.exists(journalPath);
            try {
                channel = FileChannel.open(journalPath, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                channel = FileChannel.open(journalPath, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
            }
            if (created) {
                fsyncFolder(journalPath);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "cannot create " + journalPath + ": the folder "
                    + journalPath.toAbsolutePath().getParent() + " does not exist. Create it or choose another file", e);
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "cannot open " + journalPath + ": " + e, e);
        }
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null; // this process has it already
            }
            if (lock == null) {
                channel.close();
                throw new BotDbException(ErrorCode.BACKUP_FAILED, "another botdb is appending to " + file + " (it holds "
                        + journalPath + "); wait for it to finish, or use another file");
            }
            return new AppendSession(file, journalPath, channel, lock, key);
        } catch (IOException e) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the lock failure is the news
            }
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "cannot lock " + journalPath + ": " + e, e);
        }
    }

    /** The journal beside {@code file}. */
    public static Path journalOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".journal");
    }

    /**
     * The token of an append that was written but neither settled nor rolled back, read without the lock: a
     * reader (a restore) uses it to refuse a file whose last append may not have been kept.
     */
    public static Optional<String> pendingWithoutLock(Path file) {
        Path j = journalOf(file);
        if (!Files.exists(j)) {
            return Optional.empty();
        }
        try {
            return Saved.parse(Files.readAllBytes(j)).map(Saved::token);
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "cannot read " + j + ": " + e, e);
        }
    }

    public Path file() {
        return file;
    }

    public boolean exists() {
        return Files.exists(file);
    }

    /** Creates the archive, empty but for its manifest; it must not exist. */
    public void create(byte[] manifestJson) {
        try (ArchiveWriter w = ArchiveWriter.createAppendable(file, key)) {
            w.finish(manifestJson);
        }
    }

    /** Opens the archive for reading (no append may be pending). */
    public ArchiveReader read() {
        return ArchiveReader.open(file, key);
    }

    /**
     * The token given to {@link #begin} for an append that was written (or partly written) but neither
     * settled nor rolled back. A journal that was itself cut short means the archive was not touched yet:
     * it is emptied and nothing is pending.
     */
    public Optional<String> pending() {
        try {
            Optional<Saved> saved = Saved.parse(readJournal());
            if (saved.isEmpty() && journal.size() > 0) {
                clearJournal();
            }
            return saved.map(Saved::token);
        } catch (IOException e) {
            throw failed("read", journalPath, e);
        }
    }

    /**
     * Starts an append: saves the archive's metadata in the journal (fsynced), marks the file unfinished, and
     * returns a writer that adds entries (new ones, by name) after the existing chunks.
     *
     * @param token what the caller needs after a crash to tell whether the append is to stay
     */
    public ArchiveWriter begin(String token) {
        if (pending().isPresent()) {
            throw new IllegalStateException("an append to " + file + " is pending; settle or roll it back first");
        }
        try (ArchiveReader reader = read()) {
            if (reader.layoutHeader().version() != ArchiveLayout.APPENDABLE_VERSION) {
                throw new BotDbException(ErrorCode.BACKUP_FAILED, file + " is a backup (archive format "
                        + reader.layoutHeader().version() + "), which botdb never changes; archive into a new file");
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                long length = channel.size();
                long dataEnd = reader.dataEnd();
                byte[] tail = new byte[Math.toIntExact(length - dataEnd)];
                readFully(channel, tail, dataEnd);
                byte[] header = new byte[ArchiveLayout.HEADER_SIZE];
                readFully(channel, header, 0);
                writeJournal(new Saved(token, header, dataEnd, length, tail).encode());
                writeFully(channel, reader.layoutHeader().withLength(0).encode(), 0);
                return ArchiveWriter.continuing(file, channel, reader);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw failed("append to", file, e);
        }
    }

    /** Keeps the pending append: writes the header's length and empties the journal. Checks the result reads. */
    public void settle() {
        requirePending();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            byte[] bytes = new byte[ArchiveLayout.HEADER_SIZE];
            readFully(channel, bytes, 0);
            ArchiveLayout.Header header = ArchiveLayout.Header.decode(bytes);
            writeFully(channel, header.withLength(channel.size()).encode(), 0);
            channel.force(true);
        } catch (IOException e) {
            throw failed("settle the append to", file, e);
        } catch (ArchiveLayout.Corrupt e) {
            throw new BotDbException(ErrorCode.BACKUP_INVALID, file + " has a damaged header (" + e.getMessage()
                    + "); its journal " + journalPath + " is kept. Restore the file from a copy", e);
        }
        read().close(); // every check of a finished archive, before the undo log goes
        clearJournal();
    }

    /** Undoes the pending append: the archive is byte for byte what it was before {@link #begin}. */
    public void rollBack() {
        Saved saved = requirePending();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            writeFully(channel, saved.tail(), saved.dataEnd());
            channel.truncate(saved.length());
            writeFully(channel, saved.header(), 0);
            channel.force(true);
        } catch (IOException e) {
            throw failed("roll back the append to", file, e);
        }
        clearJournal();
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel releases it too
        }
        try {
            journal.close();
        } catch (IOException e) {
            // nothing was pending on it that close could lose: every journal write is fsynced
        }
    }

    private Saved requirePending() {
        try {
            return Saved.parse(readJournal()).orElseThrow(() -> new IllegalStateException("no append to " + file
                    + " is pending"));
        } catch (IOException e) {
            throw failed("read", journalPath, e);
        }
    }

    private byte[] readJournal() throws IOException {
        byte[] bytes = new byte[Math.toIntExact(journal.size())];
        readFully(journal, bytes, 0);
        return bytes;
    }

    private void writeJournal(byte[] bytes) throws IOException {
        journal.truncate(0);
        writeFully(journal, bytes, 0);
        journal.force(true);
    }

    private void clearJournal() {
        try {
            journal.truncate(0);
            journal.force(true);
        } catch (IOException e) {
            throw failed("empty", journalPath, e);
        }
    }

    private static BotDbException failed(String what, Path path, IOException e) {
        return new BotDbException(ErrorCode.BACKUP_FAILED, "cannot " + what + " " + path + ": " + e
                + ". Nothing is lost: the next run settles or undoes the unfinished append", e);
    }

    private static void readFully(FileChannel channel, byte[] into, long offset) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(into);
        while (b.hasRemaining()) {
            if (channel.read(b, offset + b.position()) < 0) {
                throw new IOException("unexpected end of file at byte " + (offset + b.position()));
            }
        }
    }

    private static void writeFully(FileChannel channel, byte[] data, long offset) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
            channel.write(b, offset + b.position());
        }
    }

    private static void fsyncFolder(Path file) {
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // not every platform can sync a folder
        }
    }

    /**
     * The journal: magic, version, token, the archive's 64 header bytes, where its index started, its length,
     * and its bytes from the index to the end; then CRC-32C of all that. A journal that fails the check was cut
     * short while being written, before the archive was touched.
     */
    private record Saved(String token, byte[] header, long dataEnd, long length, byte[] tail) {

        byte[] encode() {
            byte[] t = token.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.allocate(8 + 4 + 4 + t.length + header.length + 8 + 8 + 4 + tail.length + 4);
            b.put(JOURNAL_MAGIC).putInt(JOURNAL_VERSION).putInt(t.length).put(t).put(header).putLong(dataEnd)
                    .putLong(length).putInt(tail.length).put(tail);
            b.putInt(ArchiveLayout.crc32c(b.array(), 0, b.position()));
            return b.array();
        }

        static Optional<Saved> parse(byte[] bytes) {
            if (bytes.length < 8 + 4 + 4 + 4 || !Arrays.equals(bytes, 0, 8, JOURNAL_MAGIC, 0, 8)) {
                return Optional.empty();
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.getInt(bytes.length - 4) != ArchiveLayout.crc32c(bytes, 0, bytes.length - 4)) {
                return Optional.empty();
            }
            b.position(8);
            if (b.getInt() != JOURNAL_VERSION) {
                return Optional.empty();
            }
            byte[] t = new byte[b.getInt()];
            b.get(t);
            byte[] header = new byte[ArchiveLayout.HEADER_SIZE];
            b.get(header);
            long dataEnd = b.getLong();
            long length = b.getLong();
            byte[] tail = new byte[b.getInt()];
            b.get(tail);
            return Optional.of(new Saved(new String(t, StandardCharsets.UTF_8), header, dataEnd, length, tail));
        }
    }
}
