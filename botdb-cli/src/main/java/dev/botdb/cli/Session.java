package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.MigrationSettings;
import dev.botdb.config.PoolSettings;
import dev.botdb.pool.Connector;

/** Opens {@link BotDb} for a command without AUTO_MIGRATE side effects: commands decide what runs. */
final class Session {
    private Session() {
    }

    static BotDb open(Cli cli, GlobalOptions local) {
        BotDbConfig config = cli.config(local);
        return BotDb.open(withoutAutoMigrate(config, config.pool()), cli.err::println, Connector.FIRST_RETRY_DELAY);
    }

    /**
     * As {@link #open}, with a pool that keeps no idle connection: for commands that work on a
     * connection of their own and must not meet their own pool's sessions (maintain kill-idle).
     */
    static BotDb openWithoutIdlePool(Cli cli, GlobalOptions local) {
        BotDbConfig config = cli.config(local);
        PoolSettings p = config.pool();
        PoolSettings lean = new PoolSettings(1, 0, p.maxLifetime(), p.idleTimeout(), p.acquireTimeout(),
                p.busyTimeout(), p.connectAttempts(), p.sources());
        return BotDb.open(withoutAutoMigrate(config, lean), cli.err::println, Connector.FIRST_RETRY_DELAY);
    }

    private static BotDbConfig withoutAutoMigrate(BotDbConfig config, PoolSettings pool) {
        return new BotDbConfig(config.target(), pool, config.production(), config.allowInsecure(),
                new MigrationSettings(false, config.migrations().silentFail(), config.migrations().directory(),
                        config.migrations().supabaseCleanup(), config.migrations().sources()), config.warnings());
    }
}
