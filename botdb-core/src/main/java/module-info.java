/**
 * botdb's library: what a Java bot may call. Start at {@link dev.botdb.BotDb}: {@code BotDb.fromEnv()}
 * opens the pool (and applies migrations when AUTO_MIGRATE=true); {@code db.migrator()},
 * {@code db.backups()}, {@code db.inspector()} and {@code db.maintenance()} reach the features.
 *
 * <p>Only the packages exported here are the API. The others (the backup archive format, schema
 * reading and DDL, the pg_dump/psql runner, the engines' backup internals, the embedded server, the
 * pool plumbing, the SQL lexer) are botdb's own and change without notice.
 */
module dev.botdb {
    requires transitive java.sql;
    requires java.logging;
    requires java.management;
    requires jdk.management;
    requires org.slf4j;
    requires com.zaxxer.hikari;
    requires org.postgresql.jdbc;
    requires org.xerial.sqlitejdbc;
    requires com.github.luben.zstd_jni;
    requires com.fasterxml.jackson.jr.ob;
    requires com.fasterxml.jackson.core;
    requires org.apache.commons.csv;
    /* optional: the embedded PostgreSQL used when no DATABASE_URL is set (its jar has no module name) */
    requires static embedded.postgres;

    exports dev.botdb;
    exports dev.botdb.config;
    exports dev.botdb.dialect;
    exports dev.botdb.migrate;
    exports dev.botdb.backup;
    exports dev.botdb.backup.retention;
    exports dev.botdb.inspect;
    exports dev.botdb.doctor;
    exports dev.botdb.maintain;
    exports dev.botdb.provision;
    exports dev.botdb.tune;
    exports dev.botdb.transfer;
    exports dev.botdb.exchange;
}
