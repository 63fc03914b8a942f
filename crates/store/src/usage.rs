//! Clusters, hubs and usage samples.

use bearing_core::usage::UnitFields;
use bearing_core::{ClusterId, Date, DealId, HubId, OrganizationId, Source};

use std::collections::{BTreeMap, HashMap};

use crate::{Result, Store, StoreError, Tx, timestamp_text};

/// Whether a unit is a cluster or one of a cluster's hubs: they live in two tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitKind {
    Cluster,
    Hub,
}

impl UnitKind {
    fn table(self) -> &'static str {
        match self {
            UnitKind::Cluster => "clusters",
            UnitKind::Hub => "hubs",
        }
    }
}

/// A cluster or a hub, by its own id: the two live in two tables, so the kind is part of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitId {
    Cluster(ClusterId),
    Hub(HubId),
}

impl UnitId {
    /// The id of a unit of `kind`; ids are positive.
    pub fn new(kind: UnitKind, raw: i64) -> std::result::Result<Self, bearing_core::ParseError> {
        Ok(match kind {
            UnitKind::Cluster => UnitId::Cluster(ClusterId::new(raw)?),
            UnitKind::Hub => UnitId::Hub(HubId::new(raw)?),
        })
    }

    pub fn kind(self) -> UnitKind {
        match self {
            UnitId::Cluster(_) => UnitKind::Cluster,
            UnitId::Hub(_) => UnitKind::Hub,
        }
    }

    /// The number in its table.
    pub fn get(self) -> i64 {
        match self {
            UnitId::Cluster(id) => id.get(),
            UnitId::Hub(id) => id.get(),
        }
    }
}

impl std::fmt::Display for UnitId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// A cluster or hub as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRecord {
    pub id: UnitId,
    /// The cluster a hub is on; `None` for a cluster.
    pub cluster_id: Option<ClusterId>,
    pub name: String,
    pub fields: UnitFields,
}

impl UnitRecord {
    pub fn kind(&self) -> UnitKind {
        self.id.kind()
    }
}

/// Serialized as the audit log has always kept a unit: its number and its kind apart.
impl serde::Serialize for UnitRecord {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Stored<'a> {
            id: i64,
            kind: UnitKind,
            cluster_id: Option<ClusterId>,
            name: &'a str,
            #[serde(flatten)]
            fields: &'a UnitFields,
        }
        Stored {
            id: self.id.get(),
            kind: self.kind(),
            cluster_id: self.cluster_id,
            name: &self.name,
            fields: &self.fields,
        }
        .serialize(s)
    }
}

/// A stored sample, with its cluster's (and hub's) name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SampleRecord {
    pub cluster_id: ClusterId,
    pub cluster: String,
    pub hub_id: Option<HubId>,
    pub hub: Option<String>,
    pub date: Date,
    pub users: i64,
}

/// A sample to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSample {
    pub cluster_id: ClusterId,
    pub hub_id: Option<HubId>,
    pub date: Date,
    pub users: i64,
}

