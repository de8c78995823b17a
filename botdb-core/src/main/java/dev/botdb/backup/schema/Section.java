package dev.botdb.backup.schema;

/** Where a statement runs in a restore, as pg_dump splits a dump. */
public enum Section {
    /** Before the rows are loaded: schemas, extensions, types, functions, sequences, tables, views. */
    PRE_DATA,
    /** With the rows: the sequences' current values. */
    DATA,
    /** After the rows: constraints, indexes, foreign keys, triggers, policies, comments, grants. */
    POST_DATA
}
