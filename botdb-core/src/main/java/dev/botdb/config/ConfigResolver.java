package dev.botdb.config;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;

/**
 * Turns environment variables into a {@link BotDbConfig}. Precedence, highest first:
 * <ol>
 *   <li>{@code DATABASE_URL};</li>
 *   <li>the projects' split variables {@code POSTGRES_*} (Activity Challenge Bot, USN bot) and
 *       {@code PSQL_DB_*} (Alita): they fill what the URL leaves out, and a value that disagrees
 *       with the URL or with the other family is an error, because one of them is stale;</li>
 *   <li>libpq's {@code PG*} variables, which only fill gaps, as in libpq itself;</li>
 *   <li>the password file ({@code PGPASSFILE} or {@code ~/.pgpass}), for the password only;</li>
 *   <li>defaults: host localhost, port 5432, the operating-system user, sslmode prefer.</li>
 * </ol>
 * With none of the variables that name a server set, the target is the embedded PostgreSQL.
 */
final class ConfigResolver {

    /** Variables whose presence means "a PostgreSQL server is configured". */
    static final List<String> SERVER_VARIABLES = List.of("DATABASE_URL", "POSTGRES_HOST", "POSTGRES_DB",
            "PSQL_DB_HOST", "PSQL_DB_NAME", "PGHOST", "PGDATABASE");
    static final String DEFAULT_DATA_DIR = ".botdb/postgres";
    /** The port variable of the family each host variable belongs to, for messages. */
    private static final Map<String, String> PORT_VARIABLE = Map.of(
            "POSTGRES_HOST", "POSTGRES_PORT", "PSQL_DB_HOST", "PSQL_DB_PORT", "PGHOST", "PGPORT");
    /** An IPv6 address (loosely: hex digits, dots and at least one ':'), with an optional zone. */
    private static final String IPV6 = "[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.\\-]+)?";
    private static final String HOST_NAME = "[A-Za-z0-9_.\\-]+";

    private final Env env;
    private final Map<String, String> vars;
    private final List<String> warnings = new ArrayList<>();

    private ConfigResolver(Map<String, String> vars) {
        this.vars = Env.withoutNulls(vars);
        this.env = new Env(this.vars);
    }

    static BotDbConfig resolve(Map<String, String> vars) {
        return new ConfigResolver(vars).resolve();
    }

    private BotDbConfig resolve() {
        String envName = env.get("BOTDB_ENV").orElse("development").toLowerCase(Locale.ROOT);
        boolean production = envName.equals("production") || envName.equals("prod");
        boolean allowInsecure = env.flag("BOTDB_ALLOW_INSECURE", false);
        ConnectionTarget target = resolveTarget(production);
        PoolSettings pool = PoolSettings.resolve(env, target.engine(), warnings);
        if (target instanceof SqliteTarget sqlite && sqlite.inMemory() && pool.maxSize() > 1) {
            warnings.add("sqlite::memory: is private to one connection, so the pool holds exactly one connection"
                    + " that is never replaced; use a file (sqlite:///./bot.db) to share data between connections");
        }
        if (target instanceof PostgresTarget pg) {
            pg.insecureWarning().ifPresent(warnings::add);
        }
        return new BotDbConfig(target, pool, production, allowInsecure, MigrationSettings.resolve(env), warnings);
    }

    private ConnectionTarget resolveTarget(boolean production) {
        Optional<String> url = env.get("DATABASE_URL");
        DatabaseUrl.Parts parts = null;
        if (url.isPresent()) {
            parts = DatabaseUrl.parse(url.get(), "DATABASE_URL");
            warnings.addAll(parts.warnings());
            if (parts.engine() == Engine.SQLITE) {
                return new SqliteTarget(parts.sqlitePath(), "DATABASE_URL");
            }
        } else if (SERVER_VARIABLES.stream().noneMatch(env::has)) {
            if (production) {
                throw new BotDbException(ErrorCode.CONFIG_INVALID,
                        "BOTDB_ENV=production but no database is configured, and botdb will not start an embedded"
                                + " server in production. Set DATABASE_URL, e.g."
                                + " DATABASE_URL=postgres://bot:secret@db.example.com:5432/mybot?sslmode=require");
            }
            Path dir = Path.of(env.get("BOTDB_DATA_DIR").orElse(DEFAULT_DATA_DIR));
            return new EmbeddedTarget(dir, env.has("BOTDB_DATA_DIR") ? "BOTDB_DATA_DIR" : "default");
        }
        return postgres(parts);
    }

