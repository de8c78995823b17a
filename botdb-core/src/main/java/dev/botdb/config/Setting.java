package dev.botdb.config;

/**
 * One resolved value as {@code botdb config} shows it: its name, its value (passwords already
 * masked) and where it came from, e.g. {@code DATABASE_URL}, {@code PGPORT},
 * {@code ~/.pgpass line 3} or {@code default}.
 */
public record Setting(String name, String value, String source) {
}
