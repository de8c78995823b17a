package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.MigrationSettings;
import dev.botdb.config.PoolSettings;
import dev.botdb.pool.Connector;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What every botdb command shares, so that a command's class holds only its own options and
 * work: the global options (also accepted after the command's name), the environment and output
 * streams ({@link Cli}), and how it opens the database. A new command extends this, implements
 * {@link #call()}, and is listed in {@link Main}'s subcommands.
 */
abstract class BotDbCommand implements Callable<Integer> {
    @Mixin
    GlobalOptions local;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    /** The environment and streams; set by {@link Main}'s factory before the arguments are parsed. */
    Cli cli;

    final void attach(Cli cli) {
        this.cli = cli;
    }

    /** The configuration, with --allow-insecure applied when given before or after the command. */
    BotDbConfig config() {
        return cli.config(local);
    }

    /** Opens {@link BotDb} without AUTO_MIGRATE side effects: the command decides what runs. */
    BotDb open() {
        BotDbConfig config = config();
        return BotDb.open(withoutAutoMigrate(config, config.pool()), cli.env, cli.err::println,
                Connector.FIRST_RETRY_DELAY);
    }

    /**
     * As {@link #open}, without a pool: for a command that reads with one connection at a time and exits
     * (status, validate), where the pool's start would be a fifth of its run.
     */
    BotDb openUnpooled() {
        BotDbConfig config = config();
        return BotDb.openUnpooled(withoutAutoMigrate(config, config.pool()), cli.env, cli.err::println,
                Connector.FIRST_RETRY_DELAY);
    }

    /**
     * As {@link #open}, with a pool that keeps no idle connection: for commands that work on a
     * connection of their own and must not meet their own pool's sessions (maintain kill-idle).
     */
    BotDb openWithoutIdlePool() {
        BotDbConfig config = config();
        PoolSettings p = config.pool();
        PoolSettings lean = new PoolSettings(1, 0, p.maxLifetime(), p.idleTimeout(), p.acquireTimeout(),
                p.busyTimeout(), p.connectAttempts(), p.sources());
        return BotDb.open(withoutAutoMigrate(config, lean), cli.env, cli.err::println, Connector.FIRST_RETRY_DELAY);
    }

    /**
     * As {@link #openUnpooled}, on the database {@code url} names (a command's {@code --to}) instead of the
     * configured one; the password still comes from ~/.pgpass or PGPASSWORD, never the URL.
     */
    BotDb openUnpooledAt(String option, String url) {
        java.util.Map<String, String> env = envWithDatabaseUrl(option, url);
        BotDbConfig config = BotDbConfig.fromEnv(env);
        if (cli.global.allowInsecure || local.allowInsecure) {
            config = config.allowingInsecure();
        }
        return BotDb.openUnpooled(withoutAutoMigrate(config, config.pool()), env, cli.err::println,
                Connector.FIRST_RETRY_DELAY);
    }

    /**
     * The environment with {@code --to URL} as DATABASE_URL (the other ways of naming a database dropped, so they
     * cannot contradict it); refused when the URL holds a password, which every user of the machine could read.
     */
    java.util.Map<String, String> envWithDatabaseUrl(String option, String url) {
        if (dev.botdb.config.Redaction.holdsSecret(url)) {
            throw new dev.botdb.BotDbException(dev.botdb.ErrorCode.USAGE, option + " has a password in it, and command"
                    + " lines are visible to every user of this machine (ps). Leave it out: botdb takes it from"
                    + " ~/.pgpass or PGPASSWORD.");
        }
        java.util.Map<String, String> env = new java.util.HashMap<>(cli.env);
        env.put("DATABASE_URL", url);
        env.keySet().removeIf(k -> k.startsWith("POSTGRES_") || k.startsWith("PSQL_DB_"));
        return env;
    }

    private static BotDbConfig withoutAutoMigrate(BotDbConfig config, PoolSettings pool) {
        return new BotDbConfig(config.target(), pool, config.production(), config.allowInsecure(),
                new MigrationSettings(false, config.migrations().silentFail(), config.migrations().directory(),
                        config.migrations().supabaseCleanup(), config.migrations().sources()), config.warnings());
    }
}
