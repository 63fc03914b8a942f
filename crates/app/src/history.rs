//! The audit trail of one entity.

use bearing_core::EntityKind;
use bearing_store::{AuditRecord, AuditSearch, Store};

use crate::{AppError, Context, Result};

/// Every recorded change to an entity, oldest first; an error when there is none. Refused to
/// those who may not read the history of its kind (`access::to_read_history_of`).
pub async fn of(
    store: &Store,
    ctx: &Context,
    kind: EntityKind,
    id: &str,
) -> Result<Vec<AuditRecord>> {
    let needed = bearing_core::access::to_read_history_of(kind);
    if !ctx.may(needed) {
        return Err(AppError::Forbidden(format!(
            "the history of a {kind} is for those who may {} (the permission {})",
            needed.describe(),
            needed.as_str()
        )));
    }
    let mut id = id.trim().to_owned();
    // An invoice is named by its number as often as by its id.
    if kind == EntityKind::Invoice
        && id.parse::<i64>().is_err()
        && let Some(invoice) = store.find_invoice_by_number(&id).await?
    {
        id = invoice.id.to_string();
    }
    let records = store.list_audit(kind, &id).await?;
    if records.is_empty() {
        return Err(AppError::NotFound(format!(
            "no history for {kind} {}",
            id.trim()
        )));
    }
    Ok(records)
}

/// The newest `limit` changes that match `search` and that the actor may read, newest first,
/// and how many match: kinds whose history the actor may not read are left out.
pub async fn search(
    store: &Store,
    ctx: &Context,
    mut search: AuditSearch,
    limit: usize,
) -> Result<(i64, Vec<AuditRecord>)> {
    ctx.require(bearing_core::access::Permission::Read)?;
    search.hidden.extend(
        EntityKind::ALL
            .into_iter()
            .filter(|k| !ctx.may(bearing_core::access::to_read_history_of(*k))),
    );
    Ok(store.search_audit(&search, limit).await?)
}

/// A record's history as a table: the change's id, moment, actor, front door, action and
/// the changes as people read them; `stored` adds the stored values before and after as JSON
/// (for CSV, which is read by programs).
pub fn table(records: &[AuditRecord], names: &Names, stored: bool) -> bearing_formats::Table {
    let mut columns = vec!["id", "at", "actor", "source", "action", "changes"];
    if stored {
        columns.extend(["before", "after"]);
    }
    let mut table = bearing_formats::Table::new(columns);
    for record in records {
        let changes: Vec<String> = described(record, names)
            .iter()
            .map(ToString::to_string)
            .collect();
        let json = |v: &Option<serde_json::Value>| v.as_ref().map(serde_json::Value::to_string);
        let mut row = vec![
            Some(record.id.to_string()),
            Some(bearing_store::timestamp_text(record.at)),
            Some(record.actor.clone()),
            Some(record.source.to_string()),
            Some(record.action.to_string()),
            Some(changes.join("; ")),
        ];
        if stored {
            row.extend([json(&record.before), json(&record.after)]);
        }
        table.push(row);
    }
    table
}

/// One field that a change set, altered or cleared.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// What a recorded change did, field by field: the fields that differ between its before and
/// after values (all set fields for a creation). Bookkeeping timestamps are left out.
pub fn changes(record: &AuditRecord) -> Vec<FieldChange> {
    use serde_json::{Map, Value};
    let empty = Map::new();
    let object = |v: &Option<Value>| match v {
        Some(Value::Object(map)) => map.clone(),
        _ => empty.clone(),
    };
    let before = object(&record.before);
    let after = object(&record.after);
    let mut fields: Vec<&String> = before.keys().chain(after.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|f| !matches!(f.as_str(), "created_at" | "updated_at"))
        .filter_map(|field| {
            let old = before.get(field).filter(|v| !v.is_null()).cloned();
            let new = after.get(field).filter(|v| !v.is_null()).cloned();
            (old != new).then(|| FieldChange {
                field: field.clone(),
                before: old,
                after: new,
            })
        })
        .collect()
}

