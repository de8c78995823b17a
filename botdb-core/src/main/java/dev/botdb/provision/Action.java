package dev.botdb.provision;

/**
 * One thing {@code botdb provision} set up, or found already in place.
 *
 * @param subject what it is about, e.g. {@code role bot} or {@code CONNECT on database mybot for bot}
 * @param outcome created, changed (granted, revoked, owner set) or unchanged
 * @param sql     the statement it ran (or would run), passwords masked; null when unchanged
 * @param note    what the operator should know about it, or null
 */
public record Action(String subject, Outcome outcome, String sql, String note) {

    /** What happened to the subject. */
    public enum Outcome { CREATED, CHANGED, UNCHANGED }

    /** One report line: {@code role bot: created}, {@code database mybot: exists, unchanged}, or with "would". */
    public String describe(boolean dryRun) {
        String what = switch (outcome) {
            case CREATED -> dryRun ? "would be created" : "created";
            case CHANGED -> dryRun ? "would be applied" : "applied";
            case UNCHANGED -> "exists, unchanged";
        };
        return subject + ": " + what + (note == null ? "" : " (" + note + ")");
    }
}
