package dev.botdb.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The Alita page's migration variables.
 *
 * @param autoMigrate {@code AUTO_MIGRATE}: apply pending migrations whenever {@code BotDb} opens
 * @param silentFail  {@code AUTO_MIGRATE_SILENT_FAIL}: log a failed automatic migration and carry on
 * @param directory   {@code MIGRATIONS_PATH} (default {@code migrations})
 * @param sources     where each value came from
 */
public record MigrationSettings(boolean autoMigrate, boolean silentFail, Path directory, Map<String, String> sources) {

    public static final String DEFAULT_DIRECTORY = "migrations";

    public MigrationSettings {
        sources = Map.copyOf(sources);
    }

    static MigrationSettings resolve(Env env) {
        return new MigrationSettings(
                env.flag("AUTO_MIGRATE", false),
                env.flag("AUTO_MIGRATE_SILENT_FAIL", false),
                Path.of(env.get("MIGRATIONS_PATH").orElse(DEFAULT_DIRECTORY)),
                Map.of("autoMigrate", env.has("AUTO_MIGRATE") ? "AUTO_MIGRATE" : "default",
                        "silentFail", env.has("AUTO_MIGRATE_SILENT_FAIL") ? "AUTO_MIGRATE_SILENT_FAIL" : "default",
                        "directory", env.has("MIGRATIONS_PATH") ? "MIGRATIONS_PATH" : "default"));
    }

    public List<Setting> describe() {
        return List.of(
                new Setting("migrations.path", directory.toString(), sources.get("directory")),
                new Setting("migrations.auto", Boolean.toString(autoMigrate), sources.get("autoMigrate")),
                new Setting("migrations.silentFail", Boolean.toString(silentFail), sources.get("silentFail")));
    }
}
