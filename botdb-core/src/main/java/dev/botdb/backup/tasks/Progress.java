package dev.botdb.backup.tasks;

import dev.botdb.text.Human;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Progress of a long copy: tables done, bytes, rate. On a terminal one line is redrawn in place;
 * in logs a summary line every 10 seconds and one at the end.
 */
public final class Progress {
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;

    private final String what;
    private final int tables;
    private final Consumer<String> log;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private volatile long lastLine = System.nanoTime();

    private Progress(String what, int tables, Consumer<String> log, boolean terminal) {
        this.what = what;
        this.tables = tables;
        this.log = log;
        this.terminal = terminal;
    }

    public static Progress start(String what, int tables, Consumer<String> log) {
        return new Progress(what, tables, log, System.console() != null && System.getenv("BOTDB_NO_PROGRESS") == null);
    }

    public void tableDone(long tableBytes) {
        int d = done.incrementAndGet();
        long b = bytes.addAndGet(tableBytes);
        long now = System.nanoTime();
        if (terminal) {
            synchronized (this) {
                System.err.print("\r" + line(d, b, now) + "   ");
                System.err.flush();
            }
        } else if (now - lastLine >= LOG_EVERY_NANOS) {
            lastLine = now;
            log.accept("[" + what + "] " + line(d, b, now));
        }
    }

    public void finish() {
        if (terminal) {
            System.err.print("\r");
        }
        log.accept("[" + what + "] " + line(done.get(), bytes.get(), System.nanoTime()));
    }

    private String line(int d, long b, long now) {
        double seconds = Math.max(1e-3, (now - start) / 1e9);
        return String.format(Locale.ROOT, "%d/%d tables, %s in %.1f s (%s/s)", d, tables, Human.bytes(b), seconds,
                Human.bytes((long) (b / seconds)));
    }

}
