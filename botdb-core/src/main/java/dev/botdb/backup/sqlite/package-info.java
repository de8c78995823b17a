/**
 * Backup, restore and verify of a SQLite file with SQLite's online backup API. Internal: reached
 * through {@link dev.botdb.backup.Backups}.
 */
package dev.botdb.backup.sqlite;
