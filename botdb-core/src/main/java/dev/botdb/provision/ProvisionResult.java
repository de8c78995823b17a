package dev.botdb.provision;

import dev.botdb.config.Secret;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * What {@link Provisioner#run} did, and the two connection URLs: the owner's for
 * {@code botdb migrate}, the application role's for the bot.
 *
 * @param host     the server, as the admin connection reached it (IPv6 without brackets)
 * @param port     its port
 * @param query    URL query to keep (e.g. {@code ?sslmode=require}), or empty
 * @param database the bot's database
 * @param schema   the bot's schema
 * @param owner    the owner role (migrations)
 * @param app      the application role (the bot)
 * @param actions  everything created, changed or found in place, in order
 * @param notes    what the operator should know (existing roles' passwords, foreign owners)
 * @param dryRun   true when nothing was changed
 */
public record ProvisionResult(String host, int port, String query, String database, String schema, Role owner,
                              Role app, List<Action> actions, List<String> notes, boolean dryRun) {

    public ProvisionResult {
        actions = List.copyOf(actions);
        notes = List.copyOf(notes);
    }

    /**
     * A role provision set up.
     *
     * @param name     the role name
     * @param created  true when this run created it
     * @param password the generated password (shown once), or null: the role existed (its password was kept) or
     *                 this was a dry run
     */
    public record Role(String name, boolean created, Secret password) {
    }

    /** True when this run created or changed anything (or, in a dry run, would have). */
    public boolean changed() {
        return actions.stream().anyMatch(a -> a.outcome() != Action.Outcome.UNCHANGED);
    }

    public long count(Action.Outcome outcome) {
        return actions.stream().filter(a -> a.outcome() == outcome).count();
    }

    /**
     * The role's {@code DATABASE_URL}. With {@code revealPassword} the generated password is in it
     * (print it once, never log it); otherwise it shows {@code ****}. A role without a generated
     * password gets a URL without one.
     */
    public String databaseUrl(Role role, boolean revealPassword) {
        String password = role.password() == null ? ""
                : ":" + (revealPassword ? encode(role.password().reveal()) : Secret.MASK);
        String urlHost = host.contains(":") ? "[" + host + "]" : host;
        return "postgres://" + encode(role.name()) + password + "@" + urlHost + ":" + port + "/" + encode(database)
                + query;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code Provisioning done - created: 3, changed: 6, unchanged: 0}, or what a dry run or a re-run found. */
    public String summary() {
        String counts = "created: " + count(Action.Outcome.CREATED) + ", changed: " + count(Action.Outcome.CHANGED)
                + ", unchanged: " + count(Action.Outcome.UNCHANGED);
        if (dryRun) {
            return "Dry run - would " + (changed() ? "run " + (count(Action.Outcome.CREATED)
                    + count(Action.Outcome.CHANGED)) + " statements" : "change nothing") + " (" + counts
                    + "); nothing was changed";
        }
        return (changed() ? "Provisioning done - " : "Nothing to change: everything was already in place - ")
                + counts;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "ProvisionResult[%s, database=%s, schema=%s, owner=%s, app=%s]", summary(),
                database, schema, owner, app);
    }
}
