/**
 * Data in and out of a live database: {@link dev.botdb.exchange.Exporter} ({@code botdb export}: a table or
 * query into CSV, TSV or JSON lines in one snapshot), {@link dev.botdb.exchange.Importer} ({@code botdb import}:
 * a file into a table in one transaction, with the file line of a failing row) and
 * {@link dev.botdb.exchange.Archiver} ({@code botdb archive}: old rows moved into an archive table in short
 * batches). Reached from {@code BotDb}: {@code db.export(...)}, {@code db.importFile(...)}, {@code db.archive(...)}.
 */
package dev.botdb.exchange;
