package dev.botdb.inspect;

import dev.botdb.inspect.CheckResult.Verdict;
import dev.botdb.text.Human;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of {@code botdb inspect}: one {@link CheckResult} per check, in report order.
 *
 * @param engine   {@code postgresql} or {@code sqlite}
 * @param database the database's identity ({@code postgresql://bot@host:5432/mybot}, never a password; a SQLite path)
 * @param server   {@code PostgreSQL 17.2}, {@code SQLite 3.53.0}
 * @param checks   the results
 * @param duration the whole report
 */
public record InspectReport(String engine, String database, String server, List<CheckResult> checks,
                            Duration duration) {
    public InspectReport {
        checks = List.copyOf(checks);
    }

    public long count(Verdict verdict) {
        return checks.stream().filter(c -> c.verdict() == verdict).count();
    }

    /** True when a check's verdict is "problem": {@code botdb inspect} then exits 20. Warnings do not count. */
    public boolean hasProblems() {
        return count(Verdict.PROBLEM) > 0;
    }

    /** The check of that name, if it ran. */
    public Optional<CheckResult> check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** {@code 22 checks: 15 ok, 2 warn, 1 problem, 4 not applicable (0.42 s)}. */
    public String summary() {
        List<String> parts = new ArrayList<>();
        for (Verdict v : Verdict.values()) {
            long n = count(v);
            if (n > 0) {
                parts.add(n + " " + v.label());
            }
        }
        return Human.plural(checks.size(), "check", "checks") + ": " + String.join(", ", parts) + " ("
                + String.format(java.util.Locale.ROOT, "%.2f s", duration.toMillis() / 1000.0) + ")";
    }
}
