package dev.botdb.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeout;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.TestPostgres;
import dev.botdb.migrate.SqlScript.Statement;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How migration files are split into statements, and what the splitter refuses. */
class SqlScriptTest {
    private static final String FILE = "V1__test.sql";

    private static List<Statement> split(String sql) {
        return SqlScript.parse(sql, FILE).statements();
    }

    private static List<String> sqlOf(String sql) {
        return split(sql).stream().map(Statement::sql).toList();
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> rejects(String sql, String fileName) {
        return assertThatThrownBy(() -> SqlScript.parse(sql, fileName))
                .isInstanceOf(BotDbException.class)
                .satisfies(e -> assertThat(((BotDbException) e).code()).isEqualTo(ErrorCode.MIGRATION_INVALID));
    }

    @Test
    void splitsOnSemicolonsAndGivesEachStatementItsLineAndNumber() {
        assertThat(split("""
                CREATE TABLE a (id int);
                INSERT INTO a VALUES (1); INSERT INTO a VALUES (2);

                SELECT *
                  FROM a;
                """)).containsExactly(
                new Statement("CREATE TABLE a (id int)", 1, 1),
                new Statement("INSERT INTO a VALUES (1)", 2, 2),
                new Statement("INSERT INTO a VALUES (2)", 2, 3),
                new Statement("SELECT *\n  FROM a", 4, 4));
    }

    @Test
    void keepsTheLastStatementWhenTheFileDoesNotEndWithASemicolon() {
        assertThat(split("SELECT 1;\nSELECT 2\n")).containsExactly(
                new Statement("SELECT 1", 1, 1),
                new Statement("SELECT 2", 2, 2));
    }

    @Test
    void skipsEmptyStatementsWithoutCountingThem() {
        assertThat(split(";;\nSELECT 1;;;\n;SELECT 2;")).containsExactly(
                new Statement("SELECT 1", 2, 1),
                new Statement("SELECT 2", 3, 2));
    }

    @Test
    void leavesCommentsBetweenStatementsOutAndTakesTheLineOfTheFirstToken() {
        assertThat(split("""
                -- the users; all of them
                /* created
                   here; */
                CREATE TABLE users (id int); -- trailing; comment
                /* before */ SELECT /* inside; */ 1 -- after
                ;
                """)).containsExactly(
                new Statement("CREATE TABLE users (id int)", 4, 1),
                new Statement("SELECT /* inside; */ 1", 5, 2));
    }

    @Test
    void countsLinesInWindowsLineEndings() {
        assertThat(split("SELECT 1;\r\n\r\n-- c;\r\nSELECT\r\n 2;\r\nSELECT 3")).containsExactly(
                new Statement("SELECT 1", 1, 1),
                new Statement("SELECT\r\n 2", 4, 2),
                new Statement("SELECT 3", 6, 3));
    }

    @Test
    void ignoresAByteOrderMarkAtTheStart() {
        assertThat(split("\uFEFFBEGIN;\nCREATE TABLE a (id int);\nCOMMIT;")).containsExactly(
                new Statement("CREATE TABLE a (id int)", 2, 1));
    }

    @Test
    void semicolonInASingleQuotedStringWithDoubledQuotesDoesNotSplit() {
        assertThat(split("INSERT INTO t VALUES ('it''s; fine', ';');\nSELECT '';\nSELECT ''''")).containsExactly(
                new Statement("INSERT INTO t VALUES ('it''s; fine', ';')", 1, 1),
                new Statement("SELECT ''", 2, 2),
                new Statement("SELECT ''''", 3, 3));
    }

    @Test
    void backslashInAPlainStringIsLiteralAsWithStandardConformingStrings() {
        assertThat(sqlOf("SELECT 'C:\\'; SELECT 'a\\'';'")).containsExactly(
                "SELECT 'C:\\'",
                "SELECT 'a\\'';'");
    }

    @Test
    void escapeStringsTakeBackslashEscapes() {
        assertThat(split("SELECT E'it\\'s;';\nSELECT e'back\\\\'; SELECT E'a''b;\\n';\nSELECT 3")).containsExactly(
                new Statement("SELECT E'it\\'s;'", 1, 1),
                new Statement("SELECT e'back\\\\'", 2, 2),
                new Statement("SELECT E'a''b;\\n'", 2, 3),
                new Statement("SELECT 3", 3, 4));
    }

    @Test
    void aWordEndingInEBeforeAStringIsNotAnEscapeString() {
        // "note" is an identifier, so '\' is a plain string holding one backslash
        assertThat(sqlOf("SELECT note '\\'; SELECT 2")).containsExactly("SELECT note '\\'", "SELECT 2");
    }

    @Test
    void unicodeStringsAndIdentifiersHideSemicolons() {
        assertThat(sqlOf("SELECT U&'d\\0061t;'; SELECT u&\"a;b\" FROM t; SELECT 3")).containsExactly(
                "SELECT U&'d\\0061t;'",
                "SELECT u&\"a;b\" FROM t",
                "SELECT 3");
    }

    @Test
    void quotedIdentifiersHideSemicolonsAndDoubleTheirQuotes() {
        assertThat(sqlOf("CREATE TABLE \"a;b\" (\"x\"\";\" int); SELECT 1")).containsExactly(
                "CREATE TABLE \"a;b\" (\"x\"\";\" int)",
                "SELECT 1");
    }

    @Test
    void dollarQuotesWithAndWithoutTagHideSemicolons() {
        assertThat(split("""
                CREATE FUNCTION f() RETURNS int AS $$
                  SELECT 1; SELECT 2;
                $$ LANGUAGE sql;
                DO $do$ BEGIN PERFORM 1; END $do$;
                SELECT $x$;$x$
                """)).containsExactly(
                new Statement("CREATE FUNCTION f() RETURNS int AS $$\n  SELECT 1; SELECT 2;\n$$ LANGUAGE sql", 1, 1),
                new Statement("DO $do$ BEGIN PERFORM 1; END $do$", 4, 2),
                new Statement("SELECT $x$;$x$", 5, 3));
    }

    @Test
    void aDollarQuoteEndsOnlyAtItsOwnTag() {
        String fn = """
                CREATE FUNCTION f() RETURNS text AS $body$
                BEGIN
                  EXECUTE $q$SELECT 1; $$;$$ $bodyx$;$q$;
                  RETURN $$;$$;
                END
                $body$ LANGUAGE plpgsql""";
        assertThat(split(fn + ";\nSELECT 2;")).containsExactly(
                new Statement(fn, 1, 1),
                new Statement("SELECT 2", 7, 2));
    }

    @Test
    void positionalParametersAndDollarsInsideIdentifiersAreNotDollarQuotes() {
        assertThat(sqlOf("PREPARE p(int) AS SELECT $1; SELECT a$b$c FROM t$; SELECT 1$x$;$x$")).containsExactly(
                "PREPARE p(int) AS SELECT $1",
                "SELECT a$b$c FROM t$",
                "SELECT 1$x$;$x$");
    }

    @Test
    void lineCommentsRunToTheEndOfTheLine() {
        assertThat(split("SELECT 1 -- not the end; really\n, 2;\n-- ;;;\nSELECT 3")).containsExactly(
                new Statement("SELECT 1 -- not the end; really\n, 2", 1, 1),
                new Statement("SELECT 3", 4, 2));
    }

    @Test
    void blockCommentsNest() {
        assertThat(split("/* outer; /* inner; */ still comment; */ SELECT 1; /**/ SELECT /* a /* b */ c; */ 2")).containsExactly(
                new Statement("SELECT 1", 1, 1),
                new Statement("SELECT /* a /* b */ c; */ 2", 1, 2));
    }

    @Test
    void semicolonsInsideParenthesesDoNotSplitAsInPsql() {
        assertThat(sqlOf("""
                CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));
                SELECT 3;
                """)).containsExactly(
                "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))",
                "SELECT 3");
    }

    @Test
    void sqliteTriggerBodyWithCaseStaysOneStatement() {
        String trigger = """
                CREATE TRIGGER audit AFTER UPDATE ON users
                WHEN new.name <> old.name
                BEGIN
                  INSERT INTO log VALUES (new.id, CASE WHEN new.name = '' THEN 'cleared;' ELSE new.name END);
                  UPDATE users SET changed = 1 WHERE id = new.id;
                END""";
        assertThat(split("CREATE TABLE users (id int);\n" + trigger + ";\nSELECT 1;")).containsExactly(
                new Statement("CREATE TABLE users (id int)", 1, 1),
                new Statement(trigger, 2, 2),
                new Statement("SELECT 1", 8, 3));
    }

    @Test
    void temporaryTriggersAndColumnsNamedEndAreUnderstood() {
        String trigger = """
                create temp trigger if not exists t before insert on x begin
                  select case new.a when 1 then 'a' end, new.end;
                  select raise(abort, 'no;');
                end""";
        assertThat(sqlOf(trigger + ";\nselect 2")).containsExactly(trigger, "select 2");
    }

    @Test
    void postgresBeginAtomicBodiesStayOneStatement() {
        String fn = """
                CREATE OR REPLACE FUNCTION grade(score int) RETURNS text LANGUAGE sql
                BEGIN ATOMIC
                  SELECT CASE WHEN score > 50 THEN 'pass;' ELSE 'fail' END;
                END""";
        String proc = """
                CREATE PROCEDURE add_one(x int) LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (x); INSERT INTO t VALUES (x + 1); END""";
        assertThat(split(fn + ";\n" + proc + ";\nSELECT 1")).containsExactly(
                new Statement(fn, 1, 1),
                new Statement(proc, 5, 2),
                new Statement("SELECT 1", 6, 3));
    }

    @Test
    void aRoutineParameterNamedBeginDoesNotOpenABody() {
        assertThat(sqlOf("CREATE FUNCTION f(begin int) RETURNS int RETURN begin + 1; SELECT 2")).containsExactly(
                "CREATE FUNCTION f(begin int) RETURNS int RETURN begin + 1",
                "SELECT 2");
    }

    @Test
    void caseOutsideBodiesNeedsNoTracking() {
        assertThat(sqlOf("SELECT CASE WHEN a THEN 1 END; SELECT 2")).containsExactly(
                "SELECT CASE WHEN a THEN 1 END",
                "SELECT 2");
    }

    @Test
    void removesTopLevelBeginAndCommitWithANote() {
        SqlScript script = SqlScript.parse("""
                BEGIN;
                CREATE TABLE a (id int);
                COMMIT;
                """, "V1__x.sql");
        assertThat(script.statements()).containsExactly(new Statement("CREATE TABLE a (id int)", 2, 1));
        assertThat(script.notes()).containsExactly(
                "V1__x.sql line 1: removed top-level BEGIN (botdb runs each file in its own transaction)",
                "V1__x.sql line 3: removed top-level COMMIT (botdb runs each file in its own transaction)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"BEGIN", "begin", "BEGIN TRANSACTION", "BEGIN WORK", "START TRANSACTION",
            "start /* c */ transaction", "COMMIT", "COMMIT WORK", "COMMIT TRANSACTION", "END", "END TRANSACTION",
            "end work", "BEGIN IMMEDIATE", "BEGIN EXCLUSIVE TRANSACTION", "BEGIN DEFERRED"})
    void removesEveryFormOfTransactionControl(String control) {
        SqlScript script = SqlScript.parse("SELECT 1;\n" + control + ";\nSELECT 2", FILE);
        assertThat(script.statements()).containsExactly(new Statement("SELECT 1", 1, 1), new Statement("SELECT 2", 3, 2));
        assertThat(script.notes()).singleElement().asString().startsWith(FILE + " line 2: removed top-level ");
    }

    @Test
    void keepsStatementsThatOnlyStartLikeTransactionControl() {
        assertThat(sqlOf("""
                BEGIN ISOLATION LEVEL SERIALIZABLE;
                SELECT 'BEGIN';
                SELECT "end";
                END_OF_DAY;
                COMMIT AND CHAIN;
                ROLLBACK TO SAVEPOINT s;
                """)).containsExactly(
                "BEGIN ISOLATION LEVEL SERIALIZABLE",
                "SELECT 'BEGIN'",
                "SELECT \"end\"",
                "END_OF_DAY",
                "COMMIT AND CHAIN",
                "ROLLBACK TO SAVEPOINT s");
    }

    @Test
    void endThatClosesATriggerBodyIsNotTransactionControl() {
        SqlScript script = SqlScript.parse("BEGIN;\nCREATE TRIGGER t AFTER INSERT ON a BEGIN DELETE FROM b; END;\nEND;", FILE);
        assertThat(script.statements()).extracting(Statement::sql)
                .containsExactly("CREATE TRIGGER t AFTER INSERT ON a BEGIN DELETE FROM b; END");
        assertThat(script.notes()).hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ROLLBACK", "rollback work", "ROLLBACK TRANSACTION", "ABORT"})
    void topLevelRollbackIsRefusedBecauseTheFileWouldUndoItself(String rollback) {
        rejects("BEGIN;\nINSERT INTO a VALUES (1);\n" + rollback + ";", "V2__oops.sql")
                .hasMessageStartingWith("V2__oops.sql line 3: " + rollback.toUpperCase())
                .hasMessageContaining("would undo the file's own changes")
                .hasMessageContaining("remove the ");
    }

    @Test
    void psqlIncludeIsRefusedWithTheAdvice() {
        rejects("CREATE TABLE a (id int);\n\\i other.sql\n", "V4__inc.sql").hasMessage(
                "V4__inc.sql line 2: psql meta-command '\\i' is not SQL; botdb runs SQL only."
                        + " Inline the included file or remove the line");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\connect bot", "\\c bot", "  \\set ON_ERROR_STOP on", "\\echo done"})
    void psqlMetaCommandsAreRefused(String line) {
        String command = line.strip().split(" ")[0];
        rejects("SELECT 1;\n\n" + line + "\nSELECT 2;", FILE)
                .hasMessageStartingWith(FILE + " line 3: psql meta-command '" + command + "' is not SQL");
    }

    @Test
    void aMetaCommandOnTheLineAfterAnUnfinishedStatementIsRefused() {
        rejects("SELECT 1\n\\gset\n", FILE).hasMessageStartingWith(FILE + " line 2: psql meta-command '\\gset'");
    }

    @Test
    void backslashesInsideStringsAndCommentsAreNotMetaCommands() {
        assertThat(sqlOf("SELECT '\n\\i x';\n-- \\i y\n/*\n\\c z */ SELECT $$\n\\set$$")).containsExactly(
                "SELECT '\n\\i x'", "SELECT $$\n\\set$$");
    }

    @Test
    void unterminatedDollarQuoteNamesItsTagAndLine() {
        rejects("SELECT 1;\n\n\n\n\n\nCREATE FUNCTION f() RETURNS int AS $body$\nSELECT 1;\n$bod$;", "V3__fn.sql")
                .hasMessage("V3__fn.sql line 7: dollar quote $body$ is never closed. End the body with $body$");
    }

    @Test
    void unterminatedStringNamesItsLine() {
        rejects("SELECT 1;\nINSERT INTO t VALUES ('it''s);\nSELECT 2;", FILE)
                .hasMessage(FILE + " line 2: string 'it''s);"
                        + " is never closed. End it with ' (a quote inside a string is written '')");
    }

    @Test
    void unterminatedEscapeStringNamesItsLine() {
        rejects("\nSELECT E'ends with \\';", FILE)
                .hasMessageStartingWith(FILE + " line 2: escape string E'ends with \\'; is never closed.");
    }

    @Test
    void unterminatedQuotedIdentifierNamesItsLine() {
        rejects("SELECT 1;\nSELECT \"a\"\"b FROM t;\n", FILE)
                .hasMessageStartingWith(FILE + " line 2: quoted identifier \"a\"\"b FROM t; is never closed.");
    }

    @Test
    void unterminatedBlockCommentNamesItsLine() {
        rejects("SELECT 1;\n/* one /* two */\nSELECT 2;", FILE).hasMessage(FILE
                + " line 2: block comment /* is never closed. End it with */ (comments nest: each /* inside it needs its own */)");
    }

    @Test
    void unterminatedParenthesisAndBodyNameTheirLines() {
        rejects("SELECT 1;\nSELECT (1;\nSELECT 2;", FILE)
                .hasMessageStartingWith(FILE + " line 2: parenthesis ( is never closed");
        rejects("CREATE TRIGGER t AFTER INSERT ON a\nBEGIN\n  DELETE FROM b;\nSELECT 2;", FILE)
                .hasMessageStartingWith(FILE + " line 2: the BEGIN ... END body of this CREATE TRIGGER is never closed");
    }

    @Test
    void longUnterminatedTokensAreShortenedInTheMessage() {
        rejects("SELECT 'abcdefghijklmnopqrstuvwxyz0123456789", FILE)
                .hasMessageStartingWith(FILE + " line 1: string 'abcdefghijklmnopqrstuvw... is never closed.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  \n\r\n\t", "-- nothing yet\n", "/* later */;;", "BEGIN;\nCOMMIT;\n", "\uFEFF"})
    void aFileWithoutStatementsIsRefused(String text) {
        rejects(text, "V7__empty.sql")
                .hasMessage("V7__empty.sql is empty: it has no SQL statement. Add the migration's SQL or delete the file");
    }

    @Test
    void noTransactionHeaderInTheLeadingCommentsIsDeclared() {
        assertThat(SqlScript.parse("-- add an index\n-- botdb:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);", FILE)
                .declaredNoTransaction()).isTrue();
        assertThat(SqlScript.parse("/* x */\n--   BotDB:No-Transaction  \r\nVACUUM;", FILE).declaredNoTransaction()).isTrue();
    }

    @Test
    void dbmateTransactionFalseCountsAsTheHeader() {
        assertThat(SqlScript.parse("-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);", FILE)
                .declaredNoTransaction()).isTrue();
        assertThat(SqlScript.parse("-- migrate:up\nCREATE TABLE t (a int);", FILE).declaredNoTransaction()).isFalse();
    }

    @Test
    void aHeaderAfterTheFirstStatementIsIgnoredWithANote() {
        SqlScript script = SqlScript.parse("SELECT 1;\n-- botdb:no-transaction\nVACUUM;", FILE);
        assertThat(script.declaredNoTransaction()).isFalse();
        assertThat(script.notes()).containsExactly(FILE + " line 2: '-- botdb:no-transaction' is ignored here:"
                + " it counts only among the comments before the first statement. Move it to the top of the file");
    }

    @Test
    void aFileWithoutHeaderIsNotDeclared() {
        assertThat(SqlScript.parse("-- botdb: fast\nSELECT 1", FILE).declaredNoTransaction()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "CREATE INDEX CONCURRENTLY i ON t (a)",
            "create unique index concurrently if not exists i on t (a)",
            "create /* x */ index\n concurrently i on t (a)",
            "DROP INDEX CONCURRENTLY IF EXISTS i",
            "REINDEX TABLE CONCURRENTLY t",
            "REINDEX (VERBOSE) INDEX CONCURRENTLY i",
            "REINDEX SCHEMA public",
            "REINDEX (VERBOSE) DATABASE bot",
            "REINDEX SYSTEM",
            "VACUUM",
            "vacuum (analyze, verbose) t",
            "VACUUM FULL t",
            "ALTER SYSTEM SET work_mem = '64MB'",
            "CREATE DATABASE other",
            "DROP DATABASE IF EXISTS other",
            "CREATE TABLESPACE fast LOCATION '/ssd'",
            "DROP TABLESPACE fast",
            "ALTER DATABASE bot SET TABLESPACE fast",
            "ALTER DATABASE \"my bot\" SET TABLESPACE fast",
            "CREATE SUBSCRIPTION s CONNECTION 'host=a' PUBLICATION p",
            "DROP SUBSCRIPTION s",
            "ALTER SUBSCRIPTION s REFRESH PUBLICATION",
            "ALTER SUBSCRIPTION s SET PUBLICATION p",
            "ALTER TABLE m DETACH PARTITION m1 CONCURRENTLY",
            "ALTER TABLE m DETACH PARTITION m1 FINALIZE",
            "DISCARD ALL"})
    void flagsStatementsPostgresRefusesInATransactionBlock(String sql) {
        SqlScript script = SqlScript.parse("SELECT 1;\n" + sql + ";\nSELECT 2;", FILE);
        assertThat(script.nonTransactional()).containsExactly(new Statement(sql, 2, 2));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "CREATE INDEX i ON t (a)",
            "CREATE INDEX concurrently_idx ON t (a)",
            "DROP INDEX i",
            "REINDEX TABLE t",
            "REINDEX INDEX i",
            "ALTER DATABASE bot SET search_path = bot",
            "ALTER SUBSCRIPTION s DISABLE",
            "ALTER TABLE m DETACH PARTITION m1",
            "CREATE TABLE vacuum_log (id int)",
            "SELECT 'VACUUM'",
            "DISCARD PLANS",
            "CREATE SCHEMA db"})
    void doesNotFlagStatementsThatRunInATransaction(String sql) {
        assertThat(SqlScript.parse(sql, FILE).nonTransactional()).isEmpty();
    }

    @Test
    void splitsTenThousandStatementsAndAMegabyteStatementInLinearTime() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            many.append("INSERT INTO t VALUES (").append(i).append(", 'row; ").append(i).append("', $$x;$$); -- c\n");
        }
        String huge = "INSERT INTO t VALUES ('" + "x;".repeat(500_000) + "')";
        assertTimeout(Duration.ofSeconds(5), () -> {
            for (int round = 0; round < 5; round++) {
                List<Statement> statements = split(many.toString());
                assertThat(statements).hasSize(10_000);
                assertThat(statements.get(9_999)).isEqualTo(
                        new Statement("INSERT INTO t VALUES (9999, 'row; 9999', $$x;$$)", 10_000, 10_000));
                assertThat(sqlOf(huge)).containsExactly(huge);
            }
        });
    }