/// The names the ids in recorded changes stand for, read for the records at hand: a stage,
/// pipeline, organization, campaign, role, area, person or deal id is shown by its name.
#[derive(Debug, Clone, Default)]
pub struct Names {
    by_field: std::collections::HashMap<&'static str, std::collections::HashMap<i64, String>>,
}

/// The id fields whose names [`Names`] knows, and what they are called.
const ID_FIELDS: [(&str, &str); 8] = [
    ("stage_id", "stage"),
    ("pipeline_id", "pipeline"),
    ("organization_id", "organization"),
    ("campaign_id", "campaign"),
    ("role_id", "role"),
    ("area_id", "area"),
    ("person_id", "person"),
    ("renews_deal_id", "renews"),
];

impl Names {
    /// The names of the ids `records` change, each kind read once and only when a record
    /// changes it.
    pub async fn of(store: &Store, records: &[AuditRecord]) -> Result<Names> {
        let mut wanted: std::collections::HashMap<&'static str, Vec<i64>> =
            std::collections::HashMap::new();
        for record in records {
            for change in changes(record) {
                if let Some((field, _)) = ID_FIELDS.iter().find(|(f, _)| *f == change.field) {
                    let ids = wanted.entry(field).or_default();
                    ids.extend(
                        [&change.before, &change.after]
                            .into_iter()
                            .filter_map(|v| v.as_ref()?.as_i64()),
                    );
                }
            }
        }
        let mut names = Names::default();
        for (field, mut ids) in wanted {
            ids.sort_unstable();
            ids.dedup();
            let map: std::collections::HashMap<i64, String> = match field {
                "stage_id" => store
                    .list_stages()
                    .await?
                    .into_iter()
                    .map(|s| (s.id.get(), s.name))
                    .collect(),
                "pipeline_id" => store
                    .list_stages()
                    .await?
                    .into_iter()
                    .map(|s| (s.pipeline_id.get(), s.pipeline))
                    .collect(),
                "organization_id" => store
                    .names_of(bearing_store::Named::Organizations, &ids)
                    .await?
                    .into_iter()
                    .collect(),
                "campaign_id" => store
                    .list_campaigns(true)
                    .await?
                    .into_iter()
                    .map(|c| (c.id.get(), c.row.name))
                    .collect(),
                "role_id" => store
                    .list_roles()
                    .await?
                    .into_iter()
                    .map(|r| (r.id.get(), r.text.name))
                    .collect(),
                "area_id" => store
                    .list_areas()
                    .await?
                    .into_iter()
                    .map(|a| (a.id.get(), a.name))
                    .collect(),
                "person_id" => store
                    .list_people()
                    .await?
                    .into_iter()
                    .map(|p| (p.id.get(), p.fields.name))
                    .collect(),
                _ => store
                    .names_of(bearing_store::Named::Deals, &ids)
                    .await?
                    .into_iter()
                    .collect(),
            };
            names.by_field.insert(field, map);
        }
        Ok(names)
    }

    fn name(&self, field: &str, id: i64) -> Option<&str> {
        self.by_field.get(field)?.get(&id).map(String::as_str)
    }
}

/// One change as people read it: the field by its name, values in words, money and dates.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Described {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl std::fmt::Display for Described {
    /// `stage: Lead → Won`, `owner: Ada`, `notes cleared (was …)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.before, &self.after) {
            (None, Some(new)) => write!(f, "{}: {new}", self.field),
            (Some(old), None) => write!(f, "{} cleared (was {old})", self.field),
            (Some(old), Some(new)) => write!(f, "{}: {old} → {new}", self.field),
            (None, None) => f.write_str(&self.field),
        }
    }
}

/// Fields that hold money in minor units of the record's currency.
const MONEY_MINOR: [&str; 6] = [
    "amount_minor",
    "collected_minor",
    "total_minor",
    "unit_minor",
    "annual_base",
    "monthly_payment",
];

/// Fields that hold money in whole dollars.
const MONEY_MAJOR: [&str; 3] = ["net_assets", "monthly_costs", "non_personnel_costs"];

/// Fields that hold a share, shown as a percentage.
const SHARES: [&str; 5] = [
    "probability",
    "fsp_fee",
    "default_probability",
    "percentile_low",
    "percentile_high",
];

