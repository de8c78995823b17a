package dev.botdb.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

class DatabaseUrlPropertiesTest {

    private static final List<String> URL_PREFIXES = List.of(
            "postgres://", "postgresql://", "postgresql+asyncpg://", "postgresql+psycopg2://", "pgsql://",
            "jdbc:postgresql://", "jdbc:postgresql:", "postgres:", "POSTGRES://",
            "sqlite:", "sqlite://", "sqlite:///", "sqlite:////", "sqlite+aiosqlite:///", "jdbc:sqlite:",
            "mysql://", "postgres+://", "");

    /** Pieces URLs are made of, including the ones that break parsers: escapes, brackets, separators. */
    private static final List<String> URL_TOKENS = List.of(
            "%", "%2", "%4", "%40", "%2F", "%3A", "%zz", "%FF", "%C3", "%C3%B6", "%\u0664\u0660", "%25",
            "@", ":", "/", "//", "?", "&", "=", "#", ",", "[", "]", "[::1]", "::1", ".", "\\", " ", "\u0000",
            "\uD83D", "\uDE00", "\u0130", "\u212A", "\u00E9",
            "bot", "db", "localhost", "mybot", "5432", "0", "99999", "65536", "-1", ":memory:",
            "user=", "password=", "dbname=", "host=", "port=", "sslmode=", "ssl=", "sslrootcert=",
            "connect_timeout=", "application_name=", "options=", "require", "true", "verify-full", "x");

    /** What starts another parameter after a password parameter's value. */
    private static final Pattern NEXT_PARAMETER = Pattern.compile("[&;\\s]\\s*[A-Za-z_][A-Za-z0-9_.\\-]*\\s*=");

    private static final Map<String, String> RESOLVER_BASE = Map.of(
            "HOME", "/nonexistent/botdb-properties-home",
            "PGPASSFILE", "/nonexistent/botdb-properties-pgpass",
            "USER", "bot");

    // ---- (a) parse returns or throws CONFIG_INVALID, nothing else ---------------------------

    @Property
    void parseOfAnyStringReturnsOrThrowsConfigInvalid(@ForAll("anyInput") String url) {
        try {
            DatabaseUrl.Parts parts = DatabaseUrl.parse(url, "DATABASE_URL");
            assertThat(parts.engine()).isNotNull();
            assertThat(parts.warnings()).isNotNull();
        } catch (BotDbException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
            assertThat(e.getMessage()).contains("DATABASE_URL");
        }
    }

    @Provide
    Arbitrary<String> anyInput() {
        Arbitrary<String> anything = Arbitraries.strings().all().ofMaxLength(80);
        Arbitrary<String> asciiNoise = Arbitraries.strings().ascii().ofMaxLength(60);
        Arbitrary<String> chars = Arbitraries.strings()
                .withCharRange('a', 'f').withCharRange('0', '9')
                .withChars("%@:/[]?&=#,.xz \u0664\uFF14").ofMaxLength(50);
        Arbitrary<String> tokens = Arbitraries.of(URL_TOKENS).list().ofMaxSize(14)
                .map(list -> String.join("", list));
        Arbitrary<String> urlLike = Combinators.combine(Arbitraries.of(URL_PREFIXES),
                Arbitraries.frequencyOf(Tuple.of(1, chars), Tuple.of(2, tokens))).as(String::concat);
        return Arbitraries.frequencyOf(Tuple.of(1, anything), Tuple.of(1, asciiNoise), Tuple.of(4, urlLike));
    }

    // ---- (b) percent-encoded parts come back exactly ----------------------------------------

    @Property
    void percentEncodedUserPasswordHostPortAndDatabaseParseBackExactly(
            @ForAll("postgresSchemes") String scheme, @ForAll("unicodeText") String user,
            @ForAll("unicodeText") String password, @ForAll("hosts") String host, @ForAll("ports") Integer port,
            @ForAll("unicodeText") String database) {
        String url = scheme + encode(user) + ":" + encode(password) + "@" + urlHost(host)
                + (port == null ? "" : ":" + port) + "/" + encode(database);

        DatabaseUrl.Parts parts = DatabaseUrl.parse(url, "DATABASE_URL");

        assertThat(parts.engine()).isEqualTo(Engine.POSTGRESQL);
        assertThat(parts.user()).isEqualTo(user);
        assertThat(parts.password().reveal()).isEqualTo(password);
        assertThat(parts.host()).isEqualTo(host);
        assertThat(parts.port()).isEqualTo(port);
        assertThat(parts.database()).isEqualTo(database);
        assertThat(parts.sslMode()).isNull();
        assertThat(parts.warnings()).isEmpty();
    }

