package dev.botdb.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import dev.botdb.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PostgreSQL's and SQLite's identifier quoting, and reading qualified names as users type them. */
class QualifiedNameTest {
    @Test
    void quotesWhereverTheServersQuoteIdentQuotes() throws Exception {
        List<String> names = new ArrayList<>(List.of("users", "Users", "user", "select", "from", "order", "my table",
                "with\"quote", "_ok", "ok_1", "1st", "naïve", "a$b", "json_table", "name", "text", "timestamp", "User", "Bot \"x\"", "用户", "bøt", "ß", "A", "_", "x1$", ""));
        try (Connection c = TestPostgres.superuser("postgres")) {
            try (PreparedStatement ps = c.prepareStatement("SELECT word FROM pg_get_keywords()");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            names.remove("");
            for (String name : names) {
                try (PreparedStatement ps = c.prepareStatement("SELECT quote_ident(?)")) {
                    ps.setString(1, name);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        String server = rs.getString(1);
                        if (server.equals(name)) {
                            // a keyword only of a newer major (json_table on 15) is quoted anyway, which is harmless
                            assertThat(Dialect.POSTGRESQL.quote(name)).as(name).isIn(name, '"' + name + '"');
                        } else {
                            assertThat(Dialect.POSTGRESQL.quote(name)).as(name).isEqualTo(server);
                        }
                    }
                }
            }
        }
    }

    @Test
    void everyQuotedNameIsUsableOnTheServerAsARoleAndATable() throws Exception {
        List<String> names = List.of("user", "User", "select", "Bot \"x\"", "用户", "my table", "1st", "a$b", "order");
        try (Connection c = TestPostgres.superuser("postgres"); Statement st = c.createStatement()) {
            for (String name : names) {
                String q = Dialect.POSTGRESQL.quote(name);
                st.execute("CREATE ROLE " + q);
                st.execute("CREATE TABLE " + q + " (" + q + " int)");
                try (ResultSet rs = st.executeQuery("SELECT rolname FROM pg_roles WHERE rolname = "
                        + "'" + name.replace("'", "''") + "'")) {
                    assertThat(rs.next()).as(q).isTrue();
                }
                st.execute("GRANT SELECT ON " + q + " TO " + q);
                st.execute("DROP TABLE " + q);
                st.execute("DROP ROLE " + q);
            }
        }
    }

    @Test
    void anEmptyNameCannotBeQuotedInEitherDialect() {
        for (Dialect d : Dialect.values()) {
            assertThatThrownBy(() -> d.quote("")).as(d.name()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot be empty");
            assertThatThrownBy(() -> d.quote(null)).as(d.name()).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void sqliteQuotesEveryNameAndEachWorksInARealFile(@TempDir Path dir) throws Exception {
        List<String> names = List.of("select", "user", "Order", "my \"quoted\" table", "用户", "1st", "group");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("bot.db"));
             Statement st = c.createStatement()) {
            for (String name : names) {
                String q = Dialect.SQLITE.quote(name);
                assertThat(q).startsWith("\"").endsWith("\"");
                st.execute("CREATE TABLE " + q + " (" + q + " INTEGER)");
                st.execute("INSERT INTO " + q + " (" + q + ") VALUES (7)");
                try (ResultSet rs = st.executeQuery("SELECT " + q + " FROM " + q)) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).as(q).isEqualTo(7);
                }
                try (ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '"
                        + name.replace("'", "''") + "'")) {
                    assertThat(rs.next()).as(q).isTrue();
                }
            }
        }
    }

    @Test
    void readsPlainQualifiedAndQuotedNames() {
        assertThat(QualifiedName.parse("messages")).isEqualTo(new QualifiedName(null, "messages"));
        assertThat(QualifiedName.parse("analytics.cache")).isEqualTo(new QualifiedName("analytics", "cache"));
        assertThat(QualifiedName.parse("\"Bot Data\".\"Order\"")).isEqualTo(new QualifiedName("Bot Data", "Order"));
        assertThat(QualifiedName.parse("\"a.b\".\"say \"\"hi\"\"\"")).isEqualTo(new QualifiedName("a.b", "say \"hi\""));
        assertThat(new QualifiedName("Bot Data", "select").sql()).isEqualTo("\"Bot Data\".\"select\"");
        assertThat(new QualifiedName("public", "users").toString()).isEqualTo("public.users");
    }

    @Test
    void refusesWhatIsNotATableName() {
        for (String bad : List.of("", "a.b.c", "\"open", "a.", ".b")) {
            assertThatThrownBy(() -> QualifiedName.parse(bad)).as(bad)
                    .isInstanceOf(BotDbException.class)
                    .hasMessageContaining("schema.table");
        }
    }
}
