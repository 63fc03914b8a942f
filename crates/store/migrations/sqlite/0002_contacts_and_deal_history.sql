-- Tags (segments) of organizations; contacts and their organizations, and the deal history: one row per change of a tracked
-- field (stage, probability, forecast category, amounts, dates), append-only.

CREATE TABLE contacts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL,
    email          TEXT,
    github_handle  TEXT,
    strategic      INTEGER NOT NULL DEFAULT 0 CHECK (strategic IN (0, 1)),
    coverage       TEXT,
    notes          TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT
);
CREATE UNIQUE INDEX contacts_email ON contacts (email);

CREATE TABLE contact_organizations (
    contact_id       INTEGER NOT NULL REFERENCES contacts (id),
    organization_id  INTEGER NOT NULL REFERENCES organizations (id),
    label            TEXT NOT NULL CHECK (label IN ('community-representative', 'technical-contact', 'billing-contact', 'other')),
    PRIMARY KEY (contact_id, organization_id, label)
);
CREATE INDEX contact_organizations_organization ON contact_organizations (organization_id);

-- Imported columns without a field of their own, so nothing from an import is dropped.
CREATE TABLE organization_properties (
    organization_id  INTEGER NOT NULL REFERENCES organizations (id),
    key              TEXT NOT NULL,
    value            TEXT NOT NULL,
    PRIMARY KEY (organization_id, key)
);

CREATE TABLE contact_properties (
    contact_id  INTEGER NOT NULL REFERENCES contacts (id),
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (contact_id, key)
);

CREATE TABLE deal_history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    deal_id    INTEGER NOT NULL REFERENCES deals (id),
    field      TEXT NOT NULL,
    old_value  TEXT,
    new_value  TEXT,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('cli', 'web', 'api', 'import', 'job'))
);
CREATE INDEX deal_history_deal ON deal_history (deal_id, id);
CREATE INDEX deal_history_at ON deal_history (at);

CREATE TRIGGER deal_history_no_update BEFORE UPDATE ON deal_history
BEGIN
    SELECT RAISE(ABORT, 'the deal history is append-only');
END;

CREATE TRIGGER deal_history_no_delete BEFORE DELETE ON deal_history
BEGIN
    SELECT RAISE(ABORT, 'the deal history is append-only');
END;

-- Segments an organization belongs to, separated by ';'.
ALTER TABLE organizations ADD COLUMN tags TEXT;
