package dev.botdb.backup.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

/** Damage that only reading an entry can find, for tests outside this package. */
public final class ArchiveDamage {
    private ArchiveDamage() {
    }

    /**
     * Flips a bit of zstd's content checksum in the first chunk of {@code entry} and gives the
     * chunk the SHA-256 of its new bytes: the archive passes the integrity check, and the entry
     * fails only when it is decompressed.
     */
    public static void breakContentChecksum(Path file, String entry) throws Exception {
        ArchiveLayout.Chunk first = Archives.entryOf(file, entry).chunks().get(0);
        assertThat(first.codec()).as("a compressed chunk with zstd's checksum").isEqualTo(ArchiveLayout.CODEC_ZSTD_CHECKED);
        Archives.patchChunk(file, first, first.storedLength() - 1, b -> b ^ 1);
    }
}
