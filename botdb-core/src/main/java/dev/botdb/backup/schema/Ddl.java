package dev.botdb.backup.schema;

import dev.botdb.dialect.QualifiedName;
import static dev.botdb.backup.schema.Sql.literal;
import static dev.botdb.backup.schema.Sql.q;

import dev.botdb.backup.schema.CatalogQueries.Column;
import dev.botdb.backup.schema.CatalogQueries.Constraint;
import dev.botdb.backup.schema.CatalogQueries.Extension;
import dev.botdb.backup.schema.CatalogQueries.Function;
import dev.botdb.backup.schema.CatalogQueries.Index;
import dev.botdb.backup.schema.CatalogQueries.Policy;
import dev.botdb.backup.schema.CatalogQueries.Relation;
import dev.botdb.backup.schema.CatalogQueries.Rule;
import dev.botdb.backup.schema.CatalogQueries.Sequence;
import dev.botdb.backup.schema.CatalogQueries.Trigger;
import dev.botdb.backup.schema.CatalogQueries.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.LongToIntFunction;

/**
 * Writes the statements: pre-data in the order the reader hands the objects over, post-data
 * collected with their phase and lane and sorted at the end.
 */
final class Ddl {
    /** Post-data statements sort by phase, lane, partition depth, table, kind and name. */
    private record Post(DdlStatement statement, int depth, String tableKey, int kindOrder, String nameKey, int seq) {
    }

    private static final List<String> PHASE3_KINDS = List.of("CHECK CONSTRAINT", "ROW SECURITY", "POLICY", "TRIGGER",
            "TRIGGER STATE", "RULE", "RULE STATE", "REPLICA IDENTITY", "CLUSTER", "COMMENT", "OWNER", "ACL", "DEFAULT ACL");

    private final int version;
    private final Map<Long, Relation> relations;
    private final Map<Long, List<Column>> columns;
    private final Map<Long, List<Long>> parents;
    private final List<Sequence> sequences;
    private final Map<Long, List<String>> enumLabels;
    private final Map<Long, CatalogQueries.Range> ranges;
    private final List<DdlStatement> pre = new ArrayList<>();
    private final List<Post> post = new ArrayList<>();
    /** Post-data objects actually written, so comments go only to objects that will exist. */
    private final Set<Long> written = new HashSet<>();
    private final Map<Long, Index> indexes = new HashMap<>();

    Ddl(int version, Map<Long, Relation> relations, Map<Long, List<Column>> columns, Map<Long, List<Long>> parents,
        List<Sequence> sequences, Map<Long, List<String>> enumLabels, Map<Long, CatalogQueries.Range> ranges) {
        this.version = version;
        this.relations = relations;
        this.columns = columns;
        this.parents = parents;
        this.sequences = sequences;
        this.enumLabels = enumLabels;
        this.ranges = ranges;
    }

    /** Pre-data in order, then post-data by phase and lane. */
    List<DdlStatement> statements() {
        List<Post> sorted = new ArrayList<>(post);
        sorted.sort(Comparator.comparingInt((Post p) -> p.statement().phase())
                .thenComparing(p -> laneKey(p.statement().table()))
                .thenComparingInt(Post::depth)
                .thenComparing(Post::tableKey)
                .thenComparingInt(Post::kindOrder)
                .thenComparing(Post::nameKey)
                .thenComparingInt(Post::seq));
        List<DdlStatement> out = new ArrayList<>(pre);
        sorted.forEach(p -> out.add(p.statement()));
        return out;
    }

    private static String laneKey(QualifiedName table) {
        return table == null ? "" : "\u0001" + table.schema() + "\u0000" + table.name();
    }

    private void pre(String kind, QualifiedName object, QualifiedName table, String sql) {
        pre.add(new DdlStatement(Section.PRE_DATA, 0, kind, object, table, sql));
    }

    private void post(int phase, String kind, QualifiedName object, QualifiedName lane, int depth, QualifiedName table,
                      String sql) {
        int kindOrder = phase == 3 ? PHASE3_KINDS.indexOf(kind) : 0;
        post.add(new Post(new DdlStatement(Section.POST_DATA, phase, kind, object, lane, sql), depth,
                table == null ? "" : laneKey(table), kindOrder, object.toString(), post.size()));
    }

    /** A phase-3 statement in the lane of {@code table} (or the null lane). */
    private void post3(String kind, QualifiedName object, QualifiedName table, String sql) {
        post(3, kind, object, table, 0, table, sql);
    }

    // ---- pre-data

    void schema(QualifiedName name) {
        pre("SCHEMA", name, null, "CREATE SCHEMA IF NOT EXISTS " + q(name.name()));
    }

