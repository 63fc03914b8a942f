//! A client for Prometheus's range-query HTTP API (`/api/v1/query_range`), called directly or
//! through a Grafana data-source proxy with a bearer token, and the mapping of its series to
//! usage samples: one sample per series and day.
//!
//! A response is taken whole or not at all: an HTTP error, a timeout, a body that is not the
//! API's JSON, a failed query, warnings (Prometheus or a proxy in front of it could not read
//! everything, so the data may be partial) or a value that is not a count of users is an error
//! that says what was wrong, and no sample is returned.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use bearing_core::Date;

use crate::usage::UsageRow;

/// The JupyterHub gauge of users active in the last 30 days, by namespace (one namespace per
/// hub).
pub const DEFAULT_QUERY: &str = r#"max by (namespace) (jupyterhub_active_users{period="30d"})"#;
/// The label that names the cluster (or the hub, with `cluster` set) of a series.
pub const DEFAULT_LABEL: &str = "namespace";
/// One sample a day.
pub const DEFAULT_STEP: Duration = Duration::from_secs(86_400);
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// What to ask which server, and how to name what it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pull {
    /// The server: Prometheus's base URL (`http://host:9090`), a Grafana data-source proxy
    /// (`https://grafana.example.org/api/datasources/proxy/uid/ABC`), or either with
    /// `/api/v1/query_range` already on the end.
    pub url: String,
    /// Sent as `Authorization: Bearer …` (a Grafana service-account token).
    pub token: Option<String>,
    pub query: String,
    pub step: Duration,
    pub timeout: Duration,
    /// The label whose value names the unit of a series.
    pub label: String,
    /// When set, every series is a hub of this cluster; otherwise each series is a cluster.
    pub cluster: Option<String>,
    /// Label values renamed before use: a value maps to a cluster name, or to `cluster/hub`.
    pub names: BTreeMap<String, String>,
    /// The first and last day to read, both included; each day's sample is the value at the
    /// start of the day (00:00 UTC).
    pub from: Date,
    pub to: Date,
}

impl Pull {
    /// A pull with the defaults: the 30-day active-users gauge by namespace, a day's step.
    pub fn new(url: impl Into<String>, from: Date, to: Date) -> Self {
        Pull {
            url: url.into(),
            token: None,
            query: DEFAULT_QUERY.to_owned(),
            step: DEFAULT_STEP,
            timeout: DEFAULT_TIMEOUT,
            label: DEFAULT_LABEL.to_owned(),
            cluster: None,
            names: BTreeMap::new(),
            from,
            to,
        }
    }

    /// The range-query endpoint of `url`.
    pub fn endpoint(&self) -> String {
        let base = self.url.trim_end_matches('/');
        if base.ends_with("/api/v1/query_range") {
            base.to_owned()
        } else {
            format!("{base}/api/v1/query_range")
        }
    }

    /// The URL shown in messages: the endpoint without its query.
    fn shown(&self) -> String {
        self.endpoint()
    }
}

/// Why a pull returned nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PullError {
    #[error("{0}")]
    Invalid(String),
    #[error("{url}: no answer within {seconds} s")]
    Timeout { url: String, seconds: u64 },
    #[error("{url}: cannot connect: {message}")]
    Connect { url: String, message: String },
    #[error("{url}: HTTP {status}: {body}")]
    Status {
        url: String,
        status: u16,
        body: String,
    },
    #[error("{url}: {message}")]
    Response { url: String, message: String },
}

/// One series of a range query: its labels and its (Unix time, value) points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub labels: BTreeMap<String, String>,
    pub points: Vec<(f64, String)>,
}

