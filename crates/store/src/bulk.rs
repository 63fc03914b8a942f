//! Lists read in one row.
//!
//! sqlx's `Any` driver hands rows to the process one at a time, each across threads and each
//! value copied (about 17 µs a deal row measured on SQLite), so a list of thousands of rows
//! costs far more to hand over than the database takes to read it. A list is therefore read
//! as one row holding a JSON array, a JSON array of columns per record (`json_group_array` on
//! SQLite, `json_agg` on PostgreSQL), and decoded with serde into a struct of the stored
//! column types, declared once with [`columns!`]; the record is then built from that struct
//! exactly as from a row.
//!
//! Many rows are written the same way: one parameter holds them as a JSON array of column
//! arrays, and the statement reads it as a table ([`rows_of`]), so a batch of thousands of
//! rows binds three values instead of one per column of each row.
//!
//! SQLite writes a REAL into JSON with 15 significant digits, which loses the last digits of
//! some values (0.1 + 0.2); a REAL column is therefore written through `quote()`, which keeps
//! every digit, and read back as the same `f64`.

use serde::de::DeserializeOwned;

use crate::{Backend, Result, StoreError};

/// A stored column's type: whether it is a REAL, which SQLite must write in full.
pub(crate) trait Column {
    const REAL: bool = false;
}

impl Column for i64 {}
impl Column for Option<i64> {}
impl Column for String {}
impl Column for Option<String> {}
impl Column for f64 {
    const REAL: bool = true;
}
impl Column for Option<f64> {
    const REAL: bool = true;
}

/// The columns of a bulk read: a struct of the stored types, decoded from a JSON array of
/// the columns in the order declared.
pub(crate) trait Columns: DeserializeOwned {
    /// Each column's name and whether it is a REAL.
    const COLUMNS: &'static [(&'static str, bool)];
}

/// Declares a struct of stored columns, in the order they are selected.
macro_rules! columns {
    ($(#[$meta:meta])* struct $name:ident { $($column:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(serde::Deserialize)]
        struct $name {
            $($column: $ty),*
        }

        impl $crate::bulk::Columns for $name {
            const COLUMNS: &'static [(&'static str, bool)] =
                &[$((stringify!($column), <$ty as $crate::bulk::Column>::REAL)),*];
        }
    };
}
pub(crate) use columns;

/// `SELECT` of one row holding every row of `from` (a FROM clause with its WHERE) as a JSON
/// array, in `order`. The list is NULL on PostgreSQL when there are no rows.
pub(crate) fn select<C: Columns>(backend: Backend, from: &str, order: &str) -> String {
    let columns: Vec<String> = C::COLUMNS
        .iter()
        .map(|&(name, real)| match (backend, real) {
            (Backend::Sqlite, true) => format!("json(nullif(quote({name}), 'NULL'))"),
            _ => name.to_owned(),
        })
        .collect();
    select_of(backend, &columns.join(", "), from, order)
}

/// [`select`] of `columns` as written (none of them a REAL), for a list read into tuples.
pub(crate) fn select_of(backend: Backend, columns: &str, from: &str, order: &str) -> String {
    match backend {
        Backend::Sqlite => {
            format!("SELECT json_group_array(json_array({columns}) ORDER BY {order}) {from}")
        }
        Backend::Postgres => format!(
            "SELECT CAST(json_agg(json_build_array({columns}) ORDER BY {order}) AS TEXT) {from}"
        ),
    }
}

/// The rows of a list read by [`select`]; `what` names them in an error.
pub(crate) fn decode<C: DeserializeOwned>(what: &str, list: Option<String>) -> Result<Vec<C>> {
    match list {
        None => Ok(Vec::new()),
        Some(text) => serde_json::from_str(&text)
            .map_err(|e| StoreError::Database(format!("unreadable {what} rows: {e}"))),
    }
}

/// Reads the list that `query` (a [`select`] with its parameters bound) returns.
pub(crate) async fn fetch<'e, 'q: 'e, C: DeserializeOwned>(
    what: &str,
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    query: sqlx::query::QueryScalar<
        'q,
        sqlx::Any,
        Option<String>,
        <sqlx::Any as sqlx::Database>::Arguments,
    >,
) -> Result<Vec<C>> {
    decode(what, query.fetch_one(executor).await?)
}

/// Rows per statement of a write through [`rows_of`].
pub(crate) const ROWS_PER_WRITE: usize = 5_000;

/// A table of the rows in the JSON array bound as `param`: one column, `value`, holding each
/// row's array, whose columns are `value ->> 0`, `value ->> 1`, ….
pub(crate) fn rows_of(backend: Backend, param: &str) -> String {
    match backend {
        Backend::Sqlite => format!("json_each({param})"),
        Backend::Postgres => format!("json_array_elements(CAST({param} AS JSON)) AS rows(value)"),
    }
}

/// `rows` as the JSON text [`rows_of`] reads.
pub(crate) fn json_text(rows: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(rows)
        .map_err(|e| StoreError::Invalid(format!("rows that cannot be written as JSON: {e}")))
}
