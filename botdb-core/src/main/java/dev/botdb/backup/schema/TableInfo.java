package dev.botdb.backup.schema;

import dev.botdb.dialect.QualifiedName;
import java.util.List;

/**
 * A table whose rows a backup copies.
 *
 * @param name the table
 * @param copyColumns the quoted column names for {@code COPY table (columns) TO/FROM}, in column
 *     order; generated columns are left out (the server computes them again)
 * @param estimatedBytes the table's size on disk (heap and TOAST) when it was read, for scheduling
 * @param partitionedParent a partitioned table: it holds no rows of its own, its partitions are
 *     listed separately, and the restorer skips its COPY
 */
public record TableInfo(QualifiedName name, List<String> copyColumns, long estimatedBytes, boolean partitionedParent) {
    public TableInfo {
        copyColumns = List.copyOf(copyColumns);
    }

    /** {@code "schema"."table" ("a", "b")}: the target of a {@code COPY}. */
    public String copyTarget() {
        return name.sql() + " (" + String.join(", ", copyColumns) + ")";
    }
}
