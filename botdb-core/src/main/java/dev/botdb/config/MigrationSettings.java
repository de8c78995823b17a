package dev.botdb.config;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The migration variables Alita's runner reads (AUTO_MIGRATE, AUTO_MIGRATE_SILENT_FAIL,
 * MIGRATIONS_PATH), and {@code SUPABASE_CLEANUP}.
 *
 * <p>{@code SUPABASE_CLEANUP} decides whether pending PostgreSQL migrations exported from Supabase
 * are cleaned before they run (on SQLite nothing is ever cleaned). The clean-up asks the server
 * which roles, schemas and extensions it has and removes only what would fail: grantees and
 * policy roles that do not exist ({@code anon}, {@code authenticated}, {@code service_role} on a
 * plain server), {@code SCHEMA extensions} when that schema does not exist, and
 * {@code CREATE EXTENSION} of an extension the server cannot install. Every change is logged
 * with file and line.
 * <ul>
 *   <li>{@code auto} (default): clean a file only when it names {@code anon}, {@code authenticated},
 *       {@code service_role} or {@code extensions} (as an identifier, not inside a string or
 *       comment), i.e. when it looks like a Supabase export; then every rule applies to it. On a
 *       Supabase server, or one where those roles and extensions exist, nothing changes. Other
 *       files run as written, so a mistyped role in a hand-written migration still fails.</li>
 *   <li>{@code on}: apply the rules to every pending file, whatever it mentions.</li>
 *   <li>{@code off}: never change a file; a grant to a missing role fails the migration.</li>
 * </ul>
 *
 * @param autoMigrate     {@code AUTO_MIGRATE}: apply pending migrations whenever {@code BotDb} opens
 * @param silentFail      {@code AUTO_MIGRATE_SILENT_FAIL}: log a failed automatic migration and carry on
 * @param directory       {@code MIGRATIONS_PATH} (default {@code migrations})
 * @param supabaseCleanup {@code SUPABASE_CLEANUP} (default {@code auto})
 * @param sources         where each value came from
 */
public record MigrationSettings(boolean autoMigrate, boolean silentFail, Path directory,
                                SupabaseCleanupMode supabaseCleanup, Map<String, String> sources) {

    public static final String DEFAULT_DIRECTORY = "migrations";
    public static final SupabaseCleanupMode DEFAULT_SUPABASE_CLEANUP = SupabaseCleanupMode.AUTO;

    /** The values of {@code SUPABASE_CLEANUP}; see {@link MigrationSettings}. */
    public enum SupabaseCleanupMode {
        /** Clean files that name a Supabase role or the {@code extensions} schema. */
        AUTO,
        /** Clean every file. */
        ON,
        /** Never clean. */
        OFF;

        /** The spelling used in {@code SUPABASE_CLEANUP}: {@code auto}, {@code on}, {@code off}. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public MigrationSettings {
        Objects.requireNonNull(supabaseCleanup, "supabaseCleanup");
        sources = Map.copyOf(sources);
    }

    /** Settings with the default {@code SUPABASE_CLEANUP=auto}. */
    public MigrationSettings(boolean autoMigrate, boolean silentFail, Path directory, Map<String, String> sources) {
        this(autoMigrate, silentFail, directory, DEFAULT_SUPABASE_CLEANUP, sources);
    }

    static MigrationSettings resolve(Env env) {
        return new MigrationSettings(
                env.flag("AUTO_MIGRATE", false),
                env.flag("AUTO_MIGRATE_SILENT_FAIL", false),
                Path.of(env.get("MIGRATIONS_PATH").orElse(DEFAULT_DIRECTORY)),
                supabaseCleanup(env.get("SUPABASE_CLEANUP")),
                Map.of("autoMigrate", env.has("AUTO_MIGRATE") ? "AUTO_MIGRATE" : "default",
                        "silentFail", env.has("AUTO_MIGRATE_SILENT_FAIL") ? "AUTO_MIGRATE_SILENT_FAIL" : "default",
                        "directory", env.has("MIGRATIONS_PATH") ? "MIGRATIONS_PATH" : "default",
                        "supabaseCleanup", env.has("SUPABASE_CLEANUP") ? "SUPABASE_CLEANUP" : "default"));
    }

    private static SupabaseCleanupMode supabaseCleanup(Optional<String> raw) {
        if (raw.isEmpty()) {
            return DEFAULT_SUPABASE_CLEANUP;
        }
        return switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "auto" -> SupabaseCleanupMode.AUTO;
            case "on" -> SupabaseCleanupMode.ON;
            case "off" -> SupabaseCleanupMode.OFF;
            default -> throw new BotDbException(ErrorCode.CONFIG_INVALID, "SUPABASE_CLEANUP must be auto, on or off,"
                    + " but it is '" + Redaction.printable(raw.get()) + "'. auto cleans files that name anon,"
                    + " authenticated, service_role or the extensions schema; on cleans every file; off never."
                    + " Example: SUPABASE_CLEANUP=auto");
        };
    }

    public List<Setting> describe() {
        return List.of(
                new Setting("migrations.path", directory.toString(), sources.get("directory")),
                new Setting("migrations.auto", Boolean.toString(autoMigrate), sources.get("autoMigrate")),
                new Setting("migrations.silentFail", Boolean.toString(silentFail), sources.get("silentFail")),
                new Setting("migrations.supabaseCleanup", supabaseCleanup.toString(),
                        sources.getOrDefault("supabaseCleanup", "default")));
    }
}
