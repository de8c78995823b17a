package dev.botdb.tune;

import dev.botdb.tune.TuneInput.Storage;
import dev.botdb.tune.TuneInput.Workload;
import java.util.ArrayList;
import java.util.List;

/**
 * The tuning rules. Memory, WAL, planner and parallelism follow pgtune
 * (github.com/le0pard/pgtune, {@code configurationSlice.js}), which the figures in Chatalot's
 * deployment guide match (256MB shared_buffers and 768MB effective_cache_size for 1 GB); the timeouts, logging
 * and the bot workload's autovacuum are botdb's, each with its reason.
 */
final class Rules {
    private static final long KB = 1;
    private static final long MB = 1024 * KB;
    private static final long GB = 1024 * MB;
    /** pgtune's floor for work_mem, PostgreSQL's default: below it simple sorts spill to disk. */
    private static final long WORK_MEM_FLOOR = 4 * MB;
    /** botdb's ceiling for a bot: its queries sort small result sets, more only risks memory under load. */
    private static final long BOT_WORK_MEM_CAP = 64 * MB;
    private static final long MAINTENANCE_WORK_MEM_CAP = 8 * GB;
    private static final long AUTOVACUUM_WORK_MEM_CAP = 2 * GB;
    /** What PostgreSQL assumes for max_worker_processes when the CPU count is not known (its default, 8). */
    private static final int DEFAULT_WORKER_PROCESSES = 8;

    private Rules() {
    }

    /**
     * What the rules can rely on about the server.
     *
     * @param major               PostgreSQL major version
     * @param linux               true when the server runs on Linux (posix_fadvise for effective_io_concurrency)
     * @param walCompressionValues the values wal_compression accepts there (lz4 only when built with it); null if unknown
     */
    record Facts(int major, boolean linux, List<String> walCompressionValues) {
        /** Offline: the newest major, Linux, build options unknown. */
        static Facts assumed() {
            return new Facts(18, true, null);
        }
    }

    record Result(List<Recommendation> settings, List<String> notes) {
    }

    static Result recommend(TuneInput in, Facts facts) {
        return new Recommender(in, facts).run();
    }

    /** One pass over the rules for one machine; each method is one group of settings. */
    private static final class Recommender {
        private final TuneInput in;
        private final Facts facts;
        private final List<Recommendation> out = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        /** RAM in kB, as pgtune computes. */
        private final long ram;
        private final String ramText;
        private final Workload w;
        private final long sharedBuffers;
        private final Integer cpus;
        private final boolean parallel;

        Recommender(TuneInput in, Facts facts) {
            this.in = in;
            this.facts = facts;
            this.ram = in.ramBytes() / 1024;
            this.ramText = PgValue.approximate(in.ramBytes());
            this.w = in.workload();
            this.sharedBuffers = ram / 4;
            this.cpus = in.cpus();
            this.parallel = cpus != null && cpus >= 4;
        }

        Result run() {
            connections();
            memory();
            workMem();
            wal();
            planner();
            parallelism();
            botWorkload();
            largeServer();
            return new Result(List.copyOf(out), List.copyOf(notes));
        }

        /** max_connections, and a pooler above a few hundred. */
        private void connections() {
            out.add(new Recommendation("max_connections", PgValue.number(in.connections()),
                    in.connections() + " from " + in.connectionsSource() + ": the sum of all bots' pools"
                            + " (DB_MAX_OPEN_CONNS) plus a few for maintenance; each connection costs about 10 MB and the"
                            + " CPUs serve only a few at once, so above 100-200 put PgBouncer in front instead"));
            if (in.connections() > 100) {
                notes.add(in.connections() + " connections: a server answers at most a few queries per CPU at a time; above"
                        + " ~100-200 connections use a pooler (PgBouncer in transaction mode, pgbouncer=true in DATABASE_URL)"
                        + " and keep each bot's pool small (DB_MAX_OPEN_CONNS; about 2 x cores + 1 busy connections).");
            }
        }

