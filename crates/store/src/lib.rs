//! Bearing's persistence: one [`Store`] over SQLite or PostgreSQL, the migrations of both,
//! and the append-only audit log.
//!
//! Architecture invariant: this is the only crate that knows SQL. Queries are portable (the
//! sqlx `Any` driver, `$1` placeholders, TEXT dates, BIGINT money), so each is written once for
//! both backends; the two migration folders keep the same versions and names. Driver errors
//! never leave this crate: they become [`StoreError`].

mod access_roles;
mod accounts;
mod assumptions;
mod audit;
mod backup;
mod billing;
mod books;
mod bulk;
mod campaigns;
mod cloud;
mod contacts;
mod deals;
mod error;
mod invoices;
mod jobs;
mod ledger;
mod organizations;
mod people;
mod pipelines;
mod properties;
mod roles;
mod scenarios;
mod url;
mod usage;

#[cfg(feature = "testing")]
pub mod testing;

use std::str::FromStr;
use std::time::Duration;

use bearing_core::{DataPart, EntityKind};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, ConnectOptions, Connection, Transaction};

pub use access_roles::AccessRoleRecord;
pub use accounts::{ApiTokenRecord, SessionRecord, UserFields, UserRecord};
pub use assumptions::AssumptionsRecord;
pub use audit::{AuditEntry, AuditRecord, AuditSearch, DataVersion};
pub use backup::{backup_sqlite, restore_sqlite};
pub use billing::{Billed, WonDeal};
pub use books::{AccountRecord, ActualLineRecord, CloseRecord, MonthWrite, NewClose};
pub use campaigns::{CampaignRecord, CampaignRow};
pub use cloud::{
    CloudCostRecord, CloudCreditRecord, CloudDecisionRecord, CloudMappingRecord, NewCloudMapping,
};
pub use contacts::{ContactRecord, ContactRow};
pub use deals::{DealHistoryRecord, DealRecord, DealRow};
pub use error::StoreError;
pub use invoices::{InvoiceFacts, InvoiceRecord, NewInvoice, PaymentRecord};
pub use jobs::JobRunRecord;
pub use ledger::{AliasRecord, LedgerRecord};
pub use organizations::OrganizationRecord;
pub use people::{AssignmentRecord, PersonRecord};
pub use pipelines::{StageFields, StageRecord};
pub use properties::PropertyOwner;
pub use roles::{AreaRecord, RoleRecord};
pub use scenarios::ScenarioRecord;
pub use url::{Backend, DbUrl};
pub use usage::{NewSample, SampleRecord, UnitId, UnitKind, UnitRecord};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Where the database's schema stands against the migrations this build carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaStatus {
    /// Every migration is applied.
    Current { version: i64 },
    /// Migrations are pending: `bearing migrate` applies them.
    Outdated {
        applied: i64,
        latest: i64,
        pending: Vec<i64>,
    },
    /// The database was migrated by a newer Bearing than this one.
    Newer { applied: i64, latest: i64 },
}

/// How to open a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Refuse an outdated schema (SQLite databases are migrated instead).
    Checked,
    /// Connect whatever the schema; for `migrate` and status checks.
    Unchecked,
}

/// The database, whichever backend it is.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    url: DbUrl,
}

/// A write transaction. Everything written through it, audit rows included, commits or rolls
/// back together; dropping it without [`Tx::commit`] rolls back.
#[derive(Debug)]
pub struct Tx {
    inner: Transaction<'static, Any>,
    backend: Backend,
    /// The parts of the records this transaction has recorded changes to (by their audit
    /// rows); their data versions move when it commits.
    touched: [bool; DataPart::ALL.len()],
}

