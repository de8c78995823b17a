package dev.botdb.backup.archive;

import static dev.botdb.backup.archive.Archives.MANIFEST;
import static dev.botdb.backup.archive.Archives.TEST_ITERATIONS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArchiveWriterTest {

    @TempDir
    Path dir;

    private static Optional<BackupKey> keyOrNone(boolean encrypted) {
        return encrypted ? Archives.key("correct horse battery staple") : Optional.empty();
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    @ParameterizedTest(name = "encrypted={0}")
    @ValueSource(booleans = {false, true})
    void readsBackEveryEntryExactlyAsWritten(boolean encrypted) throws Exception {
        Random random = new Random(1);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("empty", new byte[0]);
        entries.put("one byte", new byte[] {42});
        entries.put("exactly one chunk", Archives.chatCopyText(random, 10_000));
        entries.put("many chunks", Archives.chatCopyText(random, 300_000));
        byte[] noise = new byte[50_000];
        random.nextBytes(noise);
        entries.put("incompressible", noise);
        entries.put("data/ünïcödé.таблица", "x\ty\n".getBytes(StandardCharsets.UTF_8));
        int chunkSize = entries.get("exactly one chunk").length;
        Instant before = Instant.now().minusMillis(1);

        Path file = Archives.write(dir.resolve("app.botdb"), keyOrNone(encrypted), chunkSize, entries, 2);

        try (ArchiveReader reader = ArchiveReader.open(file, keyOrNone(encrypted))) {
            reader.verifyIntegrity();
            assertThat(reader.manifestJson()).isEqualTo(MANIFEST);
            assertThat(reader.entries()).extracting(EntryInfo::name).containsExactlyElementsOf(entries.keySet());
            for (EntryInfo info : reader.entries()) {
                byte[] expected = entries.get(info.name());
                assertThat(Archives.readAll(reader, info.name())).as(info.name()).isEqualTo(expected);
                assertThat(info.rawBytes()).isEqualTo(expected.length);
                assertThat(info.sha256()).isEqualTo(sha256(expected));
                assertThat(info.chunks()).isEqualTo((expected.length + chunkSize - 1) / chunkSize);
            }
            ArchiveHeader header = reader.header();
            assertThat(header.formatVersion()).isEqualTo(1);
            assertThat(header.encrypted()).isEqualTo(encrypted);
            assertThat(header.createdAt()).isBetween(before, Instant.now());
            assertThat(header.chunkSize()).isEqualTo(chunkSize);
            assertThat(header.sizeBytes()).isEqualTo(Files.size(file));
        }
        try (ArchiveReader reader = ArchiveReader.open(file, keyOrNone(encrypted))) {
            assertThat(ArchiveReader.readHeader(file)).isEqualTo(reader.header());
        }
    }

    @Test
    void closeEntryReportsSizeHashAndChunksOfTheRawContent() throws Exception {
        byte[] content = Archives.chatCopyText(new Random(3), 100_000);
        try (ArchiveWriter writer = ArchiveWriter.create(dir.resolve("a.botdb"), Optional.empty(), 3, 16_384, 1)) {
            EntryInfo info;
            try (EntryOutput out = writer.openEntry("data/public.messages")) {
                out.write(content);
                out.flush(); // must not cut a short chunk
                info = out.closeEntry();
            }
            assertThat(info.name()).isEqualTo("data/public.messages");
            assertThat(info.rawBytes()).isEqualTo(content.length);
            assertThat(info.sha256()).isEqualTo(sha256(content));
            assertThat(info.chunks()).isEqualTo((content.length + 16_383) / 16_384);
            assertThat(info.storedBytes()).isLessThan(content.length / 2);
            assertThat(writer.entries()).containsExactly(info);
            writer.finish(MANIFEST);
        }
    }

    @ParameterizedTest(name = "encrypted={0}")
    @ValueSource(booleans = {false, true})
    void eightThreadsWriteEightEntriesAtOnceAndReadThemBackAtOnce(boolean encrypted) throws Exception {
        int threads = 8;
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            contents.add(Archives.chatCopyText(new Random(100 + i), 200_000 + i * 7_919));
        }
        Path file = dir.resolve("parallel.botdb");
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (ArchiveWriter writer = ArchiveWriter.create(file, keyOrNone(encrypted), 3, 8_192, TEST_ITERATIONS)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<EntryInfo>> written = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int n = i;
                written.add(pool.submit(() -> {
                    start.await();
                    try (EntryOutput out = writer.openEntry("data/public.t" + n)) {
                        Archives.writeInPieces(out, contents.get(n), new Random(n));
                        return out.closeEntry();
                    }
                }));
            }
            start.countDown();
            for (Future<EntryInfo> f : written) {
                f.get();
            }
            writer.finish(MANIFEST);
        }

        try (ArchiveReader reader = ArchiveReader.open(file, keyOrNone(encrypted))) {
            reader.verifyIntegrity();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<byte[]>> read = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String name = "data/public.t" + i;
                Callable<byte[]> task = () -> {
                    start.await();
                    return Archives.readAll(reader, name);
                };
                read.add(pool.submit(task));
            }
            start.countDown();
            for (int i = 0; i < threads; i++) {
                assertThat(read.get(i).get()).as("entry " + i).isEqualTo(contents.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theDefaultSettingsWriteAnEncryptedArchiveThatReadsBack() throws Exception {
        Optional<BackupKey> key = Archives.key("default settings");
        byte[] content = Archives.chatCopyText(new Random(5), 5_000_000); // more than one 4 MiB chunk
        Path file = dir.resolve("default.botdb");
        try (ArchiveWriter writer = ArchiveWriter.create(file, key, ArchiveWriter.DEFAULT_ZSTD_LEVEL)) {
            try (EntryOutput out = writer.openEntry("data/public.messages")) {
                out.write(content);
                assertThat(out.closeEntry().chunks()).isEqualTo(2);
            }
            writer.finish(MANIFEST);
        }
        try (ArchiveReader reader = ArchiveReader.open(file, key)) {
            reader.verifyIntegrity();
            assertThat(reader.header().chunkSize()).isEqualTo(ArchiveWriter.DEFAULT_CHUNK_SIZE);
            assertThat(Archives.readAll(reader, "data/public.messages")).isEqualTo(content);
        }
    }

    @Test
    void anEncryptedArchiveShowsNeitherEntryNamesNorManifestNorContent() throws Exception {
        Map<String, byte[]> entries = Map.of("data/public.secret_table", "alice\tsecret text\n".getBytes(StandardCharsets.UTF_8));
        Path file = Archives.write(dir.resolve("e.botdb"), Archives.key("k"), 1024, entries, 1);

        String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);

        assertThat(bytes).doesNotContain("secret_table", "secret text", "tables", "messages");
        assertThat(ArchiveReader.readHeader(file).encrypted()).isTrue();
    }

    @Test
    void anUnencryptedArchiveOpensWhenAKeyIsConfigured() throws Exception {
        Path file = Archives.write(dir.resolve("plain.botdb"), Optional.empty(), 1024, Archives.smallEntries(1), 1);

        try (ArchiveReader reader = ArchiveReader.open(file, Archives.key("some key"))) {
            reader.verifyIntegrity();
            assertThat(reader.header().encrypted()).isFalse();
        }
    }

    @Test
    void bothThePartialAndTheFinalFileAreReadableByTheOwnerOnly() throws Exception {
        Path file = dir.resolve("perm.botdb");
        try (ArchiveWriter writer = ArchiveWriter.create(file, Optional.empty(), 3)) {
            assertThat(writer.partialPath()).isEqualTo(dir.resolve("perm.botdb.partial"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(writer.partialPath())))
                    .isEqualTo("rw-------");
            try (EntryOutput out = writer.openEntry("x")) {
                out.write(1);
            }
            writer.finish(MANIFEST);
            assertThat(writer.partialPath()).doesNotExist();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void theFinalNameAppearsOnlyWhenFinishCompletes() throws Exception {
        Path file = dir.resolve("late.botdb");
        try (ArchiveWriter writer = Archives.unfinished(file)) {
            assertThat(file).doesNotExist();
            assertThat(dir.resolve("late.botdb.partial")).exists();
            writer.finish(MANIFEST);
        }
        assertThat(file).exists();
        assertThat(dir.resolve("late.botdb.partial")).doesNotExist();
    }

    @Test
    void abortDeletesThePartialAndFailsEntriesStillBeingWritten() throws Exception {
        Path file = dir.resolve("aborted.botdb");
        ArchiveWriter writer = ArchiveWriter.create(file, Optional.empty(), 3, 1024, 1);
        EntryOutput out = writer.openEntry("x");
        out.write(new byte[5000]);

        writer.abort();

        assertThat(dir.resolve("aborted.botdb.partial")).doesNotExist();
        assertThat(file).doesNotExist();
        assertThatThrownBy(() -> out.write(new byte[5000])).isInstanceOf(IOException.class)
                .hasMessageContaining("aborted");
        assertThatThrownBy(() -> writer.openEntry("y")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> writer.finish(MANIFEST)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closingWithoutFinishLeavesNoFile() throws Exception {
        Path file = dir.resolve("unfinished.botdb");
        try (ArchiveWriter writer = ArchiveWriter.create(file, Optional.empty(), 3)) {
            try (EntryOutput out = writer.openEntry("x")) {
                out.write(new byte[100]);
            }
        }
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void finishRefusesWhileAnEntryIsOpen() throws Exception {
        try (ArchiveWriter writer = ArchiveWriter.create(dir.resolve("open.botdb"), Optional.empty(), 3)) {
            writer.openEntry("data/public.still_copying");

            assertThatThrownBy(() -> writer.finish(MANIFEST)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("data/public.still_copying");
        }
    }

    @Test
    void aFailedEntryMakesFinishRefuseSoNoHalfTableLooksComplete() throws Exception {
        try (ArchiveWriter writer = ArchiveWriter.create(dir.resolve("f.botdb"), Optional.empty(), 3, 1024, 1)) {
            EntryOutput out = writer.openEntry("x");
            writer.entryFailed(new IOException("No space left on device"));

            assertThatThrownBy(() -> writer.finish(MANIFEST)).isInstanceOf(BotDbException.class)
                    .hasMessageContaining("No space left on device")
                    .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.BACKUP_FAILED);
            out.close();
        }
    }

    @Test
    void refusesDuplicateAndEmptyEntryNames() throws Exception {
        try (ArchiveWriter writer = ArchiveWriter.create(dir.resolve("n.botdb"), Optional.empty(), 3)) {
            writer.openEntry("data/public.messages").close();

            assertThatThrownBy(() -> writer.openEntry("data/public.messages"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has");
            assertThatThrownBy(() -> writer.openEntry("")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void neverOverwritesABackupOrAPartialThatExists() throws Exception {
        Path file = Archives.write(dir.resolve("taken.botdb"), Optional.empty(), 1024, Archives.smallEntries(1), 1);
        byte[] before = Files.readAllBytes(file);
        Files.write(dir.resolve("busy.botdb.partial"), new byte[] {1});

        assertThatThrownBy(() -> ArchiveWriter.create(file, Optional.empty(), 3)).isInstanceOf(BotDbException.class)
                .hasMessageContaining("already exists");
        assertThatThrownBy(() -> ArchiveWriter.create(dir.resolve("busy.botdb"), Optional.empty(), 3))
                .isInstanceOf(BotDbException.class).hasMessageContaining("busy.botdb.partial already exists");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(Files.readAllBytes(dir.resolve("busy.botdb.partial"))).containsExactly(1);
    }

    @Test
    void refusesAZstdLevelOutsideTheSupportedRange() {
        assertThatThrownBy(() -> ArchiveWriter.create(dir.resolve("l.botdb"), Optional.empty(), 22))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from 1 to 19");
        assertThat(dir.resolve("l.botdb.partial")).doesNotExist();
    }
}
