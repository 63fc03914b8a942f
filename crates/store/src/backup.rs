//! Backups of SQLite databases, and restoring them into a new database.
//!
//! A backup is a consistent copy taken with `VACUUM INTO` while Bearing runs: it reads one
//! snapshot of the database, so writers may go on. PostgreSQL has its own tools for this.

use std::path::Path;
use std::str::FromStr;

use sqlx::any::AnyConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::{Backend, DbUrl, OpenMode, Result, Store, StoreError};

const POSTGRES_BACKUP: &str = "PostgreSQL databases are backed up with PostgreSQL's own tools: \
     pg_dump --format=custom --file=FILE 'postgres://…' (and restored with pg_restore --dbname='postgres://…' FILE)";

impl Store {
    /// Writes a consistent copy of a live SQLite database to `dest`, which must not exist.
    pub async fn backup_to(&self, dest: &Path) -> Result<()> {
        if self.backend() == Backend::Postgres {
            return Err(StoreError::Unsupported(POSTGRES_BACKUP.into()));
        }
        backup_sqlite(self, dest).await
    }
}

/// See [`Store::backup_to`].
pub async fn backup_sqlite(store: &Store, dest: &Path) -> Result<()> {
    if dest.exists() {
        return Err(StoreError::Invalid(format!(
            "{} already exists: a backup never overwrites a file, choose a new name",
            dest.display()
        )));
    }
    let dest_text = dest
        .to_str()
        .ok_or_else(|| StoreError::Invalid(format!("{} is not a UTF-8 path", dest.display())))?;
    sqlx::query("VACUUM INTO $1")
        .bind(dest_text)
        .execute(&store.pool)
        .await?;
    check_sqlite_file(dest).await
}

/// Restores the SQLite backup `backup` into `target`, a database that does not exist yet,
/// then brings its schema up to date. Returns the opened store.
pub async fn restore_sqlite(backup: &Path, target: &DbUrl) -> Result<Store> {
    let target_path = match target {
        DbUrl::Sqlite(path) => path,
        DbUrl::Postgres(_) => return Err(StoreError::Unsupported(POSTGRES_BACKUP.into())),
    };
    if !backup.is_file() {
        return Err(StoreError::Invalid(format!(
            "{}: no such backup file",
            backup.display()
        )));
    }
    let occupied = std::fs::metadata(target_path)
        .map(|m| m.len() > 0)
        .unwrap_or(false);
    if occupied {
        return Err(StoreError::Invalid(format!(
            "{} already exists: restore only writes a new database, so move it away or choose another --db",
            target_path.display()
        )));
    }
    check_sqlite_file(backup).await?;
    let target_text = target_path.to_str().ok_or_else(|| {
        StoreError::Invalid(format!("{} is not a UTF-8 path", target_path.display()))
    })?;
    let mut source = read_only(backup).await?;
    sqlx::query("VACUUM INTO $1")
        .bind(target_text)
        .execute(&mut source)
        .await?;
    source.close().await?;
    Store::open(target, OpenMode::Checked).await
}

async fn read_only(path: &Path) -> Result<sqlx::AnyConnection> {
    sqlx::any::install_default_drivers();
    let url = DbUrl::sqlite(path)
        .sqlx_url()
        .replace("?mode=rwc", "?mode=ro");
    let options = AnyConnectOptions::from_str(&url)
        .map_err(|e| StoreError::connect(&DbUrl::sqlite(path), &e))?;
    options
        .connect()
        .await
        .map_err(|e| StoreError::connect(&DbUrl::sqlite(path), &e))
}

/// Checks that `path` is an intact SQLite file holding a Bearing database.
async fn check_sqlite_file(path: &Path) -> Result<()> {
    let not_bearing = |why: String| {
        StoreError::Invalid(format!(
            "{} is not a usable Bearing backup: {why}",
            path.display()
        ))
    };
    let mut conn = read_only(path).await?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| not_bearing(e.to_string()))?;
    if integrity != "ok" {
        return Err(not_bearing(format!("integrity check says {integrity}")));
    }
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('_sqlx_migrations', 'audit_log')",
    )
    .fetch_one(&mut conn)
    .await?;
    conn.close().await?;
    if tables != 2 {
        return Err(not_bearing("it has no Bearing schema".into()));
    }
    Ok(())
}
