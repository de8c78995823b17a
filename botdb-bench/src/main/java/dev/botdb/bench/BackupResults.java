package dev.botdb.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The backup benchmark's times and archive sizes, one sample per run, their medians and the targets. */
final class BackupResults {

    /** One timed thing. */
    enum Measurement {
        PG_DUMP("pg_dump -Fc: backup"),
        BOTDB_BACKUP("botdb: backup"),
        PG_RESTORE("pg_restore -j 2: restore into an empty database"),
        BOTDB_RESTORE("botdb: restore into an empty database"),
        BOTDB_VERIFY("botdb: verify the backup");

        final String label;

        Measurement(String label) {
            this.label = label;
        }

        /** True for the measurements only botdb's side produces. */
        boolean botdb() {
            return name().startsWith("BOTDB");
        }
    }

    /** "{@code numerator} takes at most {@code limit} x {@code denominator}'s time", on medians. */
    record Target(String name, Measurement numerator, Measurement denominator, double limit) {
    }

    static final List<Target> TIME_TARGETS = List.of(
            new Target("backup time: botdb / pg_dump -Fc", Measurement.BOTDB_BACKUP, Measurement.PG_DUMP, 0.5),
            new Target("restore time: botdb / pg_restore -j 2", Measurement.BOTDB_RESTORE, Measurement.PG_RESTORE, 0.7),
            new Target("verify time: botdb verify / botdb restore", Measurement.BOTDB_VERIFY, Measurement.BOTDB_RESTORE, 1.5));
    static final String SIZE_TARGET = "archive size: botdb / pg_dump -Fc";
    static final double SIZE_LIMIT = 1.1;

    private final Map<Measurement, List<Long>> nanos = new EnumMap<>(Measurement.class);
    private final List<Long> pgDumpBytes = new ArrayList<>();
    private final List<Long> botdbBytes = new ArrayList<>();

    BackupResults() {
        for (Measurement m : Measurement.values()) {
            nanos.put(m, new ArrayList<>());
        }
    }

    void add(Measurement m, long elapsedNanos) {
        nanos.get(m).add(elapsedNanos);
    }

    void archiveSizes(long pgDump, long botdb) {
        if (pgDump >= 0) {
            pgDumpBytes.add(pgDump);
        }
        if (botdb >= 0) {
            botdbBytes.add(botdb);
        }
    }

    /** True when {@code m} was measured (botdb's side is left out with --peers-only). */
    boolean has(Measurement m) {
        return !nanos.get(m).isEmpty();
    }

    int runs() {
        return nanos.get(Measurement.PG_DUMP).size();
    }

    double runMs(Measurement m, int run) {
        List<Long> l = nanos.get(m);
        return run < l.size() ? l.get(run) / 1e6 : Double.NaN;
    }

    double medianMs(Measurement m) {
        return Results.median(nanos.get(m)) / 1e6;
    }

    double minMs(Measurement m) {
        return nanos.get(m).stream().mapToLong(Long::longValue).min().orElseThrow() / 1e6;
    }

    double maxMs(Measurement m) {
        return nanos.get(m).stream().mapToLong(Long::longValue).max().orElseThrow() / 1e6;
    }

    double ratio(Target t) {
        return medianMs(t.numerator()) / medianMs(t.denominator());
    }

    boolean measured(Target t) {
        return has(t.numerator()) && has(t.denominator());
    }

    boolean passes(Target t) {
        return ratio(t) <= t.limit();
    }

    double pgDumpBytes() {
        return Results.median(pgDumpBytes);
    }

    double botdbBytes() {
        return botdbBytes.isEmpty() ? Double.NaN : Results.median(botdbBytes);
    }

    long pgDumpBytes(int run) {
        return run < pgDumpBytes.size() ? pgDumpBytes.get(run) : -1;
    }

    long botdbBytes(int run) {
        return run < botdbBytes.size() ? botdbBytes.get(run) : -1;
    }

    double sizeRatio() {
        return botdbBytes() / pgDumpBytes();
    }

    boolean sizePasses() {
        return sizeRatio() <= SIZE_LIMIT;
    }

    /** True when every target was measured and met. */
    boolean allPass() {
        return !botdbBytes.isEmpty() && sizePasses()
                && TIME_TARGETS.stream().allMatch(t -> measured(t) && passes(t));
    }

    /** The plain-text table printed at the end of a run. */
    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-50s %6s %10s %10s %10s%n", "measurement", "runs", "median s", "min s",
                "max s"));
        for (Measurement m : Measurement.values()) {
            if (has(m)) {
                sb.append(String.format(Locale.ROOT, "%-50s %6d %10.2f %10.2f %10.2f%n", m.label, nanos.get(m).size(),
                        medianMs(m) / 1e3, minMs(m) / 1e3, maxMs(m) / 1e3));
            }
        }
        sb.append(String.format(Locale.ROOT, "%n%-50s %,14.0f bytes%n", "archive: pg_dump -Fc", pgDumpBytes()));
        if (!botdbBytes.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%-50s %,14.0f bytes%n", "archive: botdb", botdbBytes()));
        }
        sb.append('\n');
        for (Target t : TIME_TARGETS) {
            sb.append(measured(t)
                    ? String.format(Locale.ROOT, "%-50s %10.3f  target <= %.2f  %s%n", t.name(), ratio(t), t.limit(),
                            passes(t) ? "PASS" : "FAIL")
                    : String.format(Locale.ROOT, "%-50s %10s  target <= %.2f  not measured%n", t.name(), "-", t.limit()));
        }
        sb.append(!botdbBytes.isEmpty()
                ? String.format(Locale.ROOT, "%-50s %10.3f  target <= %.2f  %s%n", SIZE_TARGET, sizeRatio(), SIZE_LIMIT,
                        sizePasses() ? "PASS" : "FAIL")
                : String.format(Locale.ROOT, "%-50s %10s  target <= %.2f  not measured%n", SIZE_TARGET, "-", SIZE_LIMIT));
        return sb.toString();
    }
}
