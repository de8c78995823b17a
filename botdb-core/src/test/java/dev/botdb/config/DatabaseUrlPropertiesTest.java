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
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Randomized property tests of {@link DatabaseUrl} and of what botdb shows for a {@code DATABASE_URL}.
 * Each property runs a few thousand generated cases from a fixed base seed, so a run is repeatable;
 * a failure names the property, the case index, the seeds and the generated input. Another base
 * seed can be tried with {@code -Dbotdb.properties.seed=<long>}.
 */
class DatabaseUrlPropertiesTest {

    /** Cases per property; together they run in a few seconds. */
    private static final int CASES = 3000;

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

    private static final List<String> POSTGRES_SCHEMES = List.of(
            "postgres://", "postgresql://", "postgresql+asyncpg://", "postgresql+psycopg2://", "jdbc:postgresql://");

    /** What starts another parameter after a password parameter's value. */
    private static final Pattern NEXT_PARAMETER = Pattern.compile("[&;\\s]\\s*[A-Za-z_][A-Za-z0-9_.\\-]*\\s*=");

    private static final Map<String, String> RESOLVER_BASE = Map.of(
            "HOME", "/nonexistent/botdb-properties-home",
            "PGPASSFILE", "/nonexistent/botdb-properties-pgpass",
            "USER", "bot");

    // ---- (a) parse returns or throws CONFIG_INVALID, nothing else ---------------------------

    @Test
    void parseOfAnyStringReturnsOrThrowsConfigInvalid() {
        forAll(0x5EED_0001L, DatabaseUrlPropertiesTest::anyInput, url -> "url " + show(url), url -> {
            try {
                DatabaseUrl.Parts parts = DatabaseUrl.parse(url, "DATABASE_URL");
                assertThat(parts.engine()).isNotNull();
                assertThat(parts.warnings()).isNotNull();
            } catch (BotDbException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
                assertThat(e.getMessage()).contains("DATABASE_URL");
            }
        });
    }

    /** Any text, ASCII noise, or (most often) a URL prefix followed by URL-ish characters or tokens. */
    private static String anyInput(SplittableRandom r) {
        return switch (weighted(r, 1, 1, 4)) {
            case 0 -> chars(r, 0, 80, () -> (char) r.nextInt(Character.MAX_VALUE + 1));
            case 1 -> chars(r, 0, 60, () -> (char) r.nextInt(128));
            default -> oneOf(r, URL_PREFIXES) + (weighted(r, 1, 2) == 0
                    ? chars(r, 0, 50, "abcdef0123456789%@:/[]?&=#,.xz \u0664\uFF14")
                    : tokens(r, 14));
        };
    }

    private static String tokens(SplittableRandom r, int maxCount) {
        StringBuilder sb = new StringBuilder();
        for (int n = r.nextInt(maxCount + 1); n > 0; n--) {
            sb.append(oneOf(r, URL_TOKENS));
        }
        return sb.toString();
    }

    // ---- (b) percent-encoded parts come back exactly ----------------------------------------

    record UrlParts(String scheme, String user, String password, String host, Integer port, String database) {
        String url() {
            return scheme + encode(user) + ":" + encode(password) + "@" + urlHost(host)
                    + (port == null ? "" : ":" + port) + "/" + encode(database);
        }

        @Override
        public String toString() {
            return "url " + show(url()) + "\n  user " + show(user) + ", password " + show(password) + ", host "
                    + show(host) + ", port " + port + ", database " + show(database);
        }
    }

    @Test
    void percentEncodedUserPasswordHostPortAndDatabaseParseBackExactly() {
        forAll(0x5EED_0002L,
                r -> new UrlParts(oneOf(r, POSTGRES_SCHEMES), unicodeText(r), unicodeText(r), host(r), port(r),
                        unicodeText(r)),
                UrlParts::toString,
                u -> {
                    DatabaseUrl.Parts parts = DatabaseUrl.parse(u.url(), "DATABASE_URL");

                    assertThat(parts.engine()).isEqualTo(Engine.POSTGRESQL);
                    assertThat(parts.user()).isEqualTo(u.user());
                    assertThat(parts.password().reveal()).isEqualTo(u.password());
                    assertThat(parts.host()).isEqualTo(u.host());
                    assertThat(parts.port()).isEqualTo(u.port());
                    assertThat(parts.database()).isEqualTo(u.database());
                    assertThat(parts.sslMode()).isNull();
                    assertThat(parts.warnings()).isEmpty();
                });
    }

    record QueryParts(String user, String password, String host, String database, String applicationName,
                      String options) {
        String url() {
            return "postgresql:///?host=" + encode(host) + "&dbname=" + encode(database) + "&user=" + encode(user)
                    + "&password=" + encode(password) + "&application_name=" + encode(applicationName)
                    + "&options=" + encode(options);
        }

        @Override
        public String toString() {
            return "url " + show(url()) + "\n  user " + show(user) + ", password " + show(password) + ", host "
                    + show(host) + ", database " + show(database) + ", application_name " + show(applicationName)
                    + ", options " + show(options);
        }
    }

