package dev.botdb.provision;

import java.util.Objects;

/**
 * What {@code botdb provision} is to set up.
 *
 * @param appUser   the least-privilege role the bot logs in as
 * @param ownerUser the role that owns the database and schema and runs migrations; null =
 *                  {@code <database>_owner}
 * @param database  the bot's database; null = the database of the admin connection
 * @param schema    where the bot's tables live (default {@value #DEFAULT_SCHEMA})
 * @param dryRun    only say what would run (passwords masked); change nothing
 */
public record ProvisionRequest(String appUser, String ownerUser, String database, String schema, boolean dryRun) {
    public static final String DEFAULT_SCHEMA = "public";

    public ProvisionRequest {
        Objects.requireNonNull(appUser, "appUser");
        schema = schema == null ? DEFAULT_SCHEMA : schema;
    }

    /** Provision {@code appUser} with every other value at its default. */
    public static ProvisionRequest of(String appUser) {
        return new ProvisionRequest(appUser, null, null, DEFAULT_SCHEMA, false);
    }

    public ProvisionRequest withOwner(String owner) {
        return new ProvisionRequest(appUser, owner, database, schema, dryRun);
    }

    public ProvisionRequest withDatabase(String name) {
        return new ProvisionRequest(appUser, ownerUser, name, schema, dryRun);
    }

    public ProvisionRequest withSchema(String name) {
        return new ProvisionRequest(appUser, ownerUser, database, name, dryRun);
    }

    public ProvisionRequest withDryRun(boolean dry) {
        return new ProvisionRequest(appUser, ownerUser, database, schema, dry);
    }
}
