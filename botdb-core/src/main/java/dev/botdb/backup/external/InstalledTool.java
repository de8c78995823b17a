package dev.botdb.backup.external;

import java.nio.file.Path;

/**
 * One PostgreSQL client program found on this machine.
 *
 * @param tool    which program
 * @param path    the executable
 * @param version what its {@code --version} printed
 * @param source  where it was found: {@code PG_BIN}, {@code PATH} or the Debian folder it is in
 */
public record InstalledTool(Tool tool, Path path, ToolVersion version, String source) {

    @Override
    public String toString() {
        return tool + " " + version + " (" + path + ")";
    }
}
