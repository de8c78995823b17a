/**
 * Backups of a bot's database, the public face: {@link dev.botdb.backup.Backups} makes, lists,
 * prunes, verifies and restores them ({@code BotDb.backups()} gives one for the configured
 * database), with its requests, results and settings. The work itself lives in sub-packages: the
 * file format ({@code archive}), the engines ({@code postgres}, {@code sqlite}), schema reading
 * and DDL ({@code schema}), pg_dump / pg_restore / psql ({@code external}), what {@code prune}
 * keeps ({@code retention}) and what they share while running ({@code tasks}).
 */
package dev.botdb.backup;
