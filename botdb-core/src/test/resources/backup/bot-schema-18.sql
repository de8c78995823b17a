-- What PostgreSQL 18 adds (PgSchemaReaderTest applies it on 18 and later): named and NOT VALID
-- NOT NULL constraints, virtual generated columns, NOT ENFORCED checks.
CREATE TABLE pg18_features (
    id integer CONSTRAINT pg18_id_required NOT NULL,
    a integer NOT NULL,
    doubled integer GENERATED ALWAYS AS (a * 2) VIRTUAL,
    b integer,
    CONSTRAINT pg18_b_positive CHECK (b > 0) NOT ENFORCED
);
INSERT INTO pg18_features (id, a, b) VALUES (1, 2, NULL), (2, 3, -1);
ALTER TABLE pg18_features ADD CONSTRAINT pg18_b_required NOT NULL b NOT VALID;
