package dev.botdb.backup.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Appends to a format 2 archive, and every point where a kill can stop one: before, during, after the commit. */
class AppendSessionTest {
    @TempDir
    Path dir;

    private static Optional<BackupKey> key(boolean encrypted) {
        return encrypted ? Optional.of(BackupKey.ofPassphrase("append test passphrase", "test")) : Optional.empty();
    }

    private static byte[] content(int seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        for (int i = 0; i < b.length; i += 3) {
            b[i] = 'x'; // compressible, so chunks are zstd as well as stored
        }
        return b;
    }

    private static void append(AppendSession s, String token, String entry, byte[] data, String manifest) throws IOException {
        ArchiveWriter w = s.begin(token);
        try (OutputStream out = w.openEntry(entry)) {
            out.write(data);
            ((EntryOutput) out).closeEntry();
        }
        w.commit(manifest.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] read(ArchiveReader r, String entry) throws IOException {
        try (InputStream in = r.openEntry(entry)) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void appendsSettleAndRollBackToTheExactPreviousBytes(boolean encrypted) throws IOException {
        Path file = dir.resolve("activities.botdb");
        Optional<BackupKey> key = key(encrypted);
        byte[] first = content(1, 5 << 20); // more than one chunk
        byte[] second = content(2, 1000);
        try (AppendSession s = AppendSession.open(file, key)) {
            assertThat(s.exists()).isFalse();
            s.create("{\"batches\":0}".getBytes(StandardCharsets.UTF_8));
            append(s, "batch 1", "batch/1", first, "{\"batches\":1}");
            assertThat(s.pending()).contains("batch 1");
            assertThatThrownBy(() -> ArchiveReader.open(file, key)).isInstanceOf(BotDbException.class)
                    .hasMessageContaining("unfinished");
            s.settle();
            assertThat(s.pending()).isEmpty();
            byte[] before = Files.readAllBytes(file);

            append(s, "batch 2", "batch/2", second, "{\"batches\":2}");
            assertThat(Files.readAllBytes(file)).isNotEqualTo(before);
            s.rollBack();
            assertThat(Files.readAllBytes(file)).isEqualTo(before);

            append(s, "batch 2", "batch/2", second, "{\"batches\":2}");
            s.settle();
        }
        try (ArchiveReader r = ArchiveReader.open(file, key)) {
            r.verifyIntegrity();
            assertThat(r.header().formatVersion()).isEqualTo(2);
            assertThat(new String(r.manifestJson(), StandardCharsets.UTF_8)).isEqualTo("{\"batches\":2}");
            assertThat(r.entries()).extracting(EntryInfo::name).containsExactly("batch/1", "batch/2");
            assertThat(read(r, "batch/1")).isEqualTo(first);
            assertThat(read(r, "batch/2")).isEqualTo(second);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aKillInTheMiddleOfAnAppendIsUndoneByTheNextSession(boolean encrypted) throws IOException {
        Path file = dir.resolve("a.botdb");
        Optional<BackupKey> key = key(encrypted);
        byte[] before;
        try (AppendSession s = AppendSession.open(file, key)) {
            s.create("{}".getBytes(StandardCharsets.UTF_8));
            append(s, "1", "batch/1", content(3, 70_000), "{\"n\":1}");
            s.settle();
            before = Files.readAllBytes(file);
            // killed after writing a chunk over the old index, before commit: the file is neither old nor new
            ArchiveWriter w = s.begin("2");
            OutputStream out = w.openEntry("batch/2");
            out.write(content(4, 5 << 20));
            out.flush();
        }
        assertThat(Files.readAllBytes(file)).isNotEqualTo(before);
        assertThatThrownBy(() -> ArchiveReader.open(file, key)).isInstanceOf(BotDbException.class);
        assertThat(AppendSession.pendingWithoutLock(file)).contains("2");
        try (AppendSession s = AppendSession.open(file, key)) {
            assertThat(s.pending()).contains("2");
            s.rollBack();
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        try (ArchiveReader r = ArchiveReader.open(file, key)) {
            r.verifyIntegrity();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aKillAfterTheCommitIsSettledByTheNextSession(boolean encrypted) throws IOException {
        Path file = dir.resolve("b.botdb");
        Optional<BackupKey> key = key(encrypted);
        byte[] data = content(5, 123_456);
        try (AppendSession s = AppendSession.open(file, key)) {
            s.create("{}".getBytes(StandardCharsets.UTF_8));
            append(s, "1", "batch/1", data, "{\"n\":1}");
            // killed here: durable, not settled
        }
        try (AppendSession s = AppendSession.open(file, key)) {
            assertThat(s.pending()).contains("1");
            s.settle();
        }
        try (ArchiveReader r = ArchiveReader.open(file, key)) {
            r.verifyIntegrity();
            assertThat(read(r, "batch/1")).isEqualTo(data);
        }
    }

    @org.junit.jupiter.api.Test
    void aJournalCutShortMeansTheArchiveWasNotTouched() throws IOException {
        Path file = dir.resolve("c.botdb");
        try (AppendSession s = AppendSession.open(file, Optional.empty())) {
            s.create("{}".getBytes(StandardCharsets.UTF_8));
        }
        byte[] before = Files.readAllBytes(file);
        Files.write(AppendSession.journalOf(file), "BOTDBJNL\0\0\0\1 half".getBytes(StandardCharsets.US_ASCII));
        try (AppendSession s = AppendSession.open(file, Optional.empty())) {
            assertThat(s.pending()).isEmpty();
        }
        assertThat(Files.size(AppendSession.journalOf(file))).isZero();
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @org.junit.jupiter.api.Test
    void oneSessionAtATimeAndBackupsAreNeverAppendedTo() throws IOException {
        Path file = dir.resolve("d.botdb");
        try (AppendSession s = AppendSession.open(file, Optional.empty())) {
            s.create("{}".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> AppendSession.open(file, Optional.empty())).isInstanceOf(BotDbException.class)
                    .hasMessageContaining("another botdb is appending to");
        }
        Path backup = dir.resolve("backup.botdb");
        try (ArchiveWriter w = ArchiveWriter.create(backup, Optional.empty(), 3)) {
            w.finish("{}".getBytes(StandardCharsets.UTF_8));
        }
        try (AppendSession s = AppendSession.open(backup, Optional.empty())) {
            assertThatThrownBy(() -> s.begin("x")).isInstanceOf(BotDbException.class)
                    .hasMessageContaining("is a backup (archive format 1)");
        }
    }
}
