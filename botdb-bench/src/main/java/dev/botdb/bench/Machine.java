package dev.botdb.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Where the figures were measured: without it a ratio from a laptop and one from a shared CI box
 * look comparable when they are not.
 */
record Machine(int cpus, String cpuModel, String memory, String os, String java, String postgres, String psql) {

    /** Reads /proc and asks the tools; {@code postgres} is the server's {@code SELECT version()}. */
    static Machine describe(String postgres) {
        return new Machine(Runtime.getRuntime().availableProcessors(), readCpuModel(), readMemory(), readOs(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                        + " (" + System.getProperty("java.vendor") + ")",
                postgres, command("psql", "--version"));
    }

    /** The 1, 5 and 15 minute load averages: how busy the shared box was. */
    static String loadAverage() {
        String line = firstLine(Path.of("/proc/loadavg"));
        String[] parts = line.split(" ");
        return parts.length >= 3 ? parts[0] + " " + parts[1] + " " + parts[2] : line;
    }

    /**
     * The file system holding {@code path} ("ext4", "tmpfs", ...), from /proc/mounts: the server
     * creates several files per migration, so the disk under it shows in every figure.
     */
    static String fileSystem(Path path) {
        String best = "";
        String type = "unknown file system";
        String target = path.toAbsolutePath().normalize().toString();
        for (String line : lines(Path.of("/proc/mounts"))) {
            String[] f = line.split(" ");
            if (f.length >= 3 && (target.equals(f[1]) || target.startsWith(f[1].endsWith("/") ? f[1] : f[1] + "/"))
                    && f[1].length() >= best.length()) {
                best = f[1];
                type = f[2];
            }
        }
        return type;
    }

    private static String readCpuModel() {
        return lines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip())
                .findFirst().orElse("unknown");
    }

    private static String readMemory() {
        return lines(Path.of("/proc/meminfo")).stream()
                .filter(l -> l.startsWith("MemTotal:"))
                .map(l -> l.replaceAll("[^0-9]", ""))
                .map(kb -> String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(kb) / 1024.0 / 1024.0))
                .findFirst().orElse("unknown");
    }

    private static String readOs() {
        String pretty = lines(Path.of("/etc/os-release")).stream()
                .filter(l -> l.startsWith("PRETTY_NAME="))
                .map(l -> l.substring("PRETTY_NAME=".length()).replace("\"", ""))
                .findFirst().orElse(System.getProperty("os.name"));
        return pretty + ", kernel " + System.getProperty("os.version");
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String firstLine(Path p) {
        List<String> l = lines(p);
        return l.isEmpty() ? "unknown" : l.get(0);
    }

    /** The first output of {@code argv} (a tool's version), or why it could not be run. */
    static String command(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "unknown (" + out + ")";
        } catch (IOException e) {
            return "not found (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
