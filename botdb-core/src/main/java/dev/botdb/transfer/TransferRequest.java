package dev.botdb.transfer;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code botdb transfer} is asked to do. The target is the database the {@code BotDb} it runs on is
 * connected to.
 *
 * @param source       the SQLite database file to read (never written)
 * @param truncate     empty target tables that hold rows first (a safety backup of them is taken before)
 * @param skipBadRows  a row with a value that cannot be converted goes to {@code rejects} instead of stopping
 * @param rejects      where skipped rows are written as CSV (required with {@code skipBadRows})
 * @param createSchema create the target tables from SQLite's schema when the target has none of them
 * @param numericDates what a number in a date or timestamp column means
 */
public record TransferRequest(Path source, boolean truncate, boolean skipBadRows, Optional<Path> rejects,
                              boolean createSchema, NumericDates numericDates) {
    public TransferRequest {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(rejects, "rejects");
        Objects.requireNonNull(numericDates, "numericDates");
    }

    /** Copy every table of {@code source} into the target's tables of the same names; stop at the first bad value. */
    public static TransferRequest from(Path source) {
        return new TransferRequest(source, false, false, Optional.empty(), false, NumericDates.UNIX);
    }

    public TransferRequest truncating() {
        return new TransferRequest(source, true, skipBadRows, rejects, createSchema, numericDates);
    }

    /** Rows with a value that cannot be converted go to {@code file} (CSV) and the rest is transferred. */
    public TransferRequest skippingBadRows(Path file) {
        return new TransferRequest(source, truncate, true, Optional.of(file), createSchema, numericDates);
    }

    public TransferRequest creatingSchema() {
        return new TransferRequest(source, truncate, skipBadRows, rejects, true, numericDates);
    }

    public TransferRequest withNumericDates(NumericDates meaning) {
        return new TransferRequest(source, truncate, skipBadRows, rejects, createSchema, meaning);
    }
}
