package dev.botdb.backup;

import dev.botdb.BotDbException;
import dev.botdb.backup.archive.ArchiveHeader;
import dev.botdb.backup.archive.ArchiveReader;
import dev.botdb.backup.archive.BackupKey;
import dev.botdb.backup.external.FileKind;
import dev.botdb.backup.retention.BackupRef;
import dev.botdb.backup.retention.RetentionPlan;
import dev.botdb.backup.retention.RetentionPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The backups folder: what is in it ({@code list}) and what may go ({@code prune}). */
final class BackupFolder {
    private BackupFolder() {
    }

    static List<BackupInfo> list(Path dir, Optional<BackupKey> key) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new BotDbException(dev.botdb.ErrorCode.BACKUP_FAILED, "Cannot list " + dir + ": " + e.getMessage());
        }
        List<BackupInfo> result = new ArrayList<>();
        for (Path f : files) {
            String name = f.getFileName().toString();
            long size = size(f);
            if (name.endsWith(".botdb")) {
                result.add(describe(f, size, key));
            } else if (name.endsWith(".botdb.partial") || name.endsWith(".dump.partial")) {
                result.add(new BackupInfo(f, "incomplete", size, modified(f), false, -1, -1, Optional.empty(),
                        "an interrupted backup; never restored, safe to delete"));
            } else if (name.endsWith(".dump")) {
                result.add(new BackupInfo(f, "pg_dump", size, modified(f), false, -1, -1, Verification.of(f), null));
            } else if (name.endsWith(".sql") || name.endsWith(".sql.gz")) {
                result.add(sqlFile(f, size));
            }
        }
        result.sort(Comparator.comparing(BackupInfo::createdAt).reversed());
        return result;
    }

    /**
     * A {@code pg_dump db > backup.sql} (or {@code | gzip > backup.sql.gz}) the operator keeps here: listed,
     * pruned with the botdb backups when pg_dump's header says it is one, and never touched when not.
     */
    private static BackupInfo sqlFile(Path f, long size) {
        boolean dump;
        try {
            dump = FileKind.isPgDumpSql(f);
        } catch (BotDbException e) {
            dump = false;
        }
        return dump ? new BackupInfo(f, "sql", size, modified(f), false, -1, -1, Optional.empty(), null)
                : new BackupInfo(f, "other", size, modified(f), false, -1, -1, Optional.empty(),
                        "not a pg_dump file (no '-- PostgreSQL database dump' header); prune leaves it");
    }

    private static BackupInfo describe(Path f, long size, Optional<BackupKey> key) {
        ArchiveHeader header;
        try {
            header = ArchiveReader.readHeader(f);
        } catch (BotDbException e) {
            return new BackupInfo(f, "damaged", size, modified(f), false, -1, -1, Verification.of(f), e.getMessage());
        }
        if (header.formatVersion() == 2) {
            // rows moved out by botdb archive --to: not a backup, never pruned
            return new BackupInfo(f, "archive", size, header.createdAt(), header.encrypted(), -1, -1, Optional.empty(),
                    "rows archived by botdb archive --to (restore them with botdb restore FILE --table TABLE);"
                            + " prune leaves it");
        }
        if (header.encrypted() && key.isEmpty()) {
            return new BackupInfo(f, "botdb", size, header.createdAt(), true, -1, -1, Verification.of(f), null);
        }
        try (ArchiveReader reader = ArchiveReader.open(f, key)) {
            Manifest m = Manifest.fromJson(reader.manifestJson(), f.toString());
            List<String> only = m.partial() ? m.tables().stream().map(t -> t.schema() + "." + t.name()).toList() : List.of();
            return new BackupInfo(f, "botdb", size, header.createdAt(), header.encrypted(), m.tables().size(), m.totalRows(),
                    Verification.of(f), null, only);
        } catch (BotDbException e) {
            return new BackupInfo(f, "damaged", size, header.createdAt(), header.encrypted(), -1, -1, Verification.of(f),
                    e.getMessage());
        }
    }

    /**
     * Deletes what the policy does not keep (or, dry run, only says so). Only complete backups
     * count; the newest verified one is always kept.
     */
    static RetentionPlan prune(Path dir, Optional<BackupKey> key, RetentionPolicy policy, boolean dryRun, Instant now,
                               Consumer<String> log) {
        Map<String, BackupInfo> byName = list(dir, key).stream().filter(BackupInfo::usable)
                .collect(Collectors.toMap(b -> b.file().getFileName().toString(), b -> b, (a, b) -> a));
        List<BackupRef> refs = byName.values().stream()
                .map(b -> new BackupRef(b.file().getFileName().toString(), b.createdAt(), b.verifiedOk())).toList();
        RetentionPlan plan = policy.plan(refs, now);
        for (RetentionPlan.Decision d : plan.decisions()) {
            BackupInfo b = byName.get(d.backup().name());
            if (d.keep()) {
                log.accept("[Prune] keep   " + b.file().getFileName() + ": " + d.reason());
                continue;
            }
            if (dryRun) {
                log.accept("[Prune] would delete " + b.file().getFileName() + ": " + d.reason());
                continue;
            }
            try {
                Files.deleteIfExists(b.file());
                Files.deleteIfExists(Verification.fileFor(b.file()));
                log.accept("[Prune] deleted " + b.file().getFileName() + ": " + d.reason());
            } catch (IOException e) {
                throw new BotDbException(dev.botdb.ErrorCode.BACKUP_FAILED, "Cannot delete " + b.file() + ": "
                        + e.getMessage());
            }
        }
        return plan;
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return -1;
        }
    }

    private static Instant modified(Path f) {
        try {
            return Files.getLastModifiedTime(f).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }
}
