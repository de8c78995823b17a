package dev.botdb.exchange;

import dev.botdb.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Bot threads inserting one of today's activities at a time into a test database, each on its connection, until stopped. */
final class Bots {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final AtomicLong inserted = new AtomicLong();
    private final AtomicLong slowestMicros = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();

    static Bots start(String database, int count) {
        Bots bots = new Bots();
        for (int t = 0; t < count; t++) {
            Thread bot = new Thread(() -> {
                try (Connection c = TestPostgres.superuser(database); PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO activities (user_id, activity_date) VALUES (1, current_date)")) {
                    while (!bots.stop.get()) {
                        long t0 = System.nanoTime();
                        ps.executeUpdate();
                        bots.slowestMicros.accumulateAndGet((System.nanoTime() - t0) / 1000, Math::max);
                        bots.inserted.incrementAndGet();
                    }
                } catch (Throwable e) {
                    bots.failures.add(e);
                }
            });
            bot.start();
            bots.threads.add(bot);
        }
        return bots;
    }

    /** Stops every bot and waits for it. */
    void stop() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
    }

    long inserted() {
        return inserted.get();
    }

    long slowestMicros() {
        return slowestMicros.get();
    }

    List<Throwable> failures() {
        return List.copyOf(failures);
    }
}
