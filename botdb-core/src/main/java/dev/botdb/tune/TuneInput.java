package dev.botdb.tune;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.util.Locale;

/**
 * What the recommendations are computed from, each figure with where it came from (the flag,
 * the server, this machine, a default), because a recommendation is only as good as its inputs.
 *
 * @param ramBytes          the server's memory
 * @param ramSource         e.g. {@code --ram}, {@code the server's /proc/meminfo}
 * @param connections       max_connections to plan for
 * @param connectionsSource e.g. {@code --connections}, {@code the server's max_connections}
 * @param cpus              the server's CPUs, or null when unknown (parallel settings are then left alone)
 * @param cpusSource        where the CPU count came from
 * @param storage           SSD or spinning disk
 * @param storageSource     {@code --storage} or {@code assumed}
 * @param workload          what the server mostly does
 */
public record TuneInput(long ramBytes, String ramSource, int connections, String connectionsSource, Integer cpus,
                        String cpusSource, Storage storage, String storageSource, Workload workload) {
    /** Below this the rules make little sense (pgtune says the same). */
    static final long MIN_RAM = 256L << 20;

    public TuneInput {
        if (ramBytes < MIN_RAM) {
            throw new BotDbException(ErrorCode.USAGE, "`ram` must be at least 256MB (got " + PgValue.memory(ramBytes)
                    + "); PostgreSQL's defaults already suit less.");
        }
        if (connections < 1 || connections > 10_000) {
            throw new BotDbException(ErrorCode.USAGE, "`connections` must be 1 to 10000 (got " + connections + ")");
        }
        if (cpus != null && (cpus < 1 || cpus > 1024)) {
            throw new BotDbException(ErrorCode.USAGE, "`cpus` must be 1 to 1024 (got " + cpus + ")");
        }
    }

    /** What the server mostly does; it shifts connection defaults, WAL sizes and autovacuum. */
    public enum Workload {
        /**
         * A chat bot: many small writes of small rows (messages, counters, last-seen times), short
         * queries, a pool of a few connections per bot. pgtune's "web" rules plus autovacuum that
         * keeps up with frequently updated small tables.
         */
        BOT(100),
        /** pgtune's "web application". */
        WEB(200),
        /** pgtune's "online transaction processing": more connections, more WAL. */
        OLTP(300);

        final int defaultConnections;

        Workload(int defaultConnections) {
            this.defaultConnections = defaultConnections;
        }

        public int defaultConnections() {
            return defaultConnections;
        }

        public static Workload parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BotDbException(ErrorCode.USAGE, "`workload` must be bot, web or oltp (got '" + s + "')");
            }
        }
    }

    /** The data disk. */
    public enum Storage {
        SSD, HDD;

        public static Storage parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BotDbException(ErrorCode.USAGE, "`storage` must be ssd or hdd (got '" + s + "'); network"
                        + " and NVMe storage count as ssd.");
            }
        }
    }

    /** {@code --ram 4GB}: the bytes, or a usage error that shows the forms. */
    public static long parseRam(String text) {
        long bytes = PgValue.parseSize(text);
        if (bytes < 0) {
            throw new BotDbException(ErrorCode.USAGE, "`ram` '" + text + "' is not a size. Write it with its unit,"
                    + " e.g. `ram` 4GB, `ram` 512MB or `ram` 1.5GB");
        }
        return bytes;
    }
}
