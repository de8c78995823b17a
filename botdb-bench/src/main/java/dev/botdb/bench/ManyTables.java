package dev.botdb.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The inspect benchmark's database: many small bot tables, each with a serial primary key and one
 * secondary index (so {@code tables} tables carry {@code 2 x tables} indexes), a few rows, a
 * foreign key on every tenth table, statistics gathered and some tables scanned sequentially, so
 * that every check of {@code botdb inspect} has rows to look at.
 */
final class ManyTables {
    /** Tables created per transaction: each takes a few locks, and one transaction for all would overflow the lock table. */
    private static final int BATCH = 250;

    private ManyTables() {
    }

    /** Creates {@code tables} tables {@code bench_00001 ...} in the database behind {@code ds}. */
    static void generate(DataSource ds, int tables) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            for (int from = 1; from <= tables; from += BATCH) {
                int to = Math.min(tables, from + BATCH - 1);
                st.execute(batch(from, to));
            }
            st.execute("ANALYZE");
            // Sequential scans on a tenth of the tables, index scans on another tenth: the usage checks have figures.
            st.execute("""
                    DO $$
                    BEGIN
                      FOR i IN 1..%d BY 10 LOOP
                        EXECUTE format('SELECT count(*) FROM bench_%%s', lpad(i::text, 5, '0'));
                        EXECUTE format('SELECT * FROM bench_%%s WHERE id = 1', lpad((i + 1)::text, 5, '0'));
                      END LOOP;
                    END $$
                    """.formatted(tables - 1));
        }
    }

    /** One server-side loop creating tables {@code from..to} with their index, rows and (every tenth) foreign key. */
    private static String batch(int from, int to) {
        return """
                DO $$
                DECLARE
                  t text;
                BEGIN
                  FOR i IN %d..%d LOOP
                    t := 'bench_' || lpad(i::text, 5, '0');
                    EXECUTE format($f$
                      CREATE TABLE %%I (
                        id bigserial PRIMARY KEY,
                        chat_id bigint NOT NULL,
                        user_id bigint,
                        body text,
                        created_at timestamptz NOT NULL DEFAULT now()
                      )$f$, t);
                    EXECUTE format('CREATE INDEX ON %%I (chat_id, created_at)', t);
                    EXECUTE format($f$
                      INSERT INTO %%I (chat_id, user_id, body)
                      SELECT g %%%% 7, g, 'message ' || g
                      FROM generate_series(1, 20) g$f$, t);
                    IF i %% 10 = 0 THEN
                      EXECUTE format('ALTER TABLE %%I ADD FOREIGN KEY (user_id) REFERENCES %%I (id)', t,
                                     'bench_' || lpad((i - 1)::text, 5, '0'));
                    END IF;
                  END LOOP;
                END $$
                """.formatted(from, to);
    }
}
