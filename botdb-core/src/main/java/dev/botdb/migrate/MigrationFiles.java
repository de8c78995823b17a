package dev.botdb.migrate;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.config.Engine;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the migrations in a directory: {@code *.sql} files named in any of the reference styles
 * ({@code 20250805200527_initial.sql}, {@code 20240101_initial_schema.sql}, {@code 001_users.sql},
 * Flyway's {@code V3__x.sql} / {@code V1.2__x.sql}), ordered by their numeric version.
 * {@code *.rollback.sql} and {@code *.down.sql} are not migrations. {@code NAME.postgres.sql} /
 * {@code NAME.sqlite.sql} apply to one engine only.
 */
final class MigrationFiles {
    /** 20250805200527_x, 001_x, 1-x, V3__x, v1.2__x, V1_2__x */
    private static final Pattern NAME = Pattern.compile("(?:[Vv])?([0-9]+(?:[._][0-9]+)*?)(__|_|-|\\.)(.+)");
    private static final Pattern FLYWAY = Pattern.compile("[Vv]([0-9]+(?:[._][0-9]+)*)__(.+)");
    private static final List<String> NOT_MIGRATIONS = List.of(".rollback.sql", ".down.sql");
    /** Below this many files a sequential read is as quick as handing them to other threads. */
    private static final int PARALLEL_FROM = 64;

    private MigrationFiles() {
    }

    /** True for rollback companions, which {@code migrate} never applies. */
    static boolean isRollback(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        return NOT_MIGRATIONS.stream().anyMatch(lower::endsWith);
    }

    /** The migrations of {@code engine} in {@code dir}, unordered; {@code warn} hears of numbered files that are not SQL. */
    static List<MigrationFile> load(Path dir, Engine engine, Consumer<String> warn) {
        if (!Files.isDirectory(dir)) {
            throw new BotDbException(ErrorCode.MIGRATION_INVALID, "Migrations directory " + dir.toAbsolutePath()
                    + (Files.exists(dir) ? " is not a directory." : " does not exist.")
                    + " Set MIGRATIONS_PATH to the folder with your .sql files (default: migrations), or create it.");
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            list.forEach(p -> {
                String name = p.getFileName().toString();
                if (!name.toLowerCase(Locale.ROOT).endsWith(".sql")) {
                    warnIfNumbered(p, warn);
                } else if (!isRollback(name)) {
                    paths.add(p);
                }
            });
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.MIGRATION_INVALID, "Cannot list " + dir + ": " + e.getMessage());
        }
        // Every start reads and checksums every file: for 1,000 files about 6 ms of open/read/close
        // on one core, 3 ms spread over two (a third of a no-op start before this was parallel)
        Stream<Path> each = paths.size() >= PARALLEL_FROM ? paths.parallelStream() : paths.stream();
        List<MigrationFile> files = each
                .filter(p -> {
                    String variantEngine = engineOf(p.getFileName().toString());
                    return variantEngine == null || variantEngine.equals(engine.label()); // else the other engine's variant
                })
                .map(MigrationFiles::read)
                .filter(java.util.Objects::nonNull)
                .toList();
        return files;
    }

    /**
     * A numbered file that is not SQL ({@code 008_add_x.py} from the USN bot, {@code 009_seed.sql.bak})
     * looks like a migration to whoever put it there, so skipping it is said out loud.
     */
    private static void warnIfNumbered(Path p, Consumer<String> warn) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        if ((leadingNumber(stem) != null || patternOrder(stem) != null) && Files.isRegularFile(p)) {
            warn.accept("Warning: " + name + " looks like a migration (it is numbered) but is not run: botdb runs"
                    + " only .sql files (and Java migrations added in code). Rewrite it as " + stem.replaceAll(
                    "(?i)\\.sql$", "") + ".sql, or move it out of " + p.getParent() + ".");
        }
    }

    /** The file, or null for something that is not a regular file (a folder named {@code x.sql}). */
    private static MigrationFile read(Path p) {
        byte[] bytes;
        try {
            // one stat for type and size, then open / read / close: a start reads every file, and on
            // a small VM each system call counts (Files.readAllBytes adds an fstat and a read)
            BasicFileAttributes attributes = Files.readAttributes(p, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                return null;
            }
            bytes = readFully(p, attributes.size());
        } catch (IOException e) {
            throw new BotDbException(ErrorCode.MIGRATION_INVALID, "Cannot read " + p + ": " + e.getMessage());
        }
        MigrationFile file = parse(p.getFileName().toString(), bytes);
        file.checksum(); // on the (parallel) read: every caller compares it with the history
        return file;
    }

    private static byte[] readFully(Path p, long expectedSize) throws IOException {
        if (expectedSize > Integer.MAX_VALUE - 16) {
            throw new IOException("file too large (" + expectedSize + " bytes)");
        }
        try (FileChannel channel = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) expectedSize);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // the stat's size, read in as few calls as the kernel allows
            }
            if (buffer.hasRemaining()) { // shrank since the stat
                return java.util.Arrays.copyOf(buffer.array(), buffer.position());
            }
            if (expectedSize == 0 || channel.size() > expectedSize) { // grew since the stat (or a 0-size special file)
                java.io.ByteArrayOutputStream more = new java.io.ByteArrayOutputStream();
                more.write(buffer.array(), 0, buffer.position());
                ByteBuffer chunk = ByteBuffer.allocate(8192);
                while (channel.read(chunk.clear()) > 0) {
                    more.write(chunk.array(), 0, chunk.position());
                }
                return more.toByteArray();
            }
            return buffer.array();
        }
    }

    /** A Java migration as an entry of the ordered list: no SQL, version = its name. */
    static MigrationFile javaMigration(String version) {
        MigrationFile shape = parse(version + ".sql", new byte[0]);
        return new MigrationFile(version, version + " (Java)", shape.order(), "");
    }

    static MigrationFile parse(String fileName, byte[] bytes) {
        String version = withoutEngine(fileName);
        String stem = version.substring(0, version.length() - 4);
        List<BigInteger> order = leadingNumber(stem);
        if (order == null) {
            order = patternOrder(stem);
        }
        if (order == null) {
            throw new BotDbException(ErrorCode.MIGRATION_INVALID, fileName + " has no version number at the start of its"
                    + " name, so its place in the order is unknown. Rename it like 001_" + stem + ".sql or "
                    + "20250101120000_" + stem + ".sql (botdb new NAME creates such a file).");
        }
        return new MigrationFile(version, fileName, order, decode(fileName, bytes));
    }

    /** The version parts by the name patterns (Flyway's first), or null when the name has none. */
    static List<BigInteger> patternOrder(String stem) {
        Matcher flyway = FLYWAY.matcher(stem);
        Matcher m = flyway.matches() ? flyway : NAME.matcher(stem);
        if (!m.matches()) {
            return null;
        }
        List<BigInteger> order = new ArrayList<>();
        for (String part : m.group(1).split("[._]")) {
            order.add(new BigInteger(part));
        }
        return List.copyOf(order);
    }

    private static String decode(String fileName, byte[] bytes) {
        int start = bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB
                && (bytes[2] & 0xff) == 0xBF ? 3 : 0; // a UTF-8 byte-order mark is allowed
        for (int i = start; i < bytes.length; i++) {
            if (bytes[i] == 0) { // PostgreSQL refuses it inside any text; a binary file or UTF-16 saved as .sql
                throw new BotDbException(ErrorCode.MIGRATION_INVALID, fileName + " contains a NUL byte (line "
                        + lineOf(bytes, start, i) + "), which no SQL text may contain: it is binary or UTF-16, not a"
                        + " UTF-8 SQL file. Remove the byte or save the file as UTF-8, e.g.: iconv -f UTF-16 -t UTF-8 "
                        + fileName + " > fixed.sql");
            }
        }
        if (isAscii(bytes, start)) {
            return new String(bytes, start, bytes.length - start, StandardCharsets.US_ASCII); // nearly every file
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int line = lineOf(bytes, start, in.position());
            throw new BotDbException(ErrorCode.MIGRATION_INVALID, fileName + " is not UTF-8 text (first bad byte on line "
                    + line + "). Save it as UTF-8, e.g.: iconv -f LATIN1 -t UTF-8 " + fileName + " > fixed.sql");
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    /** The 1-based line of byte {@code at}. */
    private static int lineOf(byte[] bytes, int from, int at) {
        int line = 1;
        for (int i = from; i < at; i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        return line;
    }

    /**
     * The common names ({@code 001_users}, {@code 20250805200527_initial}, {@code 1-x}) without a
     * regular expression: digits, then {@code _}, {@code -} or {@code .}, then anything. The
     * result equals what {@link #NAME} gives them (its version group is reluctant, so it stops at the
     * first separator); null for every other shape, which the patterns handle.
     */
    static List<BigInteger> leadingNumber(String stem) {
        int digits = 0;
        while (digits < stem.length() && stem.charAt(digits) >= '0' && stem.charAt(digits) <= '9') {
            digits++;
        }
        if (digits == 0 || digits + 1 >= stem.length()) {
            return null;
        }
        char separator = stem.charAt(digits);
        if (separator != '_' && separator != '-' && separator != '.') {
            return null;
        }
        return List.of(digits < 18 ? BigInteger.valueOf(Long.parseLong(stem, 0, digits, 10))
                : new BigInteger(stem.substring(0, digits)));
    }

    static boolean isAscii(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] < 0) {
                return false;
            }
        }
        return true;
    }

    /** "postgres" / "sqlite" for NAME.postgres.sql / NAME.sqlite.sql, else null. */
    private static String engineOf(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".postgres.sql") || lower.endsWith(".postgresql.sql") || lower.endsWith(".pg.sql")) {
            return "postgresql";
        }
        if (lower.endsWith(".sqlite.sql")) {
            return "sqlite";
        }
        return null;
    }

    private static String withoutEngine(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        for (String suffix : List.of(".postgresql.sql", ".postgres.sql", ".pg.sql", ".sqlite.sql")) {
            if (lower.endsWith(suffix)) {
                return fileName.substring(0, fileName.length() - suffix.length()) + ".sql";
            }
        }
        return fileName;
    }

    private static final Comparator<List<BigInteger>> NUMERIC = (a, b) -> {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };

    /** Numeric order; equal versions are an error naming both files; warns once if name order differs. */
    static List<MigrationFile> order(List<MigrationFile> files, Consumer<String> warn) {
        List<MigrationFile> sorted = new ArrayList<>(files);
        sorted.sort(Comparator.comparing(MigrationFile::order, NUMERIC).thenComparing(MigrationFile::fileName));
        Map<String, MigrationFile> byVersion = new HashMap<>();
        for (int i = 0; i < sorted.size(); i++) {
            MigrationFile f = sorted.get(i);
            MigrationFile sameName = byVersion.put(f.version(), f);
            if (sameName != null) {
                throw new BotDbException(ErrorCode.MIGRATION_INVALID, "Two files are the same migration " + f.version()
                        + ": " + sameName.fileName() + " and " + f.fileName() + ". Keep one of them.");
            }
            if (i > 0 && NUMERIC.compare(sorted.get(i - 1).order(), f.order()) == 0) {
                throw new BotDbException(ErrorCode.MIGRATION_INVALID, "Two files have the same version "
                        + versionText(f.order()) + ": " + sorted.get(i - 1).fileName() + " and " + f.fileName()
                        + ". Give one of them the next free number.");
            }
        }
        List<MigrationFile> byName = new ArrayList<>(sorted);
        byName.sort(Comparator.comparing(MigrationFile::fileName));
        if (!byName.equals(sorted)) {
            warn.accept("Migration file names do not sort in version order (e.g. " + firstDifference(byName, sorted)
                    + "); applying them in numeric version order. Zero-pad the numbers (009_, 010_) to make both agree.");
        }
        return List.copyOf(sorted);
    }

    private static String firstDifference(List<MigrationFile> byName, List<MigrationFile> sorted) {
        for (int i = 0; i < sorted.size(); i++) {
            if (!byName.get(i).equals(sorted.get(i))) {
                return sorted.get(i).fileName() + " before " + byName.get(i).fileName();
            }
        }
        return "";
    }

    static String versionText(List<BigInteger> order) {
        return String.join(".", order.stream().map(BigInteger::toString).toList());
    }
}
