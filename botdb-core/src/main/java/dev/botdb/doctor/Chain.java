package dev.botdb.doctor;

import dev.botdb.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The links of one doctor run as they are checked. The walk stops at the first problem; the
 * links never reached are then reported as skipped, naming the link that failed first.
 */
final class Chain {
    private final List<String> links;
    private final List<DoctorCheck> checks = new ArrayList<>();

    Chain(List<String> links) {
        this.links = List.copyOf(links);
    }

    void ok(String name, String detail) {
        add(DoctorCheck.ok(name, detail));
    }

    void problem(String name, String detail, String fix, ErrorCode code) {
        add(DoctorCheck.problem(name, detail, fix, code));
    }

    /** A link that does not apply, or could not be reached without being broken itself. */
    void skip(String name, String detail) {
        add(DoctorCheck.skipped(name, detail));
    }

    private void add(DoctorCheck check) {
        if (broken().isPresent()) {
            throw new IllegalStateException(check.name() + " checked after " + broken().get().name() + " failed");
        }
        checks.add(check);
    }

    Optional<DoctorCheck> broken() {
        return checks.stream().filter(c -> c.status() == DoctorCheck.Status.PROBLEM).findFirst();
    }

    boolean done(String name) {
        return checks.stream().anyMatch(c -> c.name().equals(name));
    }

    /** Every link in order: those checked, then the rest as skipped. */
    List<DoctorCheck> finish() {
        String why = broken().map(p -> "not checked: " + p.name() + " failed first").orElse("not checked");
        List<DoctorCheck> all = new ArrayList<>(checks);
        for (String link : links) {
            if (!done(link)) {
                all.add(DoctorCheck.skipped(link, why));
            }
        }
        return all;
    }
}
