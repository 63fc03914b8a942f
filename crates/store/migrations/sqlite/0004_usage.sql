-- Clusters and hubs, the service units, and their usage samples: active users (over the last
-- 30 days) of a cluster or of one of its hubs on a day. A sample is unique per cluster and
-- day (cluster-level samples) or per hub and day.

CREATE TABLE clusters (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT NOT NULL,
    provider         TEXT,
    dedicated        INTEGER CHECK (dedicated IN (0, 1)),
    organization_id  INTEGER REFERENCES organizations (id),
    deal_id          INTEGER REFERENCES deals (id),
    start_date       TEXT,
    end_date         TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT
);
CREATE UNIQUE INDEX clusters_name ON clusters (name);

CREATE TABLE hubs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster_id       INTEGER NOT NULL REFERENCES clusters (id),
    name             TEXT NOT NULL,
    provider         TEXT,
    dedicated        INTEGER CHECK (dedicated IN (0, 1)),
    organization_id  INTEGER REFERENCES organizations (id),
    deal_id          INTEGER REFERENCES deals (id),
    start_date       TEXT,
    end_date         TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT
);
CREATE UNIQUE INDEX hubs_cluster_name ON hubs (cluster_id, name);

CREATE TABLE usage_samples (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster_id   INTEGER NOT NULL REFERENCES clusters (id),
    hub_id       INTEGER REFERENCES hubs (id),
    date         TEXT NOT NULL,
    users        INTEGER NOT NULL CHECK (users >= 0),
    source       TEXT NOT NULL CHECK (source IN ('cli', 'web', 'api', 'import', 'job')),
    recorded_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX usage_samples_cluster_day ON usage_samples (cluster_id, date) WHERE hub_id IS NULL;
CREATE UNIQUE INDEX usage_samples_hub_day ON usage_samples (hub_id, date) WHERE hub_id IS NOT NULL;
CREATE INDEX usage_samples_date ON usage_samples (date);
-- Monthly active users group samples by cluster and day: this index answers that in order.
CREATE INDEX usage_samples_cluster_daily ON usage_samples (cluster_id, date, hub_id, users);