    @Test
    void percentEncodedQueryParametersParseBackExactly() {
        forAll(0x5EED_0003L,
                r -> new QueryParts(unicodeText(r), unicodeText(r), host(r), unicodeText(r), unicodeText(r),
                        unicodeText(r)),
                QueryParts::toString,
                q -> {
                    DatabaseUrl.Parts parts = DatabaseUrl.parse(q.url(), "DATABASE_URL");

                    assertThat(parts.host()).isEqualTo(q.host());
                    assertThat(parts.database()).isEqualTo(q.database());
                    assertThat(parts.user()).isEqualTo(q.user());
                    assertThat(parts.password().reveal()).isEqualTo(q.password());
                    assertThat(parts.parameters()).containsOnly(
                            Map.entry("application_name", q.applicationName()), Map.entry("options", q.options()));
                });
    }

    /**
     * Any Unicode text of 1 to 16 code points: ASCII (URL delimiters included), control
     * characters, the rest of the BMP and the supplementary planes; never a lone surrogate.
     */
    private static String unicodeText(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        for (int n = 1 + r.nextInt(16); n > 0; n--) {
            sb.appendCodePoint(switch (weighted(r, 4, 1, 2, 1)) {
                case 0 -> between(r, 0x20, 0x7E);
                case 1 -> between(r, 0x00, 0x1F);
                case 2 -> between(r, 0x80, Character.MIN_SURROGATE - 1);
                default -> between(r, Character.MAX_SURROGATE + 1, Character.MAX_CODE_POINT);
            });
        }
        return sb.toString();
    }

