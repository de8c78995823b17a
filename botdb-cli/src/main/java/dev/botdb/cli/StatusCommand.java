package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.ErrorCode;
import dev.botdb.migrate.MigrationState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code botdb status}: the applied versions (what Alita's operators read with psql from schema_migrations), plus pending, changed, missing and failed files. */
@Command(name = "status", description = "Show each migration as applied, pending, changed, missing or failed."
        + " Exit 0: up to date; 12: pending; 13: changed, missing or failed.")
final class StatusCommand extends BotDbCommand {
    @Option(names = "--json", description = "Print JSON: [{version, state, executed_at, duration_ms, detail}].")
    boolean json;

    @Override
    public Integer call() {
        List<MigrationState> states;
        try (BotDb db = openUnpooled()) {
            // warnings (a numbered file that is not SQL) and "would adopt" notes; stderr keeps --json clean
            states = db.migrator(cli.err::println).status();
        }
        if (json) {
            cli.out.println(Printer.json(states.stream().map(s -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("version", s.version());
                m.put("state", s.state().name().toLowerCase(java.util.Locale.ROOT));
                m.put("executed_at", s.executedAt() == null ? null : s.executedAt().toString());
                m.put("duration_ms", s.durationMs());
                m.put("detail", s.detail());
                return m;
            }).toList()));
        } else {
            int width = states.stream().mapToInt(s -> s.version().length()).max().orElse(7);
            cli.out.printf(" %-" + width + "s | %-8s | %s%n", "version", "state", "executed_at");
            cli.out.println("-".repeat(width + 2) + "+----------+----------------------------");
            for (MigrationState s : states) {
                cli.out.printf(" %-" + width + "s | %-8s | %s%s%n", s.version(),
                        s.state().name().toLowerCase(java.util.Locale.ROOT),
                        s.executedAt() == null ? "" : s.executedAt(), s.detail() == null ? "" : "  (" + s.detail() + ")");
            }
            long pending = states.stream().filter(s -> s.state() == MigrationState.State.PENDING).count();
            cli.out.println(states.size() + " migrations: " + (states.size() - pending) + " recorded, " + pending + " pending");
        }
        if (states.stream().anyMatch(s -> s.state() != MigrationState.State.APPLIED
                && s.state() != MigrationState.State.PENDING)) {
            return ErrorCode.MIGRATION_DRIFT.exitCode();
        }
        return states.stream().anyMatch(s -> s.state() == MigrationState.State.PENDING)
                ? ErrorCode.MIGRATIONS_PENDING.exitCode() : 0;
    }
}
