package dev.botdb.transfer;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The tables of the target's current schema, as the transfer needs them: columns and their types, keys. */
final class TargetTables {
    /**
     * A column. {@code type} is the base type's name ({@code int8}, {@code timestamptz}, a domain's base type),
     * {@code typmod} its modifier, {@code enumType} true for an enum, {@code sequence} the identity or serial
     * sequence behind it (or null), {@code generatedStored} for a stored generated column (computed there, not copied).
     */
    record Column(String name, String type, String displayType, int typmod, boolean enumType, boolean notNull,
                  boolean hasDefault, String sequence, boolean generatedStored) {
    }

    /** A foreign key constraint on {@code table}, with its definition to add it back. */
    record ForeignKey(String table, String name, String referenced, String definition) {
    }

    /**
     * An index of a loaded table, dropped before the copy and built again after it (a sort is far faster than
     * inserting millions of keys one by one): {@code constraint} names the PRIMARY KEY or UNIQUE constraint it
     * backs (added back with {@code definition}), or is null for a plain index ({@code definition} is its CREATE).
     */
    record Index(String table, String name, String constraint, String definition) {
    }

    record Table(String schema, String name, List<Column> columns) {
        String sql() {
            return quote(schema) + "." + quote(name);
        }
    }

    private final Map<String, Table> byLowerName;
    private final List<ForeignKey> foreignKeys;
    private final String schema;

    private TargetTables(String schema, Map<String, Table> byLowerName, List<ForeignKey> foreignKeys) {
        this.schema = schema;
        this.byLowerName = byLowerName;
        this.foreignKeys = foreignKeys;
    }

    static TargetTables read(Connection c) {
        try {
            String schema;
            try (var s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_schema()")) {
                rs.next();
                schema = rs.getString(1);
            }
            if (schema == null) {
                throw new BotDbException(ErrorCode.TRANSFER_REFUSED, "The target has no current schema (search_path"
                        + " names no schema that exists). Create it or set search_path, then run botdb transfer again.");
            }
            Map<String, Table> tables = new LinkedHashMap<>();
            Map<String, List<Column>> columns = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT c.relname, a.attname,
                           coalesce(bt.typname, t.typname) AS base_type,
                           format_type(a.atttypid, a.atttypmod) AS display_type,
                           CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod,
                           coalesce(bt.typtype, t.typtype) = 'e' AS is_enum,
                           a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) AS not_null,
                           a.atthasdef OR a.attidentity <> '' OR (t.typtype = 'd' AND t.typdefault IS NOT NULL) AS has_default,
                           pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) AS seq,
                           a.attgenerated = 's' AS generated_stored
                      FROM pg_class c
                      JOIN pg_namespace n ON n.oid = c.relnamespace
                      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                      JOIN pg_type t ON t.oid = a.atttypid
                      LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
                     WHERE n.nspname = ? AND c.relkind IN ('r', 'p')
                     ORDER BY c.relname, a.attnum""")) {
                ps.setString(1, schema);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        columns.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new Column(rs.getString(2),
                                rs.getString(3), rs.getString(4), rs.getInt(5), rs.getBoolean(6), rs.getBoolean(7),
                                rs.getBoolean(8), rs.getString(9), rs.getBoolean(10)));
                    }
                }
            }
            columns.forEach((name, cols) -> tables.putIfAbsent(name.toLowerCase(java.util.Locale.ROOT),
                    new Table(schema, name, List.copyOf(cols))));
            // an exact-case name wins over a case-insensitive one
            columns.forEach((name, cols) -> {
                if (!name.equals(name.toLowerCase(java.util.Locale.ROOT))
                        && columns.containsKey(name.toLowerCase(java.util.Locale.ROOT))) {
                    tables.put(name, new Table(schema, name, List.copyOf(cols)));
                }
            });
            List<ForeignKey> keys = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT c.relname, k.conname, r.relname, pg_get_constraintdef(k.oid)
                      FROM pg_constraint k
                      JOIN pg_class c ON c.oid = k.conrelid
                      JOIN pg_class r ON r.oid = k.confrelid
                      JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE k.contype = 'f' AND n.nspname = ?
                     ORDER BY c.relname, k.conname""")) {
                ps.setString(1, schema);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        keys.add(new ForeignKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                    }
                }
            }
            return new TargetTables(schema, tables, List.copyOf(keys));
        } catch (SQLException e) {
            throw new BotDbException(ErrorCode.TRANSFER_FAILED, "Cannot read the target's tables: " + e.getMessage(), e);
        }
    }

    String schema() {
        return schema;
    }

    /** The table named {@code name}: the same spelling, or else the only one that differs only in case. */
    Table find(String name) {
        Table exact = byLowerName.get(name);
        if (exact != null && exact.name().equals(name)) {
            return exact;
        }
        return byLowerName.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    /** Foreign keys that involve any of {@code tables} (as referencing or referenced table). */
    List<ForeignKey> foreignKeysOf(java.util.Set<String> tables) {
        return foreignKeys.stream().filter(k -> tables.contains(k.table()) || tables.contains(k.referenced())).toList();
    }

    /** The indexes of {@code tables} (PRIMARY KEY and UNIQUE ones as their constraints), to drop and build again. */
    static List<Index> indexesOf(Connection c, String schema, java.util.Collection<String> tables) throws SQLException {
        List<Index> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT t.relname, i.relname, k.conname,
                       CASE WHEN k.oid IS NULL THEN pg_get_indexdef(i.oid) ELSE pg_get_constraintdef(k.oid) END
                  FROM pg_index x
                  JOIN pg_class i ON i.oid = x.indexrelid
                  JOIN pg_class t ON t.oid = x.indrelid
                  JOIN pg_namespace n ON n.oid = t.relnamespace
                  LEFT JOIN pg_constraint k ON k.conindid = x.indexrelid AND k.contype IN ('p', 'u')
                 WHERE n.nspname = ? AND t.relname = ANY (?) AND x.indisvalid
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint e WHERE e.conindid = x.indexrelid AND e.contype = 'x')
                 ORDER BY t.relname, i.relname""")) {
            ps.setString(1, schema);
            ps.setArray(2, c.createArrayOf("text", tables.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Index(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
        }
        return out;
    }

    static Column column(Table t, String name) {
        for (Column c : t.columns()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        for (Column c : t.columns()) {
            if (c.name().equalsIgnoreCase(name)) {
                return c;
            }
        }
        return null;
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
