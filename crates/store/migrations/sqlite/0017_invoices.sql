-- Invoices, their lines and their payments. An invoice is never deleted: it is voided with a
-- reason and keeps its row. Its lines are written once, when it is made; an issued invoice
-- that is wrong is voided and replaced. Payments are append-only: a refund or a correction
-- is a negative payment.
CREATE TABLE invoices (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    number           TEXT NOT NULL,
    organization_id  INTEGER NOT NULL REFERENCES organizations (id),
    deal_id          INTEGER REFERENCES deals (id),
    kind             TEXT NOT NULL CHECK (kind IN ('membership', 'usage', 'cloud', 'service', 'grant-tranche', 'other')),
    currency         TEXT NOT NULL,
    total_minor      INTEGER NOT NULL,
    service_from     TEXT,
    service_to       TEXT,
    billable_on      TEXT,
    terms_days       INTEGER NOT NULL,
    issued_on        TEXT,
    due_on           TEXT,
    external_id      TEXT,
    source           TEXT,
    voided_on        TEXT,
    void_reason      TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE UNIQUE INDEX invoices_number ON invoices (number);
CREATE INDEX invoices_organization ON invoices (organization_id);
CREATE INDEX invoices_deal ON invoices (deal_id);

CREATE TABLE invoice_lines (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id             INTEGER NOT NULL REFERENCES invoices (id),
    position               INTEGER NOT NULL,
    description            TEXT NOT NULL,
    quantity_thousandths   INTEGER NOT NULL,
    unit_minor             INTEGER NOT NULL,
    amount_minor           INTEGER NOT NULL
);
CREATE UNIQUE INDEX invoice_lines_position ON invoice_lines (invoice_id, position);

CREATE TABLE payments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id    INTEGER NOT NULL REFERENCES invoices (id),
    paid_on       TEXT NOT NULL,
    amount_minor  INTEGER NOT NULL,
    reference     TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX payments_invoice ON payments (invoice_id);
