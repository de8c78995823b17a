package dev.botdb.bench;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Flyway's cold no-op for the cold-start benchmark: a new JVM that finds every migration applied. */
public final class FlywayNoop {
    private FlywayNoop() {
    }

    /** {@code url location}: exits 1 when Flyway applied anything (the database was not up to date). */
    public static void main(String[] args) {
        MigrateResult r = Flyway.configure().dataSource(args[0], "postgres", null).locations(args[1]).load().migrate();
        if (r.migrationsExecuted != 0) {
            System.err.println("Flyway applied " + r.migrationsExecuted);
            System.exit(1);
        }
    }
}
