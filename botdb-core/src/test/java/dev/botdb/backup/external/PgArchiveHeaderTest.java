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
import java.time.LocalDateTime;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pg_dump archive header, on crafted files: which pg_restore reads which archive format
 * version. The real pg_dump's files are read in {@link PgToolsTest}.
 */
class PgArchiveHeaderTest {

    @TempDir
    Path dir;

    /** Writes a header as pg_dump's WriteHead does, for archive version 1.minor.rev. */
    static byte[] header(int minor, int rev, int format, String pgDumpVersion) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("PGDMP".getBytes(StandardCharsets.US_ASCII));
        out.write(1);
        out.write(minor);
        out.write(rev);
        out.write(4); // intSize
        out.write(8); // offSize
        out.write(format);
        if (minor >= 15) {
            out.write(1); // gzip
        } else {
            writeInt(out, -1); // default zlib level
        }
        int[] tm = {30, 15, 2, 20, 10, 126, 0}; // 2026-11-20 02:15:30
        for (int v : tm) {
            writeInt(out, v);
        }
        writeString(out, "activity_challenge_bot");
        writeString(out, pgDumpVersion);
        writeString(out, pgDumpVersion);
        return out.toByteArray();
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v < 0 ? 1 : 0);
        int abs = Math.abs(v);
        for (int i = 0; i < 4; i++) {
            out.write((abs >> (8 * i)) & 0xff);
        }
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        if (s == null) {
            writeInt(out, -1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeInt(out, b.length);
        out.writeBytes(b);
    }

    private Path file(byte[] content) throws IOException {
        Path f = dir.resolve("crafted.dump");
        Files.write(f, content);
        return f;
    }

    @Test
    void readsEveryFieldOfAnArchiveWrittenByPgDump17() throws IOException {
        PgArchiveHeader h = PgArchiveHeader.read(file(header(16, 0, 1, "17.2")));
        assertThat(h.formatVersion()).isEqualTo("1.16");
        assertThat(h.format()).isEqualTo(PgArchiveHeader.FORMAT_CUSTOM);
        assertThat(h.formatName()).isEqualTo("custom (-Fc)");
        assertThat(h.compression()).isEqualTo("gzip");
        assertThat(h.created()).isEqualTo(LocalDateTime.of(2026, 11, 20, 2, 15, 30));
        assertThat(h.database()).isEqualTo("activity_challenge_bot");
        assertThat(h.serverVersion()).isEqualTo("17.2");
        assertThat(h.pgDumpVersion()).isEqualTo("17.2");
        assertThat(h.writers()).isEqualTo("pg_dump 17 and later");
    }

    @Test
    void readsTheOlderLayoutWithAZlibLevel() throws IOException {
        PgArchiveHeader h = PgArchiveHeader.read(file(header(14, 0, 1, "15.18")));
        assertThat(h.formatVersion()).isEqualTo("1.14");
        assertThat(h.compression()).isEqualTo("gzip");
        assertThat(h.writers()).isEqualTo("pg_dump 12 to 15");
    }

    @Test
    void eachPgRestoreReadsArchivesUpToTheFormatItsOwnReleaseWrites() {
        PgArchiveHeader v14 = new PgArchiveHeader(1, 14, 0, 1, "gzip", null, "db", "15.4", "15.4");
        PgArchiveHeader v15 = new PgArchiveHeader(1, 15, 0, 1, "gzip", null, "db", "16.1", "16.1");
        PgArchiveHeader v16 = new PgArchiveHeader(1, 16, 0, 1, "gzip", null, "db", "18.0", "18.0");
        ToolVersion restore12 = ToolVersion.of(12, 20);
        ToolVersion restore15 = ToolVersion.of(15, 18);
        ToolVersion restore16 = ToolVersion.of(16, 6);
        ToolVersion restore17 = ToolVersion.of(17, 2);
        ToolVersion restore18 = ToolVersion.of(18, 1);
        assertThat(v14.readableBy(restore12)).isTrue();
        assertThat(v14.readableBy(restore15)).isTrue();
        assertThat(v15.readableBy(restore15)).isFalse();
        assertThat(v15.readableBy(restore16)).isTrue();
        assertThat(v16.readableBy(restore16)).isFalse();
        assertThat(v16.readableBy(restore17)).isTrue();
        assertThat(v16.readableBy(restore18)).isTrue();
        // a later revision of the same minor is still read (K_VERS_MAX allows any revision)
        assertThat(new PgArchiveHeader(1, 14, 255, 1, "gzip", null, null, null, null).readableBy(restore15)).isTrue();
        // an archive format newer than botdb knows: only a pg_restore newer than botdb knows may try
        PgArchiveHeader v17 = new PgArchiveHeader(1, 17, 0, 1, "gzip", null, null, null, null);
        assertThat(v17.readableBy(restore18)).isFalse();
        assertThat(v17.readableBy(ToolVersion.of(19, 0))).isTrue();
    }

    @Test
    void theClientNeededIsThePgDumpThatWroteTheFileOrTheFirstReleaseReadingItsFormat() {
        assertThat(new PgArchiveHeader(1, 16, 0, 1, "gzip", null, null, "18.1", "18.1").requiredClientMajor())
                .isEqualTo(18);
        assertThat(new PgArchiveHeader(1, 16, 0, 1, "gzip", null, null, null, null).requiredClientMajor())
                .isEqualTo(17);
        assertThat(new PgArchiveHeader(1, 15, 0, 1, "gzip", null, null, null, null).requiredClientMajor())
                .isEqualTo(16);
    }

    @Test
    void aFileThatIsNotAnArchiveOrEndsInsideTheHeaderIsInvalid() throws IOException {
        assertThatThrownBy(() -> PgArchiveHeader.read(file("-- PostgreSQL database dump".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(BotDbException.class)
                .hasMessageContaining("is not a pg_dump archive: it does not start with PGDMP")
                .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.BACKUP_INVALID);
        byte[] whole = header(14, 0, 1, "15.18");
        Path cut = file(Arrays.copyOf(whole, 20));
        assertThatThrownBy(() -> PgArchiveHeader.read(cut))
                .isInstanceOf(BotDbException.class)
                .hasMessageContaining("is truncated: it ends inside the pg_dump archive header")
                .extracting(e -> ((BotDbException) e).code()).isEqualTo(ErrorCode.BACKUP_INVALID);
    }
}
