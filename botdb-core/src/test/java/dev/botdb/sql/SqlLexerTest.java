package dev.botdb.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.botdb.sql.SqlLexer.Kind;
import dev.botdb.sql.SqlLexer.Token;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlLexerTest {
    private static List<Token> all(String sql) {
        List<Token> out = new ArrayList<>();
        SqlLexer lexer = new SqlLexer(sql);
        for (Token t = lexer.next(); t != null; t = lexer.next()) {
            out.add(t);
        }
        return out;
    }

    private static List<String> texts(String sql) {
        return all(sql).stream().map(t -> t.kind() + ":" + t.text(sql)).toList();
    }

    @Test
    void everyKindOfToken() {
        assertThat(texts("SELECT a$b, \"Q \"\"x\"\"\", 'it''s', E'\\'', U&'d\\0061t', U&\"d\\0061t\", 1.5e3, $1 -- c\n"
                + "/* a /* nested */ one */ ;"))
                .containsExactly("WORD:SELECT", "WORD:a$b", "CHAR:,", "QUOTED_IDENTIFIER:\"Q \"\"x\"\"\"", "CHAR:,",
                        "STRING:'it''s'", "CHAR:,", "STRING:E'\\''", "CHAR:,", "STRING:U&'d\\0061t'", "CHAR:,",
                        "QUOTED_IDENTIFIER:U&\"d\\0061t\"", "CHAR:,", "NUMBER:1.5e3", "CHAR:,", "CHAR:$", "NUMBER:1",
                        "LINE_COMMENT:-- c", "BLOCK_COMMENT:/* a /* nested */ one */", "CHAR:;");
        assertThat(all("U&\"x\"").get(0).unicode()).isTrue();
    }

    @Test
    void dollarQuotesCloseOnlyOnTheirOwnTag() {
        String sql = "DO $a$ BEGIN PERFORM $b$ x $a; $b$; END $a$; SELECT $$;$$";
        assertThat(texts(sql)).containsExactly("WORD:DO", "DOLLAR_STRING:$a$ BEGIN PERFORM $b$ x $a; $b$; END $a$",
                "CHAR:;", "WORD:SELECT", "DOLLAR_STRING:$$;$$");
    }

    @Test
    void linesAreCountedThroughMultiLineTokens() {
        String sql = "SELECT 'a\nb'\n, $$\n\n$$,\n  /* x\n */ \"c\nd\"\nx";
        List<Token> t = all(sql);
        assertThat(t).extracting(Token::line).containsExactly(1, 1, 3, 3, 5, 6, 7, 9);
        assertThat(t).extracting(Token::firstOnLine).containsExactly(true, false, true, false, false, true, false, true);
    }

    @Test
    void whatIsNeverClosedIsNamedWithTheLineItOpensOn() {
        assertThatThrownBy(() -> all("SELECT 1;\nSELECT 'open"))
                .isInstanceOf(SqlLexer.Unclosed.class).hasMessageStartingWith("string 'open is never closed")
                .extracting(e -> ((SqlLexer.Unclosed) e).line()).isEqualTo(2);
        assertThatThrownBy(() -> all("\n\nSELECT E'it\\'s")).hasMessageStartingWith("escape string E'it\\'s is never closed")
                .extracting(e -> ((SqlLexer.Unclosed) e).line()).isEqualTo(3);
        assertThatThrownBy(() -> all("SELECT \"x")).hasMessageStartingWith("quoted identifier \"x is never closed");
        assertThatThrownBy(() -> all("DO $body$ x $bod$")).hasMessage(
                "dollar quote $body$ is never closed. End the body with $body$");
        assertThatThrownBy(() -> all("/* /* */")).hasMessageStartingWith("block comment /* is never closed");
    }

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstWord() {
        assertThat(texts("\uFEFFCREATE TABLE t()")).first().isEqualTo("WORD:CREATE");
    }

    @Test
    void identifierCharacters() {
        assertThat(SqlLexer.isIdentStart('é')).isTrue();
        assertThat(SqlLexer.isIdentStart('$')).isFalse();
        assertThat(SqlLexer.isIdentPart('$')).isTrue();
        assertThat(texts("x1$2 _y 用户")).containsExactly("WORD:x1$2", "WORD:_y", "WORD:用户");
    }
}
