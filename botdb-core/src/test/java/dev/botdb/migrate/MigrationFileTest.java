package dev.botdb.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The stored checksum: line endings and trailing blanks are not changes, and the fast ASCII form equals the general one. */
class MigrationFileTest {

    @Test
    void lineEndingsAndTrailingBlanksDoNotChangeTheChecksum() {
        String lf = "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n";
        assertThat(MigrationFile.normalizedChecksum("CREATE TABLE a (id int);  \r\nINSERT INTO a VALUES (1);\t\r\n\r\n"))
                .isEqualTo(MigrationFile.normalizedChecksum(lf));
        assertThat(MigrationFile.normalizedChecksum("CREATE TABLE a (id int);\rINSERT INTO a VALUES (1);"))
                .isEqualTo(MigrationFile.normalizedChecksum(lf));
        assertThat(MigrationFile.normalizedChecksum("CREATE TABLE a (id int);\nINSERT INTO a VALUES (2);\n"))
                .isNotEqualTo(MigrationFile.normalizedChecksum(lf));
        assertThat(MigrationFile.normalizedChecksum(" CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n"))
                .as("leading blanks are content").isNotEqualTo(MigrationFile.normalizedChecksum(lf));
    }

    @Test
    void theAsciiFormEqualsTheGeneralFormOnRandomText() {
        String alphabet = "ab;'\n\r\t \u000B\f\u001C\u001D\u001E\u001F\u0000\u007F-";
        Random random = new Random(20261122);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int length = random.nextInt(40);
            for (int k = 0; k < length; k++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String text = sb.toString();
            assertThat(MigrationFile.asciiChecksum(text)).as("%s", text.replace("\r", "\\r").replace("\n", "\\n"))
                    .isEqualTo(MigrationFile.charsChecksum(text));
        }
    }

    @Test
    void nonAsciiTextUsesTheGeneralForm() {
        String text = "INSERT INTO greetings VALUES ('привет');\u3000\n"; // an ideographic space is trailing whitespace too
        assertThat(MigrationFile.normalizedChecksum(text)).isEqualTo(MigrationFile.charsChecksum(text))
                .isEqualTo(MigrationFile.charsChecksum("INSERT INTO greetings VALUES ('привет');"));
    }

    @Test
    void theChecksumIsComputedOnceAndStaysTheSame() {
        MigrationFile file = MigrationFiles.parse("001_a.sql", "SELECT 1;\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(file.checksum()).isSameAs(file.checksum()).isEqualTo(MigrationFile.charsChecksum("SELECT 1;"));
    }

    @Test
    void theQuickNameParserAgreesWithThePatterns() {
        String alphabet = "0123456789_-.Vvx";
        Random random = new Random(42);
        int parsedQuickly = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder sb = new StringBuilder();
            int length = 1 + random.nextInt(12);
            for (int k = 0; k < length; k++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String stem = sb.toString();
            java.util.List<java.math.BigInteger> quick = MigrationFiles.leadingNumber(stem);
            if (quick != null) {
                parsedQuickly++;
                assertThat(quick).as(stem).isEqualTo(MigrationFiles.patternOrder(stem));
            }
        }
        assertThat(parsedQuickly).as("the quick parser took some of the names").isGreaterThan(5_000);
        assertThat(MigrationFiles.leadingNumber("20250805200527_initial")).containsExactly(new java.math.BigInteger("20250805200527"));
        assertThat(MigrationFiles.leadingNumber("123456789012345678901234_x"))
                .containsExactly(new java.math.BigInteger("123456789012345678901234"));
        assertThat(MigrationFiles.leadingNumber("V3__x")).isNull();
    }
}
