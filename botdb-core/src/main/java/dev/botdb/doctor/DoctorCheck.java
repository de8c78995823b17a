package dev.botdb.doctor;

import dev.botdb.ErrorCode;

/**
 * One link of the chain {@code botdb doctor} walks, and what it found.
 *
 * @param name   the link, e.g. {@code authentication}
 * @param status ok, problem, or skipped (not checked: an earlier link is broken, or it does not apply)
 * @param detail what was found (never a password)
 * @param fix    for a problem, what to do; otherwise null
 * @param code   for a problem, the error code whose exit code {@code botdb doctor} returns; otherwise null
 */
public record DoctorCheck(String name, Status status, String detail, String fix, ErrorCode code) {

    /** What a link's check found. */
    public enum Status { OK, PROBLEM, SKIPPED }

    static DoctorCheck ok(String name, String detail) {
        return new DoctorCheck(name, Status.OK, detail, null, null);
    }

    static DoctorCheck problem(String name, String detail, String fix, ErrorCode code) {
        return new DoctorCheck(name, Status.PROBLEM, detail, fix, code);
    }

    static DoctorCheck skipped(String name, String detail) {
        return new DoctorCheck(name, Status.SKIPPED, detail, null, null);
    }

    /** {@code ok}, {@code problem} or {@code skipped}. */
    public String statusWord() {
        return status.name().toLowerCase(java.util.Locale.ROOT);
    }
}
