package dev.botdb.cli;

import dev.botdb.BotDb;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.BotDbConfig;
import dev.botdb.migrate.Migrator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The smaller migration commands: validate, mark-applied, repair, rollback, new, reset. */
final class MigrationCommands {
    private MigrationCommands() {
    }

    @Command(name = "validate", description = "Check every migration file parses and no applied file changed,"
            + " failed or went missing. Applies nothing.")
    static final class Validate implements Callable<Integer> {
        @Mixin
        GlobalOptions local;
        private final Cli cli;

        Validate(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            try (BotDb db = Session.open(cli, local)) {
                int n = db.migrator(cli.err::println).validate();
                cli.out.println("Validation passed: " + n + " migration files, history consistent");
            }
            return 0;
        }
    }

    @Command(name = "mark-applied", description = "Record VERSION as applied without running it"
            + " (after fixing a half-applied migration by hand).")
    static final class MarkApplied implements Callable<Integer> {
        @Mixin
        GlobalOptions local;
        @Parameters(paramLabel = "VERSION", description = "The file name with or without .sql, or its version"
                + " number: 20240315_add_captcha.sql, 20240315_add_captcha or 20240315. Already applied: says so, exit 0.")
        String version;
        private final Cli cli;

        MarkApplied(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            try (BotDb db = Session.open(cli, local)) {
                db.migrator(cli.out::println).markApplied(version);
            }
            return 0;
        }
    }

    @Command(name = "repair", description = "Accept changed applied files as they are now and forget failed"
            + " attempts (so migrate runs them again).")
    static final class Repair implements Callable<Integer> {
        @Mixin
        GlobalOptions local;
        private final Cli cli;

        Repair(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            try (BotDb db = Session.open(cli, local)) {
                db.migrator(cli.out::println).repair();
            }
            return 0;
        }
    }

    @Command(name = "rollback", description = "Undo the last N applied migrations (default 1) with their"
            + " .down.sql or .rollback.sql files; refuses when one has none.")
    static final class Rollback implements Callable<Integer> {
        @Mixin
        GlobalOptions local;
        @Parameters(paramLabel = "N", defaultValue = "1", description = "How many (default ${DEFAULT-VALUE}).")
        int count;
        private final Cli cli;

        Rollback(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            if (count < 1) {
                throw new BotDbException(ErrorCode.USAGE, "rollback N needs N of 1 or more, e.g. botdb rollback 1");
            }
            try (BotDb db = Session.open(cli, local)) {
                List<String> done = db.migrator(cli.out::println).rollback(count);
                cli.out.println("Rolled back " + done.size() + ": " + String.join(", ", done));
            }
            return 0;
        }
    }

    @Command(name = "new", description = "Create MIGRATIONS_PATH/YYYYMMDDHHMMSS_NAME.sql.")
    static final class New implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "What the migration does, e.g. add_captcha_settings")
        String name;
        private final Cli cli;

        New(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Path dir = BotDbConfig.fromEnv(cli.env).migrations().directory();
            cli.out.println("Created " + Migrator.create(dir, name, Clock.systemUTC()));
            return 0;
        }
    }

    @Command(name = "reset", description = "DANGEROUS: drop every object of the application's schema and apply all"
            + " migrations again. Asks you to type yes.")
    static final class Reset implements Callable<Integer> {
        @Mixin
        GlobalOptions local;
        @Option(names = "--yes", description = "Do not ask (for scripts).")
        boolean yes;
        @Option(names = "--force", description = "Allow reset under BOTDB_ENV=production.")
        boolean force;
        private final Cli cli;

        Reset(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() throws IOException {
            BotDbConfig config = cli.config(local);
            if (config.production() && !force) {
                throw new BotDbException(ErrorCode.USAGE, "Refusing to reset under BOTDB_ENV=production: it drops ALL"
                        + " tables and data. Take a backup first; if you really mean it, add --force.");
            }
            try (BotDb db = Session.open(cli, local)) {
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
}