    void extension(Extension x) {
        pre("EXTENSION", new QualifiedName(null, x.name()), null,
                "CREATE EXTENSION IF NOT EXISTS " + q(x.name()) + " WITH SCHEMA " + q(x.schema()));
    }

    void type(Type t, List<Constraint> constraints) {
        QualifiedName name = new QualifiedName(t.schema(), t.name());
        switch (t.typtype()) {
            case 'e' -> {
                List<String> labels = enumLabels.getOrDefault(t.oid(), List.of()).stream().map(Sql::literal).toList();
                pre("TYPE", name, null, "CREATE TYPE " + name.sql() + " AS ENUM (" + (labels.isEmpty() ? "" : "\n    "
                        + String.join(",\n    ", labels) + "\n") + ")");
            }
            case 'c' -> {
                List<String> attrs = new ArrayList<>();
                for (Column c : columns.getOrDefault(t.relid(), List.of())) {
                    attrs.add(q(c.name()) + " " + c.type() + (c.collation() == null ? "" : " COLLATE " + c.collation()));
                }
                pre("TYPE", name, null, "CREATE TYPE " + name.sql() + " AS (" + (attrs.isEmpty() ? "" : "\n    "
                        + String.join(",\n    ", attrs) + "\n") + ")");
            }
            case 'r' -> {
                CatalogQueries.Range r = ranges.get(t.oid());
                List<String> opts = new ArrayList<>();
                opts.add("subtype = " + r.subtype());
                opts.add("subtype_opclass = " + r.opclass());
                if (r.collation() != null) {
                    opts.add("collation = " + r.collation());
                }
                if (r.subtypeDiff() != null) {
                    opts.add("subtype_diff = " + r.subtypeDiff());
                }
                opts.add("multirange_type_name = " + r.multirange());
                pre("TYPE", name, null, "CREATE TYPE " + name.sql() + " AS RANGE (\n    " + String.join(",\n    ", opts)
                        + "\n)");
            }
            default -> domain(t, name, constraints);
        }
    }

    private void domain(Type t, QualifiedName name, List<Constraint> constraints) {
        StringBuilder sb = new StringBuilder("CREATE DOMAIN " + name.sql() + " AS " + t.baseType());
        if (t.collation() != null) {
            sb.append(" COLLATE ").append(t.collation());
        }
        if (t.defaultExpr() != null) {
            sb.append(" DEFAULT ").append(t.defaultExpr());
        }
        boolean namedNotNull = false;
        for (Constraint c : constraints) {
            if (c.type() == 'n') {
                sb.append("\n    CONSTRAINT ").append(q(c.name())).append(" NOT NULL");
                namedNotNull = true;
            }
        }
        if (t.notNull() && !namedNotNull) {
            sb.append(" NOT NULL");
        }
        for (Constraint c : constraints) {
            if (c.type() == 'c' && c.validated()) {
                sb.append("\n    CONSTRAINT ").append(q(c.name())).append(' ').append(c.definition());
            }
        }
        pre("DOMAIN", name, null, sb.toString());
        for (Constraint c : constraints) {
            if (c.type() == 'c' && !c.validated()) {
                post3("CHECK CONSTRAINT", new QualifiedName(t.schema(), c.name()), null,
                        "ALTER DOMAIN " + name.sql() + " ADD CONSTRAINT " + q(c.name()) + " " + c.definition());
            }
            written.add(c.oid());
        }
    }

    void function(Function f) {
        pre(f.kind() == 'p' ? "PROCEDURE" : "FUNCTION", functionName(f), null, Sql.trimStatement(f.definition()));
    }

    private static QualifiedName functionName(Function f) {
        return new QualifiedName(f.schema(), f.name() + "(" + f.identityArgs() + ")");
    }

    private static String functionSql(Function f) {
        return q(f.schema(), f.name()) + "(" + f.identityArgs() + ")";
    }

    void sequence(Sequence s) {
        QualifiedName name = new QualifiedName(s.schema(), s.name());
        pre("SEQUENCE", name, null, "CREATE " + (s.unlogged() ? "UNLOGGED " : "") + "SEQUENCE " + name.sql()
                + (s.dataType().equals("bigint") ? "" : "\n    AS " + s.dataType())
                + sequenceOptions(s, "\n    "));
    }

    private static String sequenceOptions(Sequence s, String separator) {
        return separator + "START WITH " + s.start()
                + separator + "INCREMENT BY " + s.increment()
                + separator + "MINVALUE " + s.min()
                + separator + "MAXVALUE " + s.max()
                + separator + "CACHE " + s.cache()
                + (s.cycle() ? separator + "CYCLE" : "");
    }

