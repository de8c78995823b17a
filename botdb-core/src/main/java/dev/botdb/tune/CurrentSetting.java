package dev.botdb.tune;

/**
 * A setting as pg_settings shows it.
 *
 * @param name           the setting
 * @param setting        pg_settings.setting: the value in {@code unit}
 * @param unit           pg_settings.unit: {@code 8kB}, {@code kB}, {@code MB}, {@code ms}, {@code s}, ... or null
 * @param vartype        bool, enum, integer, real or string
 * @param context        {@code postmaster} (needs a restart), {@code sighup} (a reload), {@code user}, ...
 * @param source         where the value comes from: default, configuration file, command line, ...
 * @param pendingRestart true when a changed value waits for a restart
 */
public record CurrentSetting(String name, String setting, String unit, String vartype, String context, String source,
                             boolean pendingRestart) {

    /** The value with its unit applied: shared_buffers 16384 x 8kB = 128MB. */
    public PgValue value() {
        return PgValue.fromSetting(setting, unit, vartype);
    }

    /** True when only a server restart applies a new value. */
    public boolean needsRestart() {
        return "postmaster".equals(context);
    }

    /**
     * Why ALTER SYSTEM would not take effect, or null: a value given on the server's command line
     * or in its environment beats postgresql.auto.conf; a per-database or per-role value beats both
     * for the sessions it covers.
     */
    public String overrideNote() {
        return switch (source == null ? "" : source) {
            case "command line" -> "set on the server's command line, which beats ALTER SYSTEM: change it where the"
                    + " server is started (e.g. the container's command: -c " + name + "=...)";
            case "environment variable" -> "set by an environment variable of the server, which beats ALTER SYSTEM";
            case "database" -> "overridden for this database (ALTER DATABASE ... SET " + name + ")";
            case "user", "database user" -> "overridden for this role (ALTER ROLE ... SET " + name + ")";
            default -> null;
        };
    }
}
