package dev.botdb.inspect;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What {@code botdb inspect} checks and the thresholds it judges by. Every threshold has a
 * default (the constants below, documented in the README's Inspect section) and a CLI flag.
 *
 * <pre>{@code
 * InspectOptions o = InspectOptions.builder().sequenceWarn(0.7).longQuery(Duration.ofSeconds(30)).build();
 * }</pre>
 *
 * @param checks              only these checks (names from {@link Inspector#checkNames()}); empty = all
 * @param limit               rows per list (largest tables, top queries, ...)
 * @param statementTimeout    each check's statement_timeout; a check that runs longer is reported "timed out"
 * @param lockTimeout         each check's lock_timeout
 * @param connections         checks run in parallel on this many connections
 * @param historyFile         where database sizes are sampled for the growth figure; null = no history
 * @param unusedIndexMinBytes unused indexes smaller than this are not reported
 * @param seqScanShare        a table is "mostly sequentially scanned" from this share of its scans
 * @param seqScanMinRows      ... when it has at least this many rows
 * @param seqScanMinScans     ... and at least this many sequential scans
 * @param cacheHitWarn        warn when the table or index cache hit ratio is below this
 * @param cacheHitMinBlocks   ... once at least this many blocks were requested (fewer says nothing)
 * @param deadRowsWarn        warn when dead rows are at least this share of a table's rows
 * @param deadRowsMin         ... and at least this many
 * @param xidWarn             warn when a database's or table's oldest unfrozen transaction ID is this share of the
 *                            2^31 wraparound limit
 * @param xidProblem          a problem from this share
 * @param sequenceWarn        warn when a sequence has used this share of its column's (or its own) maximum
 * @param sequenceProblem     a problem from this share
 * @param slowQuery           pg_stat_statements: a statement is slow from this mean execution time
 * @param slowQueryCalls      ... when it ran at least this often
 * @param longQuery           a running statement is long from this age
 * @param idleInTransaction   a session idle inside a transaction is reported from this age
 * @param blockedQuery        a statement waiting for another session's lock is reported from this wait
 * @param connectionsWarn     warn when this share of the usable connections is taken
 * @param connectionsProblem  a problem from this share
 * @param replicationLag      warn when a standby replays this far behind
 * @param freelistWarn        SQLite: warn when this share of the file's pages is free
 */
public record InspectOptions(List<String> checks, int limit, Duration statementTimeout, Duration lockTimeout,
                             int connections, Path historyFile, long unusedIndexMinBytes, double seqScanShare,
                             long seqScanMinRows, long seqScanMinScans, double cacheHitWarn, long cacheHitMinBlocks,
                             double deadRowsWarn, long deadRowsMin, double xidWarn, double xidProblem,
                             double sequenceWarn, double sequenceProblem, Duration slowQuery, long slowQueryCalls,
                             Duration longQuery, Duration idleInTransaction, Duration blockedQuery,
                             double connectionsWarn, double connectionsProblem, Duration replicationLag,
                             double freelistWarn) {
    public static final int DEFAULT_LIMIT = 10;
    /** A catalog query that takes longer than this on a healthy server is itself a finding. */
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(30);
    /** Reading a catalog never needs to wait for a lock for long; a check that would is "timed out". */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(1);
    /** Two: the checks finish twice as fast and the server sees at most two more sessions. */
    public static final int DEFAULT_CONNECTIONS = 2;
    /** The state folder's sample file, relative to the working directory. */
    public static final Path DEFAULT_HISTORY_FILE = Path.of(".botdb", "inspect-history.json");
    /** 1 MiB: an unused index smaller than that costs little; dropping it is not worth a migration. */
    public static final long DEFAULT_UNUSED_INDEX_MIN_BYTES = 1L << 20;
    /** "Mostly": more than half of the table's scans are sequential. */
    public static final double DEFAULT_SEQ_SCAN_SHARE = 0.5;
    /** PgHero's missing-index minimum: below 10,000 rows a sequential scan is cheap. */
    public static final long DEFAULT_SEQ_SCAN_MIN_ROWS = 10_000;
    /** A daily backup reads every table once; 100 scans is a habit, not a backup. */
    public static final long DEFAULT_SEQ_SCAN_MIN_SCANS = 100;
    /** PgHero's and the PostgreSQL wiki's 99 %: an OLTP bot's working set should fit in shared_buffers. */
    public static final double DEFAULT_CACHE_HIT_WARN = 0.99;
    public static final long DEFAULT_CACHE_HIT_MIN_BLOCKS = 10_000;
    /** 20 %: what autovacuum's default scale factor (0.2) lets accumulate before it acts. */
    public static final double DEFAULT_DEAD_ROWS_WARN = 0.2;
    public static final long DEFAULT_DEAD_ROWS_MIN = 1_000;
    /** 30 % of 2^31 (about 644 million): PgHero's "1.5 billion transactions left" warning. */
    public static final double DEFAULT_XID_WARN = 0.3;
    /** 50 % (about 1.07 billion): autovacuum is far behind; PostgreSQL stops at 2^31 minus 3 million. */
    public static final double DEFAULT_XID_PROBLEM = 0.5;
    public static final double DEFAULT_SEQUENCE_WARN = 0.8;
    public static final double DEFAULT_SEQUENCE_PROBLEM = 0.95;
    /** PgHero's slow_query_ms and slow_query_calls. */
    public static final Duration DEFAULT_SLOW_QUERY = Duration.ofMillis(20);
    public static final long DEFAULT_SLOW_QUERY_CALLS = 100;
    public static final Duration DEFAULT_LONG_QUERY = Duration.ofMinutes(1);
    /** botdb tune's idle_in_transaction_session_timeout and kill-idle's default. */
    public static final Duration DEFAULT_IDLE_IN_TRANSACTION = Duration.ofMinutes(5);
    /** Lock waits of a few milliseconds are normal; five seconds is a stuck bot. */
    public static final Duration DEFAULT_BLOCKED_QUERY = Duration.ofSeconds(5);
    public static final double DEFAULT_CONNECTIONS_WARN = 0.8;
    public static final double DEFAULT_CONNECTIONS_PROBLEM = 0.95;
    public static final Duration DEFAULT_REPLICATION_LAG = Duration.ofMinutes(1);
    /** 20 %: a fifth of the file is reusable space that VACUUM would give back. */
    public static final double DEFAULT_FREELIST_WARN = 0.2;

    public InspectOptions {
        checks = List.copyOf(checks);
        positive("`limit`", limit);
        positive("`connections`", connections);
        if (statementTimeout.isNegative() || statementTimeout.isZero() || lockTimeout.isNegative()
                || lockTimeout.isZero()) {
            throw new BotDbException(ErrorCode.USAGE, "`timeout` and `lockTimeout` must be more than 0, e.g."
                    + " `timeout` 30s `lockTimeout` 1s: every check runs under both.");
        }
        share("`seqScanShare`", seqScanShare);
        share("`cacheHitWarn`", cacheHitWarn);
        share("`deadRowsWarn`", deadRowsWarn);
        share("`xidWarn`", xidWarn);
        share("`xidProblem`", xidProblem);
        share("`sequenceWarn`", sequenceWarn);
        share("`sequenceProblem`", sequenceProblem);
        share("`connectionsWarn`", connectionsWarn);
        share("`connectionsProblem`", connectionsProblem);
        share("`freelistWarn`", freelistWarn);
        ordered("`xidWarn`", xidWarn, "`xidProblem`", xidProblem);
        ordered("`sequenceWarn`", sequenceWarn, "`sequenceProblem`", sequenceProblem);
        ordered("`connectionsWarn`", connectionsWarn, "`connectionsProblem`", connectionsProblem);
        for (long n : new long[] {unusedIndexMinBytes, seqScanMinRows, seqScanMinScans, cacheHitMinBlocks, deadRowsMin,
                slowQueryCalls}) {
            if (n < 0) {
                throw new BotDbException(ErrorCode.USAGE, "minimum counts and sizes cannot be negative (got " + n + ")");
            }
        }
        for (Duration d : new Duration[] {slowQuery, longQuery, idleInTransaction, blockedQuery, replicationLag}) {
            if (d.isNegative()) {
                throw new BotDbException(ErrorCode.USAGE, "durations cannot be negative (got " + d + ")");
            }
        }
    }

    private static void positive(String flag, int n) {
        if (n < 1) {
            throw new BotDbException(ErrorCode.USAGE, flag + " must be 1 or more (got " + n + ")");
        }
    }

    private static void share(String flag, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new BotDbException(ErrorCode.USAGE, flag + " is a share between 0 and 1, e.g. 0.8 for 80 % (got "
                    + v + ")");
        }
    }

    private static void ordered(String warnFlag, double warn, String problemFlag, double problem) {
        if (warn > problem) {
            throw new BotDbException(ErrorCode.USAGE, warnFlag + " (" + warn + ") must not be above " + problemFlag
                    + " (" + problem + ")");
        }
    }

    /** Every check, default thresholds, history in {@code .botdb/inspect-history.json}. */
    public static InspectOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.checks = checks;
        b.limit = limit;
        b.statementTimeout = statementTimeout;
        b.lockTimeout = lockTimeout;
        b.connections = connections;
        b.historyFile = historyFile;
        b.unusedIndexMinBytes = unusedIndexMinBytes;
        b.seqScanShare = seqScanShare;
        b.seqScanMinRows = seqScanMinRows;
        b.seqScanMinScans = seqScanMinScans;
        b.cacheHitWarn = cacheHitWarn;
        b.cacheHitMinBlocks = cacheHitMinBlocks;
        b.deadRowsWarn = deadRowsWarn;
        b.deadRowsMin = deadRowsMin;
        b.xidWarn = xidWarn;
        b.xidProblem = xidProblem;
        b.sequenceWarn = sequenceWarn;
        b.sequenceProblem = sequenceProblem;
        b.slowQuery = slowQuery;
        b.slowQueryCalls = slowQueryCalls;
        b.longQuery = longQuery;
        b.idleInTransaction = idleInTransaction;
        b.blockedQuery = blockedQuery;
        b.connectionsWarn = connectionsWarn;
        b.connectionsProblem = connectionsProblem;
        b.replicationLag = replicationLag;
        b.freelistWarn = freelistWarn;
        return b;
    }

    /** Options step by step; {@link #build()} validates them. */
    public static final class Builder {
        private List<String> checks = List.of();
        private int limit = DEFAULT_LIMIT;
        private Duration statementTimeout = DEFAULT_STATEMENT_TIMEOUT;
        private Duration lockTimeout = DEFAULT_LOCK_TIMEOUT;
        private int connections = DEFAULT_CONNECTIONS;
        private Path historyFile = DEFAULT_HISTORY_FILE;
        private long unusedIndexMinBytes = DEFAULT_UNUSED_INDEX_MIN_BYTES;
        private double seqScanShare = DEFAULT_SEQ_SCAN_SHARE;
        private long seqScanMinRows = DEFAULT_SEQ_SCAN_MIN_ROWS;
        private long seqScanMinScans = DEFAULT_SEQ_SCAN_MIN_SCANS;
        private double cacheHitWarn = DEFAULT_CACHE_HIT_WARN;
        private long cacheHitMinBlocks = DEFAULT_CACHE_HIT_MIN_BLOCKS;
        private double deadRowsWarn = DEFAULT_DEAD_ROWS_WARN;
        private long deadRowsMin = DEFAULT_DEAD_ROWS_MIN;
        private double xidWarn = DEFAULT_XID_WARN;
        private double xidProblem = DEFAULT_XID_PROBLEM;
        private double sequenceWarn = DEFAULT_SEQUENCE_WARN;
        private double sequenceProblem = DEFAULT_SEQUENCE_PROBLEM;
        private Duration slowQuery = DEFAULT_SLOW_QUERY;
        private long slowQueryCalls = DEFAULT_SLOW_QUERY_CALLS;
        private Duration longQuery = DEFAULT_LONG_QUERY;
        private Duration idleInTransaction = DEFAULT_IDLE_IN_TRANSACTION;
        private Duration blockedQuery = DEFAULT_BLOCKED_QUERY;
        private double connectionsWarn = DEFAULT_CONNECTIONS_WARN;
        private double connectionsProblem = DEFAULT_CONNECTIONS_PROBLEM;
        private Duration replicationLag = DEFAULT_REPLICATION_LAG;
        private double freelistWarn = DEFAULT_FREELIST_WARN;

        private Builder() {
        }

        public Builder checks(List<String> v) { checks = v; return this; }
        public Builder limit(int v) { limit = v; return this; }
        public Builder statementTimeout(Duration v) { statementTimeout = v; return this; }
        public Builder lockTimeout(Duration v) { lockTimeout = v; return this; }
        public Builder connections(int v) { connections = v; return this; }
        public Builder historyFile(Path v) { historyFile = v; return this; }
        public Builder unusedIndexMinBytes(long v) { unusedIndexMinBytes = v; return this; }
        public Builder seqScanShare(double v) { seqScanShare = v; return this; }
        public Builder seqScanMinRows(long v) { seqScanMinRows = v; return this; }
        public Builder seqScanMinScans(long v) { seqScanMinScans = v; return this; }
        public Builder cacheHitWarn(double v) { cacheHitWarn = v; return this; }
        public Builder cacheHitMinBlocks(long v) { cacheHitMinBlocks = v; return this; }
        public Builder deadRowsWarn(double v) { deadRowsWarn = v; return this; }
        public Builder deadRowsMin(long v) { deadRowsMin = v; return this; }
        public Builder xidWarn(double v) { xidWarn = v; return this; }
        public Builder xidProblem(double v) { xidProblem = v; return this; }
        public Builder sequenceWarn(double v) { sequenceWarn = v; return this; }
        public Builder sequenceProblem(double v) { sequenceProblem = v; return this; }
        public Builder slowQuery(Duration v) { slowQuery = v; return this; }
        public Builder slowQueryCalls(long v) { slowQueryCalls = v; return this; }
        public Builder longQuery(Duration v) { longQuery = v; return this; }
        public Builder idleInTransaction(Duration v) { idleInTransaction = v; return this; }
        public Builder blockedQuery(Duration v) { blockedQuery = v; return this; }
        public Builder connectionsWarn(double v) { connectionsWarn = v; return this; }
        public Builder connectionsProblem(double v) { connectionsProblem = v; return this; }
        public Builder replicationLag(Duration v) { replicationLag = v; return this; }
        public Builder freelistWarn(double v) { freelistWarn = v; return this; }

        public InspectOptions build() {
            return new InspectOptions(checks, limit, statementTimeout, lockTimeout, connections, historyFile,
                    unusedIndexMinBytes, seqScanShare, seqScanMinRows, seqScanMinScans, cacheHitWarn,
                    cacheHitMinBlocks, deadRowsWarn, deadRowsMin, xidWarn, xidProblem, sequenceWarn, sequenceProblem,
                    slowQuery, slowQueryCalls, longQuery, idleInTransaction, blockedQuery, connectionsWarn,
                    connectionsProblem, replicationLag, freelistWarn);
        }
    }
}
