-- Each cluster's monthly active users, kept up to date with its samples in the transaction
-- that writes them: a day's value is the cluster's own sample, or else the sum of its hubs'
-- samples that day; the month's value is its largest day. Reports read these months instead
-- of every sample; only a month that an exclusion window cuts days out of is worked out again
-- from its samples.
CREATE TABLE usage_months (
    cluster_id  BIGINT NOT NULL REFERENCES clusters (id),
    month       TEXT NOT NULL,
    users       BIGINT NOT NULL,
    PRIMARY KEY (cluster_id, month)
);

INSERT INTO usage_months (cluster_id, month, users)
SELECT cluster_id, SUBSTR(date, 1, 7), CAST(MAX(users) AS BIGINT)
FROM (SELECT cluster_id, date,
             CASE WHEN SUM(CASE WHEN hub_id IS NULL THEN 1 ELSE 0 END) > 0
                  THEN MAX(CASE WHEN hub_id IS NULL THEN users END)
                  ELSE SUM(users) END AS users
      FROM usage_samples GROUP BY cluster_id, date) d
GROUP BY cluster_id, SUBSTR(date, 1, 7);
