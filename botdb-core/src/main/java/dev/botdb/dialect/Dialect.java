package dev.botdb.dialect;

import dev.botdb.config.Engine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

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
    };

    /** Asks the server for its product and version; also proves the connection answers queries. */
    public abstract ServerInfo serverInfo(Connection connection) throws SQLException;

    public static Dialect of(Engine engine) {
        return engine == Engine.SQLITE ? SQLITE : POSTGRESQL;
    }
}
