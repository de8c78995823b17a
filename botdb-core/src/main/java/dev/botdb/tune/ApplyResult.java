package dev.botdb.tune;

import java.util.List;

/**
 * What {@code botdb tune --apply} did.
 *
 * @param applied      the ALTER SYSTEM statements that ran
 * @param inEffect     settings whose new value the server shows after the reload
 * @param needRestart  settings written to postgresql.auto.conf that take effect at the next restart
 * @param notes        anything that did not take effect, and why
 */
public record ApplyResult(List<String> applied, List<String> inEffect, List<String> needRestart, List<String> notes) {
    public ApplyResult {
        applied = List.copyOf(applied);
        inEffect = List.copyOf(inEffect);
        needRestart = List.copyOf(needRestart);
        notes = List.copyOf(notes);
    }
}
