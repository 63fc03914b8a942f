-- Saved scenarios: a name, what they are for, and their changes (JSON, one object a change).
-- They never touch the records they are weighed against; a deleted one keeps its row.
CREATE TABLE scenarios (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    description   TEXT,
    changes_json  TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    deleted_at    TEXT
);
