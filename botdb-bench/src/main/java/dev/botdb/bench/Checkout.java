package dev.botdb.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The botdb checkout a benchmark jar was built in: where BENCHMARKS.md goes and which commit was measured. */
final class Checkout {
    private Checkout() {
    }

    /** The checkout this jar was built in (the folder with the parent pom), or null. */
    static Path root() {
        try {
            Path here = Path.of(Checkout.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = here; p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("botdb-bench"))) {
                    return p;
                }
            }
        } catch (java.net.URISyntaxException | SecurityException e) {
            // not from a file: no checkout to name
        }
        return null;
    }

    /** BENCHMARKS.md next to the parent pom this jar was built from, else in the working directory. */
    static Path benchmarksFile() {
        Path root = root();
        return root == null ? Path.of("BENCHMARKS.md") : root.resolve("BENCHMARKS.md");
    }

    /** The botdb commit measured, and whether the code differed from it: figures without it cannot be traced. */
    static String measuredCode() {
        Path root = root();
        if (root == null) {
            return "unknown (not run from a botdb checkout)";
        }
        String commit = git(root, "rev-parse", "--short", "HEAD");
        commit = commit == null ? null : commit.strip();
        String changes = git(root, "status", "--porcelain", "--", "botdb-core", "botdb-bench", "pom.xml");
        if (commit == null) {
            return "unknown (git not available)";
        }
        return "commit " + commit + (changes == null || changes.isBlank() ? ""
                : " with uncommitted changes in " + String.join(", ", changes.lines()
                .map(l -> l.substring(3)).toList()));  // porcelain lines are "XY path"
    }

    private static String git(Path root, String... args) {
        List<String> argv = new ArrayList<>(List.of("git", "-C", root.toString()));
        argv.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
