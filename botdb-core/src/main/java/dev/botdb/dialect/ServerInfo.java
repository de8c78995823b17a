package dev.botdb.dialect;

/**
 * What a connected server says about itself.
 *
 * @param product       "PostgreSQL" or "SQLite"
 * @param version       the version as the server prints it, e.g. {@code 15.19}
 * @param versionNumber {@code server_version_num} for PostgreSQL (150019), the library number for SQLite
 */
public record ServerInfo(String product, String version, int versionNumber) {

    /** The major version: 15 for PostgreSQL 15.19, 3 for SQLite 3.50. */
    public int major() {
        return product.equals("PostgreSQL") ? versionNumber / 10_000 : versionNumber / 1_000_000;
    }

    @Override
    public String toString() {
        return product + " " + version;
    }
}
