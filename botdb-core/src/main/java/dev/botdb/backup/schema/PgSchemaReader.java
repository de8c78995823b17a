package dev.botdb.backup.schema;

import dev.botdb.dialect.QualifiedName;
import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.backup.schema.CatalogQueries.Column;
import dev.botdb.backup.schema.CatalogQueries.Constraint;
import dev.botdb.backup.schema.CatalogQueries.Depend;
import dev.botdb.backup.schema.CatalogQueries.Extension;
import dev.botdb.backup.schema.CatalogQueries.Function;
import dev.botdb.backup.schema.CatalogQueries.Inherit;
import dev.botdb.backup.schema.CatalogQueries.Obj;
import dev.botdb.backup.schema.CatalogQueries.Relation;
import dev.botdb.backup.schema.CatalogQueries.Schema;
import dev.botdb.backup.schema.CatalogQueries.Sequence;
import dev.botdb.backup.schema.CatalogQueries.Type;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a PostgreSQL 14-18 schema from the system catalogs and writes the DDL that recreates it
 * in an empty database, without pg_dump.
 *
 * <pre>{@code
 * try (Connection c = dataSource.getConnection()) {
 *     c.setAutoCommit(false);
 *     c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
 *     c.setReadOnly(true);
 *     SchemaDump dump = PgSchemaReader.read(c, SchemaOptions.all());
 *     // ... COPY the rows of dump.tables() in the same transaction ...
 * }
 * }</pre>
 *
 * <h2>Covered</h2>
 * Pre-data, in dependency order: schemas (not {@code public}), extensions ({@code IF NOT EXISTS},
 * with their schema; objects that belong to an extension are never dumped), enum, composite,
 * domain (with default, NOT NULL and checks) and range types, sequences with all their options,
 * functions and procedures ({@code pg_get_functiondef}), tables (column types with typmods,
 * collations, defaults, NOT NULL, identity and generated columns, checks, UNLOGGED, reloptions,
 * access method, per-column statistics / storage / compression / options, partitioned tables and
 * their partitions, simple inheritance), {@code ALTER SEQUENCE ... OWNED BY}, views and
 * materialized views ({@code WITH NO DATA}). Post-data, in phases (see {@link DdlStatement}):
 * primary key, unique and exclusion constraints, indexes (partial, expression, on partitioned
 * tables with their partitions attached), foreign keys, NOT VALID checks, triggers (with their
 * enabled state), rules, row-level security and policies, replica identity, cluster marks,
 * comments on all of these, {@code REFRESH MATERIALIZED VIEW}; with
 * {@link SchemaOptions#includeOwnershipAndGrants()} also owners, GRANTs on tables, columns,
 * sequences, functions, schemas and types, and {@code ALTER DEFAULT PRIVILEGES}. The sequences'
 * current values come as {@code setval} statements of section DATA.
 *
 * <h2>Not covered</h2>
 * Roles themselves (restore into a server that has them), tablespaces (everything is created in
 * the default one), event triggers, publications and subscriptions, foreign-data wrappers,
 * foreign servers and foreign tables, aggregates, operators, operator classes and families,
 * casts, collations, text search configurations and dictionaries, conversions, procedural
 * languages that are not extensions, base types made with C input/output functions, range
 * types with a canonical function, extended statistics objects, typed tables
 * ({@code CREATE TABLE ... OF type}), large objects, security labels, the rows of extension
 * configuration tables, database- and role-level settings ({@code ALTER DATABASE ... SET}),
 * the {@code public} schema's own comment, owner and privileges, grantors other than the object's
 * owner, and inherited columns in an order other than the parents' first. Extensions are created
 * at the restoring server's default version, not necessarily the source's. Functions that a
 * function calls only from its body (plpgsql, or SQL without {@code BEGIN ATOMIC}) are not seen
 * as dependencies; that is harmless because bodies are not checked at restore
 * ({@code check_function_bodies = false}). When the database has
 * any of the objects in this list that can be counted, {@link SchemaDump#notes()} says so, so a
 * backup can warn.
 *
 * <h2>Table selection</h2>
 * With {@link SchemaOptions#tables()}, the dump holds those relations (a partitioned table with all
 * its partitions), their owned and identity sequences, indexes, constraints, triggers, rules,
 * policies and comments, and whatever they depend on (a parent table, a sequence in a default, a
 * trigger function); plus every schema, extension, type and function that does not itself need a
 * table outside the selection (the simple rule: all of them). A table the selection needs but did
 * not name (an inheritance parent) is created without its rows; a function or type that needs a
 * table outside the selection is left out; foreign keys to tables outside the selection are left
 * out, and so are default privileges; each of these gives a note.
 *
 * <h2>Stable text</h2>
 * Statements hold no OIDs and no database name, and are sorted by kind, name and dependencies
 * (never by OID; a dependency cycle is broken by name), so {@link SchemaDump#checksum()} of a
 * database equals that of a database restored from its dump. Definitions come from the server's
 * {@code pg_get_*def} functions, so a dump read from one major restores into the same or a newer
 * major; the checksum is meant for comparing databases of the same major.
 */
public final class PgSchemaReader {
    /** The oldest major the catalog queries are written for. */
    static final int MIN_VERSION = 140000;

    private static final int RANK_SCHEMA = 0;
    private static final int RANK_EXTENSION = 1;
    private static final int RANK_TYPE = 2;
    private static final int RANK_FUNCTION = 3;
    private static final int RANK_SEQUENCE = 4;
    private static final int RANK_TABLE = 5;
    private static final int RANK_VIEW = 6;

    private final CatalogQueries catalog;
    private final SchemaOptions options;
    private final List<String> notes = new ArrayList<>();

    // what the catalogs hold
    private final Map<Obj, Node> nodes = new LinkedHashMap<>();
    private final Map<Long, Relation> relations = new HashMap<>();
    private final Map<Long, List<Column>> columns = new HashMap<>();
    private final Map<Long, List<Long>> parents = new HashMap<>();
    private final Map<Long, List<Long>> children = new HashMap<>();
    private final Map<Obj, CatalogQueries.Alias> aliases = new HashMap<>();
    private final Map<Obj, Long> extensionMembers;
    /** The catalog row of each node. */
    private final Map<Obj, Object> rows = new HashMap<>();
    private final Map<Obj, List<Constraint>> constraintsByOwner = new HashMap<>();
    private final Map<String, Schema> schemaByName = new HashMap<>();
    private final List<Type> typeList = new ArrayList<>();
    private final List<Function> functionList = new ArrayList<>();
    private final Map<Long, CatalogQueries.Range> ranges = new HashMap<>();
    private List<Depend> depends;
    private List<Constraint> constraints;
    private List<Sequence> sequences;
    private Map<Long, List<String>> enumLabels;
    /** The selected relations and their partitions: the tables whose rows a selection backs up. */
    private final Set<Obj> selected = new HashSet<>();

    /** One pre-data object: what it is, how it sorts, its name. */
    private record Node(Obj obj, int rank, String sortKey, QualifiedName name) {
    }

    private PgSchemaReader(Connection connection, int version, SchemaOptions options) throws SQLException {
        this.catalog = new CatalogQueries(connection, version);
        this.options = options;
        this.extensionMembers = catalog.extensionMembers();
    }

    /**
     * Reads the schema over {@code connection}, which the caller has put in a
     * {@code REPEATABLE READ READ ONLY} transaction (so the schema matches the rows it copies next).
     * The transaction's {@code search_path} is set to {@code pg_catalog} while reading and put back
     * afterwards. A connection in auto-commit mode is read in a transaction of its own.
     *
     * @throws BotDbException ({@link ErrorCode#BACKUP_FAILED}) for a server older than 14;
     *     ({@link ErrorCode#USAGE}) for a selected table that does not exist or is ambiguous
     */
    public static SchemaDump read(Connection connection, SchemaOptions options) throws SQLException {
        if (!connection.getAutoCommit()) {
            return readInTransaction(connection, options);
        }
        // set_config(..., true) lasts until the end of the transaction: without one it would not last at all
        connection.setAutoCommit(false);
        try {
            return readInTransaction(connection, options);
        } finally {
            connection.rollback();
            connection.setAutoCommit(true);
        }
    }

    private static SchemaDump readInTransaction(Connection connection, SchemaOptions options) throws SQLException {
        int versionNum;
        String version;
        String searchPath;
        try (PreparedStatement ps = connection.prepareStatement("""
                SELECT current_setting('server_version_num')::int, current_setting('server_version'),
                       current_setting('search_path')
                """); ResultSet rs = ps.executeQuery()) {
            rs.next();
            versionNum = rs.getInt(1);
            version = rs.getString(2);
            searchPath = rs.getString(3);
        }
        if (versionNum < MIN_VERSION) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "The server runs PostgreSQL " + version
                    + "; botdb's own backups read PostgreSQL 14 to 18. Upgrade the server, or back it up with"
                    + " botdb backup --format pg_dump and a pg_dump of its version.");
        }
        setSearchPath(connection, "pg_catalog");
        SchemaDump dump;
        try {
            dump = new PgSchemaReader(connection, versionNum, options).build(versionNum, version);
        } catch (RuntimeException e) {
            restoreQuietly(connection, searchPath, e);
            throw e;
        }
        setSearchPath(connection, searchPath);
        return dump;
    }

    /** After a failed SQL query the transaction is aborted and this fails too; the first error is the one to report. */
    private static void restoreQuietly(Connection c, String searchPath, RuntimeException failure) {
        try {
            setSearchPath(c, searchPath);
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    private static void setSearchPath(Connection c, String path) throws SQLException {
        // is_local = true: the caller's transaction ends with its own setting
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('search_path', ?, true)")) {
            ps.setString(1, path);
            ps.execute();
        }
    }

    private SchemaDump build(int versionNum, String version) throws SQLException {
        loadNodes();
        Map<Obj, Set<Obj>> orderEdges = edges(true);
        Set<Obj> included = select(edges(false));
        List<Obj> order = topologicalOrder(included, orderEdges);

        Ddl ddl = new Ddl(catalog.version, relations, columns, parents, sequences, enumLabels, ranges);
        for (Obj o : order) {
            Node n = nodes.get(o);
            switch (o.catalog()) {
                case "pg_namespace" -> ddl.schema(n.name());
                case "pg_extension" -> ddl.extension(extension(o.oid()));
                case "pg_type" -> ddl.type(type(o.oid()), constraintsOf(0, o.oid()));
                case "pg_proc" -> ddl.function(function(o.oid()));
                default -> {
                    Relation r = relations.get(o.oid());
                    if (r == null) {
                        ddl.sequence(sequence(o.oid()));
                    } else if (r.kind() == 'v' || r.kind() == 'm') {
                        ddl.view(r);
                    } else {
                        ddl.table(r, constraintsOf(r.oid(), 0));
                    }
                }
            }
        }
        for (Sequence s : sequences) {
            boolean ownerIncluded = included.contains(new Obj("pg_class", s.ownerRelid()));
            if (s.ownDeptype() == 'a' && ownerIncluded && included.contains(new Obj("pg_class", s.oid()))) {
                ddl.ownedBy(s, relations.get(s.ownerRelid()));
            }
        }

        // in name order, so that everything written from it comes out in the same order every time
        Set<Long> includedRelations = new LinkedHashSet<>();
        for (Obj o : order) {
            if (relations.containsKey(o.oid()) && o.catalog().equals("pg_class")) {
                includedRelations.add(o.oid());
            }
        }
        postData(ddl, included, includedRelations, order);

        List<DdlStatement> values = sequenceValues(included, includedRelations);
        List<TableInfo> tables = tableInfos(includedRelations);
        return new SchemaDump(versionNum, version, preamble(), ddl.statements(), tables, values, notes);
    }

    /** What every restoring connection runs first, as pg_dump's header does. */
    static List<String> preamble() {
        return List.of(
                "SET client_encoding = 'UTF8'",
                "SET standard_conforming_strings = on",
                "SET check_function_bodies = false",
                "SET client_min_messages = warning",
                "SET row_security = off",
                "SELECT pg_catalog.set_config('search_path', '', false)");
    }

    // ---- loading

    private void loadNodes() throws SQLException {
        for (Schema s : catalog.schemas()) {
            if (!s.name().equals("public")) {
                put(new Obj("pg_namespace", s.oid()), RANK_SCHEMA, new QualifiedName(null, s.name()), "", s);
            }
            schemaByName.put(s.name(), s);
        }
        for (Extension x : catalog.extensions()) {
            put(new Obj("pg_extension", x.oid()), RANK_EXTENSION, new QualifiedName(null, x.name()), "", x);
        }
        enumLabels = catalog.enumLabels();
        for (CatalogQueries.Range r : catalog.ranges()) {
            ranges.put(r.oid(), r);
        }
        for (Type t : sorted(catalog.types(), t -> t.schema() + "\u0000" + t.name())) {
            typeList.add(t);
            put(new Obj("pg_type", t.oid()), RANK_TYPE, new QualifiedName(t.schema(), t.name()), "", t);
        }
        for (Function f : sorted(catalog.functions(), f -> f.schema() + "\u0000" + f.name() + "\u0000" + f.identityArgs())) {
            functionList.add(f);
            put(new Obj("pg_proc", f.oid()), RANK_FUNCTION, new QualifiedName(f.schema(), f.name()), f.identityArgs(), f);
        }
        sequences = sorted(catalog.sequences(), x -> x.schema() + "\u0000" + x.name());
        for (Sequence s : sequences) {
            if (s.ownDeptype() != 'i') {
                put(new Obj("pg_class", s.oid()), RANK_SEQUENCE, new QualifiedName(s.schema(), s.name()), "", s);
            }
        }
        for (Relation r : catalog.relations()) {
            relations.put(r.oid(), r);
            put(new Obj("pg_class", r.oid()), r.kind() == 'v' || r.kind() == 'm' ? RANK_VIEW : RANK_TABLE,
                    r.qualified(), "", r);
        }
        for (Column c : catalog.columns()) {
            columns.computeIfAbsent(c.relid(), k -> new ArrayList<>()).add(c);
        }
        for (Inherit i : catalog.inherits()) {
            parents.computeIfAbsent(i.child(), k -> new ArrayList<>()).add(i.parent());
            children.computeIfAbsent(i.parent(), k -> new ArrayList<>()).add(i.child());
        }
        constraints = sorted(catalog.constraints(), c -> c.name() + "\u0000" + relationKey(c.relid()));
        for (Constraint c : constraints) {
            Obj owner = c.relid() != 0 ? new Obj("pg_class", c.relid()) : new Obj("pg_type", c.typid());
            constraintsByOwner.computeIfAbsent(owner, k -> new ArrayList<>()).add(c);
        }
        for (CatalogQueries.Alias a : catalog.aliases()) {
            aliases.put(a.from(), a);
        }
        depends = catalog.depends();
        for (Map.Entry<String, Long> u : catalog.uncovered().entrySet()) {
            String has = "The database has " + u.getValue() + " " + u.getKey();
            notes.add(u.getKey().startsWith("extension(s)")
                    ? has + ": a restore creates each extension at the default version of the server it restores into."
                    : has + ", which botdb backups do not include: recreate them by hand after a restore,"
                            + " or use botdb backup --format pg_dump.");
        }
    }

    private void put(Obj obj, int rank, QualifiedName name, String args, Object row) {
        rows.put(obj, row);
        nodes.put(obj, new Node(obj, rank, rank + "\u0000" + name.schema() + "\u0000" + name.name() + "\u0000" + args, name));
    }

    private Extension extension(long oid) {
        return (Extension) rows.get(new Obj("pg_extension", oid));
    }

    private Type type(long oid) {
        return (Type) rows.get(new Obj("pg_type", oid));
    }

    private Function function(long oid) {
        return (Function) rows.get(new Obj("pg_proc", oid));
    }

    private Sequence sequence(long oid) {
        return (Sequence) rows.get(new Obj("pg_class", oid));
    }

    /** A table's or a domain's constraints, by name. */
    private List<Constraint> constraintsOf(long relid, long typid) {
        return constraintsByOwner.getOrDefault(relid != 0 ? new Obj("pg_class", relid) : new Obj("pg_type", typid), List.of());
    }

    // ---- dependencies

    /** The object {@code o} stands for: its extension, its table, its element type, or itself. */
    private Obj resolve(Obj o, boolean preDataOnly) {
        for (int i = 0; i < 8; i++) {
            Long ext = extensionMembers.get(o);
            if (ext != null) {
                return new Obj("pg_extension", ext);
            }
            CatalogQueries.Alias a = aliases.get(o);
            if (a == null || preDataOnly && !a.pre()) {
                return o;
            }
            o = a.to();
        }
        return o;
    }

    /**
     * Edges between nodes: {@code from} needs {@code to}. {@code preData}: only what orders the
     * pre-data statements; otherwise also what post-data objects of a table need (trigger
     * functions, operator classes of indexes, ...), for a table selection.
     */
    private Map<Obj, Set<Obj>> edges(boolean preData) {
        Map<Obj, Set<Obj>> edges = new HashMap<>();
        for (Depend d : depends) {
            Obj from = resolve(d.from(), preData);
            Obj to = resolve(d.to(), preData);
            if (from.equals(to) || !nodes.containsKey(from) || !nodes.containsKey(to)) {
                continue;
            }
            // a sequence OWNED BY a column: the table's default needs the sequence, not the other way
            boolean ownership = d.type() == 'a' && d.toSubid() > 0 && nodes.get(from).rank() == RANK_SEQUENCE;
            if (!ownership) {
                edges.computeIfAbsent(from, k -> new LinkedHashSet<>()).add(to);
            }
        }
        for (Map.Entry<Long, List<Long>> p : parents.entrySet()) {
            for (Long parent : p.getValue()) {
                edges.computeIfAbsent(new Obj("pg_class", p.getKey()), k -> new LinkedHashSet<>())
                        .add(new Obj("pg_class", parent));
            }
        }
        return edges;
    }

    private static Set<Obj> closure(Set<Obj> seeds, Map<Obj, Set<Obj>> edges) {
        Set<Obj> seen = new LinkedHashSet<>(seeds);
        List<Obj> todo = new ArrayList<>(seeds);
        while (!todo.isEmpty()) {
            Obj o = todo.remove(todo.size() - 1);
            for (Obj to : edges.getOrDefault(o, Set.of())) {
                if (seen.add(to)) {
                    todo.add(to);
                }
            }
        }
        return seen;
    }

    /** The nodes to dump: all of them, or what a table selection needs. */
    private Set<Obj> select(Map<Obj, Set<Obj>> edges) throws SQLException {
        if (options.tables().isEmpty()) {
            return nodes.keySet();
        }
        Set<Obj> seeds = new LinkedHashSet<>();
        for (QualifiedName wanted : new TreeSet<>(options.tables())) {
            Relation r = findRelation(wanted);
            seeds.add(new Obj("pg_class", r.oid()));
            addPartitions(r.oid(), seeds);
        }
        selected.addAll(seeds);
        for (Sequence s : sequences) {
            if (s.ownDeptype() == 'a' && seeds.contains(new Obj("pg_class", s.ownerRelid()))) {
                seeds.add(new Obj("pg_class", s.oid()));
            }
        }
        Set<Obj> required = closure(seeds, edges);
        for (Obj o : required) {
            Relation r = relations.get(o.oid());
            if (o.catalog().equals("pg_class") && r != null && !selected.contains(o)) {
                notes.add("Table " + r.qualified() + " is not in the selection but the selected tables need it:"
                        + " its definition is in the backup, its rows are not.");
            }
        }
        Set<Obj> included = new LinkedHashSet<>(required);
        List<Node> optional = nodes.values().stream()
                .filter(n -> n.rank() <= RANK_FUNCTION && !required.contains(n.obj()))
                .sorted(Comparator.comparing(Node::sortKey))
                .toList();
        for (Node n : optional) {
            Set<Obj> needs = closure(Set.of(n.obj()), edges);
            Obj missing = needs.stream()
                    .filter(o -> nodes.get(o).rank() >= RANK_TABLE && !required.contains(o))
                    .findFirst().orElse(null);
            if (missing == null) {
                included.addAll(needs);
            } else {
                notes.add("Left out " + n.name() + (n.rank() == RANK_FUNCTION ? "(...)" : "") + ": it needs "
                        + nodes.get(missing).name() + ", which is not in the selection.");
            }
        }
        return included;
    }

    private void addPartitions(long oid, Set<Obj> into) {
        for (Long child : children.getOrDefault(oid, List.of())) {
            Relation r = relations.get(child);
            if (r != null && r.partition()) {
                into.add(new Obj("pg_class", child));
                addPartitions(child, into);
            }
        }
    }

    private Relation findRelation(QualifiedName wanted) {
        List<Relation> exact = new ArrayList<>();
        List<Relation> loose = new ArrayList<>();
        for (Relation r : relations.values()) {
            boolean schemaExact = wanted.schema() == null || wanted.schema().equals(r.schema());
            boolean schemaLoose = wanted.schema() == null || wanted.schema().equalsIgnoreCase(r.schema());
            if (schemaExact && wanted.name().equals(r.name())) {
                exact.add(r);
            } else if (schemaLoose && wanted.name().equalsIgnoreCase(r.name())) {
                loose.add(r);
            }
        }
        List<Relation> found = exact.isEmpty() ? loose : exact;
        if (found.size() == 1) {
            return found.get(0);
        }
        if (found.isEmpty()) {
            throw new BotDbException(ErrorCode.USAGE, "No table " + wanted + " in the database. Name one of its tables"
                    + " (schema.table, double quotes for mixed case), or leave out `table` to back up everything.");
        }
        throw new BotDbException(ErrorCode.USAGE, "'" + wanted + "' matches " + found.stream()
                .map(r -> r.qualified().toString()).sorted().toList() + ": write it as schema.table.");
    }

    /** Kahn's algorithm, taking the smallest ready node by kind and name; a cycle is broken by name. */
    private List<Obj> topologicalOrder(Set<Obj> included, Map<Obj, Set<Obj>> edges) {
        Comparator<Obj> byKey = Comparator.comparing(o -> nodes.get(o).sortKey());
        Map<Obj, Integer> waiting = new HashMap<>();
        Map<Obj, List<Obj>> dependents = new HashMap<>();
        for (Obj o : included) {
            int n = 0;
            for (Obj to : edges.getOrDefault(o, Set.of())) {
                if (included.contains(to)) {
                    n++;
                    dependents.computeIfAbsent(to, k -> new ArrayList<>()).add(o);
                }
            }
            waiting.put(o, n);
        }
        TreeSet<Obj> ready = new TreeSet<>(byKey);
        TreeSet<Obj> blocked = new TreeSet<>(byKey);
        for (Obj o : included) {
            (waiting.get(o) == 0 ? ready : blocked).add(o);
        }
        List<Obj> order = new ArrayList<>();
        while (!ready.isEmpty() || !blocked.isEmpty()) {
            Obj next = ready.isEmpty() ? blocked.first() : ready.first();
            ready.remove(next);
            blocked.remove(next);
            order.add(next);
            for (Obj d : dependents.getOrDefault(next, List.of())) {
                int n = waiting.merge(d, -1, Integer::sum);
                if (n == 0 && blocked.remove(d)) {
                    ready.add(d);
                }
            }
        }
        return order;
    }

    // ---- post-data

    private void postData(Ddl ddl, Set<Obj> included, Set<Long> includedRelations, List<Obj> order) throws SQLException {
        for (Constraint c : constraints) {
            if (c.relid() != 0 && includedRelations.contains(c.relid()) && c.type() == 'f' && c.parentId() == 0
                    && !includedRelations.contains(c.refRelid())) {
                notes.add("Left out foreign key " + c.name() + " of " + relations.get(c.relid()).qualified()
                        + ": it references " + relationName(c.refRelid()) + ", which is not in the selection.");
            }
        }
        List<CatalogQueries.Index> indexes = sorted(catalog.indexes(), CatalogQueries.Index::name);
        List<CatalogQueries.Trigger> triggers = sorted(catalog.triggers(), CatalogQueries.Trigger::name);
        List<CatalogQueries.Rule> rules = sorted(catalog.rules(), CatalogQueries.Rule::name);
        List<CatalogQueries.Policy> policies = sorted(catalog.policies(), CatalogQueries.Policy::name);
        ddl.postData(new Ddl.PostDataObjects(constraints, indexes, triggers, rules, policies),
                new Ddl.Lanes(includedRelations, this::lane, this::depth));
        List<Long> matviews = new ArrayList<>();
        for (Obj o : order) {
            Relation r = relations.get(o.oid());
            if (o.catalog().equals("pg_class") && r != null && r.kind() == 'm' && r.populated()) {
                matviews.add(r.oid());
            }
        }
        ddl.refresh(matviews);
        Set<Long> includedTypes = new HashSet<>();
        Set<Long> includedFunctions = new HashSet<>();
        Set<Long> includedSequences = new HashSet<>();
        Set<Long> includedSchemas = new HashSet<>();
        for (Obj o : included) {
            switch (o.catalog()) {
                case "pg_type" -> includedTypes.add(o.oid());
                case "pg_proc" -> includedFunctions.add(o.oid());
                case "pg_namespace" -> includedSchemas.add(o.oid());
                default -> {
                }
            }
        }
        for (Sequence s : sequences) {
            if (included.contains(new Obj("pg_class", s.oid()))
                    || s.ownDeptype() == 'i' && includedRelations.contains(s.ownerRelid())) {
                includedSequences.add(s.oid());
            }
        }
        List<Schema> schemas = schemaByName.values().stream().filter(s -> includedSchemas.contains(s.oid()))
                .sorted(Comparator.comparing(Schema::name)).toList();
        List<Type> types = typeList.stream().filter(t -> includedTypes.contains(t.oid())).toList();
        List<Function> functions = functionList.stream().filter(f -> includedFunctions.contains(f.oid())).toList();
        List<Sequence> seqs = sequences.stream().filter(s -> includedSequences.contains(s.oid())).toList();
        ddl.comments(catalog.comments(), schemas, types, functions, seqs, includedRelations, constraints, triggers, rules,
                policies);
        if (options.includeOwnershipAndGrants()) {
            ddl.ownershipAndGrants(schemas, types, functions, seqs, includedRelations);
            if (options.tables().isEmpty()) {
                ddl.defaultPrivileges(catalog.defaultAcls());
            } else if (!catalog.defaultAcls().isEmpty()) {
                notes.add("Default privileges (ALTER DEFAULT PRIVILEGES) are left out of a backup of selected tables.");
            }
        }
    }

    private static <T> List<T> sorted(List<T> list, java.util.function.Function<T, String> key) {
        List<T> out = new ArrayList<>(list);
        out.sort(Comparator.comparing(key));
        return out;
    }

    private String relationKey(long oid) {
        Relation r = relations.get(oid);
        return r == null ? "" : r.schema() + "\u0000" + r.name();
    }

    private String relationName(long oid) {
        Relation r = relations.get(oid);
        return r == null ? "relation " + oid : r.qualified().toString();
    }

    /** The lane of a table's post-data statements: the root of its partition tree, or itself. */
    private QualifiedName lane(long relid) {
        long root = relid;
        for (int i = 0; i < 64; i++) {
            Relation r = relations.get(root);
            List<Long> p = parents.get(root);
            if (r == null || !r.partition() || p == null || p.isEmpty()) {
                break;
            }
            root = p.get(0);
        }
        return relations.get(root).qualified();
    }

    /** How deep a table sits in its partition tree (0 for the root and for other tables). */
    private int depth(long relid) {
        int depth = 0;
        long at = relid;
        while (relations.get(at) != null && relations.get(at).partition() && parents.containsKey(at) && depth < 64) {
            at = parents.get(at).get(0);
            depth++;
        }
        return depth;
    }

    private List<DdlStatement> sequenceValues(Set<Obj> included, Set<Long> includedRelations) throws SQLException {
        List<Sequence> wanted = sequences.stream()
                .filter(s -> included.contains(new Obj("pg_class", s.oid()))
                        || s.ownDeptype() == 'i' && includedRelations.contains(s.ownerRelid()))
                .sorted(Comparator.comparing((Sequence s) -> s.schema()).thenComparing(Sequence::name))
                .toList();
        Map<Long, Object[]> values = catalog.sequenceValues(wanted);
        List<DdlStatement> out = new ArrayList<>();
        for (Sequence s : wanted) {
            Object[] v = values.get(s.oid());
            QualifiedName name = new QualifiedName(s.schema(), s.name());
            Relation owner = relations.get(s.ownerRelid());
            out.add(new DdlStatement(Section.DATA, 0, "SEQUENCE SET", name, owner == null ? null : owner.qualified(),
                    "SELECT pg_catalog.setval(" + Sql.literal(name.sql()) + ", " + v[1] + ", " + v[2] + ")"));
        }
        return out;
    }

    private List<TableInfo> tableInfos(Set<Long> includedRelations) {
        List<TableInfo> out = new ArrayList<>();
        for (Long oid : includedRelations) {
            Relation r = relations.get(oid);
            boolean copied = options.tables().isEmpty() || selected.contains(new Obj("pg_class", oid));
            if ((r.kind() == 'r' || r.kind() == 'p') && copied) {
                List<String> cols = columns.getOrDefault(oid, List.of()).stream()
                        .filter(c -> c.generated() == ' ')
                        .map(c -> Sql.q(c.name()))
                        .toList();
                out.add(new TableInfo(r.qualified(), cols, r.bytes(), r.kind() == 'p'));
            }
        }
        out.sort(Comparator.comparing(TableInfo::name));
        return out;
    }
}
