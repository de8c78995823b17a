package dev.botdb.migrate;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import dev.botdb.sql.SqlLexer;
import dev.botdb.sql.SqlLexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One migration file split into the statements botdb sends to the server, one at a time.
 *
 * <p>The splitter reads the file once, character by character, with PostgreSQL's lexical rules
 * (standard_conforming_strings on): a {@code ;} inside a string ({@code '...'}, {@code E'...'},
 * {@code U&'...'}), a quoted identifier, a dollar quote ({@code $$...$$}, {@code $tag$...$tag$}),
 * a comment (line, or nested block), parentheses (as psql: {@code CREATE RULE ... DO (a; b)}) or
 * a {@code BEGIN ... END} body of {@code CREATE TRIGGER} (SQLite) or {@code CREATE FUNCTION/PROCEDURE
 * ... BEGIN ATOMIC} (PostgreSQL) does not end a statement. Everything that makes a file unusable is
 * reported by {@link #parse} before any statement runs.
 *
 * <pre>{@code
 * SqlScript script = SqlScript.parse(Files.readString(file), file.getFileName().toString());
 * for (SqlScript.Statement s : script.statements()) {
 *     jdbc.execute(s.sql());   // a failure names s.line() and s.number()
 * }
 * }</pre>
 */
final class SqlScript {

    /**
     * One statement of the file.
     *
     * @param sql    the statement from its first to its last token: no leading or trailing comment,
     *               no {@code ;}
     * @param line   1-based line of the statement's first token
     * @param number 1-based position among the statements {@link #statements()} returns
     */
    record Statement(String sql, int line, int number) {
    }

    private static final String NO_TRANSACTION_HEADER = "botdb:no-transaction";
    private static final String DBMATE_UP = "migrate:up";
    private static final String DBMATE_NO_TRANSACTION = "transaction:false";

    private final List<Statement> statements;
    private final List<Statement> nonTransactional;
    private final List<String> notes;
    private final boolean declaredNoTransaction;

    private SqlScript(List<Statement> statements, List<Statement> nonTransactional, List<String> notes,
                      boolean declaredNoTransaction) {
        this.statements = List.copyOf(statements);
        this.nonTransactional = List.copyOf(nonTransactional);
        this.notes = List.copyOf(notes);
        this.declaredNoTransaction = declaredNoTransaction;
    }

    /**
     * Splits {@code text}, the content of the migration file {@code fileName}.
     *
     * @throws BotDbException {@link ErrorCode#MIGRATION_INVALID} naming the file and line of an
     *                        unterminated string, quoted identifier, dollar quote, comment,
     *                        parenthesis or body, a psql meta-command, a top-level ROLLBACK, or a
     *                        file without any statement
     */
    static SqlScript parse(String text, String fileName) {
        return new Scanner(text, fileName).scan();
    }

    /** The statements to run, in file order, without top-level BEGIN/COMMIT. */
    List<Statement> statements() {
        return statements;
    }

    /** What the splitter changed, one line each, e.g. a removed top-level BEGIN. */
    List<String> notes() {
        return notes;
    }

    /**
     * This script after a rewrite such as the Supabase clean-up: {@code kept} are some of its
     * statements, possibly with changed text, keeping their {@code line} and {@code number} (so a
     * failure still points into the file); {@code moreNotes} say what changed.
     */
    SqlScript withStatements(List<Statement> kept, List<String> moreNotes) {
        List<Statement> keptNonTransactional = kept.stream()
                .filter(st -> nonTransactional.stream().anyMatch(nt -> nt.number() == st.number()))
                .toList();
        List<String> allNotes = new ArrayList<>(notes);
        allNotes.addAll(moreNotes);
        return new SqlScript(kept, keptNonTransactional, allNotes, declaredNoTransaction);
    }

    /**
     * Whether the comments before the first statement contain {@code -- botdb:no-transaction} (or
     * dbmate's {@code -- migrate:up transaction:false}): the author asks for the file to run
     * outside a transaction.
     */
    boolean declaredNoTransaction() {
        return declaredNoTransaction;
    }

    /**
     * The statements PostgreSQL refuses inside a transaction block ("cannot run inside a
     * transaction block", SQLSTATE 25001), e.g. {@code CREATE INDEX CONCURRENTLY} or {@code VACUUM}.
     * Subscriptions are listed whether or not their options avoid the connection, since running
     * them outside a transaction is always allowed.
     */
    List<Statement> nonTransactional() {
        return nonTransactional;
    }

    /** Whether the statement's leading keywords name a command PostgreSQL refuses in a transaction block. */
    private static boolean refusedInTransactionBlock(Keys k) {
        switch (k.get(0)) {
            case "VACUUM":
                return true;
            case "CREATE":
                return k.is(1, "INDEX") && k.is(2, "CONCURRENTLY")
                        || k.is(1, "UNIQUE") && k.is(2, "INDEX") && k.is(3, "CONCURRENTLY")
                        || k.is(1, "DATABASE") || k.is(1, "TABLESPACE") || k.is(1, "SUBSCRIPTION");
            case "DROP":
                return k.is(1, "INDEX") && k.is(2, "CONCURRENTLY")
                        || k.is(1, "DATABASE") || k.is(1, "TABLESPACE") || k.is(1, "SUBSCRIPTION");
            case "REINDEX": {
                if (k.contains("CONCURRENTLY")) {
                    return true;
                }
                // REINDEX [ ( options ) ] SCHEMA | DATABASE | SYSTEM loops over tables in its own transactions
                int i = 1;
                if (k.is(1, "(")) {
                    i = k.indexOf(")", 2) + 1;
                    if (i == 0) {
                        return false;
                    }
                }
                return k.is(i, "SCHEMA") || k.is(i, "DATABASE") || k.is(i, "SYSTEM");
            }
            case "ALTER":
                return k.is(1, "SYSTEM")
                        || k.is(1, "DATABASE") && k.is(3, "SET") && k.is(4, "TABLESPACE")
                        || k.is(1, "SUBSCRIPTION") && (k.is(3, "REFRESH")
                        || k.is(4, "PUBLICATION") && (k.is(3, "SET") || k.is(3, "ADD") || k.is(3, "DROP")))
                        || k.is(1, "TABLE") && k.contains("DETACH")
                        && (k.contains("CONCURRENTLY") || k.contains("FINALIZE"));
            case "DISCARD":
                return k.is(1, "ALL");
            default:
                return false;
        }
    }

    /** BEGIN, START TRANSACTION, COMMIT, END and their variants: the runner owns the transaction. */
    private static boolean isTransactionControl(Keys k) {
        if (!k.allWords() || k.count() > 3) {
            return false;
        }
        String first = k.get(0);
        String second = k.get(1);
        String third = k.get(2);
        switch (first) {
            case "BEGIN":
                if (second.equals("DEFERRED") || second.equals("IMMEDIATE") || second.equals("EXCLUSIVE")) {
                    second = third; // SQLite's BEGIN IMMEDIATE [TRANSACTION]
                } else if (!third.isEmpty()) {
                    return false;
                }
                return second.isEmpty() || second.equals("TRANSACTION") || second.equals("WORK");
            case "START":
                return k.count() == 2 && second.equals("TRANSACTION");
            case "COMMIT":
            case "END":
                return k.count() == 1 || k.count() == 2 && (second.equals("TRANSACTION") || second.equals("WORK"));
            default:
                return false;
        }
    }

    /** ROLLBACK or ABORT of the whole transaction; ROLLBACK TO SAVEPOINT is fine. */
    private static boolean isRollback(Keys k) {
        if (!k.allWords() || !(k.is(0, "ROLLBACK") || k.is(0, "ABORT"))) {
            return false;
        }
        for (int i = 1; i < k.count(); i++) {
            switch (k.get(i)) {
                case "WORK", "TRANSACTION", "AND", "NO", "CHAIN" -> {
                }
                default -> {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The first tokens of a statement, upper-cased words and other tokens as one character
     * ({@code '} for any string, {@code "} for a quoted identifier, {@code $} for a dollar quote).
     * Enough to classify a statement without a second pass over it.
     */
    private static final class Keys {
        private static final int MAX = 24;
        private final String[] keys = new String[MAX];
        private int count;
        private int total;
        private boolean allWords = true;

        void clear() {
            count = 0;
            total = 0;
            allWords = true;
        }

        void add(String key, boolean word) {
            total++;
            allWords &= word;
            if (count < MAX) {
                keys[count++] = key;
            }
        }

        int count() {
            return total;
        }

        /** Whether further keys are only counted, not kept. */
        boolean full() {
            return count == MAX;
        }

        boolean allWords() {
            return allWords;
        }

        String get(int i) {
            return i < count ? keys[i] : "";
        }

        boolean is(int i, String key) {
            return get(i).equals(key);
        }

        boolean contains(String key) {
            return indexOf(key, 0) >= 0;
        }

        int indexOf(String key, int from) {
            for (int i = from; i < count; i++) {
                if (keys[i].equals(key)) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** Where the statement stands with respect to a BEGIN ... END body. */
    private enum Kind {
        /** No token yet. */
        START,
        /** CREATE [OR REPLACE] [TEMP|TEMPORARY] so far. */
        CREATE,
        /** CREATE ... TRIGGER: BEGIN and CASE open, END closes (SQLite trigger bodies). */
        TRIGGER,
        /** CREATE ... FUNCTION/PROCEDURE: BEGIN ATOMIC and CASE open, END closes. */
        ROUTINE,
        /** Anything else: only parentheses keep a ';' inside the statement. */
        PLAIN
    }

    /** The single pass over the file. */
    private static final class Scanner {
        private final String text;
        private final char[] s;
        private final int n;
        private final String file;
        private final List<Statement> statements = new ArrayList<>();
        private final List<Statement> nonTransactional = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        private final Keys keys = new Keys();
        private boolean declaredNoTransaction;
        private boolean seenToken;

        /** Where the current token starts, and its line. */
        private int i;
        private int line = 1;

        // the statement being read
        private int start = -1;
        private int end;
        private int startLine;
        private int parenDepth;
        private int parenLine;
        private Kind kind = Kind.START;
        private String createWhat = "";
        private int bodyDepth;
        private int bodyLine;
        private boolean afterBegin;
        private boolean afterDot;

        Scanner(String text, String file) {
            this.text = text;
            this.s = text.toCharArray();
            this.n = s.length;
            this.file = file;
        }

        SqlScript scan() {
            SqlLexer lexer = new SqlLexer(text);
            try {
                for (Token t = lexer.next(); t != null; t = lexer.next()) {
                    i = t.start();
                    line = t.line();
                    switch (t.kind()) {
                        case LINE_COMMENT -> lineComment(t);
                        case BLOCK_COMMENT -> {
                        }
                        case STRING, QUOTED_IDENTIFIER, DOLLAR_STRING -> quoted(t, lexer.line());
                        case NUMBER -> number(t);
                        case WORD -> word(t);
                        case CHAR -> character(t);
                    }
                }
            } catch (SqlLexer.Unclosed e) {
                throw invalid(e.line(), e.getMessage());
            }
            if (parenDepth > 0) {
                throw invalid(parenLine, "parenthesis ( is never closed, so the statement runs to the end of the"
                        + " file. Add the missing )");
            }
            if (bodyDepth > 0) {
                throw invalid(bodyLine, "the BEGIN ... END body of this CREATE " + createWhat + " is never closed."
                        + " End it with END; (each CASE inside it needs its own END)");
            }
            finishStatement();
            if (statements.isEmpty()) {
                throw new BotDbException(ErrorCode.MIGRATION_INVALID,
                        file + " is empty: it has no SQL statement. Add the migration's SQL or delete the file");
            }
            return new SqlScript(statements, nonTransactional, notes, declaredNoTransaction);
        }

        private void character(Token t) {
            switch (s[t.start()]) {
                case ';' -> semicolon();
                case '\\' -> backslash(t);
                case '(' -> {
                    if (parenDepth++ == 0) {
                        parenLine = line;
                    }
                    other();
                }
                case ')' -> {
                    if (parenDepth > 0) {
                        parenDepth--;
                    }
                    other();
                }
                default -> other();
            }
        }

        private void semicolon() {
            if (parenDepth == 0 && bodyDepth == 0) {
                finishStatement();
            } else {
                other();
            }
        }

        /** Records a token spanning [from, to) that began on {@code fromLine}. */
        private void token(int from, int fromLine, int to) {
            if (start < 0) {
                start = from;
                startLine = fromLine;
            }
            end = to;
            seenToken = true;
        }

        /** A one-character token: operator, punctuation, or a ';' inside parentheses or a body. */
        private void other() {
            char c = s[i];
            token(i, line, i + 1);
            keys.add(String.valueOf(c), false);
            notAWord();
            afterDot = c == '.';
        }

        private void notAWord() {
            if (kind == Kind.START || kind == Kind.CREATE) {
                kind = Kind.PLAIN;
            }
            afterBegin = false;
            afterDot = false;
        }

        private void word(Token t) {
            int from = t.start();
            int to = t.end();
            int len = to - from;
            token(from, line, to);
            boolean identifierAfterDot = afterDot;
            afterDot = false;
            keys.add(keys.full() ? null : new String(s, from, len).toUpperCase(Locale.ROOT), true);
            switch (kind) {
                case START -> kind = regionIs(from, len, "CREATE") ? Kind.CREATE : Kind.PLAIN;
                case CREATE -> {
                    if (regionIs(from, len, "TRIGGER")) {
                        kind = Kind.TRIGGER;
                        createWhat = "TRIGGER";
                    } else if (regionIs(from, len, "FUNCTION") || regionIs(from, len, "PROCEDURE")) {
                        kind = Kind.ROUTINE;
                        createWhat = new String(s, from, len).toUpperCase(Locale.ROOT);
                    } else if (!(regionIs(from, len, "OR") || regionIs(from, len, "REPLACE")
                            || regionIs(from, len, "TEMP") || regionIs(from, len, "TEMPORARY"))) {
                        kind = Kind.PLAIN;
                    }
                }
                case TRIGGER, ROUTINE -> {
                    if (!identifierAfterDot) {
                        bodyKeyword(from, len);
                    }
                }
                default -> {
                }
            }
        }

        /** Tracks BEGIN/CASE/END nesting inside CREATE TRIGGER/FUNCTION/PROCEDURE. */
        private void bodyKeyword(int from, int len) {
            boolean wasAfterBegin = afterBegin;
            afterBegin = false;
            if (regionIs(from, len, "BEGIN")) {
                if (kind == Kind.TRIGGER) {
                    open();
                } else {
                    afterBegin = true; // a routine's body is BEGIN ATOMIC; a lone "begin" may be a parameter name
                }
            } else if (regionIs(from, len, "ATOMIC") && wasAfterBegin || regionIs(from, len, "CASE")) {
                open();
            } else if (regionIs(from, len, "END") && bodyDepth > 0) {
                bodyDepth--;
            }
        }

        private void open() {
            if (bodyDepth++ == 0) {
                bodyLine = line;
            }
        }

        private void number(Token t) {
            token(t.start(), t.line(), t.end());
            keys.add("9", false);
            notAWord();
        }

        /** A string, a quoted identifier or a dollar-quoted body: one token, however many lines it spans. */
        private void quoted(Token t, int endLine) {
            token(t.start(), t.line(), t.end());
            keys.add(switch (t.kind()) {
                case STRING -> "'";
                case QUOTED_IDENTIFIER -> "\"";
                default -> "$";
            }, false);
            notAWord();
            line = endLine;
        }

        private void lineComment(Token t) {
            int from = t.start() + 2;
            int to = t.end();
            if (isNoTransactionHeader(from, to)) {
                if (!seenToken) {
                    declaredNoTransaction = true;
                } else {
                    notes.add(file + " line " + line + ": '--" + new String(s, from, to - from).stripTrailing()
                            + "' is ignored here: it counts only among the comments before the first statement."
                            + " Move it to the top of the file");
                }
            }
        }

        private boolean isNoTransactionHeader(int from, int to) {
            while (from < to && isBlank(s[from])) {
                from++;
            }
            while (to > from && isBlank(s[to - 1])) {
                to--;
            }
            if (regionIs(from, to - from, NO_TRANSACTION_HEADER)) {
                return true;
            }
            if (to - from < DBMATE_UP.length() || !regionIs(from, DBMATE_UP.length(), DBMATE_UP)) {
                return false;
            }
            // dbmate: "migrate:up" followed by options, one of them transaction:false
            int j = from + DBMATE_UP.length();
            while (j < to) {
                while (j < to && isBlank(s[j])) {
                    j++;
                }
                int w = j;
                while (j < to && !isBlank(s[j])) {
                    j++;
                }
                if (regionIs(w, j - w, DBMATE_NO_TRANSACTION)) {
                    return true;
                }
            }
            return false;
        }

        /** A backslash starting a statement or a line is a psql meta-command (\\i, \\connect, \\set ...). */
        private void backslash(Token t) {
            if (start >= 0 && !t.firstOnLine()) {
                other(); // not SQL either, but the server's syntax error says where
                return;
            }
            int to = i + 1;
            while (to < n && to - i < 32 && !isBlank(s[to]) && s[to] != '\n' && s[to] != ';') {
                to++;
            }
            String command = new String(s, i, to - i);
            throw invalid(line, "psql meta-command '" + command + "' is not SQL; botdb runs SQL only."
                    + " Inline the included file or remove the line");
        }

        private void finishStatement() {
            if (start >= 0) {
                if (isTransactionControl(keys)) {
                    notes.add(file + " line " + startLine + ": removed top-level " + String.join(" ", keysText())
                            + " (botdb runs each file in its own transaction)");
                } else if (isRollback(keys)) {
                    throw invalid(startLine, String.join(" ", keysText()) + " at the top level would undo the file's"
                            + " own changes. botdb runs each file in its own transaction and rolls it back when a"
                            + " statement fails; remove the " + keys.get(0));
                } else {
                    Statement st = new Statement(new String(s, start, end - start), startLine, statements.size() + 1);
                    statements.add(st);
                    if (refusedInTransactionBlock(keys)) {
                        nonTransactional.add(st);
                    }
                }
            }
            start = -1;
            keys.clear();
            kind = Kind.START;
            createWhat = "";
            parenDepth = 0;
            bodyDepth = 0;
            afterBegin = false;
            afterDot = false;
        }

        private List<String> keysText() {
            List<String> words = new ArrayList<>();
            for (int k = 0; k < keys.count(); k++) {
                words.add(keys.get(k));
            }
            return words;
        }

        private BotDbException invalid(int atLine, String what) {
            return new BotDbException(ErrorCode.MIGRATION_INVALID, file + " line " + atLine + ": " + what);
        }

        /** Case-insensitive comparison of s[from, from+len) with an ASCII keyword, without allocating. */
        private boolean regionIs(int from, int len, String keyword) {
            if (len != keyword.length()) {
                return false;
            }
            for (int k = 0; k < len; k++) {
                char a = s[from + k];
                char b = keyword.charAt(k);
                if (a != b && Character.toUpperCase(a) != Character.toUpperCase(b)) {
                    return false;
                }
            }
            return true;
        }

        private static boolean isBlank(char c) {
            return SqlLexer.isBlank(c);
        }
    }
}
