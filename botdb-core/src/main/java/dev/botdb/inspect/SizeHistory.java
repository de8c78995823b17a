package dev.botdb.inspect;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The database sizes earlier runs saw, for the growth figure: a small JSON file in the state
 * folder ({@code .botdb/inspect-history.json}), one list of samples per database identity
 * ({@code postgresql://user@host:port/db}, never a password; a SQLite file's absolute path).
 * The server keeps no size history of its own, and botdb writes nothing into the inspected database.
 */
final class SizeHistory {
    /** Samples kept per database: a daily run keeps a year. */
    static final int KEPT = 400;

    /** One earlier size. */
    record Sample(Instant at, long bytes) {
    }

    private final Path file;
    private final String key;

    SizeHistory(Path file, String key) {
        this.file = file;
        this.key = key;
    }

    /**
     * Adds {@code bytes} as of now and returns the latest earlier sample, or null the first time.
     *
     * @throws IOException when the file cannot be read or written (the report says so and goes on)
     */
    Sample record(long bytes, Instant now) throws IOException {
        Map<String, Object> all = read();
        List<Object> samples = new ArrayList<>();
        if (all.get(key) instanceof List<?> earlier) {
            samples.addAll(earlier);
        }
        Sample previous = null;
        if (!samples.isEmpty() && samples.get(samples.size() - 1) instanceof Map<?, ?> last) {
            previous = new Sample(Instant.parse(String.valueOf(last.get("at"))),
                    ((Number) last.get("bytes")).longValue());
        }
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("at", now.toString());
        sample.put("bytes", bytes);
        samples.add(sample);
        all.put(key, samples.subList(Math.max(0, samples.size() - KEPT), samples.size()));
        write(all);
        return previous;
    }

    private Map<String, Object> read() throws IOException {
        if (!Files.exists(file)) {
            return new LinkedHashMap<>();
        }
        Map<String, Object> map = JSON.std.mapFrom(Files.readString(file));
        return map == null ? new LinkedHashMap<>() : new LinkedHashMap<>(map);
    }

    private void write(Map<String, Object> all) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".inspect-history", ".tmp");
        try {
            Files.writeString(tmp, JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(all));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    Path file() {
        return file;
    }
}
