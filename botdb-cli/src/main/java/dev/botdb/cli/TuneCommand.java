package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.PostgresTarget;
import dev.botdb.tune.ApplyResult;
import dev.botdb.tune.PgValue;
import dev.botdb.tune.TuneInput;
import dev.botdb.tune.TuneOptions;
import dev.botdb.tune.TuneReport;
import dev.botdb.tune.Tuner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code botdb tune}: the settings Chatalot's deployment guide sets by hand (shared_buffers,
 * effective_cache_size, work_mem, ...) computed for the actual machine, compared with the server's values, with the ALTER SYSTEM lines that apply it.
 */
@Command(name = "tune", description = "Recommended PostgreSQL settings for the server's RAM, connections, CPUs and disk,"
        + " with the reason for each, compared with the current values, and the ALTER SYSTEM lines to apply them."
        + " Changes nothing unless --apply.")
final class TuneCommand extends BotDbCommand {
    @Option(names = "--ram", paramLabel = "SIZE", description = "The server's memory, e.g. 4GB. Default: read from the"
            + " server (superuser on Linux), else this machine's when the server is local.")
    String ram;

    @Option(names = "--connections", paramLabel = "N", description = "max_connections to plan for."
            + " Default: the server's current value.")
    Integer connections;

    @Option(names = "--cpus", paramLabel = "N", description = "The server's CPUs. Default: read from the server, else"
            + " this machine's when local.")
    Integer cpus;

    @Option(names = "--storage", paramLabel = "ssd|hdd", description = "The data disk (default: ssd).")
    String storage;

    @Option(names = "--workload", paramLabel = "bot|web|oltp", defaultValue = "bot",
            description = "What the server mostly does (default ${DEFAULT-VALUE}).")
    String workload;

    @Option(names = "--offline", description = "Do not connect: print the recommendations and ALTER SYSTEM lines only.")
    boolean offline;

    @Option(names = "--apply", description = "Run the ALTER SYSTEM lines and pg_reload_conf() (needs a superuser);"
            + " settings marked restart take effect at the next restart.")
    boolean apply;

    @Option(names = "--json", description = "Print JSON: {server, input, settings: [...], alter_system, ...}.")
    boolean json;

    @Override
    public Integer call() {
        if (offline && apply) {
            throw new BotDbException(ErrorCode.USAGE, "--apply needs a server to apply to; drop --offline.");
        }
        TuneOptions options = new TuneOptions(ram == null ? null : TuneInput.parseRam(ram), connections, cpus,
                storage == null ? null : TuneInput.Storage.parse(storage), TuneInput.Workload.parse(workload));
        if (offline) {
            print(Tuner.offline(options), null);
            return 0;
        }
        try (BotDb db = open()) {
            if (!(db.target() instanceof PostgresTarget pg)) {
                throw new BotDbException(ErrorCode.USAGE, "tune is for PostgreSQL. SQLite has no server to tune; botdb"
                        + " already sets what matters on every connection (WAL journal, synchronous=NORMAL, a busy"
                        + " timeout, foreign keys).");
            }
            Tuner tuner = Tuner.of(pg);
            TuneReport report = tuner.compare(options);
            ApplyResult applied = apply && !report.changes().isEmpty() ? tuner.apply(report) : null;
            print(report, applied);
        }
        return 0;
    }

