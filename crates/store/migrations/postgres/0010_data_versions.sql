-- The data version of each part of the records (crm, usage, people, assumptions, accounts).
-- Every write transaction that records a change to a part adds one to its row just before it
-- commits, so the numbers move in commit order on both backends: a reader that sees a
-- version sees every change committed before it. (The newest audit row's id, used before,
-- is taken at insert rather than at commit on PostgreSQL, so an earlier transaction could
-- commit later and leave it unchanged.) Each part starts at the newest audit id, so no
-- version read before this migration comes back.
CREATE TABLE data_versions (
    part     TEXT PRIMARY KEY,
    version  BIGINT NOT NULL
);
INSERT INTO data_versions (part, version)
SELECT p.part, (SELECT COALESCE(MAX(id), 0) FROM audit_log)
FROM (SELECT 'crm' AS part UNION ALL SELECT 'usage' UNION ALL SELECT 'people'
      UNION ALL SELECT 'assumptions' UNION ALL SELECT 'accounts') AS p;
