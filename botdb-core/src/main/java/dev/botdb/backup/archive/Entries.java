package dev.botdb.backup.archive;

import java.util.Locale;

/** Names of the entries inside a botdb archive. */
public final class Entries {
    /** The PostgreSQL schema as JSON (the SchemaDump). */
    public static final String SCHEMA = "schema.json";
    /** A SQLite backup: the consistent copy of the database file. */
    public static final String SQLITE = "sqlite.db";

    private Entries() {
    }

    /** The rows of the {@code i}-th table of the manifest. */
    public static String data(int i) {
        return String.format(Locale.ROOT, "data/%05d", i);
    }
}
