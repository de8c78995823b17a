package dev.botdb.cli;

import dev.botdb.ErrorCode;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.Setting;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code botdb config}: what botdb resolved from the environment, and where each value came from. */
@Command(name = "config", description = "Show the resolved database configuration and the source of each value"
        + " (passwords shown as ****). Does not connect.")
final class ConfigCommand extends BotDbCommand {
    @Option(names = "--json", description = "Print JSON: {\"settings\": {name: {value, source}}, \"warnings\": [...]}.")
    boolean json;

    @Override
    public Integer call() {
        BotDbConfig config = config();
        Optional<String> problem = config.securityProblem();
        if (json) {
            Map<String, Object> settings = new LinkedHashMap<>();
            for (Setting s : config.describe()) {
                settings.put(s.name(), Map.of("value", s.value(), "source", s.source()));
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("engine", config.target().engine().label());
            doc.put("embedded", config.target() instanceof dev.botdb.config.EmbeddedTarget);
            doc.put("settings", settings);
            doc.put("warnings", config.warnings());
            doc.put("problem", problem.orElse(null));
            cli.out.println(Printer.json(doc));
        } else {
            cli.out.println("botdb configuration (passwords are shown as ****; nothing was connected to)");
            Printer.settings(cli.out, config.describe());
            for (String w : config.warnings()) {
                cli.out.println("warning: " + w);
            }
            problem.ifPresent(p -> cli.err.println("error: " + p));
        }
        return problem.isPresent() ? ErrorCode.INSECURE_CONNECTION.exitCode() : 0;
    }
}
