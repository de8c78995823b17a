package dev.botdb.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PgPassTest {

    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    private Path passFile(String perms, String... lines) throws IOException {
        Path file = dir.resolve("pgpass");
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
        return file;
    }

    private Optional<PgPass.Match> lookup(Path file, String host, int port, String database, String user) {
        return PgPass.lookup(file, "pgpass", host, port, database, user, warnings);
    }

    private String passwordFor(Path file, String host, int port, String database, String user) {
        return lookup(file, host, port, database, user).map(m -> m.password().reveal()).orElse(null);
    }

    @Test
    void findsTheLineMatchingAllFourFields() throws IOException {
        Path file = passFile("rw-------",
                "db.example.com:5432:mybot:bot:right",
                "other.example.com:5432:mybot:bot:wrong-host");

        Optional<PgPass.Match> match = lookup(file, "db.example.com", 5432, "mybot", "bot");

        assertThat(match).isPresent();
        assertThat(match.get().password().reveal()).isEqualTo("right");
        assertThat(match.get().source()).isEqualTo("pgpass line 1");
        assertThat(warnings).isEmpty();
    }

    @Test
    void doesNotMatchWhenAnyFieldDiffers() throws IOException {
        Path file = passFile("rw-------",
                "other:5432:mybot:bot:x",
                "db:5433:mybot:bot:x",
                "db:5432:otherdb:bot:x",
                "db:5432:mybot:otheruser:x");

        assertThat(lookup(file, "db", 5432, "mybot", "bot")).isEmpty();
    }

    @Test
    void matchesAnythingWithAStarInEveryField() throws IOException {
        Path file = passFile("rw-------", "*:*:*:*:everywhere");

        assertThat(passwordFor(file, "db.example.com", 6543, "any", "someone")).isEqualTo("everywhere");
    }

    @Test
    void matchesAStarInOneFieldOnly() throws IOException {
        Path file = passFile("rw-------", "db:*:mybot:bot:anyport");

        assertThat(passwordFor(file, "db", 6543, "mybot", "bot")).isEqualTo("anyport");
        assertThat(passwordFor(file, "other", 6543, "mybot", "bot")).isNull();
    }

    @Test
    void treatsAnEscapedStarAsALiteralStarAsLibpqDoes() throws IOException {
        Path file = passFile("rw-------", "db:5432:\\*:bot:literal");

        assertThat(passwordFor(file, "db", 5432, "mybot", "bot")).isNull();
        assertThat(passwordFor(file, "db", 5432, "*", "bot")).isEqualTo("literal");
    }

    @Test
    void treatsAStarInsideAFieldLiterally() throws IOException {
        Path file = passFile("rw-------", "db:5432:my*:bot:x");

        assertThat(passwordFor(file, "db", 5432, "mybot", "bot")).isNull();
        assertThat(passwordFor(file, "db", 5432, "my*", "bot")).isEqualTo("x");
    }

    @Test
    void unescapesColonAndBackslashInThePassword() throws IOException {
        Path file = passFile("rw-------", "db:5432:mybot:bot:pa\\:ss\\\\word");

        assertThat(passwordFor(file, "db", 5432, "mybot", "bot")).isEqualTo("pa:ss\\word");
    }

    @Test
    void unescapesColonInAHostField() throws IOException {
        Path file = passFile("rw-------", "\\:\\:1:5432:mybot:bot:ipv6");

        assertThat(passwordFor(file, "::1", 5432, "mybot", "bot")).isEqualTo("ipv6");
    }

    @Test
    void unescapesBackslashInAUserField() throws IOException {
        Path file = passFile("rw-------", "db:5432:mybot:DOMAIN\\\\bot:domain");

        assertThat(passwordFor(file, "db", 5432, "mybot", "DOMAIN\\bot")).isEqualTo("domain");
    }

    @Test
    void endsThePasswordAtTheNextUnescapedColon() throws IOException {
        Path file = passFile("rw-------", "db:5432:mybot:bot:first:second");

        assertThat(passwordFor(file, "db", 5432, "mybot", "bot")).isEqualTo("first");
    }

    @Test
    void keepsATrailingBackslash() throws IOException {
        Path file = passFile("rw-------", "db:5432:mybot:bot:pw\\");

        assertThat(passwordFor(file, "db", 5432, "mybot", "bot")).isEqualTo("pw\\");
    }

    @Test
    void firstMatchingLineWins() throws IOException {
        Path file = passFile("rw-------",
                "other:5432:mybot:bot:not-this",
                "db:5432:mybot:bot:specific",
                "*:*:*:*:fallback");

        Optional<PgPass.Match> match = lookup(file, "db", 5432, "mybot", "bot");

        assertThat(match.map(m -> m.password().reveal())).contains("specific");
        assertThat(match.map(PgPass.Match::source)).contains("pgpass line 2");
    }

    @Test
    void aWildcardLineBeforeASpecificLineWins() throws IOException {
        Path file = passFile("rw-------", "*:*:*:*:fallback", "db:5432:mybot:bot:specific");

        assertThat(passwordFor(file, "db", 5432, "mybot", "bot")).isEqualTo("fallback");
    }

    @Test
    void skipsCommentsAndBlankLines() throws IOException {
        Path file = passFile("rw-------",
                "# db:5432:mybot:bot:commented",
                "#db:5432:mybot:bot:commented-too",
                "",
                "   ",
                "db:5432:mybot:bot:real");

        Optional<PgPass.Match> match = lookup(file, "#db", 5432, "mybot", "bot");
        assertThat(match).isEmpty();
        assertThat(lookup(file, "db", 5432, "mybot", "bot").map(PgPass.Match::source)).contains("pgpass line 5");
    }

    @Test
    void skipsLinesWithFewerThanFiveFields() throws IOException {
        Path file = passFile("rw-------", "db:5432:mybot:bot", "*:*:*:*:ok");

        assertThat(lookup(file, "db", 5432, "mybot", "bot").map(PgPass.Match::source)).contains("pgpass line 2");
    }

    @Test
    void acceptsAnEmptyPasswordField() throws IOException {
        Path file = passFile("rw-------", "db:5432:mybot:bot:");

        assertThat(passwordFor(file, "db", 5432, "mybot", "bot")).isEmpty();
    }

    @Test
    void readsAFileWithWindowsLineEndings() throws IOException {
        Path file = dir.resolve("crlf");
        Files.writeString(file, "other:5432:mybot:bot:x\r\ndb:5432:mybot:bot:crlf\r\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        assertThat(passwordFor(file, "db", 5432, "mybot", "bot")).isEqualTo("crlf");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rw-r-----", "rw----r--", "rw-rw-rw-", "rw---x---", "rw-----w-"})
    void ignoresAFileThatGroupOrOthersCanAccessWithAWarning(String perms) throws IOException {
        Path file = passFile(perms, "*:*:*:*:exposed");

        assertThat(lookup(file, "db", 5432, "mybot", "bot")).isEmpty();
        assertThat(warnings).singleElement().asString()
                .contains("pgpass")
                .contains("group or world")
                .contains("chmod 0600 pgpass")
                .doesNotContain("exposed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rw-------", "r--------"})
    void readsAFileOnlyTheOwnerCanAccess(String perms) throws IOException {
        Path file = passFile(perms, "*:*:*:*:private");

        assertThat(passwordFor(file, "db", 5432, "mybot", "bot")).isEqualTo("private");
        assertThat(warnings).isEmpty();
    }

    @Test
    void aMissingFileGivesNoPasswordAndNoWarning() {
        assertThat(lookup(dir.resolve("does-not-exist"), "db", 5432, "mybot", "bot")).isEmpty();
        assertThat(warnings).isEmpty();
    }

    @Test
    void aDirectoryIsNotAPasswordFile() {
        assertThat(lookup(dir, "db", 5432, "mybot", "bot")).isEmpty();
        assertThat(warnings).isEmpty();
    }

    @Test
    void warnsWhenTheFileIsNotUtf8() throws IOException {
        Path file = dir.resolve("latin1");
        Files.write(file, new byte[] {'*', ':', '*', ':', '*', ':', '*', ':', 'p', (byte) 0xE9, '\n'});
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        assertThat(lookup(file, "db", 5432, "mybot", "bot")).isEmpty();
        assertThat(warnings).singleElement().asString().contains("could not be read");
    }

    @Test
    void matchToStringDoesNotShowThePassword() throws IOException {
        Path file = passFile("rw-------", "*:*:*:*:Zx9secretQ");

        assertThat(lookup(file, "db", 5432, "mybot", "bot").orElseThrow().toString()).doesNotContain("Zx9secretQ");
    }
}
