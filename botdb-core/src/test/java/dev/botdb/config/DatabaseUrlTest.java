package dev.botdb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseUrlTest {

    /** A password distinctive enough that finding it in a message can only mean it leaked. */
    private static final String SECRET = "Zx9secretQ";

    private static DatabaseUrl.Parts parse(String url) {
        return DatabaseUrl.parse(url, "DATABASE_URL");
    }

    /**
     * Parses a URL that must be rejected and checks what every rejection must have: code
     * CONFIG_INVALID, the variable named, a corrected example, and no password.
     */
    private static String rejection(String url) {
        Throwable thrown = catchThrowable(() -> parse(url));
        assertThat(thrown).as("parsing %s", url).isInstanceOf(BotDbException.class);
        BotDbException e = (BotDbException) thrown;
        assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
        assertThat(e.getMessage())
                .contains("DATABASE_URL")
                .contains("Example:")
                .doesNotContain(SECRET);
        return e.getMessage();
    }

    @Nested
    class PostgresForms {

        @ParameterizedTest
        @ValueSource(strings = {"postgres", "postgresql", "postgresql+asyncpg", "postgresql+psycopg2", "POSTGRES"})
        void parsesEveryPostgresSchemeIntoTheSameParts(String scheme) {
            DatabaseUrl.Parts p = parse(scheme + "://bot:" + SECRET + "@db.example.com:6543/mybot");

            assertThat(p.engine()).isEqualTo(Engine.POSTGRESQL);
            assertThat(p.host()).isEqualTo("db.example.com");
            assertThat(p.port()).isEqualTo(6543);
            assertThat(p.database()).isEqualTo("mybot");
            assertThat(p.user()).isEqualTo("bot");
            assertThat(p.password().reveal()).isEqualTo(SECRET);
            assertThat(p.sslMode()).isNull();
            assertThat(p.parameters()).isEmpty();
            assertThat(p.jdbcProperties()).isEmpty();
            assertThat(p.sqlitePath()).isNull();
            assertThat(p.sqliteMemory()).isFalse();
            assertThat(p.warnings()).isEmpty();
        }

        @Test
        void parsesJdbcUrlWithUserPasswordAndSslmodeInTheQuery() {
            DatabaseUrl.Parts p = parse("jdbc:postgresql://db.example.com:5433/mybot?user=bot&password=" + SECRET
                    + "&sslmode=verify-full");

            assertThat(p.engine()).isEqualTo(Engine.POSTGRESQL);
            assertThat(p.host()).isEqualTo("db.example.com");
            assertThat(p.port()).isEqualTo(5433);
            assertThat(p.database()).isEqualTo("mybot");
            assertThat(p.user()).isEqualTo("bot");
            assertThat(p.password().reveal()).isEqualTo(SECRET);
            assertThat(p.sslMode()).isEqualTo(SslMode.VERIFY_FULL);
            assertThat(p.parameters()).isEmpty();
            assertThat(p.jdbcProperties()).isEmpty();
        }

        @Test
        void parsesJdbcUrlWithOnlyADatabaseName() {
            DatabaseUrl.Parts p = parse("jdbc:postgresql:mybot");

            assertThat(p.engine()).isEqualTo(Engine.POSTGRESQL);
            assertThat(p.database()).isEqualTo("mybot");
            assertThat(p.host()).isNull();
            assertThat(p.port()).isNull();
            assertThat(p.user()).isNull();
            assertThat(p.password()).isNull();
        }

        @ParameterizedTest
        @ValueSource(strings = {"jdbc:postgresql:", "jdbc:postgresql:/", "jdbc:postgresql:/?user=bot"})
        void parsesAJdbcUrlWithoutADatabaseNameAsNamingNone(String url) {
            DatabaseUrl.Parts p = parse(url);

            assertThat(p.engine()).isEqualTo(Engine.POSTGRESQL);
            assertThat(p.database()).isNull();
            assertThat(p.host()).isNull();
        }

        @Test
        void passesPgjdbcPropertiesThroughAndMapsPgjdbcSpellingsOfLibpqParameters() {
            DatabaseUrl.Parts p = parse("jdbc:postgresql://db/mybot?prepareThreshold=0&ApplicationName=bot1"
                    + "&connectTimeout=7");

            assertThat(p.jdbcProperties()).containsExactlyEntriesOf(Map.of("prepareThreshold", "0"));
            assertThat(p.parameters()).containsOnly(
                    Map.entry("application_name", "bot1"), Map.entry("connect_timeout", "7"));
            assertThat(p.warnings()).isEmpty();
        }

        @Test
        void parsesPercentEncodedUserAndPasswordWithAtSignColonAndSlash() {
            DatabaseUrl.Parts p = parse("postgres://b%C3%B6t%40team:p%40ss%3Aw%2Frd@db/mybot");

            assertThat(p.user()).isEqualTo("böt@team");
            assertThat(p.password().reveal()).isEqualTo("p@ss:w/rd");
        }

        @Test
        void parsesPercentEncodedDatabaseName() {
            assertThat(parse("postgres://db/my%20bot%2Fdb").database()).isEqualTo("my bot/db");
        }

        @Test
        void keepsAColonInsideThePasswordAsLibpqDoes() {
            assertThat(parse("postgres://bot:a:b@db/mybot").password().reveal()).isEqualTo("a:b");
        }

        @Test
        void parsesUserWithoutPassword() {
            DatabaseUrl.Parts p = parse("postgres://bot@db/mybot");

            assertThat(p.user()).isEqualTo("bot");
            assertThat(p.password()).isNull();
        }

        @ParameterizedTest
        @ValueSource(strings = {"postgres://bot:@db/mybot", "postgresql+asyncpg://bot:@db/mybot",
                "jdbc:postgresql://bot:@db/mybot", "postgres://db/mybot?user=bot&password=",
                "jdbc:postgresql://db/mybot?user=bot&password="})
        void treatsAnEmptyPasswordAsNoneAsLibpqDoes(String url) {
            DatabaseUrl.Parts p = parse(url);

            assertThat(p.user()).isEqualTo("bot");
            assertThat(p.password()).isNull();
        }

        @Test
        void treatsAnEmptyUserAndPasswordAsNeither() {
            DatabaseUrl.Parts p = parse("postgres://:@db/mybot");

            assertThat(p.user()).isNull();
            assertThat(p.password()).isNull();
            assertThat(p.host()).isEqualTo("db");
        }

        @Test
        void parsesIpv6HostWithPort() {
            DatabaseUrl.Parts p = parse("postgres://bot:" + SECRET + "@[::1]:5433/mybot");

            assertThat(p.host()).isEqualTo("::1");
            assertThat(p.port()).isEqualTo(5433);
            assertThat(p.database()).isEqualTo("mybot");
        }

        @Test
        void parsesIpv6HostWithoutPort() {
            DatabaseUrl.Parts p = parse("postgresql://[2001:db8::7]/mybot");

            assertThat(p.host()).isEqualTo("2001:db8::7");
            assertThat(p.port()).isNull();
        }

        @Test
        void leavesPortNullWhenTheUrlHasNone() {
            DatabaseUrl.Parts p = parse("postgres://bot@db.example.com/mybot");

            assertThat(p.port()).isNull();
            assertThat(p.host()).isEqualTo("db.example.com");
        }

        @Test
        void resolvesAMissingPortTo5432(@TempDir Path home) {
            BotDbConfig config = BotDbConfig.fromEnv(Map.of(
                    "DATABASE_URL", "postgres://bot:" + SECRET + "@db.example.com/mybot",
                    "HOME", home.toString()));

            assertThat(((PostgresTarget) config.target()).port()).isEqualTo(5432);
        }

        @Test
        void leavesHostAndDatabaseNullWhenTheUrlHasNone() {
            DatabaseUrl.Parts p = parse("postgres://");

            assertThat(p.host()).isNull();
            assertThat(p.port()).isNull();
            assertThat(p.database()).isNull();
        }

        @Test
        void passesLibpqQueryParametersThrough() {
            DatabaseUrl.Parts p = parse("postgres://bot@db/mybot?sslmode=verify-full&sslrootcert=/etc/ca.pem"
                    + "&sslcert=/etc/client.crt&sslkey=/etc/client.pk8&connect_timeout=10&application_name=mybot"
                    + "&options=-c%20search_path%3Dbot");

            assertThat(p.sslMode()).isEqualTo(SslMode.VERIFY_FULL);
            assertThat(p.parameters()).containsOnly(
                    Map.entry("sslrootcert", "/etc/ca.pem"),
                    Map.entry("sslcert", "/etc/client.crt"),
                    Map.entry("sslkey", "/etc/client.pk8"),
                    Map.entry("connect_timeout", "10"),
                    Map.entry("application_name", "mybot"),
                    Map.entry("options", "-c search_path=bot"));
            assertThat(p.warnings()).isEmpty();
        }

        @Test
        void takesConnectionPartsFromQueryParametersAsLibpqDoes() {
            DatabaseUrl.Parts p = parse("postgresql:///?host=db.internal&port=5433&dbname=mybot&user=bot&password="
                    + SECRET);

            assertThat(p.host()).isEqualTo("db.internal");
            assertThat(p.port()).isEqualTo(5433);
            assertThat(p.database()).isEqualTo("mybot");
            assertThat(p.user()).isEqualTo("bot");
            assertThat(p.password().reveal()).isEqualTo(SECRET);
        }

        @Test
        void acceptsAnIpv6HostParameterWithoutBrackets() {
            assertThat(parse("postgres:///mybot?host=::1").host()).isEqualTo("::1");
        }

        @ParameterizedTest
        @ValueSource(strings = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"})
        void parsesEverySslmode(String mode) {
            assertThat(parse("postgres://db/mybot?sslmode=" + mode).sslMode().value()).isEqualTo(mode);
        }

        @ParameterizedTest
        @ValueSource(strings = {"true", "1", "on", "yes", "TRUE"})
        void treatsSslTrueAsRequire(String value) {
            assertThat(parse("postgres://db/mybot?ssl=" + value).sslMode()).isEqualTo(SslMode.REQUIRE);
        }

        @ParameterizedTest
        @ValueSource(strings = {"false", "0", "off", "no"})
        void treatsSslFalseAsDisable(String value) {
            assertThat(parse("postgresql+asyncpg://db/mybot?ssl=" + value).sslMode()).isEqualTo(SslMode.DISABLE);
        }

        @ParameterizedTest
        @ValueSource(strings = {"jdbc:postgresql://db/mybot?ssl=", "jdbc:postgresql:mybot?ssl="})
        void treatsSslTrueInAJdbcUrlAsVerifyFullAsPgjdbcDoes(String prefix) {
            assertThat(parse(prefix + "true").sslMode()).isEqualTo(SslMode.VERIFY_FULL);
            assertThat(parse(prefix + "TRUE").sslMode()).isEqualTo(SslMode.VERIFY_FULL);
            assertThat(parse(prefix + "false").sslMode()).isEqualTo(SslMode.DISABLE);
        }

        @ParameterizedTest
        @ValueSource(strings = {"postgresql+asyncpg://db/mybot?ssl=true", "postgres://db/mybot?ssl=true"})
        void keepsSslTrueAsRequireOutsideJdbcUrls(String url) {
            assertThat(parse(url).sslMode()).isEqualTo(SslMode.REQUIRE);
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "jdbc:postgresql://db/mybot?ssl=true&sslmode=require",
                "jdbc:postgresql://db/mybot?sslmode=require&ssl=true",
                "jdbc:postgresql://db/mybot?ssl=false&sslmode=require",
                "postgresql+asyncpg://db/mybot?sslmode=require&ssl=false",
                "postgres://db/mybot?ssl=verify-full&sslmode=require",
        })
        void letsSslmodeWinOverTheSslParameter(String url) {
            assertThat(parse(url).sslMode()).isEqualTo(SslMode.REQUIRE);
        }

        @Test
        void acceptsAnSslmodeAsValueOfTheSslParameter() {
            assertThat(parse("postgresql+asyncpg://db/mybot?ssl=verify-full").sslMode())
                    .isEqualTo(SslMode.VERIFY_FULL);
        }

        @Test
        void normalisesConnectTimeout() {
            assertThat(parse("postgres://db/mybot?connect_timeout=010").parameters())
                    .containsEntry("connect_timeout", "10");
        }

        @Test
        void warnsAboutAndIgnoresDriverSpecificParametersOfSqlalchemyUrls() {
            DatabaseUrl.Parts p = parse("postgresql+asyncpg://bot:" + SECRET
                    + "@db/mybot?prepared_statement_cache_size=0&ssl=require&command_timeout=60");

            assertThat(p.sslMode()).isEqualTo(SslMode.REQUIRE);
            assertThat(p.parameters()).isEmpty();
            assertThat(p.jdbcProperties()).isEmpty();
            assertThat(p.warnings()).hasSize(2);
            assertThat(p.warnings().get(0)).contains("DATABASE_URL").contains("'prepared_statement_cache_size'");
            assertThat(p.warnings().get(1)).contains("'command_timeout'");
            assertThat(p.warnings()).noneMatch(w -> w.contains(SECRET));
        }

        @Test
        void ignoresEmptyQueryPairs() {
            assertThat(parse("postgres://db/mybot?&sslmode=require&").sslMode()).isEqualTo(SslMode.REQUIRE);
        }
    }

    @Nested
    class SqliteForms {

        @Test
        void parsesThreeSlashesAsARelativePath() {
            DatabaseUrl.Parts p = parse("sqlite:///relative.db");

            assertThat(p.engine()).isEqualTo(Engine.SQLITE);
            assertThat(p.sqlitePath()).isEqualTo(Path.of("relative.db"));
            assertThat(p.sqliteMemory()).isFalse();
            assertThat(p.host()).isNull();
            assertThat(p.database()).isNull();
            assertThat(p.warnings()).isEmpty();
        }

        @Test
        void parsesFourSlashesAsAnAbsolutePath() {
            DatabaseUrl.Parts p = parse("sqlite:////absolute.db");

            assertThat(p.sqlitePath()).isEqualTo(Path.of("/absolute.db"));
            assertThat(p.sqlitePath().isAbsolute()).isTrue();
        }

        @Test
        void parsesSqlalchemyAiosqliteUrl() {
            DatabaseUrl.Parts p = parse("sqlite+aiosqlite:///./bot_database.db");

            assertThat(p.engine()).isEqualTo(Engine.SQLITE);
            assertThat(p.sqlitePath()).isEqualTo(Path.of("./bot_database.db"));
        }

        @Test
        void parsesJdbcSqlitePath() {
            DatabaseUrl.Parts p = parse("jdbc:sqlite:data/bot.db");

            assertThat(p.engine()).isEqualTo(Engine.SQLITE);
            assertThat(p.sqlitePath()).isEqualTo(Path.of("data/bot.db"));
            assertThat(p.sqliteMemory()).isFalse();
        }

        @ParameterizedTest
        @ValueSource(strings = {"jdbc:sqlite::memory:", "sqlite::memory:", "sqlite://", "sqlite:///:memory:"})
        void parsesInMemoryDatabases(String url) {
            DatabaseUrl.Parts p = parse(url);

            assertThat(p.engine()).isEqualTo(Engine.SQLITE);
            assertThat(p.sqliteMemory()).isTrue();
            assertThat(p.sqlitePath()).isNull();
        }

        @Test
        void warnsThatSqliteQueryParametersAreIgnored() {
            DatabaseUrl.Parts p = parse("sqlite:///bot.db?timeout=20");

            assertThat(p.sqlitePath()).isEqualTo(Path.of("bot.db"));
            assertThat(p.warnings()).singleElement().asString().contains("timeout=20").contains("ignored");
        }

        @Test
        void rejectsAHostInASqliteUrl() {
            assertThat(rejection("sqlite://bot.db")).contains("names a host").contains("'bot.db'");
        }

        @Test
        void rejectsASqliteUrlWithoutAFile() {
            assertThat(rejection("jdbc:sqlite:")).contains("names no database file");
        }
    }

    @Nested
    class BadInput {

        @Test
        void rejectsAJdbcUrlWithASingleSlashBeforeAName() {
            assertThat(rejection("jdbc:postgresql:/db.example.com/mybot?password=" + SECRET))
                    .contains("single '/'").contains("jdbc:postgresql:mybot")
                    .contains("Example: DATABASE_URL=jdbc:postgresql://db.example.com:5432/mybot");
        }

        @Test
        void rejectsAnEmptyUrl() {
            assertThat(rejection("   ")).contains("is empty");
        }

        @Test
        void rejectsAnUnknownScheme() {
            assertThat(rejection("mysql://bot:" + SECRET + "@db/mybot"))
                    .contains("unknown scheme 'mysql'")
                    .contains("postgres://");
        }

        @Test
        void rejectsAnUnknownDriverSuffix() {
            assertThat(rejection("mysql+pymysql://bot:" + SECRET + "@db/mybot")).contains("'mysql+pymysql'");
        }

        @Test
        void rejectsAUrlWithoutAScheme() {
            assertThat(rejection("db.example.com/mybot")).contains("has no scheme");
        }

        @Test
        void rejectsAPostgresUrlWithoutDoubleSlash() {
            assertThat(rejection("postgres:db/mybot")).contains("must have '//'");
        }

        @Test
        void rejectsAPortThatIsNotANumber() {
            assertThat(rejection("postgres://bot:" + SECRET + "@db:54x2/mybot"))
                    .contains("port '54x2'")
                    .contains("not a number");
        }

        @ParameterizedTest
        @ValueSource(strings = {"70000", "0", "65536"})
        void rejectsAPortOutsideTheTcpRange(String port) {
            assertThat(rejection("postgres://bot:" + SECRET + "@db:" + port + "/mybot"))
                    .contains("port " + port)
                    .contains("1-65535");
        }

        @Test
        void rejectsABadPortParameter() {
            assertThat(rejection("postgres://db/mybot?port=x")).contains("port parameter 'x'");
        }

        @Test
        void rejectsAnUnterminatedIpv6Bracket() {
            assertThat(rejection("postgres://bot:" + SECRET + "@[::1:5432/mybot"))
                    .contains("unterminated '['")
                    .contains("[::1]");
        }

        @Test
        void rejectsBracketsThatDoNotHoldAnIpv6Address() {
            assertThat(rejection("postgres://[db.example.com]/mybot")).contains("not an IPv6 address");
        }

        @Test
        void rejectsTextAfterTheIpv6Bracket() {
            assertThat(rejection("postgres://[::1]x/mybot")).contains("after the IPv6 address");
        }

        @Test
        void rejectsAnIpv6AddressWithoutBrackets() {
            assertThat(rejection("postgres://::1/mybot")).contains("must be in brackets");
        }

        @ParameterizedTest
        @ValueSource(strings = {"b%zzt", "bot%", "bot%4", "%g0bot"})
        void rejectsABadPercentEscapeInTheUserName(String user) {
            assertThat(rejection("postgres://" + user + ":" + SECRET + "@db/mybot"))
                    .contains("bad percent-escape in the user name")
                    .contains("%25");
        }

        @ParameterizedTest
        @ValueSource(strings = {SECRET + "%zz", SECRET + "%", SECRET + "%4", "%zz" + SECRET})
        void rejectsABadPercentEscapeInThePasswordWithoutEchoingIt(String password) {
            assertThat(rejection("postgres://bot:" + password + "@db/mybot"))
                    .contains("bad percent-escape in the password")
                    .doesNotContain("%zz")
                    .doesNotContain("%4");
        }

        @Test
        void rejectsABadPercentEscapeInThePasswordParameterWithoutEchoingIt() {
            assertThat(rejection("postgres://db/mybot?user=bot&password=Zx9%zzsecretQ"))
                    .contains("bad percent-escape")
                    .doesNotContain("%zz")
                    .doesNotContain("Zx9");
        }

        @Test
        void rejectsABadPercentEscapeInTheDatabaseName() {
            assertThat(rejection("postgres://db/my%zzbot")).contains("bad percent-escape in the database name");
        }

        @Test
        void rejectsPercentEscapesThatAreNotUtf8() {
            assertThat(rejection("postgres://b%FFt:" + SECRET + "@db/mybot"))
                    .contains("do not decode to UTF-8 text");
        }

        @ParameterizedTest
        @ValueSource(strings = {"%\u0664\u0660", "%\uFF14\uFF10", "%4\u0660"})
        void rejectsNonAsciiDigitsInAPercentEscape(String escape) {
            // Character.digit accepts Arabic-Indic and full-width digits; a URL escape takes ASCII hex only
            assertThat(rejection("postgres://bot" + escape + "x:" + SECRET + "@db/mybot"))
                    .contains("bad percent-escape in the user name");
        }

        @Test
        void rejectsABadPercentEscapeAfterAHighSurrogate() {
            assertThat(rejection("postgres://db/my\uD83D%zzbot")).contains("bad percent-escape in the database name");
        }

        @Test
        void decodesSupplementaryCharactersNextToPercentEscapes() {
            assertThat(parse("postgres://db/\uD83D\uDE00%20x").database()).isEqualTo("\uD83D\uDE00 x");
        }

        @ParameterizedTest
        @ValueSource(strings = {"p@ss" + SECRET, SECRET + "@", "@" + SECRET})
        void rejectsAnUnencodedAtSignInThePassword(String password) {
            assertThat(rejection("postgres://bot:" + password + "@db.example.com:5432/mybot"))
                    .contains("'@'")
                    .contains("%40")
                    .doesNotContain(password);
        }

        @ParameterizedTest
        @ValueSource(strings = {"pa/" + SECRET, "pa?" + SECRET, "pa#" + SECRET, "a?b#" + SECRET})
        void rejectsAnUnencodedSlashQuestionMarkOrHashInThePassword(String password) {
            rejection("postgres://bot:" + password + "@db.example.com:5432/mybot");
        }

        @Test
        void rejectsAnUnencodedAtSignInAParameterValueAndAcceptsAnEncodedOne() {
            assertThat(rejection("postgres://bot:" + SECRET + "@db/mybot?application_name=bot@prod"))
                    .contains("'@' after the '?'").contains("%40");
            assertThat(parse("postgres://bot:" + SECRET + "@db/mybot?application_name=bot%40prod").parameters())
                    .containsEntry("application_name", "bot@prod");
        }

        @Test
        void rejectsSeveralHosts() {
            assertThat(rejection("postgres://bot:" + SECRET + "@db1:5432,db2:5432/mybot"))
                    .contains("several hosts")
                    .contains("db1:5432,db2:5432");
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "postgres://bot:" + SECRET + "@%2Fvar%2Frun%2Fpostgresql/mybot",
                "postgres:///mybot?host=/var/run/postgresql&password=" + SECRET})
        void rejectsAUnixSocketHost(String url) {
            assertThat(rejection(url)).contains("Unix-domain socket");
        }

        @Test
        void rejectsAnUnknownSslmode() {
            assertThat(rejection("postgres://bot:" + SECRET + "@db/mybot?sslmode=sometimes"))
                    .contains("unknown sslmode 'sometimes'")
                    .contains("verify-full");
        }

        @Test
        void rejectsAnUnknownSslFlag() {
            assertThat(rejection("postgresql+asyncpg://db/mybot?ssl=maybe")).contains("unknown sslmode 'maybe'");
        }

        @Test
        void rejectsUnknownParametersOfAPlainPostgresUrl() {
            assertThat(rejection("postgres://bot:" + SECRET + "@db/mybot?prepared_statement_cache_size=0"))
                    .contains("unknown parameter 'prepared_statement_cache_size'")
                    .contains("sslmode");
        }

        @Test
        void rejectsAQueryParameterWithoutValue() {
            assertThat(rejection("postgres://db/mybot?sslmode")).contains("'sslmode' without '=value'");
        }

        @Test
        void rejectsAConnectTimeoutThatIsNotANumber() {
            assertThat(rejection("postgres://db/mybot?connect_timeout=10s")).contains("connect_timeout '10s'");
        }

        @Test
        void rejectsAHostNameWithCharactersNoHostHas() {
            assertThat(rejection("postgres://db!x/mybot")).contains("'db!x'");
        }
    }

    @Nested
    class Masking {

        @ParameterizedTest
        @ValueSource(strings = {
                "mysql://bot:" + SECRET + "@db/mybot",
                "postgres://bot:" + SECRET + "@db:port/mybot",
                "postgres://bot:" + SECRET + "@db/mybot?sslmode=bogus",
                "postgres://bot:" + SECRET + "@db/mybot?unknown=1",
                "postgres://bot:" + SECRET + "@db/mybot?sslmode",
                "postgres://bot:" + SECRET + "@db1,db2/mybot",
                "postgres://bot:" + SECRET + "@[::1/mybot",
                "postgres://bot:" + SECRET + "@db/my%zzbot",
                "postgres://db/mybot?password=" + SECRET + "&sslmode=bogus",
                "postgres://db/mybot?password=" + SECRET + "&unknown=1",
                "jdbc:postgresql://db:5432/mybot?user=bot&password=" + SECRET + "&port=x",
                "postgres://db:5432/mybot?user=bot&password=@" + SECRET,
                "postgres://db:5432/mybot?user=bot&password=p@" + SECRET,
                "postgres://bot:pa?" + SECRET + "@db/mybot",
                "postgres://bot:pa/" + SECRET + "@db/mybot",
                "postgres://bot:pa#" + SECRET + "@db/mybot",
                "postgres://bot:p@" + SECRET + "@db/mybot",
        })
        void neverShowsThePasswordInAnErrorMessage(String url) {
            rejection(url); // asserts the message does not contain SECRET
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "bot:" + SECRET + "@db.example.com:5432/mybot",
                "postgres:bot:" + SECRET + "@db.example.com:5432/mybot",
                "postgres:/bot:" + SECRET + "@db.example.com:5432/mybot",
                "postgres//bot:" + SECRET + "@db.example.com:5432/mybot",
                "mysql:bot:" + SECRET + "@db/mybot",
                "postgres//bot://" + SECRET + "@db.example.com:5432/mybot",
                "postgres:bot://" + SECRET + "@db.example.com:5432/mybot",
                "postgres:/bot:ab://" + SECRET + "@db.example.com:5432/mybot",
                "bot:x" + SECRET + "://y@db.example.com:5432/mybot",
        })
        void neverShowsThePasswordOfAUrlWhoseSlashesATypoDropped(String url) {
            assertThat(rejection(url)).contains("****@db");
            if (url.contains("://")) { // maskUrl, for any text, knows a URL by its "://"
                assertThat(Redaction.maskUrl(url)).contains("****@db").doesNotContain(SECRET);
                assertThat(Redaction.maskUrl("could not connect to " + url + " (timeout)")).doesNotContain(SECRET);
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"postgres://bot:" + SECRET + "@db/mybot", "jdbc:postgresql://bot:" + SECRET + "@db/mybot",
                "postgresql+asyncpg://bot:" + SECRET + "@db/mybot"})
        void stillShowsSchemeAndUserOfAWellFormedUrl(String url) {
            String scheme = url.substring(0, url.indexOf("://") + 3);
            assertThat(Redaction.maskUrl(url)).isEqualTo(scheme + "bot:****@db/mybot");
            assertThat(Redaction.maskUrl("url=" + url + " failed")).isEqualTo("url=" + scheme + "bot:****@db/mybot failed");
            assertThat(Redaction.maskConnectionUrl(url)).isEqualTo(scheme + "bot:****@db/mybot");
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "postgres://bot:ab@cd?" + SECRET + "@db.example.com:5432/mybot",
                "postgres://bot:ab@" + SECRET + "?x@db.example.com:5432/mybot",
                "postgres://bot:ab@cd?" + SECRET + "=1@db.example.com:5432/mybot",
                "postgres://bot:ab@cd?sslmode=" + SECRET + "@db.example.com:5432/mybot",
                "postgres://bot:ab@cd?port=" + SECRET + "@db.example.com:5432/mybot",
                "postgres://bot:ab@c!" + SECRET + "?@db.example.com:5432/mybot",
                "postgres://bot:ab@c:" + SECRET + "?@db.example.com:5432/mybot",
                "postgresql+asyncpg://bot:ab@cd?" + SECRET + "=1@db.example.com/mybot",
        })
        void neverShowsPartOfAPasswordWithAnAtSignBeforeAQuestionMark(String url) {
            assertThat(rejection(url)).contains("'@' after the '?'");
        }

        @Test
        void refusesToGuessWhereAPasswordWithAtSignAndQuestionMarkEnds() {
            // password "ab@cd?dbname=x": read naively, the host would be "cd" and the database "x@db/mybot"
            assertThat(rejection("postgres://bot:ab@cd?dbname=x@db.example.com/mybot"))
                    .contains("'@' after the '?'").contains("%3F");
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "postgres://db/mybot?user=bot&password=ab&" + SECRET,
                "postgres://db/mybot?user=bot&password=ab&" + SECRET + "&sslmode=require",
                "postgres://db:5432/mybot?user=bot&password=@&" + SECRET,
                "jdbc:postgresql://db/mybot?user=bot&password=ab&" + SECRET,
                "jdbc:postgresql:mybot?password=@" + SECRET + "&sslmode=bogus",
        })
        void neverShowsPartOfAPasswordParameterWithAnAmpersand(String url) {
            // "&Zx9secretQ" is no key=value pair, so it can only be the rest of the password
            rejection(url);
        }

        @Test
        void neverShowsThePasswordOfASqliteUrlWithUserInfo() {
            assertThat(rejection("sqlite://bot:" + SECRET + "@host/bot.db")).contains("names a host");
        }

        @Test
        void neverWarnsWithAPasswordParameterOfASqliteUrl() {
            DatabaseUrl.Parts p = parse("sqlite:///bot.db?password=" + SECRET);

            assertThat(p.warnings()).singleElement().asString().contains("ignored").doesNotContain(SECRET);
        }

        @Test
        void stillNamesTheOffendingPartWhenItIsNoPassword() {
            assertThat(rejection("postgres://bot:" + SECRET + "@db/mybot?sslmode=x&colour=blue"))
                    .contains("unknown sslmode 'x'");
            assertThat(rejection("postgres://bot:" + SECRET + "@db/mybot?colour=blue"))
                    .contains("unknown parameter 'colour'");
            assertThat(rejection("postgres://bot:" + SECRET + "@db!x:5432/mybot")).contains("'db!x'");
        }

        @Test
        void showsTheUrlWithThePasswordMasked() {
            assertThat(rejection("postgres://bot:" + SECRET + "@db:99999/mybot"))
                    .contains("postgres://bot:****@db:99999/mybot");
        }

        @Test
        void masksAPasswordParameterInTheEchoedUrl() {
            assertThat(rejection("postgres://db/mybot?user=bot&password=" + SECRET + "&unknown=x"))
                    .contains("password=****");
        }

        @Test
        void masksEveryPartOfAPasswordParameterThatHoldsAnAtSign() {
            String message = rejection("postgres://db:5432/mybot?user=bot&password=ab@" + SECRET);

            assertThat(message).doesNotContain(SECRET);
            assertThat(Redaction.maskUrl("postgres://db:5432/mybot?password=ab@" + SECRET)).doesNotContain(SECRET);
        }

        @Test
        void partsToStringDoesNotShowThePassword() {
            assertThat(parse("postgres://bot:" + SECRET + "@db/mybot").toString()).doesNotContain(SECRET);
        }
    }
}
