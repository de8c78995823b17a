package dev.botdb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Configuration resolution, through the public {@link BotDbConfig#fromEnv(Map)}. */
class ConfigResolverTest {

    /** Distinctive passwords: finding one in a message, a warning or a toString means it leaked. */
    private static final String SECRET = "Zx9secretQ";
    private static final String OTHER_SECRET = "Yw8otherP";

    private static final String REMOTE_URL = "postgres://bot:" + SECRET + "@db.example.com:5432/mybot";

    /** A fresh home directory, so the real ~/.pgpass and ~/.postgresql/root.crt are never read. */
    @TempDir
    Path home;

    private Map<String, String> env(String... namesAndValues) {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("USER", "osuser");
        for (int i = 0; i < namesAndValues.length; i += 2) {
            env.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return env;
    }

    private BotDbConfig resolve(String... namesAndValues) {
        return BotDbConfig.fromEnv(env(namesAndValues));
    }

    private PostgresTarget postgres(BotDbConfig config) {
        assertThat(config.target()).isInstanceOf(PostgresTarget.class);
        return (PostgresTarget) config.target();
    }

    private PostgresTarget postgres(String... namesAndValues) {
        return postgres(resolve(namesAndValues));
    }

    private static Setting setting(BotDbConfig config, String name) {
        return config.describe().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no setting " + name + " in " + config.describe()));
    }

    private static void assertSetting(BotDbConfig config, String name, String value, String source) {
        assertThat(setting(config, name)).isEqualTo(new Setting(name, value, source));
    }

    /** Resolves variables that must be rejected; the message must not contain either password. */
    private String rejection(String... namesAndValues) {
        Throwable thrown = catchThrowable(() -> resolve(namesAndValues));
        assertThat(thrown).isInstanceOf(BotDbException.class);
        BotDbException e = (BotDbException) thrown;
        assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
        assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain(OTHER_SECRET);
        return e.getMessage();
    }

    private Path passwordFile(String name, String perms, String... lines) throws IOException {
        Path file = home.resolve(name);
        Files.write(file, List.of(lines));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
        return file;
    }

    @Nested
    class Precedence {

        @Test
        void takesEveryValueTheUrlStatesFromDatabaseUrl() {
            BotDbConfig config = resolve("DATABASE_URL", "postgres://bot:" + SECRET
                    + "@db.example.com:6543/mybot?sslmode=verify-full&application_name=mybot");

            PostgresTarget pg = postgres(config);
            assertThat(pg.host()).isEqualTo("db.example.com");
            assertThat(pg.port()).isEqualTo(6543);
            assertThat(pg.database()).isEqualTo("mybot");
            assertThat(pg.user()).isEqualTo("bot");
            assertThat(pg.password().reveal()).isEqualTo(SECRET);
            assertThat(pg.sslMode()).isEqualTo(SslMode.VERIFY_FULL);
            assertSetting(config, "engine", "postgresql", "DATABASE_URL");
            assertSetting(config, "host", "db.example.com", "DATABASE_URL");
            assertSetting(config, "port", "6543", "DATABASE_URL");
            assertSetting(config, "database", "mybot", "DATABASE_URL");
            assertSetting(config, "user", "bot", "DATABASE_URL");
            assertSetting(config, "password", "****", "DATABASE_URL");
            assertSetting(config, "sslmode", "verify-full", "DATABASE_URL");
            assertSetting(config, "application_name", "mybot", "DATABASE_URL");
        }

        @Test
        void fillsWhatTheUrlLeavesOutFromPostgresVariables() {
            BotDbConfig config = resolve(
                    "DATABASE_URL", "postgres://db.example.com/mybot?sslmode=require",
                    "POSTGRES_PORT", "6543", "POSTGRES_USER", "bot", "POSTGRES_PASSWORD", SECRET);

            PostgresTarget pg = postgres(config);
            assertThat(pg.port()).isEqualTo(6543);
            assertThat(pg.user()).isEqualTo("bot");
            assertThat(pg.password().reveal()).isEqualTo(SECRET);
            assertSetting(config, "host", "db.example.com", "DATABASE_URL");
            assertSetting(config, "port", "6543", "POSTGRES_PORT");
            assertSetting(config, "user", "bot", "POSTGRES_USER");
            assertSetting(config, "password", "****", "POSTGRES_PASSWORD");
        }

        @Test
        void resolvesFromPostgresVariablesAlone() {
            BotDbConfig config = resolve("POSTGRES_HOST", "db.example.com", "POSTGRES_PORT", "6543",
                    "POSTGRES_DB", "mybot", "POSTGRES_USER", "bot", "POSTGRES_PASSWORD", SECRET);

            PostgresTarget pg = postgres(config);
            assertThat(pg.displayName()).isEqualTo("postgresql://bot@db.example.com:6543/mybot");
            assertThat(pg.password().reveal()).isEqualTo(SECRET);
            assertSetting(config, "engine", "postgresql", "split variables");
            assertSetting(config, "host", "db.example.com", "POSTGRES_HOST");
            assertSetting(config, "port", "6543", "POSTGRES_PORT");
            assertSetting(config, "database", "mybot", "POSTGRES_DB");
            assertSetting(config, "user", "bot", "POSTGRES_USER");
            assertSetting(config, "password", "****", "POSTGRES_PASSWORD");
        }

        @Test
        void resolvesFromAlitaVariablesAlone() {
            BotDbConfig config = resolve("PSQL_DB_HOST", "db.example.com", "PSQL_DB_PORT", "6543",
                    "PSQL_DB_NAME", "alita", "PSQL_DB_USER", "bot", "PSQL_DB_PASSWORD", SECRET);

            PostgresTarget pg = postgres(config);
            assertThat(pg.displayName()).isEqualTo("postgresql://bot@db.example.com:6543/alita");
            assertThat(pg.password().reveal()).isEqualTo(SECRET);
            assertSetting(config, "host", "db.example.com", "PSQL_DB_HOST");
            assertSetting(config, "port", "6543", "PSQL_DB_PORT");
            assertSetting(config, "database", "alita", "PSQL_DB_NAME");
            assertSetting(config, "user", "bot", "PSQL_DB_USER");
            assertSetting(config, "password", "****", "PSQL_DB_PASSWORD");
        }

        @Test
        void prefersSplitVariablesToLibpqVariables() {
            BotDbConfig config = resolve(
                    "POSTGRES_HOST", "db.example.com", "PGHOST", "pg.example.com",
                    "PSQL_DB_PORT", "6543", "PGPORT", "7000",
                    "POSTGRES_DB", "mybot", "PGDATABASE", "pgdb",
                    "PSQL_DB_USER", "bot", "PGUSER", "pguser",
                    "POSTGRES_PASSWORD", SECRET, "PGPASSWORD", OTHER_SECRET);

            PostgresTarget pg = postgres(config);
            assertThat(pg.displayName()).isEqualTo("postgresql://bot@db.example.com:6543/mybot");
            assertThat(pg.password().reveal()).isEqualTo(SECRET);
            assertSetting(config, "host", "db.example.com", "POSTGRES_HOST");
            assertSetting(config, "port", "6543", "PSQL_DB_PORT");
            assertSetting(config, "database", "mybot", "POSTGRES_DB");
            assertSetting(config, "user", "bot", "PSQL_DB_USER");
            assertSetting(config, "password", "****", "POSTGRES_PASSWORD");
        }

        @Test
        void libpqVariablesNeverContradictTheUrl() {
            BotDbConfig config = resolve("DATABASE_URL", REMOTE_URL + "?sslmode=require",
                    "PGHOST", "pg.example.com", "PGPORT", "7000", "PGDATABASE", "pgdb", "PGUSER", "pguser",
                    "PGPASSWORD", OTHER_SECRET, "PGSSLMODE", "disable");

            PostgresTarget pg = postgres(config);
            assertThat(pg.displayName()).isEqualTo("postgresql://bot@db.example.com:5432/mybot");
            assertThat(pg.password().reveal()).isEqualTo(SECRET);
            assertThat(pg.sslMode()).isEqualTo(SslMode.REQUIRE);
            assertSetting(config, "sslmode", "require", "DATABASE_URL");
        }

        @Test
        void libpqVariablesNeverContradictSplitVariables() {
            PostgresTarget pg = postgres("POSTGRES_HOST", "db.example.com", "PGHOST", "pg.example.com",
                    "POSTGRES_DB", "mybot", "PGDATABASE", "pgdb");

            assertThat(pg.host()).isEqualTo("db.example.com");
            assertThat(pg.database()).isEqualTo("mybot");
        }

        @Test
        void fillsWhatIsStillMissingFromLibpqVariables() {
            BotDbConfig config = resolve("POSTGRES_DB", "mybot", "PGHOST", "pg.example.com", "PGPORT", "7000",
                    "PGUSER", "pguser", "PGPASSWORD", SECRET, "PGSSLMODE", "verify-full");

            PostgresTarget pg = postgres(config);
            assertThat(pg.displayName()).isEqualTo("postgresql://pguser@pg.example.com:7000/mybot");
            assertThat(pg.password().reveal()).isEqualTo(SECRET);
            assertSetting(config, "host", "pg.example.com", "PGHOST");
            assertSetting(config, "port", "7000", "PGPORT");
            assertSetting(config, "user", "pguser", "PGUSER");
            assertSetting(config, "password", "****", "PGPASSWORD");
            assertSetting(config, "sslmode", "verify-full", "PGSSLMODE");
        }

        @Test
        void fillsDriverParametersFromLibpqVariables() {
            BotDbConfig config = resolve("DATABASE_URL", "postgres://bot@db.example.com/mybot?sslmode=verify-full",
                    "PGSSLROOTCERT", "/etc/ca.pem", "PGSSLCERT", "/etc/client.crt", "PGSSLKEY", "/etc/client.pk8",
                    "PGAPPNAME", "pgapp", "PGOPTIONS", "-c statement_timeout=5s", "PGCONNECT_TIMEOUT", "7");

            assertThat(postgres(config).parameters()).containsOnly(
                    Map.entry("sslrootcert", "/etc/ca.pem"),
                    Map.entry("sslcert", "/etc/client.crt"),
                    Map.entry("sslkey", "/etc/client.pk8"),
                    Map.entry("application_name", "pgapp"),
                    Map.entry("options", "-c statement_timeout=5s"),
                    Map.entry("connect_timeout", "7"));
            assertSetting(config, "sslrootcert", "/etc/ca.pem", "PGSSLROOTCERT");
            assertSetting(config, "application_name", "pgapp", "PGAPPNAME");
            assertSetting(config, "connect_timeout", "7", "PGCONNECT_TIMEOUT");
        }

        @Test
        void prefersUrlDriverParametersToLibpqVariables() {
            BotDbConfig config = resolve("DATABASE_URL",
                    "postgres://bot@db.example.com/mybot?application_name=urlapp&connect_timeout=3",
                    "PGAPPNAME", "pgapp", "PGCONNECT_TIMEOUT", "7");

            assertSetting(config, "application_name", "urlapp", "DATABASE_URL");
            assertSetting(config, "connect_timeout", "3", "DATABASE_URL");
        }

        @Test
        void rejectsAPgconnectTimeoutThatIsNotANumber() {
            assertThat(rejection("POSTGRES_DB", "mybot", "PGCONNECT_TIMEOUT", "soon"))
                    .contains("PGCONNECT_TIMEOUT").contains("from 0 to 86400");
        }

        @Test
        void prefersLibpqPasswordToThePasswordFile() throws IOException {
            Path file = passwordFile("pgpass", "rw-------", "*:*:*:*:" + OTHER_SECRET);

            BotDbConfig config = resolve("POSTGRES_DB", "mybot", "PGPASSWORD", SECRET,
                    "PGPASSFILE", file.toString());

            assertThat(postgres(config).password().reveal()).isEqualTo(SECRET);
            assertSetting(config, "password", "****", "PGPASSWORD");
        }

        @Test
        void takesThePasswordFromPgpassfileWhenNoVariableGivesOne() throws IOException {
            Path file = passwordFile("pgpass", "rw-------",
                    "db.example.com:5432:otherdb:bot:" + OTHER_SECRET,
                    "db.example.com:5432:mybot:bot:" + SECRET);

            BotDbConfig config = resolve("DATABASE_URL", "postgres://bot@db.example.com/mybot",
                    "PGPASSFILE", file.toString());

            assertThat(postgres(config).password().reveal()).isEqualTo(SECRET);
            assertSetting(config, "password", "****", file + " line 2");
        }

        @Test
        void matchesThePasswordFileAgainstTheResolvedDefaults() throws IOException {
            Path file = passwordFile("pgpass", "rw-------",
                    "localhost:5432:mybot:someoneelse:" + OTHER_SECRET,
                    "localhost:5432:mybot:osuser:" + SECRET);

            PostgresTarget pg = postgres("POSTGRES_DB", "mybot", "PGPASSFILE", file.toString());

            assertThat(pg.password().reveal()).isEqualTo(SECRET);
        }

        @Test
        void readsDotPgpassInHomeWhenPgpassfileIsUnset() throws IOException {
            passwordFile(".pgpass", "rw-------", "*:*:mybot:*:" + SECRET);

            BotDbConfig config = resolve("POSTGRES_DB", "mybot");

            assertThat(postgres(config).password().reveal()).isEqualTo(SECRET);
            assertSetting(config, "password", "****", "~/.pgpass line 1");
        }

        @Test
        void pgpassfileReplacesDotPgpass() throws IOException {
            passwordFile(".pgpass", "rw-------", "*:*:*:*:" + OTHER_SECRET);
            Path file = passwordFile("elsewhere", "rw-------", "*:*:*:*:" + SECRET);

            assertThat(postgres("POSTGRES_DB", "mybot", "PGPASSFILE", file.toString()).password().reveal())
                    .isEqualTo(SECRET);
        }

        @Test
        void ignoresAPasswordFileOthersCanReadWithAWarning() throws IOException {
            Path file = passwordFile("pgpass", "rw-r--r--", "*:*:*:*:" + SECRET);

            BotDbConfig config = resolve("POSTGRES_DB", "mybot", "PGPASSFILE", file.toString());

            assertThat(postgres(config).password()).isNull();
            assertThat(config.warnings()).anyMatch(w -> w.contains("chmod 0600 " + file));
            assertThat(config.warnings()).noneMatch(w -> w.contains(SECRET));
        }

        @Test
        void reportsThatNoPasswordWasFound() {
            BotDbConfig config = resolve("POSTGRES_DB", "mybot");

            assertThat(postgres(config).password()).isNull();
            assertThat(setting(config, "password").value()).isEqualTo("(none)");
            assertThat(setting(config, "password").source()).startsWith("none (").contains("~/.pgpass");
        }

        @Test
        void usesDefaultsForEverythingNotSet() {
            BotDbConfig config = resolve("POSTGRES_DB", "mybot");

            PostgresTarget pg = postgres(config);
            assertThat(pg.host()).isEqualTo("localhost");
            assertThat(pg.port()).isEqualTo(5432);
            assertThat(pg.user()).isEqualTo("osuser");
            assertThat(pg.sslMode()).isEqualTo(SslMode.PREFER);
            assertThat(pg.parameters()).containsExactlyEntriesOf(Map.of("application_name", "botdb"));
            assertSetting(config, "host", "localhost", "default");
            assertSetting(config, "port", "5432", "default");
            assertSetting(config, "user", "osuser", "default (operating-system user, as libpq)");
            assertSetting(config, "sslmode", "prefer", "default (libpq's prefer)");
            assertSetting(config, "application_name", "botdb", "default");
            assertSetting(config, "environment", "development", "default (BOTDB_ENV unset or not production)");
        }

        @Test
        void takesPasswordsAsWrittenIncludingSpaces() {
            assertThat(postgres("POSTGRES_DB", "mybot", "POSTGRES_PASSWORD", " " + SECRET + " ").password().reveal())
                    .isEqualTo(" " + SECRET + " ");
        }

        @Test
        void stripsSpacesAroundOtherValues() {
            PostgresTarget pg = postgres("DATABASE_URL", "  " + REMOTE_URL + "\n", "POSTGRES_PORT", " 5432 ");

            assertThat(pg.port()).isEqualTo(5432);
            assertThat(pg.host()).isEqualTo("db.example.com");
        }

        @Test
        void treatsBlankValuesAsUnset() {
            PostgresTarget pg = postgres("POSTGRES_DB", "mybot", "POSTGRES_HOST", "  ", "PGHOST", "pg.example.com",
                    "POSTGRES_PASSWORD", "", "PGPASSWORD", SECRET);

            assertThat(pg.host()).isEqualTo("pg.example.com");
            assertThat(pg.password().reveal()).isEqualTo(SECRET);
        }

        @Test
        void treatsNullValuesAsUnset() {
            Map<String, String> env = env("POSTGRES_DB", "mybot");
            env.put("POSTGRES_HOST", null);
            env.put("POSTGRES_PASSWORD", null);

            PostgresTarget pg = postgres(BotDbConfig.fromEnv(env));

            assertThat(pg.host()).isEqualTo("localhost");
            assertThat(pg.password()).isNull();
        }

        @Test
        void rejectsAUnixSocketDirectoryInAHostVariable() {
            assertThat(rejection("POSTGRES_DB", "mybot", "PGHOST", "/var/run/postgresql"))
                    .contains("PGHOST").contains("Unix-domain socket");
        }

        @ParameterizedTest
        @ValueSource(strings = {"POSTGRES_HOST", "PSQL_DB_HOST", "PGHOST"})
        void rejectsSeveralHostsInAHostVariable(String variable) {
            assertThat(rejection("POSTGRES_DB", "mybot", variable, "db1.example.com,db2.example.com"))
                    .contains(variable).contains("several hosts");
        }

        @ParameterizedTest
        @ValueSource(strings = {"POSTGRES_HOST", "PSQL_DB_HOST", "PGHOST"})
        void acceptsABracketedIpv6AddressInAHostVariable(String variable) {
            BotDbConfig config = resolve("POSTGRES_DB", "mybot", variable, "[::1]");

            assertThat(postgres(config).host()).isEqualTo("::1");
            assertSetting(config, "host", "::1", variable);
        }

        @ParameterizedTest
        @CsvSource({"POSTGRES_HOST, ::1", "PSQL_DB_HOST, fe80::1%eth0", "PGHOST, 10.0.0.5",
                "POSTGRES_HOST, db-1.example_internal.com"})
        void acceptsAddressesAndHostNamesInAHostVariable(String variable, String value) {
            assertThat(postgres("POSTGRES_DB", "mybot", variable, value).host()).isEqualTo(value);
        }

        @Test
        void treatsABracketedIpv6HostVariableAsTheSameHostAsTheUrl() {
            PostgresTarget pg = postgres("DATABASE_URL", "postgres://bot@[2001:db8::5]/mybot",
                    "POSTGRES_HOST", "[2001:DB8::5]");

            assertThat(pg.host()).isEqualTo("2001:db8::5");
        }

        @ParameterizedTest
        @CsvSource({"POSTGRES_HOST, db:5432, POSTGRES_PORT", "PSQL_DB_HOST, db.example.com:6543, PSQL_DB_PORT",
                "PGHOST, 10.0.0.5:5432, PGPORT", "POSTGRES_HOST, [::1]:5432, POSTGRES_PORT", "PGHOST, db:, PGPORT"})
        void rejectsAPortInAHostVariable(String variable, String value, String portVariable) {
            assertThat(rejection("POSTGRES_DB", "mybot", variable, value))
                    .contains(variable + " has a port in it").contains("the port in " + portVariable)
                    .contains("Example: " + variable + "=")
                    .contains(portVariable + "=5432");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "POSTGRES_HOST|db example.com", "PSQL_DB_HOST|db!", "PGHOST|db.example.com/mybot",
                "POSTGRES_HOST|db;drop", "PSQL_DB_HOST|dé.example.com", "PGHOST|[db.example.com]",
                "POSTGRES_HOST|[::1", "POSTGRES_HOST|db:port"})
        void rejectsCharactersNoHostNameHasInAHostVariable(String variable, String value) {
            assertThat(rejection("POSTGRES_DB", "mybot", variable, value))
                    .contains(variable)
                    .contains("Example: " + variable + "=db.example.com")
                    .containsPattern("(?s)the port in (POSTGRES_PORT|PSQL_DB_PORT|PGPORT)=5432");
        }

        @Test
        void rejectsAHostVariableThatHoldsAUrlWithoutShowingThePassword() {
            assertThat(rejection("POSTGRES_DB", "mybot",
                    "POSTGRES_HOST", "postgres://bot:" + SECRET + "@db.example.com:5432/mybot"))
                    .contains("POSTGRES_HOST").contains("DATABASE_URL").contains("bot:****@db.example.com")
                    .contains("Example: POSTGRES_HOST=db.example.com");
        }

        @Test
        void rejectsABadHostVariableEvenWhenTheUrlGivesTheHost() {
            assertThat(rejection("DATABASE_URL", REMOTE_URL, "PSQL_DB_HOST", "db.example.com:5432"))
                    .contains("PSQL_DB_HOST has a port in it");
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "   "})
        void fallsBackToTheJavaUserNameWhenUserIsBlank(String blank) {
            BotDbConfig config = resolve("POSTGRES_DB", "mybot", "USER", blank);

            assertThat(postgres(config).user()).isEqualTo(System.getProperty("user.name")).isNotBlank();
            assertSetting(config, "user", System.getProperty("user.name"), "default (operating-system user, as libpq)");
        }

        @ParameterizedTest
        @CsvSource({"POSTGRES_PASSWORD, postgres://bot:@db.example.com/mybot",
                "PSQL_DB_PASSWORD, postgresql+asyncpg://bot:@db.example.com/mybot",
                "PGPASSWORD, jdbc:postgresql://db.example.com/mybot?user=bot&password="})
        void takesThePasswordFromAVariableWhenTheUrlPasswordIsEmpty(String variable, String url) {
            BotDbConfig config = resolve("DATABASE_URL", url, variable, SECRET);

            assertThat(postgres(config).password().reveal()).isEqualTo(SECRET);
            assertThat(postgres(config).user()).isEqualTo("bot");
            assertSetting(config, "password", "****", variable);
        }

        @Test
        void takesThePasswordFromThePasswordFileWhenTheUrlPasswordIsEmpty() throws IOException {
            Path file = passwordFile("pgpass", "rw-------", "db.example.com:5432:mybot:bot:" + SECRET);

            BotDbConfig config = resolve("DATABASE_URL", "postgres://bot:@db.example.com/mybot",
                    "PGPASSFILE", file.toString());

            assertThat(postgres(config).password().reveal()).isEqualTo(SECRET);
            assertSetting(config, "password", "****", file + " line 1");
        }

        @ParameterizedTest
        @CsvSource({"POSTGRES_PORT, x", "PSQL_DB_PORT, 0", "PGPORT, 65536"})
        void rejectsABadPortVariable(String variable, String value) {
            assertThat(rejection("POSTGRES_DB", "mybot", variable, value))
                    .contains(variable).contains("from 1 to 65535");
        }
    }

    @Nested
    class Contradictions {

        @Test
        void rejectsADatabaseUrlDatabaseThatDisagreesWithPostgresDb() {
            assertThat(rejection("DATABASE_URL", REMOTE_URL, "POSTGRES_DB", "otherdb"))
                    .contains("Contradictory variables")
                    .contains("DATABASE_URL").contains("POSTGRES_DB")
                    .contains("'mybot'").contains("'otherdb'");
        }

        @Test
        void rejectsAPostgresHostThatDisagreesWithPsqlDbHost() {
            assertThat(rejection("POSTGRES_HOST", "db1.example.com", "PSQL_DB_HOST", "db2.example.com",
                    "POSTGRES_DB", "mybot"))
                    .contains("POSTGRES_HOST").contains("PSQL_DB_HOST")
                    .contains("'db1.example.com'").contains("'db2.example.com'");
        }

        @Test
        void rejectsAUserThatDisagreesWithTheUrl() {
            assertThat(rejection("DATABASE_URL", REMOTE_URL, "PSQL_DB_USER", "alita"))
                    .contains("DATABASE_URL").contains("PSQL_DB_USER").contains("'bot'").contains("'alita'");
        }

        @Test
        void rejectsAPortThatDisagreesWithTheUrl() {
            assertThat(rejection("DATABASE_URL", REMOTE_URL, "POSTGRES_PORT", "6543"))
                    .contains("POSTGRES_PORT").contains("'5432'").contains("'6543'");
        }

        @Test
        void doesNotTakeAnEmptyUrlPasswordForAContradiction() {
            BotDbConfig config = resolve("DATABASE_URL", "postgres://bot:@db.example.com/mybot",
                    "POSTGRES_PASSWORD", SECRET, "PSQL_DB_PASSWORD", SECRET);

            assertThat(postgres(config).password().reveal()).isEqualTo(SECRET);
            assertSetting(config, "password", "****", "POSTGRES_PASSWORD");
        }

        @Test
        void rejectsAPasswordThatDisagreesWithTheUrlWithoutShowingEither() {
            assertThat(rejection("DATABASE_URL", REMOTE_URL, "POSTGRES_PASSWORD", OTHER_SECRET))
                    .contains("DATABASE_URL").contains("POSTGRES_PASSWORD").contains("different passwords");
        }

        @Test
        void rejectsPostgresAndAlitaPasswordsThatDisagreeWithoutShowingEither() {
            assertThat(rejection("POSTGRES_DB", "mybot", "POSTGRES_PASSWORD", SECRET,
                    "PSQL_DB_PASSWORD", OTHER_SECRET))
                    .contains("POSTGRES_PASSWORD").contains("PSQL_DB_PASSWORD").contains("different passwords");
        }

        @Test
        void acceptsTheSameValueInEveryFamily() {
            BotDbConfig config = resolve("DATABASE_URL", REMOTE_URL, "POSTGRES_HOST", "db.example.com",
                    "PSQL_DB_HOST", "DB.EXAMPLE.COM", "POSTGRES_DB", "mybot", "PSQL_DB_NAME", "mybot",
                    "POSTGRES_PASSWORD", SECRET, "PSQL_DB_PASSWORD", SECRET, "POSTGRES_PORT", "5432");

            assertThat(postgres(config).password().reveal()).isEqualTo(SECRET);
            assertSetting(config, "host", "db.example.com", "DATABASE_URL");
        }

        @ParameterizedTest
        @CsvSource({"localhost, 127.0.0.1", "127.0.0.1, localhost", "localhost, ::1", "[::1], LOCALHOST"})
        void treatsLocalNamesForTheSameMachineAsOneHost(String urlHost, String variableHost) {
            PostgresTarget pg = postgres("DATABASE_URL", "postgres://bot@" + urlHost + "/mybot",
                    "POSTGRES_HOST", variableHost);

            assertThat(pg.host()).isEqualTo(urlHost.replace("[", "").replace("]", ""));
        }
    }

    @Nested
    class MissingDatabaseAndEmbedded {

        @Test
        void rejectsSplitVariablesWithoutADatabaseName() {
            assertThat(rejection("POSTGRES_HOST", "db.example.com", "POSTGRES_PASSWORD", SECRET))
                    .contains("No database name")
                    .contains("POSTGRES_DB").contains("PSQL_DB_NAME").contains("PGDATABASE")
                    .contains("DATABASE_URL=postgres://bot:secret@db.example.com:5432/mybot");
        }

        @Test
        void readsJdbcPostgresqlSlashAsNamingNoDatabase() {
            assertThat(postgres("DATABASE_URL", "jdbc:postgresql:/?user=bot", "POSTGRES_DB", "mybot").database())
                    .isEqualTo("mybot");
            assertThat(rejection("DATABASE_URL", "jdbc:postgresql:/")).contains("No database name");
        }

        @Test
        void rejectsAUrlWithoutADatabaseName() {
            assertThat(rejection("DATABASE_URL", "postgres://bot:" + SECRET + "@db.example.com:5432/"))
                    .contains("No database name").contains("DATABASE_URL names none");
        }

        @ParameterizedTest
        @ValueSource(strings = {"POSTGRES_HOST", "PSQL_DB_HOST", "PGHOST"})
        void aHostVariableAloneMeansAServerIsConfigured(String variable) {
            assertThat(rejection(variable, "db.example.com")).contains("No database name");
        }

        @ParameterizedTest
        @ValueSource(strings = {"POSTGRES_DB", "PSQL_DB_NAME", "PGDATABASE"})
        void aDatabaseVariableAloneMeansALocalServer(String variable) {
            PostgresTarget pg = postgres(variable, "mybot");

            assertThat(pg.host()).isEqualTo("localhost");
            assertThat(pg.database()).isEqualTo("mybot");
        }

        @Test
        void usesTheEmbeddedServerWhenNothingIsConfigured() {
            BotDbConfig config = resolve();

            assertThat(config.target()).isEqualTo(new EmbeddedTarget(Path.of(".botdb/postgres"), "default"));
            assertThat(config.production()).isFalse();
            assertThat(config.securityProblem()).isEmpty();
            assertThat(config.pool().maxSize()).isEqualTo(10);
            assertThat(setting(config, "database").value()).isEqualTo("botdb");
            assertThat(config.warnings()).isEmpty();
        }

        @Test
        void usesTheEmbeddedServerWhenOnlyCredentialsAreSet() {
            assertThat(resolve("POSTGRES_USER", "bot", "POSTGRES_PASSWORD", SECRET, "PGPORT", "6543").target())
                    .isInstanceOf(EmbeddedTarget.class);
        }

        @Test
        void usesTheEmbeddedServerWhenDatabaseUrlIsBlank() {
            assertThat(resolve("DATABASE_URL", "   ").target()).isInstanceOf(EmbeddedTarget.class);
        }

        @Test
        void putsTheEmbeddedDataInBotdbDataDir() {
            BotDbConfig config = resolve("BOTDB_DATA_DIR", "/srv/bot/pgdata");

            assertThat(config.target()).isEqualTo(new EmbeddedTarget(Path.of("/srv/bot/pgdata"), "BOTDB_DATA_DIR"));
            assertSetting(config, "data directory", "/srv/bot/pgdata", "BOTDB_DATA_DIR");
        }

        @ParameterizedTest
        @ValueSource(strings = {"production", "prod", "PRODUCTION"})
        void refusesTheEmbeddedServerInProduction(String environment) {
            assertThat(rejection("BOTDB_ENV", environment))
                    .contains("BOTDB_ENV=production")
                    .contains("embedded")
                    .contains("DATABASE_URL=");
        }

        @Test
        void reportsProductionInDescribe() {
            BotDbConfig config = resolve("BOTDB_ENV", "production", "DATABASE_URL", REMOTE_URL + "?sslmode=require");

            assertThat(config.production()).isTrue();
            assertSetting(config, "environment", "production", "BOTDB_ENV");
        }
    }

    @Nested
    class Ssl {

        @Test
        void takesSslTrueInAJdbcUrlAsVerifyFull() {
            BotDbConfig config = resolve("DATABASE_URL", "jdbc:postgresql://db.example.com/mybot?ssl=true");

            assertThat(postgres(config).sslMode()).isEqualTo(SslMode.VERIFY_FULL);
            assertSetting(config, "sslmode", "verify-full", "DATABASE_URL");
            assertThat(config.warnings()).isEmpty();
        }

        @Test
        void letsTheUrlSslmodeWinOverItsSslParameter() {
            assertThat(postgres("DATABASE_URL", "jdbc:postgresql://db.example.com/mybot?ssl=true&sslmode=verify-ca"
                    + "&sslrootcert=/etc/ssl/root.crt").sslMode()).isEqualTo(SslMode.VERIFY_CA);
        }

        @ParameterizedTest
        @ValueSource(strings = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"})
        void acceptsEverySslmode(String mode) {
            BotDbConfig config = resolve("DATABASE_URL", "postgres://bot@localhost/mybot?sslmode=" + mode);

            assertThat(postgres(config).sslMode().value()).isEqualTo(mode);
            assertSetting(config, "sslmode", mode, "DATABASE_URL");
        }

        @ParameterizedTest
        @ValueSource(strings = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"})
        void acceptsEverySslmodeInPgsslmode(String mode) {
            BotDbConfig config = resolve("DATABASE_URL", "postgres://bot@localhost/mybot", "PGSSLMODE", mode);

            assertThat(postgres(config).sslMode().value()).isEqualTo(mode);
            assertSetting(config, "sslmode", mode, "PGSSLMODE");
        }

        @Test
        void prefersTheUrlSslmodeToPgsslmode() {
            assertThat(postgres("DATABASE_URL", REMOTE_URL + "?sslmode=verify-full", "PGSSLMODE", "disable").sslMode())
                    .isEqualTo(SslMode.VERIFY_FULL);
        }

        @Test
        void rejectsAnUnknownPgsslmode() {
            assertThat(rejection("DATABASE_URL", REMOTE_URL, "PGSSLMODE", "always"))
                    .contains("PGSSLMODE").contains("'always'").contains("verify-full");
        }

        @Test
        void turnsRequireWithSslrootcertIntoVerifyCa() {
            BotDbConfig config = resolve("DATABASE_URL", REMOTE_URL + "?sslmode=require&sslrootcert=/etc/ca.pem");

            assertThat(postgres(config).sslMode()).isEqualTo(SslMode.VERIFY_CA);
            assertThat(setting(config, "sslmode").source()).startsWith("DATABASE_URL").contains("verify-ca");
            assertThat(config.warnings()).isEmpty();
        }

        @Test
        void turnsRequireWithPgsslrootcertIntoVerifyCa() {
            assertThat(postgres("DATABASE_URL", REMOTE_URL, "PGSSLMODE", "require", "PGSSLROOTCERT", "/etc/ca.pem")
                    .sslMode()).isEqualTo(SslMode.VERIFY_CA);
        }

        @Test
        void keepsRequireWithTheSystemTrustStore() {
            assertThat(postgres("DATABASE_URL", REMOTE_URL + "?sslmode=require&sslrootcert=system").sslMode())
                    .isEqualTo(SslMode.REQUIRE);
        }

        @Test
        void keepsRequireWithoutARootCertificate() {
            PostgresTarget pg = postgres("DATABASE_URL", REMOTE_URL + "?sslmode=require");

            assertThat(pg.sslMode()).isEqualTo(SslMode.REQUIRE);
            assertThat(pg.parameters()).doesNotContainKey("sslrootcert");
        }

        @Test
        void turnsRequireIntoVerifyCaWhenTheDefaultRootCertificateExists() throws IOException {
            Path rootCert = home.resolve(".postgresql").resolve("root.crt");
            Files.createDirectories(rootCert.getParent());
            Files.writeString(rootCert, "-----BEGIN CERTIFICATE-----\n");

            BotDbConfig config = resolve("DATABASE_URL", REMOTE_URL + "?sslmode=require");

            assertThat(postgres(config).sslMode()).isEqualTo(SslMode.VERIFY_CA);
            assertSetting(config, "sslrootcert", rootCert.toString(), "default (~/.postgresql/root.crt exists)");
        }

        @Test
        void keepsVerifyFullWithSslrootcert() {
            assertThat(postgres("DATABASE_URL", REMOTE_URL + "?sslmode=verify-full&sslrootcert=/etc/ca.pem").sslMode())
                    .isEqualTo(SslMode.VERIFY_FULL);
        }

        @Test
        void warnsAboutAPemClientKey() {
            BotDbConfig config = resolve("DATABASE_URL", REMOTE_URL + "?sslmode=require&sslkey=/etc/client.key");

            assertThat(config.warnings()).singleElement().asString()
                    .contains("/etc/client.key").contains("openssl pkcs8");
        }

        @Test
        void acceptsAPkcs8ClientKeyWithoutWarning() {
            assertThat(resolve("DATABASE_URL", REMOTE_URL + "?sslmode=require&sslkey=/etc/client.pk8").warnings())
                    .isEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {"disable", "allow", "prefer"})
        void warnsThatARemoteConnectionMayBeUnencrypted(String mode) {
            BotDbConfig config = resolve("DATABASE_URL", REMOTE_URL + "?sslmode=" + mode);

            assertThat(config.warnings()).singleElement().asString()
                    .contains("sslmode=" + mode + " to db.example.com")
                    .contains("unencrypted")
                    .doesNotContain(SECRET);
        }

        @Test
        void warnsAboutTheDefaultSslmodeForARemoteHost() {
            BotDbConfig config = resolve("POSTGRES_HOST", "db.example.com", "POSTGRES_DB", "mybot");

            assertThat(config.warnings()).singleElement().asString()
                    .contains("sslmode=prefer").contains("default");
        }

        @ParameterizedTest
        @ValueSource(strings = {"localhost", "127.0.0.1", "127.0.1.1", "[::1]", "db.localhost"})
        void doesNotWarnAboutALocalConnection(String host) {
            assertThat(resolve("DATABASE_URL", "postgres://bot@" + host + "/mybot?sslmode=disable").warnings())
                    .isEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {"require", "verify-ca", "verify-full"})
        void doesNotWarnAboutAnEncryptedRemoteConnection(String mode) {
            assertThat(resolve("DATABASE_URL", REMOTE_URL + "?sslmode=" + mode).warnings()).isEmpty();
        }
    }

    @Nested
    class ProductionSecurity {

        @Test
        void refusesAnUnencryptedRemoteConnectionInProduction() {
            BotDbConfig config = resolve("BOTDB_ENV", "production", "DATABASE_URL", REMOTE_URL);

            assertThat(config.securityProblem()).hasValueSatisfying(p -> assertThat(p)
                    .contains("BOTDB_ENV=production")
                    .contains("db.example.com")
                    .contains("--allow-insecure")
                    .contains("BOTDB_ALLOW_INSECURE=true")
                    .doesNotContain(SECRET));
            Throwable thrown = catchThrowable(config::requireSecure);
            assertThat(thrown).isInstanceOf(BotDbException.class);
            assertThat(((BotDbException) thrown).code()).isEqualTo(ErrorCode.INSECURE_CONNECTION);
        }

        @Test
        void acceptsItWhenAllowingInsecure() {
            BotDbConfig config = resolve("BOTDB_ENV", "production", "DATABASE_URL", REMOTE_URL + "?sslmode=disable");

            assertThat(config.allowInsecure()).isFalse();
            assertThat(config.allowingInsecure().allowInsecure()).isTrue();
            assertThat(config.allowingInsecure().securityProblem()).isEmpty();
            config.allowingInsecure().requireSecure();
        }

        @ParameterizedTest
        @ValueSource(strings = {"true", "1", "yes", "on", "TRUE"})
        void acceptsItWithBotdbAllowInsecure(String value) {
            BotDbConfig config = resolve("BOTDB_ENV", "production", "DATABASE_URL", REMOTE_URL,
                    "BOTDB_ALLOW_INSECURE", value);

            assertThat(config.allowInsecure()).isTrue();
            assertThat(config.securityProblem()).isEmpty();
        }

        @Test
        void stillRefusesWithBotdbAllowInsecureFalse() {
            assertThat(resolve("BOTDB_ENV", "production", "DATABASE_URL", REMOTE_URL, "BOTDB_ALLOW_INSECURE", "false")
                    .securityProblem()).isPresent();
        }

        @Test
        void rejectsABotdbAllowInsecureThatIsNotABoolean() {
            assertThat(rejection("DATABASE_URL", REMOTE_URL, "BOTDB_ALLOW_INSECURE", "maybe"))
                    .contains("BOTDB_ALLOW_INSECURE").contains("true or false").contains("'maybe'");
        }

        @Test
        void acceptsAnUnencryptedRemoteConnectionOutsideProduction() {
            BotDbConfig config = resolve("DATABASE_URL", REMOTE_URL);

            assertThat(config.production()).isFalse();
            assertThat(config.securityProblem()).isEmpty();
            assertThat(config.warnings()).isNotEmpty();
        }

        @Test
        void acceptsAnEncryptedRemoteConnectionInProduction() {
            assertThat(resolve("BOTDB_ENV", "production", "DATABASE_URL", REMOTE_URL + "?sslmode=require")
                    .securityProblem()).isEmpty();
        }

        @Test
        void acceptsAnUnencryptedLocalConnectionInProduction() {
            assertThat(resolve("BOTDB_ENV", "production", "DATABASE_URL", "postgres://bot@localhost/mybot?sslmode=disable")
                    .securityProblem()).isEmpty();
        }

        @Test
        void acceptsSqliteInProduction() {
            assertThat(resolve("BOTDB_ENV", "production", "DATABASE_URL", "sqlite:///bot.db").securityProblem())
                    .isEmpty();
        }
    }

    @Nested
    class Sqlite {

        @Test
        void givesASqliteTargetForASqliteUrl() {
            BotDbConfig config = resolve("DATABASE_URL", "sqlite+aiosqlite:///./bot_database.db");

            assertThat(config.target()).isEqualTo(new SqliteTarget(Path.of("./bot_database.db"), "DATABASE_URL"));
            assertThat(config.target().engine()).isEqualTo(Engine.SQLITE);
            assertSetting(config, "engine", "sqlite", "DATABASE_URL");
            assertSetting(config, "path", Path.of("bot_database.db").toAbsolutePath().toString(), "DATABASE_URL");
            assertThat(config.warnings()).isEmpty();
        }

        @Test
        void givesAnAbsoluteSqlitePathForFourSlashes() {
            assertThat(resolve("DATABASE_URL", "sqlite:////var/lib/bot/bot.db").target())
                    .isEqualTo(new SqliteTarget(Path.of("/var/lib/bot/bot.db"), "DATABASE_URL"));
        }

        @Test
        void usesTheSqliteUrlEvenWhenPostgresVariablesAreSet() {
            assertThat(resolve("DATABASE_URL", "sqlite:///bot.db", "POSTGRES_HOST", "db.example.com").target())
                    .isInstanceOf(SqliteTarget.class);
        }

        @Test
        void givesAnInMemoryTargetWithOneConnectionWarning() {
            BotDbConfig config = resolve("DATABASE_URL", "sqlite::memory:");

            assertThat(config.target()).isInstanceOf(SqliteTarget.class);
            assertThat(((SqliteTarget) config.target()).inMemory()).isTrue();
            assertThat(config.warnings()).singleElement().asString().contains("sqlite::memory:").contains("one");
        }

        @Test
        void usesSqlitePoolDefaults() {
            BotDbConfig config = resolve("DATABASE_URL", "sqlite:///bot.db");

            assertThat(config.pool().maxSize()).isEqualTo(4);
            assertThat(config.pool().minIdle()).isEqualTo(1);
            assertThat(config.pool().busyTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertSetting(config, "sqlite.busyTimeout", "10000 ms", "default");
        }

        @Test
        void readsSqliteBusyTimeout() {
            BotDbConfig config = resolve("DATABASE_URL", "sqlite:///bot.db", "SQLITE_BUSY_TIMEOUT_MS", "2500");

            assertThat(config.pool().busyTimeout()).isEqualTo(Duration.ofMillis(2500));
            assertSetting(config, "sqlite.busyTimeout", "2500 ms", "SQLITE_BUSY_TIMEOUT_MS");
        }
    }

    @Nested
    class Pool {

        private BotDbConfig withPool(String... namesAndValues) {
            String[] all = new String[namesAndValues.length + 2];
            all[0] = "POSTGRES_DB";
            all[1] = "mybot";
            System.arraycopy(namesAndValues, 0, all, 2, namesAndValues.length);
            return resolve(all);
        }

        @Test
        void usesPostgresDefaults() {
            BotDbConfig config = withPool();
            PoolSettings pool = config.pool();

            assertThat(pool.maxSize()).isEqualTo(10);
            assertThat(pool.minIdle()).isEqualTo(2);
            assertThat(pool.maxLifetime()).isEqualTo(Duration.ofMinutes(30));
            assertThat(pool.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
            assertThat(pool.acquireTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(pool.connectAttempts()).isEqualTo(5);
            assertSetting(config, "pool.max", "10", "default");
            assertSetting(config, "pool.minIdle", "2", "default");
            assertSetting(config, "pool.maxLifetime", "30 min", "default");
            assertSetting(config, "pool.idleTimeout", "10 min", "default");
            assertSetting(config, "pool.acquireTimeout", "5 s", "default");
            assertSetting(config, "connect.attempts", "5", "default");
            assertThat(config.describe()).noneMatch(s -> s.name().equals("sqlite.busyTimeout"));
            assertThat(config.warnings()).isEmpty();
        }

        @Test
        void readsAlitaPoolVariables() {
            BotDbConfig config = withPool("DB_MAX_OPEN_CONNS", "25", "DB_MAX_IDLE_CONNS", "5",
                    "DB_CONN_MAX_LIFETIME_MIN", "60", "DB_CONN_MAX_IDLE_TIME_MIN", "15");
            PoolSettings pool = config.pool();

            assertThat(pool.maxSize()).isEqualTo(25);
            assertThat(pool.minIdle()).isEqualTo(5);
            assertThat(pool.maxLifetime()).isEqualTo(Duration.ofMinutes(60));
            assertThat(pool.idleTimeout()).isEqualTo(Duration.ofMinutes(15));
            assertSetting(config, "pool.max", "25", "DB_MAX_OPEN_CONNS");
            assertSetting(config, "pool.minIdle", "5", "DB_MAX_IDLE_CONNS");
            assertSetting(config, "pool.maxLifetime", "60 min", "DB_CONN_MAX_LIFETIME_MIN");
            assertSetting(config, "pool.idleTimeout", "15 min", "DB_CONN_MAX_IDLE_TIME_MIN");
            assertThat(config.warnings()).isEmpty();
        }

        @Test
        void treatsZeroLifetimeAndIdleTimeAsNoLimit() {
            BotDbConfig config = withPool("DB_CONN_MAX_LIFETIME_MIN", "0", "DB_CONN_MAX_IDLE_TIME_MIN", "0");

            assertThat(config.pool().maxLifetime()).isZero();
            assertThat(config.pool().idleTimeout()).isZero();
            assertSetting(config, "pool.maxLifetime", "no limit", "DB_CONN_MAX_LIFETIME_MIN");
            assertSetting(config, "pool.idleTimeout", "never", "DB_CONN_MAX_IDLE_TIME_MIN");
        }

        @Test
        void capsIdleConnectionsAtTheMaximumWithAWarning() {
            BotDbConfig config = withPool("DB_MAX_OPEN_CONNS", "20", "DB_MAX_IDLE_CONNS", "50");

            assertThat(config.pool().maxSize()).isEqualTo(20);
            assertThat(config.pool().minIdle()).isEqualTo(20);
            assertThat(config.warnings()).singleElement().asString()
                    .contains("DB_MAX_IDLE_CONNS").contains("50").contains("DB_MAX_OPEN_CONNS").contains("20");
        }

        @Test
        void capsTheDefaultIdleCountAtASmallMaximumSilently() {
            BotDbConfig config = withPool("DB_MAX_OPEN_CONNS", "1");

            assertThat(config.pool().maxSize()).isEqualTo(1);
            assertThat(config.pool().minIdle()).isEqualTo(1);
            assertThat(config.warnings()).isEmpty();
        }

        @Test
        void readsUsnPoolSizeAndOverflow() {
            BotDbConfig config = withPool("PG_POOL_SIZE", "5", "PG_MAX_OVERFLOW", "10");

            assertThat(config.pool().maxSize()).isEqualTo(15);
            assertThat(config.pool().minIdle()).isEqualTo(5);
            assertSetting(config, "pool.max", "15", "PG_POOL_SIZE + PG_MAX_OVERFLOW");
            assertSetting(config, "pool.minIdle", "5", "PG_POOL_SIZE");
        }

        @Test
        void usesUsnOverflowDefaultWhenOnlyPoolSizeIsSet() {
            BotDbConfig config = withPool("PG_POOL_SIZE", "5");

            assertThat(config.pool().maxSize()).isEqualTo(25);
            assertThat(config.pool().minIdle()).isEqualTo(5);
            assertThat(setting(config, "pool.max").source()).contains("default 20");
        }

        @Test
        void usesUsnPoolSizeDefaultWhenOnlyOverflowIsSet() {
            BotDbConfig config = withPool("PG_MAX_OVERFLOW", "5");

            assertThat(config.pool().maxSize()).isEqualTo(15);
            assertThat(config.pool().minIdle()).isEqualTo(10);
            assertThat(setting(config, "pool.minIdle").source()).contains("default 10");
        }

        @Test
        void rejectsAUsnPoolOfZeroConnections() {
            assertThat(rejection("POSTGRES_DB", "mybot", "PG_POOL_SIZE", "0", "PG_MAX_OVERFLOW", "0"))
                    .contains("PG_POOL_SIZE + PG_MAX_OVERFLOW").contains("from 1 to 1000").contains("is 0");
        }

        @Test
        void rejectsAUsnPoolLargerThanTheLimit() {
            assertThat(rejection("POSTGRES_DB", "mybot", "PG_POOL_SIZE", "600", "PG_MAX_OVERFLOW", "500"))
                    .contains("from 1 to 1000").contains("1100");
        }

        @Test
        void rejectsMaxOpenConnsThatContradictsUsnVariables() {
            assertThat(rejection("POSTGRES_DB", "mybot", "DB_MAX_OPEN_CONNS", "10",
                    "PG_POOL_SIZE", "5", "PG_MAX_OVERFLOW", "10"))
                    .contains("DB_MAX_OPEN_CONNS").contains("PG_POOL_SIZE + PG_MAX_OVERFLOW")
                    .contains("10").contains("15");
        }

        @Test
        void acceptsMaxOpenConnsThatAgreesWithUsnVariables() {
            assertThat(withPool("DB_MAX_OPEN_CONNS", "15", "PG_POOL_SIZE", "5", "PG_MAX_OVERFLOW", "10")
                    .pool().maxSize()).isEqualTo(15);
        }

        @Test
        void rejectsMaxIdleConnsThatContradictsPoolSize() {
            assertThat(rejection("POSTGRES_DB", "mybot", "DB_MAX_IDLE_CONNS", "3", "PG_POOL_SIZE", "5"))
                    .contains("DB_MAX_IDLE_CONNS").contains("PG_POOL_SIZE");
        }

        @Test
        void readsAcquireTimeoutAndConnectAttempts() {
            BotDbConfig config = withPool("DB_ACQUIRE_TIMEOUT_SEC", "30", "BOTDB_CONNECT_ATTEMPTS", "3");

            assertThat(config.pool().acquireTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(config.pool().connectAttempts()).isEqualTo(3);
            assertSetting(config, "pool.acquireTimeout", "30 s", "DB_ACQUIRE_TIMEOUT_SEC");
            assertSetting(config, "connect.attempts", "3", "BOTDB_CONNECT_ATTEMPTS");
        }

        @Test
        void appliesPoolVariablesToSqliteToo() {
            assertThat(resolve("DATABASE_URL", "sqlite:///bot.db", "DB_MAX_OPEN_CONNS", "2").pool().maxSize())
                    .isEqualTo(2);
        }

        @Test
        void appliesPoolVariablesToTheEmbeddedServer() {
            assertThat(resolve("DB_MAX_OPEN_CONNS", "3").pool().maxSize()).isEqualTo(3);
        }

        @ParameterizedTest
        @CsvSource({
                "DB_MAX_OPEN_CONNS, ten, from 1 to 1000",
                "DB_MAX_OPEN_CONNS, 2.5, from 1 to 1000",
                "DB_MAX_IDLE_CONNS, some, from 0 to 1000",
                "DB_CONN_MAX_LIFETIME_MIN, 1h, from 0 to 10080",
                "DB_CONN_MAX_IDLE_TIME_MIN, 5m, from 0 to 10080",
                "PG_POOL_SIZE, x, from 0 to 1000",
                "PG_MAX_OVERFLOW, -, from 0 to 1000",
                "DB_ACQUIRE_TIMEOUT_SEC, 5s, from 1 to 600",
                "BOTDB_CONNECT_ATTEMPTS, many, from 1 to 20",
                "SQLITE_BUSY_TIMEOUT_MS, 1e3, from 0 to 600000",
                "DB_MAX_OPEN_CONNS, 99999999999, from 1 to 1000",
        })
        void rejectsANonNumberNamingTheVariableAndItsRange(String variable, String value, String range) {
            assertThat(rejection("POSTGRES_DB", "mybot", variable, value))
                    .contains(variable)
                    .contains(range)
                    .contains("'" + value + "'")
                    .contains("Example: " + variable + "=");
        }

        @ParameterizedTest
        @CsvSource({
                "DB_MAX_OPEN_CONNS, 0, from 1 to 1000",
                "DB_MAX_OPEN_CONNS, 1001, from 1 to 1000",
                "DB_MAX_IDLE_CONNS, -1, from 0 to 1000",
                "DB_CONN_MAX_LIFETIME_MIN, 10081, from 0 to 10080",
                "DB_CONN_MAX_IDLE_TIME_MIN, -5, from 0 to 10080",
                "PG_POOL_SIZE, 1001, from 0 to 1000",
                "PG_MAX_OVERFLOW, -1, from 0 to 1000",
                "DB_ACQUIRE_TIMEOUT_SEC, 0, from 1 to 600",
                "DB_ACQUIRE_TIMEOUT_SEC, 601, from 1 to 600",
                "BOTDB_CONNECT_ATTEMPTS, 0, from 1 to 20",
                "BOTDB_CONNECT_ATTEMPTS, 21, from 1 to 20",
                "SQLITE_BUSY_TIMEOUT_MS, 600001, from 0 to 600000",
        })
        void rejectsAnOutOfRangeValueNamingTheVariableAndItsRange(String variable, String value, String range) {
            assertThat(rejection("POSTGRES_DB", "mybot", variable, value))
                    .contains(variable)
                    .contains(range)
                    .contains("but it is " + value);
        }

        @Test
        void acceptsTheEdgesOfEachRange() {
            PoolSettings pool = withPool("DB_MAX_OPEN_CONNS", "1000", "DB_MAX_IDLE_CONNS", "0",
                    "DB_CONN_MAX_LIFETIME_MIN", "10080", "DB_ACQUIRE_TIMEOUT_SEC", "600",
                    "BOTDB_CONNECT_ATTEMPTS", "20").pool();

            assertThat(pool.maxSize()).isEqualTo(1000);
            assertThat(pool.minIdle()).isZero();
            assertThat(pool.maxLifetime()).isEqualTo(Duration.ofDays(7));
            assertThat(pool.acquireTimeout()).isEqualTo(Duration.ofMinutes(10));
            assertThat(pool.connectAttempts()).isEqualTo(20);
        }
    }

    @Nested
    class NoPasswordInOutput {

        @Test
        void toStringDoesNotShowAUrlPassword() {
            BotDbConfig config = resolve("DATABASE_URL", REMOTE_URL);

            assertThat(config.toString()).doesNotContain(SECRET);
            assertThat(config.target().toString()).doesNotContain(SECRET);
            assertThat(config.target().displayName()).doesNotContain(SECRET);
        }

        @Test
        void toStringDoesNotShowAVariablePassword() {
            BotDbConfig config = resolve("POSTGRES_DB", "mybot", "POSTGRES_PASSWORD", SECRET);

            assertThat(config.toString()).doesNotContain(SECRET);
        }

        @Test
        void toStringDoesNotShowAPasswordFilePassword() throws IOException {
            Path file = passwordFile("pgpass", "rw-------", "*:*:*:*:" + SECRET);

            BotDbConfig config = resolve("POSTGRES_DB", "mybot", "PGPASSFILE", file.toString());

            assertThat(((PostgresTarget) config.target()).password().reveal()).isEqualTo(SECRET);
            assertThat(config.toString()).doesNotContain(SECRET);
        }

        @Test
        void toStringAndDescribeDoNotShowAPasswordPassedAsJdbcProperty() {
            BotDbConfig config = resolve("DATABASE_URL",
                    "jdbc:postgresql://db.example.com/mybot?user=bot&password=" + OTHER_SECRET
                            + "&sslmode=require&sslpassword=" + SECRET + "&prepareThreshold=0");

            PostgresTarget pg = postgres(config);
            assertThat(pg.jdbcProperties()).containsEntry("sslpassword", SECRET).containsEntry("prepareThreshold", "0");
            assertThat(pg.toString()).doesNotContain(SECRET).doesNotContain(OTHER_SECRET).contains("prepareThreshold=0");
            assertThat(config.toString()).doesNotContain(SECRET).doesNotContain(OTHER_SECRET);
            assertThat(config.describe()).noneMatch(s -> s.value().contains(SECRET) || s.value().contains(OTHER_SECRET));
            assertSetting(config, "sslpassword", "****", "DATABASE_URL");
            assertSetting(config, "prepareThreshold", "0", "DATABASE_URL");
        }

        @Test
        void describeMasksThePassword() {
            BotDbConfig config = resolve("DATABASE_URL", REMOTE_URL);

            assertThat(config.describe()).noneMatch(s -> s.value().contains(SECRET) || s.source().contains(SECRET));
            assertSetting(config, "password", "****", "DATABASE_URL");
        }
    }
}
