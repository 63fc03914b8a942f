-- A draft's lines may be replaced until it is issued: the lines it had keep their rows, marked
-- with when they were replaced, and only the lines in force hold their positions.
ALTER TABLE invoice_lines ADD COLUMN replaced_at TEXT;
DROP INDEX invoice_lines_position;
CREATE UNIQUE INDEX invoice_lines_in_force ON invoice_lines (invoice_id, position)
    WHERE replaced_at IS NULL;
