package dev.botdb.backup.external;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.PostgresTarget;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * PostgreSQL's own client programs, for the files operators already have: {@code pg_dump -Fc}
 * archives, plain {@code .sql} and {@code .sql.gz} dumps. botdb's own backup format needs none of
 * them; these are for {@code botdb backup --format pg_dump} and for restoring existing files.
 *
 * <pre>{@code
 * PgTools tools = PgTools.find();                        // PG_BIN, PATH, /usr/lib/postgresql/NN/bin
 * tools.requireCanDump(18);                              // TOOL_MISSING: "pg_dump 15 cannot dump a PostgreSQL 18 server: ..."
 * ToolRun run = tools.dumpCustomFormat(target, Path.of("backups/app.dump"), List.of());
 * tools.restorePlainSql(target, Path.of("backups/backup-20260106.sql.gz"));
 * }</pre>
 *
 * <p>The connection reaches the programs through libpq's environment variables and the password
 * through a temporary pass file readable by the owner only, deleted when the program ends:
 * never on the command line, where every user of the machine could read it. Inherited {@code PG*}
 * variables are removed first, so only the configured target is used.
 */
public final class PgTools {
    /** Where Debian and Ubuntu install each PostgreSQL major's programs: {@code /usr/lib/postgresql/15/bin}. */
    public static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
    /** The variable naming a folder whose programs win over every other one found. */
    public static final String PG_BIN = "PG_BIN";
    private static final long VERSION_TIMEOUT_SECONDS = 10;
    private static final Pattern SERVER_VERSION = Pattern.compile("server version: (\\d+(?:\\.\\d+)?)");
    private static final Pattern ROLE_MISSING = Pattern.compile("role \"[^\"]*\" does not exist");
    private static final Pattern PG_DUMP_HEADER = Pattern.compile("(?m)^-- PostgreSQL database dump\\r?$");
    private static final Pattern PG_DUMPALL_HEADER = Pattern.compile("(?m)^-- PostgreSQL database cluster dump\\r?$");
    private static final Pattern PASSWORD_FILE_NOTE = Pattern.compile("password retrieved from file \"[^\"]*\"");
    /** A {@code pg_restore --list} line of a table or its rows: {@code 215; 1259 16386 TABLE public users owner}. */
    private static final Pattern LIST_TABLE = Pattern.compile("^\\d+; \\d+ \\d+ TABLE(?: DATA)? (\\S+) (.+) \\S+$");
    private static final String PG_DUMP_FOOTER = "-- PostgreSQL database dump complete";

    private final Map<String, String> env;
    private final Map<Tool, InstalledTool> chosen;
    private final List<InstalledTool> found;
    private final String searched;

    private PgTools(Map<String, String> env, Map<Tool, InstalledTool> chosen, List<InstalledTool> found,
                    String searched) {
        this.env = Map.copyOf(env);
        this.chosen = Map.copyOf(chosen);
        this.found = List.copyOf(found);
        this.searched = searched;
    }

    /** Looks in this process's {@code PG_BIN} and {@code PATH}, and in {@code /usr/lib/postgresql/NN/bin}. */
    public static PgTools find() {
        return find(System.getenv());
    }

    /** {@link #find(Map, List)} with Debian's folder. */
    public static PgTools find(Map<String, String> env) {
        return find(env, List.of(DEBIAN_ROOT));
    }

