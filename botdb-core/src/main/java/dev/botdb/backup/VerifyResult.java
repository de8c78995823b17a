package dev.botdb.backup;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code verify} found.
 *
 * @param file      the archive
 * @param problems  every difference between the restored copy and the manifest; empty = verified
 * @param tables    tables compared
 * @param rows      rows compared
 * @param millis    how long it took
 */
public record VerifyResult(Path file, List<String> problems, int tables, long rows, long millis) {
    public VerifyResult {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    public String summary() {
        return ok() ? "verified: " + tables + " tables, " + rows + " rows restore and match the manifest (" + millis + " ms)"
                : "NOT verified: " + String.join("; ", problems);
    }
}
