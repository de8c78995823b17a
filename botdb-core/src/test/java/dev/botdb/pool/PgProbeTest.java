package dev.botdb.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.TestPostgres;
import dev.botdb.config.BotDbConfig;
import dev.botdb.config.PostgresTarget;
import dev.botdb.dialect.Dialect;
import dev.botdb.dialect.ServerInfo;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The wire-protocol probe behind {@code botdb wait}'s first try: it must log in as pgjdbc does for every
 * authentication method it speaks, agree with pgjdbc on the server, and hand everything else back (null)
 * so that pgjdbc retries and explains.
 */
class PgProbeTest {
    @BeforeAll
    static void users() {
        TestPostgres.createUserWithDatabase("probe_scram", "Scr4m-pass", "probe_db");
        TestPostgres.exec(
                "SET password_encryption = 'md5'",
                "CREATE ROLE probe_md5 LOGIN PASSWORD 'Md5-pass'",
                "RESET password_encryption",
                "CREATE ROLE probe_password LOGIN PASSWORD 'Pl4in-pass'",
                "CREATE ROLE probe_unicode LOGIN PASSWORD 'pässwörd'",
                "GRANT CONNECT ON DATABASE probe_db TO probe_md5, probe_password, probe_unicode");
    }

    private static PostgresTarget target(String userInfo, String query) {
        return (PostgresTarget) BotDbConfig.fromEnv(TestPostgres.env("postgres://" + userInfo + "@localhost:"
                + TestPostgres.port() + "/probe_db" + query)).target();
    }

    private static ServerInfo viaPgjdbc(PostgresTarget t) throws Exception {
        try (Connection c = Connector.open(t)) {
            return Dialect.POSTGRESQL.serverInfo(c);
        }
    }

    @Test
    void logsInWithEveryMethodItSpeaksAndAgreesWithPgjdbc() throws Exception {
        List<PostgresTarget> targets = new ArrayList<>();
        for (String sslmode : List.of("disable", "allow", "prefer")) {
            targets.add(target("postgres", "?sslmode=" + sslmode));                   // trust
            targets.add(target("probe_scram:Scr4m-pass", "?sslmode=" + sslmode));     // SCRAM-SHA-256
            targets.add(target("probe_md5:Md5-pass", "?sslmode=" + sslmode));         // MD5
            targets.add(target("probe_password:Pl4in-pass", "?sslmode=" + sslmode));  // cleartext
        }
        targets.add(target("probe_scram:Scr4m-pass", "?sslmode=disable&application_name=health&connect_timeout=3"));
        for (PostgresTarget t : targets) {
            ServerInfo probed = PgProbe.ready(t, 5);
            assertThat(probed).as(t.displayName() + " " + t.sslMode()).isNotNull().isEqualTo(viaPgjdbc(t));
        }
    }

    @Test
    void handsBackToPgjdbcWhateverFailsOrItDoesNotSpeak() {
        List<PostgresTarget> targets = List.of(
                target("probe_scram:wrong", "?sslmode=disable"),                    // bad password (SCRAM)
                target("probe_md5:wrong", "?sslmode=disable"),                      // bad password (MD5)
                target("probe_password:wrong", "?sslmode=disable"),                 // bad password (cleartext)
                target("probe_scram", "?sslmode=disable"),                          // a password is asked, none given
                target("probe_unicode:p%C3%A4ssw%C3%B6rd", "?sslmode=disable"),    // SASLprep would apply: pgjdbc's
                target("probe_scram:Scr4m-pass", "?sslmode=require"),               // TLS: pgjdbc's
                target("probe_scram:Scr4m-pass", "?sslmode=disable&sslrootcert=/x") // a parameter it does not know
        );
        for (PostgresTarget t : targets) {
            assertThat(PgProbe.ready(t, 5)).as(t.displayName() + " " + t.parameters()).isNull();
        }
        PostgresTarget noDatabase = (PostgresTarget) BotDbConfig.fromEnv(TestPostgres.env("postgres://postgres@localhost:"
                + TestPostgres.port() + "/no_such_db?sslmode=disable")).target();
        assertThat(PgProbe.ready(noDatabase, 5)).isNull();
        PostgresTarget closed = (PostgresTarget) BotDbConfig.fromEnv(TestPostgres.env("postgres://postgres@localhost:"
                + TestPostgres.closedPort() + "/postgres?sslmode=disable")).target();
        assertThat(PgProbe.ready(closed, 5)).isNull();
    }

    @Test
    void waitStillSucceedsThroughPgjdbcWhereTheProbeStepsAside() {
        PostgresTarget unicode = target("probe_unicode:p%C3%A4ssw%C3%B6rd", "?sslmode=disable");
        Connector.WaitResult r = Connector.waitUntilReady(unicode, BotDbConfig.fromEnv(TestPostgres.env(
                "postgres://postgres@localhost:" + TestPostgres.port() + "/probe_db")).pool(), Duration.ofSeconds(10),
                line -> { });
        assertThat(r.server().product()).isEqualTo("PostgreSQL");
        assertThat(r.tries()).isEqualTo(1);
    }

    @Test
    void itsHmacAndPbkdf2AreTheJdksOnRandomAndEdgeInputs() throws Exception {
        java.util.Random random = new java.util.Random(42);
        for (int n = 0; n < 50; n++) {
            // keys shorter than, equal to and longer than SHA-256's 64-byte block, as RFC 2104 distinguishes
            byte[] key = new byte[new int[] {0, 1, 32, 63, 64, 65, 200}[n % 7]];
            byte[] data = new byte[random.nextInt(300)];
            random.nextBytes(key);
            random.nextBytes(data);
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
            if (key.length > 0) {
                assertThat(new PgProbe.HmacSha256(key).mac(data)).isEqualTo(mac.doFinal(data));
            }
        }
        for (int iterations : new int[] {1, 2, 4096}) {
            byte[] salt = new byte[16];
            random.nextBytes(salt);
            String password = "Scr4m-pass-" + iterations;
            byte[] expected = javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(
                    new javax.crypto.spec.PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
            assertThat(PgProbe.Scram.pbkdf2(password.getBytes(java.nio.charset.StandardCharsets.UTF_8), salt,
                    iterations)).as(iterations + " iterations").isEqualTo(expected);
        }
    }
}
