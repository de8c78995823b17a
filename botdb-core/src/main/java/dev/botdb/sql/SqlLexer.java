package dev.botdb.sql;

/**
 * PostgreSQL's lexical rules, once, for everything in botdb that reads SQL text: the migration
 * splitter ({@code migrate.SqlScript}) and the Supabase clean-up. It cuts text into tokens
 * (words, quoted identifiers, strings in all their forms, numbers, comments, single characters)
 * with their offsets and line numbers, and says where a string, quoted identifier, dollar quote or
 * block comment is never closed. It does not parse: what a token means is the caller's business.
 *
 * <p>The forms it knows: {@code 'it''s'}, {@code E'\''} (backslash escapes), {@code U&'...'} and
 * {@code U&"..."}, {@code "quoted ""name"""}, {@code $$...$$} and {@code $tag$...$tag$} (but
 * {@code $1} is a '$' and a number), nested {@code /* /* *}{@code /}, {@code --} to the end of the line,
 * identifiers with {@code $} and any non-ASCII letter. A UTF-8 byte order mark at the start is skipped.
 */
public final class SqlLexer {
    /** What a token is. */
    public enum Kind {
        /** A keyword or an unquoted identifier. */
        WORD,
        /** {@code "name"}; {@code U&"name"} too, marked by {@link Token#unicode()}. */
        QUOTED_IDENTIFIER,
        /** {@code '...'}, {@code E'...'}, {@code U&'...'}. */
        STRING,
        /** {@code $$...$$}, {@code $tag$...$tag$}. */
        DOLLAR_STRING,
        /** Digits, with '.', exponent, {@code 0x..}, {@code 1_000}. */
        NUMBER,
        /** {@code -- ...} up to (not including) the end of the line. */
        LINE_COMMENT,
        /** {@code /* ... *}{@code /}, nested. */
        BLOCK_COMMENT,
        /** Any other single character: operators, punctuation, ';', '(', '$', '\'. */
        CHAR
    }

    /**
     * One token.
     *
     * @param kind        what it is
     * @param start       offset of its first character
     * @param end         offset after its last character
     * @param line        the line it starts on (1-based)
     * @param firstOnLine nothing but white space precedes it on its line
     * @param unicode     a {@code U&} form
     */
    public record Token(Kind kind, int start, int end, int line, boolean firstOnLine, boolean unicode) {
        public String text(CharSequence sql) {
            return sql.subSequence(start, end).toString();
        }

        public boolean is(char c, CharSequence sql) {
            return kind == Kind.CHAR && sql.charAt(start) == c;
        }
    }

    /** A string, quoted identifier, dollar quote or block comment that runs to the end of the text. */
    public static final class Unclosed extends RuntimeException {
        private final int line;

        Unclosed(int line, String message) {
            super(message);
            this.line = line;
        }

        /** The line where it opens. */
        public int line() {
            return line;
        }
    }

    private final CharSequence s;
    private final int n;
    private int i;
    private int line = 1;
    private boolean codeOnLine;

    public SqlLexer(CharSequence sql) {
        this.s = sql;
        this.n = sql.length();
        this.i = n > 0 && s.charAt(0) == '\uFEFF' ? 1 : 0;
    }

    /** The current line: after {@link #next()}, the line where the returned token ends. */
    public int line() {
        return line;
    }