    void ownedBy(Sequence s, Relation owner) {
        QualifiedName name = new QualifiedName(s.schema(), s.name());
        pre("SEQUENCE OWNED BY", name, owner.qualified(), "ALTER SEQUENCE " + name.sql() + " OWNED BY "
                + owner.qualified().sql() + "." + q(s.ownerColumn()));
    }

    void view(Relation r) {
        String def = Sql.trimStatement(r.viewDefinition());
        if (r.kind() == 'v') {
            pre("VIEW", r.qualified(), null, "CREATE VIEW " + r.qualified().sql() + Sql.options(r.options(), List.of())
                    + " AS\n " + def);
        } else {
            pre("MATERIALIZED VIEW", r.qualified(), null, "CREATE MATERIALIZED VIEW " + r.qualified().sql()
                    + (r.accessMethod() == null ? "" : " USING " + r.accessMethod())
                    + Sql.options(r.options(), List.of()) + " AS\n " + def + "\n  WITH NO DATA");
        }
        columnSettings(r);
    }

    /**
     * CREATE TABLE with its columns and valid checks. A partition is created {@code PARTITION OF}
     * its parent (the columns come from there); an inheritance child lists its own columns only.
     */
    void table(Relation r, List<Constraint> constraints) {
        List<Long> parentOids = parents.getOrDefault(r.oid(), List.of());
        List<Column> parentColumns = new ArrayList<>();
        parentOids.forEach(p -> parentColumns.addAll(columns.getOrDefault(p, List.of())));
        boolean child = !parentOids.isEmpty();
        List<String> items = new ArrayList<>();
        for (Column c : columns.getOrDefault(r.oid(), List.of())) {
            if (r.partition()) {
                String options = partitionColumnOptions(c, parentColumns);
                if (!options.isEmpty()) {
                    items.add(q(c.name()) + " WITH OPTIONS" + options);
                }
            } else if (c.local() || !child) {
                items.add(columnDefinition(r, c, constraints));
            }
        }
        for (Constraint c : constraints) {
            if (c.type() == 'c' && c.local() && c.validated()) {
                items.add("CONSTRAINT " + q(c.name()) + " " + c.definition());
                written.add(c.oid());
            }
        }
        StringBuilder sb = new StringBuilder("CREATE ");
        if (r.persistence() == 'u') {
            sb.append("UNLOGGED ");
        }
        sb.append("TABLE ").append(r.qualified().sql());
        if (r.partition()) {
            sb.append(" PARTITION OF ").append(relations.get(parentOids.get(0)).qualified().sql());
            if (!items.isEmpty()) {
                sb.append(" (\n    ").append(String.join(",\n    ", items)).append("\n)");
            }
            sb.append("\n").append(r.partitionBound());
        } else {
            sb.append(" (").append(items.isEmpty() ? "" : "\n    " + String.join(",\n    ", items) + "\n").append(")");
            if (child) {
                sb.append("\nINHERITS (").append(String.join(", ", parentOids.stream()
                        .map(p -> relations.get(p).qualified().sql()).toList())).append(")");
            }
        }
        if (r.partitionKey() != null) {
            sb.append("\nPARTITION BY ").append(r.partitionKey());
        }
        if (r.accessMethod() != null) {
            sb.append("\nUSING ").append(r.accessMethod());
        }
        sb.append(Sql.options(r.options(), r.toastOptions()));
        pre("TABLE", r.qualified(), r.qualified(), sb.toString());
        if (child && !r.partition()) {
            inheritedColumnSettings(r, parentColumns);
        }
        columnSettings(r);
        notNullNotValid(r, constraints);
    }

    private String columnDefinition(Relation r, Column c, List<Constraint> constraints) {
        StringBuilder sb = new StringBuilder(q(c.name())).append(' ').append(c.type());
        if (c.collation() != null) {
            sb.append(" COLLATE ").append(c.collation());
        }
        if (c.generated() == 's' || c.generated() == 'v') {
            sb.append(" GENERATED ALWAYS AS (").append(c.defaultExpr()).append(c.generated() == 's' ? ") STORED" : ") VIRTUAL");
        } else if (c.identity() != ' ') {
            sb.append(" GENERATED ").append(c.identity() == 'a' ? "ALWAYS" : "BY DEFAULT").append(" AS IDENTITY");
            Sequence s = sequences.stream()
                    .filter(x -> x.ownDeptype() == 'i' && x.ownerRelid() == r.oid() && c.name().equals(x.ownerColumn()))
                    .findFirst().orElse(null);
            if (s != null) {
                sb.append(" (\n        SEQUENCE NAME ").append(q(s.schema(), s.name()))
                        .append(sequenceOptions(s, "\n        ")).append("\n    )");
            }
        } else if (c.defaultExpr() != null) {
            sb.append(" DEFAULT ").append(c.defaultExpr());
        }
        sb.append(notNull(r, c, constraints));
        return sb.toString();
    }

