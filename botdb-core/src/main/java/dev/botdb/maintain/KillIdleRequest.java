package dev.botdb.maintain;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.time.Duration;

/**
 * Which idle sessions {@code botdb maintain kill-idle} ends.
 *
 * @param olderThan         sessions idle (since their last statement ended) for longer than this
 * @param idleInTransaction also sessions idle inside an open transaction, which hold their locks and keep VACUUM
 *                          from removing dead rows
 * @param dryRun            list them only
 */
public record KillIdleRequest(Duration olderThan, boolean idleInTransaction, boolean dryRun) {
    /** The usual threshold (the Activity Challenge bot's clean-up query): idle for more than 5 minutes. */
    public static final Duration DEFAULT_OLDER_THAN = Duration.ofMinutes(5);

    public KillIdleRequest {
        if (olderThan.isNegative() || olderThan.isZero()) {
            throw new BotDbException(ErrorCode.USAGE, "`olderThan` must be more than 0, e.g. `olderThan` 5m");
        }
    }
}
