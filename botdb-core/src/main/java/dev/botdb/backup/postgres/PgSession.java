package dev.botdb.backup.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Session settings that make a table's COPY text the same on every connection and every server
 * (so a restored table hashes like the original), and that let a restore load rows quickly.
 */
public final class PgSession {
    private PgSession() {
    }

    /** Output settings shared by backup and verify: the COPY text depends on them. */
    private static final String OUTPUT = """
            SET client_encoding = 'UTF8';
            SET DateStyle = 'ISO, MDY';
            SET IntervalStyle = 'postgres';
            SET TimeZone = 'UTC';
            SET extra_float_digits = 3;
            SET bytea_output = 'hex';
            SET standard_conforming_strings = on;
            SET synchronize_seqscans = off;
            SET row_security = off;
            SET statement_timeout = 0;
            SET idle_in_transaction_session_timeout = 0;
            """;

    /**
     * A reading session: rows in physical order from block 0 ({@code synchronize_seqscans = off}),
     * row-level security not silently filtering rows (COPY fails instead), no timeouts.
     */
    public static void forReading(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(OUTPUT);
        }
    }

    /**
     * A loading session: function bodies not checked before their tables exist (as pg_dump's
     * scripts do), commits not waiting for the disk (a failed restore is undone anyway). Index
     * builds get the server's own {@code maintenance_work_mem}, as under pg_restore: on the 2 GB
     * benchmark database, 256MB built the big indexes slower than the default 64MB (the messages
     * table's four, on two connections: 11.1-14.1 s against 9.4-12.1 s over 6 rounds each; its
     * (chat_id, sent_at) index alone: 10.5-11.0 s against 7.4-8.9 s), because sort runs that stay
     * in the processor's cache beat one big in-memory sort.
     */
    public static void forLoading(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(OUTPUT + """
                    SET check_function_bodies = off;
                    SET client_min_messages = warning;
                    SET synchronous_commit = off;
                    SET lock_timeout = 0;
                    """);
        }
    }
}
