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
    // The copy holds pay and cash: it is created empty, readable by its owner only, before
    // SQLite fills it (VACUUM INTO writes into an empty file and keeps its mode).
    owner_only_file(dest)?;
    let written = sqlx::query("VACUUM INTO $1")
        .bind(dest_text)
        .execute(&store.pool)
        .await;
    if let Err(error) = written {
        let _ = std::fs::remove_file(dest);
        return Err(error.into());
    }
    check_sqlite_file(dest).await
}

/// Creates `path` as a new, empty file that only its owner may read and write.
fn owner_only_file(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(drop).map_err(|e| {
        StoreError::Invalid(format!("cannot create the backup {}: {e}", path.display()))
    })
}

/// Restores the SQLite backup `backup` into `target`, a database that does not exist yet (or
/// a Bearing database that holds no records), and brings its schema up to date. All or
/// nothing: the copy is made and migrated beside the target under a temporary name, and only
/// then renamed into place. Returns the opened store.
pub async fn restore_sqlite(backup: &Path, target: &DbUrl) -> Result<Store> {
    let target_path = match target {
        DbUrl::Sqlite(path) => path.clone(),
        DbUrl::Postgres(_) => return Err(StoreError::Unsupported(POSTGRES_BACKUP.into())),
    };
    if !backup.is_file() {
        return Err(StoreError::Invalid(format!(
            "{}: no such backup file",
            backup.display()
        )));
    }
    check_sqlite_file(backup).await?;
    check_not_newer(backup).await?;
    ensure_empty_target(target).await?;

    let mut staging_name = target_path.file_name().unwrap_or_default().to_os_string();
    staging_name.push(format!(".restoring-{}", std::process::id()));
    let staging = target_path.with_file_name(staging_name);
    let result = restore_into(backup, &staging, &target_path).await;
    if result.is_err() {
        remove_sqlite_files(&staging, &["", "-wal", "-shm", "-journal"]);
    }
    result?;
    Store::open(target, OpenMode::Checked).await
}

async fn restore_into(backup: &Path, staging: &Path, target: &Path) -> Result<()> {
    if staging.exists() {
        return Err(StoreError::Invalid(format!(
            "{} exists: another restore may be running",
            staging.display()
        )));
    }
    let staging_text = utf8(staging)?;
    let mut source = read_only(backup).await?;
    sqlx::query("VACUUM INTO $1")
        .bind(staging_text)
        .execute(&mut source)
        .await?;
    source.close().await?;
    let staged = Store::open(&DbUrl::sqlite(staging), OpenMode::Checked).await?;
    staged.close().await;
    // The old target held no records; its journal files must not be replayed into the copy.
    remove_sqlite_files(target, &["-wal", "-shm", "-journal"]);
    std::fs::rename(staging, target).map_err(|e| {
        StoreError::Invalid(format!(
            "cannot move the restored database into {}: {e}",
            target.display()
        ))
    })
}

/// Refuses a target that holds anything: a non-database file, or a Bearing database with
/// records in it.
async fn ensure_empty_target(target: &DbUrl) -> Result<()> {
    let Some(path) = target.sqlite_path() else {
        return Ok(());
    };
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size == 0 {
        return Ok(());
    }
    let occupied = || {
        StoreError::Invalid(format!(
            "{} already holds data: restore only writes a new or empty database, so move it away or choose another --db",
            path.display()
        ))
    };
    let existing = Store::open(target, OpenMode::Unchecked)
        .await
        .map_err(|_| occupied())?;
    let empty =
        existing.schema_status().await.is_ok() && existing.is_empty().await.unwrap_or(false);
    existing.close().await;
    if empty { Ok(()) } else { Err(occupied()) }
}

/// Refuses a backup made by a newer Bearing, whose schema this build cannot use.
async fn check_not_newer(backup: &Path) -> Result<()> {
    let mut conn = read_only(backup).await?;
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut conn)
            .await?;
    conn.close().await?;
    let known: Vec<i64> = crate::SQLITE_MIGRATIONS.iter().map(|m| m.version).collect();
    match versions.iter().find(|v| !known.contains(v)) {
        Some(version) => Err(StoreError::Newer {
            applied: *version,
            latest: known.last().copied().unwrap_or(0),
        }),
        None => Ok(()),
    }
}

fn remove_sqlite_files(path: &Path, suffixes: &[&str]) {
    for suffix in suffixes {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(name));
    }
}

fn utf8(path: &Path) -> Result<&str> {
    path.to_str()
        .ok_or_else(|| StoreError::Invalid(format!("{} is not a UTF-8 path", path.display())))
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
