package dev.botdb.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.botdb.TestPostgres;
import dev.botdb.config.PostgresTarget;
import dev.botdb.config.Secret;
import dev.botdb.config.SslMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bot whose role is named {@code user} (a reserved word): every GRANT / ALTER ROLE line
 * {@code botdb inspect} prints for it must run as pasted.
 */
class InspectFixLinesTest {
    private static final Pattern FIX = Pattern.compile("(GRANT [^;]+;|ALTER ROLE [^;]+;)");

    @TempDir
    Path dir;

    @Test
    void everyFixLineForARoleNamedUserRunsOnTheServer() throws Exception {
        TestPostgres.exec("DROP DATABASE IF EXISTS keyword_db", "DROP ROLE IF EXISTS \"user\"",
                "CREATE ROLE \"user\" LOGIN PASSWORD 'Us3r-pass'", "CREATE DATABASE keyword_db");
        try (Connection c = TestPostgres.superuser("keyword_db"); Statement st = c.createStatement()) {
            st.execute("GRANT CONNECT, TEMP ON DATABASE keyword_db TO \"user\"");
            st.execute("CREATE SEQUENCE owners_only_seq"); // the bot cannot read how far it is
        }
        List<String> fixes = new ArrayList<>();
        try (Connection other = TestPostgres.superuser("keyword_db"); Statement busy = other.createStatement()) {
            busy.execute("SELECT 1"); // a superuser's session: its query is hidden from "user"
            PostgresTarget asUser = new PostgresTarget("localhost", TestPostgres.port(), "keyword_db", "user",
                    Secret.of("Us3r-pass"), SslMode.DISABLE, Map.of(), Map.of(), Map.of());
            InspectReport report = Inspector.of(asUser).run(InspectOptions.builder()
                    .historyFile(dir.resolve("history.json")).build());
            for (CheckResult check : report.checks()) {
                for (String note : check.notes()) {
                    Matcher m = FIX.matcher(note);
                    while (m.find()) {
                        fixes.add(m.group(1));
                    }
                }
            }
        }

        assertThat(fixes).as("fix lines that name the role").filteredOn(f -> f.contains("user"))
                .contains("GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO \"user\";")
                .anyMatch(f -> f.startsWith("GRANT pg_read_all_stats TO \"user\"") || f.startsWith("GRANT pg_monitor TO \"user\""));
        try (Connection c = TestPostgres.superuser("keyword_db"); Statement st = c.createStatement()) {
            for (String fix : fixes) {
                st.execute(fix);
            }
        }
    }
}
