package dev.botdb.exchange;

import java.nio.file.Path;
import java.util.Optional;

/** An export that completed: the file (empty for standard output), rows and bytes written, time taken. */
public record ExportResult(Optional<Path> file, long rows, long bytes, long millis) {
}