    /**
     * NOT NULL; from PostgreSQL 18 on a NOT NULL is a named constraint, and a name other than the
     * one PostgreSQL would choose is kept.
     */
    private String notNull(Relation r, Column c, List<Constraint> constraints) {
        if (version >= 180000) {
            for (Constraint n : constraints) {
                if (n.type() == 'n' && c.name().equals(n.column())) {
                    written.add(n.oid());
                    if (!n.validated()) {
                        return "";
                    }
                    String sql = n.name().equals(r.name() + "_" + c.name() + "_not_null") ? " NOT NULL"
                            : " CONSTRAINT " + q(n.name()) + " NOT NULL";
                    return n.noInherit() ? sql + " NO INHERIT" : sql;
                }
            }
        }
        return c.notNull() ? " NOT NULL" : "";
    }

    private void notNullNotValid(Relation r, List<Constraint> constraints) {
        for (Constraint n : constraints) {
            if (n.type() == 'n' && !n.validated() && n.local() && version >= 180000) {
                post3("CHECK CONSTRAINT", new QualifiedName(r.schema(), n.name()), r.qualified(), "ALTER TABLE ONLY "
                        + r.qualified().sql() + " ADD CONSTRAINT " + q(n.name()) + " " + n.definition());
            }
        }
    }

    /** What a partition's column has that its parent's has not: its own default or NOT NULL. */
    private static String partitionColumnOptions(Column c, List<Column> parentColumns) {
        Column p = parentColumns.stream().filter(x -> x.name().equals(c.name())).findFirst().orElse(null);
        StringBuilder sb = new StringBuilder();
        if (p != null && c.generated() == ' ' && c.identity() == ' ' && c.defaultExpr() != null
                && !c.defaultExpr().equals(p.defaultExpr())) {
            sb.append(" DEFAULT ").append(c.defaultExpr());
        }
        if (p != null && c.notNull() && !p.notNull()) {
            sb.append(" NOT NULL");
        }
        return sb.toString();
    }

    /** An inheritance child's inherited columns with a default or NOT NULL of their own. */
    private void inheritedColumnSettings(Relation r, List<Column> parentColumns) {
        for (Column c : columns.getOrDefault(r.oid(), List.of())) {
            if (c.local()) {
                continue;
            }
            Column p = parentColumns.stream().filter(x -> x.name().equals(c.name())).findFirst().orElse(null);
            String target = "ALTER TABLE ONLY " + r.qualified().sql() + " ALTER COLUMN " + q(c.name());
            if (c.defaultExpr() != null && (p == null || !c.defaultExpr().equals(p.defaultExpr()))) {
                pre("DEFAULT", r.qualified(), r.qualified(), target + " SET DEFAULT " + c.defaultExpr());
            }
            if (c.notNull() && p != null && !p.notNull()) {
                pre("TABLE ATTRIBUTE", r.qualified(), r.qualified(), target + " SET NOT NULL");
            }
        }
    }

    /** Per-column statistics targets, storage, compression and options. */
    private void columnSettings(Relation r) {
        String alter = switch (r.kind()) {
            case 'v' -> "ALTER VIEW ";
            case 'm' -> "ALTER MATERIALIZED VIEW ";
            default -> "ALTER TABLE ONLY ";
        };
        for (Column c : columns.getOrDefault(r.oid(), List.of())) {
            String target = alter + r.qualified().sql() + " ALTER COLUMN " + q(c.name());
            if (r.kind() == 'v') {
                if (c.defaultExpr() != null) {
                    pre("DEFAULT", r.qualified(), r.qualified(), target + " SET DEFAULT " + c.defaultExpr());
                }
                continue;
            }
            if (c.statistics() != null) {
                pre("TABLE ATTRIBUTE", r.qualified(), r.qualified(), target + " SET STATISTICS " + c.statistics());
            }
            if (c.storage() != c.typeStorage()) {
                String storage = switch (c.storage()) {
                    case 'p' -> "PLAIN";
                    case 'e' -> "EXTERNAL";
                    case 'm' -> "MAIN";
                    default -> "EXTENDED";
                };
                pre("TABLE ATTRIBUTE", r.qualified(), r.qualified(), target + " SET STORAGE " + storage);
            }
            if (c.compression() != null) {
                pre("TABLE ATTRIBUTE", r.qualified(), r.qualified(), target + " SET COMPRESSION " + c.compression());
            }
            if (!c.options().isEmpty()) {
                pre("TABLE ATTRIBUTE", r.qualified(), r.qualified(), target + " SET ("
                        + Sql.options(c.options(), List.of()).substring(" WITH (".length()));
            }
        }
    }

