package dev.botdb.backup;

import java.nio.file.Path;

/**
 * A finished backup.
 *
 * @param file      the archive
 * @param bytes     its size
 * @param manifest  what it holds
 */
public record BackupResult(Path file, long bytes, Manifest manifest) {
}
