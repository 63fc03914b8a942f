-- The names the sponsor's books use for an organization, when they are neither its name nor
-- its long name. A removed alias keeps its row, marked deleted; a name answers to one
-- organization at a time (compared without regard to case).
CREATE TABLE organization_aliases (
    id               INTEGER PRIMARY KEY,
    organization_id  INTEGER NOT NULL REFERENCES organizations (id),
    alias            TEXT NOT NULL,
    folded           TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    deleted_at       TEXT
);
CREATE UNIQUE INDEX organization_aliases_folded ON organization_aliases (folded)
    WHERE deleted_at IS NULL;
CREATE INDEX organization_aliases_organization ON organization_aliases (organization_id);

-- The sponsor's invoice ledger as its latest export said, one row per invoice number: what
-- the reconciliation compares Bearing's invoices with. An import writes each row of its file
-- with its line there; rows no later file holds stay.
CREATE TABLE ledger_invoices (
    number       TEXT PRIMARY KEY,
    contact      TEXT NOT NULL,
    reference    TEXT,
    issued_on    TEXT,
    due_on       TEXT,
    currency     TEXT NOT NULL,
    total_minor  INTEGER NOT NULL,
    paid_minor   INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'issued', 'partially-paid', 'paid', 'void')),
    paid_on      TEXT,
    line         INTEGER NOT NULL,
    file         TEXT NOT NULL,
    imported_at  TEXT NOT NULL
);