    /**
     * Finds pg_dump, pg_restore and psql and reads their versions.
     *
     * <p>For each program: the one in {@code PG_BIN} when that variable is set and the program is
     * there (the operator's explicit choice); otherwise the newest version found in the folders of
     * {@code PATH} and in {@code ROOT/NN/bin} of each versioned root. The newest is the one to use:
     * pg_dump can dump servers up to its own major, pg_restore reads archives of pg_dump up to its
     * own major. The programs later run with {@code env} too, without its {@code PG*} variables.
     *
     * @param env            the variables to search with and to run the programs with
     * @param versionedRoots folders holding one {@code NN/bin} folder per PostgreSQL major
     */
    public static PgTools find(Map<String, String> env, List<Path> versionedRoots) {
        Map<String, String> vars = new HashMap<>();
        env.forEach((k, v) -> {
            if (k != null && v != null) {
                vars.put(k, v);
            }
        });
        List<SearchDir> dirs = new ArrayList<>();
        List<String> places = new ArrayList<>();
        String pgBin = vars.getOrDefault(PG_BIN, "").strip();
        if (!pgBin.isEmpty()) {
            dirs.add(new SearchDir(Path.of(pgBin), PG_BIN));
            places.add(PG_BIN + " (" + pgBin + ")");
        }
        String path = vars.getOrDefault("PATH", "");
        for (String entry : path.split(java.io.File.pathSeparator)) {
            if (!entry.isBlank()) {
                dirs.add(new SearchDir(Path.of(entry), "PATH"));
            }
        }
        places.add("PATH (" + (path.isBlank() ? "empty" : path) + ")");
        for (Path root : versionedRoots) {
            dirs.addAll(versionedBinDirs(root));
            places.add(root + "/*/bin");
        }
        Map<String, String> childEnv = ChildEnvironment.withoutPgVariables(vars);
        List<InstalledTool> found = new ArrayList<>();
        Map<Tool, InstalledTool> chosen = new EnumMap<>(Tool.class);
        for (Tool tool : Tool.values()) {
            Set<Path> seen = new LinkedHashSet<>();
            List<InstalledTool> candidates = new ArrayList<>();
            for (SearchDir dir : dirs) {
                Path exe = dir.path().resolve(tool.command());
                // /bin is often a link to /usr/bin: the same program, found twice
                if (!Files.isRegularFile(exe) || !Files.isExecutable(exe) || !seen.add(realFolder(dir.path()).resolve(tool.command()))) {
                    continue;
                }
                readVersion(exe, childEnv).ifPresent(v -> candidates.add(new InstalledTool(tool, exe, v, dir.source())));
            }
            found.addAll(candidates);
            choose(candidates, !pgBin.isEmpty()).ifPresent(t -> chosen.put(tool, t));
        }
        return new PgTools(vars, chosen, found, String.join(", ", places));
    }

    private record SearchDir(Path path, String source) {
    }