    /** A host name, or an IPv6 address in full, compressed or IPv4-mapped form. */
    private static String host(SplittableRandom r) {
        String hex = "0123456789abcdefABCDEF";
        return switch (weighted(r, 3, 1, 1, 1)) {
            case 0 -> chars(r, 1, 30, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._");
            case 1 -> String.join(":", list(r, 8, 8, () -> chars(r, 1, 4, hex)));
            case 2 -> {
                int left = r.nextInt(8);
                yield String.join(":", list(r, left, left, () -> chars(r, 1, 4, hex))) + "::"
                        + String.join(":", list(r, 0, 7 - left, () -> chars(r, 1, 4, hex)));
            }
            default -> "::ffff:" + String.join(".", list(r, 4, 4, () -> Integer.toString(r.nextInt(256))));
        };
    }

    /** A TCP port, or (one time in five) none. */
    private static Integer port(SplittableRandom r) {
        return r.nextInt(5) == 0 ? null : between(r, 1, 65535);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String urlHost(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    // ---- (c) a raw password never shows --------------------------------------------------------

    /** A URL with a password written into it unencoded, and that password. */
    record UrlWithPassword(String url, String password) {
        @Override
        public String toString() {
            return "url " + show(url) + "\n  password " + show(password);
        }
    }

    @Test
    void aRawPasswordNeverAppearsInMessagesOrMaskedUrls() {
        forAll(0x5EED_0004L, DatabaseUrlPropertiesTest::urlWithRawPassword, UrlWithPassword::toString,
                t -> assertThat(everythingShownFor(t.url()))
                        .allSatisfy(text -> assertThat(text).doesNotContain(t.password())));
    }

    /**
     * Stricter: no piece of the password shows at all. Its letters are Greek, which nothing else
     * in a URL or a message has, so any Greek letter shown is a piece of the password.
     */
    @Test
    void noPieceOfARawPasswordAppearsInMessagesOrMaskedUrls() {
        forAll(0x5EED_0005L, DatabaseUrlPropertiesTest::urlWithRawGreekPassword, UrlWithPassword::toString,
                t -> assertThat(everythingShownFor(t.url()))
                        .allSatisfy(text -> assertThat(text).doesNotContainPattern("\\p{IsGreek}")));
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

    private static final String PASSWORD_SPECIALS = "@/?#:%&=[];! ";

    private static UrlWithPassword urlWithRawPassword(SplittableRandom r) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + PASSWORD_SPECIALS + "\u00DF\u03A9";
        // distinctive: enough letters and digits, and not an upper-case word such as PGPASSWORD
        Function<SplittableRandom, String> password = rr -> generateUntil(rr, x -> chars(x, 8, 24, alphabet),
                p -> p.chars().filter(Character::isLetterOrDigit).count() >= 4
                        && !p.chars().allMatch(Character::isUpperCase));
        // "password=ab&sslmode=x": whether "&sslmode=x" is part of the password nobody can tell
        return urlWith(r, password, NEXT_PARAMETER);
    }

    private static UrlWithPassword urlWithRawGreekPassword(SplittableRandom r) {
        StringBuilder alphabet = new StringBuilder();
        for (char c = '\u03B1'; c <= '\u03C9'; c++) {
            alphabet.append(c);
        }
        for (char c = '\u0391'; c <= '\u03A9'; c++) {
            alphabet.append(c);
        }
        alphabet.append("0123456789").append(PASSWORD_SPECIALS);
        Function<SplittableRandom, String> password = rr -> generateUntil(rr, x -> chars(x, 1, 20, alphabet.toString()),
                p -> p.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.GREEK));
        // in a jdbc: or +asyncpg URL any "&x=y" is a parameter, Greek name or not
        return urlWith(r, password, Pattern.compile("[&;][^&;=]*="));
    }

    /**
     * URLs of every form a password can be written into: user info (with the scheme's '//' or
     * with a typo that dropped it), a password parameter, a JDBC URL without host. Passwords in a
     * parameter that contain {@code ambiguous} are left out.
     */
    private static UrlWithPassword urlWith(SplittableRandom r, Function<SplittableRandom, String> passwords,
                                           Pattern ambiguous) {
        while (true) {
            String form = oneOf(r, List.of("userinfo", "query", "jdbc-database-only"));
            String scheme = oneOf(r, List.of("postgres://", "postgresql+asyncpg://", "jdbc:postgresql://",
                    "mysql://", "sqlite://", "postgres:", "postgres:/", "postgres//", ""));
            String pw = passwords.apply(r);
            String hp = oneOf(r, List.of("db.example.com", "db.example.com:5432", "localhost:5433",
                    "db:54x2", "db:70000", "[::1]:5432", "[::1", "db1,db2", "%2Ftmp", "", "db!"));
            String db = oneOf(r, List.of("mybot", "", "my%zzbot"));
            String q = oneOf(r, List.of("", "?sslmode=require", "?sslmode=bogus", "?unknown=1",
                    "?connect_timeout=x", "?sslmode", "?port=x", "?application_name=bot"));
            if (!form.equals("userinfo") && ambiguous.matcher(pw).find()) {
                continue;
            }
            String url = switch (form) {
                case "userinfo" -> scheme + "bot:" + pw + "@" + hp + "/" + db + q;
                case "query" -> scheme + hp + "/" + db + "?user=bot&password=" + pw
                        + (q.isEmpty() ? "" : "&" + q.substring(1));
                default -> "jdbc:postgresql:" + db + "?password=" + pw
                        + (q.isEmpty() ? "" : "&" + q.substring(1));
            };
            return new UrlWithPassword(url, pw);
        }
    }

    // ---- the runner and small generators --------------------------------------------------------

    /**
     * Checks {@code property} for {@link #CASES} inputs. Case {@code i} draws from its own
     * generator seeded from the base seed and {@code i}, so any one case can be replayed alone.
     * Any assertion error or unexpected exception is reported with the case and its input.
     */
    private static <T> void forAll(long defaultBaseSeed, Function<SplittableRandom, T> generator,
                                   Function<T, String> describe, Consumer<T> property) {
        long baseSeed = Long.getLong("botdb.properties.seed", defaultBaseSeed);
        for (int i = 0; i < CASES; i++) {
            long caseSeed = caseSeed(baseSeed, i);
            T input = generator.apply(new SplittableRandom(caseSeed));
            try {
                property.accept(input);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("Property failed at case " + i + " of " + CASES + " (base seed " + baseSeed
                        + ", case seed " + caseSeed + "; rerun with -Dbotdb.properties.seed=" + baseSeed + ")"
                        + "\n  input: " + describe.apply(input) + "\n  failure: " + e, e);
            }
        }
    }

    private static long caseSeed(long baseSeed, int caseIndex) {
        return new SplittableRandom(baseSeed + 0x9E3779B97F4A7C15L * caseIndex).nextLong();
    }

    /** The index of a choice, drawn with the given weights. */
    private static int weighted(SplittableRandom r, int... weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int pick = r.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            pick -= weights[i];
            if (pick < 0) {
                return i;
            }
        }
        throw new IllegalStateException();
    }

    private static <T> T oneOf(SplittableRandom r, List<T> choices) {
        return choices.get(r.nextInt(choices.size()));
    }

    private static int between(SplittableRandom r, int min, int max) {
        return r.nextInt(min, max + 1);
    }

    private static String chars(SplittableRandom r, int minLength, int maxLength, String alphabet) {
        return chars(r, minLength, maxLength, () -> alphabet.charAt(r.nextInt(alphabet.length())));
    }

    private static String chars(SplittableRandom r, int minLength, int maxLength,
                                Supplier<Character> next) {
        StringBuilder sb = new StringBuilder();
        for (int n = between(r, minLength, maxLength); n > 0; n--) {
            sb.append((char) next.get());
        }
        return sb.toString();
    }

    private static List<String> list(SplittableRandom r, int minSize, int maxSize,
                                     Supplier<String> next) {
        List<String> list = new ArrayList<>();
        for (int n = between(r, minSize, maxSize); n > 0; n--) {
            list.add(next.get());
        }
        return list;
    }

    private static String generateUntil(SplittableRandom r, Function<SplittableRandom, String> generator,
                                        Predicate<String> accept) {
        while (true) {
            String s = generator.apply(r);
            if (accept.test(s)) {
                return s;
            }
        }
    }

    /** A Java-literal-like rendering: printable ASCII as is, everything else as a backslash-u escape. */
    private static String show(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7F) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04X", (int) c));
            }
        }
        return sb.append('"').toString();
    }
}