/// What a field is called on the pages.
fn label(field: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or(field);
    if let Some((_, name)) = ID_FIELDS.iter().find(|(f, _)| *f == last) {
        return (*name).to_owned();
    }
    match last {
        "fte" => "FTE".to_owned(),
        "fsp_fee" => "FSP fee".to_owned(),
        "mc_runs" => "Monte Carlo runs".to_owned(),
        "mc_seed" => "Monte Carlo seed".to_owned(),
        "github_org" => "GitHub".to_owned(),
        "annual_base" => "annual base salary".to_owned(),
        "amount_minor" => "amount".to_owned(),
        "collected_minor" => "collected".to_owned(),
        "total_minor" => "total".to_owned(),
        "unit_minor" => "unit amount".to_owned(),
        "books_closed" => "books closed".to_owned(),
        other => other.replace('_', " "),
    }
}

/// A number without the float noise of its storage: `0.2999999999999999` is `0.3`.
fn plain_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{x:.0}");
    }
    let text = format!("{x:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A stored value in words.
fn value_text(
    field: &str,
    value: &serde_json::Value,
    currency: bearing_core::Currency,
    names: &Names,
) -> String {
    use serde_json::Value;
    let last = field.rsplit('.').next().unwrap_or(field);
    if let Some(id) = value.as_i64()
        && let Some(name) = names.name(last, id)
    {
        return name.to_owned();
    }
    if let Some(minor) = value.as_i64()
        && MONEY_MINOR.contains(&last)
    {
        let money = bearing_core::Money::from_minor(minor, currency);
        // Whole amounts as people write them; an amount with cents keeps them.
        return if minor % currency.scale() == 0 {
            money.whole_text()
        } else {
            money.text()
        };
    }
    match value {
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or_default();
            if MONEY_MAJOR.contains(&last) {
                bearing_core::forecast::dollars(x)
            } else if SHARES.contains(&last) {
                format!("{}%", plain_number(x * 100.0))
            } else {
                plain_number(x)
            }
        }
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        Value::String(text) => readable_text(text),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Array(pair) => pair
                    .iter()
                    .map(|v| value_text("", v, currency, names))
                    .collect::<Vec<_>>()
                    .join(" "),
                other => value_text(field, other, currency, names),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(map) => map
            .iter()
            // Bookkeeping is left out here as it is of a record's own fields.
            .filter(|(k, v)| !v.is_null() && !matches!(k.as_str(), "created_at" | "updated_at"))
            .map(|(k, v)| format!("{}: {}", label(k), value_text(k, v, currency, names)))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Null => String::new(),
    }
}

/// Text as stored, with moments and days written as people read them: `30 Nov 2026, 08:22`
/// and `30 Nov 2026`.
fn readable_text(text: &str) -> String {
    if let Some(at) = bearing_store::timestamp_of_json(text) {
        return at.strftime("%-d %b %Y, %H:%M").to_string();
    }
    if text.len() == 10
        && let Ok(day) = text.parse::<bearing_core::Date>()
    {
        return bearing_core::day_words(day);
    }
    text.to_owned()
}

/// The changes of one recorded change as people read them: fields by their names (a role's
/// parts and other nested values field by field), ids by the names they stand for, money in
/// its currency with separators, shares as percentages, dates and moments in words. The
/// API and the command line's JSON keep the stored values.
pub fn described(record: &AuditRecord, names: &Names) -> Vec<Described> {
    let currency = [&record.after, &record.before]
        .into_iter()
        .find_map(|v| v.as_ref()?.get("currency")?.as_str()?.parse().ok())
        .unwrap_or_default();
    changes(record)
        .into_iter()
        .flat_map(nested)
        .flat_map(list_changes)
        .map(|c| Described {
            field: label(&c.field),
            before: c
                .before
                .as_ref()
                .map(|v| value_text(&c.field, v, currency, names)),
            after: c
                .after
                .as_ref()
                .map(|v| value_text(&c.field, v, currency, names)),
        })
        .collect()
}

