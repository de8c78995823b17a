package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.BotDbConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code botdb reset}: drop the schema's objects and apply every migration again. */
@Command(name = "reset", description = "DANGEROUS: drop every object of the application's schema and apply all"
        + " migrations again. Asks you to type yes.")
final class ResetCommand extends BotDbCommand {
    @Option(names = "--yes", description = "Do not ask (for scripts).")
    boolean yes;
    @Option(names = "--force", description = "Allow reset under BOTDB_ENV=production.")
    boolean force;
    @Override
    public Integer call() throws IOException {
        BotDbConfig config = config();
        if (config.production() && !force) {
            throw new BotDbException(ErrorCode.USAGE, "Refusing to reset under BOTDB_ENV=production: it drops ALL"
                    + " tables and data. Take a backup first; if you really mean it, add --force.");
        }
        try (BotDb db = open()) {
            if (!yes) {
                cli.err.print("This drops ALL tables and data in " + db.target().displayName()
                        + ". There is no undo. Type yes to continue: ");
                cli.err.flush();
                String answer = new BufferedReader(new InputStreamReader(cli.in, StandardCharsets.UTF_8)).readLine();
                if (!"yes".equals(answer == null ? null : answer.trim())) {
                    // the operator's own answer, not a failure; scripts pass --yes
                    cli.err.println("Reset cancelled; nothing was changed.");
                    return 0;
                }
            }
            db.migrator(cli.out::println).reset();
        }
        return 0;
    }
}