    // ---- post-data

    /** Where each included relation's post-data statements run: its lane and its depth in the partition tree. */
    record Lanes(Set<Long> included, LongFunction<QualifiedName> lane, LongToIntFunction depth) {
    }

    /** The post-data objects read from the catalogs, of every relation (the included ones are picked here). */
    record PostDataObjects(List<Constraint> constraints, List<Index> indexes, List<Trigger> triggers, List<Rule> rules,
                           List<Policy> policies) {
    }

    /**
     * Constraints, indexes, foreign keys, NOT VALID checks, triggers, rules, row-level security
     * and policies of the included relations.
     */
    void postData(PostDataObjects objects, Lanes lanes) {
        objects.indexes().forEach(i -> indexes.put(i.oid(), i));
        objects.constraints().forEach(c -> constraint(c, lanes));
        objects.indexes().forEach(i -> index(i, lanes));
        objects.triggers().forEach(t -> trigger(t, lanes));
        objects.rules().forEach(u -> rule(u, lanes));
        lanes.included().forEach(this::tableSettings);
        objects.policies().forEach(p -> policy(p, lanes));
    }

    private void constraint(Constraint c, Lanes lanes) {
        if (c.relid() == 0 || !lanes.included().contains(c.relid())) {
            return;
        }
        Relation r = relations.get(c.relid());
        QualifiedName name = new QualifiedName(r.schema(), c.name());
        String only = r.kind() == 'p' ? "ALTER TABLE " : "ALTER TABLE ONLY ";
        String add = " ADD CONSTRAINT " + q(c.name()) + " " + c.definition();
        switch (c.type()) {
            case 'p', 'u', 'x' -> {
                post(1, "CONSTRAINT", name, lanes.lane().apply(r.oid()), lanes.depth().applyAsInt(r.oid()), r.qualified(),
                        "ALTER TABLE ONLY " + r.qualified().sql() + add);
                written.add(c.oid());
            }
            case 'f' -> {
                if (c.parentId() == 0 && lanes.included().contains(c.refRelid())) {
                    post(2, "FK CONSTRAINT", name, r.qualified(), 0, r.qualified(), only + r.qualified().sql() + add);
                    written.add(c.oid());
                }
            }
            case 'c' -> {
                if (c.local() && !c.validated()) {
                    post3("CHECK CONSTRAINT", name, r.qualified(), only + r.qualified().sql() + add);
                    written.add(c.oid());
                }
            }
            default -> {
            }
        }
    }

    private void index(Index i, Lanes lanes) {
        if (!lanes.included().contains(i.relid())) {
            return;
        }
        Relation r = relations.get(i.relid());
        QualifiedName name = new QualifiedName(i.schema(), i.name());
        QualifiedName laneName = lanes.lane().apply(r.oid());
        int d = lanes.depth().applyAsInt(r.oid());
        if (!i.constraintBacked()) {
            post(1, "INDEX", name, laneName, d, r.qualified(), i.definition());
        }
        Index parent = indexes.get(i.parent());
        if (parent != null && lanes.included().contains(parent.relid())) {
            // kind order 1: after the partition's own constraint or index
            post.add(new Post(new DdlStatement(Section.POST_DATA, 1, "INDEX ATTACH", name, laneName,
                    "ALTER INDEX " + q(parent.schema(), parent.name()) + " ATTACH PARTITION " + name.sql()),
                    d, laneKey(r.qualified()), 1, name.toString(), post.size()));
        }
        if (i.clustered()) {
            post3("CLUSTER", name, r.qualified(), "ALTER TABLE " + r.qualified().sql() + " CLUSTER ON " + q(i.name()));
        }
        if (i.replicaIdentity() && r.replicaIdentity() == 'i') {
            post3("REPLICA IDENTITY", r.qualified(), r.qualified(), "ALTER TABLE ONLY " + r.qualified().sql()
                    + " REPLICA IDENTITY USING INDEX " + q(i.name()));
        }
        written.add(i.oid());
    }

    private void trigger(Trigger t, Lanes lanes) {
        attached("TRIGGER", t.relid(), t.name(), t.definition(), t.enabled(), t.oid(), lanes);
    }

    private void rule(Rule u, Lanes lanes) {
        attached("RULE", u.relid(), u.name(), u.definition(), u.enabled(), u.oid(), lanes);
    }

