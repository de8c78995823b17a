package dev.botdb.maintain;

import static dev.botdb.maintain.PgMaintenance.CATALOG_TIMEOUT;
import static dev.botdb.maintain.PgMaintenance.timeouts;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.PostgresTarget;
import dev.botdb.maintain.PgMaintenance.Relation;
import dev.botdb.maintain.PgMaintenance.Server;
import dev.botdb.text.Human;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What VACUUM FULL or a database-wide REINDEX would touch, for the confirmation prompt: each
 * table's size, what gets locked, a rough duration and the disk space it needs. Sizing waits at
 * most 200 ms for a table's lock and falls back to the catalog's estimate, so it never makes the
 * bot wait.
 */
final class PgPlan {
    /** How long the size estimate waits for a table's lock before estimating. */
    private static final Duration PLAN_LOCK_TIMEOUT = Duration.ofMillis(200);
    /** A rough rewrite rate for the prompt's time estimate; a busy or spinning disk is slower. */
    private static final long REWRITE_BYTES_PER_SECOND = 50L << 20;
    private static final int LISTED_TABLES = 10;

    private final PostgresTarget target;

    PgPlan(PostgresTarget target) {
        this.target = target;
    }

    private static final String SIZES = """
            SELECT pg_table_size(?::oid), pg_indexes_size(?::oid)
            """;

    /** The catalog's estimate, which needs no lock: pages counted by the last VACUUM, ANALYZE or CREATE INDEX. */
    private static final String ESTIMATED_SIZES = """
            SELECT (c.relpages + coalesce(t.relpages, 0))::bigint * current_setting('block_size')::bigint,
                   coalesce((SELECT sum(ic.relpages) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                             WHERE i.indrelid = c.oid), 0)::bigint * current_setting('block_size')::bigint
            FROM pg_class c
            LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
            WHERE c.oid = ?
            """;

    MaintenancePlan plan(MaintainRequest request) {
        try (Connection c = PgMaintenance.open(target)) {
            Server server = PgMaintenance.server(c);
            List<MaintenancePlan.PlannedTable> tables = new ArrayList<>();
            for (Relation r : PgMaintenance.relations(c, request, server)) {
                tables.add(planned(c, r));
            }
            return new MaintenancePlan(request.operation(), server.database(), tables, warning(request, server, tables));
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.INTERNAL, "Could not size the tables of " + target.displayName() + ": "
                    + PgMaintenance.message(e), e);
        }
    }

    private static MaintenancePlan.PlannedTable planned(Connection c, Relation r) throws SQLException {
        try {
            timeouts(c, PLAN_LOCK_TIMEOUT, CATALOG_TIMEOUT);
            return sizes(c, r, SIZES, 2, false);
        } catch (SQLException e) {
            if (!"55P03".equals(e.getSQLState())) {
                throw e;
            }
            timeouts(c, CATALOG_TIMEOUT, CATALOG_TIMEOUT);
            return sizes(c, r, ESTIMATED_SIZES, 1, true);
        }
    }

    private static MaintenancePlan.PlannedTable sizes(Connection c, Relation r, String sql, int params, boolean estimated)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 1; i <= params; i++) {
                ps.setLong(i, r.oid());
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new MaintenancePlan.PlannedTable(r.display(), rs.getLong(1), rs.getLong(2), estimated);
            }
        }
    }

    private static String warning(MaintainRequest request, Server server, List<MaintenancePlan.PlannedTable> tables) {
        long total = 0;
        long largest = 0;
        long indexes = 0;
        long largestIndex = 0;
        for (MaintenancePlan.PlannedTable t : tables) {
            total += t.totalBytes();
            largest = Math.max(largest, t.totalBytes());
            indexes += t.indexBytes();
            largestIndex = Math.max(largestIndex, t.indexBytes());
        }
        List<MaintenancePlan.PlannedTable> bySize = tables.stream()
                .sorted(Comparator.comparingLong(MaintenancePlan.PlannedTable::totalBytes).reversed()).toList();
        StringBuilder list = new StringBuilder();
        for (MaintenancePlan.PlannedTable t : bySize.subList(0, Math.min(LISTED_TABLES, bySize.size()))) {
            list.append(list.length() == 0 ? "" : ", ").append(t.table()).append(" (")
                    .append(t.estimated() ? "about " : "").append(Human.bytes(t.totalBytes()));
            if (t.totalBytes() >= REWRITE_BYTES_PER_SECOND) {
                list.append(", locked for ").append(estimate(t.totalBytes()));
            }
            list.append(")");
        }
        if (bySize.size() > LISTED_TABLES) {
            list.append(" and ").append(bySize.size() - LISTED_TABLES).append(" smaller");
        }
        if (request.operation() == Operation.VACUUM_FULL) {
            return "VACUUM FULL rewrites each table into a new file and holds an ACCESS EXCLUSIVE lock on it meanwhile:"
                    + " the bot can neither read nor write a table until its rewrite ends (other tables stay usable)."
                    + " In " + server.database() + ": " + Human.plural(tables.size(), "table", "tables") + ", "
                    + list + "; " + Human.bytes(total) + " in all, which takes " + estimate(total) + " at "
                    + Human.bytes(REWRITE_BYTES_PER_SECOND) + "/s (slower disks take longer). It needs free disk"
                    + " space for a copy of the largest table with its indexes (" + Human.bytes(largest) + ")."
                    + " Plain `botdb maintain vacuum` takes no such lock.";
        }
        String how = server.major() >= 12
                ? "REINDEX CONCURRENTLY builds each index anew next to the old one: the bot keeps reading and writing,"
                + " but each table's schema cannot change meanwhile and the disk is busy"
                : "REINDEX (PostgreSQL " + server.major() + " cannot do it CONCURRENTLY) blocks writes to each table,"
                + " and reads that use its indexes, while they are rebuilt";
        return how + ". In " + server.database() + ": every index of " + Human.plural(tables.size(), "table", "tables")
                + " (" + Human.bytes(indexes) + " of indexes; largest tables: " + list + "), which takes "
                + estimate(indexes) + " at " + Human.bytes(REWRITE_BYTES_PER_SECOND) + "/s. It needs free disk space"
                + " for the largest table's indexes (" + Human.bytes(largestIndex) + ").";
    }

    private static String estimate(long bytes) {
        long seconds = bytes / REWRITE_BYTES_PER_SECOND;
        return seconds < 1 ? "under a second" : "about " + MaintenanceText.timeout(Duration.ofSeconds(seconds));
    }
}
