package dev.botdb.backup.archive;

/**
 * One entry of an archive, as {@link EntryOutput#closeEntry()} returns it and
 * {@link ArchiveReader#entries()} lists it.
 *
 * @param name        the entry's name, such as {@code data/public.messages}
 * @param rawBytes    the uncompressed size
 * @param sha256      SHA-256 of the uncompressed content, 64 lowercase hex digits; the manifest's
 *                    table checksums are this value
 * @param chunks      how many chunks the content was split into
 * @param storedBytes the size in the file: compressed, plus 16 bytes per chunk when encrypted
 */
public record EntryInfo(String name, long rawBytes, String sha256, int chunks, long storedBytes) {
}