/// A change of a deal's stage history (tracked fields as text: amounts in major units,
/// probabilities as fractions, days) as people read it, amounts in `currency`.
pub fn described_tracked(
    field: &str,
    old: Option<&str>,
    new: Option<&str>,
    currency: bearing_core::Currency,
) -> Described {
    let text = |value: &str| match field {
        "amount" | "amount_collected" => bearing_core::Money::parse(value, currency)
            .map_or_else(|_| value.to_owned(), |m| m.whole_text()),
        "probability" => value.parse::<f64>().map_or_else(
            |_| value.to_owned(),
            |p| format!("{}%", plain_number(p * 100.0)),
        ),
        _ => readable_text(value),
    };
    Described {
        field: match field {
            "amount_collected" => "collected".to_owned(),
            other => label(other),
        },
        before: old.map(text),
        after: new.map(text),
    }
}

/// A change of an object-valued field (a role's text, a cluster's fields, the bands), field
/// by field.
/// A list that gained or lost items (an invoice's payments) as what was added and what was
/// removed, rather than the whole list before and after; a list only reordered or with an
/// item changed in place stays whole.
fn list_changes(change: FieldChange) -> Vec<FieldChange> {
    use serde_json::Value;
    let (Some(Value::Array(old)), Some(Value::Array(new))) = (&change.before, &change.after) else {
        return vec![change];
    };
    let added: Vec<Value> = new.iter().filter(|v| !old.contains(v)).cloned().collect();
    let removed: Vec<Value> = old.iter().filter(|v| !new.contains(v)).cloned().collect();
    let replaced = !old.is_empty() && added.len() == new.len() && removed.len() == old.len();
    if added.is_empty() && removed.is_empty() || replaced {
        return vec![change];
    }
    let mut out = Vec::new();
    if !added.is_empty() {
        out.push(FieldChange {
            field: format!("{} added", change.field),
            before: None,
            after: Some(Value::Array(added)),
        });
    }
    if !removed.is_empty() {
        out.push(FieldChange {
            field: format!("{} removed", change.field),
            before: None,
            after: Some(Value::Array(removed)),
        });
    }
    out
}

fn nested(change: FieldChange) -> Vec<FieldChange> {
    use serde_json::Value;
    let (before, after) = match (&change.before, &change.after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => (b.clone(), a.clone()),
        (None, Some(Value::Object(a))) => (serde_json::Map::new(), a.clone()),
        (Some(Value::Object(b)), None) => (b.clone(), serde_json::Map::new()),
        _ => return vec![change],
    };
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| {
            let old = before
                .get(key)
                .filter(|v| !v.is_null() && !is_empty(v))
                .cloned();
            let new = after
                .get(key)
                .filter(|v| !v.is_null() && !is_empty(v))
                .cloned();
            (old != new).then(|| FieldChange {
                field: format!("{}.{key}", change.field),
                before: old,
                after: new,
            })
        })
        .flat_map(nested)
        .collect()
}

