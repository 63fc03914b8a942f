//! Backups and restores of SQLite databases: consistent, all or nothing, never over data.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_core::organization::{OrganizationFields, OrganizationKind, OrganizationName};
use bearing_store::testing::TestDb;
use bearing_store::{DbUrl, OpenMode, Store, StoreError, restore_sqlite};

async fn store_with_an_organization(db: &TestDb) -> Store {
    let store = db.store().await;
    let mut tx = store.begin().await.unwrap();
    let fields = OrganizationFields {
        name: OrganizationName::parse("bids").unwrap(),
        long_name: None,
        kind: OrganizationKind::Community,
        website: None,
        github_org: None,
        notes: None,
        tags: Vec::new(),
    };
    tx.insert_organization(&fields, jiff::Timestamp::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    store
}

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_backup_restores_into_a_new_or_empty_database() {
    let db = TestDb::sqlite();
    let store = store_with_an_organization(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.db");
    store.backup_to(&backup).await.unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "readable by its owner only: {mode:o}");
    }

    let fresh = restore_sqlite(&backup, &DbUrl::sqlite(dir.path().join("new.db")))
        .await
        .unwrap();
    assert_eq!(fresh.list_organizations(true).await.unwrap().len(), 1);
    fresh.close().await;

    // A database that was only migrated holds no records, so it may be restored into.
    let empty_url = DbUrl::sqlite(dir.path().join("empty.db"));
    Store::open(&empty_url, OpenMode::Checked)
        .await
        .unwrap()
        .close()
        .await;
    let restored = restore_sqlite(&backup, &empty_url).await.unwrap();
    assert_eq!(restored.list_organizations(true).await.unwrap().len(), 1);
    restored.close().await;
    assert!(
        files_in(dir.path())
            .iter()
            .all(|f| !f.contains(".restoring")),
        "{:?}",
        files_in(dir.path())
    );
}

#[tokio::test]
async fn restore_never_writes_over_data() {
    let db = TestDb::sqlite();
    let store = store_with_an_organization(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.db");
    store.backup_to(&backup).await.unwrap();
    store.close().await;
    let err = restore_sqlite(&backup, &db.url).await.unwrap_err();
    assert!(err.to_string().contains("already holds data"), "{err}");
    std::fs::write(dir.path().join("notes.txt"), "precious").unwrap();
    let err = restore_sqlite(&backup, &DbUrl::sqlite(dir.path().join("notes.txt")))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already holds data"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "precious"
    );
    assert_eq!(files_in(dir.path()), ["backup.db", "notes.txt"]);
}

#[tokio::test]
async fn a_backup_from_a_newer_bearing_is_refused_and_leaves_nothing() {
    let db = TestDb::sqlite();
    let store = store_with_an_organization(&db).await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (99990101000000, 'from the future', TRUE, x'00', 0)",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.db");
    store.backup_to(&backup).await.unwrap();
    let err = restore_sqlite(&backup, &DbUrl::sqlite(dir.path().join("new.db")))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Newer { .. }), "{err:?}");
    assert_eq!(files_in(dir.path()), ["backup.db"]);
}