impl Store {
    /// Connects, creating an SQLite file on first use. In [`OpenMode::Checked`], SQLite
    /// databases are brought up to date and a PostgreSQL database with pending migrations is
    /// refused with [`StoreError::Outdated`].
    pub async fn open(url: &DbUrl, mode: OpenMode) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let options = AnyConnectOptions::from_str(&url.sqlx_url())
            .map_err(|e| StoreError::connect(url, &e))?;
        let is_sqlite = url.backend() == Backend::Sqlite;
        // One connection first, so that a wrong password or a file that is not a database is
        // reported at once, in the driver's words, instead of as a pool timeout.
        let mut probe = options
            .connect()
            .await
            .map_err(|e| StoreError::connect(url, &e))?;
        if is_sqlite {
            configure_sqlite(&mut probe)
                .await
                .map_err(|e| StoreError::connect(url, &e))?;
        }
        probe
            .close()
            .await
            .map_err(|e| StoreError::connect(url, &e))?;
        let pool = AnyPoolOptions::new()
            .max_connections(if is_sqlite { 4 } else { 8 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if is_sqlite {
                        configure_sqlite(conn).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| StoreError::connect(url, &e))?;
        let store = Store {
            pool,
            url: url.clone(),
        };
        if mode == OpenMode::Checked {
            match store.schema_status().await? {
                SchemaStatus::Current { .. } => {}
                SchemaStatus::Outdated { .. } if is_sqlite => {
                    store.migrate().await?;
                }
                SchemaStatus::Outdated {
                    applied, latest, ..
                } => {
                    return Err(StoreError::Outdated { applied, latest });
                }
                SchemaStatus::Newer { applied, latest } => {
                    return Err(StoreError::Newer { applied, latest });
                }
            }
        }
        Ok(store)
    }

    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    pub fn backend(&self) -> Backend {
        self.url.backend()
    }

    fn migrator(&self) -> &'static Migrator {
        match self.backend() {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Applies pending migrations; returns the versions applied.
    pub async fn migrate(&self) -> Result<Vec<i64>> {
        let before = self.applied_versions().await?;
        self.migrator()
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Migration(e.to_string()))?;
        Ok(self
            .migrator()
            .iter()
            .map(|m| m.version)
            .filter(|v| !before.contains(v))
            .collect())
    }

    async fn applied_versions(&self) -> Result<Vec<i64>> {
        let exists: i64 = match self.backend() {
            Backend::Sqlite => sqlx::query_scalar(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            ),
            Backend::Postgres => sqlx::query_scalar(
                "SELECT COUNT(*) FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'",
            ),
        }
        .fetch_one(&self.pool)
        .await?;
        if exists == 0 {
            return Ok(Vec::new());
        }
        let versions: Vec<i64> = sqlx::query_scalar(
            "SELECT version FROM _sqlx_migrations WHERE success = TRUE ORDER BY version",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(versions)
    }

    /// Compares the applied migrations with the ones this build carries.
    pub async fn schema_status(&self) -> Result<SchemaStatus> {
        let applied = self.applied_versions().await?;
        let known: Vec<i64> = self.migrator().iter().map(|m| m.version).collect();
        let latest = known.last().copied().unwrap_or(0);
        let newest_applied = applied.last().copied().unwrap_or(0);
        if applied.iter().any(|v| !known.contains(v)) {
            return Ok(SchemaStatus::Newer {
                applied: newest_applied,
                latest,
            });
        }
        let pending: Vec<i64> = known.into_iter().filter(|v| !applied.contains(v)).collect();
        if pending.is_empty() {
            Ok(SchemaStatus::Current { version: latest })
        } else {
            Ok(SchemaStatus::Outdated {
                applied: newest_applied,
                latest,
                pending,
            })
        }
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        let one: i64 = sqlx::query_scalar("SELECT 1").fetch_one(&self.pool).await?;
        if one == 1 {
            Ok(())
        } else {
            Err(StoreError::Database(
                "the database answered SELECT 1 wrongly".into(),
            ))
        }
    }

    /// Checks the database file for corruption (SQLite's `integrity_check`); PostgreSQL
    /// guards its own pages, so there it only checks that the server answers.
    pub async fn check_integrity(&self) -> Result<()> {
        if self.backend() == Backend::Postgres {
            return self.ping().await;
        }
        let result: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&self.pool)
            .await?;
        if result == "ok" {
            Ok(())
        } else {
            Err(StoreError::Database(format!(
                "integrity check failed: {result}"
            )))
        }
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so a transaction that reads and then writes cannot fail half-way because
    /// another writer committed in between.
    pub async fn begin(&self) -> Result<Tx> {
        let inner = match self.backend() {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx {
            inner,
            backend: self.backend(),
            touched: [false; DataPart::ALL.len()],
        })
    }

    /// The connection pool, for tests that must reach past the store's own API (for example
    /// to prove that the database itself refuses to alter the audit log).
    #[cfg(feature = "testing")]
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes every connection, after in-flight work finishes.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Whether the database holds no organizations, deals or audit entries yet (accounts do
    /// not count: an install with only its users, roles and sign-ins is still empty).
    pub async fn is_empty(&self) -> Result<bool> {
        let count: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM organizations) + (SELECT COUNT(*) FROM deals)
                    + (SELECT COUNT(*) FROM audit_log
                       WHERE entity_kind NOT IN ('user', 'access-role', 'sign-in'))",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(count == 0)
    }
}

impl Tx {
    /// Commits, first moving the data version of each part it changed. The versions' rows
    /// are updated last and in one order, so they stay locked only while the commit happens
    /// and two writers cannot wait on each other; a writer that touches a part another has
    /// locked waits for that commit, then counts on from it.
    pub async fn commit(mut self) -> Result<()> {
        for part in DataPart::ALL {
            if self.touched[part.index()] {
                sqlx::query("UPDATE data_versions SET version = version + 1 WHERE part = $1")
                    .bind(part.as_str())
                    .execute(&mut *self.inner)
                    .await?;
            }
        }
        self.inner.commit().await?;
        Ok(())
    }

    /// Notes that the transaction records a change of `kind`, whose part's version moves
    /// when it commits.
    pub(crate) fn touch(&mut self, kind: EntityKind) {
        if let Some(part) = kind.part() {
            self.touched[part.index()] = true;
        }
    }

    /// Makes the writers of `part` that check other rows before they write run one after
    /// the other: a check such as "no one else has this name" or "someone may still manage
    /// users" reads after this, so two overlapping writes cannot both pass it. SQLite's
    /// write transactions already run one at a time; PostgreSQL takes a lock for the part
    /// that is held until the transaction ends.
    pub async fn lock(&mut self, part: DataPart) -> Result<()> {
        if self.backend == Backend::Postgres {
            // The key is the part's place among the parts, beside a prefix ("bear") of its
            // own so no other user of advisory locks on the same database meets it.
            let key = 0x6265_6172_0000_0000_i64 | part as i64;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(key)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        self.inner.rollback().await?;
        Ok(())
    }

    /// Soft-deletes (`deleted` is when) or restores the row `id` of `table`; how many rows
    /// changed (0: there is no such row).
    pub(crate) async fn set_deleted_at(
        &mut self,
        table: &'static str,
        id: i64,
        deleted: Option<jiff::Timestamp>,
        at: jiff::Timestamp,
    ) -> Result<u64> {
        let sql = format!("UPDATE {table} SET deleted_at = $1, updated_at = $2 WHERE id = $3");
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(deleted.map(timestamp_text))
            .bind(timestamp_text(at))
            .bind(id)
            .execute(&mut *self.inner)
            .await?
            .rows_affected())
    }
}

/// `($1, $2, …), ($k, …)` for `rows` rows of `columns` parameters each. SQLite gets anonymous
/// `?` instead: it treats `$N` as a named parameter and finds each name by a linear search,
/// which makes a statement with thousands of `$N` quadratic to bind.
pub(crate) fn placeholders(backend: Backend, rows: usize, columns: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&(row * columns + column + 1).to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

/// Rows per multi-row INSERT: far below both engines' parameter limits.
pub(crate) const BATCH_ROWS: usize = 500;

/// The tables whose rows [`Store::names_of`] reads by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Organizations,
    Deals,
}

impl Store {
    /// The `name` of each row of `table` among `ids` (deleted rows too), read in batches:
    /// for a page that names a few records, without reading them all.
    pub async fn names_of(&self, table: Named, ids: &[i64]) -> Result<Vec<(i64, String)>> {
        let table = match table {
            Named::Organizations => "organizations",
            Named::Deals => "deals",
        };
        let mut names = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_ROWS) {
            let list: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let sql = format!(
                "SELECT id, name FROM {table} WHERE id IN ({})",
                list.join(", ")
            );
            let mut query = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                query = query.bind(*id);
            }
            names.extend(query.fetch_all(&self.pool).await?);
        }
        Ok(names)
    }
}

