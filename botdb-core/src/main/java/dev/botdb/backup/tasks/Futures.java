package dev.botdb.backup.tasks;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waits for a worker and rethrows its failure as what it was. */
public final class Futures {
    private Futures() {
    }

    public static void await(Future<?> f) throws SQLException, IOException {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BotDbException(ErrorCode.INTERNAL, "interrupted while waiting for a worker", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException s) {
                throw s;
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new BotDbException(ErrorCode.INTERNAL, String.valueOf(cause), cause);
        }
    }
}
