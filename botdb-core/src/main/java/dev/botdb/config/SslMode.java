package dev.botdb.config;

import dev.botdb.BotDbException;
import dev.botdb.ErrorCode;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The six libpq {@code sslmode} values, with libpq's meaning
 * (https://www.postgresql.org/docs/current/libpq-ssl.html#LIBPQ-SSL-PROTECTION).
 */
public enum SslMode {
    /** Never use SSL. */
    DISABLE("disable", false),
    /** Try without SSL first; use SSL only if the server insists. */
    ALLOW("allow", false),
    /** Try SSL first; fall back to plain if the server has no SSL (libpq's default). */
    PREFER("prefer", false),
    /** SSL or nothing; the certificate is checked only when a root certificate is configured. */
    REQUIRE("require", true),
    /** SSL, and the server certificate must be signed by the configured root certificate. */
    VERIFY_CA("verify-ca", true),
    /** As verify-ca, and the host name must match the certificate. */
    VERIFY_FULL("verify-full", true);

    private final String value;
    private final boolean encrypted;

    SslMode(String value, boolean encrypted) {
        this.value = value;
        this.encrypted = encrypted;
    }

    /** The libpq spelling, e.g. {@code verify-full}. */
    public String value() {
        return value;
    }

    /** True when this mode never sends data unencrypted. */
    public boolean alwaysEncrypted() {
        return encrypted;
    }

    /**
     * Parses a libpq sslmode value; {@code source} names the variable for the error message.
     */
    public static SslMode parse(String text, String source) {
        return find(text).orElseThrow(() -> new BotDbException(ErrorCode.CONFIG_INVALID,
                source + ": unknown sslmode '" + Redaction.printable(text) + "'. Use one of: " + allValues()
                        + ". Example: ...?sslmode=require"));
    }

    /** The mode spelled {@code text} (case and surrounding spaces ignored), or empty. */
    static Optional<SslMode> find(String text) {
        String wanted = text.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(mode -> mode.value.equals(wanted)).findFirst();
    }

    static String allValues() {
        return Arrays.stream(values()).map(SslMode::value).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return value;
    }
}
