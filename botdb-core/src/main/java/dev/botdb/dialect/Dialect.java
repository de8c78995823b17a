package dev.botdb.dialect;

import dev.botdb.config.Engine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/**
 * What differs between PostgreSQL and SQLite in the SQL botdb itself sends. Later features
 * (migrations, backups, inspection) add their engine-specific statements here.
 */
public enum Dialect {
    POSTGRESQL {
        @Override
        public ServerInfo serverInfo(Connection c) throws SQLException {
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("""
                         SELECT current_setting('server_version'),
                                current_setting('server_version_num')::int
                         """)) {
                rs.next();
                String version = rs.getString(1);
                int space = version.indexOf(' '); // Debian builds say "15.19 (Debian 15.19-0+deb12u1)"
                return new ServerInfo("PostgreSQL", space < 0 ? version : version.substring(0, space), rs.getInt(2));
            }
        }

        /** As PostgreSQL's {@code quote_ident}: plain lower-case names and unreserved keywords stay bare. */
        @Override
        public String quote(String identifier) {
            requireName(identifier);
            return PLAIN.matcher(identifier).matches() && !PgKeywords.QUOTED.contains(identifier) ? identifier
                    : delimited(identifier);
        }
    },
    SQLITE {
        @Override
        public ServerInfo serverInfo(Connection c) throws SQLException {
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT sqlite_version()")) {
                rs.next();
                String version = rs.getString(1);
                String[] p = version.split("\\.");
                int number = Integer.parseInt(p[0]) * 1_000_000 + Integer.parseInt(p[1]) * 1_000
                        + (p.length > 2 ? Integer.parseInt(p[2]) : 0);
                return new ServerInfo("SQLite", version, number);
            }
        }

        /** Always in double quotes: SQLite's keyword list grows with its versions, and quotes cost nothing. */
        @Override
        public String quote(String identifier) {
            requireName(identifier);
            return delimited(identifier);
        }
    };

    /** A name PostgreSQL's {@code quote_ident} leaves bare, keywords aside. */
    private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_]*");

    /** Asks the server for its product and version; also proves the connection answers queries. */
    public abstract ServerInfo serverInfo(Connection connection) throws SQLException;

    /**
     * An identifier (table, column, role, database, schema name) as this engine's SQL must write
     * it: the one quoter every statement botdb builds or prints goes through.
     *
     * @throws IllegalArgumentException for a null or empty name, which no SQL can write
     */
    public abstract String quote(String identifier);

    private static void requireName(String identifier) {
        if (identifier == null || identifier.isEmpty()) {
            throw new IllegalArgumentException("an identifier cannot be empty: SQL has no way to write a zero-length name");
        }
    }

    private static String delimited(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    public static Dialect of(Engine engine) {
        return engine == Engine.SQLITE ? SQLITE : POSTGRESQL;
    }
}