/// Makes ring the process's TLS provider (reqwest is built without one); a second call does
/// nothing.
pub fn install_tls() {
    // An error means a provider is installed already, which is what is wanted.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Asks the server and returns the samples it answered, or why there are none.
pub async fn pull(pull: &Pull) -> Result<Vec<UsageRow>, PullError> {
    if pull.to < pull.from {
        return Err(PullError::Invalid(format!(
            "--to {} is before --from {}",
            pull.to, pull.from
        )));
    }
    if pull.step.as_secs() == 0 {
        return Err(PullError::Invalid(
            "the step must be at least a second".into(),
        ));
    }
    let url = pull.shown();
    let start = unix_midnight(pull.from);
    let end = unix_midnight(pull.to);
    install_tls();
    let client = reqwest::Client::builder()
        .timeout(pull.timeout)
        .connect_timeout(pull.timeout)
        .build()
        .map_err(|e| PullError::Connect {
            url: url.clone(),
            message: e.to_string(),
        })?;
    let mut request = client.post(pull.endpoint()).form(&[
        ("query", pull.query.as_str()),
        ("start", &start.to_string()),
        ("end", &end.to_string()),
        ("step", &format!("{}s", pull.step.as_secs())),
    ]);
    if let Some(token) = &pull.token {
        request = request.bearer_auth(token);
    }
    let failed = |e: reqwest::Error| {
        if e.is_timeout() {
            PullError::Timeout {
                url: url.clone(),
                seconds: pull.timeout.as_secs(),
            }
        } else if e.is_connect() || e.is_request() {
            PullError::Connect {
                url: url.clone(),
                message: source_chain(&e),
            }
        } else {
            PullError::Response {
                url: url.clone(),
                message: format!("the answer could not be read whole: {}", source_chain(&e)),
            }
        }
    };
    let response = request.send().await.map_err(failed)?;
    let status = response.status();
    let body = response.bytes().await.map_err(failed)?;
    // Prometheus answers a bad query with 400 or 422 and its JSON error; say what it said.
    if !status.is_success() {
        let detail = api_error(&body).unwrap_or_else(|| excerpt(&body));
        return Err(PullError::Status {
            url,
            status: status.as_u16(),
            body: detail,
        });
    }
    let series = parse_range(&body).map_err(|message| PullError::Response {
        url: url.clone(),
        message,
    })?;
    samples(pull, &series).map_err(|message| PullError::Response { url, message })
}

fn source_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// The server's text as a message may repeat it: control characters (but tab and line
/// breaks) escaped, so that an answer cannot garble or drive the terminal that shows it.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// At most 200 characters of a body, for a message.
fn excerpt(body: &[u8]) -> String {
    let text = printable(&String::from_utf8_lossy(body));
    let text = text.trim();
    match text.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None if text.is_empty() => "(empty body)".to_owned(),
        None => text.to_owned(),
    }
}

fn unix_midnight(day: Date) -> i64 {
    (day - Date::constant(1970, 1, 1))
        .get_days()
        .checked_mul(86_400)
        .map_or(i64::MAX, i64::from)
}

fn day_of(unix: f64) -> Option<Date> {
    if !unix.is_finite() {
        return None;
    }
    let days = (unix / 86_400.0).floor();
    if days.abs() > 1.0e6 {
        return None;
    }
    Date::constant(1970, 1, 1)
        .checked_add(jiff::Span::new().days(days as i64))
        .ok()
}

#[derive(serde::Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<Data>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
}

#[derive(serde::Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    result: Vec<RawSeries>,
}

#[derive(serde::Deserialize)]
struct RawSeries {
    metric: BTreeMap<String, String>,
    #[serde(default)]
    values: Vec<(f64, String)>,
}

fn api_error(body: &[u8]) -> Option<String> {
    let envelope: Envelope = serde_json::from_slice(body).ok()?;
    let error = printable(&envelope.error?);
    Some(match envelope.error_type {
        Some(kind) => format!("{}: {error}", printable(&kind)),
        None => error,
    })
}

/// Reads a range-query answer: its series, or what is wrong with it.
pub fn parse_range(body: &[u8]) -> Result<Vec<Series>, String> {
    let envelope: Envelope = serde_json::from_slice(body).map_err(|e| {
        format!(
            "the answer is not a Prometheus range-query result ({e}); it begins: {}",
            excerpt(body)
        )
    })?;
    if envelope.status != "success" {
        return Err(format!(
            "the query failed: {}",
            match (envelope.error_type, envelope.error) {
                (Some(kind), Some(error)) => format!("{}: {}", printable(&kind), printable(&error)),
                (_, Some(error)) => printable(&error),
                _ => format!("status {:?}", envelope.status),
            }
        ));
    }
    if !envelope.warnings.is_empty() {
        return Err(format!(
            "the answer may be partial, so nothing was written: {}",
            printable(&envelope.warnings.join("; "))
        ));
    }
    let data = envelope
        .data
        .ok_or_else(|| "the answer has no data".to_owned())?;
    if data.result_type != "matrix" {
        return Err(format!(
            "the answer is a {:?}, not a matrix: is the URL a range-query endpoint?",
            data.result_type
        ));
    }
    Ok(data
        .result
        .into_iter()
        .map(|s| Series {
            labels: s.metric,
            points: s.values,
        })
        .collect())
}

