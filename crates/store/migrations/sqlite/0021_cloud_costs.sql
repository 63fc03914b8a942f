-- Cloud costs: the cloud bills' lines, which cluster (and hub) each billing account,
-- sub-account or tag is, how a shared cluster's cost is split among its hubs, what was decided
-- about each overrun of a budget threshold, and the credits held for a partner.

-- A bill's lines. An import makes each billing account's month exactly the file's lines for
-- it: lines it no longer holds are marked deleted (and kept), lines it holds again come back.
-- A line is known by its month, account and identity (a hash of its fields and its order
-- among alike lines). Amounts are in millionths of the currency, as bills price them.
CREATE TABLE cloud_costs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    month          TEXT NOT NULL,
    account        TEXT NOT NULL,
    identity       TEXT NOT NULL,
    sub_account    TEXT,
    category       TEXT,
    amount_micros  INTEGER NOT NULL,
    currency       TEXT NOT NULL,
    tags           TEXT NOT NULL,
    file           TEXT NOT NULL,
    imported_at    TEXT NOT NULL,
    deleted_at     TEXT
);
CREATE UNIQUE INDEX cloud_costs_identity ON cloud_costs (month, account, identity);

-- What a billing account, a sub-account or a tag's value stands for: a cluster (and a hub on
-- it), its costs recoverable or absorbed. A removed mapping keeps its row; one mapping of a
-- kind, key and value is in force at a time.
CREATE TABLE cloud_mappings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL CHECK (kind IN ('account', 'sub-account', 'tag')),
    tag          TEXT NOT NULL,
    value        TEXT NOT NULL,
    cluster_id   INTEGER NOT NULL REFERENCES clusters (id),
    hub_id       INTEGER REFERENCES hubs (id),
    recoverable  INTEGER NOT NULL CHECK (recoverable IN (0, 1)),
    created_at   TEXT NOT NULL,
    deleted_at   TEXT
);
CREATE UNIQUE INDEX cloud_mappings_match ON cloud_mappings (kind, tag, value)
    WHERE deleted_at IS NULL;

-- How a shared cluster's cost is split among its hubs, append-only: a cluster's latest rule
-- is in force, and a cluster without one splits by usage.
CREATE TABLE cloud_split_rules (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster_id  INTEGER NOT NULL REFERENCES clusters (id),
    rule        TEXT NOT NULL,
    set_at      TEXT NOT NULL
);
CREATE INDEX cloud_split_rules_cluster ON cloud_split_rules (cluster_id, id);

-- What was decided about a billing account's month over its budget threshold, append-only:
-- the latest decision of an account's month is in force.
CREATE TABLE cloud_decisions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account         TEXT NOT NULL,
    month           TEXT NOT NULL,
    decision        TEXT NOT NULL CHECK (decision IN ('absorb', 'recover', 'discount')),
    discount_minor  INTEGER,
    reason          TEXT NOT NULL,
    decided_by      TEXT NOT NULL,
    decided_at      TEXT NOT NULL,
    CHECK ((decision = 'discount') = (discount_minor IS NOT NULL))
);
CREATE INDEX cloud_decisions_month ON cloud_decisions (account, month, id);

-- Credits the organisation holds on a partner's behalf, drawn down by the partner's
-- recoverable cloud costs from the month they were received.
CREATE TABLE cloud_credits (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id  INTEGER NOT NULL REFERENCES organizations (id),
    amount_minor     INTEGER NOT NULL,
    currency         TEXT NOT NULL,
    received_on      TEXT NOT NULL,
    note             TEXT,
    recorded_at      TEXT NOT NULL
);
CREATE INDEX cloud_credits_organization ON cloud_credits (organization_id);
