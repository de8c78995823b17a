package dev.botdb.backup.retention;

import java.util.List;

/**
 * What {@link RetentionPolicy#plan} decided: every backup, newest first, kept or deleted, with
 * the reason.
 *
 * @param decisions one per backup, newest first
 */
public record RetentionPlan(List<Decision> decisions) {

    public RetentionPlan {
        decisions = List.copyOf(decisions);
    }

    /**
     * The fate of one backup.
     *
     * @param backup the backup
     * @param keep   true to keep it, false to delete it
     * @param reason why, e.g. {@code kept: newest of 2026-11-20 (daily 3 of 7)} or
     *               {@code deleted: older than 30 days (age 41d 2h)}
     */
    public record Decision(BackupRef backup, boolean keep, String reason) {
    }

    /** The backups to keep, newest first. */
    public List<BackupRef> kept() {
        return decisions.stream().filter(Decision::keep).map(Decision::backup).toList();
    }

    /** The backups to delete, newest first. */
    public List<BackupRef> deleted() {
        return decisions.stream().filter(d -> !d.keep()).map(Decision::backup).toList();
    }

    /** One line: {@code Retention: keeping 7, deleting 3}. */
    public String summary() {
        return "Retention: keeping " + kept().size() + ", deleting " + deleted().size();
    }
}
