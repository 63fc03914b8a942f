-- The organisation's areas and roles as its role pages describe them, and the job-titles
-- page's own parts. A role's parts (description, notes, key goal, responsibilities and
-- expectations, performance measures, salary rationale, comparable titles, sections Bearing
-- does not recognise) are Markdown kept as written, in text_json, so a page read in and
-- published again says what it said.

CREATE TABLE areas (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    description  TEXT,
    position     INTEGER NOT NULL,
    -- The area's page (key goals, areas of responsibility, measures, current roles, other
    -- sections), once one was imported or written.
    page_json    TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    deleted_at   TEXT
);
CREATE UNIQUE INDEX areas_name ON areas (name);

CREATE TABLE roles (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    area_id      INTEGER REFERENCES areas (id),
    position     INTEGER NOT NULL,
    text_json    TEXT NOT NULL,
    -- YYYY-MM: when the role's notes ask for it to be looked at again.
    revisit      TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    deleted_at   TEXT
);
CREATE UNIQUE INDEX roles_name ON roles (name);

-- Published pages' own parts, by name (e.g. `job-titles`: its title, preamble and the
-- sections that are not roles, in their order among the roles).
CREATE TABLE documents (
    name          TEXT PRIMARY KEY,
    content_json  TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
