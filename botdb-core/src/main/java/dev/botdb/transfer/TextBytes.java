package dev.botdb.transfer;

import java.nio.charset.StandardCharsets;

/**
 * A TEXT value as SQLite's UTF-8 bytes, for the columns whose conversion decodes it on the sending thread
 * ({@link Conversion#readsTextAsBytes}): the reading thread, the copy's busiest, then makes no String.
 */
record TextBytes(byte[] utf8) {

    /** The text; dates and times are ASCII, which is copied rather than decoded. */
    String text() {
        for (byte b : utf8) {
            if (b < 0) {
                return new String(utf8, StandardCharsets.UTF_8);
            }
        }
        return new String(utf8, StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
        return text();
    }
}
