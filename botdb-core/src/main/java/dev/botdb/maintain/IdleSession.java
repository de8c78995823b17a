package dev.botdb.maintain;

import dev.botdb.text.Human;
import java.time.Duration;

/**
 * One session {@code kill-idle} found, and what became of it.
 *
 * @param pid         the server process
 * @param user        its role
 * @param application its {@code application_name}
 * @param client      address:port, {@code local socket}, or null when hidden
 * @param state       {@code idle}, {@code idle in transaction}, ...; null when the server hides it from this role
 * @param idleFor     since its last statement ended; null when hidden
 * @param lastQuery   its last statement, one line, abbreviated, passwords masked; null when hidden
 * @param outcome     what was done
 * @param note        why not, and what would allow it
 */
public record IdleSession(int pid, String user, String application, String client, String state, Duration idleFor,
                          String lastQuery, Outcome outcome, String note) {

    /** What became of the session. */
    public enum Outcome {
        /** Terminated. */
        ENDED,
        /** Dry run: would be terminated. */
        WOULD_END,
        /** The connected role may not end it. */
        NOT_ALLOWED,
        /** It had started a statement again by the time it was to be ended, so it was left alone. */
        BUSY_AGAIN,
        /** It had already gone. */
        GONE,
        /** Another role's session whose state the server does not show to this role. */
        HIDDEN
    }

    /** One line for the report. */
    public String describe() {
        if (outcome == Outcome.HIDDEN) {
            return "pid " + pid + ": user " + user + ", application '" + application + "': " + note;
        }
        String what = switch (outcome) {
            case ENDED -> "ended";
            case WOULD_END -> "would end";
            case NOT_ALLOWED -> "not allowed";
            case BUSY_AGAIN -> "left alone";
            case GONE -> "gone";
            case HIDDEN -> "hidden";
        };
        return "pid " + pid + " " + what + ": user " + user + ", application '" + application + "', client " + client
                + ", " + state + " for " + Human.elapsed(idleFor) + ", last query: "
                + (lastQuery == null || lastQuery.isEmpty() ? "(none)" : lastQuery)
                + (note == null ? "" : " (" + note + ")");
    }
}
