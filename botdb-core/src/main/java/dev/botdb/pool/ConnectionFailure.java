package dev.botdb.pool;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.dialect.Dialect;
import dev.botdb.config.ConnectionTarget;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.Redaction;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import javax.net.ssl.SSLException;

/**
 * A failed connection attempt, explained: what happened in the words operators search for
 * (the error texts as PostgreSQL prints them, which is what they search for), what to do about it, and whether trying again
 * can help.
 *
 * @param code      the error code (exit code) this failure maps to
 * @param summary   one line, e.g. {@code connection refused (localhost:5432)}
 * @param fix       what to do, naming the variable or command
 * @param retryable true when the same attempt may succeed later (server starting, network)
 */
public record ConnectionFailure(ErrorCode code, String summary, String fix, boolean retryable) {

    /** The full message: {@code Failed to connect to database: <summary>. <fix>} */
    public String message() {
        return "Failed to connect to database: " + summary + ". " + fix;
    }

    public BotDbException toException(Throwable cause) {
        return new BotDbException(code, message(), cause);
    }

    /** Explains {@code error}, raised while connecting to {@code target}. */
    public static ConnectionFailure classify(Throwable error, ConnectionTarget target) {
        String where = target instanceof PostgresTarget pg ? pg.urlHost() + ":" + pg.port() : target.displayName();
        String state = error instanceof SQLException sql && sql.getSQLState() != null ? sql.getSQLState() : "";
        String text = Redaction.maskUrl(String.valueOf(error.getMessage()));
        String user = target instanceof PostgresTarget pg ? pg.user() : "";
        String db = target instanceof PostgresTarget pg ? pg.database() : "";

        if (state.equals("28P01") || text.contains("password authentication failed")) {
            return new ConnectionFailure(ErrorCode.AUTH_FAILED,
                    "password authentication failed for user \"" + user + "\" (" + where + ")",
                    "Check " + named(target, "user", "user") + " and " + named(target, "password", "password")
                            + ", and that the server's pg_hba.conf allows this user from this host.", false);
        }
        if (state.equals("28000")) {
            return new ConnectionFailure(ErrorCode.AUTH_FAILED, firstLine(text) + " (" + where + ")",
                    "The server refused this user. Check the role exists (CREATE ROLE " + Dialect.POSTGRESQL.quote(user)
                            + " LOGIN PASSWORD '...')"
                            + " and that pg_hba.conf has a line allowing it from this host.", false);
        }
        if (state.equals("3D000")) {
            return new ConnectionFailure(ErrorCode.DATABASE_MISSING,
                    "database \"" + db + "\" does not exist (" + where + ")",
                    "Create it: createdb -h " + hostOf(target) + " -p " + portOf(target) + " -U " + user + " " + db
                            + "  (or in psql: CREATE DATABASE " + Dialect.POSTGRESQL.quote(db) + " OWNER "
                            + Dialect.POSTGRESQL.quote(user) + ";), or fix "
                            + named(target, "database", "database name") + ".", false);
        }
        boolean forRole = text.contains("too many connections for role");
        if (forRole || text.contains("too many connections for database")) {
            String object = forRole ? "ROLE " + Dialect.POSTGRESQL.quote(user) : "DATABASE " + Dialect.POSTGRESQL.quote(db);
            return new ConnectionFailure(ErrorCode.CONNECTION_FAILED, firstLine(text) + " (" + where + ")",
                    "The " + (forRole ? "role's" : "database's") + " own CONNECTION LIMIT is used up (not the server's"
                            + " max_connections). Lower DB_MAX_OPEN_CONNS (or PG_POOL_SIZE/PG_MAX_OVERFLOW) below it, end"
                            + " idle sessions, or as " + (forRole ? "a superuser" : "its owner") + " raise it: ALTER "
                            + object + " CONNECTION LIMIT -1;  (-1 = no limit, or give a number)", true);
        }
        if (state.equals("53300") || text.contains("too many clients") || text.contains("too many connections")) {
            return new ConnectionFailure(ErrorCode.CONNECTION_FAILED, firstLine(text) + " (" + where + ")",
                    "The server's max_connections is used up. Lower DB_MAX_OPEN_CONNS (or PG_POOL_SIZE/PG_MAX_OVERFLOW),"
                            + " end idle sessions, raise max_connections in postgresql.conf, or put PgBouncer in front.", true);
        }
        if (state.equals("57P03")) {
            return new ConnectionFailure(ErrorCode.CONNECTION_FAILED, "the database system is starting up (" + where + ")",
                    "Wait for the server to finish starting.", true);
        }
        if (text.contains("does not support SSL")) {
            return new ConnectionFailure(ErrorCode.CONNECTION_FAILED,
                    "the server does not support SSL, but sslmode=" + sslMode(target) + " requires it (" + where + ")",
                    "Enable ssl on the server (ssl = on in postgresql.conf, with a certificate), or, on a private"
                            + " network only, use sslmode=prefer or disable.", false);
        }
        Throwable root = rootCause(error);
        if (root instanceof SSLException || text.contains("SSL") || text.contains("certificate")) {
            return new ConnectionFailure(ErrorCode.CONNECTION_FAILED, "SSL negotiation failed: " + firstLine(text)
                    + " (" + where + ")",
                    "Check sslrootcert (the CA that signed the server certificate) and, for verify-full, that the host"
                            + " name matches the certificate.", false);
        }
        if (root instanceof UnknownHostException) {
            return new ConnectionFailure(ErrorCode.CONNECTION_FAILED,
                    "host '" + hostOf(target) + "' could not be resolved",
                    "Check " + named(target, "host", "host") + "; inside Docker Compose use the"
                            + " service name, outside it use localhost.", true);
        }
        if (root instanceof ConnectException || root instanceof NoRouteToHostException
                || text.contains("Connection refused")) {
            return new ConnectionFailure(ErrorCode.CONNECTION_FAILED, "connection refused (" + where + ")",
                    "Is PostgreSQL running? Check " + named(target, "host", "host") + " and "
                            + named(target, "port", "port") + ", and that the firewall allows"
                            + " connections on port " + portOf(target) + ".", true);
        }
        if (root instanceof SocketTimeoutException || text.contains("timed out")) {
            return new ConnectionFailure(ErrorCode.CONNECTION_FAILED, "timed out connecting (" + where + ")",
                    "The host did not answer: check the address, the port and any firewall in between;"
                            + " connect_timeout in DATABASE_URL sets how long to wait.", true);
        }
        return new ConnectionFailure(ErrorCode.CONNECTION_FAILED,
                firstLine(text) + (state.isEmpty() ? "" : " [SQLSTATE " + state + "]") + " (" + where + ")",
                "Run botdb config to see what botdb resolved, and botdb wait to retry until it answers.",
                state.startsWith("08") || state.isEmpty());
    }

    /** {@code the host (PSQL_DB_HOST)}: where the value came from, so the fix names that variable. */
    private static String named(ConnectionTarget t, String field, String words) {
        return t instanceof PostgresTarget pg ? pg.named(field, words) : "the " + words;
    }

    private static String sslMode(ConnectionTarget t) {
        return t instanceof PostgresTarget pg ? pg.sslMode().value() : "?";
    }

    private static String hostOf(ConnectionTarget t) {
        return t instanceof PostgresTarget pg ? pg.host() : "localhost";
    }

    private static String portOf(ConnectionTarget t) {
        return t instanceof PostgresTarget pg ? Integer.toString(pg.port()) : "5432";
    }

    private static String firstLine(String text) {
        String t = text.strip().replaceFirst("^(FATAL|ERROR): ", "");
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }

    private static Throwable rootCause(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r;
    }
}
