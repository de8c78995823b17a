package dev.botdb.tune;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.PostgresTarget;
import dev.botdb.pool.Connector;
import dev.botdb.tune.TuneInput.Storage;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.postgresql.util.PSQLException;

/**
 * {@code botdb tune}: recommended PostgreSQL settings for the server's memory, connections, CPUs,
 * disk and workload (pgtune's rules plus a bot's autovacuum and timeouts), each with its reason,
 * next to the server's current values with units converted (shared_buffers is counted in 8kB
 * pages, work_mem in kB), and the {@code ALTER SYSTEM} lines that apply them. Nothing is changed
 * unless {@link #apply} is called.
 *
 * <pre>{@code
 * TuneReport report = Tuner.of(target).compare(new TuneOptions(4L << 30, 100, null, null, Workload.BOT));
 * report.alterSystem().forEach(System.out::println);   // ALTER SYSTEM SET shared_buffers = '1GB'; ...
 * }</pre>
 */
public final class Tuner {
    private static final int STATEMENT_TIMEOUT_MS = 30_000;
    /** Settings that need a restart, for offline reports (pg_settings.context = postmaster on 14-18). */
    private static final Set<String> POSTMASTER = Set.of("max_connections", "shared_buffers", "wal_buffers",
            "max_worker_processes", "autovacuum_max_workers");
    private static final long RELOAD_WAIT_MS = 5_000;

    private final PostgresTarget target;

    private Tuner(PostgresTarget target) {
        this.target = target;
    }

    /** Recommendations for the server at {@code target}, compared with its settings, and applying them. */
    public static Tuner of(PostgresTarget target) {
        return new Tuner(target);
    }

    /**
     * Recommendations without a server: RAM from the options (or this machine's), a recent Linux
     * PostgreSQL assumed. Every setting is listed as a change.
     */
    public static TuneReport offline(TuneOptions options) {
        List<String> notes = new ArrayList<>();
        long ram;
        String ramSource;
        if (options.ramBytes() != null) {
            ram = options.ramBytes();
            ramSource = "`ram`";
        } else {
            ram = Hardware.machineRam();
            ramSource = "this machine; pass `ram` for the server's";
        }
        Integer cpus = options.cpus();
        String cpusSource = "`cpus`";
        if (cpus == null) {
            cpus = Hardware.machineCpus();
            cpusSource = "this machine; pass `cpus` for the server's";
        }
        int connections = options.connections() != null ? options.connections() : options.workload().defaultConnections();
        TuneInput input = new TuneInput(ram, ramSource, connections, options.connections() != null ? "`connections`"
                : "the default for a " + options.workload().name().toLowerCase(Locale.ROOT) + " workload", cpus,
                cpusSource, storage(options), storageSource(options), options.workload());
        Rules.Result rules = Rules.recommend(input, Rules.Facts.assumed());
        notes.add("Not compared with a server (`offline`): PostgreSQL 18 on Linux assumed; every setting is listed.");
        notes.addAll(rules.notes());
        List<TuneReport.Row> rows = rules.settings().stream()
                .map(r -> new TuneReport.Row(r, null, TuneReport.Verdict.UNKNOWN, POSTMASTER.contains(r.name()), null))
                .toList();
        return new TuneReport(input, "offline", rows, notes);
    }

