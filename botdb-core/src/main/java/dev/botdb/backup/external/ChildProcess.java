package dev.botdb.backup.external;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.tasks.Cleanups;
import dev.botdb.config.Redaction;
import dev.botdb.config.Secret;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs one PostgreSQL client program to its end: feeds its standard input (if any), keeps what it
 * writes to standard error with passwords masked, and throws its standard output away (pg_dump
 * and pg_restore write to files or the server; psql's query results are not wanted).
 */
final class ChildProcess {
    /** Lines of standard error kept from the start and from the end; the error is usually last. */
    private static final int HEAD_LINES = 40;
    private static final int TAIL_LINES = 100;
    private static final int FEED_BUFFER = 64 * 1024;
    /** Bytes of standard input kept from the start and the end, for {@link InputCheck}. */
    static final int EDGE_BYTES = 4096;

    private ChildProcess() {
    }

    /**
     * Decides, once the whole input has been read but before the child sees its end, whether the
     * input is complete. Returning a problem kills the child, so that a psql running
     * {@code --single-transaction} never commits a truncated script.
     */
    @FunctionalInterface
    interface InputCheck {
        /** A description of what is wrong with the input, or empty when it is complete. */
        Optional<String> problem(byte[] head, byte[] tail);
    }

    /**
     * How a run ended.
     *
     * @param exitCode     the child's exit code (negative when botdb killed it)
     * @param stderr       what it wrote to standard error, passwords masked, long output shortened
     * @param elapsed      wall time
     * @param inputProblem why botdb stopped the child because its input was unusable, or null
     */
    record Outcome(int exitCode, List<String> stderr, Duration elapsed, String inputProblem) {

        boolean succeeded() {
            return exitCode == 0 && inputProblem == null;
        }

        /** Standard error as one block, for an error message. */
        String stderrText() {
            return stderr.isEmpty() ? "(no output on standard error)" : String.join("\n", stderr);
        }
    }

    /**
     * Runs {@code command} with exactly the variables {@code env}.
     *
     * @param stdin  what to feed to standard input, or null for none ({@code /dev/null})
     * @param check  checked at the end of {@code stdin}; ignored without input
     * @param secret a password to mask wherever the child repeats it, or null
     */
    static Outcome run(List<String> command, Map<String, String> env, InputStream stdin, InputCheck check,
                       Secret secret) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        long started = System.nanoTime();
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.TOOL_MISSING, "Could not start " + command.get(0) + ": "
                    + e.getMessage() + ". Check that the file exists and is executable.", e);
        }
        StderrCollector errors = new StderrCollector(process.getErrorStream(), secret);
        Thread errorThread = daemon(errors, "botdb-stderr-" + process.pid());
        Cleanups.Handle onStop = Cleanups.register("ending " + command.get(0), () -> end(process));
        Feeder feeder = stdin == null ? null : new Feeder(stdin, process, check);
        Thread feederThread = feeder == null ? null : daemon(feeder, "botdb-stdin-" + process.pid());
        try {
            int exit = process.waitFor();
            if (feederThread != null) {
                feederThread.join();
            }
            errorThread.join();
            String problem = feeder == null ? null : feeder.problem;
            return new Outcome(problem != null && exit == 0 ? -1 : exit, errors.lines(),
                    Duration.ofNanos(System.nanoTime() - started), problem);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BotDbException(ErrorCode.BACKUP_FAILED, command.get(0) + " was stopped: botdb was interrupted.", e);
        } finally {
            onStop.close();
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    /** On SIGTERM: asks the child to stop (it cleans up), then kills it if it has not within 5 s. */
    private static void end(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Reads standard error line by line, keeping the first and last lines, masked. */
    private static final class StderrCollector implements Runnable {
        private final InputStream in;
        private final Secret secret;
        private final List<String> head = new ArrayList<>();
        private final Deque<String> tail = new ArrayDeque<>();
        private long skipped;

        StderrCollector(InputStream in, Secret secret) {
            this.in = in;
            this.secret = secret;
        }

        @Override
        public void run() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    add(mask(line, secret));
                }
            } catch (IOException e) {
                add("(could not read the rest of standard error: " + e.getMessage() + ")");
            }
        }

        private synchronized void add(String line) {
            if (head.size() < HEAD_LINES) {
                head.add(line);
                return;
            }
            tail.addLast(line);
            if (tail.size() > TAIL_LINES) {
                tail.removeFirst();
                skipped++;
            }
        }

        synchronized List<String> lines() {
            List<String> all = new ArrayList<>(head);
            if (skipped > 0) {
                all.add("... (" + skipped + " lines left out) ...");
            }
            all.addAll(tail);
            return List.copyOf(all);
        }
    }

    /** Masks connection URLs, password=... parameters and the password itself. */
    static String mask(String line, Secret secret) {
        String masked = Redaction.maskUrl(line);
        if (secret != null && !secret.reveal().isEmpty()) {
            masked = masked.replace(secret.reveal(), Secret.MASK);
        }
        return masked;
    }

    /**
     * Copies the input into the child. On a failure of the input itself (a corrupt gzip stream,
     * a truncated dump) it kills the child before closing its standard input, so the child never
     * sees a clean end of a partial script.
     */
    private static final class Feeder implements Runnable {
        private final InputStream source;
        private final Process process;
        private final InputCheck check;
        private final byte[] head = new byte[EDGE_BYTES];
        private int headLength;
        private final byte[] ring = new byte[EDGE_BYTES];
        private long total;
        private volatile String problem;

        Feeder(InputStream source, Process process, InputCheck check) {
            this.source = source;
            this.process = process;
            this.check = check;
        }

        @Override
        public void run() {
            OutputStream out = process.getOutputStream();
            byte[] buf = new byte[FEED_BUFFER];
            try (InputStream in = source) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    remember(buf, n);
                    if (!write(out, buf, n)) {
                        return; // the child stopped reading: it failed, and says why on stderr
                    }
                }
                Optional<String> p = check == null ? Optional.empty() : check.problem(head(), tail());
                if (p.isPresent()) {
                    stop(p.get());
                    return;
                }
            } catch (IOException e) {
                stop(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                return;
            }
            closeQuietly(out);
        }

        private void stop(String why) {
            problem = why;
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closeQuietly(process.getOutputStream());
        }

        private static boolean write(OutputStream out, byte[] buf, int n) {
            try {
                out.write(buf, 0, n);
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        private void remember(byte[] buf, int n) {
            int toHead = Math.min(n, EDGE_BYTES - headLength);
            if (toHead > 0) {
                System.arraycopy(buf, 0, head, headLength, toHead);
                headLength += toHead;
            }
            for (int i = Math.max(0, n - EDGE_BYTES); i < n; i++) {
                ring[(int) ((total + i) % EDGE_BYTES)] = buf[i];
            }
            total += n;
        }

        private byte[] head() {
            return java.util.Arrays.copyOf(head, headLength);
        }

        private byte[] tail() {
            int length = (int) Math.min(total, EDGE_BYTES);
            byte[] t = new byte[length];
            for (int i = 0; i < length; i++) {
                t[i] = ring[(int) ((total - length + i) % EDGE_BYTES)];
            }
            return t;
        }

        private static void closeQuietly(OutputStream out) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the child has gone; its exit code and stderr tell what happened
            }
        }
    }
}