    /**
     * The next token, white space skipped; {@code null} at the end of the text.
     *
     * @throws Unclosed for a string, quoted identifier, dollar quote or block comment never closed
     */
    public Token next() {
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\n') {
                line++;
                codeOnLine = false;
                i++;
            } else if (isBlank(c)) {
                i++;
            } else {
                boolean first = !codeOnLine;
                codeOnLine = true;
                return token(c, first);
            }
        }
        return null;
    }

    private Token token(char c, boolean first) {
        int from = i;
        int fromLine = line;
        char next = i + 1 < n ? s.charAt(i + 1) : '\0';
        if (c == '-' && next == '-') {
            int to = from + 2;
            while (to < n && s.charAt(to) != '\n') {
                to++;
            }
            return advance(Kind.LINE_COMMENT, from, to, fromLine, first, false);
        }
        if (c == '/' && next == '*') {
            return advance(Kind.BLOCK_COMMENT, from, blockCommentEnd(from), fromLine, first, false);
        }
        if (c == '\'') {
            return advance(Kind.STRING, from, stringEnd(from, from + 1, false, "string"), fromLine, first, false);
        }
        if (c == '"') {
            return advance(Kind.QUOTED_IDENTIFIER, from, quotedEnd(from, from + 1), fromLine, first, false);
        }
        if (c == '$') {
            int tagEnd = dollarTagEnd(from);
            return tagEnd < 0 ? advance(Kind.CHAR, from, from + 1, fromLine, first, false)
                    : advance(Kind.DOLLAR_STRING, from, dollarEnd(from, tagEnd), fromLine, first, false);
        }
        if (isIdentStart(c)) {
            int to = from + 1;
            while (to < n && isIdentPart(s.charAt(to))) {
                to++;
            }
            char after = to < n ? s.charAt(to) : '\0';
            if (to == from + 1 && (c == 'e' || c == 'E') && after == '\'') {
                return advance(Kind.STRING, from, stringEnd(from, to + 1, true, "escape string"), fromLine, first, false);
            }
            if (to == from + 1 && (c == 'u' || c == 'U') && after == '&' && to + 1 < n) {
                if (s.charAt(to + 1) == '\'') {
                    return advance(Kind.STRING, from, stringEnd(from, to + 2, false, "Unicode string"), fromLine,
                            first, true);
                }
                if (s.charAt(to + 1) == '"') {
                    return advance(Kind.QUOTED_IDENTIFIER, from, quotedEnd(from, to + 2), fromLine, first, true);
                }
            }
            return advance(Kind.WORD, from, to, fromLine, first, false);
        }
        if (c >= '0' && c <= '9') {
            int to = from + 1;
            // digits, '.', exponent, 0x.., 1_000; a '$' after a number is not part of it
            while (to < n && (isIdentStart(s.charAt(to)) || s.charAt(to) >= '0' && s.charAt(to) <= '9'
                    || s.charAt(to) == '.')) {
                to++;
            }
            return advance(Kind.NUMBER, from, to, fromLine, first, false);
        }
        return advance(Kind.CHAR, from, from + 1, fromLine, first, false);
    }

    private Token advance(Kind kind, int from, int to, int fromLine, boolean first, boolean unicode) {
        i = to;
        return new Token(kind, from, to, fromLine, first, unicode);
    }

    /** The end of a '...' string whose content starts at {@code contentFrom}; counts the lines it spans. */
    private int stringEnd(int from, int contentFrom, boolean backslashEscapes, String what) {
        int fromLine = line;
        int j = contentFrom;
        while (true) {
            if (j >= n) {
                String closing = backslashEscapes
                        ? "End it with ' (inside E'...' a quote is written \\' or '')"
                        : "End it with ' (a quote inside a string is written '')";
                throw new Unclosed(fromLine, what + " " + snippet(from) + " is never closed. " + closing);
            }
            char c = s.charAt(j);
            if (c == '\'') {
                if (j + 1 < n && s.charAt(j + 1) == '\'') {
                    j += 2;
                    continue;
                }
                return j + 1;
            }
            if (c == '\\' && backslashEscapes && j + 1 < n) {
                if (s.charAt(j + 1) == '\n') {
                    line++;
                }
                j += 2;
                continue;
            }
            if (c == '\n') {
                line++;
            }
            j++;
        }
    }

    private int quotedEnd(int from, int contentFrom) {
        int fromLine = line;
        int j = contentFrom;
        while (true) {
            if (j >= n) {
                throw new Unclosed(fromLine, "quoted identifier " + snippet(from) + " is never closed. End it with \""
                        + " (a quote inside a quoted identifier is written \"\")");
            }
            char c = s.charAt(j);
            if (c == '"') {
                if (j + 1 < n && s.charAt(j + 1) == '"') {
                    j += 2;
                    continue;
                }
                return j + 1;
            }
            if (c == '\n') {
                line++;
            }
            j++;
        }
    }

    /** The index of the second '$' of a {@code $tag$} opening at {@code from}, or -1 ({@code $1}, a stray '$'). */
    private int dollarTagEnd(int from) {
        int j = from + 1;
        if (j < n && isIdentStart(s.charAt(j))) {
            j++;
            while (j < n && isTagPart(s.charAt(j))) {
                j++;
            }
        }
        return j < n && s.charAt(j) == '$' ? j : -1;
    }

    private int dollarEnd(int from, int tagEnd) {
        int tagLen = tagEnd + 1 - from;
        int fromLine = line;
        int j = tagEnd + 1;
        while (true) {
            if (j >= n) {
                String tag = s.subSequence(from, from + tagLen).toString();
                throw new Unclosed(fromLine, "dollar quote " + tag + " is never closed. End the body with " + tag);
            }
            char c = s.charAt(j);
            if (c == '$' && closes(j, from, tagLen)) {
                return j + tagLen;
            }
            if (c == '\n') {
                line++;
            }
            j++;
        }
    }

    private boolean closes(int at, int tagFrom, int tagLen) {
        if (at + tagLen > n) {
            return false;
        }
        for (int k = 1; k < tagLen; k++) {
            if (s.charAt(at + k) != s.charAt(tagFrom + k)) {
                return false;
            }
        }
        return true;
    }

    private int blockCommentEnd(int from) {
        int fromLine = line;
        int depth = 1;
        int j = from + 2;
        while (depth > 0) {
            if (j >= n) {
                throw new Unclosed(fromLine, "block comment /* is never closed. End it with */"
                        + " (comments nest: each /* inside it needs its own */)");
            }
            char c = s.charAt(j);
            if (c == '/' && j + 1 < n && s.charAt(j + 1) == '*') {
                depth++;
                j += 2;
            } else if (c == '*' && j + 1 < n && s.charAt(j + 1) == '/') {
                depth--;
                j += 2;
            } else {
                if (c == '\n') {
                    line++;
                }
                j++;
            }
        }
        return j;
    }

    /** The start of a token for a message: up to the end of its line, at most 24 characters. */
    private String snippet(int from) {
        int to = from;
        while (to < n && to - from < 24 && s.charAt(to) != '\n' && s.charAt(to) != '\r') {
            to++;
        }
        boolean cut = to < n && s.charAt(to) != '\n' && s.charAt(to) != '\r';
        return s.subSequence(from, to) + (cut ? "..." : "");
    }

    /** Space, tab, carriage return, form feed, vertical tab: white space that does not end a line. */
    public static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\u000B';
    }

    /** PostgreSQL's ident_start: letters, '_', and every non-ASCII character. */
    public static boolean isIdentStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80 && c != '\uFEFF';
    }

    /** PostgreSQL's ident_cont: ident_start, digits and '$'. */
    public static boolean isIdentPart(char c) {
        return isIdentStart(c) || c >= '0' && c <= '9' || c == '$';
    }

    /** A dollar-quote tag continues like an identifier, without '$'. */
    private static boolean isTagPart(char c) {
        return isIdentStart(c) || c >= '0' && c <= '9';
    }
}
