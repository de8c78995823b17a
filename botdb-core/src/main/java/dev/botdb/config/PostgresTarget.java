package dev.botdb.config;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A PostgreSQL server as libpq would connect to it.
 *
 * @param host           host name or IP address (IPv6 without brackets)
 * @param port           TCP port
 * @param database       database name
 * @param user           role name
 * @param password       password, or null when none was configured anywhere
 * @param sslMode        libpq sslmode
 * @param parameters     further libpq parameters by their libpq names: {@code sslrootcert},
 *                       {@code sslcert}, {@code sslkey}, {@code connect_timeout},
 *                       {@code application_name}, {@code options}
 * @param jdbcProperties pgjdbc properties passed through verbatim from a {@code jdbc:postgresql:} URL
 * @param sources        for each setting name, where its value came from
 */
public record PostgresTarget(
        String host,
        int port,
        String database,
        String user,
        Secret password,
        SslMode sslMode,
        Map<String, String> parameters,
        Map<String, String> jdbcProperties,
        Map<String, String> sources) implements ConnectionTarget {

    public static final int DEFAULT_PORT = 5432;

    public PostgresTarget {
        parameters = Map.copyOf(parameters);
        jdbcProperties = Map.copyOf(jdbcProperties);
        sources = Map.copyOf(sources);
    }

    @Override
    public Engine engine() {
        return Engine.POSTGRESQL;
    }

    /** True for loopback addresses and {@code localhost}: traffic that never leaves the machine. */
    public boolean isLocal() {
        return isLocalHost(host);
    }

    static boolean isLocalHost(String host) {
        String h = host.toLowerCase(java.util.Locale.ROOT);
        return h.equals("localhost") || h.endsWith(".localhost") || h.startsWith("127.")
                || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
    }

    /** The host as it appears in a URL: IPv6 addresses in brackets. */
    public String urlHost() {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /** The JDBC URL without user or password; those travel as connection properties. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + urlHost() + ":" + port + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The same server, another database (for scratch and maintenance databases). */
    public PostgresTarget withDatabase(String otherDatabase) {
        Map<String, String> src = new TreeMap<>(sources);
        src.put("database", "derived");
        return new PostgresTarget(host, port, otherDatabase, user, password, sslMode, parameters, jdbcProperties, src);
    }

    @Override
    public String displayName() {
        return "postgresql://" + user + "@" + urlHost() + ":" + port + "/" + database;
    }

    /**
     * A warning when this connection may travel unencrypted across a network, or empty when it
     * cannot (local host, or an sslmode that always encrypts).
     */
    public java.util.Optional<String> insecureWarning() {
        if (isLocal() || sslMode.alwaysEncrypted()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("sslmode=" + sslMode.value() + " to " + host
                + " (from " + sources.getOrDefault("sslmode", "default")
                + ") may send data, including the password, unencrypted over the network."
                + " Use sslmode=require (or verify-full with sslrootcert) for remote servers.");
    }

    /**
     * For fix lines: {@code the host (PSQL_DB_HOST)}, naming the variable {@code field} (host, port,
     * user, password, database) came from, or {@code the port (not set: the default)}.
     */
    public String named(String field, String words) {
        String from = sources.get(field);
        return "the " + words + " (" + (from == null || from.startsWith("default") ? "not set: the default" : from) + ")";
    }

    private String src(String key) {
        return sources.getOrDefault(key, "default");
    }

    @Override
    public List<Setting> describe() {
        List<Setting> rows = new ArrayList<>();
        rows.add(new Setting("engine", "postgresql", src("engine")));
        rows.add(new Setting("host", host, src("host")));
        rows.add(new Setting("port", Integer.toString(port), src("port")));
        rows.add(new Setting("database", database, src("database")));
        rows.add(new Setting("user", user, src("user")));
        rows.add(new Setting("password", password == null ? "(none)" : Secret.MASK, src("password")));
        rows.add(new Setting("sslmode", sslMode.value(), src("sslmode")));
        new TreeMap<>(parameters).forEach((k, v) -> rows.add(new Setting(k, v, src(k))));
        maskedJdbcProperties().forEach((k, v) -> rows.add(new Setting(k, v, src(k))));
        return rows;
    }

    /** The pgjdbc properties, sorted, with password-like ones ({@code sslpassword}) masked. */
    private Map<String, String> maskedJdbcProperties() {
        Map<String, String> masked = new TreeMap<>();
        jdbcProperties.forEach((k, v) ->
                masked.put(k, k.toLowerCase(java.util.Locale.ROOT).contains("password") ? Secret.MASK : v));
        return masked;
    }

    /** The record's usual form, with the password-like pgjdbc properties masked too. */
    @Override
    public String toString() {
        return "PostgresTarget[host=" + host + ", port=" + port + ", database=" + database + ", user=" + user
                + ", password=" + password + ", sslMode=" + sslMode + ", parameters=" + parameters
                + ", jdbcProperties=" + maskedJdbcProperties() + ", sources=" + sources + "]";
    }
}
