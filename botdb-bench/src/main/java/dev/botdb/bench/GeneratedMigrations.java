package dev.botdb.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The benchmark's input: {@code count} migrations, each a table, an index and three rows, written
 * byte for byte the same under botdb's names ({@code 0001_t.sql}), Flyway's names
 * ({@code V1__t.sql}), and referenced by one psql script that wraps each file in its own
 * transaction.
 *
 * @param count   how many migrations
 * @param botdb   the directory botdb reads
 * @param flyway  the directory Flyway reads
 * @param psql    the script psql runs: {@code BEGIN; \i FILE COMMIT;} per file, nothing else
 */
record GeneratedMigrations(int count, Path botdb, Path flyway, Path psql) {

    /** Writes the files under {@code root} (which must exist and be empty). */
    static GeneratedMigrations write(Path root, int count) throws IOException {
        Path botdb = Files.createDirectory(root.resolve("botdb"));
        Path flyway = Files.createDirectory(root.resolve("flyway"));
        Path psql = root.resolve("apply-all.psql");
        int width = Math.max(4, String.valueOf(count).length());
        StringBuilder script = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            String sql = migration(i, count);
            Path file = botdb.resolve(String.format(Locale.ROOT, "%0" + width + "d_t.sql", i));
            Files.writeString(file, sql);
            Files.writeString(flyway.resolve("V" + i + "__t.sql"), sql);
            // the floor: the same file, one transaction, no history table, no lock, no checksum
            script.append("BEGIN;\n\\i '").append(file.toAbsolutePath()).append("'\nCOMMIT;\n");
        }
        Files.writeString(psql, script);
        return new GeneratedMigrations(count, botdb, flyway, psql);
    }

    /** Migration {@code i}: what a chat bot's schema grows by, one feature table at a time. */
    static String migration(int i, int count) {
        long chat = 1_000_000L + i;
        return """
                -- botdb-bench migration %1$d of %2$d
                CREATE TABLE t_%1$d (
                    id bigserial PRIMARY KEY,
                    chat_id bigint NOT NULL,
                    body text,
                    created_at timestamptz DEFAULT now()
                );
                CREATE INDEX t_%1$d_chat_created_idx ON t_%1$d (chat_id, created_at);
                INSERT INTO t_%1$d (chat_id, body) VALUES
                    (%3$d, 'hello from migration %1$d'),
                    (%4$d, 'second row of %1$d'),
                    (%3$d, 'third row of %1$d');
                """.formatted(i, count, chat, chat + 1);
    }
}
