package dev.botdb.maintain;

import dev.botdb.text.Human;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of one {@code botdb maintain} run.
 *
 * @param operation what ran
 * @param database  where ({@code mybot}, or the SQLite file)
 * @param tables    one result per table, in the order they ran
 * @param notes     what else the operator should know (e.g. leftovers to drop later)
 * @param duration  the whole run
 */
public record MaintainResult(Operation operation, String database, List<TableResult> tables, List<String> notes,
                             Duration duration) {
    public MaintainResult {
        tables = List.copyOf(tables);
        notes = List.copyOf(notes);
    }

    /** True when every table's operation ran to the end. */
    public boolean complete() {
        return tables.stream().allMatch(t -> t.status() == TableResult.Status.DONE);
    }

    public long count(TableResult.Status status) {
        return tables.stream().filter(t -> t.status() == status).count();
    }

    /** {@code Vacuum finished - done: 2, skipped: 1 (0.45 s)}. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        String name = operation.command().replace('-', ' ');
        sb.append(Character.toUpperCase(name.charAt(0))).append(name.substring(1)).append(" finished - done: ")
                .append(count(TableResult.Status.DONE));
        for (TableResult.Status s : TableResult.Status.values()) {
            long n = count(s);
            if (s != TableResult.Status.DONE && n > 0) {
                sb.append(", ").append(s.name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(": ").append(n);
            }
        }
        return sb.append(" (").append(Human.elapsed(duration)).append(")").toString();
    }
}
