-- Versions of the assumptions behind reports. A new version is a new row; none is changed.

CREATE TABLE assumptions (
    version         INTEGER PRIMARY KEY AUTOINCREMENT,
    effective_from  TEXT NOT NULL,
    values_json     TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    actor           TEXT NOT NULL,
    source          TEXT NOT NULL CHECK (source IN ('cli', 'web', 'api', 'import', 'job'))
);
CREATE INDEX assumptions_effective ON assumptions (effective_from, version);

CREATE TRIGGER assumptions_no_update BEFORE UPDATE ON assumptions
BEGIN
    SELECT RAISE(ABORT, 'assumption versions are append-only');
END;

CREATE TRIGGER assumptions_no_delete BEFORE DELETE ON assumptions
BEGIN
    SELECT RAISE(ABORT, 'assumption versions are append-only');
END;
