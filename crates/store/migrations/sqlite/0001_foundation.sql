-- Bearing's first schema: organizations, pipelines and stages, campaigns, deals, and the
-- append-only audit log. Dates are ISO 8601 TEXT, timestamps fixed-width RFC 3339 UTC TEXT,
-- money integer minor units with a currency, booleans 0/1 integers.

CREATE TABLE organizations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    long_name   TEXT,
    kind        TEXT NOT NULL CHECK (kind IN ('community', 'funder', 'partner', 'sponsor', 'other')),
    website     TEXT,
    github_org  TEXT,
    notes       TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
);
CREATE UNIQUE INDEX organizations_name ON organizations (name);

CREATE TABLE pipelines (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
);
CREATE UNIQUE INDEX pipelines_name ON pipelines (name);

CREATE TABLE stages (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    pipeline_id         INTEGER NOT NULL REFERENCES pipelines (id),
    name                TEXT NOT NULL,
    position            INTEGER NOT NULL,
    default_probability REAL NOT NULL CHECK (default_probability BETWEEN 0 AND 1),
    forecast_category   TEXT NOT NULL CHECK (forecast_category IN ('pipeline', 'best-case', 'commit', 'closed', 'omitted')),
    outcome             TEXT NOT NULL CHECK (outcome IN ('open', 'won', 'lost')),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    retired_at          TEXT
);
CREATE UNIQUE INDEX stages_pipeline_name ON stages (pipeline_id, name);

CREATE TABLE campaigns (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT NOT NULL,
    channel           TEXT,
    start_date        TEXT,
    end_date          TEXT,
    cost_minor        INTEGER,
    currency          TEXT NOT NULL DEFAULT 'USD',
    cost_person_days  REAL,
    notes             TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    deleted_at        TEXT
);
CREATE UNIQUE INDEX campaigns_name ON campaigns (name);

CREATE TABLE deals (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    name               TEXT NOT NULL,
    organization_id    INTEGER REFERENCES organizations (id),
    pipeline_id        INTEGER NOT NULL REFERENCES pipelines (id),
    stage_id           INTEGER NOT NULL REFERENCES stages (id),
    probability        REAL CHECK (probability BETWEEN 0 AND 1),
    forecast_category  TEXT CHECK (forecast_category IN ('pipeline', 'best-case', 'commit', 'closed', 'omitted')),
    revenue_type       TEXT,
    deal_type          TEXT NOT NULL CHECK (deal_type IN ('new-business', 'renewal')),
    renews_deal_id     INTEGER REFERENCES deals (id),
    currency           TEXT NOT NULL,
    amount_minor       INTEGER,
    collected_minor    INTEGER,
    close_date         TEXT,
    contract_start     TEXT,
    contract_end       TEXT,
    target_start       TEXT,
    target_end         TEXT,
    owner              TEXT,
    campaign_id        INTEGER REFERENCES campaigns (id),
    loss_reason        TEXT,
    agreement_url      TEXT,
    engagement_url     TEXT,
    tracker_url        TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    deleted_at         TEXT
);
CREATE INDEX deals_organization ON deals (organization_id);
CREATE INDEX deals_stage ON deals (stage_id);
CREATE INDEX deals_renews ON deals (renews_deal_id);

-- Ids a deal has in other systems, e.g. ('crm', '86221242056').
CREATE TABLE deal_external_ids (
    deal_id      INTEGER NOT NULL REFERENCES deals (id),
    system       TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    PRIMARY KEY (system, external_id)
);
CREATE INDEX deal_external_ids_deal ON deal_external_ids (deal_id);

-- Properties from imports that have no column of their own, kept so nothing is dropped.
CREATE TABLE deal_properties (
    deal_id  INTEGER NOT NULL REFERENCES deals (id),
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (deal_id, key)
);

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('cli', 'web', 'api', 'import', 'job')),
    entity_kind  TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    action       TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'restore')),
    before_json  TEXT,
    after_json   TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity_kind, entity_id, id);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- The default pipeline, as the organisation runs it.
INSERT INTO pipelines (name, created_at, updated_at)
VALUES ('Membership Sales', '1970-01-01T00:00:00.000000Z', '1970-01-01T00:00:00.000000Z');

INSERT INTO stages (pipeline_id, name, position, default_probability, forecast_category, outcome, created_at, updated_at)
SELECT p.id, s.name, s.position, s.probability, s.category, s.outcome,
       '1970-01-01T00:00:00.000000Z', '1970-01-01T00:00:00.000000Z'
FROM pipelines p,
     (SELECT 'Enrichment' AS name, 1 AS position, 0.05 AS probability, 'pipeline' AS category, 'open' AS outcome
      UNION ALL SELECT 'Outreach', 2, 0.1, 'pipeline', 'open'
      UNION ALL SELECT 'Discovery', 3, 0.2, 'pipeline', 'open'
      UNION ALL SELECT 'Renewal', 4, 0.8, 'best-case', 'open'
      UNION ALL SELECT 'Proposal', 5, 0.3, 'best-case', 'open'
      UNION ALL SELECT 'Contract Admin', 6, 0.9, 'commit', 'open'
      UNION ALL SELECT 'Closed Won', 7, 1.0, 'closed', 'won'
      UNION ALL SELECT 'Closed Lost', 8, 0.0, 'omitted', 'lost'
      UNION ALL SELECT 'Closed Won Complete', 9, 1.0, 'closed', 'won') s
WHERE p.name = 'Membership Sales';
