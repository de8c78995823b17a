package dev.botdb.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.botdb.config.Setting;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;

/** Plain-text tables and JSON for the commands' output. */
final class Printer {
    private Printer() {
    }

    /** name, value and source in aligned columns. */
    static void settings(PrintStream out, List<Setting> rows) {
        int name = rows.stream().mapToInt(r -> r.name().length()).max().orElse(0);
        int value = rows.stream().mapToInt(r -> r.value().length()).max().orElse(0);
        value = Math.min(value, 48);
        for (Setting r : rows) {
            out.printf("  %-" + name + "s  %-" + value + "s  (%s)%n", r.name(), r.value(), r.source());
        }
    }

    /** As {@link #json}, keeping keys whose value is null (rows of a query: every column, always). */
    static String jsonWithNulls(Object value) {
        try {
            return JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT, JSON.Feature.WRITE_NULL_PROPERTIES).asString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String json(Object value) {
        try {
            return JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
