package dev.botdb.backup.schema;

import dev.botdb.dialect.QualifiedName;
import com.fasterxml.jackson.jr.ob.JSON;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A PostgreSQL schema as DDL, split the way pg_dump splits it; what {@link PgSchemaReader#read}
 * returns and a backup stores as {@code schema.json}.
 *
 * <p>To restore: run {@link #preamble()} on every connection, then the {@link Section#PRE_DATA}
 * statements in order, load the rows of {@link #tables()} (skipping partitioned parents), run
 * {@link #sequenceValues()}, then the {@link Section#POST_DATA} statements phase by phase (see
 * {@link DdlStatement}).
 *
 * @param serverVersionNum {@code server_version_num} of the source, e.g. 150019
 * @param serverVersion {@code server_version} of the source, e.g. {@code 15.19}
 * @param preamble session settings every restoring connection runs first
 *     ({@code check_function_bodies = off}, an empty {@code search_path}, ...)
 * @param statements pre-data statements in dependency order, then post-data statements by phase
 * @param tables the tables whose rows the backup copies
 * @param sequenceValues {@code SELECT pg_catalog.setval(...)} per sequence, section DATA
 * @param notes what the dump leaves out that the database has (objects botdb does not cover,
 *     foreign keys to tables outside a selection, ...): a backup shows them as warnings
 */
public record SchemaDump(int serverVersionNum, String serverVersion, List<String> preamble, List<DdlStatement> statements,
                         List<TableInfo> tables, List<DdlStatement> sequenceValues, List<String> notes) {
    /** Format of {@link #toJson()}; {@link #fromJson} refuses other versions. */
    public static final int JSON_FORMAT = 1;

    public SchemaDump {
        preamble = List.copyOf(preamble);
        statements = List.copyOf(statements);
        tables = List.copyOf(tables);
        sequenceValues = List.copyOf(sequenceValues);
        notes = List.copyOf(notes);
    }

    /** The statements of one section, in order. */
    public List<DdlStatement> statements(Section section) {
        return statements.stream().filter(s -> s.section() == section).toList();
    }

    /**
     * SHA-256 (hex) of the schema's DDL: equal for a database and one restored from its dump, so
     * a verification can compare the two. Sequence values and table sizes are not part of it.
     */
    public String checksum() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (DdlStatement s : statements) {
                sha.update((s.section() + " " + s.phase() + " " + s.kind() + "\n" + s.sql() + "\n;\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The whole dump as one SQL script that psql could run (for reading and diffing, not for restoring). */
    public String script() {
        StringBuilder sb = new StringBuilder();
        for (String p : preamble) {
            sb.append(p).append(";\n");
        }
        List<DdlStatement> all = new ArrayList<>(statements(Section.PRE_DATA));
        all.addAll(sequenceValues);
        all.addAll(statements(Section.POST_DATA));
        for (DdlStatement s : all) {
            sb.append("\n-- ").append(s.section()).append(s.phase() > 0 ? " phase " + s.phase() : "")
                    .append(": ").append(s.kind()).append(' ').append(s.object()).append('\n')
                    .append(s.sql()).append(";\n");
        }
        return sb.toString();
    }

    /** The dump as JSON; {@link #fromJson} reads it back to an equal record. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", JSON_FORMAT);
        m.put("serverVersionNum", serverVersionNum);
        m.put("serverVersion", serverVersion);
        m.put("checksum", checksum());
        m.put("preamble", preamble);
        m.put("statements", statements.stream().map(SchemaDump::statementMap).toList());
        m.put("tables", tables.stream().map(t -> {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("name", nameMap(t.name()));
            tm.put("copyColumns", t.copyColumns());
            tm.put("estimatedBytes", t.estimatedBytes());
            tm.put("partitionedParent", t.partitionedParent());
            return tm;
        }).toList());
        m.put("sequenceValues", sequenceValues.stream().map(SchemaDump::statementMap).toList());
        m.put("notes", notes);
        try {
            return JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads what {@link #toJson()} wrote.
     *
     * @throws BotDbException ({@link ErrorCode#BACKUP_INVALID}) when the text is not such a dump,
     *     has another format version, or its checksum does not match its statements
     */
    @SuppressWarnings("unchecked")
    public static SchemaDump fromJson(String json) {
        try {
            Map<String, Object> m = JSON.std.mapFrom(json);
            Object format = m.get("format");
            if (!(format instanceof Number n) || n.intValue() != JSON_FORMAT) {
                throw invalid("its format is " + format + ", this botdb reads format " + JSON_FORMAT);
            }
            List<TableInfo> tables = new ArrayList<>();
            for (Map<String, Object> t : (List<Map<String, Object>>) m.get("tables")) {
                tables.add(new TableInfo(name(t.get("name")), (List<String>) t.get("copyColumns"),
                        ((Number) t.get("estimatedBytes")).longValue(), (Boolean) t.get("partitionedParent")));
            }
            SchemaDump dump = new SchemaDump(((Number) m.get("serverVersionNum")).intValue(), (String) m.get("serverVersion"),
                    (List<String>) m.get("preamble"), statements(m.get("statements")), tables,
                    statements(m.get("sequenceValues")), (List<String>) m.get("notes"));
            if (!dump.checksum().equals(m.get("checksum"))) {
                throw invalid("its statements do not match their checksum " + m.get("checksum"));
            }
            return dump;
        } catch (IOException | ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw invalid("it is not valid schema JSON (" + e.getMessage() + ")");
        }
    }

    private static BotDbException invalid(String why) {
        return new BotDbException(ErrorCode.BACKUP_INVALID, "The backup's schema.json cannot be used: " + why
                + ". The file is damaged or was written by another program; use another backup.");
    }

    private static Map<String, Object> statementMap(DdlStatement s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("section", s.section().name());
        m.put("phase", s.phase());
        m.put("kind", s.kind());
        m.put("object", nameMap(s.object()));
        m.put("table", nameMap(s.table()));
        m.put("sql", s.sql());
        return m;
    }

    @SuppressWarnings("unchecked")
    private static List<DdlStatement> statements(Object list) {
        List<DdlStatement> out = new ArrayList<>();
        for (Map<String, Object> s : (List<Map<String, Object>>) list) {
            out.add(new DdlStatement(Section.valueOf((String) s.get("section")), ((Number) s.get("phase")).intValue(),
                    (String) s.get("kind"), name(s.get("object")), name(s.get("table")), (String) s.get("sql")));
        }
        return out;
    }

    private static Map<String, Object> nameMap(QualifiedName n) {
        if (n == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", n.schema());
        m.put("name", n.name());
        return m;
    }

    @SuppressWarnings("unchecked")
    private static QualifiedName name(Object o) {
        if (o == null) {
            return null;
        }
        Map<String, Object> m = (Map<String, Object>) o;
        return new QualifiedName((String) m.get("schema"), (String) m.get("name"));
    }
}
