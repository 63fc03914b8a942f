//! Extra properties of deals, organizations and contacts: imported columns that have no field
//! of their own, kept as key/value pairs so nothing from an import is dropped.

use std::collections::{BTreeMap, HashMap};

use crate::{Result, Store, Tx};

/// Whose properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyOwner {
    Deal,
    Organization,
    Contact,
}

impl PropertyOwner {
    fn table(self) -> &'static str {
        match self {
            PropertyOwner::Deal => "deal_properties",
            PropertyOwner::Organization => "organization_properties",
            PropertyOwner::Contact => "contact_properties",
        }
    }

    fn column(self) -> &'static str {
        match self {
            PropertyOwner::Deal => "deal_id",
            PropertyOwner::Organization => "organization_id",
            PropertyOwner::Contact => "contact_id",
        }
    }
}

impl Tx {
    /// Sets properties of many owners, replacing the values of keys they already have.
    pub async fn set_properties(
        &mut self,
        owner: PropertyOwner,
        entries: &[(i64, &BTreeMap<String, String>)],
    ) -> Result<()> {
        let flat: Vec<(i64, &String, &String)> = entries
            .iter()
            .flat_map(|(id, map)| map.iter().map(move |(k, v)| (*id, k, v)))
            .collect();
        for chunk in flat.chunks(crate::BATCH_ROWS) {
            let sql = format!(
                "INSERT INTO {table} ({column}, key, value) VALUES {values}
                 ON CONFLICT ({column}, key) DO UPDATE SET value = excluded.value",
                table = owner.table(),
                column = owner.column(),
                values = crate::placeholders(self.backend, chunk.len(), 3)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, key, value) in chunk {
                query = query.bind(*id).bind((*key).clone()).bind((*value).clone());
            }
            query.execute(&mut *self.inner).await?;
        }
        Ok(())
    }
}

impl Store {
    /// One owner's properties.
    pub async fn properties_of(
        &self,
        owner: PropertyOwner,
        id: i64,
    ) -> Result<BTreeMap<String, String>> {
        let sql = format!(
            "SELECT key, value FROM {} WHERE {} = $1 ORDER BY key",
            owner.table(),
            owner.column()
        );
        let rows: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// Every owner's properties, by owner id.
    pub async fn list_properties(
        &self,
        owner: PropertyOwner,
    ) -> Result<HashMap<i64, BTreeMap<String, String>>> {
        let sql = crate::bulk::select_of(
            self.backend(),
            &format!("{}, key, value", owner.column()),
            &format!("FROM {}", owner.table()),
            "key",
        );
        let query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
        let rows: Vec<(i64, String, String)> =
            crate::bulk::fetch("property", &self.pool, query).await?;
        let mut out: HashMap<i64, BTreeMap<String, String>> = HashMap::new();
        for (id, key, value) in rows {
            out.entry(id).or_default().insert(key, value);
        }
        Ok(out)
    }
}
