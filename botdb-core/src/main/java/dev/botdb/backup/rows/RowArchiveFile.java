package dev.botdb.backup.rows;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.archive.AppendSession;
import dev.botdb.backup.archive.ArchiveReader;
import dev.botdb.backup.archive.ArchiveWriter;
import dev.botdb.backup.archive.BackupKey;
import dev.botdb.backup.archive.EntryOutput;
import dev.botdb.copy.BatchFile;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The {@link BatchFile} of {@code botdb archive --to FILE}: an appendable botdb archive (compressed, checksummed,
 * encrypted when BACKUP_ENCRYPTION_KEY is set, like a backup) whose entries are the batches' rows and whose
 * manifest is a {@link RowsManifest}. Each batch is one {@link AppendSession} append, whose token is the archive
 * id and batch number.
 */
public final class RowArchiveFile implements BatchFile {
    private final AppendSession session;
    private final BatchFile.Source source;
    private RowsManifest manifest;
    private RowsManifest pendingManifest;
    private String pendingId;
    private long pendingBatch = -1;

    private RowArchiveFile(AppendSession session, BatchFile.Source source) {
        this.session = session;
        this.source = source;
    }

    /** Opens {@code file} for appending, creating it when missing; see {@link BatchFile.Opener}. */
    public static RowArchiveFile open(Path file, BatchFile.Source source, Optional<BackupKey> key) {
        AppendSession session = AppendSession.open(file, key);
        RowArchiveFile f = new RowArchiveFile(session, source);
        try {
            Optional<String> token = session.pending();
            if (token.isPresent()) {
                if (!session.exists()) {
                    throw new BotDbException(ErrorCode.ARCHIVE_FAILED, AppendSession.journalOf(file) + " records an"
                            + " unfinished append to " + file + ", which no longer exists. If the file was moved, move"
                            + " it back and run again; if it is gone, delete the journal.");
                }
                String[] parts = token.get().split(" ");
                f.pendingId = parts[0];
                f.pendingBatch = Long.parseLong(parts[1]);
            } else if (session.exists()) {
                f.manifest = f.readManifest();
                f.checkSameTables();
            } else {
                f.manifest = RowsManifest.start(UUID.randomUUID().toString(), source);
                session.create(f.manifest.toJson());
            }
            return f;
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private RowsManifest readManifest() {
        try (ArchiveReader r = session.read()) {
            return RowsManifest.of(r.manifestJson(), session.file().toString()).orElseThrow(() -> new BotDbException(
                    ErrorCode.ARCHIVE_REFUSED, session.file() + " is a backup, not an archive file of botdb archive;"
                    + " botdb never adds to a backup. Archive into a new file."));
        }
    }

    private void checkSameTables() {
        BatchFile.Source had = manifest.source();
        if (!had.engine().equals(source.engine()) || !describe(had.tables()).equals(describe(source.tables()))) {
            throw new BotDbException(ErrorCode.ARCHIVE_REFUSED, session.file() + " holds archived rows of "
                    + describe(had.tables()) + " (" + had.engine() + "), but this run archives " + describe(source.tables())
                    + " (" + source.engine() + "). An archive file keeps one shape of rows: archive into a new file"
                    + " (the rows in this one stay restorable with botdb restore " + session.file() + ").");
        }
    }

    private static String describe(List<BatchFile.Table> tables) {
        StringBuilder s = new StringBuilder();
        for (BatchFile.Table t : tables) {
            if (s.length() > 0) {
                s.append(" and ");
            }
            s.append(t.name()).append(" (");
            for (int i = 0; i < t.columns().size(); i++) {
                s.append(i == 0 ? "" : ", ").append(t.columns().get(i)).append(' ').append(t.types().get(i));
            }
            s.append(')');
        }
        return s.toString();
    }

    @Override
    public String archiveId() {
        return pendingId != null ? pendingId : manifest.archiveId();
    }

    @Override
    public long batches() {
        return manifest == null ? 0 : manifest.batches().size();
    }

    @Override
    public OptionalLong pending() {
        return pendingBatch < 0 ? OptionalLong.empty() : OptionalLong.of(pendingBatch);
    }

    @Override
    public void keep() {
        session.settle();
        afterPending(true);
    }

    @Override
    public void drop() {
        session.rollBack();
        afterPending(false);
    }

    private void afterPending(boolean kept) {
        if (kept && pendingManifest != null) {
            manifest = pendingManifest;
        } else {
            manifest = readManifest();
            if (pendingId != null) {
                checkSameTables();
            }
        }
        pendingManifest = null;
        pendingId = null;
        pendingBatch = -1;
    }

    @Override
    public void write(long batch, List<Rows> rows) {
        if (pendingBatch >= 0) {
            throw new IllegalStateException("batch " + pendingBatch + " is pending; keep or drop it first");
        }
        ArchiveWriter w = session.begin(manifest.archiveId() + " " + batch);
        pendingBatch = batch;
        try {
            Map<String, Long> counts = new LinkedHashMap<>();
            long bytes = 0;
            for (Rows r : rows) {
                if (r.rows() == 0) {
                    continue;
                }
                try (EntryOutput out = w.openEntry(RowsManifest.entry(batch, r.table()))) {
                    out.write(r.data());
                    out.closeEntry();
                }
                counts.put(r.table(), r.rows());
                bytes += r.data().length;
            }
            pendingManifest = manifest.with(new RowsManifest.Batch(batch, Instant.now().toString(), counts, bytes));
            w.commit(pendingManifest.toJson());
        } catch (IOException e) {
            w.abort();
            throw new BotDbException(ErrorCode.ARCHIVE_FAILED, "cannot write batch " + batch + " to " + session.file()
                    + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            w.abort();
            throw e;
        }
    }

    @Override
    public void close() {
        session.close();
    }
}
