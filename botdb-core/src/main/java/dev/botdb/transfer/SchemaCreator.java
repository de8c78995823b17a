package dev.botdb.transfer;

import java.util.ArrayList;
import java.util.List;

/** {@code --create-schema}: CREATE statements for the source tables the target lacks. */
final class SchemaCreator {
    private final List<String> statements = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    SchemaCreator(List<SqliteSource.Table> tables, TargetTables existing) {
    }

    List<String> statements() {
        return statements;
    }

    List<String> notes() {
        return notes;
    }
}
