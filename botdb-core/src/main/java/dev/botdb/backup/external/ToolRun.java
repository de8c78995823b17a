package dev.botdb.backup.external;

import dev.botdb.text.Human;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What one successful run of pg_dump, pg_restore or psql did.
 *
 * @param tool     the program and its version
 * @param file     the file written (pg_dump) or read (restores)
 * @param bytes    that file's size
 * @param elapsed  wall time of the run
 * @param messages what the program wrote to standard error (warnings, notices), passwords masked
 */
public record ToolRun(InstalledTool tool, Path file, long bytes, Duration elapsed, List<String> messages) {

    public ToolRun {
        messages = List.copyOf(messages);
    }

    /** One line for logs: {@code pg_dump 15.18 wrote backups/app.dump (1.2 MiB) in 0.41 s}. */
    public String summary() {
        String verb = tool.tool() == Tool.PG_DUMP ? "wrote" : "restored";
        return String.format(Locale.ROOT, "%s %s %s %s (%s) in %.2f s", tool.tool(), tool.version(), verb, file,
                Human.bytes(bytes), elapsed.toMillis() / 1000.0);
    }

}
