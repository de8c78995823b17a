package dev.botdb.pool;

import dev.botdb.config.ConnectionTarget;
import dev.botdb.config.PoolSettings;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source without a pool: each {@code getConnection()} opens a connection of its own, which
 * {@code close()} ends. For a short command that uses one connection at a time (botdb status): a pool
 * would start its threads and open connections it never lends, costing such a command a fifth of its
 * cold start.
 */
public final class DirectConnections implements DataSource {
    private final ConnectionTarget target;
    private final PoolSettings settings;

    public DirectConnections(ConnectionTarget target, PoolSettings settings) {
        this.target = target;
        this.settings = settings;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return Connector.open(target, settings);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the user and password come from the configuration (DATABASE_URL)");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // nothing is logged through DriverManager's writer
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // the configuration's connect timeout applies
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("botdb logs through slf4j");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("DirectConnections is not a " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
