/**
 * Archive files of {@code botdb archive --to FILE}: batches of rows appended to an appendable botdb archive
 * ({@link dev.botdb.backup.archive.AppendSession}) with a manifest that lists the tables and batches
 * ({@link dev.botdb.backup.rows.RowsManifest}), and {@code botdb restore FILE --table T} reading them back.
 */
package dev.botdb.backup.rows;