/// A unit row: id, cluster id (hubs only), name, provider, dedicated, organization id, deal
/// id, start, end.
type UnitRow = (
    i64,
    Option<i64>,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

const UNIT_COLUMNS: &str =
    "name, provider, dedicated, organization_id, deal_id, start_date, end_date";

fn unit(kind: UnitKind, row: UnitRow) -> Result<UnitRecord> {
    let (id, cluster, name, provider, dedicated, organization, deal, start, end) = row;
    let date = |d: Option<String>, what: &str| {
        d.map(|d| bearing_core::parse_stored_date(&d))
            .transpose()
            .map_err(|e| corrupt(what, &e))
    };
    Ok(UnitRecord {
        id: UnitId::new(kind, id).map_err(|e| corrupt("id", &e))?,
        cluster_id: cluster
            .map(ClusterId::new)
            .transpose()
            .map_err(|e| corrupt("cluster_id", &e))?,
        name,
        fields: UnitFields {
            provider,
            dedicated: dedicated.map(|d| d != 0),
            organization: organization
                .map(OrganizationId::new)
                .transpose()
                .map_err(|e| corrupt("organization_id", &e))?,
            deal: deal
                .map(DealId::new)
                .transpose()
                .map_err(|e| corrupt("deal_id", &e))?,
            start: date(start, "start_date")?,
            end: date(end, "end_date")?,
        },
    })
}

/// A sample row: cluster id and name, hub id and name, date, users.
type SampleRow = (i64, String, Option<i64>, Option<String>, String, i64);

fn corrupt(what: &str, e: &dyn std::fmt::Display) -> StoreError {
    StoreError::Database(format!("unreadable usage row ({what}): {e}"))
}

impl Tx {
    pub async fn insert_cluster(
        &mut self,
        name: &str,
        organization: Option<OrganizationId>,
        at: jiff::Timestamp,
    ) -> Result<ClusterId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO clusters (name, organization_id, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
        )
        .bind(name)
        .bind(organization.map(OrganizationId::get))
        .bind(timestamp_text(at))
        .fetch_one(&mut *self.inner)
        .await?;
        ClusterId::new(id).map_err(|e| corrupt("id", &e))
    }

    pub async fn insert_hub(
        &mut self,
        cluster: ClusterId,
        name: &str,
        at: jiff::Timestamp,
    ) -> Result<HubId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO hubs (cluster_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
        )
        .bind(cluster.get())
        .bind(name)
        .bind(timestamp_text(at))
        .fetch_one(&mut *self.inner)
        .await?;
        HubId::new(id).map_err(|e| corrupt("id", &e))
    }

    /// A cluster or hub by id, as this transaction sees it.
    pub async fn get_unit(&mut self, id: UnitId) -> Result<UnitRecord> {
        get_unit(&mut *self.inner, id).await
    }

    /// Replaces a cluster's or hub's fields (not its name) and returns it as stored.
    pub async fn update_unit(
        &mut self,
        id: UnitId,
        fields: &UnitFields,
        at: jiff::Timestamp,
    ) -> Result<UnitRecord> {
        let sql = format!(
            "UPDATE {} SET provider = $1, dedicated = $2, organization_id = $3, deal_id = $4,
                           start_date = $5, end_date = $6, updated_at = $7
             WHERE id = $8 AND deleted_at IS NULL",
            id.kind().table()
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(fields.provider.clone())
            .bind(fields.dedicated.map(i64::from))
            .bind(fields.organization.map(OrganizationId::get))
            .bind(fields.deal.map(DealId::get))
            .bind(fields.start.map(|d| d.to_string()))
            .bind(fields.end.map(|d| d.to_string()))
            .bind(timestamp_text(at))
            .bind(id.get())
            .execute(&mut *self.inner)
            .await?;
        self.get_unit(id).await
    }

    /// Writes samples: new ones are added and known ones take the new count, with few
    /// statements.
    pub async fn upsert_samples(
        &mut self,
        samples: &[NewSample],
        source: Source,
        at: jiff::Timestamp,
    ) -> Result<()> {
        let at = timestamp_text(at);
        let (cluster_level, hub_level): (Vec<&NewSample>, Vec<&NewSample>) =
            samples.iter().partition(|s| s.hub_id.is_none());
        for (rows, conflict) in [
            (cluster_level, "(cluster_id, date) WHERE hub_id IS NULL"),
            (hub_level, "(hub_id, date) WHERE hub_id IS NOT NULL"),
        ] {
            for chunk in rows.chunks(crate::bulk::ROWS_PER_WRITE) {
                let sql = format!(
                    "INSERT INTO usage_samples (cluster_id, hub_id, date, users, source, recorded_at)
                     SELECT CAST(value ->> 0 AS BIGINT), CAST(value ->> 1 AS BIGINT), value ->> 2,
                            CAST(value ->> 3 AS BIGINT), $2, $3
                     FROM {} WHERE TRUE
                     ON CONFLICT {conflict} DO UPDATE SET users = excluded.users, source = excluded.source,
                                                          recorded_at = excluded.recorded_at",
                    crate::bulk::rows_of(self.backend, "$1")
                );
                let rows: Vec<(i64, Option<i64>, String, i64)> = chunk
                    .iter()
                    .map(|s| {
                        (
                            s.cluster_id.get(),
                            s.hub_id.map(HubId::get),
                            s.date.to_string(),
                            s.users,
                        )
                    })
                    .collect();
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(crate::bulk::json_text(&rows)?)
                    .bind(source.as_str())
                    .bind(at.clone())
                    .execute(&mut *self.inner)
                    .await?;
            }
        }
        self.refresh_usage_months(samples).await
    }

    /// Works out again the monthly active users of each cluster in the months `samples` fall
    /// in (for each cluster, every month from its first to its last), from all their samples.
    async fn refresh_usage_months(&mut self, samples: &[NewSample]) -> Result<()> {
        let mut spans: BTreeMap<ClusterId, (Date, Date)> = BTreeMap::new();
        for s in samples {
            let span = spans.entry(s.cluster_id).or_insert((s.date, s.date));
            span.0 = span.0.min(s.date);
            span.1 = span.1.max(s.date);
        }
        let spans: Vec<(ClusterId, String, String)> = spans
            .into_iter()
            .map(|(cluster, (first, last))| {
                let from = first.first_of_month();
                let to = last
                    .last_of_month()
                    .tomorrow()
                    .map_err(|e| StoreError::Invalid(e.to_string()))?;
                Ok((cluster, from.to_string(), to.to_string()))
            })
            .collect::<Result<_>>()?;
        for chunk in spans.chunks(CLUSTERS_PER_REFRESH) {
            let mut params = Params::default();
            let within: Vec<String> = chunk
                .iter()
                .map(|(cluster, from, to)| {
                    format!(
                        "(cluster_id = {} AND date >= {} AND date < {})",
                        params.int(cluster.get()),
                        params.text(from.clone()),
                        params.text(to.clone())
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO usage_months (cluster_id, month, users)
                 SELECT cluster_id, SUBSTR(date, 1, 7), CAST(MAX(users) AS BIGINT)
                 FROM ({DAILY} WHERE {} GROUP BY cluster_id, date) d
                 WHERE TRUE
                 GROUP BY cluster_id, SUBSTR(date, 1, 7)
                 ON CONFLICT (cluster_id, month) DO UPDATE SET users = excluded.users",
                within.join(" OR ")
            );
            params
                .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }
}

/// Clusters whose months one statement works out again.
const CLUSTERS_PER_REFRESH: usize = 200;

/// Each cluster's value on each day, before its `WHERE` and `GROUP BY cluster_id, date`: its
/// own sample, or else the sum of its hubs' samples that day.
const DAILY: &str = "SELECT cluster_id, date,
        CAST(CASE WHEN SUM(CASE WHEN hub_id IS NULL THEN 1 ELSE 0 END) > 0
                  THEN MAX(CASE WHEN hub_id IS NULL THEN users END)
                  ELSE SUM(users) END AS BIGINT) AS users
     FROM usage_samples";

impl Store {
    /// Clusters (without `cluster_id`) and hubs, by name.
    pub async fn list_units(&self) -> Result<Vec<UnitRecord>> {
        let sql = format!(
            "SELECT id, NULL AS cluster_id, {UNIT_COLUMNS} FROM clusters WHERE deleted_at IS NULL
             UNION ALL
             SELECT id, cluster_id, {UNIT_COLUMNS} FROM hubs WHERE deleted_at IS NULL
             ORDER BY 3, 2"
        );
        let rows: Vec<UnitRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|row| {
                let kind = if row.1.is_some() {
                    UnitKind::Hub
                } else {
                    UnitKind::Cluster
                };
                unit(kind, row)
            })
            .collect()
    }

    /// Every sample, by cluster, hub and date.
    pub async fn list_samples(&self) -> Result<Vec<SampleRecord>> {
        self.samples(None, None).await
    }

    /// Every sample's users, by cluster, hub and day: what an import compares its rows with.
    pub async fn sample_users(&self) -> Result<HashMap<(ClusterId, Option<HubId>, Date), i64>> {
        let sql = crate::bulk::select_of(
            self.backend(),
            "cluster_id, hub_id, date, users",
            "FROM usage_samples",
            "id",
        );
        let query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
        let rows: Vec<(i64, Option<i64>, String, i64)> =
            crate::bulk::fetch("usage sample", &self.pool, query).await?;
        rows.into_iter()
            .map(|(cluster, hub, date, users)| {
                Ok((
                    (
                        ClusterId::new(cluster).map_err(|e| corrupt("cluster_id", &e))?,
                        hub.map(HubId::new)
                            .transpose()
                            .map_err(|e| corrupt("hub_id", &e))?,
                        bearing_core::parse_stored_date(&date).map_err(|e| corrupt("date", &e))?,
                    ),
                    users,
                ))
            })
            .collect()
    }

    /// The samples of one cluster (its own and its hubs') from day `from` on.
    pub async fn cluster_samples(
        &self,
        cluster: ClusterId,
        from: Date,
    ) -> Result<Vec<SampleRecord>> {
        self.samples(Some(cluster), Some(from)).await
    }

    async fn samples(
        &self,
        cluster: Option<ClusterId>,
        from: Option<Date>,
    ) -> Result<Vec<SampleRecord>> {
        let sql = crate::bulk::select_of(
            self.backend(),
            "s.cluster_id, c.name, s.hub_id, h.name, s.date, s.users",
            "FROM usage_samples s JOIN clusters c ON c.id = s.cluster_id LEFT JOIN hubs h ON h.id = s.hub_id
             WHERE ($1 IS NULL OR s.cluster_id = $1) AND ($2 IS NULL OR s.date >= $2)",
            "c.name, h.name IS NOT NULL, h.name, s.date",
        );
        let query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(cluster.map(ClusterId::get))
            .bind(from.map(|d| d.to_string()));
        let rows: Vec<SampleRow> = crate::bulk::fetch("usage sample", &self.pool, query).await?;
        rows.into_iter()
            .map(|(cluster_id, cluster, hub_id, hub, date, users)| {
                Ok(SampleRecord {
                    cluster_id: ClusterId::new(cluster_id)
                        .map_err(|e| corrupt("cluster_id", &e))?,
                    cluster,
                    hub_id: hub_id
                        .map(HubId::new)
                        .transpose()
                        .map_err(|e| corrupt("hub_id", &e))?,
                    hub,
                    date: bearing_core::parse_stored_date(&date)
                        .map_err(|e| corrupt("date", &e))?,
                    users,
                })
            })
            .collect()
    }
}

impl Store {
    /// Monthly active users per cluster, computed in the database: a cluster's daily value is
    /// its own sample, or else the sum of its hubs' samples that day; the month's value is the
    /// largest daily value. Clusters whose name contains one of `exclude` (ignoring case) are
    /// left out, as are samples of clusters matching a window's name within its dates. The same
    /// rule as `bearing_core::usage::monthly_active_users`, without reading every sample: the
    /// months are kept up to date as samples are written, and only the months a window cuts
    /// days out of are worked out from their samples. With `only`, just those clusters.
    pub async fn monthly_active_users(
        &self,
        exclude: &[String],
        windows: &[(String, Date, Date)],
        only: Option<&[ClusterId]>,
    ) -> Result<Vec<(String, String, i64)>> {
        if only.is_some_and(<[ClusterId]>::is_empty) {
            return Ok(Vec::new());
        }
        let mut params = Params::default();
        let pattern = |s: &str| format!("%{}%", s.to_lowercase());
        let month = |d: &Date| d.to_string()[..7].to_owned();
        // Whether a window touches the month `month` of the cluster named `name`.
        let touches = |params: &mut Params, name: &str, month_of: &str| -> String {
            let list: Vec<String> = windows
                .iter()
                .map(|(s, from, to)| {
                    format!(
                        "(LOWER({name}) LIKE {} AND {month_of} BETWEEN {} AND {})",
                        params.text(pattern(s)),
                        params.text(month(from)),
                        params.text(month(to))
                    )
                })
                .collect();
            list.join(" OR ")
        };
        let only_in = |params: &mut Params, column: &str| -> String {
            match only {
                None => "TRUE".to_owned(),
                Some(ids) => {
                    let list: Vec<String> = ids.iter().map(|id| params.int(id.get())).collect();
                    format!("{column} IN ({})", list.join(", "))
                }
            }
        };
        let mut parts = Vec::new();
        let kept = only_in(&mut params, "m.cluster_id");
        let untouched = if windows.is_empty() {
            String::new()
        } else {
            format!("AND NOT ({})", touches(&mut params, "w.name", "m.month"))
        };
        parts.push(format!(
            "SELECT m.cluster_id, m.month, m.users AS mau
             FROM usage_months m JOIN clusters w ON w.id = m.cluster_id
             WHERE {kept} {untouched}"
        ));
        if !windows.is_empty() {
            let kept = only_in(&mut params, "cluster_id");
            let touched = touches(&mut params, "w.name", "SUBSTR(d.date, 1, 7)");
            let days: Vec<String> = windows
                .iter()
                .map(|(s, from, to)| {
                    format!(
                        "NOT (LOWER(w.name) LIKE {} AND d.date BETWEEN {} AND {})",
                        params.text(pattern(s)),
                        params.text(from.to_string()),
                        params.text(to.to_string())
                    )
                })
                .collect();
            parts.push(format!(
                "SELECT d.cluster_id, SUBSTR(d.date, 1, 7) AS month, CAST(MAX(d.users) AS BIGINT) AS mau
                 FROM ({DAILY} WHERE {kept} GROUP BY cluster_id, date) d
                 JOIN clusters w ON w.id = d.cluster_id
                 WHERE ({touched}) AND {}
                 GROUP BY d.cluster_id, SUBSTR(d.date, 1, 7)",
                days.join(" AND ")
            ));
        }
        let excluded: Vec<String> = exclude
            .iter()
            .map(|s| format!("LOWER(c.name) NOT LIKE {}", params.text(pattern(s))))
            .collect();
        let cluster_filter = if excluded.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", excluded.join(" AND "))
        };
        let sql = format!(
            "SELECT c.name, u.month, u.mau
             FROM ({}) u
             JOIN clusters c ON c.id = u.cluster_id
             {cluster_filter}
             ORDER BY c.name, u.month",
            parts.join(" UNION ALL ")
        );
        let rows = params
            .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                use sqlx::Row;
                Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))
            })
            .collect()
    }
}