    /** A trigger or rule of an included table, and its enabled state when not the default. */
    private void attached(String kind, long relid, String objectName, String definition, char enabled, long oid,
                          Lanes lanes) {
        if (!lanes.included().contains(relid)) {
            return;
        }
        Relation r = relations.get(relid);
        QualifiedName name = new QualifiedName(r.schema(), objectName);
        post3(kind, name, r.qualified(), Sql.trimStatement(definition));
        String state = switch (enabled) {
            case 'D' -> " DISABLE " + kind + " ";
            case 'R' -> " ENABLE REPLICA " + kind + " ";
            case 'A' -> " ENABLE ALWAYS " + kind + " ";
            default -> null;
        };
        if (state != null) {
            post3(kind + " STATE", name, r.qualified(), "ALTER TABLE " + r.qualified().sql() + state + q(objectName));
        }
        written.add(oid);
    }

    /** Row-level security and replica identity of an included table. */
    private void tableSettings(Long oid) {
        Relation r = relations.get(oid);
        if (r.rowSecurity()) {
            post3("ROW SECURITY", r.qualified(), r.qualified(), "ALTER TABLE " + r.qualified().sql()
                    + " ENABLE ROW LEVEL SECURITY");
        }
        if (r.forceRowSecurity()) {
            post3("ROW SECURITY", r.qualified(), r.qualified(), "ALTER TABLE " + r.qualified().sql()
                    + " FORCE ROW LEVEL SECURITY");
        }
        if ((r.kind() == 'r' || r.kind() == 'p') && (r.replicaIdentity() == 'n' || r.replicaIdentity() == 'f')) {
            post3("REPLICA IDENTITY", r.qualified(), r.qualified(), "ALTER TABLE ONLY " + r.qualified().sql()
                    + " REPLICA IDENTITY " + (r.replicaIdentity() == 'n' ? "NOTHING" : "FULL"));
        }
    }

    private void policy(Policy p, Lanes lanes) {
        if (!lanes.included().contains(p.relid())) {
            return;
        }
        Relation r = relations.get(p.relid());
        StringBuilder sb = new StringBuilder("CREATE POLICY " + q(p.name()) + " ON " + r.qualified().sql());
        if (!p.permissive()) {
            sb.append(" AS RESTRICTIVE");
        }
        String command = switch (p.command()) {
            case 'r' -> "SELECT";
            case 'a' -> "INSERT";
            case 'w' -> "UPDATE";
            case 'd' -> "DELETE";
            default -> null;
        };
        if (command != null) {
            sb.append(" FOR ").append(command);
        }
        if (!p.roles().equals(List.of("PUBLIC"))) {
            sb.append(" TO ").append(String.join(", ", p.roles()));
        }
        if (p.using() != null) {
            sb.append(" USING (").append(p.using()).append(')');
        }
        if (p.withCheck() != null) {
            sb.append(" WITH CHECK (").append(p.withCheck()).append(')');
        }
        post3("POLICY", new QualifiedName(r.schema(), p.name()), r.qualified(), sb.toString());
        written.add(p.oid());
    }

    /** REFRESH MATERIALIZED VIEW for the populated ones, in dependency order, after everything else. */
    void refresh(List<Long> matviews) {
        for (Long oid : matviews) {
            Relation r = relations.get(oid);
            post.add(new Post(new DdlStatement(Section.POST_DATA, 4, "REFRESH MATERIALIZED VIEW", r.qualified(), null,
                    "REFRESH MATERIALIZED VIEW " + r.qualified().sql()), 0, "", 0, "", post.size()));
        }
    }

    // ---- comments

