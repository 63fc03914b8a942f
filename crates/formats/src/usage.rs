//! Usage samples from CSV, in either layout the organisation exports:
//! `cluster,date,unique_users` (one row per cluster and day) or `date,hub,users,cluster`
//! (one row per hub and day). Every problem is named by file, line, column and value.

use std::collections::HashMap;
use std::io::Read;

use bearing_core::Date;

use crate::crm::RowError;

/// One sample: a cluster's (or one of its hubs') active users on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRow {
    pub line: u64,
    pub cluster: String,
    /// Set in the per-hub layout.
    pub hub: Option<String>,
    pub date: Date,
    pub users: i64,
}

/// Reads a whole file: every sample, or every problem. A (cluster or hub, date) twice in one
/// file is a problem, so an import cannot depend on row order.
pub fn read_samples(file: &str, input: impl Read) -> Result<Vec<UsageRow>, Vec<RowError>> {
    let error = |line: u64, column: &str, value: &str, message: String| RowError {
        file: file.to_owned(),
        line,
        column: column.to_owned(),
        value: value.to_owned(),
        message,
    };
    let mut reader = csv::ReaderBuilder::new().from_reader(input);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|c| c.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect(),
        Err(e) => {
            return Err(vec![error(
                1,
                "",
                "",
                format!("cannot read the header: {e}"),
            )]);
        }
    };
    let position = |name: &str| headers.iter().position(|h| h == name);
    let (cluster, hub, users) = match (
        position("cluster"),
        position("hub"),
        position("unique_users"),
        position("users"),
    ) {
        (Some(c), None, Some(u), _) => (c, None, u),
        (Some(c), Some(h), None, Some(u)) => (c, Some(h), u),
        _ => {
            return Err(vec![error(
                1,
                "",
                &headers.join(","),
                "expected the columns cluster,date,unique_users or date,hub,users,cluster".into(),
            )]);
        }
    };
    let Some(date) = position("date") else {
        return Err(vec![error(
            1,
            "date",
            "",
            "the file has no date column".into(),
        )]);
    };
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<(String, Date), u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(error(
                    e.position().map_or(0, |p| p.line()),
                    "",
                    "",
                    format!("unreadable row: {e}"),
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let cell = |i: usize| record.get(i).unwrap_or_default().trim();
        let before = errors.len();
        let cluster_name = cell(cluster).to_owned();
        if cluster_name.is_empty() {
            errors.push(error(
                line,
                "cluster",
                "",
                "every sample needs a cluster".into(),
            ));
        }
        let hub_name = hub.map(|h| cell(h).to_owned()).filter(|h| !h.is_empty());
        if hub.is_some() && hub_name.is_none() {
            errors.push(error(
                line,
                "hub",
                "",
                "every sample in this layout needs a hub".into(),
            ));
        }
        let day = match bearing_core::parse_date(cell(date).get(..10).unwrap_or(cell(date))) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(error(line, "date", cell(date), e.reason));
                None
            }
        };
        let count = cell(users)
            .parse::<f64>()
            .ok()
            .filter(|u| u.is_finite() && *u >= 0.0 && u.fract() == 0.0);
        if count.is_none() {
            let column = if hub.is_some() {
                "users"
            } else {
                "unique_users"
            };
            errors.push(error(
                line,
                column,
                cell(users),
                "expected a whole number of users, 0 or more".into(),
            ));
        }
        if errors.len() > before {
            continue;
        }
        let (Some(day), Some(count)) = (day, count) else {
            continue;
        };
        let key = (
            hub_name.clone().unwrap_or_else(|| cluster_name.clone()),
            day,
        );
        if let Some(first) = seen.insert(key.clone(), line) {
            errors.push(error(
                line,
                "date",
                &day.to_string(),
                format!("{} on {day} is on line {first} too", key.0),
            ));
            continue;
        }
        rows.push(UsageRow {
            line,
            cluster: cluster_name,
            hub: hub_name,
            date: day,
            users: count as i64,
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_layouts_read() {
        let rows = read_samples(
            "u.csv",
            "cluster,date,unique_users\nbids,2026-01-03,41\ncal,2026-01-03T00:00:00Z,7.0\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(
            (rows[0].cluster.as_str(), rows[0].users, rows[0].hub.clone()),
            ("bids", 41, None)
        );
        assert_eq!((rows[1].line, rows[1].users), (3, 7));
        let hubs = read_samples(
            "h.csv",
            "date,hub,users,cluster\n2026-01-03,staging,3,bids\n2026-01-03,prod,40,bids\n"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(
            (hubs[1].hub.as_deref(), hubs[1].cluster.as_str()),
            (Some("prod"), "bids")
        );
    }

    #[test]
    fn problems_are_named_and_nothing_is_returned() {
        let errors = read_samples(
            "u.csv",
            "cluster,date,unique_users\nbids,2026-02-30,4\nbids,2026-01-03,-1\n,2026-01-03,2\ncal,2026-01-03,2\ncal,2026-01-03,3\n".as_bytes(),
        )
        .unwrap_err();
        let found: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            [
                "u.csv:2: column date = \"2026-02-30\": no such calendar date (expected YYYY-MM-DD)",
                "u.csv:3: column unique_users = \"-1\": expected a whole number of users, 0 or more",
                "u.csv:4: column cluster = \"\": every sample needs a cluster",
                "u.csv:6: column date = \"2026-01-03\": cal on 2026-01-03 is on line 5 too",
            ]
        );
        let layout = read_samples("x.csv", "name,count\n".as_bytes()).unwrap_err();
        assert!(layout[0].message.contains("cluster,date,unique_users"));
    }
}
