package dev.botdb.doctor;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.Engine;
import dev.botdb.config.MigrationSettings;
import dev.botdb.migrate.MigrationState;
import dev.botdb.migrate.Migrator;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The migrations link: {@link Migrator#status()} read over doctor's own connection (a server with
 * every slot taken gives doctor one connection, not two), turned into ok or problem.
 *
 * @param check   the link's result, not yet recorded
 * @param pending migration files not applied yet; -1 when unknown (no folder, unreadable files)
 */
record MigrationCheck(DoctorCheck check, int pending) {
    static final String NAME = "migrations";

    static MigrationCheck run(Connection c, Engine engine, MigrationSettings settings) {
        if (!Files.isDirectory(settings.directory())) {
            return new MigrationCheck(DoctorCheck.skipped(NAME, "no migrations folder " + settings.directory().toAbsolutePath()
                    + " (MIGRATIONS_PATH, from " + settings.sources().getOrDefault("directory", "default")
                    + "): nothing to compare with the database"), -1);
        }
        List<String> notes = new ArrayList<>();
        List<MigrationState> states;
        try {
            states = Migrator.of(new SharedConnection(c), engine, settings.directory(), notes::add).status();
        } catch (BotDbException e) {
            return new MigrationCheck(DoctorCheck.problem(NAME, e.getMessage(), fixFor(e.code()), e.code()), -1);
        }
        long applied = count(states, MigrationState.State.APPLIED);
        int pending = (int) count(states, MigrationState.State.PENDING);
        List<MigrationState> broken = states.stream().filter(s -> s.state() != MigrationState.State.APPLIED
                && s.state() != MigrationState.State.PENDING).toList();
        if (!broken.isEmpty()) {
            String detail = broken.size() + " of " + states.size() + " migrations are not as applied: "
                    + broken.stream().map(s -> s.version() + " " + s.state().name().toLowerCase(Locale.ROOT)
                            + (s.detail() == null ? "" : " (" + s.detail() + ")")).collect(Collectors.joining("; "));
            return new MigrationCheck(DoctorCheck.problem(NAME, detail, fixFor(broken), ErrorCode.MIGRATION_DRIFT), pending);
        }
        String detail = applied + " applied, " + (pending == 0 ? "none pending"
                : pending + " pending (botdb migrate applies them; AUTO_MIGRATE=true does at startup)")
                + " in " + settings.directory() + notes.stream().map(n -> "; " + n).collect(Collectors.joining());
        return new MigrationCheck(DoctorCheck.ok(NAME, detail), pending);
    }

    private static long count(List<MigrationState> states, MigrationState.State state) {
        return states.stream().filter(s -> s.state() == state).count();
    }

    private static String fixFor(List<MigrationState> broken) {
        List<String> fixes = new ArrayList<>();
        if (broken.stream().anyMatch(s -> s.state() == MigrationState.State.CHANGED)) {
            fixes.add("A changed file: revert the change (and put it in a new migration: botdb new NAME), or run"
                    + " botdb repair to accept the file as it is now.");
        }
        if (broken.stream().anyMatch(s -> s.state() == MigrationState.State.MISSING)) {
            fixes.add("A missing file: put it back in MIGRATIONS_PATH (does MIGRATIONS_PATH point at the right"
                    + " folder?).");
        }
        if (broken.stream().anyMatch(s -> s.state() == MigrationState.State.FAILED)) {
            fixes.add("A file that failed part way: finish or undo its statements by hand, then botdb mark-applied"
                    + " VERSION (done) or botdb repair (run it again).");
        }
        fixes.add("botdb status lists every migration.");
        return String.join(" ", fixes);
    }

    private static String fixFor(ErrorCode code) {
        return code == ErrorCode.MIGRATION_INVALID
                ? "Fix the file as the message says; botdb validate checks every file without touching the database."
                : "botdb status shows the history; botdb --verbose status shows the full error.";
    }

    /**
     * A data source that hands out one open connection and ignores {@code close()}: the migrator
     * closes what it borrows, and doctor closes the connection itself when done.
     */
    private static final class SharedConnection implements DataSource {
        private final Connection connection;

        SharedConnection(Connection real) {
            this.connection = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close")) {
                            return null;
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public Connection getConnection() {
            return connection;
        }

        @Override
        public Connection getConnection(String username, String password) {
            return connection;
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws java.sql.SQLException {
            throw new java.sql.SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
