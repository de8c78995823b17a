/**
 * How botdb backs up, restores and verifies a PostgreSQL database itself, without pg_dump: the
 * schema read from the catalogs and every table copied in binary COPY in one snapshot
 * ({@code PgBackup}); restore into an empty database with tables loaded in parallel and indexes,
 * keys and constraints built after ({@code PgRestore}, {@code SplitLoad}, {@code PostDataPlan},
 * {@code EarlyKeys}); the rows' hash a verify compares ({@code RowsHash}); and the guards around a
 * restore over a live database ({@code TargetState}, {@code Sessions}, {@code PgDatabases}).
 * Internal: reached through {@link dev.botdb.backup.Backups}.
 */
package dev.botdb.backup.postgres;