    @Test
    void postgresRunsEveryStatementOfARealScript() throws SQLException {
        TestPostgres.exec("DROP DATABASE IF EXISTS splitter_test", "CREATE DATABASE splitter_test");
        SqlScript script = SqlScript.parse("""
                -- a migration as bots write them
                BEGIN;

                CREATE TABLE note (
                    id   serial PRIMARY KEY,
                    body text NOT NULL CHECK (body <> ';' AND body NOT LIKE '%;;%'),
                    tag  text DEFAULT E'it\\'s;'
                );

                CREATE FUNCTION shout(t text) RETURNS text AS $$
                BEGIN
                    RETURN upper(t) || ';';  -- a ';' in a dollar-quoted body
                END;
                $$ LANGUAGE plpgsql;

                CREATE FUNCTION grade(n int) RETURNS text LANGUAGE sql
                BEGIN ATOMIC
                    SELECT CASE WHEN n > 1 THEN 'many;' ELSE 'one' END;
                END;

                DO $do$
                BEGIN
                    INSERT INTO note (body) VALUES ($x$semi; colon$x$);
                    INSERT INTO note (body) VALUES ('two');
                END
                $do$;

                /* a nested /* comment; */ before the last statement */
                INSERT INTO "note" (body, tag) VALUES (shout('three'), U&'d\\0061t;');
                COMMIT;
                """, FILE);
        assertThat(script.statements()).hasSize(5);
        assertThat(script.notes()).hasSize(2);
        try (Connection c = TestPostgres.superuser("splitter_test")) {
            c.setAutoCommit(false);
            try (java.sql.Statement st = c.createStatement()) {
                for (Statement s : script.statements()) {
                    st.execute(s.sql());
                }
            }
            c.commit();
            assertThat(column(c, "SELECT body || '|' || tag FROM note ORDER BY id")).containsExactly(
                    "semi; colon|it's;", "two|it's;", "THREE;|dat;");
            assertThat(column(c, "SELECT grade(2) || grade(1)")).containsExactly("many;one");
            assertThatThrownBy(() -> column(c, "INSERT INTO note (body) VALUES (';') RETURNING id"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("note_body_check");
            c.rollback();
        }
    }

    @Test
    void statementsFlaggedNonTransactionalAreExactlyTheOnesPostgresRefusesInATransaction() throws SQLException {
        TestPostgres.exec("DROP DATABASE IF EXISTS splitter_tx", "CREATE DATABASE splitter_tx");
        try (Connection c = TestPostgres.superuser("splitter_tx")) {
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (a int)");
                st.execute("CREATE INDEX i ON t (a)");
                st.execute("CREATE TABLE m (a int) PARTITION BY RANGE (a)");
                st.execute("CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (10)");
            }
            SqlScript script = SqlScript.parse("""
                    CREATE INDEX CONCURRENTLY i2 ON t (a);
                    create unique /* ! */ index
                      concurrently i3 on t (a);
                    DROP INDEX CONCURRENTLY i;
                    REINDEX TABLE CONCURRENTLY t;
                    REINDEX SCHEMA public;
                    VACUUM t;
                    VACUUM (ANALYZE) t;
                    ALTER SYSTEM SET work_mem = '8MB';
                    CREATE DATABASE splitter_never;
                    DROP DATABASE IF EXISTS splitter_never;
                    CREATE TABLESPACE never LOCATION '/nonexistent';
                    DROP TABLESPACE IF EXISTS never;
                    ALTER DATABASE splitter_tx SET TABLESPACE pg_default;
                    ALTER TABLE m DETACH PARTITION m1 CONCURRENTLY;
                    DISCARD ALL;
                    CREATE INDEX i4 ON t (a);
                    DROP INDEX i;
                    REINDEX TABLE t;
                    ANALYZE t;
                    ALTER DATABASE splitter_tx SET work_mem = '8MB';
                    ALTER TABLE m DETACH PARTITION m1;
                    DISCARD PLANS;
                    CREATE TABLE vacuum_log (id int);
                    """, FILE);
            List<Statement> refused = new ArrayList<>();
            for (Statement s : script.statements()) {
                c.setAutoCommit(false);
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute(s.sql());
                } catch (SQLException e) {
                    assertThat(e.getSQLState()).as(s.sql() + ": " + e.getMessage()).isEqualTo("25001");
                    refused.add(s);
                } finally {
                    c.rollback();
                }
            }
            assertThat(refused).hasSize(15);
            assertThat(script.nonTransactional()).isEqualTo(refused);
        }
    }

