-- The books: the account map, the sponsor's general-ledger lines and the closes of months.

-- The category finance gave each general-ledger account; the organisation's default chart
-- is known to the code and needs no row.
CREATE TABLE gl_accounts (
    code        TEXT PRIMARY KEY,
    name        TEXT,
    category    TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- The ledger's lines. An import of a month makes the month's lines those of the file: lines
-- it no longer holds are marked deleted (and kept), lines it holds again come back. A line is
-- known by its month and identity (a hash of its fields and its order among alike lines).
CREATE TABLE actual_lines (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    month         TEXT NOT NULL,
    identity      TEXT NOT NULL,
    account       TEXT NOT NULL,
    account_name  TEXT,
    description   TEXT,
    amount_minor  INTEGER NOT NULL,
    grant_code    TEXT,
    source        TEXT,
    file          TEXT NOT NULL,
    imported_at   TEXT NOT NULL,
    deleted_at    TEXT
);
CREATE UNIQUE INDEX actual_lines_identity ON actual_lines (month, identity);

-- Every close of a month, append-only; a month's latest close is the one in force. The
-- forecast made before the close is kept as it was (JSON), with the assumptions version
-- that made it.
CREATE TABLE month_closes (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    month                TEXT NOT NULL,
    net_assets_minor     INTEGER NOT NULL,
    revenue_minor        INTEGER NOT NULL,
    costs_minor          INTEGER NOT NULL,
    reason               TEXT,
    assumptions_version  INTEGER NOT NULL,
    forecast_json        TEXT NOT NULL,
    closed_at            TEXT NOT NULL,
    actor                TEXT NOT NULL,
    source               TEXT NOT NULL CHECK (source IN ('cli', 'web', 'api', 'import', 'job'))
);
CREATE INDEX month_closes_month ON month_closes (month);
