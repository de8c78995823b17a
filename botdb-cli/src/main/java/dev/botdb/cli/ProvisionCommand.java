package dev.botdb.cli;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.PostgresTarget;
import dev.botdb.provision.ProvisionRequest;
import dev.botdb.provision.ProvisionResult;
import dev.botdb.provision.Provisioner;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code botdb provision}: with an admin's DATABASE_URL, creates the bot's database, an owner role
 * for migrations and a least-privilege role for the bot, and prints their two DATABASE_URL lines.
 * New roles' passwords appear once, on standard output, and nowhere else.
 */
@Command(name = "provision", description = "With an admin DATABASE_URL (superuser, or CREATEDB + CREATEROLE): create"
        + " the bot's database, an owner role for migrations and a least-privilege role for the bot, and print their"
        + " DATABASE_URL lines. Running it again changes nothing. Exit 19: the admin lacks CREATEDB / CREATEROLE.")
final class ProvisionCommand extends BotDbCommand {
    @Option(names = "--app-user", required = true, paramLabel = "NAME",
            description = "The role the bot logs in as: SELECT, INSERT, UPDATE, DELETE on the schema's tables.")
    String appUser;

    @Option(names = "--owner-user", paramLabel = "NAME", description = "The role that owns the database and schema and"
            + " runs botdb migrate (default: <database>_owner).")
    String ownerUser;

    @Option(names = "--database", paramLabel = "NAME", description = "The bot's database, created when missing"
            + " (default: the one in DATABASE_URL).")
    String database;

    @Option(names = "--schema", defaultValue = ProvisionRequest.DEFAULT_SCHEMA, paramLabel = "NAME",
            description = "The schema of the bot's tables (default ${DEFAULT-VALUE}).")
    String schema;

    @Option(names = "--dry-run", description = "Print the SQL it would run (passwords masked); change nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print JSON: {database, schema, changed, actions, notes, owner, app};"
            + " owner and app carry database_url, with a new role's password in it.")
    boolean json;

    @Override
    public Integer call() {
        BotDbConfig config = config();
        if (!(config.target() instanceof PostgresTarget admin)) {
            throw new BotDbException(ErrorCode.USAGE, "botdb provision sets up roles on a PostgreSQL server, but"
                    + " DATABASE_URL is " + config.target().displayName() + ". Set DATABASE_URL to an admin's URL,"
                    + " e.g. DATABASE_URL=postgres://postgres@localhost:5432/postgres botdb provision --app-user bot"
                    + " --database mybot");
        }
        config.requireSecure();
        ProvisionRequest request = new ProvisionRequest(appUser, ownerUser, database, schema, dryRun);
        ProvisionResult r = Provisioner.of(admin, json ? line -> { } : cli.out::println).run(request);
        if (json) {
            cli.out.println(Printer.json(json(r)));
            return 0;
        }
        if (r.dryRun()) {
            cli.out.println();
            cli.out.println("-- SQL that would run (passwords masked):");
            r.actions().stream().filter(a -> a.sql() != null).forEach(a -> cli.out.println(a.sql() + ";"));
            return 0;
        }
        cli.out.println();
        cli.out.println("# owner role " + r.owner().name() + ": owns the database and schema; for botdb migrate");
        printUrl(r, r.owner());
        cli.out.println("# application role " + r.app().name() + ": reads and writes rows only; for the bot");
        printUrl(r, r.app());
        if (r.owner().password() != null || r.app().password() != null) {
            cli.out.println("The generated passwords are shown this once and stored nowhere by botdb: put them in your"
                    + " secrets (.env, compose secrets) now.");
        }
        return 0;
    }

    private void printUrl(ProvisionResult r, ProvisionResult.Role role) {
        if (role.password() == null) {
            cli.out.println("# (the role existed, so its password was kept: put it after '" + role.name() + ":')");
        }
        cli.out.println("DATABASE_URL=" + r.databaseUrl(role, true));
    }

    private static Map<String, Object> json(ProvisionResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("database", r.database());
        m.put("schema", r.schema());
        m.put("dry_run", r.dryRun());
        m.put("changed", r.changed());
        m.put("summary", r.summary());
        m.put("actions", r.actions().stream().map(a -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("subject", a.subject());
            row.put("outcome", a.outcome().name().toLowerCase(Locale.ROOT));
            row.put("sql", a.sql());
            row.put("note", a.note());
            return row;
        }).toList());
        m.put("notes", r.notes());
        m.put("owner", role(r, r.owner()));
        m.put("app", role(r, r.app()));
        return m;
    }

    private static Map<String, Object> role(ProvisionResult r, ProvisionResult.Role role) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", role.name());
        m.put("created", role.created());
        m.put("password_generated", role.password() != null);
        m.put("database_url", r.dryRun() ? null : r.databaseUrl(role, true));
        return m;
    }
}