    private PostgresTarget postgres(DatabaseUrl.Parts url) {
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("engine", url != null ? "DATABASE_URL" : "split variables");
        String host = host(url, sources);
        int port = port(url, sources);
        String user = user(url, sources);
        String database = database(url, host, port, sources);
        Secret password = pick("password", url == null ? null : url.password(), "POSTGRES_PASSWORD",
                "PSQL_DB_PASSWORD", "PGPASSWORD", (name, v) -> Secret.of(v), Secret::equals, sources);
        if (password == null) {
            password = passwordFile(host, port, database, user, sources);
        }
        SslMode asked = sslMode(url, sources);
        Map<String, String> parameters = parameters(url, sources);
        SslMode sslMode = verifyCaWithRootCertificate(asked, parameters, sources);
        warnAboutPemKey(parameters.get("sslkey"));
        Map<String, String> jdbc = url == null ? Map.of() : url.jdbcProperties();
        jdbc.keySet().forEach(k -> sources.put(k, "DATABASE_URL"));
        return new PostgresTarget(host, port, database, user, password, sslMode, parameters, jdbc, sources);
    }

    private String host(DatabaseUrl.Parts url, Map<String, String> sources) {
        String host = pick("host", url == null ? null : url.host(), "POSTGRES_HOST", "PSQL_DB_HOST", "PGHOST",
                ConfigResolver::hostVariable, ConfigResolver::sameHost, sources);
        if (host == null) {
            host = "localhost";
            sources.put("host", "default");
        }
        return host;
    }

    private int port(DatabaseUrl.Parts url, Map<String, String> sources) {
        Integer port = pick("port", url == null ? null : url.port(), "POSTGRES_PORT", "PSQL_DB_PORT", "PGPORT",
                (name, v) -> env.intIn(name, 1, 65535, "TCP port").orElseThrow(), Integer::equals, sources);
        if (port == null) {
            port = PostgresTarget.DEFAULT_PORT;
            sources.put("port", "default");
        }
        return port;
    }

    private String user(DatabaseUrl.Parts url, Map<String, String> sources) {
        String user = pick("user", url == null ? null : url.user(), "POSTGRES_USER", "PSQL_DB_USER", "PGUSER",
                (name, v) -> v, String::equals, sources);
        if (user == null) {
            user = env.get("USER").or(() -> Optional.ofNullable(System.getProperty("user.name")))
                    .filter(u -> !u.isBlank()).orElse("postgres");
            sources.put("user", "default (operating-system user, as libpq)");
        }
        return user;
    }

    private String database(DatabaseUrl.Parts url, String host, int port, Map<String, String> sources) {
        String database = pick("database", url == null ? null : url.database(), "POSTGRES_DB", "PSQL_DB_NAME",
                "PGDATABASE", (name, v) -> v, String::equals, sources);
        if (database == null) {
            throw new BotDbException(ErrorCode.CONFIG_INVALID, "No database name: "
                    + (url != null ? "DATABASE_URL names none (nothing after the last '/')" : "no variable names one")
                    + " and POSTGRES_DB, PSQL_DB_NAME and PGDATABASE are unset."
                    + " Put it at the end of the URL: DATABASE_URL=postgres://bot:secret@" + host + ":" + port + "/mybot");
        }
        return database;
    }

    private SslMode sslMode(DatabaseUrl.Parts url, Map<String, String> sources) {
        SslMode sslMode = url == null ? null : url.sslMode();
        if (sslMode != null) {
            sources.put("sslmode", "DATABASE_URL");
        } else if (env.has("PGSSLMODE")) {
            sslMode = SslMode.parse(env.get("PGSSLMODE").get(), "PGSSLMODE");
            sources.put("sslmode", "PGSSLMODE");
        } else {
            sslMode = SslMode.PREFER;
            sources.put("sslmode", "default (libpq's prefer)");
        }
        return sslMode;
    }

