package dev.botdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code botdb config}: resolution shown with sources, passwords masked on every path, clear errors. */
class ConfigCommandTest {
    private static final String SECRET = "Sup3r-Secret-Pw";

    @TempDir
    Path home;

    private Map<String, String> env(String... kv) {
        java.util.HashMap<String, String> env = new java.util.HashMap<>();
        env.put("HOME", home.toString());
        for (int i = 0; i + 1 < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return env;
    }

    @Test
    void showsEveryValueWithItsSourceAndMasksThePassword() {
        CliRun r = CliRun.of(env("DATABASE_URL", "postgres://alita:" + SECRET + "@db.example.com/alita?sslmode=require",
                "PGPORT", "6543", "DB_MAX_OPEN_CONNS", "20"), "config");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out())
                .containsPattern("host\\s+db\\.example\\.com\\s+\\(DATABASE_URL\\)")
                .containsPattern("port\\s+6543\\s+\\(PGPORT\\)")
                .containsPattern("password\\s+\\*\\*\\*\\*\\s+\\(DATABASE_URL\\)")
                .containsPattern("sslmode\\s+require\\s+\\(DATABASE_URL\\)")
                .containsPattern("pool\\.max\\s+20\\s+\\(DB_MAX_OPEN_CONNS\\)")
                .doesNotContain(SECRET);
    }

    @Test
    void jsonHasValueAndSourcePerSetting() throws Exception {
        CliRun r = CliRun.of(env("POSTGRES_HOST", "postgres", "POSTGRES_USER", "bot", "POSTGRES_PASSWORD", SECRET,
                "POSTGRES_DB", "activity_challenge_bot"), "config", "--json");
        assertThat(r.exitCode()).isZero();
        assertThat(r.all()).doesNotContain(SECRET);
        Map<String, Object> doc = JSON.std.mapFrom(r.out());
        assertThat(doc).containsEntry("engine", "postgresql").containsEntry("embedded", false);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, String>> settings = (Map<String, Map<String, String>>) doc.get("settings");
        assertThat(settings.get("database")).containsEntry("value", "activity_challenge_bot").containsEntry("source", "POSTGRES_DB");
        assertThat(settings.get("password")).containsEntry("value", "****").containsEntry("source", "POSTGRES_PASSWORD");
        assertThat(settings.get("port")).containsEntry("value", "5432").containsEntry("source", "default");
    }

    @Test
    void passwordFromPgpassIsAttributedToItsLine() throws Exception {
        Path pgpass = home.resolve(".pgpass");
        Files.writeString(pgpass, "# comment\nother:5432:*:*:nope\ndb.local:5432:bot:bot:" + SECRET + "\n");
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        CliRun r = CliRun.of(env("PGHOST", "db.local", "PGUSER", "bot", "PGDATABASE", "bot"), "config");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).containsPattern("password\\s+\\*\\*\\*\\*\\s+\\(~/\\.pgpass line 3\\)").doesNotContain(SECRET);
    }

    @Test
    void embeddedDefaultIsShownWhenNothingIsConfigured() {
        CliRun r = CliRun.of(env("BOTDB_DATA_DIR", home.resolve("data").toString()), "config");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("postgresql (embedded, started on demand)").contains(home.resolve("data").toString());
    }

    @Test
    void badUrlIsExitCode3WithTheFixAndNoStackTrace() {
        CliRun r = CliRun.of(env("DATABASE_URL", "postgres://bot:" + SECRET + "@db:54x2/bot"), "config");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).startsWith("error: DATABASE_URL has the port '54x2', which is not a number")
                .contains("Example: DATABASE_URL=postgres://")
                .doesNotContain("\tat ").doesNotContain(SECRET);
    }

    @Test
    void verboseAddsTheStackTraceButStillMasksThePassword() {
        CliRun r = CliRun.of(env("DATABASE_URL", "mysql://bot:" + SECRET + "@db/bot"), "config", "--verbose");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).contains("unknown scheme 'mysql'").contains("\tat dev.botdb").doesNotContain(SECRET);
        CliRun before = CliRun.of(env("DATABASE_URL", "mysql://bot:" + SECRET + "@db/bot"), "--verbose", "config");
        assertThat(before.err()).contains("\tat dev.botdb").doesNotContain(SECRET);
    }

    @Test
    void badPoolVariableNamesTheVariableAndRange() {
        CliRun r = CliRun.of(env("DATABASE_URL", "sqlite:///bot.db", "DB_MAX_OPEN_CONNS", "lots"), "config");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).contains("DB_MAX_OPEN_CONNS must be a whole number from 1 to 1000");
    }

    @Test
    void insecureRemoteConnectionWarnsInDevelopmentAndIsRefusedInProduction() {
        String url = "postgres://bot:" + SECRET + "@db.example.com:5432/bot?sslmode=disable";
        CliRun dev = CliRun.of(env("DATABASE_URL", url), "config");
        assertThat(dev.exitCode()).isZero();
        assertThat(dev.out()).contains("warning: sslmode=disable to db.example.com");

        CliRun prod = CliRun.of(env("DATABASE_URL", url, "BOTDB_ENV", "production"), "config");
        assertThat(prod.exitCode()).isEqualTo(7);
        assertThat(prod.err()).contains("Refusing an unencrypted connection under BOTDB_ENV=production");

        CliRun allowed = CliRun.of(env("DATABASE_URL", url, "BOTDB_ENV", "production"), "config", "--allow-insecure");
        assertThat(allowed.exitCode()).isZero();
        assertThat(prod.all() + dev.all() + allowed.all()).doesNotContain(SECRET);
    }

    @Test
    void unknownOptionIsAUsageErrorWithExitCode2() {
        CliRun r = CliRun.of(env(), "config", "--no-such-flag");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option: '--no-such-flag'");
    }

    @Test
    void noCommandPrintsUsageWithExitCode2() {
        CliRun r = CliRun.of(env());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("no command given").contains("Usage: botdb").contains("demo");
    }
}
