//! Throw-away databases for tests: a temporary SQLite file, or a fresh PostgreSQL database on
//! the server named by `BEARING_TEST_POSTGRES`, dropped when the test ends.

use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::{DbUrl, OpenMode, Store};

/// The environment variable that names a PostgreSQL server for tests, e.g.
/// `postgres:///postgres?host=/var/run/postgresql`. The database in it is only used to create
/// and drop a fresh database per test.
pub const POSTGRES_ENV: &str = "BEARING_TEST_POSTGRES";

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDb {
    pub url: DbUrl,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// A new SQLite file in a temporary folder.
    pub fn sqlite() -> TestDb {
        let dir = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("cannot create a temporary folder: {e}"),
        };
        TestDb {
            url: DbUrl::sqlite(dir.path().join("bearing.db")),
            _dir: Some(dir),
            postgres: None,
        }
    }

    /// A new, empty PostgreSQL database, or `None` (saying so on standard error, past the test
    /// harness's capture) when `BEARING_TEST_POSTGRES` is not set.
    pub async fn postgres(test: &str) -> Option<TestDb> {
        let Ok(admin) = std::env::var(POSTGRES_ENV) else {
            let _ = writeln!(
                std::io::stderr(),
                "skipped {test} on PostgreSQL: set {POSTGRES_ENV} to a server URL to run it"
            );
            return None;
        };
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "bearing_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            test.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(30)
                .collect::<String>()
                .to_ascii_lowercase()
        );
        admin_execute(&admin, &format!("CREATE DATABASE \"{name}\"")).await;
        Some(TestDb {
            url: DbUrl::Postgres(with_database(&admin, &name)),
            _dir: None,
            postgres: Some((admin, name)),
        })
    }

    /// The store, migrated.
    pub async fn store(&self) -> Store {
        let store = match Store::open(&self.url, OpenMode::Unchecked).await {
            Ok(store) => store,
            Err(e) => panic!("cannot open the test database: {e}"),
        };
        if let Err(e) = store.migrate().await {
            panic!("cannot migrate the test database: {e}");
        }
        store
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.postgres.take() {
            // Drop runs outside async code; a thread of its own runs the async client.
            let _ = std::thread::spawn(move || {
                if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    runtime.block_on(admin_execute(
                        &admin,
                        &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
                    ));
                }
            })
            .join();
        }
    }
}

async fn admin_execute(admin: &str, sql: &str) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = match sqlx::AnyConnection::connect(admin).await {
        Ok(conn) => conn,
        Err(e) => panic!("cannot connect to {}: {e}", crate::url::redact(admin)),
    };
    if let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut conn)
        .await
    {
        panic!("{sql}: {e}");
    }
    let _ = conn.close().await;
}

/// `admin` with its database replaced by `database`.
pub fn with_database(admin: &str, database: &str) -> String {
    let scheme_end = admin.find("://").map_or(0, |i| i + 3);
    let rest = &admin[scheme_end..];
    let path_start = rest
        .find(['/', '?'])
        .map_or(admin.len(), |i| scheme_end + i);
    let query_start = admin[path_start..]
        .find('?')
        .map_or(admin.len(), |i| path_start + i);
    format!(
        "{}/{database}{}",
        &admin[..path_start],
        &admin[query_start..]
    )
}

/// Declares each named `async fn NAME(db: &TestDb)` as two tests, `sqlite::NAME` and
/// `postgres::NAME`; the PostgreSQL one is skipped, visibly, without `BEARING_TEST_POSTGRES`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::testing::TestDb::sqlite();
                    super::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = $crate::testing::TestDb::postgres(stringify!($name)).await else {
                        return;
                    };
                    super::$name(&db).await;
                }
            )*
        }
    };
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn swaps_the_database_of_a_url() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres", "x"),
            "postgres://u:p@h:5432/x"
        );
        assert_eq!(
            with_database("postgres:///postgres?host=/run/pg", "x"),
            "postgres:///x?host=/run/pg"
        );
        assert_eq!(
            with_database("postgres://h?user=a", "x"),
            "postgres://h/x?user=a"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }
}
