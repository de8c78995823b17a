package dev.botdb.maintain;

import dev.botdb.text.Human;
import java.util.List;

/**
 * The outcome of {@code botdb maintain kill-idle}.
 *
 * @param database  the database whose sessions were considered (no other database's are ever touched)
 * @param ownPid    the session that did the work, never ended
 * @param request   what was asked
 * @param sessions  every idle session older than the threshold, and hidden sessions of other roles
 * @param notes     the GRANTs that would allow what was not allowed
 */
public record KillIdleResult(String database, int ownPid, KillIdleRequest request, List<IdleSession> sessions,
                             List<String> notes) {
    public KillIdleResult {
        sessions = List.copyOf(sessions);
        notes = List.copyOf(notes);
    }

    public long count(IdleSession.Outcome outcome) {
        return sessions.stream().filter(s -> s.outcome() == outcome).count();
    }

    /** True unless a session that should have ended could not be ended for lack of rights. */
    public boolean complete() {
        return count(IdleSession.Outcome.NOT_ALLOWED) == 0;
    }

    /** {@code Ended 2 sessions idle for more than 5 min in mybot; not allowed: 1}. */
    public String summary() {
        StringBuilder sb = new StringBuilder(request.dryRun() ? "Would end " : "Ended ");
        sb.append(Human.plural(count(request.dryRun() ? IdleSession.Outcome.WOULD_END : IdleSession.Outcome.ENDED),
                "session", "sessions"));
        sb.append(" idle").append(request.idleInTransaction() ? " (or idle in transaction)" : "")
                .append(" for more than ").append(MaintenanceText.timeout(request.olderThan())).append(" in ").append(database);
        for (IdleSession.Outcome o : List.of(IdleSession.Outcome.NOT_ALLOWED, IdleSession.Outcome.BUSY_AGAIN,
                IdleSession.Outcome.GONE, IdleSession.Outcome.HIDDEN)) {
            if (count(o) > 0) {
                sb.append("; ").append(switch (o) {
                    case NOT_ALLOWED -> "not allowed";
                    case BUSY_AGAIN -> "busy again, left alone";
                    case GONE -> "already gone";
                    default -> "hidden from this role";
                }).append(": ").append(count(o));
            }
        }
        return sb.toString();
    }
}
