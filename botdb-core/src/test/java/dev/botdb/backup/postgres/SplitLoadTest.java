package dev.botdb.backup.postgres;

import dev.botdb.copy.BinaryCopy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.TestPostgres;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/** A big table's COPY data cut into blocks for several connections: whole rows only, nothing lost, nothing twice. */
class SplitLoadTest {
    /** Rows from a few bytes to 2 KB, NULLs, newlines inside values. */
    private static final String ROWS = """
            SELECT g, 'row ' || g || E'\\nsecond line', CASE WHEN g % 3 = 0 THEN NULL ELSE now() END, repeat('x', g * 40)
            FROM generate_series(1, 50) g""";
    private static byte[] binary;
    private static byte[] text;

    @BeforeAll
    static void copyOut() throws Exception {
        try (Connection c = TestPostgres.server().getDatabase("postgres", "postgres").getConnection()) {
            CopyManager copy = new CopyManager(c.unwrap(BaseConnection.class));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            copy.copyOut("COPY (" + ROWS + ") TO STDOUT WITH (FORMAT binary)", out);
            binary = out.toByteArray();
            out.reset();
            copy.copyOut("COPY (" + ROWS + ") TO STDOUT", out);
            text = out.toByteArray();
        }
    }

    @Test
    void binaryBlocksHoldWholeTuplesWithoutTheHeaderAndEndMarker() throws Exception {
        byte[] tuples = Arrays.copyOfRange(binary, BinaryCopy.HEADER.length, binary.length - BinaryCopy.TRAILER.length);
        for (int size : new int[] {1, 7, 19, 64, 1000, 1 << 20}) {
            List<byte[]> blocks = SplitLoad.blocksOf(new ByteArrayInputStream(binary), true, size);

            assertThat(concat(blocks)).as("block size %d", size).isEqualTo(tuples);
            int rows = 0;
            for (byte[] b : blocks) {
                int p = 0;
                while (p < b.length) {
                    int end = BinaryCopy.tupleEnd(b, p, b.length);
                    assertThat(end).as("block size %d: a block ends inside a tuple", size).isPositive();
                    p = end;
                    rows++;
                }
            }
            assertThat(rows).isEqualTo(50);
        }
    }

    @Test
    void textBlocksEndAtRowEnds() throws Exception {
        for (int size : new int[] {1, 7, 19, 64, 1000, 1 << 20}) {
            List<byte[]> blocks = SplitLoad.blocksOf(new ByteArrayInputStream(text), false, size);

            assertThat(concat(blocks)).as("block size %d", size).isEqualTo(text);
            assertThat(blocks).allSatisfy(b -> assertThat(b[b.length - 1]).isEqualTo((byte) '\n'));
        }
    }

    @Test
    void binaryDataThatEndsInsideATupleOrWithoutItsEndMarkerIsRefused() {
        byte[] cutShort = Arrays.copyOf(binary, binary.length - 40);
        byte[] noMarker = Arrays.copyOf(binary, binary.length - BinaryCopy.TRAILER.length);
        for (byte[] damaged : List.of(cutShort, noMarker)) {
            assertThatThrownBy(() -> SplitLoad.blocksOf(new ByteArrayInputStream(damaged), true, 64))
                    .isInstanceOf(IOException.class).hasMessageContaining("the backup is damaged");
        }
        byte[] notBinary = text.clone();
        assertThatThrownBy(() -> SplitLoad.blocksOf(new ByteArrayInputStream(notBinary), true, 64))
                .hasMessageContaining("signature");
    }

    private static byte[] concat(List<byte[]> blocks) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        blocks.forEach(all::writeBytes);
        return all.toByteArray();
    }
}
