package dev.botdb.backup.archive;

import java.time.Instant;

/**
 * What a backup file says about itself without a key: enough for {@code botdb backup list} to
 * show an encrypted backup it cannot open. {@link ArchiveReader#readHeader} returns it.
 *
 * @param formatVersion the archive format version (1: a backup; 2: an appendable archive file of `botdb archive --to`)
 * @param createdAt     when the writer started
 * @param encrypted     whether entries, index and manifest are encrypted (AES-256-GCM)
 * @param chunkSize     the uncompressed chunk size the writer used
 * @param sizeBytes     the complete file's size
 */
public record ArchiveHeader(int formatVersion, Instant createdAt, boolean encrypted, int chunkSize, long sizeBytes) {
}
