package dev.botdb.config;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses a {@code DATABASE_URL} in every form the reference bots use:
 * <ul>
 *   <li>libpq URIs: {@code postgres://}, {@code postgresql://} (user and password percent-encoded,
 *       IPv6 hosts in brackets, default port 5432, libpq query parameters);</li>
 *   <li>SQLAlchemy URLs: {@code postgresql+asyncpg://}, {@code postgresql+psycopg2://},
 *       {@code sqlite:///relative.db}, {@code sqlite:////absolute.db},
 *       {@code sqlite+aiosqlite:///./bot_database.db};</li>
 *   <li>JDBC URLs: {@code jdbc:postgresql://host/db?user=..}, {@code jdbc:sqlite:path};</li>
 *   <li>{@code sqlite::memory:} and {@code sqlite:path}.</li>
 * </ul>
 * Any malformed input is rejected with a {@link BotDbException} of code
 * {@link ErrorCode#CONFIG_INVALID} that names the part that is wrong and shows a corrected
 * example; nothing else is ever thrown.
 */
final class DatabaseUrl {

    /** What a URL states; null fields were not given and may be filled from other variables. */
    record Parts(
            Engine engine,
            String host,
            Integer port,
            String database,
            String user,
            Secret password,
            SslMode sslMode,
            Map<String, String> parameters,
            Map<String, String> jdbcProperties,
            Path sqlitePath,
            boolean sqliteMemory,
            List<String> warnings) {
    }

    static final String PG_EXAMPLE = "postgres://bot:secret@localhost:5432/mybot?sslmode=require";
    static final String SQLITE_EXAMPLE = "sqlite:///./bot_database.db";

    /** libpq query parameters botdb understands, besides user/password/dbname/host/port/sslmode. */
    static final Set<String> PASSED_PARAMETERS =
            Set.of("sslrootcert", "sslcert", "sslkey", "connect_timeout", "application_name", "options");

    private static final Pattern SCHEME = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.\\-]*");
    private static final Pattern DRIVER_SUFFIX = Pattern.compile("\\+[a-z0-9_]+");

    private final String raw;
    /** The URL as messages show it, passwords masked. */
    private final String masked;
    private final String source;
    private final List<String> warnings = new ArrayList<>();

    private DatabaseUrl(String raw, String source) {
        this.raw = raw;
        this.masked = Redaction.maskConnectionUrl(raw);
        this.source = source;
    }

    /**
     * Parses {@code url}; {@code source} is the variable it came from (for messages).
     *
     * @throws BotDbException with {@link ErrorCode#CONFIG_INVALID} when the URL is malformed
     */
    static Parts parse(String url, String source) {
        return new DatabaseUrl(url.strip(), source).parse();
    }

    private Parts parse() {
        if (raw.isEmpty()) {
            throw fail("is empty", PG_EXAMPLE);
        }
        String lower = raw.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:")) {
            return parseJdbcPostgres(raw.substring("jdbc:postgresql:".length()));
        }
        if (lower.startsWith("jdbc:sqlite:")) {
            return sqlite(raw.substring("jdbc:sqlite:".length()));
        }
        int colon = raw.indexOf(':');
        if (colon <= 0 || !SCHEME.matcher(raw.substring(0, colon)).matches()) {
            throw fail("has no scheme: it must start with postgres://, postgresql://, sqlite:/// or jdbc:",
                    PG_EXAMPLE);
        }
        String scheme = lower.substring(0, colon);
        String base = scheme.contains("+") ? scheme.substring(0, scheme.indexOf('+')) : scheme;
        String driver = scheme.substring(base.length());
        if (!driver.isEmpty() && !DRIVER_SUFFIX.matcher(driver).matches()) {
            throw unknownScheme(scheme);
        }
        String rest = raw.substring(colon + 1);
        switch (base) {
            case "postgres", "postgresql", "pgsql" -> {
                if (!rest.startsWith("//")) {
                    throw fail("must have '//' after '" + scheme + ":'", PG_EXAMPLE);
                }
                return parsePostgresUri(rest.substring(2), !driver.isEmpty(), false);
            }
            case "sqlite", "sqlite3" -> {
                return sqliteUrl(rest);
            }
            default -> throw unknownScheme(scheme);
        }
    }

    private BotDbException unknownScheme(String scheme) {
        return fail("uses the unknown scheme " + quoted(scheme) + ". Supported: postgres://,"
                + " postgresql://, postgresql+asyncpg://, postgresql+psycopg2://, jdbc:postgresql://,"
                + " sqlite:///file.db, sqlite+aiosqlite:///file.db, jdbc:sqlite:file.db, sqlite::memory:",
                PG_EXAMPLE);
    }

    // ---- SQLite ------------------------------------------------------------------------------

    private Parts sqliteUrl(String rest) {
        String path;
        if (rest.startsWith("//")) {
            String afterSlashes = rest.substring(2);
            int q = afterSlashes.indexOf('?');
            String pathPart = q < 0 ? afterSlashes : afterSlashes.substring(0, q);
            if (pathPart.isEmpty()) {
                return sqliteParts(null, queryOf(afterSlashes)); // sqlite:// is SQLAlchemy's in-memory database
            }
            if (!pathPart.startsWith("/")) {
                throw fail("names a host (" + quoted(pathPart) + "); SQLite URLs have none."
                        + " Use three slashes for a relative path or four for an absolute one", SQLITE_EXAMPLE);
            }
            path = afterSlashes.substring(1); // sqlite:///rel.db -> rel.db, sqlite:////abs.db -> /abs.db
        } else {
            path = rest; // sqlite:rel.db, sqlite::memory:
        }
        return sqlite(path);
    }

    private Parts sqlite(String pathWithQuery) {
        int q = pathWithQuery.indexOf('?');
        String path = q < 0 ? pathWithQuery : pathWithQuery.substring(0, q);
        String query = q < 0 ? "" : pathWithQuery.substring(q + 1);
        if (path.equals(":memory:") || path.equals("file::memory:")) {
            return sqliteParts(null, query);
        }
        if (path.isEmpty()) {
            throw fail("names no database file", SQLITE_EXAMPLE);
        }
        if (path.indexOf('\0') >= 0) {
            throw fail("contains a NUL character in the file path", SQLITE_EXAMPLE);
        }
        try {
            return sqliteParts(Path.of(path), query);
        } catch (InvalidPathException e) {
            throw fail("has a file path that is not valid here: " + e.getReason(), SQLITE_EXAMPLE);
        }
    }

    private Parts sqliteParts(Path path, String query) {
        if (!query.isEmpty()) {
            warnings.add(source + ": query parameters of a SQLite URL are ignored (" + quoted(query)
                    + "); botdb sets WAL, foreign keys and the busy timeout itself");
        }
        return new Parts(Engine.SQLITE, null, null, null, null, null, null, Map.of(), Map.of(),
                path, path == null, List.copyOf(warnings));
    }

    private static String queryOf(String s) {
        int q = s.indexOf('?');
        return q < 0 ? "" : s.substring(q + 1);
    }

    // ---- PostgreSQL --------------------------------------------------------------------------

    private Parts parseJdbcPostgres(String rest) {
        if (rest.startsWith("//")) {
            return parsePostgresUri(rest.substring(2), false, true);
        }
        // jdbc:postgresql:database  (host localhost, port 5432)
        int q = rest.indexOf('?');
        String name = q < 0 ? rest : rest.substring(0, q);
        if (name.equals("/")) {
            name = ""; // jdbc:postgresql:/ names no database
        } else if (name.startsWith("/")) {
            throw fail("has a single '/' after 'jdbc:postgresql:', so " + quoted(name) + " would be the database"
                    + " name. Write jdbc:postgresql:mybot for a database on localhost, or two slashes before a"
                    + " host", "jdbc:postgresql://db.example.com:5432/mybot?user=bot&password=secret&sslmode=require");
        }
        String db = decode(name, "database name");
        Accumulator acc = new Accumulator();
        acc.database = db.isEmpty() ? null : db;
        if (q >= 0) {
            applyQuery(rest.substring(q + 1), acc, false, true);
        }
        return acc.toParts();
    }

    /** Everything after {@code scheme://}, following libpq's URI grammar. */
    private Parts parsePostgresUri(String s, boolean sqlalchemyDriver, boolean jdbc) {
        Accumulator acc = new Accumulator();
        int q = s.indexOf('?');
        String main = q < 0 ? s : s.substring(0, q);
        String query = q < 0 ? null : s.substring(q + 1);
        if (query != null && query.indexOf('@') >= 0) {
            // a password holding '?' (and maybe '@'): where it ends cannot be told, so it is not guessed
            throw fail("has an '@' after the '?'; a '?' inside a password must be percent-encoded as %3F"
                    + " (and an '@' in a parameter value as %40)", PG_EXAMPLE);
        }
        if (main.indexOf('#') >= 0) {
            throw fail("contains '#'; a '#' in a password or name must be percent-encoded as %23", PG_EXAMPLE);
        }

        // libpq: the user part ends at the first '@' that comes before any '/'.
        int i = 0;
        while (i < main.length() && main.charAt(i) != '@' && main.charAt(i) != '/') {
            i++;
        }
        if (i < main.length() && main.charAt(i) == '@') {
            String userInfo = main.substring(0, i);
            main = main.substring(i + 1);
            int colon = userInfo.indexOf(':');
            String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
            if (!user.isEmpty()) {
                acc.user = decode(user, "user name");
            }
            // libpq: an empty password ("bot:@host") is none, so PGPASSWORD or .pgpass may give one
            String password = colon < 0 ? "" : decode(userInfo.substring(colon + 1), "password");
            if (!password.isEmpty()) {
                acc.password = Secret.of(password);
            }
        }
        int slash = main.indexOf('/');
        String hostPort = slash < 0 ? main : main.substring(0, slash);
        if (hostPort.indexOf('@') >= 0 || (slash >= 0 && main.indexOf('@', slash) >= 0)) {
            throw fail("has an '@' where none belongs; an '@', ':' or '/' inside a user name or password"
                    + " must be percent-encoded (@ as %40, : as %3A, / as %2F)", PG_EXAMPLE);
        }
        parseHostPort(hostPort, acc);
        if (slash >= 0) {
            String db = decode(main.substring(slash + 1), "database name");
            acc.database = db.isEmpty() ? null : db;
        }
        if (query != null) {
            applyQuery(query, acc, sqlalchemyDriver, jdbc);
        }
        return acc.toParts();
    }

    private void parseHostPort(String hostPort, Accumulator acc) {
        if (hostPort.isEmpty()) {
            return;
        }
        if (hostPort.indexOf(',') >= 0) {
            throw fail("lists several hosts (" + quoted(hostPort) + "); botdb connects to one"
                    + " server. Put the primary's address in the URL", PG_EXAMPLE);
        }
        String host;
        String port = null;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw fail("has an unterminated '[' in the host: an IPv6 address must be closed with ']'",
                        "postgres://bot:secret@[::1]:5432/mybot");
            }
            host = hostPort.substring(1, close);
            if (host.isEmpty() || !host.matches("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.\\-]+)?")) {
                throw fail("has " + quoted(host) + " in brackets, which is not an IPv6 address",
                        "postgres://bot:secret@[::1]:5432/mybot");
            }
            String after = hostPort.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw fail("has " + quoted(after) + " after the IPv6 address; only ':port' may follow",
                            "postgres://bot:secret@[::1]:5432/mybot");
                }
                port = after.substring(1);
            }
        } else {
            int colon = hostPort.indexOf(':');
            if (colon >= 0 && hostPort.indexOf(':', colon + 1) >= 0) {
                throw fail("has several ':' in the host; an IPv6 address must be in brackets",
                        "postgres://bot:secret@[::1]:5432/mybot");
            }
            host = decode(colon < 0 ? hostPort : hostPort.substring(0, colon), "host");
            if (colon >= 0) {
                port = hostPort.substring(colon + 1);
            }
            if (host.startsWith("/")) {
                throw fail("names a Unix-domain socket directory as host; botdb connects over TCP."
                        + " Use host localhost (with listen_addresses including it)", PG_EXAMPLE);
            }
            if (!host.isEmpty() && !host.matches("[A-Za-z0-9_.\\-]+")) {
                throw fail("has a host name with characters no host name has: " + quoted(host)
                        + ". If part of it is a password, percent-encode the password", PG_EXAMPLE);
            }
        }
        if (!host.isEmpty()) {
            acc.host = host;
        }
        if (port != null && !port.isEmpty()) {
            acc.port = parsePort(port, "the port");
        }
    }

    private int parsePort(String text, String what) {
        if (!text.matches("[0-9]{1,5}")) {
            throw fail("has " + what + " " + quoted(text) + ", which is not a number."
                    + " A port is a whole number from 1 to 65535", PG_EXAMPLE);
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw fail("has " + what + " " + (masked.contains(text) ? port : Secret.MASK) + ", outside 1-65535",
                    PG_EXAMPLE);
        }
        return port;
    }

    private void applyQuery(String query, Accumulator acc, boolean sqlalchemyDriver, boolean jdbc) {
        if (query.isEmpty()) {
            return;
        }
        for (String pair : query.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw fail("has the query parameter " + quoted(pair) + " without '=value'", PG_EXAMPLE);
            }
            String key = decode(pair.substring(0, eq), "query parameter name");
            String value = decode(pair.substring(eq + 1), "value of query parameter " + quoted(key));
            applyParameter(key, value, acc, sqlalchemyDriver, jdbc);
        }
    }

    private void applyParameter(String key, String value, Accumulator acc, boolean sqlalchemyDriver, boolean jdbc) {
        String k = key;
        if (jdbc) { // pgjdbc spellings of libpq parameters
            k = switch (key) {
                case "connectTimeout" -> "connect_timeout";
                case "ApplicationName" -> "application_name";
                default -> key;
            };
        }
        switch (k) {
            case "user" -> acc.user = value.isEmpty() ? acc.user : value;
            case "password" -> acc.password = value.isEmpty() ? acc.password : Secret.of(value);
            case "dbname" -> acc.database = value.isEmpty() ? acc.database : value;
            case "host" -> parseHostPort(value.contains(":") && !value.startsWith("[") ? "[" + value + "]" : value, acc);
            case "port" -> acc.port = parsePort(value, "the port parameter");
            case "sslmode" -> acc.sslMode = sslMode(value, "");
            case "ssl" -> acc.sslFlag = parseSslFlag(value, jdbc);
            case "pgbouncer" -> {
                // PgBouncer in transaction mode (before 1.21) cannot keep server-side prepared
                // statements across transactions: make pgjdbc send every statement unnamed
                if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                    throw fail("has pgbouncer='" + Redaction.printable(value) + "'; use pgbouncer=true or false",
                            PG_EXAMPLE + "&pgbouncer=true");
                }
                if (value.equalsIgnoreCase("true")) {
                    acc.jdbcProperties.put("prepareThreshold", "0");
                }
            }
            case "connect_timeout" -> {
                if (!value.matches("[0-9]{1,6}")) {
                    throw fail("has connect_timeout " + quoted(value)
                            + ", which is not a whole number of seconds", PG_EXAMPLE + "&connect_timeout=10");
                }
                acc.parameters.put(k, Integer.toString(Integer.parseInt(value)));
            }
            default -> {
                if (PASSED_PARAMETERS.contains(k)) {
                    acc.parameters.put(k, value);
                } else if (jdbc) {
                    acc.jdbcProperties.put(key, value); // a pgjdbc property: pgjdbc validates it
                } else if (sqlalchemyDriver) {
                    warnings.add(source + ": ignoring the driver-specific parameter " + quoted(key));
                } else {
                    throw fail("has the unknown parameter " + quoted(key) + ". Supported: sslmode, "
                            + String.join(", ", PASSED_PARAMETERS.stream().sorted().toList())
                            + ", user, password, dbname, host, port, ssl, pgbouncer", PG_EXAMPLE);
                }
            }
        }
    }

    /**
     * asyncpg / pgjdbc style: ssl=true|false or ssl=&lt;sslmode&gt;. An sslmode parameter takes
     * precedence. pgjdbc reads ssl=true as verify-full (it checks certificate and host name, unlike
     * libpq); asyncpg reads it as require.
     */
    private SslMode parseSslFlag(String value, boolean jdbc) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "on", "yes" -> jdbc ? SslMode.VERIFY_FULL : SslMode.REQUIRE;
            case "false", "0", "off", "no" -> SslMode.DISABLE;
            default -> sslMode(value, " in the ssl parameter");
        };
    }

    private SslMode sslMode(String value, String where) {
        return SslMode.find(value).orElseThrow(() -> fail("has the unknown sslmode " + quoted(value) + where
                + ". Use one of: " + SslMode.allValues(), PG_EXAMPLE));
    }

    /** Strict percent-decoding: every '%' must start a valid escape; the bytes must be UTF-8. */
    private String decode(String text, String part) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            if (c == '%') {
                if (i + 2 >= text.length() || hex(text.charAt(i + 1)) < 0 || hex(text.charAt(i + 2)) < 0) {
                    throw fail("has a bad percent-escape in the " + part
                            + (part.equals("password") ? "" : " (" + quoted(text.substring(i, Math.min(text.length(), i + 3))) + ")")
                            + ": '%' must be followed by two hex digits; write a literal '%' as %25", PG_EXAMPLE);
                }
                bytes.write(hex(text.charAt(i + 1)) * 16 + hex(text.charAt(i + 2)));
                i += 3;
            } else {
                bytes.writeBytes(Character.toString(c).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw fail("has percent-escapes in the " + part + " that do not decode to UTF-8 text", PG_EXAMPLE);
        }
    }

    /** The value of an ASCII hex digit, or -1; Character.digit would also accept non-ASCII digits. */
    private static int hex(char c) {
        return c < 128 ? Character.digit(c, 16) : -1;
    }

    private BotDbException fail(String problem, String example) {
        return new BotDbException(ErrorCode.CONFIG_INVALID,
                source + " " + problem + ".\n  " + source + " was: " + Redaction.printable(masked)
                        + "\n  Example: " + source + "=" + example);
    }

    /**
     * A part of the URL, quoted, for a message; {@code '****'} when the masked URL does not show
     * it, since it may then be part of a password (an unencoded '&amp;' in a password parameter).
     */
    private String quoted(String part) {
        return "'" + (masked.contains(part) ? Redaction.printable(part) : Secret.MASK) + "'";
    }

    /** Mutable scratch state while one URL is parsed. */
    private final class Accumulator {
        String host;
        Integer port;
        String database;
        String user;
        Secret password;
        SslMode sslMode;
        /** From the ssl parameter; used only when no sslmode is given. */
        SslMode sslFlag;
        final Map<String, String> parameters = new LinkedHashMap<>();
        final Map<String, String> jdbcProperties = new LinkedHashMap<>();

        Parts toParts() {
            return new Parts(Engine.POSTGRESQL, host, port, database, user, password,
                    sslMode != null ? sslMode : sslFlag,
                    Map.copyOf(parameters), Map.copyOf(jdbcProperties), null, false, List.copyOf(warnings));
        }
    }
}
