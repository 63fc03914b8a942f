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
        value: crate::input::shortened(value),
        message,
    };
    let crate::input::CsvInput {
        headers,
        rows: records,
        errors,
    } = crate::input::read(
        file,
        input,
        crate::input::Header {
            lowercase: true,
            required: &[],
        },
    );
    if !errors.is_empty() && headers.is_empty() {
        return Err(errors);
    }
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
    let mut errors = errors;
    let mut seen: HashMap<(String, Date), u64> = HashMap::new();
    for (line, record) in records {
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
        for (column, name) in [("cluster", Some(cell(cluster))), ("hub", hub.map(cell))] {
            if let Some(Err(problem)) =
                name.map(|n| bearing_core::text::check(n, bearing_core::text::MAX_NAME))
            {
                errors.push(error(line, column, name.unwrap_or_default(), problem));
            }
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
        let count = users_count(cell(users));
        if let Err(message) = &count {
            let column = if hub.is_some() {
                "users"
            } else {
                "unique_users"
            };
            errors.push(error(line, column, cell(users), message.clone()));
        }
        let count = count.ok();
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
            users: count,
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// A count of users: a whole number from 0 that fits in 64 bits. Exports that write counts
/// as decimals (`7.0`) are read too, up to 2^53, where every whole number is exact.
fn users_count(text: &str) -> Result<i64, String> {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    const NOT_A_COUNT: &str = "expected a whole number of users, 0 or more";
    if let Ok(n) = text.parse::<i64>() {
        return if n >= 0 {
            Ok(n)
        } else {
            Err(NOT_A_COUNT.into())
        };
    }
    // Digits past i64 read as a float above EXACT, and are refused with the rest of those.
    match text.parse::<f64>() {
        Ok(u) if u.is_finite() && u >= 0.0 && u.fract() == 0.0 && u <= EXACT => Ok(u as i64),
        Ok(u) if u.is_finite() && u > EXACT => Err(format!(
            "a count of users this large does not fit (at most {})",
            i64::MAX
        )),
        _ => Err(NOT_A_COUNT.into()),
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

    #[test]
    fn counts_that_do_not_fit_are_refused_not_clamped() {
        let errors = read_samples(
            "u.csv",
            "cluster,date,unique_users\r\na,2026-01-01,99999999999999999999\r\nb,2026-01-01,1e30\r\nc,2026-01-01,9223372036854775807\r\nd,2026-01-01,NaN\r\n"
                .as_bytes(),
        )
        .unwrap_err();
        let found: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            [
                "u.csv:2: column unique_users = \"99999999999999999999\": a count of users this large does not fit (at most 9223372036854775807)",
                "u.csv:3: column unique_users = \"1e30\": a count of users this large does not fit (at most 9223372036854775807)",
                "u.csv:5: column unique_users = \"NaN\": expected a whole number of users, 0 or more",
            ]
        );
    }
}