impl Tx {
    /// Reserves `n` new ids of `table` for rows this transaction inserts with explicit ids.
    /// On SQLite the transaction holds the write lock, so the ids after the largest ever used
    /// are free (AUTOINCREMENT then moves past them); PostgreSQL hands out sequence values.
    pub(crate) async fn reserve_ids(&mut self, table: &'static str, n: usize) -> Result<Vec<i64>> {
        let count =
            i64::try_from(n).map_err(|_| StoreError::Invalid("too many rows at once".into()))?;
        let backend = self.backend;
        match backend {
            Backend::Sqlite => {
                let last: i64 = sqlx::query_scalar(
                    "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = $1), 0)",
                )
                .bind(table)
                .fetch_one(&mut *self.inner)
                .await?;
                let max: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COALESCE(MAX(id), 0) FROM {table}")))
                    .fetch_one(&mut *self.inner)
                    .await?;
                let base = last.max(max);
                Ok((1..=count).map(|i| base + i).collect())
            }
            Backend::Postgres => Ok(sqlx::query_scalar(
                "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, CAST($2 AS BIGINT))",
            )
            .bind(table)
            .bind(count)
            .fetch_all(&mut *self.inner)
            .await?),
        }
    }
}

/// WAL lets readers work while one writer commits (it is persistent, so this is a no-op after
/// the first connection); foreign keys are enforced; a writer waits up to 5 s for the lock;
/// statement journals and sorts stay in memory instead of temporary files (a large import's
/// upserts journal every page they touch).
async fn configure_sqlite(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::query("PRAGMA temp_store = MEMORY")
        .execute(&mut *conn)
        .await?;
    sqlx::query("PRAGMA journal_mode = WAL")
        .execute(&mut *conn)
        .await?;
    sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut *conn)
        .await?;
    sqlx::query("PRAGMA busy_timeout = 5000")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// An `f64` that may be unknown, bound so that PostgreSQL always sees `float8`.
