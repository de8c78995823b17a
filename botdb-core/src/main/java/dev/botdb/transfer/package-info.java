/**
 * {@code botdb transfer}: a SQLite database's rows into PostgreSQL in one transaction that commits only when
 * every table reads back equal to what was sent. Start at {@link dev.botdb.transfer.Transfer} (reached as
 * {@code db.transfer(target, request, log, listener)}); {@link dev.botdb.transfer.TransferRequest} says what to
 * do, {@link dev.botdb.transfer.TransferPlan} what would happen, {@link dev.botdb.transfer.TransferResult}
 * what did. Internals: {@code SqliteSource} (the file, read-only, in one read transaction), {@code
 * TargetTables} (the target's catalog), {@code Conversion} (each SQLite value into its column's COPY binary
 * form), {@code TableLoad} (one table's COPY), {@code RowCheck} (the hash compared after loading), {@code
 * SchemaCreator} (--create-schema).
 */
package dev.botdb.transfer;