        /** shared_buffers, effective_cache_size, maintenance_work_mem, autovacuum_work_mem. */
        private void memory() {
            out.add(mem("shared_buffers", sharedBuffers, "25% of " + ramText + " RAM: PostgreSQL's documented starting"
                    + " point (and pgtune's; 256MB for 1GB, as Chatalot's guide sets); beyond 40% rarely helps, the operating"
                    + " system's cache holds the rest"));
            out.add(mem("effective_cache_size", ram * 3 / 4, "75% of RAM: what the planner may assume shared_buffers and"
                    + " the OS cache hold together (nothing is allocated); too low makes it avoid index scans"));
            long maintenance = Math.min(ram / 16, MAINTENANCE_WORK_MEM_CAP);
            out.add(mem("maintenance_work_mem", maintenance, "RAM / 16, at most 8GB (pgtune): faster VACUUM, CREATE INDEX"
                    + " and restores, of which only a few run at once"));
            if (maintenance >= AUTOVACUUM_WORK_MEM_CAP) {
                out.add(mem("autovacuum_work_mem", AUTOVACUUM_WORK_MEM_CAP, "2GB (pgtune): each autovacuum worker would"
                        + " otherwise take maintenance_work_mem"));
            }
        }

        /** work_mem from what shared_buffers leaves, per connection and worker. */
        private void workMem() {
            int workers = parallel ? cpus : DEFAULT_WORKER_PROCESSES;
            long workMem = (ram - sharedBuffers) / ((in.connections() + workers) * 3L);
            String workRule = "(RAM - shared_buffers) / ((max_connections + max_worker_processes) x 3) = "
                    + PgValue.memory(workMem * 1024) + " (pgtune): every sort or hash of every query may use this much,"
                    + " several per query";
            if (workMem < WORK_MEM_FLOOR) {
                workMem = WORK_MEM_FLOOR;
                workRule += ", raised to 4MB (pgtune's floor, PostgreSQL's default) so simple sorts stay in memory";
            } else if (w == Workload.BOT && workMem > BOT_WORK_MEM_CAP) {
                workMem = BOT_WORK_MEM_CAP;
                workRule += ", capped at 64MB for a bot: its queries sort small result sets";
            }
            out.add(mem("work_mem", workMem, workRule));
        }

        /** WAL sizes, checkpoints and compression. */
        private void wal() {
            long wal = sharedBuffers * 3 / 100;
            wal = wal > 14 * MB ? 16 * MB : Math.max(wal, 32);
            out.add(mem("wal_buffers", wal, "3% of shared_buffers, at most 16MB (pgtune; what the default -1 picks"
                    + " by itself from shared_buffers)"));
            boolean oltp = w == Workload.OLTP;
            out.add(mem("min_wal_size", oltp ? 2 * GB : GB, "keep this much WAL recycled instead of created anew"
                    + " (pgtune's " + (oltp ? "OLTP" : "web") + " value)"));
            out.add(mem("max_wal_size", oltp ? 8 * GB : 4 * GB, "fewer checkpoints forced by bursts of writes"
                    + " (pgtune's " + (oltp ? "OLTP" : "web") + " value); WAL may use this much disk before one is forced"));
            out.add(new Recommendation("checkpoint_completion_target", PgValue.number(0.9), "spread each checkpoint's"
                    + " writes over 90% of the interval instead of a burst (pgtune, Chatalot's guide; PostgreSQL's"
                    + " default since 14)"));
            if (facts.major() >= 15) {
                List<String> accepted = facts.walCompressionValues();
                if (accepted == null || accepted.contains("lz4")) {
                    out.add(new Recommendation("wal_compression", PgValue.text("lz4"), "compress full-page images in the"
                            + " WAL with lz4, cheap on CPU (pgtune, PostgreSQL 15+" + (accepted == null
                            ? "; needs a server built with lz4, as the usual packages are)" : ")")));
                } else {
                    out.add(new Recommendation("wal_compression", PgValue.text("pglz"), "compress full-page images in the"
                            + " WAL; this server was built without lz4, so pglz (pgtune says lz4 where available)"));
                }
            } else if (facts.major() >= 10) {
                out.add(new Recommendation("wal_compression", PgValue.text("on"), "compress full-page images in the WAL"
                        + " (pgtune, PostgreSQL 10-14)"));
            }
        }

        /** Statistics, random_page_cost and prefetching for the disk. */
        private void planner() {
            out.add(new Recommendation("default_statistics_target", PgValue.number(100), "100 (pgtune for web, OLTP and"
                    + " bots; the default): enough samples for short, selective queries"));
            boolean ssd = in.storage() == Storage.SSD;
            out.add(new Recommendation("random_page_cost", PgValue.number(ssd ? 1.1 : 4), ssd
                    ? "1.1 on SSD (pgtune): a random read costs about as much as a sequential one, so the planner"
                    + " prefers index scans; 4 is for spinning disks"
                    : "4 for spinning disks (pgtune, PostgreSQL's default): random reads are expensive there"));
            if (facts.linux()) {
                out.add(new Recommendation("effective_io_concurrency", PgValue.number(ssd ? 200 : 2), (ssd ? "200 on SSD"
                        : "2 on a spinning disk") + " (pgtune): concurrent prefetch requests of bitmap heap scans;"
                        + " it works only where posix_fadvise exists (Linux)"));
            } else {
                notes.add("effective_io_concurrency is left alone: the server does not run on Linux, and on platforms"
                        + " without posix_fadvise (macOS, Windows) PostgreSQL before 18 only accepts 0.");
            }
        }

