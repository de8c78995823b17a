package dev.botdb.config;

import java.util.Objects;

/**
 * A password. {@link #toString()} always prints {@code ****}, so a secret that ends up in a log
 * line, an exception message or a record's {@code toString} never shows its value.
 */
public final class Secret {
    /** What every output shows instead of a password. */
    public static final String MASK = "****";

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value);
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The real value, for handing to the JDBC driver only. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return MASK;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && other.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