    /**
     * Recommendations compared with the server's current values. RAM comes from the options, else
     * from the server's own /proc files (superuser on Linux), else from this machine when the
     * server is local.
     *
     * @throws BotDbException when the RAM cannot be found out: pass {@code --ram}
     */
    public TuneReport compare(TuneOptions options) {
        try (Connection c = Connector.open(target)) {
            try (Statement st = c.createStatement()) {
                st.execute("SET statement_timeout = " + STATEMENT_TIMEOUT_MS + "; SET lock_timeout = 5000;"
                        + " SET application_name = 'botdb tune'");
            }
            Map<String, CurrentSetting> current = settings(c);
            String version;
            int versionNum;
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT version(), current_setting('server_version_num')::int,"
                         + " current_setting('server_version')")) {
                rs.next();
                version = rs.getString(1);
                versionNum = rs.getInt(2);
                version = "PostgreSQL " + rs.getString(3) + (version.contains("linux") ? " on Linux" : "");
            }
            TuneInput input = input(c, target, options, current);
            CurrentSetting walCompression = current.get("wal_compression");
            Rules.Facts facts = new Rules.Facts(versionNum / 10_000,
                    version.endsWith("on Linux"), walCompression == null ? List.of() : enumValues(c));
            Rules.Result rules = Rules.recommend(input, facts);
            List<TuneReport.Row> rows = new ArrayList<>();
            List<String> notes = new ArrayList<>(rules.notes());
            for (Recommendation r : rules.settings()) {
                CurrentSetting now = current.get(r.name());
                if (now == null) {
                    rows.add(new TuneReport.Row(r, null, TuneReport.Verdict.NOT_ON_SERVER, false, null));
                    continue;
                }
                TuneReport.Verdict verdict = r.value().closeTo(now.value()) ? TuneReport.Verdict.OK
                        : TuneReport.Verdict.CHANGE;
                rows.add(new TuneReport.Row(r, now, verdict, now.needsRestart(), now.overrideNote()));
                if (now.pendingRestart()) {
                    notes.add(r.name() + " was already changed and waits for a restart to take effect.");
                }
            }
            return new TuneReport(input, version + " at " + target.displayName(), rows, notes);
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.CONNECTION_FAILED, "Cannot read the settings of " + target.displayName()
                    + ": " + e.getMessage() + ". Check the connection with botdb wait, or use botdb tune `offline`.", e);
        }
    }

    private static Map<String, CurrentSetting> settings(Connection c) throws SQLException {
        Map<String, CurrentSetting> out = new HashMap<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT name, setting, unit, vartype, context, source, pending_restart
                     FROM pg_settings
                     """)) {
            while (rs.next()) {
                out.put(rs.getString(1), new CurrentSetting(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getBoolean(7)));
            }
        }
        return out;
    }

    private static List<String> enumValues(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT enumvals FROM pg_settings WHERE name = 'wal_compression'")) {
            if (rs.next() && rs.getArray(1) != null) {
                return Arrays.asList((String[]) rs.getArray(1).getArray());
            }
        }
        return List.of();
    }

    private static TuneInput input(Connection c, PostgresTarget target, TuneOptions options,
                                   Map<String, CurrentSetting> current) {
        long ram;
        String ramSource;
        Hardware.Found serverRam = options.ramBytes() == null ? Hardware.serverRam(c) : null;
        if (options.ramBytes() != null) {
            ram = options.ramBytes();
            ramSource = "`ram`";
        } else if (serverRam != null) {
            ram = serverRam.value();
            ramSource = serverRam.source();
        } else if (target.isLocal()) {
            ram = Hardware.machineRam();
            ramSource = "this machine, as the server is on localhost; pass `ram` if it runs in a container with less";
        } else {
            throw new BotDbException(ErrorCode.USAGE, "botdb cannot tell how much RAM the server at " + target.host()
                    + " has: PostgreSQL does not report it, and reading the server's /proc/meminfo needs a superuser"
                    + " (or pg_read_server_files). Pass it: botdb tune `ram` 4GB");
        }
        Integer cpus = options.cpus();
        String cpusSource = "`cpus`";
        if (cpus == null) {
            Hardware.Found serverCpus = Hardware.serverCpus(c);
            if (serverCpus != null) {
                cpus = (int) serverCpus.value();
                cpusSource = serverCpus.source();
            } else if (target.isLocal()) {
                cpus = Hardware.machineCpus();
                cpusSource = "this machine, as the server is on localhost";
            } else {
                cpusSource = "unknown";
            }
        }
        int connections;
        String connectionsSource;
        CurrentSetting max = current.get("max_connections");
        if (options.connections() != null) {
            connections = options.connections();
            connectionsSource = "`connections`";
        } else if (max != null) {
            connections = Integer.parseInt(max.setting());
            connectionsSource = "the server's current max_connections; pass `connections` to plan for another";
        } else {
            connections = options.workload().defaultConnections();
            connectionsSource = "the default for this workload";
        }
        return new TuneInput(ram, ramSource, connections, connectionsSource, cpus, cpusSource, storage(options),
                storageSource(options), options.workload());
    }

    private static Storage storage(TuneOptions options) {
        return options.storage() == null ? Storage.SSD : options.storage();
    }

    private static String storageSource(TuneOptions options) {
        return options.storage() == null ? "assumed; pass `storage` hdd for spinning disks" : "`storage`";
    }

    /**
     * Runs the report's ALTER SYSTEM lines and {@code pg_reload_conf()}, then reads the settings
     * back. ALTER SYSTEM writes postgresql.auto.conf and needs a superuser (or, on PostgreSQL 15+,
     * {@code GRANT ALTER SYSTEM ON PARAMETER}); settings with context postmaster take effect at the
     * next restart.
     *
     * @throws BotDbException when the server refuses: nothing after the refused line ran
     */
    public ApplyResult apply(TuneReport report) {
        List<String> applied = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try (Connection c = Connector.open(target)) {
            try (Statement st = c.createStatement()) {
                st.execute("SET statement_timeout = " + STATEMENT_TIMEOUT_MS + "; SET lock_timeout = 5000");
            }
            for (TuneReport.Row row : report.changes()) {
                String line = TuneReport.alterSystem(row.recommendation());
                try (Statement st = c.createStatement()) {
                    st.execute(line);
                    applied.add(line);
                } catch (SQLException e) {
                    String done = applied.isEmpty() ? "Nothing was changed." : "Applied before it: "
                            + String.join(" ", applied);
                    if ("42501".equals(e.getSQLState())) {
                        throw new BotDbException(ErrorCode.MAINTENANCE_INCOMPLETE, "ALTER SYSTEM was refused for "
                                + target.user() + ": " + message(e) + ". It needs a superuser (on PostgreSQL 15+ also"
                                + " GRANT ALTER SYSTEM ON PARAMETER " + row.name() + " TO " + target.user()
                                + "). Run the printed lines as a superuser (psql -U postgres), or set them in the"
                                + " hosting provider's parameter settings. " + done, e);
                    }
                    throw new BotDbException(ErrorCode.MAINTENANCE_INCOMPLETE, "The server refused " + line + " "
                            + message(e) + ". " + done, e);
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_reload_conf()");
            } catch (SQLException e) {
                notes.add("pg_reload_conf() was refused (" + message(e) + "): run SELECT pg_reload_conf(); as a"
                        + " superuser, or restart the server.");
            }
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.CONNECTION_FAILED, "Cannot connect to " + target.displayName() + ": "
                    + e.getMessage(), e);
        }
        List<String> inEffect = awaitReload(target, report);
        for (TuneReport.Row r : report.changes()) {
            if (!r.restart() && !inEffect.contains(r.name())) {
                notes.add(r.name() + " does not show the new value after the reload" + (r.remark() == null
                        ? "; check the server's log" : ": " + r.remark()));
            }
        }
        return new ApplyResult(applied, inEffect, report.restartNeededFor(), notes);
    }

    /** The reloadable changes the server shows once every backend has re-read its configuration. */
    private static List<String> awaitReload(PostgresTarget target, TuneReport report) {
        List<TuneReport.Row> reloadable = report.changes().stream().filter(r -> !r.restart()).toList();
        long deadline = System.currentTimeMillis() + RELOAD_WAIT_MS;
        List<String> inEffect = new ArrayList<>();
        while (true) {
            inEffect.clear();
            try (Connection c = Connector.open(target)) {
                Map<String, CurrentSetting> now = settings(c);
                for (TuneReport.Row r : reloadable) {
                    CurrentSetting s = now.get(r.name());
                    if (s != null && r.recommendation().value().closeTo(s.value())) {
                        inEffect.add(r.name());
                    }
                }
            } catch (SQLException e) {
                return inEffect;
            }
            if (inEffect.size() == reloadable.size() || System.currentTimeMillis() > deadline) {
                return List.copyOf(inEffect);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.copyOf(inEffect);
            }
        }
    }

    private static String message(SQLException e) {
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            return p.getServerErrorMessage().getMessage();
        }
        return String.valueOf(e.getMessage());
    }
}