        /** Parallel query and autovacuum workers for the CPUs; JIT off. */
        private void parallelism() {
            if (parallel) {
                int perGather = Math.min((cpus + 1) / 2, 4);
                out.add(new Recommendation("max_worker_processes", PgValue.number(cpus), "one background worker per CPU"
                        + " (pgtune)"));
                out.add(new Recommendation("max_parallel_workers_per_gather", PgValue.number(perGather), "half the CPUs,"
                        + " at most 4 (pgtune): more workers per query rarely pay off for short queries"));
                out.add(new Recommendation("max_parallel_workers", PgValue.number(cpus), "all CPUs may run parallel"
                        + " workers (pgtune)"));
                out.add(new Recommendation("max_parallel_maintenance_workers", PgValue.number(perGather), "half the CPUs,"
                        + " at most 4 (pgtune): parallel CREATE INDEX and VACUUM"));
            } else {
                notes.add(cpus == null
                        ? "CPU count unknown: parallel-query settings are left alone; pass `cpus` N to include them."
                        : "With " + cpus + " CPUs parallel query gains little; the parallel settings are left at their"
                        + " defaults (pgtune does the same below 4 CPUs).");
            }
            if (cpus != null && cpus >= 16) {
                out.add(new Recommendation("autovacuum_max_workers", PgValue.number(cpus >= 32 ? 5 : 4), "more"
                        + " autovacuum workers on a large server (pgtune: 4 from 16 CPUs, 5 from 32)"));
            }
            if (facts.major() >= 12) {
                out.add(new Recommendation("jit", PgValue.text("off"), "JIT compilation costs more than it saves on"
                        + " short queries like a bot's or a web app's (pgtune, PostgreSQL 12+)"));
            }
        }

        /** Autovacuum for a bot's many small updates; timeouts and the slow-query log. */
        private void botWorkload() {
            if (w == Workload.BOT) {
                out.add(new Recommendation("autovacuum_vacuum_scale_factor", PgValue.number(0.05), "vacuum a table once"
                        + " 5% of its rows are dead instead of 20%: a bot updates the same small rows (users, counters,"
                        + " last seen) all day, and dead rows pile up in its busiest tables"));
                out.add(new Recommendation("autovacuum_analyze_scale_factor", PgValue.number(0.02), "refresh statistics"
                        + " after 2% of rows changed instead of 10%, so fast-growing message and activity tables keep good"
                        + " plans"));
                if (facts.major() >= 13) {
                    out.add(new Recommendation("autovacuum_vacuum_insert_scale_factor", PgValue.number(0.1), "vacuum"
                            + " append-only tables (message logs) after 10% new rows instead of 20%, keeping their"
                            + " visibility map fresh for index-only scans"));
                }
            }
            out.add(new Recommendation("idle_in_transaction_session_timeout", PgValue.millis(5 * 60_000), "end sessions"
                    + " left inside a transaction for 5 minutes: a bot that hangs mid-transaction holds its row locks and"
                    + " keeps VACUUM from removing dead rows (botdb's own backups switch it off for their sessions;"
                    + " botdb maintain kill-idle --idle-in-transaction does it by hand)"));
            out.add(new Recommendation("log_min_duration_statement", PgValue.millis(1000), "log every statement slower"
                    + " than 1 s (the slow-query log the Activity Challenge bot's guide turns on); pg_stat_statements gives the totals"));
        }

        /** A warning where pgtune's rules stop being good advice. */
        private void largeServer() {
            if (in.ramBytes() > 100L << 30) {
                notes.add("More than 100GB RAM: these rules (pgtune's) were not made for very large servers; review"
                        + " shared_buffers and work_mem with your workload in mind.");
            }
        }
    }

    /** Sizes from 64MB up are rounded down to whole MB: 6026MB reads better than 6170914kB and means the same. */
    private static Recommendation mem(String name, long kb, String reason) {
        return new Recommendation(name, PgValue.kilobytes(kb >= 64 * MB ? kb - kb % MB : kb), reason);
    }
}
