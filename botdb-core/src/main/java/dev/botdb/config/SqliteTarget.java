package dev.botdb.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A SQLite database: a file, or an in-memory database when {@code path} is null.
 *
 * @param path   the database file, relative paths resolved against the working directory
 * @param source the variable the path came from
 */
public record SqliteTarget(Path path, String source) implements ConnectionTarget {

    public boolean inMemory() {
        return path == null;
    }

    @Override
    public Engine engine() {
        return Engine.SQLITE;
    }

    @Override
    public String displayName() {
        return inMemory() ? "sqlite::memory:" : "sqlite:" + path;
    }

    @Override
    public List<Setting> describe() {
        List<Setting> rows = new ArrayList<>();
        rows.add(new Setting("engine", "sqlite", source));
        rows.add(new Setting("path", inMemory() ? ":memory:" : path.toAbsolutePath().normalize().toString(), source));
        return rows;
    }
}