    @Property
    void percentEncodedQueryParametersParseBackExactly(
            @ForAll("unicodeText") String user, @ForAll("unicodeText") String password,
            @ForAll("hosts") String host, @ForAll("unicodeText") String database,
            @ForAll("unicodeText") String applicationName, @ForAll("unicodeText") String options) {
        String url = "postgresql:///?host=" + encode(host) + "&dbname=" + encode(database) + "&user=" + encode(user)
                + "&password=" + encode(password) + "&application_name=" + encode(applicationName)
                + "&options=" + encode(options);

        DatabaseUrl.Parts parts = DatabaseUrl.parse(url, "DATABASE_URL");

        assertThat(parts.host()).isEqualTo(host);
        assertThat(parts.database()).isEqualTo(database);
        assertThat(parts.user()).isEqualTo(user);
        assertThat(parts.password().reveal()).isEqualTo(password);
        assertThat(parts.parameters())
                .containsOnly(Map.entry("application_name", applicationName), Map.entry("options", options));
    }

    @Provide
    Arbitrary<String> postgresSchemes() {
        return Arbitraries.of("postgres://", "postgresql://", "postgresql+asyncpg://", "postgresql+psycopg2://",
                "jdbc:postgresql://");
    }

    /** Any Unicode text: ASCII (URL delimiters included), control characters, BMP and supplementary planes. */
    @Provide
    Arbitrary<String> unicodeText() {
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(0x20, 0x7E)),
                Tuple.of(1, Arbitraries.integers().between(0x00, 0x1F)),
                Tuple.of(2, Arbitraries.integers().between(0x80, Character.MIN_SURROGATE - 1)),
                Tuple.of(1, Arbitraries.integers().between(Character.MAX_SURROGATE + 1, Character.MAX_CODE_POINT)));
        return codePoint.list().ofMinSize(1).ofMaxSize(16).map(cps -> {
            StringBuilder sb = new StringBuilder();
            cps.forEach(sb::appendCodePoint);
            return sb.toString();
        });
    }

    @Provide
    Arbitrary<String> hosts() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z')
                .numeric().withChars("-._").ofMinLength(1).ofMaxLength(30);
        Arbitrary<String> group = Arbitraries.strings().withChars("0123456789abcdefABCDEF")
                .ofMinLength(1).ofMaxLength(4);
        Arbitrary<String> fullIpv6 = group.list().ofSize(8).map(g -> String.join(":", g));
        Arbitrary<String> compressedIpv6 = Arbitraries.integers().between(0, 7).flatMap(left ->
                Combinators.combine(group.list().ofSize(left), group.list().ofMaxSize(7 - left))
                        .as((l, r) -> String.join(":", l) + "::" + String.join(":", r)));
        Arbitrary<String> mappedIpv4 = Arbitraries.integers().between(0, 255).list().ofSize(4)
                .map(octets -> "::ffff:" + octets.stream().map(String::valueOf).collect(Collectors.joining(".")));
        return Arbitraries.frequencyOf(Tuple.of(3, names), Tuple.of(1, fullIpv6), Tuple.of(1, compressedIpv6),
                Tuple.of(1, mappedIpv4));
    }

    @Provide
    Arbitrary<Integer> ports() {
        return Arbitraries.integers().between(1, 65535).injectNull(0.2);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String urlHost(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    // ---- (c) a raw password never shows --------------------------------------------------------

    @Property
    void aRawPasswordNeverAppearsInMessagesOrMaskedUrls(@ForAll("urlsWithRawPassword") Tuple.Tuple2<String, String> t) {
        String password = t.get2();

        assertThat(everythingShownFor(t.get1())).allSatisfy(text -> assertThat(text).doesNotContain(password));
    }

    /**
     * Stricter: no piece of the password shows at all. Its letters are Greek, which nothing else
     * in a URL or a message has, so any Greek letter shown is a piece of the password.
     */
    @Property
    void noPieceOfARawPasswordAppearsInMessagesOrMaskedUrls(
            @ForAll("urlsWithRawGreekPassword") Tuple.Tuple2<String, String> t) {
        assertThat(everythingShownFor(t.get1())).allSatisfy(text -> assertThat(text).doesNotContainPattern("\\p{IsGreek}"));
    }

    /** Every text botdb may show for this DATABASE_URL: masked URL, messages, warnings, toString, describe. */
    private static List<String> everythingShownFor(String url) {
        List<String> shown = new ArrayList<>();
        shown.add(Redaction.maskConnectionUrl(url));
        if (url.contains("://")) { // maskUrl, for any text, knows a URL by its "://"
            shown.add(Redaction.maskUrl(url));
        }
        try {
            DatabaseUrl.Parts parts = DatabaseUrl.parse(url, "DATABASE_URL");
            shown.add(parts.toString());
            shown.addAll(parts.warnings());
        } catch (BotDbException e) {
            shown.add(e.getMessage());
        }
        Map<String, String> env = new HashMap<>(RESOLVER_BASE);
        env.put("DATABASE_URL", url);
        try {
            BotDbConfig config = BotDbConfig.fromEnv(env);
            shown.add(config.toString());
            config.describe().forEach(s -> shown.add(s.name() + " = " + s.value() + " (" + s.source() + ")"));
            shown.add(config.target().displayName());
            config.securityProblem().ifPresent(shown::add);
        } catch (BotDbException e) {
            shown.add(e.getMessage());
        }
        return shown;
    }

    /** A URL with the password written into it unencoded, and that password. */
    @Provide
    Arbitrary<Tuple.Tuple2<String, String>> urlsWithRawPassword() {
        Arbitrary<String> password = Arbitraries.strings()
                .withCharRange('A', 'Z').numeric().withChars(PASSWORD_SPECIALS + "\u00DF\u03A9")
                .ofMinLength(8).ofMaxLength(24)
                // distinctive: enough letters and digits, and not an upper-case word such as PGPASSWORD
                .filter(p -> p.chars().filter(Character::isLetterOrDigit).count() >= 4
                        && !p.chars().allMatch(Character::isUpperCase));
        // "password=ab&sslmode=x": whether "&sslmode=x" is part of the password nobody can tell
        return urlsWith(password, NEXT_PARAMETER);
    }

    @Provide
    Arbitrary<Tuple.Tuple2<String, String>> urlsWithRawGreekPassword() {
        Arbitrary<String> password = Arbitraries.strings()
                .withCharRange('\u03B1', '\u03C9').withCharRange('\u0391', '\u03A9').numeric()
                .withChars(PASSWORD_SPECIALS).ofMinLength(1).ofMaxLength(20)
                .filter(p -> p.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.GREEK));
        // in a jdbc: or +asyncpg URL any "&x=y" is a parameter, Greek name or not
        return urlsWith(password, Pattern.compile("[&;][^&;=]*="));
    }

    private static final String PASSWORD_SPECIALS = "@/?#:%&=[];! ";

    /**
     * URLs of every form a password can be written into: user info (with the scheme's '//' or
     * with a typo that dropped it), a password parameter, a JDBC URL without host. Passwords in a
     * parameter that contain {@code ambiguous} are left out.
     */
    private static Arbitrary<Tuple.Tuple2<String, String>> urlsWith(Arbitrary<String> password, Pattern ambiguous) {
        Arbitrary<String> scheme = Arbitraries.of("postgres://", "postgresql+asyncpg://", "jdbc:postgresql://",
                "mysql://", "sqlite://", "postgres:", "postgres:/", "postgres//", "");
        Arbitrary<String> hostPort = Arbitraries.of("db.example.com", "db.example.com:5432", "localhost:5433",
                "db:54x2", "db:70000", "[::1]:5432", "[::1", "db1,db2", "%2Ftmp", "", "db!");
        Arbitrary<String> database = Arbitraries.of("mybot", "", "my%zzbot");
        Arbitrary<String> query = Arbitraries.of("", "?sslmode=require", "?sslmode=bogus", "?unknown=1",
                "?connect_timeout=x", "?sslmode", "?port=x", "?application_name=bot");
        Arbitrary<String> form = Arbitraries.of("userinfo", "query", "jdbc-database-only");
        return Combinators.combine(form, scheme, password, hostPort, database, query)
                .filter((f, s, pw, hp, db, q) -> f.equals("userinfo") || !ambiguous.matcher(pw).find())
                .as((f, s, pw, hp, db, q) -> {
                    String url = switch (f) {
                        case "userinfo" -> s + "bot:" + pw + "@" + hp + "/" + db + q;
                        case "query" -> s + hp + "/" + db + "?user=bot&password=" + pw
                                + (q.isEmpty() ? "" : "&" + q.substring(1));
                        default -> "jdbc:postgresql:" + db + "?password=" + pw
                                + (q.isEmpty() ? "" : "&" + q.substring(1));
                    };
                    return Tuple.of(url, pw);
                });
    }
}