///
/// sqlx 0.9's `Any` driver sends a NULL `f64` typed as `float4` (and a NULL `f32` as
/// `float8`). A statement that PostgreSQL first prepared with a NULL then refuses a known
/// value ("incorrect binary data format"), because the connection caches the statement with
/// its first parameter types. The contract suite inserts a known value after an unknown one,
/// so it fails if a new sqlx changes this.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NullableF64(pub Option<f64>);

impl sqlx::Type<Any> for NullableF64 {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <f64 as sqlx::Type<Any>>::type_info()
    }
}

impl<'q> sqlx::Encode<'q, Any> for NullableF64 {
    fn encode_by_ref(
        &self,
        buf: &mut <Any as sqlx::Database>::ArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        match self.0 {
            Some(value) => <f64 as sqlx::Encode<'q, Any>>::encode_by_ref(&value, buf),
            None => <Option<f32> as sqlx::Encode<'q, Any>>::encode_by_ref(&None, buf),
        }
    }
}

/// The current time as stored: RFC 3339 in UTC with exactly six fractional digits, so text
/// order is time order.
pub fn timestamp_text(at: jiff::Timestamp) -> String {
    format!("{at:.6}")
}

/// A timestamp as a record's JSON in the audit log keeps it ([`stored_time`]), read back;
/// `None` when the text is not one.
pub fn timestamp_of_json(text: &str) -> Option<jiff::Timestamp> {
    text.parse().ok()
}

/// A stored timestamp read back; `column` names it when the text is not one.
pub(crate) fn stored_timestamp(column: &str, text: &str) -> Result<jiff::Timestamp> {
    text.parse()
        .map_err(|e| StoreError::Database(format!("unreadable timestamp in {column}: {e}")))
}

/// The same for a column that may be empty.
pub(crate) fn stored_timestamp_opt(
    column: &str,
    text: Option<&str>,
) -> Result<Option<jiff::Timestamp>> {
    text.map(|t| stored_timestamp(column, t)).transpose()
}

/// A timestamp column of a row, required or optional as the field that takes it.
pub(crate) fn read_time<T: StoredTime>(row: &sqlx::any::AnyRow, column: &str) -> Result<T> {
    T::read(row, column)
}

pub(crate) trait StoredTime: Sized {
    fn read(row: &sqlx::any::AnyRow, column: &str) -> Result<Self>;
}

impl StoredTime for jiff::Timestamp {
    fn read(row: &sqlx::any::AnyRow, column: &str) -> Result<Self> {
        use sqlx::Row;
        stored_timestamp(column, &row.try_get::<String, _>(column)?)
    }
}

impl StoredTime for Option<jiff::Timestamp> {
    fn read(row: &sqlx::any::AnyRow, column: &str) -> Result<Self> {
        use sqlx::Row;
        stored_timestamp_opt(column, row.try_get::<Option<String>, _>(column)?.as_deref())
    }
}

/// Records serialize their timestamps as the store writes them ([`timestamp_text`]), so the
/// audit log, the API and the exports show the same text whatever the instant's digits.
pub mod stored_time {
    use serde::Serializer;

    pub fn serialize<S: Serializer>(at: &jiff::Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::timestamp_text(*at))
    }

    /// For a timestamp that may be absent.
    pub mod option {
        use serde::Serializer;

        pub fn serialize<S: Serializer>(
            at: &Option<jiff::Timestamp>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match at {
                Some(at) => s.serialize_some(&super::super::timestamp_text(*at)),
                None => s.serialize_none(),
            }
        }
    }
}
