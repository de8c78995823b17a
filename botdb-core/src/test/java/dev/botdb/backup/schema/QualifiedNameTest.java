package dev.botdb.backup.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.BotDbException;
import dev.botdb.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QualifiedNameTest {
    @Test
    void quotesWhereverTheServersQuoteIdentQuotes() throws Exception {
        List<String> names = new ArrayList<>(List.of("users", "Users", "user", "select", "from", "order", "my table",
                "with\"quote", "_ok", "ok_1", "1st", "naïve", "a$b", "json_table", "name", "text", "timestamp", ""));
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
                            assertThat(QualifiedName.quote(name)).as(name).isIn(name, '"' + name + '"');
                        } else {
                            assertThat(QualifiedName.quote(name)).as(name).isEqualTo(server);
                        }
                    }
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