    void comments(List<CatalogQueries.Comment> comments, List<CatalogQueries.Schema> schemas, List<Type> types, List<Function> functions,
                  List<Sequence> seqs, Set<Long> included, List<Constraint> constraints,
                  List<Trigger> triggers, List<Rule> rules, List<Policy> policies) {
        Map<String, String> text = new HashMap<>();
        for (CatalogQueries.Comment c : comments) {
            text.put(c.catalog() + ":" + c.oid() + ":" + c.subid(), c.text());
        }
        for (CatalogQueries.Schema s : schemas) {
            comment(text, "pg_namespace", s.oid(), 0, "SCHEMA " + q(s.name()), new QualifiedName(null, s.name()), null);
        }
        for (Type t : types) {
            QualifiedName name = new QualifiedName(t.schema(), t.name());
            comment(text, "pg_type", t.oid(), 0, (t.typtype() == 'd' ? "DOMAIN " : "TYPE ") + name.sql(), name, null);
            if (t.typtype() == 'c') {
                for (Column c : columns.getOrDefault(t.relid(), List.of())) {
                    comment(text, "pg_class", t.relid(), c.num(), "COLUMN " + name.sql() + "." + q(c.name()),
                            new QualifiedName(t.schema(), t.name() + "." + c.name()), null);
                }
            }
        }
        for (Function f : functions) {
            comment(text, "pg_proc", f.oid(), 0, (f.kind() == 'p' ? "PROCEDURE " : "FUNCTION ") + functionSql(f),
                    functionName(f), null);
        }
        for (Sequence s : seqs) {
            QualifiedName name = new QualifiedName(s.schema(), s.name());
            Relation owner = relations.get(s.ownerRelid());
            comment(text, "pg_class", s.oid(), 0, "SEQUENCE " + name.sql(), name, owner == null ? null : owner.qualified());
        }
        for (Long oid : included) {
            Relation r = relations.get(oid);
            QualifiedName t = r.qualified();
            String kind = switch (r.kind()) {
                case 'v' -> "VIEW ";
                case 'm' -> "MATERIALIZED VIEW ";
                default -> "TABLE ";
            };
            comment(text, "pg_class", oid, 0, kind + t.sql(), t, t);
            for (Column c : columns.getOrDefault(oid, List.of())) {
                comment(text, "pg_class", oid, c.num(), "COLUMN " + t.sql() + "." + q(c.name()),
                        new QualifiedName(r.schema(), r.name() + "." + c.name()), t);
            }
        }
        for (Index i : indexes.values()) {
            if (written.contains(i.oid())) {
                QualifiedName name = new QualifiedName(i.schema(), i.name());
                comment(text, "pg_class", i.oid(), 0, "INDEX " + name.sql(), name, relations.get(i.relid()).qualified());
            }
        }
        for (Constraint c : constraints) {
            if (!written.contains(c.oid())) {
                continue;
            }
            if (c.relid() != 0) {
                Relation r = relations.get(c.relid());
                comment(text, "pg_constraint", c.oid(), 0, "CONSTRAINT " + q(c.name()) + " ON " + r.qualified().sql(),
                        new QualifiedName(r.schema(), c.name()), r.qualified());
            } else {
                types.stream().filter(t -> t.oid() == c.typid()).findFirst().ifPresent(t -> comment(text, "pg_constraint",
                        c.oid(), 0, "CONSTRAINT " + q(c.name()) + " ON DOMAIN " + q(t.schema(), t.name()),
                        new QualifiedName(t.schema(), c.name()), null));
            }
        }
        commentsOnTableObjects(text, "pg_trigger", "TRIGGER ",
                triggers.stream().map(x -> new TableObject(x.oid(), x.relid(), x.name())).toList());
        commentsOnTableObjects(text, "pg_rewrite", "RULE ",
                rules.stream().map(x -> new TableObject(x.oid(), x.relid(), x.name())).toList());
        commentsOnTableObjects(text, "pg_policy", "POLICY ",
                policies.stream().map(x -> new TableObject(x.oid(), x.relid(), x.name())).toList());
    }

    /** A trigger, rule or policy: named per table. */
    private record TableObject(long oid, long relid, String name) {
    }

    private void commentsOnTableObjects(Map<String, String> text, String catalog, String keyword, List<TableObject> objects) {
        for (TableObject x : objects) {
            if (written.contains(x.oid())) {
                Relation r = relations.get(x.relid());
                comment(text, catalog, x.oid(), 0, keyword + q(x.name()) + " ON " + r.qualified().sql(),
                        new QualifiedName(r.schema(), x.name()), r.qualified());
            }
        }
    }

    private void comment(Map<String, String> text, String catalog, long oid, int subid, String target,
                         QualifiedName object, QualifiedName table) {
        String t = text.get(catalog + ":" + oid + ":" + subid);
        if (t != null) {
            post3("COMMENT", object, table, "COMMENT ON " + target + " IS " + literal(t));
        }
    }

    // ---- ownership and grants

