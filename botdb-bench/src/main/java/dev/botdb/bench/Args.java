package dev.botdb.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** Reading the benchmarks' command lines: every bad value rejected with the option's name and what it takes. */
final class Args {
    private Args() {
    }

    /**
     * {@code --name value} pairs by name; the names in {@code flags} take no value (mapped to "").
     *
     * @throws IllegalArgumentException when an option lacks its value
     */
    static java.util.Map<String, String> options(String[] args, String... flags) {
        java.util.Map<String, String> o = new java.util.LinkedHashMap<>();
        java.util.Set<String> bare = java.util.Set.of(flags);
        for (int i = 0; i < args.length; i++) {
            o.put(args[i], bare.contains(args[i]) ? "" : value(args, ++i, args[i - 1]));
        }
        return o;
    }

    /** The value after option {@code args[i - 1]}. */
    static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    static int whole(String option, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " takes a whole number from " + min + " to " + max + ", not " + value);
    }

    /** An existing directory. */
    static Path directory(String option, String value) {
        Path p = Path.of(value);
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException(option + " " + p + " is not a directory");
        }
        return p;
    }

    /** Where the server's data folder (and anything it writes beside it) goes: {@code --data-dir}, else the temporary folder. */
    static Path dataFolderParent(Path dataDir) {
        return dataDir != null ? dataDir : Path.of(System.getProperty("java.io.tmpdir"));
    }
}
