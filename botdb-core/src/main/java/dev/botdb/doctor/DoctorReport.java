package dev.botdb.doctor;

import java.util.List;
import java.util.Optional;

/**
 * What {@link Doctor#run()} found: every link in order, the first broken one with its fix, and
 * everything after it skipped.
 *
 * @param target where the configuration points (never with a password), or what was wrong with it
 * @param engine {@code postgresql}, {@code sqlite}, {@code embedded} or {@code unknown} (configuration invalid)
 * @param checks every link, in the order they were walked
 */
public record DoctorReport(String target, String engine, List<DoctorCheck> checks) {

    public DoctorReport {
        checks = List.copyOf(checks);
    }

    /** The first broken link, if any. */
    public Optional<DoctorCheck> problem() {
        return checks.stream().filter(c -> c.status() == DoctorCheck.Status.PROBLEM).findFirst();
    }

    /** True when no link is broken (skipped links that do not apply are fine). */
    public boolean ok() {
        return problem().isEmpty();
    }

    /** 0 when all is well, else the exit code of the broken link (see the README's Doctor section). */
    public int exitCode() {
        return problem().map(c -> c.code().exitCode()).orElse(0);
    }

    /** The check named {@code name}. */
    public Optional<DoctorCheck> check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** {@code Doctor: all 10 checks ok} or {@code Doctor: authentication is broken (exit 5); 5 later checks skipped}. */
    public String summary() {
        long ok = checks.stream().filter(c -> c.status() == DoctorCheck.Status.OK).count();
        long skipped = checks.stream().filter(c -> c.status() == DoctorCheck.Status.SKIPPED).count();
        return problem().map(p -> "Doctor: " + p.name() + " is broken (exit " + exitCode() + "); " + ok + " ok, "
                        + skipped + " skipped")
                .orElse("Doctor: all " + ok + " checks ok" + (skipped == 0 ? "" : ", " + skipped + " do not apply"));
    }
}
