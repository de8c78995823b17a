package dev.botdb.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.CrowdedServer;
import dev.botdb.doctor.DoctorCheck.Status;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code botdb doctor} against a server whose connection slots are used up: a small server of
 * its own (max_connections 5, one slot reserved for superusers), filled by another client.
 */
class DoctorSlotsTest {
    private static CrowdedServer server;

    @BeforeAll
    static void smallServer() throws Exception {
        server = CrowdedServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @BeforeEach
    void fill() throws SQLException {
        server.fill();
    }

    @AfterEach
    void release() throws SQLException {
        server.release();
    }

    private static Map<String, String> env(String user) {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", "postgres://" + user + "@localhost:" + server.port() + "/crowd_db?sslmode=disable");
        env.put("HOME", System.getProperty("java.io.tmpdir") + "/botdb-test-home-without-pgpass");
        env.put("MIGRATIONS_PATH", "/nonexistent-doctor-migrations");
        return env;
    }

    private static String text(DoctorReport r) {
        return r.checks().stream().map(c -> c.name() + " " + c.statusWord() + " " + c.detail()
                + (c.fix() == null ? "" : " FIX " + c.fix())).collect(Collectors.joining("\n"));
    }

    private static DoctorCheck slots(DoctorReport r) {
        return r.check("connection slots").orElseThrow();
    }

    @Test
    void aSuperuserGetsInThroughTheReservedSlotAndNamesWhoHoldsTheOthers() {
        DoctorReport r = Doctor.fromEnv(env("postgres")).run();

        DoctorCheck slots = slots(r);
        assertThat(slots.status()).as(text(r)).isEqualTo(Status.PROBLEM);
        assertThat(slots.detail())
                .startsWith("every slot an ordinary role may take is in use: 5 client sessions (this one included) of"
                        + " 4 slots for ordinary roles (max_connections 5 - superuser_reserved_connections 1 = 4)")
                .contains("3 x user crowd, application 'crowd-bot', client 127.0.0.1, idle")
                .contains("1 x user crowd, application 'crowd-admin', client 127.0.0.1, idle");
        assertThat(slots.fix()).contains("botdb maintain kill-idle").contains("max_connections (now 5");
        assertThat(r.check("authentication").orElseThrow().status()).isEqualTo(Status.OK);
        assertThat(r.exitCode()).isEqualTo(20);
    }

    @Test
    void anOrdinaryRoleThatCannotGetInSaysWhyItCannotSeeTheHolders() {
        List<String> progress = new CopyOnWriteArrayList<>();
        DoctorReport r = Doctor.fromEnv(env("crowd")).slotRetries(2, Duration.ofMillis(200)).progress(progress::add)
                .run();

        DoctorCheck slots = slots(r);
        assertThat(slots.status()).as(text(r)).isEqualTo(Status.PROBLEM);
        assertThat(slots.detail()).contains("remaining connection slots are reserved for")
                .contains("refused again on 1 retry as crowd over 0.2 s")
                .contains("Who holds them can only be seen from inside, and crowd cannot get in.");
        assertThat(slots.fix()).contains("Run botdb doctor with a superuser's DATABASE_URL")
                .contains("pg_stat_activity");
        assertThat(r.check("authentication").orElseThrow().status()).isEqualTo(Status.SKIPPED);
        assertThat(r.check("server").orElseThrow().status()).isEqualTo(Status.OK);
        assertThat(progress).hasSize(1).allMatch(l -> l.contains("trying again as crowd in 0.2 s"));
        assertThat(r.exitCode()).isEqualTo(20);
    }

    @Test
    void anOrdinaryRoleRetriesAfterAShortWaitAndOnceInNamesTheHolders() throws Exception {
        Thread freeOne = new Thread(() -> {
            try {
                Thread.sleep(700);
                server.freeOne();
            } catch (InterruptedException | SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        freeOne.start();
        DoctorReport r = Doctor.fromEnv(env("crowd")).slotRetries(10, Duration.ofMillis(300)).run();
        freeOne.join();

        DoctorCheck slots = slots(r);
        assertThat(slots.status()).as(text(r)).isEqualTo(Status.PROBLEM);
        assertThat(slots.detail()).startsWith("the first login was refused (remaining connection slots are reserved")
                .contains("; got in as crowd after ")
                .contains("3 x user crowd, application 'crowd-bot', client 127.0.0.1, idle");
        assertThat(r.check("authentication").orElseThrow().status()).isEqualTo(Status.OK);
        assertThat(r.exitCode()).isEqualTo(20);
    }

    @Test
    void whenEvenTheReservedSlotIsTakenNotEvenASuperuserGetsIn() throws SQLException {
        server.hold(server.connect("postgres", "postgres", "admin-console"));

        DoctorReport r = Doctor.fromEnv(env("postgres")).slotRetries(1, Duration.ZERO).run();

        DoctorCheck slots = slots(r);
        assertThat(slots.status()).as(text(r)).isEqualTo(Status.PROBLEM);
        assertThat(slots.detail()).startsWith("sorry, too many clients already")
                .contains("not even a superuser gets in until a session ends");
        assertThat(slots.fix()).contains("On the server's host");
        assertThat(r.exitCode()).isEqualTo(20);
    }
}
