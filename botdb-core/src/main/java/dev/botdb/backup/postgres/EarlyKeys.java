package dev.botdb.backup.postgres;

import dev.botdb.backup.schema.DdlStatement;
import dev.botdb.backup.schema.SchemaDump;
import dev.botdb.backup.schema.Section;
import dev.botdb.backup.schema.TableInfo;
import dev.botdb.config.PostgresTarget;
import dev.botdb.pool.Connector;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Foreign keys created before the rows, on the still empty tables, so the restore needs no scan
 * to validate them, the longest part of adding a foreign key to a big table. The rows are then
 * loaded by sessions that fire no triggers ({@code session_replication_role = replica}, what
 * {@code pg_restore --disable-triggers} does for a data-only restore), so they are not checked row
 * by row either. That is sound because the rows are the backup's own, checked by checksum, read
 * in one snapshot of a database that enforced these keys: only keys the source had validated are
 * created early ({@code NOT VALID} ones stay where they were), with the primary and unique keys of
 * the tables they point at. Setting the role needs a superuser (or, from PostgreSQL 15,
 * {@code GRANT SET ON PARAMETER session_replication_role}); without it everything stays as it was:
 * keys after the rows, each validated by the server.
 */
public record EarlyKeys(SchemaDump rest, Set<String> referenced, int created) {
    // rest: the schema without what was created; referenced: tables that got a key early (TRUNCATE
    // would refuse them, so they load without FREEZE); created: foreign keys created early
    private static final Pattern FOREIGN_KEY = Pattern.compile(
            "ALTER TABLE ONLY (.+?) ADD CONSTRAINT .+ FOREIGN KEY \\(.*?\\) REFERENCES (.+?)\\(.*", Pattern.DOTALL);
    private static final Pattern KEY = Pattern.compile(
            "ALTER TABLE ONLY (.+?) ADD CONSTRAINT .+ (PRIMARY KEY|UNIQUE) .*", Pattern.DOTALL);

    /**
     * Creates what can be created early in {@code target} (whose tables exist and are empty) and
     * returns the rest of the schema; nothing created when the session may not turn triggers off.
     */
    public static EarlyKeys create(PostgresTarget target, SchemaDump schema, Consumer<String> log) throws SQLException {
        Set<String> partitioned = new HashSet<>();
        for (TableInfo t : schema.tables()) {
            if (t.partitionedParent()) {
                partitioned.add(t.name().sql());
            }
        }
        List<DdlStatement> foreignKeys = new ArrayList<>();
        Set<String> pointedAt = new HashSet<>();
        for (DdlStatement d : schema.statements()) {
            Matcher m = FOREIGN_KEY.matcher(d.sql());
            if (d.section() == Section.POST_DATA && d.kind().equals("FK CONSTRAINT") && m.matches()
                    && !d.sql().contains(" NOT VALID") && !partitioned.contains(m.group(1).strip())
                    && !partitioned.contains(m.group(2).strip())) {
                foreignKeys.add(d);
                pointedAt.add(m.group(2).strip());
            }
        }
        List<DdlStatement> keys = new ArrayList<>();
        for (DdlStatement d : schema.statements()) {
            Matcher m = KEY.matcher(d.sql());
            if (d.section() == Section.POST_DATA && d.kind().equals("CONSTRAINT") && m.matches()
                    && pointedAt.contains(m.group(1).strip())) {
                keys.add(d);
            }
        }
        if (foreignKeys.isEmpty()) {
            return new EarlyKeys(schema, Set.of(), 0);
        }
        List<DdlStatement> done = new ArrayList<>();
        Set<String> referenced = new HashSet<>();
        try (Connection c = Connector.open(target)) {
            PgRestore.session(c, schema);
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                try {
                    st.execute("SET LOCAL session_replication_role = replica");
                } catch (SQLException e) {
                    c.rollback();
                    log.accept("[Restore] Foreign keys are validated after the rows: this role may not set"
                            + " session_replication_role (" + e.getMessage() + ")");
                    return new EarlyKeys(schema, Set.of(), 0);
                }
                for (DdlStatement d : keys) {
                    if (tryRun(c, st, d)) {
                        done.add(d);
                        Matcher m = KEY.matcher(d.sql());
                        if (m.matches()) {
                            referenced.add(m.group(1).strip()); // the table, named as the loader names it
                        }
                    }
                }
                for (DdlStatement d : foreignKeys) {
                    // a key that points at a unique index (not a constraint) finds nothing to refer
                    // to yet: it waits for the rows like any other
                    if (tryRun(c, st, d)) {
                        done.add(d);
                    }
                }
            }
            c.commit();
        }
        List<DdlStatement> rest = new ArrayList<>(schema.statements());
        rest.removeAll(done);
        int created = (int) done.stream().filter(d -> d.kind().equals("FK CONSTRAINT")).count();
        log.accept(String.format(Locale.ROOT, "[Restore] %d of %d foreign keys created before the rows (no validation"
                + " scan: the rows are the backup's, loaded without triggers)", created, foreignKeys.size()));
        return new EarlyKeys(new SchemaDump(schema.serverVersionNum(), schema.serverVersion(), schema.preamble(), rest,
                schema.tables(), schema.sequenceValues(), schema.notes()), referenced, created);
    }

    private static boolean tryRun(Connection c, Statement st, DdlStatement d) throws SQLException {
        Savepoint sp = c.setSavepoint();
        try {
            st.execute(d.sql());
            c.releaseSavepoint(sp);
            return true;
        } catch (SQLException e) {
            c.rollback(sp);
            return false;
        }
    }
}
