package dev.botdb.backup.external;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Telling backup files apart by their content; files from the real pg_dump are in {@link PgToolsTest}. */
class FileKindTest {
    private static final String SQL = """
            --
            -- PostgreSQL database dump
            --
            SET statement_timeout = 0;
            CREATE TABLE public.users (id integer NOT NULL, name text);
            """;

    @TempDir
    Path dir;

    private Path file(String name, byte[] content) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, content);
        return f;
    }

    static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(content);
        }
        return out.toByteArray();
    }

    /** A tar file's first header block for a member called {@code name}. */
    private static byte[] tar(String name) {
        byte[] block = new byte[1024];
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, block, 0, n.length);
        byte[] magic = "ustar".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(magic, 0, block, 257, magic.length);
        return block;
    }

    @Test
    void tellsSqlFromGzipSqlByContentNotByName() throws IOException {
        byte[] sql = SQL.getBytes(StandardCharsets.UTF_8);
        assertThat(FileKind.detect(file("backup.sql", sql))).isEqualTo(FileKind.PLAIN_SQL);
        assertThat(FileKind.detect(file("backup.sql.gz", gzip(sql)))).isEqualTo(FileKind.GZIP_SQL);
        assertThat(FileKind.detect(file("misnamed.sql", gzip(sql)))).isEqualTo(FileKind.GZIP_SQL);
        assertThat(FileKind.detect(file("misnamed.sql.gz", sql))).isEqualTo(FileKind.PLAIN_SQL);
    }

    @Test
    void pgDumpSqlIsToldFromOtherSqlByPgDumpsHeaderPlainOrGzipped() throws IOException {
        byte[] sql = SQL.getBytes(StandardCharsets.UTF_8);
        assertThat(FileKind.isPgDumpSql(file("backup.sql", sql))).isTrue();
        assertThat(FileKind.isPgDumpSql(file("backup.sql.gz", gzip(sql)))).isTrue();
        byte[] schema = "CREATE TABLE t (id int); -- PostgreSQL database dump\n".getBytes(StandardCharsets.UTF_8);
        assertThat(FileKind.isPgDumpSql(file("schema.sql", schema))).isFalse();
        assertThat(FileKind.isPgDumpSql(file("empty.sql", new byte[0]))).isFalse();
    }

    @Test
    void tellsTheFourPgDumpFormatsApart() throws IOException {
        byte[] custom = PgArchiveHeaderTest.header(14, 0, PgArchiveHeader.FORMAT_CUSTOM, "15.18");
        assertThat(FileKind.detect(file("backup.dump", custom))).isEqualTo(FileKind.PG_DUMP_CUSTOM);
        assertThat(FileKind.detect(file("backup.dump.gz", gzip(custom)))).isEqualTo(FileKind.GZIP_PG_DUMP_CUSTOM);
        Path folder = Files.createDirectory(dir.resolve("backup.dir"));
        Files.write(folder.resolve("toc.dat"), PgArchiveHeaderTest.header(14, 0, PgArchiveHeader.FORMAT_DIRECTORY, "15.18"));
        assertThat(FileKind.detect(folder)).isEqualTo(FileKind.PG_DUMP_DIRECTORY);
        assertThat(FileKind.detect(folder.resolve("toc.dat"))).isEqualTo(FileKind.PG_DUMP_DIRECTORY);
        assertThat(FileKind.detect(file("backup.tar", tar("toc.dat")))).isEqualTo(FileKind.PG_DUMP_TAR);
    }

    @Test
    void recognisesBotdbArchivesOnlyByTheMagicItIsGiven() throws IOException {
        byte[] magic = "BOTDBARC".getBytes(StandardCharsets.US_ASCII);
        Path f = file("app-20261120T020000Z.botdb", "BOTDBARC\0\1\2\3binary".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(FileKind.detect(f, magic)).isEqualTo(FileKind.BOTDB_ARCHIVE);
        assertThat(FileKind.detect(f)).isEqualTo(FileKind.UNKNOWN);
    }

    @Test
    void anythingElseIsUnknownAndTheMessageSaysWhatWasExpected() throws IOException {
        Path binary = file("photo.jpg", new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 0, 0x10, 'J', 'F'});
        assertThat(FileKind.detect(binary)).isEqualTo(FileKind.UNKNOWN);
        assertThatThrownBy(() -> FileKind.requireRestorable(binary, null))
                .isInstanceOf(BotDbException.class)
                .hasMessage(binary + " is not a backup botdb recognises (it starts with the bytes ff d8 ff e0 00 10 4a"
                        + " 46). Expected one of: a botdb archive (botdb backup), plain SQL (pg_dump db > backup.sql),"
                        + " gzip-compressed SQL (pg_dump db | gzip > backup.sql.gz), or a pg_dump custom-format archive"
                        + " (pg_dump -Fc, starting with the bytes PGDMP).")
                .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.BACKUP_INVALID);
        Path empty = file("backup-20260106.sql.gz", new byte[0]);
        assertThat(FileKind.detect(empty)).isEqualTo(FileKind.UNKNOWN);
        assertThatThrownBy(() -> FileKind.requireRestorable(empty, null))
                .hasMessageStartingWith(empty + " is empty, not a backup: the backup that wrote it probably failed.");
        assertThat(FileKind.detect(file("other.tar", tar("etc/passwd")))).isEqualTo(FileKind.UNKNOWN);
        assertThat(FileKind.detect(file("empty.sql.gz", gzip(new byte[0])))).isEqualTo(FileKind.UNKNOWN);
    }

    @Test
    void refusedFormatsSayHowToRestoreThemInstead() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("dumpdir"));
        Files.write(folder.resolve("toc.dat"), PgArchiveHeaderTest.header(14, 0, PgArchiveHeader.FORMAT_DIRECTORY, "15.18"));
        assertThatThrownBy(() -> FileKind.requireRestorable(folder, null))
                .hasMessageContaining("is a pg_dump directory-format archive (-Fd)")
                .hasMessageContaining("pg_restore -f backup.sql " + folder);
        Path tarFile = file("backup.tar", tar("toc.dat"));
        assertThatThrownBy(() -> FileKind.requireRestorable(tarFile, null))
                .hasMessageContaining("is a pg_dump tar-format archive (-Ft)");
        Path gz = file("backup.dump.gz", gzip(PgArchiveHeaderTest.header(14, 0, 1, "15.18")));
        assertThatThrownBy(() -> FileKind.requireRestorable(gz, null))
                .hasMessageContaining("Run: gunzip -k " + gz);
        assertThat(FileKind.requireRestorable(file("ok.sql", SQL.getBytes(StandardCharsets.UTF_8)), null))
                .isEqualTo(FileKind.PLAIN_SQL);
    }
}
