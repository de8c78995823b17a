package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.config.BotDbConfig;
import dev.botdb.pool.Connector;

/** Opens {@link BotDb} for a command without AUTO_MIGRATE side effects: commands decide what runs. */
final class Session {
    private Session() {
    }

    static BotDb open(Cli cli, GlobalOptions local) {
        BotDbConfig config = cli.config(local);
        BotDbConfig noAuto = new BotDbConfig(config.target(), config.pool(), config.production(),
                config.allowInsecure(), new dev.botdb.config.MigrationSettings(false, config.migrations().silentFail(),
                config.migrations().directory(), config.migrations().supabaseCleanup(), config.migrations().sources()),
                config.warnings());
        return BotDb.open(noAuto, cli.err::println, Connector.FIRST_RETRY_DELAY);
    }
}
