package dev.botdb.backup.tasks;

import dev.botdb.text.Human;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Progress of a long copy: tables done, bytes, rate. On a terminal one line is redrawn in place;
 * in logs a summary line every 10 seconds and one at the end.
 */
public final class Progress {

    private final String what;
    private final int tables;
    private final Consumer<String> log;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();

    private Progress(String what, int tables, Consumer<String> log, boolean terminal) {
        this.what = what;
        this.tables = tables;
        this.log = log;
        this.terminal = terminal;
    }

    /** Set by the CLI's --no-progress for this process. */
    private static volatile boolean switchedOff;

    public static Progress start(String what, int tables, Consumer<String> log) {
        return new Progress(what, tables, log, shown());
    }

    /** botdb --no-progress: no running line, whatever stderr is. */
    public static void switchOff(boolean off) {
        switchedOff = off;
    }

    /**
     * A running line only for a person watching: stderr is a terminal, and neither --no-progress
     * nor BOTDB_NO_PROGRESS says otherwise. (System.console() answers for stdin and stdout, and on
     * newer JDKs is never null, so it cannot tell.)
     */
    static boolean shown() {
        return !switchedOff && System.getenv("BOTDB_NO_PROGRESS") == null && stderrIsTerminal();
    }

    /** Whether a command should redraw a running line on stderr (a terminal, and progress not switched off). */
    public static boolean runningLine() {
        return shown();
    }

    /** Where file descriptor 2 points: a terminal is /dev/pts/N or /dev/ttyN; a file, pipe or socket is not. */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false; // no /proc (not Linux): no running line rather than escape codes in a log
        }
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
        }
    }

    public void finish() {
        if (terminal) {
            System.err.print("\r\033[K"); // the running line gives way to the summary
        }
        log.accept("[" + what + "] " + line(done.get(), bytes.get(), System.nanoTime()));
    }

    private String line(int d, long b, long now) {
        double seconds = Math.max(1e-3, (now - start) / 1e9);
        return String.format(Locale.ROOT, "%d/%d tables, %s in %.1f s (%s/s)", d, tables, Human.bytes(b), seconds,
                Human.bytes((long) (b / seconds)));
    }

}