/// The samples of `series`: one per series and day, named by the pull's label and names.
pub fn samples(pull: &Pull, series: &[Series]) -> Result<Vec<UsageRow>, String> {
    let mut rows: HashMap<(String, Option<String>, Date), UsageRow> = HashMap::new();
    for s in series {
        let describe = || {
            let labels: Vec<String> = s
                .labels
                .iter()
                .map(|(k, v)| format!("{}={v:?}", printable(k)))
                .collect();
            format!("{{{}}}", labels.join(", "))
        };
        let value = s.labels.get(&pull.label).ok_or_else(|| {
            format!(
                "the series {} has no label {:?} to name its {}",
                describe(),
                pull.label,
                if pull.cluster.is_some() {
                    "hub"
                } else {
                    "cluster"
                }
            )
        })?;
        let name = pull.names.get(value).unwrap_or(value);
        let (cluster, hub) = match (&pull.cluster, name.split_once('/')) {
            (_, Some((c, h))) => (c.to_owned(), Some(h.to_owned())),
            (Some(c), None) => (c.clone(), Some(name.clone())),
            (None, None) => (name.clone(), None),
        };
        // The same names a usage file may give: an empty one would be a cluster without a
        // name, and a control character or an overlong name is refused everywhere.
        for (kind, unit) in [("cluster", Some(&cluster)), ("hub", hub.as_ref())] {
            let problem = match unit {
                None => None,
                Some(unit) if unit.trim().is_empty() => Some("it is empty".to_owned()),
                Some(unit) => bearing_core::text::check(unit, bearing_core::text::MAX_NAME).err(),
            };
            if let Some(problem) = problem {
                return Err(format!(
                    "the series {} gives the {kind} name {:?}: {problem}",
                    describe(),
                    unit.map_or("", String::as_str)
                ));
            }
        }
        for (time, raw) in &s.points {
            let date = day_of(*time)
                .ok_or_else(|| format!("the series {} has a point at time {time}", describe()))?;
            bearing_core::check_date(date).map_err(|reason| {
                format!(
                    "the series {} has a point on {date} (time {time}): {reason}",
                    describe()
                )
            })?;
            let users: f64 = raw.parse().map_err(|_| {
                format!(
                    "the series {} has {raw:?} on {date}, not a number",
                    describe()
                )
            })?;
            if !users.is_finite() || !(0.0..=1.0e12).contains(&users) {
                return Err(format!(
                    "the series {} has {raw} on {date}, not a count of users",
                    describe()
                ));
            }
            let users = users.round() as i64;
            let key = (cluster.clone(), hub.clone(), date);
            // Two series (or two points) on one unit and day: the larger count stands, as for
            // a month's active users.
            let row = rows.entry(key).or_insert_with(|| UsageRow {
                line: 0,
                cluster: cluster.clone(),
                hub: hub.clone(),
                date,
                users,
            });
            row.users = row.users.max(users);
        }
    }
    let mut rows: Vec<UsageRow> = rows.into_values().collect();
    rows.sort_by(|a, b| (&a.cluster, &a.hub, a.date).cmp(&(&b.cluster, &b.hub, b.date)));
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn pull() -> Pull {
        Pull::new("http://127.0.0.1:9090/", date(2026, 1, 1), date(2026, 1, 3))
    }

    const ANSWER: &str = r#"{"status":"success","data":{"resultType":"matrix","result":[
        {"metric":{"namespace":"bids"},"values":[[1767225600,"41"],[1767312000,"42"]]},
        {"metric":{"namespace":"cal-staging"},"values":[[1767225600,"3.0"]]}
    ]}}"#;

    #[test]
    fn the_endpoint_follows_the_base_url_or_is_the_url() {
        assert_eq!(
            pull().endpoint(),
            "http://127.0.0.1:9090/api/v1/query_range"
        );
        let mut p = pull();
        p.url =
            "https://grafana.example.org/api/datasources/proxy/uid/abc/api/v1/query_range".into();
        assert_eq!(p.endpoint(), p.url);
        assert_eq!(unix_midnight(date(2026, 1, 1)), 1_767_225_600);
    }

    #[test]
    fn each_series_is_a_cluster_and_each_point_a_day() {
        let series = parse_range(ANSWER.as_bytes()).unwrap();
        let rows = samples(&pull(), &series).unwrap();
        let got: Vec<(String, Option<String>, String, i64)> = rows
            .into_iter()
            .map(|r| (r.cluster, r.hub, r.date.to_string(), r.users))
            .collect();
        assert_eq!(
            got,
            vec![
                ("bids".into(), None, "2026-01-01".into(), 41),
                ("bids".into(), None, "2026-01-02".into(), 42),
                ("cal-staging".into(), None, "2026-01-01".into(), 3),
            ]
        );
    }

    #[test]
    fn with_a_cluster_series_are_hubs_and_names_can_be_mapped() {
        let series = parse_range(ANSWER.as_bytes()).unwrap();
        let mut p = pull();
        p.cluster = Some("west".into());
        p.names.insert("cal-staging".into(), "cal/staging".into());
        let rows = samples(&p, &series).unwrap();
        let units: Vec<(String, Option<String>)> =
            rows.into_iter().map(|r| (r.cluster, r.hub)).collect();
        assert_eq!(
            units,
            vec![
                ("cal".into(), Some("staging".into())),
                ("west".into(), Some("bids".into())),
                ("west".into(), Some("bids".into())),
            ]
        );
    }

    #[test]
    fn failures_warnings_and_odd_values_are_refused_with_what_was_wrong() {
        let cases = [
            (
                "<html>Bad gateway</html>",
                "not a Prometheus range-query result",
            ),
            (
                r#"{"status":"error","errorType":"bad_data","error":"parse error at char 4"}"#,
                "the query failed: bad_data: parse error at char 4",
            ),
            (
                r#"{"status":"success","warnings":["store unavailable"],"data":{"resultType":"matrix","result":[]}}"#,
                "may be partial",
            ),
            (
                r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#,
                "not a matrix",
            ),
            (
                r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"namespace":"a"},"values":[[1767225600,"NaN"]]}]}}"#,
                "not a count of users",
            ),
            (
                r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"namespace":"a"},"values":[[1767225600,"-2"]]}]}}"#,
                "not a count of users",
            ),
            (
                r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"x"},"values":[[1767225600,"2"]]}]}}"#,
                "has no label \"namespace\"",
            ),
            (
                r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1767225600,"#,
                "not a Prometheus",
            ),
        ];
        for (body, expected) in cases {
            let got = parse_range(body.as_bytes()).and_then(|s| samples(&pull(), &s));
            let message = got.expect_err(body);
            assert!(message.contains(expected), "{body}: {message}");
        }
    }

    #[test]
    fn empty_names_and_dates_bearing_does_not_accept_are_refused() {
        // Found by the fuzz suite (tests/fuzz.rs): these became samples of a cluster or hub
        // named "" and samples dated outside 1900-2199, which no usage file can give.
        let answer = |namespace: &str, time: i64| {
            let namespace = serde_json::to_string(namespace).unwrap();
            let body = format!(
                r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{"namespace":{namespace}}},"values":[[{time},"4"]]}}]}}}}"#
            );
            parse_range(body.as_bytes()).unwrap()
        };
        let day = 1_767_225_600;
        let refused = |p: &Pull, namespace: &str, time: i64| {
            samples(p, &answer(namespace, time)).expect_err(namespace)
        };
        let message = refused(&pull(), "", day);
        assert!(
            message.contains("gives the cluster name \"\": it is empty"),
            "{message}"
        );
        let mut to_hub = pull();
        to_hub.names.insert("bids".into(), "west/".into());
        let message = refused(&to_hub, "bids", day);
        assert!(
            message.contains("the hub name \"\": it is empty"),
            "{message}"
        );
        let mut blank_cluster = pull();
        blank_cluster.cluster = Some(" ".into());
        let message = refused(&blank_cluster, "bids", day);
        assert!(
            message.contains("the cluster name \" \": it is empty"),
            "{message}"
        );
        let long = "n".repeat(bearing_core::text::MAX_NAME + 1);
        assert!(refused(&pull(), &long, day).contains("at most 300"));
        assert!(refused(&pull(), "a\u{1}b", day).contains("control character"));
        assert_eq!(
            refused(&pull(), "bids", -2_208_988_801),
            "the series {namespace=\"bids\"} has a point on 1899-12-31 (time -2208988801): outside the dates Bearing accepts (1900-01-01 to 2199-12-31)"
        );
        let rows = samples(&pull(), &answer("bids", -2_208_988_800)).unwrap();
        assert_eq!(rows[0].date.to_string(), "1900-01-01");
    }

    #[test]
    fn the_servers_control_characters_are_escaped_in_messages() {
        // Found by the fuzz suite (tests/fuzz.rs): a body, an error or a warning with control
        // characters was repeated raw, escape sequences and all.
        let cases = [
            ("\u{1b}[2J<html>", "it begins: \\u{1b}[2J<html>"),
            (
                r#"{"status":"error","errorType":"bad\u0000data","error":"\u001b[31mred"}"#,
                "the query failed: bad\\u{0}data: \\u{1b}[31mred",
            ),
            (
                r#"{"status":"success","warnings":["a\u0007b"],"data":{"resultType":"matrix","result":[]}}"#,
                "nothing was written: a\\u{7}b",
            ),
        ];
        for (body, expected) in cases {
            let message = parse_range(body.as_bytes()).expect_err(body);
            assert!(message.contains(expected), "{body}: {message}");
            assert!(
                !message.chars().any(|c| c.is_control()),
                "{body}: {message:?}"
            );
        }
        let series = parse_range(
            br#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"j\u007fob":"x"},"values":[]}]}}"#,
        )
        .unwrap();
        let message = samples(&pull(), &series).unwrap_err();
        assert_eq!(
            message,
            "the series {j\\u{7f}ob=\"x\"} has no label \"namespace\" to name its cluster"
        );
        assert_eq!(
            api_error(br#"{"status":"error","errorType":"x\u0000","error":"y\u0000"}"#).as_deref(),
            Some("x\\u{0}: y\\u{0}")
        );
    }
}
