/**
 * PostgreSQL's COPY binary format, shared by the features that stream rows: {@code BinaryCopy} finds the
 * tuples in a COPY stream however it is cut, {@code RowsHash} hashes a table's rows as a multiset (the
 * backup's verify and the transfer's check compare such hashes).
 */
package dev.botdb.copy;
