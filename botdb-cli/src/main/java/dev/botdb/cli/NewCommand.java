package dev.botdb.cli;

import dev.botdb.config.BotDbConfig;
import dev.botdb.migrate.Migrator;
import java.nio.file.Path;
import java.time.Clock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code botdb new NAME}: create an empty, timestamped migration file. */
@Command(name = "new", description = "Create MIGRATIONS_PATH/YYYYMMDDHHMMSS_NAME.sql.")
final class NewCommand extends BotDbCommand {
    @Parameters(paramLabel = "NAME", description = "What the migration does, e.g. add_captcha_settings")
    String name;
    @Override
    public Integer call() {
        Path dir = BotDbConfig.fromEnv(cli.env).migrations().directory();
        cli.out.println("Created " + Migrator.create(dir, name, Clock.systemUTC()));
        return 0;
    }
}
