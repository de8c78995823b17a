-- "Database-specific boolean syntax": TRUE/FALSE on PostgreSQL.
ALTER TABLE registrations ADD COLUMN is_confirmed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE registrations ADD COLUMN entry_fee NUMERIC(8, 2);
CREATE INDEX idx_registrations_competition ON registrations (competition_id) WHERE is_confirmed;
