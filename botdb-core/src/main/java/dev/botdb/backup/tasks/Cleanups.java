package dev.botdb.backup.tasks;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What a running operation must undo if the JVM is stopped by SIGTERM (or SIGINT): the one place
 * botdb's shutdown hook looks. An operation registers its cleanup (end a child process, delete a
 * pass file, undo a half-done restore) before it starts the work and closes the handle when the
 * work is done; on SIGTERM the hook runs what is still registered, newest first, and waits for it
 * at most {@link #WAIT_MILLIS} before the JVM exits (exit status 143 for SIGTERM, 130 for SIGINT).
 * SIGKILL skips all of this: what such a run leaves is found by the next run instead.
 */
public final class Cleanups {
    /** How long the hook waits for the cleanups (a restore's undo may restore a safety backup). */
    public static final long WAIT_MILLIS = 120_000;

    private static final Deque<Handle> PENDING = new ArrayDeque<>();
    private static boolean hooked;

    private Cleanups() {
    }

    /** A registered cleanup; {@link #close()} unregisters it once the work it guards is done. */
    public static final class Handle implements AutoCloseable {
        private final String what;
        private final Runnable action;

        private Handle(String what, Runnable action) {
            this.what = what;
            this.action = action;
        }

        @Override
        public void close() {
            synchronized (PENDING) {
                PENDING.remove(this);
            }
        }
    }

    /** Registers {@code action} (described by {@code what}, for the message when it fails) to run on SIGTERM. */
    public static Handle register(String what, Runnable action) {
        Handle h = new Handle(what, action);
        synchronized (PENDING) {
            if (!hooked) {
                Runtime.getRuntime().addShutdownHook(new Thread(Cleanups::runAll, "botdb-cleanup"));
                hooked = true;
            }
            PENDING.push(h);
        }
        return h;
    }

    /**
     * Names a process so a later run can tell whether it is still there: {@code what} of pid N
     * started T on HOST (the start time so that a reused pid does not match).
     */
    public static String mark(String what, ProcessHandle p) {
        return what + " of pid " + p.pid() + " started " + p.info().startInstant().map(Object::toString).orElse("?")
                + " on " + host();
    }

    /** True when {@code text} starts with a {@link #mark} of {@code what} by a process of this host that is gone. */
    public static boolean leftByGoneProcess(String text, String what) {
        if (text == null) {
            return false;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(what)
                + " of pid (\\d+) started \\S+ on (\\S+?)(;.*)?", java.util.regex.Pattern.DOTALL).matcher(text);
        if (!m.matches() || !m.group(2).equals(host())) {
            return false;
        }
        String mark = text.substring(0, m.end(2));
        return ProcessHandle.of(Long.parseLong(m.group(1))).map(p -> !mark(what, p).equals(mark)).orElse(true);
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    private static void runAll() {
        List<Handle> todo;
        synchronized (PENDING) {
            todo = new ArrayList<>(PENDING);
            PENDING.clear();
        }
        if (todo.isEmpty()) {
            return;
        }
        Thread worker = new Thread(() -> {
            for (Handle h : todo) {
                try {
                    h.action.run();
                } catch (RuntimeException e) {
                    System.err.println("botdb: stopped, and " + h.what + " failed: " + e.getMessage());
                }
            }
        }, "botdb-cleanup-worker");
        worker.start();
        try {
            worker.join(WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            System.err.println("botdb: stopped before the cleanup finished (" + todo.get(0).what + ")");
        }
    }
}
