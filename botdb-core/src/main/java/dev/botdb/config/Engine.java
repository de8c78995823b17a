package dev.botdb.config;

/** The database engines botdb talks to. */
public enum Engine {
    POSTGRESQL("postgresql"),
    SQLITE("sqlite");

    private final String label;

    Engine(String label) {
        this.label = label;
    }

    /** The lower-case name shown by {@code botdb config}. */
    public String label() {
        return label;
    }
}