/// A statement's parameters, numbered as they are added.
#[derive(Default)]
struct Params {
    values: Vec<Param>,
}

enum Param {
    Text(String),
    Int(i64),
}

impl Params {
    fn text(&mut self, value: String) -> String {
        self.values.push(Param::Text(value));
        format!("${}", self.values.len())
    }

    fn int(&mut self, value: i64) -> String {
        self.values.push(Param::Int(value));
        format!("${}", self.values.len())
    }

    /// `query` with these parameters bound, in order.
    fn bind(
        self,
        query: sqlx::query::Query<'_, sqlx::Any, <sqlx::Any as sqlx::Database>::Arguments>,
    ) -> sqlx::query::Query<'_, sqlx::Any, <sqlx::Any as sqlx::Database>::Arguments> {
        self.values
            .into_iter()
            .fold(query, |query, value| match value {
                Param::Text(t) => query.bind(t),
                Param::Int(i) => query.bind(i),
            })
    }
}

/// A cluster or hub by id; an error when there is none (or it is deleted).
async fn get_unit<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: UnitId,
) -> Result<UnitRecord> {
    let kind = id.kind();
    let cluster = match kind {
        UnitKind::Cluster => "NULL",
        UnitKind::Hub => "cluster_id",
    };
    let sql = format!(
        "SELECT id, {cluster}, {UNIT_COLUMNS} FROM {} WHERE id = $1 AND deleted_at IS NULL",
        kind.table()
    );
    let row: Option<UnitRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id.get())
        .fetch_optional(executor)
        .await?;
    let row = row.ok_or_else(|| StoreError::NotFound {
        kind: match kind {
            UnitKind::Cluster => "cluster",
            UnitKind::Hub => "hub",
        },
        id: id.to_string(),
    })?;
    unit(kind, row)
}

impl Store {
    /// A cluster or hub by id, read without a transaction.
    pub async fn get_unit(&self, id: UnitId) -> Result<UnitRecord> {
        get_unit(&self.pool, id).await
    }
}
