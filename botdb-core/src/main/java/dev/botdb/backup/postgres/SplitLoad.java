package dev.botdb.backup.postgres;

import dev.botdb.copy.BinaryCopy;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.Manifest;
import dev.botdb.backup.archive.ArchiveReader;
import dev.botdb.dialect.QualifiedName;
import dev.botdb.backup.schema.SchemaDump;
import dev.botdb.config.PostgresTarget;
import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/**
 * One table's rows on several connections at once, for a table that is most of the database
 * (otherwise it would load on one connection while the others idle). One thread reads the entry
 * into blocks of about 1 MiB that end at a row end; each connection runs one COPY fed from the
 * shared queue of blocks, written to the server straight from the block (no copy per row). The
 * rows land in another physical order than in the backup, which the manifest's order-free rows
 * hash allows for.
 *
 * <p>Where a row ends: in COPY text at a raw newline (COPY escapes the ones in values); in COPY
 * binary after the tuple's last field, found by jumping from field length to field length
 * ({@link BinaryCopy#tupleEnd}). A binary stream's header stays out of the blocks: each
 * connection's COPY starts with its own header and ends with its own end marker.
 */
public final class SplitLoad {
    /** Tables whose COPY data is at least this big are split (tests lower it). */
    public static volatile long splitFrom = 64L << 20;
    private static final int BLOCK = 1 << 20;

    /** {@code bytes[offset, offset + length)}: whole rows. */
    private record Block(byte[] bytes, int offset, int length) {
    }

    private static final Block END = new Block(new byte[0], 0, 0);

    private final BlockingQueue<Block> blocks;
    /** Block buffers the connections are done with, for the reader to fill again. */
    private final BlockingQueue<byte[]> free;
    private final int jobs;
    private final int blockSize;
    private final AtomicInteger consumersDone = new AtomicInteger();
    private final AtomicReference<Throwable> readFailure = new AtomicReference<>();

    private SplitLoad(int jobs, int blockSize, int queued) {
        this.jobs = jobs;
        this.blockSize = blockSize;
        this.blocks = new LinkedBlockingQueue<>(queued);
        this.free = new LinkedBlockingQueue<>(jobs * 6 + 2);
    }

    /** The blocks an entry is cut into, {@code blockSize} bytes each (more for a longer row); for tests. */
    public static List<byte[]> blocksOf(InputStream in, boolean binary, int blockSize) throws IOException, InterruptedException {
        SplitLoad split = new SplitLoad(1, blockSize, Integer.MAX_VALUE);
        split.cut(in, binary);
        return split.blocks.stream().map(b -> java.util.Arrays.copyOfRange(b.bytes(), b.offset(), b.offset() + b.length()))
                .toList();
    }

    public static void load(ArchiveReader archive, Manifest.Table t, List<String> cols, PostgresTarget target,
                     SchemaDump schema, int jobs, boolean replica) throws SQLException, IOException {
        String sql = "COPY " + new QualifiedName(t.schema(), t.name()).sql() + " (" + String.join(", ", cols)
                + ") FROM STDIN" + t.copyOptions();
        SplitLoad split = new SplitLoad(jobs, BLOCK, jobs * 4);
        AtomicLong rows = new AtomicLong();
        Thread reader = new Thread(() -> split.read(archive, t), "botdb-restore-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            PgRestore.parallel(target, schema, jobs, replica,
                    c -> rows.addAndGet(split.copy(new CopyManager(c.unwrap(BaseConnection.class)), sql, t.binary())));
        } finally {
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Throwable failure = split.readFailure.get();
        if (failure instanceof IOException io) {
            throw io;
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure != null) {
            throw new IOException(failure);
        }
        if (rows.get() != t.rows()) {
            throw new BotDbException(ErrorCode.BACKUP_INVALID, t.qualified() + ": the archive holds " + rows.get()
                    + " rows, its manifest says " + t.rows() + ". The backup is damaged.");
        }
    }

