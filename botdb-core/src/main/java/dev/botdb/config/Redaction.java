package dev.botdb.config;

import java.util.BitSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Removes secrets from text that is about to be shown: URLs, JDBC URLs, key=value lists. */
public final class Redaction {
    /**
     * A password parameter and its value. The value ends at the end of the line or where the next
     * parameter ({@code &key=}, {@code ;key=}, {@code  key=}) starts, so an unencoded '&', ';' or
     * space inside the password does not leave the rest of it visible.
     */
    private static final Pattern PASSWORD_PARAM = Pattern.compile(
            "(?i)((?:^|[?&;\\s])(?:password|sslpassword)\\s*=\\s*)"
                    + "((?:[^&;\\s]|[&;\\h](?!\\h*[a-z_][a-z0-9_.\\-]*\\h*=))*)");
    /** The scheme a connection URL starts with: {@code postgres://}, {@code jdbc:postgresql://}. */
    private static final Pattern LEADING_SCHEME = Pattern.compile("(?i)(?:jdbc:)?[a-z][a-z0-9+.\\-]*://");
    /**
     * The string after PASSWORD (ALTER ROLE ... PASSWORD '...'), which must never be shown, in each
     * form PostgreSQL takes ("Lexical Structure"): '...', E'...' (backslash escapes), U&'...', and
     * $tag$...$tag$, with comments allowed before it. A "--" comment (or an unclosed string) runs
     * to the end of the one-line text, so the rest is masked. Group 1 keeps PASSWORD and what
     * precedes the string, without the comments' text.
     */
    private static final Pattern PASSWORD_LITERAL = Pattern.compile("(?is)(password\\s*=?\\s*)"
            + "(?:(?:/\\*.*?\\*/|--.*)\\s*)*"
            + "(?:(?:E|U&)?'(?:[^'\\\\]|''|\\\\.)*(?:'|$)(?:\\s*UESCAPE\\s*'[^']*')?"
            + "|\\$([A-Za-z_][A-Za-z_0-9]*)?\\$.*?(?:\\$\\2\\$|$)"
            + "|--.*)");
    private static final int MAX_ECHO = 120;

    private Redaction() {
    }

    /**
     * Masks the password in anything that looks like a connection URL:
     * {@code postgres://bot:s3cret@db/x} becomes {@code postgres://bot:****@db/x}, and
     * {@code password=...} parameters become {@code password=****}. Errs on the side of
     * masking too much: everything between the first ':' after the scheme and the last '@' goes,
     * so a password with an unencoded '@', '/' or '?' is still hidden.
     */
    public static String maskUrl(String text) {
        return mask(text, false);
    }

    /**
     * {@link #maskUrl} for text that is one connection URL: when a typo dropped its {@code //}
     * ({@code bot:pw@host/db}, {@code postgres:bot:pw@host/db}), everything from its first ':' to
     * its last '@' is masked as well.
     */
    static String maskConnectionUrl(String url) {
        return mask(url, true);
    }

    /**
     * Whether a connection URL carries a secret in any form {@link #maskUrl} hides: user info
     * ({@code postgres://bot:pw@db}), a {@code password=} or {@code sslpassword=} parameter (libpq
     * and JDBC URLs alike). Command lines refuse such URLs: every user of the machine sees them in ps.
     */
    public static boolean holdsSecret(String url) {
        return url != null && !maskConnectionUrl(url).equals(url);
    }

    private static String mask(String text, boolean oneUrl) {
        if (text == null) {
            return null;
        }
        // Both rules mark positions in the original text: masking the user info first would hide
        // the "password=" in front of a parameter value that holds an '@', and show the value.
        BitSet hidden = new BitSet();
        BitSet emptySecrets = new BitSet();
        int start = userInfoStart(text, oneUrl);
        if (start >= 0) {
            int at = text.lastIndexOf('@');
            if (at >= start) {
                int colon = text.indexOf(':', start);
                if (colon >= 0 && colon < at) {
                    mark(hidden, emptySecrets, colon + 1, at);
                }
            }
        }
        Matcher m = PASSWORD_PARAM.matcher(text);
        while (m.find()) {
            mark(hidden, emptySecrets, m.start(2), m.end(2));
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i <= text.length(); i++) {
            boolean afterHidden = i > 0 && hidden.get(i - 1);
            if (!afterHidden && (hidden.get(i) || emptySecrets.get(i))) {
                out.append(Secret.MASK);
            }
            if (i < text.length() && !hidden.get(i)) {
                out.append(text.charAt(i));
            }
        }
        return out.toString();
    }

    /**
     * Where the user info of the URL in {@code text} may start: after its scheme's {@code ://}; or,
     * when the first {@code ://} cannot be the end of a scheme ({@code postgres//bot://pw@db}:
     * a typo dropped the real one and the password holds one), at the start of the URL, so that
     * everything from its first ':' to its last '@' is masked. -1 when the text holds no URL.
     */
    private static int userInfoStart(String text, boolean oneUrl) {
        if (oneUrl) {
            Matcher m = LEADING_SCHEME.matcher(text);
            return m.lookingAt() ? m.end() : 0;
        }
        int separator = text.indexOf("://");
        if (separator < 0) {
            return -1;
        }
        int begin = separator;
        while (begin > 0 && isSchemeChar(text.charAt(begin - 1))) {
            begin--;
        }
        if (begin >= 5 && text.regionMatches(true, begin - 5, "jdbc:", 0, 5)) {
            begin -= 5;
        }
        boolean scheme = begin < separator && isAsciiLetter(text.charAt(begin))
                && (begin == 0 || "/:@%".indexOf(text.charAt(begin - 1)) < 0);
        if (scheme) {
            return separator + 3;
        }
        int urlStart = separator;
        while (urlStart > 0 && !Character.isWhitespace(text.charAt(urlStart - 1))) {
            urlStart--;
        }
        return urlStart;
    }

    private static boolean isSchemeChar(char c) {
        return isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '+' || c == '.' || c == '-';
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** Marks [from, to) as secret; an empty secret still shows as a mask, so its length stays unknown. */
    private static void mark(BitSet hidden, BitSet emptySecrets, int from, int to) {
        if (from == to) {
            emptySecrets.set(from);
        } else {
            hidden.set(from, to);
        }
    }

    /**
     * Another session's statement for a report: one line, the password after every PASSWORD
     * masked as {@code '****'}, at most {@code maxChars} characters; null stays null.
     */
    public static String statement(String sql, int maxChars) {
        if (sql == null) {
            return null;
        }
        String oneLine = sql.replaceAll("\\s+", " ").trim();
        String masked = PASSWORD_LITERAL.matcher(oneLine).replaceAll("$1'****'");
        return masked.length() <= maxChars ? masked : masked.substring(0, maxChars - 3) + "...";
    }

    /** A user-supplied fragment made safe to echo: control characters escaped, length capped. */
    public static String printable(String text) {
        StringBuilder sb = new StringBuilder();
        text.codePoints().limit(MAX_ECHO).forEach(cp -> {
            if (Character.isISOControl(cp)) {
                sb.append(String.format("\\u%04x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        if (text.codePointCount(0, text.length()) > MAX_ECHO) {
            sb.append("...");
        }
        return sb.toString();
    }
}