    private void print(TuneReport report, ApplyResult applied) {
        if (json) {
            cli.out.println(Printer.json(json(report, applied)));
            return;
        }
        TuneInput in = report.input();
        cli.out.println("Settings for " + PgValue.approximate(in.ramBytes()) + " RAM ("
                + Flags.of(in.ramSource()) + "), " + in.connections() + " connections (" + Flags.of(in.connectionsSource()) + "), "
                + (in.cpus() == null ? "CPUs unknown" : in.cpus() + " CPUs (" + Flags.of(in.cpusSource()) + ")") + ", "
                + in.storage().name() + " (" + Flags.of(in.storageSource()) + "), workload "
                + in.workload().name().toLowerCase(Locale.ROOT));
        cli.out.println("Server: " + report.server());
        cli.out.println();
        int width = report.rows().stream().mapToInt(r -> r.name().length()).max().orElse(10);
        boolean compared = !report.server().equals("offline");
        if (compared) {
            cli.out.printf("  %-" + width + "s  %-12s %-12s %s%n", "setting", "current", "recommended", "");
        }
        for (TuneReport.Row r : report.rows()) {
            String recommended = r.recommendation().value().display();
            if (compared) {
                String current = r.current() == null ? "-" : r.current().value().display();
                String verdict = switch (r.verdict()) {
                    case OK -> "ok";
                    case CHANGE -> "change" + (r.restart() ? " (restart)" : "");
                    case NOT_ON_SERVER -> "not on this server version";
                    case UNKNOWN -> "";
                };
                cli.out.printf("  %-" + width + "s  %-12s %-12s %s%n", r.name(), current, recommended, verdict);
            } else {
                cli.out.printf("  %-" + width + "s = %s%n", r.name(), recommended);
            }
            cli.out.println("      " + r.recommendation().reason());
            if (r.remark() != null && r.verdict() == TuneReport.Verdict.CHANGE) {
                cli.out.println("      note: " + r.remark());
            }
        }
        for (String n : report.notes()) {
            cli.out.println("  note: " + Flags.of(n));
        }
        cli.out.println();
        List<String> lines = report.alterSystem();
        if (lines.isEmpty()) {
            cli.out.println("Nothing to change: every setting is as recommended.");
            return;
        }
        if (applied == null) {
            cli.out.println("To apply them, as a superuser (e.g. psql -U postgres), or with botdb tune --apply:");
            lines.forEach(l -> cli.out.println("  " + l));
            cli.out.println("  SELECT pg_reload_conf();");
        } else {
            cli.out.println("Applied " + applied.applied().size() + " settings with ALTER SYSTEM and reloaded;"
                    + " in effect now: " + (applied.inEffect().isEmpty() ? "none" : String.join(", ", applied.inEffect()))
                    + ".");
            applied.notes().forEach(n -> cli.out.println("  note: " + n));
        }
        List<String> restart = report.restartNeededFor();
        if (!restart.isEmpty()) {
            cli.out.println("Restart needed for: " + String.join(", ", restart) + " (ALTER SYSTEM writes"
                    + " postgresql.auto.conf; a reload does not apply these)");
        }
        long ok = report.rows().stream().filter(r -> r.verdict() == TuneReport.Verdict.OK).count();
        cli.out.println(lines.size() + " settings to change" + (compared ? ", " + ok + " already as recommended" : ""));
    }

    private static Map<String, Object> json(TuneReport report, ApplyResult applied) {
        TuneInput in = report.input();
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("ram_bytes", in.ramBytes());
        input.put("ram_source", Flags.of(in.ramSource()));
        input.put("connections", in.connections());
        input.put("connections_source", Flags.of(in.connectionsSource()));
        input.put("cpus", in.cpus());
        input.put("cpus_source", Flags.of(in.cpusSource()));
        input.put("storage", in.storage().name().toLowerCase(Locale.ROOT));
        input.put("storage_source", Flags.of(in.storageSource()));
        input.put("workload", in.workload().name().toLowerCase(Locale.ROOT));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("server", report.server());
        m.put("input", input);
        m.put("settings", report.rows().stream().map(r -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", r.name());
            row.put("current", r.current() == null ? null : r.current().value().display());
            row.put("current_raw", r.current() == null ? null : r.current().setting());
            row.put("current_unit", r.current() == null ? null : r.current().unit());
            row.put("recommended", r.recommendation().value().display());
            row.put("verdict", r.verdict().name().toLowerCase(Locale.ROOT));
            row.put("restart", r.restart());
            row.put("reason", r.recommendation().reason());
            row.put("remark", r.remark());
            return row;
        }).toList());
        m.put("alter_system", report.alterSystem());
        m.put("restart_needed_for", report.restartNeededFor());
        m.put("notes", report.notes().stream().map(Flags::of).toList());
        if (applied != null) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("applied", applied.applied());
            a.put("in_effect", applied.inEffect());
            a.put("need_restart", applied.needRestart());
            a.put("notes", applied.notes());
            m.put("applied", a);
        }
        return m;
    }
}