    /** One connection's COPY: blocks until the end; the number of rows the server took. */
    private long copy(CopyManager manager, String sql, boolean binary) throws SQLException, InterruptedException {
        CopyIn copy = null;
        try {
            copy = manager.copyIn(sql);
            if (binary) {
                copy.writeToCopy(BinaryCopy.HEADER, 0, BinaryCopy.HEADER.length);
            }
            Block b;
            while ((b = blocks.take()) != END) {
                copy.writeToCopy(b.bytes(), b.offset(), b.length());
                if (b.bytes().length == blockSize) {
                    free.offer(b.bytes());
                }
            }
            if (readFailure.get() != null) {
                copy.cancelCopy(); // the reader's failure is what gets reported
                return 0;
            }
            if (binary) {
                copy.writeToCopy(BinaryCopy.TRAILER, 0, BinaryCopy.TRAILER.length);
            }
            return copy.endCopy();
        } finally {
            consumersDone.incrementAndGet();
            if (copy != null && copy.isActive()) {
                try {
                    copy.cancelCopy();
                } catch (SQLException ignored) {
                    // the connection is closed next anyway; the first failure is the one reported
                }
            }
        }
    }

    /** The reader thread: the entry into blocks, then an end mark for each connection. */
    private void read(ArchiveReader archive, Manifest.Table t) {
        try (InputStream in = archive.openEntry(t.entry())) {
            cut(in, t.binary());
        } catch (Throwable e) {
            readFailure.set(e);
        } finally {
            for (int i = 0; i < jobs; i++) {
                try {
                    if (!hand(END)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }

    /**
     * Fills a block with what the previous one left (an unfinished row) and one read, hands out
     * its whole rows and keeps the rest; a row longer than a block gets a bigger block.
     */
    private void cut(InputStream in, boolean binary) throws IOException, InterruptedException {
        byte[] carry = new byte[0];
        int carried = 0;
        boolean header = binary;
        boolean ended = false;
        while (true) {
            byte[] block = carried * 2 <= blockSize ? buffer() : new byte[carried * 2];
            System.arraycopy(carry, 0, block, 0, carried);
            int n = in.readNBytes(block, carried, block.length - carried);
            int length = carried + n;
            if (n == 0) {
                if (binary && !ended) {
                    throw new IOException("the rows end inside a row or without COPY's end marker: the backup is"
                            + " damaged. Use another backup");
                }
                if (!binary && length > 0) {
                    hand(new Block(block, 0, length)); // a last row without its newline: the server judges it
                }
                return;
            }
            int start = 0;
            int cut;
            if (binary) {
                if (header) {
                    int h = BinaryCopy.headerLength(block, 0, length);
                    if (h == BinaryCopy.INCOMPLETE) {
                        carry = block;
                        carried = length;
                        continue;
                    }
                    start = h;
                    header = false;
                }
                cut = start;
                int end;
                while (!ended && (end = BinaryCopy.tupleEnd(block, cut, length)) != BinaryCopy.INCOMPLETE) {
                    if (end == BinaryCopy.END_MARKER) {
                        ended = true; // each connection sends its own; what follows is ignored, as COPY does
                    } else {
                        cut = end;
                    }
                }
            } else {
                // the carry holds no newline (it is what followed the last one): look in the new bytes
                cut = length;
                while (cut > carried && block[cut - 1] != '\n') {
                    cut--;
                }
                if (cut == carried) {
                    cut = 0;
                }
            }
            if (cut > start && !hand(new Block(block, start, cut - start))) {
                return;
            }
            carried = ended ? 0 : length - cut;
            carry = java.util.Arrays.copyOfRange(block, cut, cut + carried);
        }
    }

    private byte[] buffer() {
        byte[] b = free.poll();
        return b != null ? b : new byte[blockSize];
    }

    /** Queues a block; false when every connection has stopped taking them. */
    private boolean hand(Block block) throws InterruptedException {
        while (!blocks.offer(block, 100, TimeUnit.MILLISECONDS)) {
            if (consumersDone.get() >= jobs) {
                return false;
            }
        }
        return true;
    }
}
