package dev.botdb.cli;

import dev.botdb.doctor.DoctorCheck;
import dev.botdb.doctor.Doctor;
import dev.botdb.doctor.DoctorReport;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code botdb doctor}: walks from the configuration to a working database, one line per link,
 * and stops at the first broken one with its fix.
 */
@Command(name = "doctor", description = "Check every link from configuration to a working database; name the first"
        + " broken one and its fix. Exit 0: all ok; else the broken link's code: 3 configuration, 4 connection"
        + " (host, refused, timeout, SSL), 5 authentication, 6 missing database, 7 insecure in production,"
        + " 9 embedded server, 10/13 migrations, 19 privileges, 20 connection slots or pool size.")
final class DoctorCommand extends BotDbCommand {
    private static final int NAME_WIDTH = 22;

    @Option(names = "--json", description = "Print JSON: {target, engine, ok, exit_code, problem, fix, checks: [...]}.")
    boolean json;

    @Override
    public Integer call() {
        DoctorReport r = Doctor.fromEnv(cli.env, cli.global.allowInsecure || local.allowInsecure)
                .progress(json ? line -> { } : cli.err::println)
                .run();
        if (json) {
            cli.out.println(Printer.json(json(r)));
            return r.exitCode();
        }
        cli.out.println("botdb doctor: " + r.target());
        for (DoctorCheck c : r.checks()) {
            cli.out.printf("  %-8s %-" + NAME_WIDTH + "s %s%n", c.statusWord(), c.name(), c.detail());
        }
        r.problem().ifPresent(p -> {
            cli.out.println();
            cli.out.println("Fix (" + p.name() + "): " + p.fix());
        });
        cli.out.println();
        cli.out.println(r.summary());
        return r.exitCode();
    }

    private static Map<String, Object> json(DoctorReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", r.target());
        m.put("engine", r.engine());
        m.put("ok", r.ok());
        m.put("exit_code", r.exitCode());
        m.put("problem", r.problem().map(DoctorCheck::name).orElse(null));
        m.put("fix", r.problem().map(DoctorCheck::fix).orElse(null));
        m.put("checks", r.checks().stream().map(c -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", c.name());
            row.put("status", c.statusWord());
            row.put("detail", c.detail());
            row.put("fix", c.fix());
            row.put("exit_code", c.code() == null ? null : c.code().exitCode());
            return row;
        }).toList());
        return m;
    }
}
