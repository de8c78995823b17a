-- "Database-specific boolean syntax": 1/0 on SQLite.
ALTER TABLE registrations ADD COLUMN is_confirmed BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE registrations ADD COLUMN entry_fee NUMERIC(8, 2);
CREATE INDEX idx_registrations_competition ON registrations (competition_id) WHERE is_confirmed = 1;
