package dev.botdb.dist;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The tarballs this module built, unpacked as a user would, and the processes run from them. */
final class Tarballs {
    private Tarballs() {
    }

    static Path tarball(String arch) {
        Path dir = Path.of(System.getProperty("botdb.dist.dir", "target"));
        Path t = dir.resolve("botdb-" + System.getProperty("botdb.version") + "-linux-" + arch + ".tar.gz");
        if (!Files.isRegularFile(t)) {
            throw new IllegalStateException(t + " is missing: run ./mvnw -pl botdb-dist -am package");
        }
        return t;
    }

    /** Unpacks the tarball into {@code into} with tar, as the README's Install section does; the botdb-VERSION folder. */
    static Path unpack(String arch, Path into) throws Exception {
        Result r = run(List.of("tar", "-xzf", tarball(arch).toString(), "-C", into.toString()), into, Map.of(
                "PATH", "/usr/bin:/bin"));
        if (r.exit() != 0) {
            throw new IllegalStateException("tar failed: " + r.output());
        }
        return into.resolve("botdb-" + System.getProperty("botdb.version"));
    }

    record Result(int exit, String output) {
    }

    /** Runs a command with exactly {@code env} (nothing inherited), stdout and stderr together. */
    static Result run(List<String> command, Path dir, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " did not finish");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /**
     * A PATH folder with every program of this machine's /usr/local/bin, /usr/bin, /bin, /usr/sbin and
     * /sbin except those that lead into a JDK: the machine as one without Java would be.
     */
    static Path pathWithoutJava(Path into) throws IOException {
        Path bin = Files.createDirectories(into);
        for (String d : new String[] {"/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"}) {
            Path dir = Path.of(d);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            List<Path> entries = new ArrayList<>();
            try (var list = Files.list(dir)) {
                list.forEach(entries::add);
            }
            for (Path p : entries) {
                Path link = bin.resolve(p.getFileName().toString());
                if (Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS) || !Files.isExecutable(p)) {
                    continue;
                }
                Path real;
                try {
                    real = p.toRealPath();
                } catch (IOException e) {
                    continue;
                }
                if (real.startsWith("/usr/lib/jvm") || real.toString().contains("/jdk") || real.toString().contains("/jre")) {
                    continue;
                }
                Files.createSymbolicLink(link, p);
            }
        }
        return bin;
    }

    /** The ELF machine of a binary: 62 is x86-64, 183 is AArch64. */
    static int elfMachine(InputStream in) throws IOException {
        byte[] h = in.readNBytes(20);
        if (h.length < 20 || h[0] != 0x7f || h[1] != 'E' || h[2] != 'L' || h[3] != 'F') {
            throw new IllegalStateException("not an ELF file");
        }
        return (h[18] & 0xff) | (h[19] & 0xff) << 8; // e_machine, little-endian (EI_DATA 1 on both platforms)
    }

    static int elfMachine(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return elfMachine(in);
        }
    }
}
