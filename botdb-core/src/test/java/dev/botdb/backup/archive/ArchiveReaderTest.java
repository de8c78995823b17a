package dev.botdb.backup.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ArchiveReaderTest {
    /** One instance: derived keys are cached per salt, as for {@code botdb backup list}. */
    private static final Optional<BackupKey> KEY = Archives.key("tr0ub4dor&3");

    @TempDir
    Path dir;

    private static Optional<BackupKey> keyOrNone(boolean encrypted) {
        return encrypted ? KEY : Optional.empty();
    }

    private Path smallArchive(boolean encrypted) throws Exception {
        return Archives.write(dir.resolve("small.botdb"), keyOrNone(encrypted), 512, Archives.smallEntries(7), 7);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(Path file, Optional<BackupKey> key) {
        return assertThatThrownBy(() -> Archives.openVerifyAndReadAll(file, key))
                .isInstanceOf(BotDbException.class)
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.BACKUP_INVALID));
    }

    @ParameterizedTest(name = "encrypted={0}")
    @ValueSource(booleans = {false, true})
    void aFlippedByteAnywhereInTheFileIsDetected(boolean encrypted) throws Exception {
        Path file = smallArchive(encrypted);
        Archives.openVerifyAndReadAll(file, keyOrNone(encrypted));
        Random random = new Random(11);
        long size = Files.size(file);
        for (long offset = 0; offset < size; offset++) {
            int mask = 1 + random.nextInt(255);
            Archives.xorByte(file, offset, mask);
            assertRefused(file, keyOrNone(encrypted)).as("byte %d of %d flipped with %02x", offset, size, mask);
            Archives.xorByte(file, offset, mask);
        }
        Archives.openVerifyAndReadAll(file, keyOrNone(encrypted));
    }

    @ParameterizedTest(name = "{0}, encrypted={1}")
    @CsvSource({
        "header, false", "header, true",
        "chunk, false", "chunk, true",
        "index, false", "index, true",
        "manifest, false", "manifest, true",
        "trailer, false", "trailer, true"})
    void aChangedByteInEachRegionIsReportedForThatRegion(String region, boolean encrypted) throws Exception {
        Path file = smallArchive(encrypted);
        ArchiveLayout.Trailer t = Archives.trailer(file);
        long size = Files.size(file);
        long offset = switch (region) {
            case "header" -> 16; // the created-at time
            case "chunk" -> ArchiveLayout.HEADER_SIZE + 3; // schema.json's only chunk
            case "index" -> t.indexOffset() + 7;
            case "manifest" -> t.manifestOffset() + 3;
            default -> size - ArchiveLayout.TRAILER_SIZE + 5; // the index offset
        };
        String expected = switch (region) {
            case "header" -> "its header (bytes 0..64) does not match its checksum";
            case "chunk" -> "chunk 0 of entry 'schema.json' (bytes 64..";
            case "index", "manifest" -> "its index or manifest (bytes " + t.indexOffset() + "..";
            default -> "its end record (bytes " + (size - ArchiveLayout.TRAILER_SIZE) + ".." + size + ")";
        };
        Archives.xorByte(file, offset, 0x20);

        assertRefused(file, keyOrNone(encrypted)).hasMessageStartingWith(file.toString())
                .hasMessageContaining(expected).hasMessageEndingWith("Use another backup");
    }

    @Test
    void truncationAtAnyLengthIsDetected() throws Exception {
        Map<String, byte[]> entries = Archives.smallEntries(3);
        entries.put("data/public.more", Archives.chatCopyText(new Random(3), 20_000));
        Path file = Archives.write(dir.resolve("whole.botdb"), Optional.empty(), 1000, entries, 3);
        byte[] whole = Files.readAllBytes(file);
        TreeSet<Integer> lengths = new TreeSet<>(List.of(1, 7, 8, 63, 64, 65, whole.length - ArchiveLayout.TRAILER_SIZE,
                whole.length - 1));
        Random random = new Random(42);
        while (lengths.size() < 300) {
            lengths.add(1 + random.nextInt(whole.length - 1));
        }
        Path cut = dir.resolve("cut.botdb");
        for (int length : lengths) {
            Files.write(cut, Arrays.copyOf(whole, length));
            String expected = length < ArchiveLayout.HEADER_SIZE ? "is truncated: it ends at byte " + length
                    : "is truncated: it ends at byte " + length + " of " + whole.length + ". It was probably copied"
                    + " while being written or the disk filled; use another backup";
            assertRefused(cut, Optional.empty()).as("cut at %d", length).hasMessageContaining(expected);
        }
    }

    @Test
    void anEmptyFileIsNotABackup() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.botdb"));

        assertRefused(empty, Optional.empty()).hasMessageContaining("is not a botdb backup: it is empty");
    }

    @Test
    void bytesAppendedAfterTheEndAreDetected() throws Exception {
        Path file = smallArchive(false);
        Files.write(file, new byte[] {'\n'}, java.nio.file.StandardOpenOption.APPEND);

        assertRefused(file, Optional.empty()).hasMessageContaining("has 1 unexpected bytes after its end");
    }

    @Test
    void swappedChunksAreDetected() throws Exception {
        byte[] noise = new byte[3000];
        new Random(9).nextBytes(noise); // incompressible: stored as is, so every chunk has the same size
        Path file = Archives.write(dir.resolve("swap.botdb"), Optional.empty(), 1000, Map.of("x", noise), 9);
        byte[] all = Files.readAllBytes(file);
        byte[] first = Arrays.copyOfRange(all, 64, 1064);
        System.arraycopy(all, 1064, all, 64, 1000);
        System.arraycopy(first, 0, all, 1064, 1000);
        Files.write(file, all);

        assertRefused(file, Optional.empty()).hasMessageContaining("chunk 0 of entry 'x' (bytes 64..1064) does not"
                + " match its checksum");
    }

    @Test
    void anEncryptedChunkMovedToAnotherPositionFailsAuthenticationWhenReadEvenWithAMatchingIndex() throws Exception {
        byte[] noise = new byte[3000];
        new Random(9).nextBytes(noise);
        Path file = Archives.write(dir.resolve("swap.botdb"), KEY, 1000, Map.of("x", noise), 9);
        // swap the chunks in the index: each chunk's offset and hash now describe the other, so
        // only the GCM tag, bound to entry and position, can tell
        Archives.rewriteIndex(file, KEY, entries -> {
            ArchiveLayout.Entry e = entries.get(0);
            List<ArchiveLayout.Chunk> chunks = new ArrayList<>(e.chunks());
            chunks.set(0, e.chunks().get(1));
            chunks.set(1, e.chunks().get(0));
            return List.of(new ArchiveLayout.Entry(e.name(), e.id(), e.rawBytes(), e.sha256(), chunks));
        });

        try (ArchiveReader reader = ArchiveReader.open(file, KEY)) {
            reader.verifyIntegrity();
        }
        assertRefused(file, KEY).hasMessageContaining("was tampered with: chunk 0 of entry 'x' (bytes 1080..2096)")
                .hasMessageContaining("fails authentication");
    }

    @Test
    void withSeveralDamagedChunksTheFirstInTheFileIsNamed() throws Exception {
        Path file = Archives.write(dir.resolve("many.botdb"), Optional.empty(), 1000,
                Map.of("data/public.messages", Archives.chatCopyText(new Random(3), 60_000)), 3);
        List<ArchiveLayout.Chunk> chunks = Archives.entryOf(file, "data/public.messages").chunks();
        assertThat(chunks).hasSizeGreaterThan(20);
        for (int n : new int[] {17, 5, 11}) {
            Archives.xorByte(file, chunks.get(n).offset() + 2, 0x40);
        }

        try (ArchiveReader reader = ArchiveReader.open(file, Optional.empty())) {
            for (int round = 0; round < 5; round++) { // checked on several threads: always the same answer
                assertThatThrownBy(reader::verifyIntegrity).isInstanceOf(BotDbException.class)
                        .hasMessageContaining("chunk 5 of entry 'data/public.messages'")
                        .hasMessageContaining("does not match its checksum");
            }
        }
    }

    @Test
    void anEntryOfAnEarlierBuildIsCheckedByItsSha256AtTheEnd() throws Exception {
        byte[] content = Archives.chatCopyText(new Random(1), 5000);
        Path file = Archives.write(dir.resolve("hash.botdb"), Optional.empty(), 1000, Map.of("data/public.messages", content), 1);
        // earlier builds wrote zstd chunks without zstd's checksum (codec 1); zstd reads those frames all the same
        Archives.rewriteIndex(file, Optional.empty(), entries -> List.of(withChunks(entries.get(0), ArchiveLayout.CODEC_ZSTD)));
        try (ArchiveReader reader = ArchiveReader.open(file, Optional.empty())) {
            assertThat(reader.openEntry("data/public.messages").readAllBytes()).isEqualTo(content);
        }

        Archives.rewriteIndex(file, Optional.empty(), entries -> {
            ArchiveLayout.Entry e = entries.get(0);
            byte[] wrong = e.sha256().clone();
            wrong[0] ^= 1;
            return List.of(new ArchiveLayout.Entry(e.name(), e.id(), e.rawBytes(), wrong, e.chunks()));
        });

        // the chunks are intact; only the content hash is wrong
        readingMessagesFails(file).hasMessageContaining("the content of entry 'data/public.messages' does not match its SHA-256");
    }

    @Test
    void aCompressedChunkWhoseContentDoesNotMatchZstdsChecksumFailsAsItIsRead() throws Exception {
        Path file = Archives.write(dir.resolve("xxh.botdb"), Optional.empty(), 1000,
                Map.of("data/public.messages", Archives.chatCopyText(new Random(1), 5000)), 1);
        // the frame's last 4 bytes are its content checksum; the chunk's SHA-256 is made to match
        ArchiveDamage.breakContentChecksum(file, "data/public.messages");

        readingMessagesFails(file).hasMessageContaining("chunk 0 of entry 'data/public.messages'")
                .hasMessageContaining("cannot be decompressed");
    }

    @Test
    void aCompressedChunkWithoutZstdsChecksumIsRefusedWhenTheIndexSaysItHasOne() throws Exception {
        Path file = Archives.write(dir.resolve("nocheck.botdb"), Optional.empty(), 1000,
                Map.of("data/public.messages", Archives.chatCopyText(new Random(1), 5000)), 1);
        ArchiveLayout.Chunk first = Archives.entryOf(file, "data/public.messages").chunks().get(0);
        Archives.patchChunk(file, first, 4, b -> b & ~0x04); // the frame header's Content_Checksum_flag

        readingMessagesFails(file).hasMessageContaining("chunk 0 of entry 'data/public.messages'")
                .hasMessageContaining("lacks zstd's content checksum");
    }

    /** Every chunk passes the integrity check; reading the messages entry fails. */
    private static AbstractThrowableAssert<?, ? extends Throwable> readingMessagesFails(Path file) {
        try (ArchiveReader reader = ArchiveReader.open(file, Optional.empty())) {
            reader.verifyIntegrity();
            InputStream in = reader.openEntry("data/public.messages");
            return assertThatThrownBy(() -> in.transferTo(java.io.OutputStream.nullOutputStream()))
                    .isInstanceOf(BotDbException.class);
        }
    }

    private static ArchiveLayout.Entry withChunks(ArchiveLayout.Entry e, int codec) {
        return new ArchiveLayout.Entry(e.name(), e.id(), e.rawBytes(), e.sha256(), e.chunks().stream()
                .map(c -> new ArchiveLayout.Chunk(c.offset(), c.storedLength(), c.rawLength(), codec, c.sha256())).toList());
    }

    @Test
    void aWrongKeyIsRefused() throws Exception {
        Path file = smallArchive(true);

        assertRefused(file, Optional.of(BackupKey.ofPassphrase("not the key", "BACKUP_ENCRYPTION_KEY_FILE")))
                .hasMessageContaining("wrong key: BACKUP_ENCRYPTION_KEY_FILE does not decrypt this backup")
                .hasMessageNotContaining("not the key");
    }

    @Test
    void anEncryptedBackupWithoutAKeyIsRefusedButItsHeaderIsReadable() throws Exception {
        Path file = smallArchive(true);

        assertRefused(file, Optional.empty()).hasMessageContaining(
                "encrypted backup, but no key is configured: set BACKUP_ENCRYPTION_KEY or BACKUP_ENCRYPTION_KEY_FILE");
        ArchiveHeader header = ArchiveReader.readHeader(file);
        assertThat(header.encrypted()).isTrue();
        assertThat(header.formatVersion()).isEqualTo(1);
        assertThat(header.sizeBytes()).isEqualTo(Files.size(file));
    }

    @Test
    void aPartialIsNeverTakenForABackupUnderAnyName() throws Exception {
        Path file = dir.resolve("killed.botdb");
        try (ArchiveWriter writer = Archives.unfinished(file)) {
            // as if the process were killed here: the .partial stays behind
            Path partial = writer.partialPath();
            Path renamed = Files.copy(partial, dir.resolve("renamed.botdb"), StandardCopyOption.REPLACE_EXISTING);

            assertRefused(partial, Optional.empty()).hasMessageContaining("is an unfinished backup");
            assertThatThrownBy(() -> ArchiveReader.readHeader(partial)).hasMessageContaining("is an unfinished backup");
            assertRefused(renamed, Optional.empty()).hasMessageContaining("is an unfinished backup");
            assertThatThrownBy(() -> ArchiveReader.readHeader(renamed)).hasMessageContaining("is an unfinished backup");
        }
    }

    @Test
    void aCompleteArchiveNamedPartialIsStillRefused() throws Exception {
        Path file = smallArchive(false);
        Path partial = Files.copy(file, dir.resolve("copy.botdb.partial"));

        assertRefused(partial, Optional.empty()).hasMessageContaining("is an unfinished backup");
    }

    @Test
    void otherFilesAreNotTakenForBackups() throws Exception {
        Path pgDump = Files.write(dir.resolve("app.dump"), "PGDMP\u0001\u000e\u0000".getBytes(StandardCharsets.ISO_8859_1));
        Path sql = Files.write(dir.resolve("app.sql"), "-- PostgreSQL database dump\n".getBytes(StandardCharsets.UTF_8));
        Path sqlite = Files.write(dir.resolve("bot.db"), "SQLite format 3\0........".getBytes(StandardCharsets.US_ASCII));

        assertRefused(pgDump, Optional.empty()).hasMessageContaining("is not a botdb backup: it is a pg_dump"
                + " custom-format file: restore it with pg_restore");
        assertRefused(sql, Optional.empty()).hasMessageContaining("is not a botdb backup: it does not start with");
        assertRefused(sqlite, Optional.empty()).hasMessageContaining("is not a botdb backup: it is an SQLite database");
        assertRefused(dir.resolve("missing.botdb"), Optional.empty()).hasMessageContaining("does not exist");
    }

    @Test
    void aNewerFormatVersionAsksForAnUpgrade() throws Exception {
        Path file = smallArchive(false);
        byte[] all = Files.readAllBytes(file);
        ByteBuffer.wrap(all).putShort(8, (short) 3).putInt(60, ArchiveLayout.crc32c(all, 0, 60));
        Files.write(file, all);

        assertRefused(file, Optional.empty()).hasMessageContaining("was written by a newer botdb (archive format 3")
                .hasMessageContaining("Upgrade botdb");
    }

    @Test
    void openEntryNamesTheEntriesWhenTheNameIsUnknown() throws Exception {
        try (ArchiveReader reader = ArchiveReader.open(smallArchive(false), Optional.empty())) {
            assertThatThrownBy(() -> reader.openEntry("data/public.nope"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("data/public.messages");
        }
    }
}
