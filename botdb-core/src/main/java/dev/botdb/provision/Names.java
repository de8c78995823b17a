package dev.botdb.provision;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.Redaction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The validated names of one provisioning run. Names are letters, digits, '_' and '-', starting
 * with a letter or '_', at most 63 bytes (PostgreSQL's NAMEDATALEN - 1): they go into SQL quoted,
 * and into DATABASE_URL lines without needing percent-encoding.
 */
record Names(String app, String owner, String database, String schema) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");
    private static final int MAX_BYTES = 63;
    /** Role names PostgreSQL reserves or treats specially in GRANT and ALTER ROLE. */
    private static final Set<String> RESERVED_ROLES = Set.of("public", "none", "current_user", "session_user",
            "current_role", "all");

    static Names of(ProvisionRequest request, String adminDatabase) {
        String database = request.database() != null ? request.database() : adminDatabase;
        check("`database`", database);
        if (request.database() == null && (database.equals("postgres") || database.startsWith("template"))) {
            throw new BotDbException(ErrorCode.USAGE, "DATABASE_URL points at the maintenance database " + database
                    + "; name the bot's own database: botdb provision `appUser` " + request.appUser()
                    + " `database` mybot");
        }
        if (database.equals("template0") || database.equals("template1")) {
            throw new BotDbException(ErrorCode.USAGE, "`database` " + database + " is a template database; name the"
                    + " bot's own database, e.g. `database` mybot");
        }
        String owner = request.ownerUser() != null ? request.ownerUser() : database + "_owner";
        checkRole("`appUser`", request.appUser());
        checkRole("`ownerUser`", owner);
        check("`schema`", request.schema());
        if (request.schema().toLowerCase(Locale.ROOT).startsWith("pg_")
                || request.schema().equals("information_schema")) {
            throw new BotDbException(ErrorCode.USAGE, "`schema` " + request.schema() + " is a system schema; use"
                    + " public or a schema of the bot's own");
        }
        if (owner.equals(request.appUser())) {
            throw new BotDbException(ErrorCode.USAGE, "`appUser` and `ownerUser` are both " + owner + ": the bot's"
                    + " role must not own what migrations create, or it could drop it. Give the owner another name"
                    + " (default: <database>_owner).");
        }
        return new Names(request.appUser(), owner, database, request.schema());
    }

    private static void checkRole(String option, String name) {
        check(option, name);
        if (name.toLowerCase(Locale.ROOT).startsWith("pg_") || RESERVED_ROLES.contains(name.toLowerCase(Locale.ROOT))) {
            throw new BotDbException(ErrorCode.USAGE, option + " " + name + " is reserved by PostgreSQL (names starting"
                    + " with pg_, and public, none, current_user, session_user, current_role, all); choose another");
        }
    }

    private static void check(String option, String name) {
        if (name == null || !NAME.matcher(name).matches() || name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new BotDbException(ErrorCode.USAGE, option + " '" + (name == null ? "" : Redaction.printable(name))
                    + "' is not a usable name: use letters, digits, '_' and '-', starting with a letter or '_', at most"
                    + " 63 characters (e.g. mybot, bot_app)");
        }
    }
}
