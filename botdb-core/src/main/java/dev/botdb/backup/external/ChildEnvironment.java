package dev.botdb.backup.external;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.tasks.Cleanups;
import dev.botdb.config.PostgresTarget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The environment a PostgreSQL client program runs with: the caller's variables without any
 * inherited {@code PG*} ones, then the target's connection settings as libpq variables, and the
 * password in a pass file of its own (https://www.postgresql.org/docs/current/libpq-envars.html).
 *
 * <p>Nothing secret goes on the command line, where {@code ps} and {@code /proc/PID/cmdline}
 * show it to every user, nor into {@code PGPASSWORD}, which {@code /proc/PID/environ} keeps for
 * the life of the process: the pass file is created readable by its owner only from the first
 * byte on, and deleted by {@link #close()}.
 */
final class ChildEnvironment implements AutoCloseable {
    /** Owner read and write, nothing for group or others: what libpq demands of a pass file. */
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** libpq parameters botdb's configuration carries, with the variable libpq reads each from. */
    private static final Map<String, String> PARAMETER_VARIABLES = Map.of(
            "sslrootcert", "PGSSLROOTCERT",
            "sslcert", "PGSSLCERT",
            "sslkey", "PGSSLKEY",
            "connect_timeout", "PGCONNECT_TIMEOUT",
            "options", "PGOPTIONS");

    private final Map<String, String> variables;
    private final Path passFile;
    /** Deletes the pass file on SIGTERM too; a SIGKILLed run's is deleted by the next run's {@link #writePassFile}. */
    private final Cleanups.Handle onStop;

    private ChildEnvironment(Map<String, String> variables, Path passFile) {
        this.variables = Map.copyOf(variables);
        this.passFile = passFile;
        this.onStop = passFile == null ? null : Cleanups.register("deleting " + passFile, () -> deleteQuietly(passFile));
    }

    /**
     * The environment for running {@code tool} against {@code target}.
     *
     * @param inherited the variables the child would otherwise inherit (PATH, HOME, LANG, ...)
     */
    static ChildEnvironment forTarget(Map<String, String> inherited, PostgresTarget target, Tool tool) {
        Map<String, String> env = withoutPgVariables(inherited);
        env.put("PGHOST", target.host());
        env.put("PGPORT", Integer.toString(target.port()));
        env.put("PGDATABASE", target.database());
        env.put("PGUSER", target.user());
        env.put("PGSSLMODE", target.sslMode().value());
        PARAMETER_VARIABLES.forEach((parameter, variable) -> {
            String value = target.parameters().get(parameter);
            if (value != null) {
                env.put(variable, value);
            }
        });
        env.put("PGAPPNAME", target.parameters().getOrDefault("application_name", "botdb") + " " + tool.command());
        Path passFile = null;
        if (target.password() != null) {
            passFile = writePassFile(target.password().reveal());
            env.put("PGPASSFILE", passFile.toString());
        }
        return new ChildEnvironment(env, passFile);
    }

    /**
     * The inherited variables without any {@code PG*} ones or secrets (a stray PGPASSWORD, PGSERVICE or
     * PGOPTIONS must not redirect or alter the connection), with messages in English so that
     * botdb can recognise them, whatever the operator's locale.
     */
    static Map<String, String> withoutPgVariables(Map<String, String> inherited) {
        Map<String, String> env = new HashMap<>();
        inherited.forEach((name, value) -> {
            if (name != null && value != null && !name.toUpperCase(Locale.ROOT).startsWith("PG") && !secret(name)) {
                env.put(name, value);
            }
        });
        // LC_ALL would override LC_MESSAGES
        env.remove("LC_ALL");
        env.put("LC_MESSAGES", "C");
        return env;
    }

    /**
     * Variables that hold a password or key: DATABASE_URL (its password), *PASSWORD*, *_KEY. A child
     * reaches the database through the libpq variables and the pass file only; /proc/PID/environ of
     * the child would otherwise show them to anyone who may read it.
     */
    private static boolean secret(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        return n.equals("DATABASE_URL") || n.contains("PASSWORD") || n.endsWith("_KEY") || n.endsWith("_KEY_FILE")
                || n.contains("SECRET") || n.contains("TOKEN");
    }

    /** Every variable the child gets. */
    Map<String, String> variables() {
        return variables;
    }

    /** The pass file holding the password, or null when the target has none. */
    Path passFile() {
        return passFile;
    }

    private static Path writePassFile(String password) {
        if (password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0) {
            throw new BotDbException(ErrorCode.CONFIG_INVALID, "The database password contains a line break, which"
                    + " a libpq pass file cannot hold, so pg_dump, pg_restore and psql cannot be given it without"
                    + " showing it to other users. Change the password, or use botdb's own backup format.");
        }
        Path file;
        try {
            // created 0600 in one step: there is no moment at which another user could open it
            deleteStalePassFiles();
            file = Files.createTempFile(PASS_FILE_PREFIX + ProcessHandle.current().pid() + "-", "",
                    PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "Could not create a temporary pass file for the"
                    + " PostgreSQL client programs in " + System.getProperty("java.io.tmpdir") + ": " + e.getMessage()
                    + ". Check that the folder exists and is writable (java.io.tmpdir).", e);
        }
        try {
            // host:port:database:user:password, with '\' and ':' escaped; wildcards because the
            // environment above already says where to connect
            String escaped = password.replace("\\", "\\\\").replace(":", "\\:");
            Files.writeString(file, "*:*:*:*:" + escaped + "\n", StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            deleteQuietly(file);
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "Could not write the temporary pass file " + file
                    + ": " + e.getMessage(), e);
        }
    }

    /** A pass file's name: the prefix, the pid of the botdb that wrote it, a dash, random digits. */
    private static final String PASS_FILE_PREFIX = "botdb-pgpass-pid";

    /** Deletes the pass files of botdb processes that are gone (killed with SIGKILL before their close()). */
    private static void deleteStalePassFiles() {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        java.util.regex.Pattern name = java.util.regex.Pattern.compile(PASS_FILE_PREFIX + "(\\d+)-\\d+");
        try (var files = Files.newDirectoryStream(dir, PASS_FILE_PREFIX + "*")) {
            for (Path f : files) {
                java.util.regex.Matcher m = name.matcher(f.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                    deleteQuietly(f);
                }
            }
        } catch (IOException | RuntimeException e) {
            // a folder botdb cannot list: the pass file about to be created there says what is wrong
        }
    }

    @Override
    public void close() {
        if (onStop != null) {
            onStop.close();
        }
        if (passFile != null) {
            try {
                Files.deleteIfExists(passFile);
            } catch (IOException e) {
                throw new BotDbException(ErrorCode.BACKUP_FAILED, "Could not delete the temporary pass file "
                        + passFile + " (" + e.getMessage() + "); it holds the database password: delete it by hand.", e);
            }
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the write failed already; that error is the one to report
        }
    }
}
