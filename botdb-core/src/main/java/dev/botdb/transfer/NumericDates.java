package dev.botdb.transfer;

/**
 * What a number (INTEGER or REAL storage) in a SQLite column means when its target column is a date or
 * timestamp. SQLite has no date type: its date functions work on text ({@code 2024-05-01 12:00:00}), Julian
 * day numbers ({@code julianday()}) and Unix seconds ({@code unixepoch()}, {@code strftime('%s')}); a
 * column keeps whichever the bot wrote. Text is always recognised; numbers need this choice.
 */
public enum NumericDates {
    /** Seconds since 1970-01-01 UTC, fractions kept ({@code time.time()}, {@code unixepoch()}): the default. */
    UNIX,
    /** Milliseconds since 1970-01-01 UTC ({@code Date.now()} in JavaScript, {@code System.currentTimeMillis()}). */
    UNIX_MS,
    /** Julian day numbers, as {@code julianday()} returns ({@code 2460432.0} is 2024-05-01 12:00 UTC). */
    JULIAN;

    /** The option's spelling: {@code unix}, {@code unix-ms}, {@code julian}. */
    public String option() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
