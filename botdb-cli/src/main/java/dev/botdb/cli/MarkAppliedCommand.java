package dev.botdb.cli;

import dev.botdb.BotDb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code botdb mark-applied VERSION}: record a file as applied without running it. */
@Command(name = "mark-applied", description = "Record VERSION as applied without running it"
        + " (after fixing a half-applied migration by hand).")
final class MarkAppliedCommand extends BotDbCommand {
    @Parameters(paramLabel = "VERSION", description = "The file name with or without .sql, or its version"
            + " number: 20240315_add_captcha.sql, 20240315_add_captcha or 20240315. Already applied: says so, exit 0.")
    String version;
    @Override
    public Integer call() {
        try (BotDb db = open()) {
            db.migrator(cli.out::println).markApplied(version);
        }
        return 0;
    }
}
