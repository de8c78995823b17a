package dev.botdb.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Removes secrets from text that is about to be shown: URLs, JDBC URLs, key=value lists. */
public final class Redaction {
    private static final Pattern PASSWORD_PARAM =
            Pattern.compile("(?i)((?:^|[?&;\\s])(?:password|sslpassword)\\s*=\\s*)([^&;\\s]*)");
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
        if (text == null) {
            return null;
        }
        String out = text;
        int scheme = out.indexOf("://");
        if (scheme >= 0) {
            int start = scheme + 3;
            int at = out.lastIndexOf('@');
            if (at >= start) {
                int colon = out.indexOf(':', start);
                if (colon >= 0 && colon < at) {
                    out = out.substring(0, colon + 1) + Secret.MASK + out.substring(at);
                }
            }
        }
        Matcher m = PASSWORD_PARAM.matcher(out);
        return m.replaceAll(mr -> Matcher.quoteReplacement(mr.group(1) + Secret.MASK));
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