    private static Path realFolder(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize();
        }
    }

    /** {@code ROOT/NN/bin}, newest major first. */
    private static List<SearchDir> versionedBinDirs(Path root) {
        List<Path> bins = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (DirectoryStream<Path> majors = Files.newDirectoryStream(root)) {
                for (Path major : majors) {
                    if (Files.isDirectory(major.resolve("bin"))) {
                        bins.add(major.resolve("bin"));
                    }
                }
            } catch (IOException e) {
                return List.of(); // unreadable: as if absent; the search list in messages names it
            }
        }
        bins.sort(Comparator.comparing((Path p) -> ToolVersion.parse(p.getParent().getFileName().toString())
                .orElse(ToolVersion.of(0, 0))).reversed());
        return bins.stream().map(b -> new SearchDir(b, b.toString())).toList();
    }

    /**
     * The one to use: PG_BIN's when present, else the newest; on a tie the first found, preferring
     * a real program over Debian's {@code pg_wrapper} (which picks a version by its own rules).
     */
    static Optional<InstalledTool> choose(List<InstalledTool> candidates, boolean pgBinSet) {
        if (pgBinSet) {
            Optional<InstalledTool> explicit = candidates.stream().filter(t -> t.source().equals(PG_BIN)).findFirst();
            if (explicit.isPresent()) {
                return explicit;
            }
        }
        InstalledTool best = null;
        for (InstalledTool t : candidates) {
            if (best == null || t.version().compareTo(best.version()) > 0
                    || (t.version().compareTo(best.version()) == 0 && isWrapper(best.path()) && !isWrapper(t.path()))) {
                best = t;
            }
        }
        return Optional.ofNullable(best);
    }

    private static boolean isWrapper(Path exe) {
        try {
            return exe.toRealPath().getFileName().toString().equals("pg_wrapper");
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs {@code exe --version}; empty when it does not run or prints no version. */
    private static Optional<ToolVersion> readVersion(Path exe, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(exe.toString(), "--version");
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            Process p = pb.start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readNBytes(4096);
            }
            if (!p.waitFor(VERSION_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 ? ToolVersion.parse(new String(out, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The program botdb would run, if one was found. */
    public Optional<InstalledTool> get(Tool tool) {
        return Optional.ofNullable(chosen.get(tool));
    }

    /** Every copy found, of every program, in search order; for {@code botdb doctor}-style listings. */
    public List<InstalledTool> all() {
        return found;
    }

    /**
     * The program botdb would run.
     *
     * @throws BotDbException {@link ErrorCode#TOOL_MISSING} naming the package that installs it
     */
    public InstalledTool require(Tool tool) {
        InstalledTool t = chosen.get(tool);
        if (t != null) {
            return t;
        }
        String why = switch (tool) {
            case PG_DUMP -> "botdb's own backup format (the default) needs no PostgreSQL tools.";
            case PG_RESTORE -> "pg_restore is only needed for pg_dump -Fc archives; backups in botdb's own format"
                    + " restore without it.";
            case PSQL -> "psql is only needed for plain SQL files (.sql, .sql.gz); backups in botdb's own format"
                    + " restore without it.";
        };
        throw new BotDbException(ErrorCode.TOOL_MISSING, tool + " is not installed: not found in " + searched
                + ". Install the PostgreSQL client programs (Debian/Ubuntu: apt-get install postgresql-client;"
                + " a newer major: postgresql-client-NN from apt.postgresql.org), or set " + PG_BIN
                + " to the folder that holds " + tool + ". " + why);
    }

    /**
     * psql on {@code target} with this process's terminal ({@code botdb psql}): the connection in libpq
     * variables, the password in a pass file readable by its owner only and deleted when psql ends,
     * never on the command line or in PGPASSWORD; messages in the operator's language.
     *
     * @param args psql's own arguments ({@code -c "SELECT 1"}, {@code -f file.sql}, ...)
     * @return psql's exit code
     * @throws BotDbException {@link ErrorCode#TOOL_MISSING} when no psql is installed
     */
    public int interactive(PostgresTarget target, List<String> args) {
        InstalledTool psql = chosen.get(Tool.PSQL);
        if (psql == null) {
            throw new BotDbException(ErrorCode.TOOL_MISSING, "psql is not installed: not found in " + searched
                    + ". Install it (Debian/Ubuntu: apt-get install postgresql-client), set " + PG_BIN + " to its"
                    + " folder, or run one statement without it: botdb sql \"SELECT ...\".");
        }
        try (ChildEnvironment child = ChildEnvironment.forTarget(env, target, Tool.PSQL)) {
            List<String> command = new ArrayList<>();
            command.add(psql.path().toString());
            command.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
            pb.environment().clear();
            pb.environment().putAll(child.variables());
            pb.environment().remove("LC_MESSAGES"); // a person reads this session: their own language
            for (String locale : List.of("LC_ALL", "LC_MESSAGES")) {
                if (env.containsKey(locale)) {
                    pb.environment().put(locale, env.get(locale));
                }
            }
            Process p = pb.start();
            return p.waitFor();
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.TOOL_MISSING, "Could not start " + psql.path() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BotDbException(ErrorCode.INTERNAL, "Interrupted while psql ran", e);
        }
    }

    /** True when a pg_dump of version {@code pgDump} can dump a server of major {@code serverMajor}. */
    public static boolean canDump(ToolVersion pgDump, int serverMajor) {
        // pg_dump refuses newer servers ("aborting because of server version mismatch"); it reads
        // every older one botdb supports
        return pgDump.major() >= serverMajor;
    }

    /** True when the pg_dump found can dump a server of major {@code serverMajor}. */
    public boolean canDump(int serverMajor) {
        return get(Tool.PG_DUMP).map(t -> canDump(t.version(), serverMajor)).orElse(false);
    }

    /**
     * Fails unless the pg_dump found can dump a server of major {@code serverMajor}.
     *
     * @throws BotDbException {@link ErrorCode#TOOL_MISSING}: absent, or older than the server
     */
    public void requireCanDump(int serverMajor) {
        InstalledTool pgDump = require(Tool.PG_DUMP);
        if (!canDump(pgDump.version(), serverMajor)) {
            throw new BotDbException(ErrorCode.TOOL_MISSING, tooOldMessage(pgDump, Integer.toString(serverMajor)));
        }
    }

    private static String tooOldMessage(InstalledTool pgDump, String serverMajor) {
        return "pg_dump " + pgDump.version().majorText() + " cannot dump a PostgreSQL " + serverMajor
                + " server: install postgresql-client-" + serverMajor + " from apt.postgresql.org (or set " + PG_BIN
                + " to a folder with pg_dump " + serverMajor + " or newer), or use botdb's own format (the default)."
                + " Found: " + pgDump.path() + ", version " + pgDump.version() + ".";
    }

    /** True when the pg_restore found can read an archive with this header. */
    public boolean canRestore(PgArchiveHeader header) {
        return get(Tool.PG_RESTORE).map(t -> header.readableBy(t.version())).orElse(false);
    }

    /**
     * The pg_restore to use for {@code file}, whose header is {@code header}.
     *
     * @throws BotDbException {@link ErrorCode#TOOL_MISSING}: absent, or too old for the archive
     */
    public InstalledTool requireCanRestore(PgArchiveHeader header, Path file) {
        InstalledTool pgRestore = require(Tool.PG_RESTORE);
        if (!header.readableBy(pgRestore.version())) {
            int needed = header.requiredClientMajor();
            String writer = header.pgDumpVersion() == null ? header.writers() : "pg_dump " + header.pgDumpVersion();
            String limit = PgArchiveHeader.newestReadableMinor(pgRestore.version().major())
                    .map(m -> "reads archive formats up to 1." + m).orElse("cannot read it");
            throw new BotDbException(ErrorCode.TOOL_MISSING, "pg_restore " + pgRestore.version() + " cannot read "
                    + file + ": it was written by " + writer + " (archive format " + header.formatVersion()
                    + "), and pg_restore " + pgRestore.version().majorText() + " " + limit + ". Install"
                    + " postgresql-client-" + needed + " from apt.postgresql.org (or set " + PG_BIN + " to a folder"
                    + " with pg_restore " + needed + " or newer). Found: " + pgRestore.path() + ".");
        }
        return pgRestore;
    }

    /**
     * Writes a {@code pg_dump -Fc} archive of {@code target} to {@code out}: first to
     * {@code out.partial} (created readable by the owner only), renamed to {@code out} only when
     * pg_dump exits 0, so an interrupted or failed dump never leaves a file that looks complete.
     *
     * @param tables pg_dump {@code --table} patterns ({@code users}, {@code public.users},
     *               {@code '"MixedCase"'}); each must match a table ({@code --strict-names}); empty
     *               for the whole database
     * @throws BotDbException {@link ErrorCode#TOOL_MISSING} when pg_dump is absent or older than
     *                        the server; {@link ErrorCode#BACKUP_FAILED} when it fails or {@code out}
     *                        exists already
     */
    public ToolRun dumpCustomFormat(PostgresTarget target, Path out, List<String> tables) {
        InstalledTool pgDump = require(Tool.PG_DUMP);
        if (Files.exists(out)) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, out + " exists already; botdb never overwrites a"
                    + " backup. Choose another file name or move the old file away.");
        }
        Path partial = out.resolveSibling(out.getFileName() + ".partial");
        createOwnerOnly(partial);
        boolean done = false;
        try (ChildEnvironment childEnv = ChildEnvironment.forTarget(env, target, Tool.PG_DUMP)) {
            List<String> command = new ArrayList<>(List.of(pgDump.path().toString(), "--format=custom",
                    "--no-password", "--file=" + partial));
            for (String table : tables) {
                command.add("--table=" + table);
            }
            if (!tables.isEmpty()) {
                command.add("--strict-names");
            }
            ChildProcess.Outcome outcome = ChildProcess.run(command, childEnv.variables(), null, null,
                    target.password());
            if (!outcome.succeeded()) {
                throw dumpFailure(pgDump, target, outcome);
            }
            long bytes = publish(partial, out);
            done = true;
            return new ToolRun(pgDump, out, bytes, outcome.elapsed(), outcome.stderr());
        } finally {
            if (!done) {
                deleteQuietly(partial);
            }
        }
    }

    private static BotDbException dumpFailure(InstalledTool pgDump, PostgresTarget target,
                                              ChildProcess.Outcome outcome) {
        String err = stderrFor(outcome, target);
        if (err.contains("server version mismatch")) {
            Matcher m = SERVER_VERSION.matcher(err);
            String server = m.find() ? ToolVersion.parse(m.group(1)).map(ToolVersion::majorText).orElse(m.group(1))
                    : "newer";
            return new BotDbException(ErrorCode.TOOL_MISSING, tooOldMessage(pgDump, server));
        }
        String hint = err.contains("no matching tables were found")
                ? "\nCheck the table names: pg_dump matches them as patterns, schema-qualified or not"
                + " (public.users), with mixed-case names in double quotes."
                : "";
        return new BotDbException(ErrorCode.BACKUP_FAILED, "pg_dump failed (exit code " + outcome.exitCode()
                + ") dumping " + target.displayName() + "; no backup was written. pg_dump said:\n" + err + hint);
    }

    /**
     * Restores a plain SQL dump ({@code .sql}, or gzip-compressed {@code .sql.gz}, told apart by
     * content) through {@code psql -X -v ON_ERROR_STOP=1 --single-transaction -f -}: the file is
     * streamed into psql's standard input (gunzipped by botdb), and the first error rolls
     * everything back. A file pg_dump wrote must end with pg_dump's closing comment; when it
     * does not (a truncated file), or the gzip stream is corrupt, psql is killed before it sees the
     * end of its input, so nothing is committed.
     *
     * @throws BotDbException {@link ErrorCode#TOOL_MISSING} without psql; {@link ErrorCode#BACKUP_INVALID}
     *                        when the file is not SQL or is truncated; {@link ErrorCode#BACKUP_FAILED}
     *                        when psql fails (its messages included)
     */
    public ToolRun restorePlainSql(PostgresTarget target, Path file) {
        return restorePlainSql(target, file, "", "");
    }

    /**
     * {@link #restorePlainSql(PostgresTarget, Path)} with SQL run in the same transaction before
     * the file ({@code prelude}, e.g. dropping the tables a one-table dump replaces) and after it
     * ({@code postlude}).
     */
    public ToolRun restorePlainSql(PostgresTarget target, Path file, String prelude, String postlude) {
        FileKind kind = FileKind.detect(file);
        if (kind != FileKind.PLAIN_SQL && kind != FileKind.GZIP_SQL) {
            if (kind.restorable()) {
                throw new BotDbException(ErrorCode.BACKUP_INVALID, file + " is a " + kind.description()
                        + ", not plain SQL; restore it as one.");
            }
            FileKind.requireRestorable(file, null);
        }
        boolean gzip = kind == FileKind.GZIP_SQL;
        String head = head(file, gzip);
        if (PG_DUMPALL_HEADER.matcher(head).find()) {
            throw new BotDbException(ErrorCode.BACKUP_INVALID, file + " was written by pg_dumpall: it holds every"
                    + " database and role of a server, and botdb restores one database. Restore it as a superuser"
                    + " with: psql -X -f " + file + " postgres (gunzip it first if compressed).");
        }
        boolean fromPgDump = PG_DUMP_HEADER.matcher(head).find();
        InstalledTool psql = require(Tool.PSQL);
        List<String> command = List.of(psql.path().toString(), "-X", "--quiet", "--no-password",
                "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", "-");
        ChildProcess.InputCheck complete = (first, last) -> fromPgDump
                && !new String(last, StandardCharsets.ISO_8859_1).contains(PG_DUMP_FOOTER)
                ? Optional.of("it ends before pg_dump's closing line \"" + PG_DUMP_FOOTER + "\", so it was cut off")
                : Optional.empty();
        ChildProcess.Outcome outcome;
        try (ChildEnvironment childEnv = ChildEnvironment.forTarget(env, target, Tool.PSQL);
             InputStream in = new java.io.SequenceInputStream(java.util.Collections.enumeration(List.of(
                     new java.io.ByteArrayInputStream(prelude.getBytes(StandardCharsets.UTF_8)), open(file, gzip),
                     new java.io.ByteArrayInputStream(postlude.getBytes(StandardCharsets.UTF_8)))))) {
            outcome = ChildProcess.run(command, childEnv.variables(), in, complete, target.password());
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.BACKUP_INVALID, "Could not read " + file + ": " + e.getMessage(), e);
        }
        if (outcome.inputProblem() != null) {
            throw new BotDbException(ErrorCode.BACKUP_INVALID, file + " is truncated or corrupt ("
                    + outcome.inputProblem() + "). psql was stopped before the end of the file, so its transaction"
                    + " was rolled back: " + target.displayName() + " is unchanged.");
        }
        if (outcome.exitCode() != 0) {
            String err = stderrFor(outcome, target).replace("psql:<stdin>:", "psql:" + file + ":");
            String state = fromPgDump
                    ? " The restore ran as one transaction and was rolled back: the database is unchanged."
                    : " The restore ran as one transaction (psql --single-transaction), so nothing was applied"
                    + " unless the file itself commits (a COMMIT in the file ends that transaction early).";
            String hint = err.contains("invalid command \\restrict")
                    ? "\nThe file was written by a pg_dump from August 2025 or later, which adds \\restrict lines;"
                    + " this psql is older than 13.22/14.19/15.14/16.10/17.6 and cannot run them. Upgrade the"
                    + " postgresql-client package."
                    : roleHint(err);
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "psql could not restore " + file + " into "
                    + target.displayName() + " (exit code " + outcome.exitCode() + ")." + state + " psql said:\n"
                    + err + hint);
        }
        return new ToolRun(psql, file, size(file), outcome.elapsed(), outcome.stderr());
    }

    /**
     * Restores a {@code pg_dump -Fc} archive with {@code pg_restore --exit-on-error}: with
     * {@code jobs == 1} in a single transaction (a failure leaves the target unchanged); with more
     * jobs in parallel ({@code --jobs}), which cannot be one transaction, so a failure leaves what
     * was restored so far: restore into a new database and drop it on failure.
     *
     * @param tables tables to restore alone ({@code users} or {@code public.users}; pg_restore's
     *               {@code -t} matches names exactly and restores the table and its data, not its
     *               indexes or constraints); empty for everything
     * @throws BotDbException {@link ErrorCode#TOOL_MISSING} without a pg_restore that reads the
     *                        archive; {@link ErrorCode#BACKUP_INVALID} when the file is not a custom
     *                        archive; {@link ErrorCode#BACKUP_FAILED} when pg_restore fails
     */
    public ToolRun restoreCustomFormat(PostgresTarget target, Path dump, List<String> tables, int jobs) {
        if (jobs < 1) {
            throw new BotDbException(ErrorCode.USAGE, "--jobs must be 1 or more, but it is " + jobs + ".");
        }
        FileKind kind = FileKind.detect(dump);
        if (kind != FileKind.PG_DUMP_CUSTOM) {
            if (kind.restorable()) {
                throw new BotDbException(ErrorCode.BACKUP_INVALID, dump + " is " + kind.description()
                        + ", not a pg_dump custom-format archive; restore it as one.");
            }
            FileKind.requireRestorable(dump, null);
        }
        PgArchiveHeader header = PgArchiveHeader.read(dump);
        InstalledTool pgRestore = requireCanRestore(header, dump);
        List<String> command = new ArrayList<>(List.of(pgRestore.path().toString(), "--exit-on-error",
                "--no-password", "--dbname=" + conninfoDbname(target.database())));
        command.add(jobs == 1 ? "--single-transaction" : "--jobs=" + jobs);
        command.addAll(tableOptions(tables));
        command.add(dump.toString());
        ChildProcess.Outcome outcome;
        try (ChildEnvironment childEnv = ChildEnvironment.forTarget(env, target, Tool.PG_RESTORE)) {
            outcome = ChildProcess.run(command, childEnv.variables(), null, null, target.password());
        }
        if (!outcome.succeeded()) {
            String err = stderrFor(outcome, target);
            String state = jobs == 1
                    ? " The restore ran as one transaction and was rolled back: the database is unchanged."
                    : " It ran with --jobs=" + jobs + ", not as one transaction: what was restored before the error"
                    + " is still there.";
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "pg_restore could not restore " + dump + " into "
                    + target.displayName() + " (exit code " + outcome.exitCode() + ")." + state + " pg_restore said:\n"
                    + err + roleHint(err));
        }
        return new ToolRun(pgRestore, dump, size(dump), outcome.elapsed(), outcome.stderr());
    }

    /**
     * The tables a {@code pg_dump -Fc} archive holds: those it creates ({@code TABLE} entries) and
     * those it loads ({@code TABLE DATA}), read with {@code pg_restore --list}, which connects to
     * nothing.
     */
    public Set<dev.botdb.dialect.QualifiedName> archiveTables(Path dump) {
        InstalledTool pgRestore = requireCanRestore(PgArchiveHeader.read(dump), dump);
        Path list = privateTempFile("botdb-list-");
        try {
            ChildProcess.Outcome outcome = ChildProcess.run(List.of(pgRestore.path().toString(), "--list",
                    "--file=" + list, dump.toString()), env, null, null, null);
            if (!outcome.succeeded()) {
                throw new BotDbException(ErrorCode.BACKUP_INVALID, "pg_restore could not read the contents of " + dump
                        + " (exit code " + outcome.exitCode() + "):\n" + outcome.stderrText());
            }
            Set<dev.botdb.dialect.QualifiedName> tables = new LinkedHashSet<>();
            for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
                Matcher m = LIST_TABLE.matcher(line);
                if (m.matches()) {
                    tables.add(new dev.botdb.dialect.QualifiedName(m.group(1), m.group(2)));
                }
            }
            return tables;
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "Could not read pg_restore's list of " + dump + ": "
                    + e.getMessage(), e);
        } finally {
            deleteQuietly(list);
        }
    }

    /**
     * Writes tables of a {@code pg_dump -Fc} archive as a plain SQL script ({@code pg_restore
     * --file}, which connects to nothing), so it can run in one psql transaction together with
     * what botdb adds before and after it.
     *
     * @param dataOnly only the rows ({@code --data-only}), for tables that exist already
     */
    public void archiveScript(Path dump, List<String> tables, boolean dataOnly, Path out) {
        InstalledTool pgRestore = requireCanRestore(PgArchiveHeader.read(dump), dump);
        List<String> command = new ArrayList<>(List.of(pgRestore.path().toString(), "--file=" + out));
        if (dataOnly) {
            command.add("--data-only");
        }
        command.addAll(tableOptions(tables));
        command.add(dump.toString());
        ChildProcess.Outcome outcome = ChildProcess.run(command, env, null, null, null);
        if (!outcome.succeeded()) {
            throw new BotDbException(ErrorCode.BACKUP_INVALID, "pg_restore could not read " + String.join(", ", tables)
                    + " from " + dump + " (exit code " + outcome.exitCode() + "):\n" + outcome.stderrText());
        }
    }

    /** An empty file only this user can read, for scripts that hold a table's rows. */
    public static Path privateTempFile(String prefix) {
        try {
            return Files.createTempFile(prefix, ".sql",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "Could not create a temporary file: " + e.getMessage()
                    + ". Check that the temporary folder (java.io.tmpdir) is writable.", e);
        }
    }

    /** Deletes a temporary or partial file; the failure being reported matters more than this one. */
    public static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a .partial file is never taken for a backup, and the system cleans its temporary folder
        }
    }

    /** {@code -n schema -t table} options for pg_restore, from plain or schema-qualified names. */
    static List<String> tableOptions(List<String> tables) {
        Set<String> schemas = new LinkedHashSet<>();
        List<String> options = new ArrayList<>();
        for (String table : tables) {
            int dot = table.indexOf('.');
            if (dot > 0 && dot < table.length() - 1) {
                schemas.add(table.substring(0, dot));
                options.add("--table=" + table.substring(dot + 1));
            } else {
                options.add("--table=" + table);
            }
        }
        List<String> all = new ArrayList<>();
        schemas.forEach(s -> all.add("--schema=" + s));
        all.addAll(options);
        return all;
    }

    /** A libpq connection string naming only the database, so a name like {@code a=b} is not parsed as options. */
    static String conninfoDbname(String database) {
        return "dbname='" + database.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /**
     * The child's standard error, where libpq's "password retrieved from file /tmp/botdb-pgpass-..."
     * (botdb's temporary file, gone by now) names the setting the password really came from.
     */
    private static String stderrFor(ChildProcess.Outcome outcome, PostgresTarget target) {
        return PASSWORD_FILE_NOTE.matcher(outcome.stderrText()).replaceAll(Matcher.quoteReplacement(
                "(the password is the one from " + target.sources().getOrDefault("password", "the configuration")
                        + ")"));
    }

    private static String roleHint(String err) {
        return ROLE_MISSING.matcher(err).find()
                ? "\nThe dump gives objects to roles that do not exist on this server: create those roles first,"
                + " or restore as a role that may own everything."
                : "";
    }

    /** The first bytes of the (decompressed) file as text, to recognise pg_dump's header. */
    private static String head(Path file, boolean gzip) {
        try (InputStream in = open(file, gzip)) {
            return new String(in.readNBytes(ChildProcess.EDGE_BYTES), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return ""; // a damaged start shows when the file is streamed into psql
        }
    }

    static InputStream open(Path file, boolean gzip) throws IOException {
        InputStream in = Files.newInputStream(file);
        try {
            return gzip ? new GZIPInputStream(in, 64 * 1024) : in;
        } catch (IOException e) {
            in.close();
            throw e;
        }
    }

    private static void createOwnerOnly(Path partial) {
        try {
            Files.deleteIfExists(partial); // left by an interrupted run: never complete
            Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, partial + " is being written by another backup.", e);
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "Could not create " + partial + ": " + e.getMessage()
                    + ". Check that the folder exists and is writable.", e);
        }
    }

    /** Flushes the finished file to disk and renames it into place; returns its size. */
    private static long publish(Path partial, Path out) {
        try {
            try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, out);
            }
            syncDirectory(out.toAbsolutePath().getParent());
            return Files.size(out);
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.BACKUP_FAILED, "Could not move the finished dump " + partial + " to "
                    + out + ": " + e.getMessage(), e);
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot sync a folder; the file itself is on disk already
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

}