    /** The URL's libpq parameters, then the PG* variables for those it lacks, then botdb's defaults. */
    private Map<String, String> parameters(DatabaseUrl.Parts url, Map<String, String> sources) {
        Map<String, String> parameters = new LinkedHashMap<>(url == null ? Map.of() : url.parameters());
        parameters.keySet().forEach(k -> sources.put(k, "DATABASE_URL"));
        fill(parameters, sources, "sslrootcert", "PGSSLROOTCERT");
        fill(parameters, sources, "sslcert", "PGSSLCERT");
        fill(parameters, sources, "sslkey", "PGSSLKEY");
        fill(parameters, sources, "application_name", "PGAPPNAME");
        fill(parameters, sources, "options", "PGOPTIONS");
        if (!parameters.containsKey("connect_timeout")) {
            env.intIn("PGCONNECT_TIMEOUT", 0, 86_400, "seconds").ifPresent(v -> {
                parameters.put("connect_timeout", v.toString());
                sources.put("connect_timeout", "PGCONNECT_TIMEOUT");
            });
        }
        if (!parameters.containsKey("application_name")) {
            parameters.put("application_name", "botdb");
            sources.put("application_name", "default");
        }
        return parameters;
    }

    /** libpq: "require" with a root certificate present verifies the chain, like verify-ca. */
    private SslMode verifyCaWithRootCertificate(SslMode sslMode, Map<String, String> parameters,
                                                Map<String, String> sources) {
        if (sslMode != SslMode.REQUIRE) {
            return sslMode;
        }
        String explicitRoot = parameters.get("sslrootcert");
        Path defaultRoot = home().resolve(".postgresql").resolve("root.crt");
        if (explicitRoot != null && !explicitRoot.equals("system")) {
            sources.put("sslmode", sources.get("sslmode") + ": require with sslrootcert means verify-ca, as in libpq");
            return SslMode.VERIFY_CA;
        }
        if (explicitRoot == null && Files.isRegularFile(defaultRoot)) {
            parameters.put("sslrootcert", defaultRoot.toString());
            sources.put("sslrootcert", "default (~/.postgresql/root.crt exists)");
            sources.put("sslmode", sources.get("sslmode") + ": require with a root certificate means verify-ca, as in libpq");
            return SslMode.VERIFY_CA;
        }
        return sslMode;
    }

    private void warnAboutPemKey(String key) {
        if (key != null && !(key.endsWith(".pk8") || key.endsWith(".p12") || key.endsWith(".pfx")
                || key.endsWith(".der"))) {
            warnings.add("sslkey " + key + ": the Java driver reads client keys in PKCS-8 DER (.pk8) or PKCS-12"
                    + " (.p12) form. Convert a PEM key with: openssl pkcs8 -topk8 -outform DER -nocrypt -in "
                    + key + " -out client.pk8");
        }
    }

    /**
     * The first of URL value, primary variable, alternative variable that is set; they must agree.
     * The libpq variable is only a fallback.
     */
    private <T> T pick(String field, T fromUrl, String primary, String alternative, String libpq,
                       BiFunction<String, String, T> convert, BiPredicate<T, T> same,
                       Map<String, String> sources) {
        List<String> names = new ArrayList<>();
        List<T> values = new ArrayList<>();
        if (fromUrl != null) {
            names.add("DATABASE_URL");
            values.add(fromUrl);
        }
        for (String name : List.of(primary, alternative)) {
            Optional<String> v = field.equals("password") ? rawValue(name) : env.get(name);
            if (v.isPresent()) {
                names.add(name);
                values.add(convert.apply(name, v.get()));
            }
        }
        for (int i = 1; i < values.size(); i++) {
            if (!same.test(values.get(0), values.get(i))) {
                String detail = field.equals("password") ? "give different passwords"
                        : "disagree: " + names.get(0) + " says " + field + " '" + Redaction.printable(values.get(0).toString())
                        + "' but " + names.get(i) + " says '" + Redaction.printable(values.get(i).toString()) + "'";
                throw new BotDbException(ErrorCode.CONFIG_INVALID, "Contradictory variables: " + names.get(0) + " and "
                        + names.get(i) + " " + detail + ". One of them is stale: make them agree, or unset "
                        + names.get(i) + " and keep " + names.get(0) + " alone.");
            }
        }
        if (!values.isEmpty()) {
            sources.put(field, names.get(0));
            return values.get(0);
        }
        Optional<String> fallback = field.equals("password") ? rawValue(libpq) : env.get(libpq);
        if (fallback.isPresent()) {
            sources.put(field, libpq);
            return convert.apply(libpq, fallback.get());
        }
        return null;
    }

