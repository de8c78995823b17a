package dev.botdb.cli;

import picocli.CommandLine.Option;

/** Options every command accepts, before or after the command name. */
final class GlobalOptions {
    @Option(names = "--verbose", description = "Print stack traces of errors (passwords stay masked).")
    boolean verbose;

    @Option(names = "--allow-insecure",
            description = "Accept an unencrypted connection to a remote host under BOTDB_ENV=production.")
    boolean allowInsecure;

    @Option(names = "--no-progress", description = "No running progress line on a terminal (as BOTDB_NO_PROGRESS=1);"
            + " logs and pipes never get one.")
    boolean noProgress;
}
