package dev.botdb.config;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything botdb needs to connect, resolved once from the environment and immutable after.
 *
 * <pre>{@code
 * BotDbConfig config = BotDbConfig.fromEnv();      // DATABASE_URL, POSTGRES_*, PG*, ~/.pgpass ...
 * config.describe().forEach(s -> System.out.println(s.name() + " = " + s.value() + "  (" + s.source() + ")"));
 * }</pre>
 *
 * @param target        where to connect
 * @param pool          pool sizing and timeouts
 * @param production    true when {@code BOTDB_ENV=production}
 * @param allowInsecure true when an unencrypted remote connection is accepted even in production
 * @param migrations    AUTO_MIGRATE, AUTO_MIGRATE_SILENT_FAIL, MIGRATIONS_PATH
 * @param warnings      things that work but deserve the operator's attention
 */
public record BotDbConfig(ConnectionTarget target, PoolSettings pool, boolean production, boolean allowInsecure,
                          MigrationSettings migrations, List<String> warnings) {

    public BotDbConfig {
        warnings = List.copyOf(warnings);
    }

    /** Resolves the configuration from this process's environment variables. */
    public static BotDbConfig fromEnv() {
        return fromEnv(System.getenv());
    }

    /**
     * Resolves the configuration from the given variables (tests and embedding applications pass
     * their own map).
     *
     * @throws BotDbException with {@link ErrorCode#CONFIG_INVALID} naming the variable at fault
     */
    public static BotDbConfig fromEnv(Map<String, String> env) {
        return ConfigResolver.resolve(env);
    }

    /** The same configuration, accepting an unencrypted remote connection (CLI: --allow-insecure). */
    public BotDbConfig allowingInsecure() {
        return new BotDbConfig(target, pool, production, true, migrations, warnings);
    }

    /**
     * Why this configuration must not be used, when {@code BOTDB_ENV=production} and the
     * connection could go unencrypted to a remote host without {@code --allow-insecure}.
     */
    public Optional<String> securityProblem() {
        if (!production || allowInsecure || !(target instanceof PostgresTarget pg)) {
            return Optional.empty();
        }
        return pg.insecureWarning().map(w -> "Refusing an unencrypted connection under BOTDB_ENV=production: " + w
                + " If the network between bot and database is private, pass --allow-insecure"
                + " (or set BOTDB_ALLOW_INSECURE=true).");
    }

    /** Throws the {@link #securityProblem()} as an {@link ErrorCode#INSECURE_CONNECTION} error. */
    public void requireSecure() {
        securityProblem().ifPresent(p -> {
            throw new BotDbException(ErrorCode.INSECURE_CONNECTION, p);
        });
    }

    /** Every resolved setting with its source, passwords masked: what {@code botdb config} prints. */
    public List<Setting> describe() {
        List<Setting> rows = new ArrayList<>(target.describe());
        rows.addAll(pool.describe(target.engine()));
        rows.addAll(migrations.describe());
        rows.add(new Setting("environment", production ? "production" : "development",
                production ? "BOTDB_ENV" : "default (BOTDB_ENV unset or not production)"));
        return rows;
    }
}