    void ownershipAndGrants(List<CatalogQueries.Schema> schemas, List<Type> types, List<Function> functions, List<Sequence> seqs,
                            Set<Long> included) {
        for (CatalogQueries.Schema s : schemas) {
            QualifiedName name = new QualifiedName(null, s.name());
            String target = "SCHEMA " + q(s.name());
            post3("OWNER", name, null, "ALTER " + target + " OWNER TO " + q(s.owner()));
            acl(target, s.owner(), s.acl(), name, null);
        }
        for (Type t : types) {
            QualifiedName name = new QualifiedName(t.schema(), t.name());
            String target = (t.typtype() == 'd' ? "DOMAIN " : "TYPE ") + name.sql();
            post3("OWNER", name, null, "ALTER " + target + " OWNER TO " + q(t.owner()));
            acl(target, t.owner(), t.acl(), name, null);
        }
        for (Function f : functions) {
            String target = (f.kind() == 'p' ? "PROCEDURE " : "FUNCTION ") + functionSql(f);
            post3("OWNER", functionName(f), null, "ALTER " + target + " OWNER TO " + q(f.owner()));
            acl(target, f.owner(), f.acl(), functionName(f), null);
        }
        for (Sequence s : seqs) {
            QualifiedName name = new QualifiedName(s.schema(), s.name());
            Relation owner = relations.get(s.ownerRelid());
            QualifiedName table = owner == null ? null : owner.qualified();
            if (s.ownDeptype() == ' ') {
                // owned and identity sequences follow their table's owner
                post3("OWNER", name, null, "ALTER SEQUENCE " + name.sql() + " OWNER TO " + q(s.owner()));
            }
            acl("SEQUENCE " + name.sql(), s.owner(), s.acl(), name, table);
        }
        for (Long oid : included) {
            Relation r = relations.get(oid);
            String kind = switch (r.kind()) {
                case 'v' -> "VIEW ";
                case 'm' -> "MATERIALIZED VIEW ";
                default -> "TABLE ";
            };
            post3("OWNER", r.qualified(), r.qualified(), "ALTER " + kind + r.qualified().sql() + " OWNER TO " + q(r.owner()));
            acl("TABLE " + r.qualified().sql(), r.owner(), r.acl(), r.qualified(), r.qualified());
            for (Column c : columns.getOrDefault(oid, List.of())) {
                if (c.acl() != null) {
                    grants(c.acl(), " (" + q(c.name()) + ")", " ON TABLE " + r.qualified().sql(), "GRANT ",
                            new QualifiedName(r.schema(), r.name() + "." + c.name()), r.qualified());
                }
            }
        }
    }

    /**
     * An object's ACL: nothing for the default (NULL); otherwise everything revoked and then
     * granted entry by entry, which rebuilds the same ACL in the same order.
     */
    private void acl(String target, String owner, List<CatalogQueries.Acl> acl, QualifiedName object, QualifiedName table) {
        if (acl == null) {
            return;
        }
        post3("ACL", object, table, "REVOKE ALL ON " + target + " FROM PUBLIC");
        post3("ACL", object, table, "REVOKE ALL ON " + target + " FROM " + q(owner));
        grants(acl, "", " ON " + target, "GRANT ", object, table);
    }

    /** GRANT statements, one per grantee and grant option, in ACL order. */
    private void grants(List<CatalogQueries.Acl> acl, String columnSuffix, String on, String prefix, QualifiedName object,
                        QualifiedName table) {
        Map<String, List<String>> plain = new java.util.LinkedHashMap<>();
        Map<String, List<String>> withOption = new java.util.LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        for (CatalogQueries.Acl a : acl) {
            if (!order.contains(a.grantee())) {
                order.add(a.grantee());
            }
            (a.grantable() ? withOption : plain).computeIfAbsent(a.grantee(), k -> new ArrayList<>())
                    .add(a.privilege() + columnSuffix);
        }
        String kind = prefix.startsWith("ALTER DEFAULT") ? "DEFAULT ACL" : "ACL";
        for (String grantee : order) {
            if (plain.containsKey(grantee)) {
                post3(kind, object, table, prefix + String.join(", ", plain.get(grantee)) + on + " TO " + grantee);
            }
            if (withOption.containsKey(grantee)) {
                post3(kind, object, table, prefix + String.join(", ", withOption.get(grantee)) + on + " TO " + grantee
                        + " WITH GRANT OPTION");
            }
        }
    }

    void defaultPrivileges(List<CatalogQueries.DefaultAcl> defaults) {
        for (CatalogQueries.DefaultAcl d : defaults) {
            String what = switch (d.objectType()) {
                case 'r' -> "TABLES";
                case 'S' -> "SEQUENCES";
                case 'f' -> "FUNCTIONS";
                case 'T' -> "TYPES";
                default -> "SCHEMAS";
            };
            String prefix = "ALTER DEFAULT PRIVILEGES FOR ROLE " + q(d.role())
                    + (d.schema() == null ? "" : " IN SCHEMA " + q(d.schema())) + " ";
            QualifiedName object = new QualifiedName(d.schema(), d.role() + " " + what);
            if (d.schema() == null) {
                // a global entry replaces the built-in defaults, so start from nothing as acl() does
                post3("DEFAULT ACL", object, null, prefix + "REVOKE ALL ON " + what + " FROM PUBLIC");
                post3("DEFAULT ACL", object, null, prefix + "REVOKE ALL ON " + what + " FROM " + q(d.role()));
            }
            grants(d.acl() == null ? List.of() : d.acl(), "", " ON " + what, prefix + "GRANT ", object, null);
        }
    }
}