    @Test
    void sqliteTriggerFromASplitScriptFires(@TempDir Path dir) throws SQLException {
        SqlScript script = SqlScript.parse("""
                BEGIN TRANSACTION;
                CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
                CREATE TABLE audit (user_id INTEGER, what TEXT);
                CREATE TRIGGER users_renamed AFTER UPDATE OF name ON users
                WHEN new.name <> old.name
                BEGIN
                    INSERT INTO audit VALUES (new.id, 'renamed; from ' || old.name);
                    INSERT INTO audit VALUES (new.id, CASE WHEN new.name = '' THEN 'cleared' ELSE 'to ' || new.name END);
                END;
                INSERT INTO users (name) VALUES ('ann');
                COMMIT;
                """, FILE);
        assertThat(script.statements()).hasSize(4);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("bot.db"))) {
            try (java.sql.Statement st = c.createStatement()) {
                for (Statement s : script.statements()) {
                    st.execute(s.sql());
                }
                st.execute("UPDATE users SET name = 'bob' WHERE id = 1");
                st.execute("UPDATE users SET name = '' WHERE id = 1");
            }
            assertThat(column(c, "SELECT user_id || ':' || what FROM audit ORDER BY rowid")).containsExactly(
                    "1:renamed; from ann", "1:to bob", "1:renamed; from bob", "1:cleared");
        }
    }

    private static List<String> column(Connection c, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (java.sql.Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
