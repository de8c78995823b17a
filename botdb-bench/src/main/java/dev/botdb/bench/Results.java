package dev.botdb.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The times of every run, their medians, and the targets checked against the medians. */
final class Results {

    /** One timed thing. */
    enum Measurement {
        BOTDB_APPLY("botdb: apply all to an empty database"),
        FLYWAY_APPLY("Flyway: apply all to an empty database"),
        PSQL_APPLY("psql floor: apply all, one transaction per file"),
        BOTDB_NOOP("botdb: startup check, all applied"),
        FLYWAY_NOOP("Flyway: startup check, all applied");

        final String label;

        Measurement(String label) {
            this.label = label;
        }
    }

    /** "{@code numerator} takes at most {@code limit} x {@code denominator}'s time", on medians. */
    record Target(String name, Measurement numerator, Measurement denominator, double limit) {
    }

    static final List<Target> TARGETS = List.of(
            new Target("apply: botdb / Flyway", Measurement.BOTDB_APPLY, Measurement.FLYWAY_APPLY, 0.5),
            new Target("apply: botdb / psql floor", Measurement.BOTDB_APPLY, Measurement.PSQL_APPLY, 1.3),
            new Target("startup check: botdb / Flyway", Measurement.BOTDB_NOOP, Measurement.FLYWAY_NOOP, 0.25));

    private final int migrations;
    /** Per measurement, per run, the samples of that run (one apply; several startup checks). */
    private final Map<Measurement, List<List<Long>>> nanos = new EnumMap<>(Measurement.class);

    Results(int migrations) {
        this.migrations = migrations;
        for (Measurement m : Measurement.values()) {
            nanos.put(m, new ArrayList<>());
        }
    }

    void add(int run, Measurement m, long elapsedNanos) {
        List<List<Long>> runs = nanos.get(m);
        while (runs.size() <= run) {
            runs.add(new ArrayList<>());
        }
        runs.get(run).add(elapsedNanos);
    }

    /** The median of one run's samples, in ms. */
    double runMs(Measurement m, int run) {
        return median(nanos.get(m).get(run)) / 1e6;
    }

    /** How many samples each run took of {@code m}. */
    int samplesPerRun(Measurement m) {
        return nanos.get(m).isEmpty() ? 0 : nanos.get(m).get(0).size();
    }

    double medianMs(Measurement m) {
        return median(all(m)) / 1e6;
    }

    double minMs(Measurement m) {
        return all(m).stream().mapToLong(Long::longValue).min().orElseThrow() / 1e6;
    }

    double maxMs(Measurement m) {
        return all(m).stream().mapToLong(Long::longValue).max().orElseThrow() / 1e6;
    }

    private List<Long> all(Measurement m) {
        return nanos.get(m).stream().flatMap(List::stream).toList();
    }

    static double median(List<Long> samples) {
        List<Long> sorted = new ArrayList<>(samples);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }

    double ratio(Target t) {
        return medianMs(t.numerator()) / medianMs(t.denominator());
    }

    boolean passes(Target t) {
        return ratio(t) <= t.limit();
    }

    int migrations() {
        return migrations;
    }

    int runCount() {
        return nanos.get(Measurement.BOTDB_APPLY).size();
    }

    /** "5 runs" or "5 runs x 5" for a measurement sampled several times per run. */
    String samples(Measurement m) {
        int k = samplesPerRun(m);
        return k <= 1 ? String.valueOf(runCount()) : runCount() + " x " + k;
    }

    /** The plain-text table printed at the end of a run. */
    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-50s %8s %10s %10s %10s %12s%n", "measurement (" + migrations
                + " migrations)", "samples", "median ms", "min ms", "max ms", "ms/migration"));
        for (Measurement m : Measurement.values()) {
            sb.append(String.format(Locale.ROOT, "%-50s %8s %10.1f %10.1f %10.1f %12.3f%n", m.label, samples(m), medianMs(m),
                    minMs(m), maxMs(m), medianMs(m) / migrations));
        }
        sb.append('\n');
        for (Target t : TARGETS) {
            sb.append(String.format(Locale.ROOT, "%-50s %10.3f  target <= %.2f  %s%n", t.name(), ratio(t), t.limit(),
                    passes(t) ? "PASS" : "FAIL"));
        }
        return sb.toString();
    }
}
