package dev.botdb.backup.external;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import dev.botdb.dialect.QualifiedName;
import org.junit.jupiter.api.Test;

class PlainSqlScanTest {
    private static final String DUMP = """
            --
            -- PostgreSQL database dump
            --
            \\restrict abc123
            SET statement_timeout = 0;
            \\connect mybot
            CREATE FUNCTION public.touch() RETURNS trigger AS $body$
            BEGIN
              NEW.note := 'a; b';  -- not the end
            \\i not-a-meta-command-inside-the-body
              RETURN NEW;
            END $body$ LANGUAGE plpgsql;
            /* a comment; with a semicolon */
            CREATE TABLE public.users (id bigint, note text DEFAULT 'x;
            \\! still inside the string');
            CREATE TABLE "Odd"."Mixed Case" (id int);
            CREATE UNLOGGED TABLE plain (id int);
            COPY public.users (id, note) FROM stdin;
            1\tCREATE TABLE not_a_table (x int);
            2\t\\\\! not a meta-command either
            \\.
            COPY "Odd"."Mixed Case" (id) FROM stdin;
            \\.
            \\unrestrict abc123
            """;

    @Test
    void findsTheTablesADumpCreatesAndLoadsWhateverItsStringsAndRowsHold() {
        PlainSqlScan scan = PlainSqlScan.ofText(DUMP, "dump.sql");

        assertThat(scan.createdTables()).containsExactlyInAnyOrder(new QualifiedName("public", "users"),
                new QualifiedName("Odd", "Mixed Case"), new QualifiedName("public", "plain"));
        assertThat(scan.loadedTables()).containsExactlyInAnyOrder(new QualifiedName("public", "users"),
                new QualifiedName("Odd", "Mixed Case"));
    }

    @Test
    void aMetaCommandPgDumpDoesNotWriteIsRefusedWithItsLine() {
        String text = "SET a = 1;\nCREATE TABLE t (id int);\n\\! rm -rf /tmp/x\n";

        assertThatThrownBy(() -> PlainSqlScan.ofText(text, "evil.sql")).isInstanceOf(BotDbException.class)
                .hasMessageStartingWith("evil.sql line 3: psql meta-command '\\! rm -rf /tmp/x'");
        assertThatThrownBy(() -> PlainSqlScan.ofText("SELECT 1; \\i other.sql\n", "mid.sql"))
                .hasMessageStartingWith("mid.sql line 1: psql meta-command '\\i other.sql'");
    }
}