fn is_empty(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.is_empty(),
        serde_json::Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bearing_core::{Action, EntityKind, Source};
    use serde_json::json;

    fn record(before: Option<serde_json::Value>, after: Option<serde_json::Value>) -> AuditRecord {
        AuditRecord {
            id: 1,
            at: jiff::Timestamp::from_second(1_767_225_600).unwrap(),
            actor: "ada".into(),
            source: Source::Cli,
            entity: EntityKind::Organization,
            entity_id: "1".into(),
            action: Action::Update,
            before,
            after,
        }
    }

    #[test]
    fn changes_list_only_fields_that_differ() {
        let r = record(
            Some(json!({"name": "bids", "kind": "community", "notes": "x", "updated_at": "a"})),
            Some(json!({"name": "bids", "kind": "funder", "notes": null, "updated_at": "b"})),
        );
        let found: Vec<(String, Option<serde_json::Value>, Option<serde_json::Value>)> =
            changes(&r)
                .into_iter()
                .map(|c| (c.field, c.before, c.after))
                .collect();
        assert_eq!(
            found,
            vec![
                (
                    "kind".into(),
                    Some(json!("community")),
                    Some(json!("funder"))
                ),
                ("notes".into(), Some(json!("x")), None),
            ]
        );
    }

    #[test]
    fn a_creation_lists_every_set_field() {
        let r = record(
            None,
            Some(json!({"name": "bids", "website": null, "created_at": "a"})),
        );
        let fields: Vec<String> = changes(&r).into_iter().map(|c| c.field).collect();
        assert_eq!(fields, ["name"]);
    }

    #[test]
    fn a_list_that_grew_shows_what_was_added() {
        let payment = |id: i64, day: &str, minor: i64| json!({"id": id, "paid_on": day, "amount_minor": minor, "created_at": "2026-01-05T10:00:00Z"});
        let record = |before: serde_json::Value, after: serde_json::Value| AuditRecord {
            entity: EntityKind::Invoice,
            ..record(Some(before), Some(after))
        };
        let text = |r: &AuditRecord| -> Vec<String> {
            described(r, &Names::default())
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        let one = payment(1, "2026-01-05", 10_000);
        let two = payment(2, "2026-01-06", 20_050);
        let grew = record(
            json!({"currency": "USD", "payments": [one.clone()]}),
            json!({"currency": "USD", "payments": [one.clone(), two.clone()]}),
        );
        assert_eq!(
            text(&grew),
            ["payments added: id: 2, paid on: 6 Jan 2026, amount: $200.50"]
        );
        let first = record(
            json!({"currency": "USD", "payments": []}),
            json!({"currency": "USD", "payments": [one.clone()]}),
        );
        assert_eq!(
            text(&first),
            ["payments added: id: 1, paid on: 5 Jan 2026, amount: $100"]
        );
        let tags = record(json!({"tags": ["a"]}), json!({"tags": ["b"]}));
        assert_eq!(text(&tags), ["tags: a → b"]);
    }

    #[test]
    fn described_changes_read_as_people_write_them() {
        let mut names = Names::default();
        names.by_field.insert(
            "stage_id",
            [(5, "Discovery".to_owned()), (8, "Closed Won".to_owned())].into(),
        );
        let r = record(
            Some(json!({
                "stage_id": 5,
                "amount_minor": 1_269_680_000_i64,
                "currency": "USD",
                "probability": 0.2999999999999999,
                "close_date": null,
                "text": {"key_goal": "Grow.", "notes": []},
            })),
            Some(json!({
                "stage_id": 8,
                "amount_minor": 1_300_000_000_i64,
                "currency": "USD",
                "probability": 1.0,
                "close_date": "2026-11-30",
                "signed_at": "2026-11-30T08:22:31.123456Z",
                "text": {"key_goal": "Grow faster.", "notes": ["An experiment."]},
            })),
        );
        let text: Vec<String> = described(&r, &names)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            text,
            [
                "amount: $12,696,800 → $13,000,000",
                "close date: 30 Nov 2026",
                "probability: 30% → 100%",
                "signed at: 30 Nov 2026, 08:22",
                "stage: Discovery → Closed Won",
                "key goal: Grow. → Grow faster.",
                "notes: An experiment.",
            ]
        );
    }

    #[test]
    fn a_deals_tracked_changes_read_as_people_write_them() {
        let eur = bearing_core::Currency::parse("EUR").unwrap();
        let text = |field, old, new| described_tracked(field, old, new, eur).to_string();
        assert_eq!(
            text("amount", Some("126968.00"), Some("130000.50")),
            "amount: 126,968 EUR → 130,000 EUR"
        );
        assert_eq!(
            text("probability", Some("0.2999999999999999"), Some("1")),
            "probability: 30% → 100%"
        );
        assert_eq!(
            text("close_date", None, Some("2026-11-30")),
            "close date: 30 Nov 2026"
        );
        assert_eq!(
            text("amount_collected", Some("10.00"), None),
            "collected cleared (was 10 EUR)"
        );
    }

    #[test]
    fn an_id_without_a_known_name_stays_a_number_and_floats_lose_their_noise() {
        let r = record(
            Some(json!({"stage_id": 5, "fte": 0.30000000000000004})),
            Some(json!({"stage_id": 9, "fte": 0.5})),
        );
        let text: Vec<String> = described(&r, &Names::default())
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(text, ["FTE: 0.3 → 0.5", "stage: 5 → 9"]);
    }
}
