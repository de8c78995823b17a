package dev.botdb.transfer;

import java.util.List;

/**
 * What a transfer will do, worked out before anything is written: each source table, the target table it
 * goes into, each column's conversion and the row count; and every problem that stops it, each with its fix.
 *
 * @param source       the SQLite file
 * @param targetSchema the target schema the tables are found (or created) in
 * @param tables       the tables in the order they load (referenced tables first)
 * @param problems     what must be fixed before the transfer can run; empty when it can
 * @param withRows     target tables that already hold rows (refused unless --truncate)
 * @param created      the CREATE statements --create-schema runs (empty without it)
 * @param notes        what the plan wants the operator to know but does not stop it (CHECK constraints left out, ...)
 * @param journalMode  the source's journal mode: in WAL mode the bot may keep writing while it is read
 */
public record TransferPlan(String source, String targetSchema, List<TablePlan> tables, List<String> problems,
                           List<String> withRows, List<String> created, List<String> notes, String journalMode) {
    /** One table: source name and rows, target name, the columns copied, and target columns filled by defaults. */
    public record TablePlan(String source, String target, long rows, List<ColumnPlan> columns, List<String> defaulted,
                            boolean withoutRowid) {
    }

    /** One column: source name and declared type, target name and type. */
    public record ColumnPlan(String source, String sourceType, String target, String targetType) {
    }

    public long rows() {
        return tables.stream().mapToLong(TablePlan::rows).sum();
    }
}
