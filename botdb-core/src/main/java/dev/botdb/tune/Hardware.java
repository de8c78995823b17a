package dev.botdb.tune;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much memory and how many CPUs the server has. PostgreSQL does not say; on Linux a superuser
 * (or a member of pg_read_server_files) can read the server machine's /proc and cgroup files
 * through {@code pg_read_file}, which also sees a container's limits. Otherwise, for a server on
 * this machine, this machine's figures are used.
 */
final class Hardware {
    private static final Pattern MEM_TOTAL = Pattern.compile("MemTotal:\\s+([0-9]+) kB");

    private Hardware() {
    }

    /** A figure and where it came from. */
    record Found(long value, String source) {
    }

    /** The server's memory from /proc/meminfo, lowered to its cgroup's limit; null when it cannot be read. */
    static Found serverRam(Connection c) {
        String meminfo = read(c, "/proc/meminfo");
        if (meminfo == null) {
            return null;
        }
        Matcher m = MEM_TOTAL.matcher(meminfo);
        if (!m.find()) {
            return null;
        }
        long bytes = Long.parseLong(m.group(1)) * 1024;
        for (String limitFile : new String[] {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
            String limit = read(c, limitFile);
            if (limit != null && limit.trim().matches("[0-9]+") && Long.parseLong(limit.trim()) < bytes) {
                return new Found(Long.parseLong(limit.trim()), "the server's container limit (" + limitFile + ")");
            }
        }
        return new Found(bytes, "the server's /proc/meminfo");
    }

    /** The server's online CPUs, lowered to its cgroup's CPU quota; null when they cannot be read. */
    static Found serverCpus(Connection c) {
        String online = read(c, "/sys/devices/system/cpu/online");
        if (online == null || online.isBlank()) {
            return null;
        }
        int cpus = 0;
        for (String range : online.trim().split(",")) {
            String[] ends = range.split("-");
            cpus += ends.length == 1 ? 1 : Integer.parseInt(ends[1].trim()) - Integer.parseInt(ends[0].trim()) + 1;
        }
        String quota = read(c, "/sys/fs/cgroup/cpu.max");
        if (quota != null && quota.trim().matches("[0-9]+ [0-9]+")) {
            String[] qp = quota.trim().split(" ");
            int limited = (int) Math.max(1, Math.ceil(Double.parseDouble(qp[0]) / Double.parseDouble(qp[1])));
            if (limited < cpus) {
                return new Found(limited, "the server's container CPU quota (/sys/fs/cgroup/cpu.max)");
            }
        }
        return new Found(cpus, "the server's /sys/devices/system/cpu/online");
    }

    /** A small file of the server's machine, or null when missing or not readable by this role. */
    private static String read(Connection c, String path) {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_read_file(?, 0, 65536, true)")) {
            ps.setString(1, path);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            return null; // not a superuser, not Linux, or a server that refuses absolute paths
        }
    }

    /** This machine's memory as the JVM sees it (a container's limit inside one). */
    static long machineRam() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
    }

    static int machineCpus() {
        return Runtime.getRuntime().availableProcessors();
    }
}