    /** Passwords are taken as written: leading or trailing spaces may be part of them. */
    private Optional<String> rawValue(String name) {
        String v = vars.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    /**
     * The host a host variable names: a host name, an IPv4 address or an IPv6 address, bracketed
     * or not ({@code [::1]} gives {@code ::1}). Anything else, a port included, is refused.
     */
    private static String hostVariable(String name, String value) {
        String example = " Example: " + name + "=db.example.com, with the port in " + PORT_VARIABLE.get(name) + "=5432";
        String shown = "'" + Redaction.printable(Redaction.maskConnectionUrl(value)) + "'";
        if (value.contains("://") || value.indexOf('@') >= 0) {
            throw new BotDbException(ErrorCode.CONFIG_INVALID, name + " holds a URL or user name (" + shown
                    + "), but it takes a host name or IP address alone. Put a whole URL in DATABASE_URL instead,"
                    + " or give only the host." + example);
        }
        if (value.indexOf(',') >= 0) {
            throw new BotDbException(ErrorCode.CONFIG_INVALID, name + " lists several hosts (" + shown
                    + "); botdb connects to one server. Put the primary's address in " + name + "."
                    + example);
        }
        if (value.startsWith("/")) {
            throw new BotDbException(ErrorCode.CONFIG_INVALID, name + " names a Unix-domain socket directory ("
                    + shown + "); botdb connects over TCP. Use a host name, e.g. " + name + "=localhost");
        }
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            String inner = close < 0 ? "" : value.substring(1, close);
            if (close == value.length() - 1 && inner.matches(IPV6)) {
                return inner;
            }
            if (close > 0 && inner.matches(IPV6) && value.substring(close + 1).matches(":[0-9]*")) {
                throw new BotDbException(ErrorCode.CONFIG_INVALID, name + " has a port in it (" + shown
                        + "); give the address alone and the port in " + PORT_VARIABLE.get(name) + "."
                        + " Example: " + name + "=" + inner + " and " + PORT_VARIABLE.get(name) + "=5432");
            }
            throw new BotDbException(ErrorCode.CONFIG_INVALID, name + " has " + shown + ", which is not an IPv6"
                    + " address in brackets. Give a host name or an IP address alone." + example);
        }
        if (value.matches(IPV6) && value.indexOf(':') != value.lastIndexOf(':')) {
            return value; // an IPv6 address without brackets, as libpq takes it
        }
        int colon = value.indexOf(':');
        if (colon > 0 && value.indexOf(':', colon + 1) < 0 && value.substring(colon + 1).matches("[0-9]*")
                && value.substring(0, colon).matches(HOST_NAME)) {
            throw new BotDbException(ErrorCode.CONFIG_INVALID, name + " has a port in it (" + shown
                    + "); give the host alone and the port in " + PORT_VARIABLE.get(name) + "." + example);
        }
        if (!value.matches(HOST_NAME)) {
            throw new BotDbException(ErrorCode.CONFIG_INVALID, name + " has characters no host name has: " + shown
                    + ". Give a host name or an IP address alone." + example);
        }
        return value;
    }

    private static boolean sameHost(String a, String b) {
        return a.equalsIgnoreCase(b) || (PostgresTarget.isLocalHost(a) && PostgresTarget.isLocalHost(b));
    }

    private void fill(Map<String, String> parameters, Map<String, String> sources, String key, String variable) {
        if (!parameters.containsKey(key)) {
            env.get(variable).ifPresent(v -> {
                parameters.put(key, v);
                sources.put(key, variable);
            });
        }
    }

    private Secret passwordFile(String host, int port, String database, String user, Map<String, String> sources) {
        Path file;
        String display;
        if (env.has("PGPASSFILE")) {
            file = Path.of(env.get("PGPASSFILE").get());
            display = file.toString();
        } else {
            file = home().resolve(".pgpass");
            display = "~/.pgpass";
        }
        Optional<PgPass.Match> match = PgPass.lookup(file, display, host, port, database, user, warnings);
        if (match.isPresent()) {
            sources.put("password", match.get().source());
            return match.get().password();
        }
        sources.put("password", "none (not in DATABASE_URL, POSTGRES_PASSWORD, PSQL_DB_PASSWORD, PGPASSWORD or " + display + ")");
        return null;
    }

    private Path home() {
        return Path.of(env.get("HOME").orElse(System.getProperty("user.home")));
    }
}
