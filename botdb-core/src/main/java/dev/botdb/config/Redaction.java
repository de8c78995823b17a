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

    private static String mask(String text, boolean oneUrl) {
        if (text == null) {
            return null;
        }
        // Both rules mark positions in the original text: masking the user info first would hide
        // the "password=" in front of a parameter value that holds an '@', and show the value.
        BitSet hidden = new BitSet();
        BitSet emptySecrets = new BitSet();
        int scheme = text.indexOf("://");
        if (scheme >= 0 || oneUrl) {
            int start = scheme >= 0 ? scheme + 3 : 0;
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

    /** Marks [from, to) as secret; an empty secret still shows as a mask, so its length stays unknown. */
    private static void mark(BitSet hidden, BitSet emptySecrets, int from, int to) {
        if (from == to) {
            emptySecrets.set(from);
        } else {
            hidden.set(from, to);
        }
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
