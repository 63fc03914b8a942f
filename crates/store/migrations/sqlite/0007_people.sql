-- People, the roles they hold, and the salary bands that pay them.

CREATE TABLE people (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    email        TEXT,
    github       TEXT,
    kind         TEXT NOT NULL CHECK (kind IN ('employee', 'contractor')),
    -- MM-DD: the yearly renewal of the person's agreement, e.g. 07-01.
    renewal      TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    deleted_at   TEXT
);
CREATE UNIQUE INDEX people_name ON people (name) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX people_email ON people (email) WHERE deleted_at IS NULL AND email IS NOT NULL;

-- A person in a role at a level and step, for part or all of their time, funded by grant
-- codes whose shares add to 100% (funding_json: [["GRANT", 0.6], …]). Contractors are paid
-- monthly_payment (minor units) instead of a band.
CREATE TABLE assignments (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id        INTEGER NOT NULL REFERENCES people (id),
    role_id          INTEGER NOT NULL REFERENCES roles (id),
    level            INTEGER NOT NULL CHECK (level BETWEEN 1 AND 20),
    step             INTEGER NOT NULL CHECK (step BETWEEN 1 AND 20),
    fte              REAL NOT NULL CHECK (fte > 0 AND fte <= 1),
    start_date       TEXT NOT NULL,
    end_date         TEXT,
    monthly_payment  INTEGER CHECK (monthly_payment >= 0),
    description      TEXT,
    funding_json     TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT
);
CREATE INDEX assignments_person ON assignments (person_id);

-- Annual base salary (minor units, USD) of a ladder (a role's name) at a level and step,
-- from a day on; a later row for the same band takes over from its day.
CREATE TABLE salary_bands (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    ladder          TEXT NOT NULL,
    level           INTEGER NOT NULL CHECK (level BETWEEN 1 AND 20),
    step            INTEGER NOT NULL CHECK (step BETWEEN 1 AND 20),
    annual_base     INTEGER NOT NULL CHECK (annual_base >= 0),
    effective_from  TEXT NOT NULL,
    note            TEXT,
    recorded_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX salary_bands_key ON salary_bands (ladder, level, step, effective_from);
