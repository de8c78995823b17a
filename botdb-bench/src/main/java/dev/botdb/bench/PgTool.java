package dev.botdb.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL's own programs (psql, pg_dump, pg_restore) as child processes of a benchmark: the
 * connection travels in the environment (libpq's PGHOST, PGPORT, ...), never in argv, and the
 * embedded server trusts loopback, so no password is involved at all.
 */
final class PgTool {
    private PgTool() {
    }

    /** {@code argv} set up to talk to {@code database} on the local server at {@code port}; its output is discarded. */
    static ProcessBuilder command(int port, String database, List<String> argv) {
        ProcessBuilder pb = new ProcessBuilder(argv)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(false);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("PG"));
        env.put("PGHOST", "localhost");
        env.put("PGPORT", String.valueOf(port));
        env.put("PGUSER", "postgres");
        env.put("PGDATABASE", database);
        env.put("PGAPPNAME", "botdb-bench");
        env.put("PGSSLMODE", "disable");  // the embedded server has no SSL; don't let libpq ask first
        return pb;
    }

    /**
     * Runs the command to its end and returns how long it took, from starting the process to its
     * exit, in nanoseconds; throws with its error output when it fails or prints an error.
     */
    static long run(ProcessBuilder pb, long timeoutMinutes) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process p = pb.start();
        byte[] err = p.getErrorStream().readAllBytes();
        boolean done = p.waitFor(timeoutMinutes, TimeUnit.MINUTES);
        long elapsed = System.nanoTime() - start;
        if (!done) {
            p.destroyForcibly();
            throw new IllegalStateException(pb.command().get(0) + " did not finish in " + timeoutMinutes + " minutes");
        }
        String errors = new String(err, StandardCharsets.UTF_8).strip();
        if (p.exitValue() != 0 || errors.toLowerCase(java.util.Locale.ROOT).contains("error")) {
            throw new IllegalStateException(String.join(" ", pb.command()) + " failed (exit " + p.exitValue() + "): "
                    + errors);
        }
        return elapsed;
    }

    /** {@code program --version}, or why it could not be asked. */
    static String version(String program) {
        return Machine.command(program, "--version");
    }

    /** True when {@code program} runs. */
    static boolean available(String program) {
        return !version(program).startsWith("not found");
    }
}
