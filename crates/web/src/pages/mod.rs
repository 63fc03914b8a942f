//! The web pages: server-rendered HTML (askama templates in `templates/`), usable without
//! JavaScript. Every page calls the same application services as the API and the command
//! line; forms post back to the page's own route and show their problems beside the form.

mod account;
mod assumptions;
mod audit;
pub(crate) mod billing;
mod books;
mod cloud;
pub(crate) mod crm;
mod deals;
mod home;
mod imports;
pub(crate) mod invoices;
mod jobs;
mod ledger;
pub(crate) mod people;
mod reports;
mod roles;
mod scenarios;
mod search;
mod usage;
mod users;

use crate::access::Rule::{self, Public};
use askama::Template;
use axum::Router;
use axum::handler::Handler;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use bearing_app::AppError;

use crate::AppState;
use crate::auth::Caller;

/// The router of the pages, and the inventory of what it registered with each route's rule:
/// a route's rule is written where the route is.
pub(crate) struct Routes {
    router: Router<AppState>,
    inventory: Vec<(Method, &'static str, Rule)>,
}

impl Routes {
    pub(crate) fn new() -> Self {
        Routes {
            router: Router::new(),
            inventory: Vec::new(),
        }
    }

    fn add<H, T>(mut self, method: Method, path: &'static str, rule: Rule, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone())
            .unwrap_or_else(|_| unreachable!("pages use GET and POST only"));
        self.router = self.router.route(path, on(filter, handler));
        self.inventory.push((method, path, rule));
        self
    }

    pub(crate) fn get<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        rule: Rule,
        handler: H,
    ) -> Self {
        self.add(Method::GET, path, rule, handler)
    }

    pub(crate) fn post<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        rule: Rule,
        handler: H,
    ) -> Self {
        self.add(Method::POST, path, rule, handler)
    }

    pub(crate) fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.inventory.extend(other.inventory);
        self
    }

    pub(crate) fn into_parts(self) -> (Router<AppState>, Vec<(Method, &'static str, Rule)>) {
        (self.router, self.inventory)
    }
}

/// Every page's routes.
pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/static/{file}", Public, static_file)
        .merge(account::routes())
        .merge(home::routes())
        .merge(deals::routes())
        .merge(reports::routes())
        .merge(crm::routes())
        .merge(usage::routes())
        .merge(people::routes())
        .merge(roles::routes())
        .merge(assumptions::routes())
        .merge(books::routes())
        .merge(scenarios::routes())
        .merge(invoices::routes())
        .merge(billing::routes())
        .merge(ledger::routes())
        .merge(cloud::routes())
        .merge(imports::routes())
        .merge(audit::routes())
        .merge(users::routes())
        .merge(jobs::routes())
        .merge(search::routes())
}

/// The files under `/static/`: name, content type, content.
const STATIC_FILES: &[(&str, &str, &str)] = &[
    (
        "bearing.css",
        "text/css; charset=utf-8",
        include_str!("../../static/bearing.css"),
    ),
    (
        "board.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/board.js"),
    ),
    (
        "nav.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/nav.js"),
    ),
];

async fn static_file(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    match STATIC_FILES.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, content)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *content,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}

/// One entry of the main navigation.
#[derive(Debug, Clone)]
pub(crate) struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// A group of the main navigation: its name and the entries the caller may open.
#[derive(Debug, Clone)]
pub(crate) struct NavGroup {
    pub label: &'static str,
    pub items: Vec<NavItem>,
    /// The group holds the current page.
    pub current: bool,
}

/// The main navigation by group; a caller sees the entries whose page their role may open
/// (the rule is the page's route's), and the groups that keep one.
const NAV: &[(&str, &[(&str, &str)])] = &[
    (
        "Pipeline",
        &[
            ("/pipeline", "Board"),
            ("/deals", "Deals"),
            ("/organizations", "Organizations"),
            ("/contacts", "Contacts"),
        ],
    ),
    (
        "Forecast",
        &[("/forecast", "Forecast"), ("/analytics", "Analytics")],
    ),
    ("Community", &[("/usage", "Usage")]),
    (
        "Team",
        &[
            ("/roles", "Roles and bands"),
            ("/people", "People"),
            ("/team", "Team cost"),
        ],
    ),
    (
        "Books",
        &[
            ("/invoices", "Invoices"),
            ("/billing", "Billing run"),
            ("/aging", "Receivables"),
            ("/reconciliation", "Reconciliation"),
            ("/cloud-costs", "Cloud costs"),
            ("/close", "Monthly close"),
            ("/actuals", "Actuals"),
            ("/hire", "Can we hire?"),
            ("/scenarios", "Scenarios"),
        ],
    ),
    (
        "Admin",
        &[
            ("/assumptions", "Assumptions"),
            ("/imports", "Imports"),
            ("/audit", "Audit log"),
            ("/users", "Users"),
            ("/jobs", "Scheduled jobs"),
        ],
    ),
];

/// What the layout shows around every page.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub title: String,
    pub user: Option<LayoutUser>,
    pub nav: Vec<NavGroup>,
    /// The dashboard is the current page.
    pub home: bool,
    pub notice: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct LayoutUser {
    pub name: String,
    pub role: String,
}

impl Layout {
    /// The layout for a signed-in caller; `section` is the navigation entry to mark current.
    pub(crate) fn new(title: impl Into<String>, caller: &Caller, section: &str) -> Self {
        Layout {
            title: title.into(),
            user: Some(LayoutUser {
                name: caller.user.name.clone(),
                role: caller.user.role.to_string(),
            }),
            nav: NAV
                .iter()
                .filter_map(|(group, entries)| {
                    let items: Vec<NavItem> = entries
                        .iter()
                        .filter(|(href, _)| caller.may_open(&Method::GET, href))
                        .map(|(href, label)| NavItem {
                            href,
                            label,
                            current: *href == section,
                        })
                        .collect();
                    (!items.is_empty()).then(|| NavGroup {
                        label: group,
                        current: items.iter().any(|i| i.current),
                        items,
                    })
                })
                .collect(),
            home: section == "/",
            notice: None,
        }
    }

    /// The layout for visitors who are not signed in.
    pub(crate) fn anonymous(title: impl Into<String>) -> Self {
        Layout {
            title: title.into(),
            user: None,
            nav: Vec::new(),
            home: false,
            notice: None,
        }
    }

    pub(crate) fn with_notice(mut self, notice: Option<String>) -> Self {
        self.notice = notice;
        self
    }
}

/// Renders a template into a response.
pub(crate) fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "a page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error, see the server log",
            )
                .into_response()
        }
    }
}

pub(crate) fn ok(page: &impl Template) -> Response {
    render(StatusCode::OK, page)
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    layout: Layout,
    message: String,
    /// Where to go on from here: address and link text.
    link: Option<(String, String)>,
}

/// A page that says why the caller cannot go on.
pub(crate) fn forbidden(caller: &Caller, message: &str) -> Response {
    render(
        StatusCode::FORBIDDEN,
        &MessagePage {
            layout: Layout::new("Not allowed", caller, ""),
            message: message.to_owned(),
            link: None,
        },
    )
}

/// A page that cannot be shown until something is set up, saying what and where.
pub(crate) fn needs_setup(
    caller: &Caller,
    title: &str,
    message: String,
    link: Option<(&str, &str)>,
) -> Response {
    render(
        StatusCode::OK,
        &MessagePage {
            layout: Layout::new(title, caller, ""),
            message,
            link: link.map(|(href, text)| (href.to_owned(), text.to_owned())),
        },
    )
}

/// The title of an error page of `status`.
fn refusal_title(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::CONFLICT => "Conflict",
        s if s.is_server_error() => "Something went wrong",
        _ => "That did not work",
    }
}

/// The page for an error that is not about a form's input.
pub(crate) fn error_page(caller: &Caller, error: AppError) -> Response {
    let status = crate::error::status_of(&error);
    let message = if status.is_server_error() {
        tracing::error!(%error, "a page failed");
        "Bearing could not do this; the server log says why.".to_owned()
    } else {
        error.to_string()
    };
    refusal_page(Some(caller), status, message)
}

/// An error page with a way back: the caller's navigation when signed in, the sign-in page
/// otherwise.
pub(crate) fn refusal_page(
    caller: Option<&Caller>,
    status: StatusCode,
    message: String,
) -> Response {
    let title = refusal_title(status);
    let (layout, link) = match caller {
        Some(caller) => (Layout::new(title, caller, ""), None),
        None => (
            Layout::anonymous(title),
            Some(("/login".to_owned(), "Sign in".to_owned())),
        ),
    };
    render(
        status,
        &MessagePage {
            layout,
            message,
            link,
        },
    )
}

/// A record's id in a page's address. An address whose id is not a number names no record:
/// the answer is the not-found page, not the parser's words.
pub(crate) struct PathId(pub i64);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PathId {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<i64>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) => Ok(PathId(id)),
            Err(_) => Err((
                StatusCode::NOT_FOUND,
                format!("no such page: {}", parts.uri.path()),
            )
                .into_response()),
        }
    }
}

/// A 303 to `to`, the answer to a form that worked.
pub(crate) fn see_other(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// The answer to a form: to the address `saved` names when it worked; the page again (from
/// `again`, with the form as typed) saying what was wrong when the input was refused; an error
/// page otherwise.
pub(crate) async fn answer<F, Fut>(
    caller: &Caller,
    saved: Result<String, AppError>,
    what: &str,
    again: F,
) -> Response
where
    F: FnOnce(StatusCode, Vec<String>) -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    match saved {
        Ok(to) => see_other(&to),
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            let status = crate::error::status_of(&error);
            again(status, vec![format!("{what}: {error}")]).await
        }
        Err(error) => error_page(caller, error),
    }
}

/// A form's number.
pub(crate) fn typed_number<T: std::str::FromStr>(field: &str, text: &str) -> Result<T, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::invalid(field, "is required"));
    }
    text.parse().map_err(|_| {
        let message = if text.parse::<f64>().is_ok() {
            format!("{text} is out of range")
        } else {
            format!("{text:?} is not a number")
        };
        AppError::invalid(field, message)
    })
}

/// A form's day, when one was typed.
pub(crate) fn day(field: &str, text: &str) -> Result<Option<bearing_core::Date>, AppError> {
    crate::api::types::date(field, &Some(text.to_owned()))
}

/// Percent-encodes a query-string value.
pub(crate) fn encode_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char);
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A column of an HTML table.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub label: String,
    pub numeric: bool,
    /// A link that sorts by this column.
    pub sort: Option<String>,
}

/// A cell of an HTML table.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cell {
    pub text: String,
    pub numeric: bool,
    pub href: Option<String>,
    /// `green`, `yellow` or `red`: shown as a traffic light.
    pub status: Option<&'static str>,
    /// Kept on one line (days, months).
    pub nowrap: bool,
}

impl Cell {
    pub(crate) fn text(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }

    pub(crate) fn number(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            numeric: true,
            ..Cell::default()
        }
    }

    /// A day or month, kept on one line.
    pub(crate) fn when(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            nowrap: true,
            ..Cell::default()
        }
    }

    pub(crate) fn link(text: impl Into<String>, href: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            href: Some(href.into()),
            ..Cell::default()
        }
    }
}

/// A table as the `table.html` template shows it.
#[derive(Debug, Clone)]
pub(crate) struct HtmlTable {
    pub caption: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl HtmlTable {
    pub(crate) fn new(caption: impl Into<String>, columns: &[&str]) -> Self {
        HtmlTable {
            caption: caption.into(),
            columns: columns
                .iter()
                .map(|label| Column {
                    label: (*label).to_owned(),
                    numeric: false,
                    sort: None,
                })
                .collect(),
            rows: Vec::new(),
        }
    }

    pub(crate) fn numeric_columns(mut self, which: &[usize]) -> Self {
        for &i in which {
            if let Some(c) = self.columns.get_mut(i) {
                c.numeric = true;
            }
        }
        self
    }
}

/// Whole currency units with thousands separators: `$12,345`.
pub(crate) fn dollars(x: f64) -> String {
    bearing_core::forecast::dollars(x)
}

/// An amount in minor units of the default currency, as whole units: `$12,345`.
pub(crate) fn minor_dollars(minor: Option<i64>) -> String {
    money_text(minor, bearing_core::Currency::default())
}

/// An amount in minor units of `currency`, as whole units: `$12,345` in dollars, `12,345 EUR`
/// in another currency; empty when unknown.
pub(crate) fn money_text(minor: Option<i64>, currency: bearing_core::Currency) -> String {
    minor.map_or_else(String::new, |m| {
        bearing_core::Money::from_minor(m, currency).whole_text()
    })
}

/// A form field's value, trimmed; `None` when empty.
pub(crate) fn field(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

#[derive(Template)]
#[template(path = "table_page.html")]
pub(crate) struct TablePage {
    pub layout: Layout,
    pub intro: String,
    pub tables: Vec<HtmlTable>,
}

/// A chart with the table of its numbers.
#[derive(Debug)]
pub(crate) struct ChartPair {
    pub title: String,
    pub svg: String,
    pub caption: String,
    pub table: HtmlTable,
}

/// The `?done=…` a form's redirect adds, for the page to say what was saved, and its seal.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct Done {
    pub(crate) done: Option<String>,
    pub(crate) seal: Option<String>,
}

impl Done {
    /// The notice, when this process sealed it ([`noticed`]): a link made elsewhere shows none.
    pub(crate) fn notice(&self) -> Option<String> {
        notice_of(self.done.as_deref(), self.seal.as_deref())
    }
}

/// A key for sealing notices, drawn once per process; none when no randomness is available,
/// and then no notice is shown.
fn notice_key() -> Option<&'static [u8; 32]> {
    static KEY: std::sync::OnceLock<Option<[u8; 32]>> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let mut key = [0_u8; 32];
        getrandom::fill(&mut key).ok().map(|()| key)
    })
    .as_ref()
}

/// The seal of a notice: a keyed BLAKE2b of its text.
fn seal_of(text: &str) -> Option<String> {
    use blake2::Digest;
    let key = notice_key()?;
    let digest = blake2::Blake2b512::new()
        .chain_update(key)
        .chain_update(text.as_bytes())
        .finalize();
    Some(digest.iter().take(16).map(|b| format!("{b:02x}")).collect())
}

/// `path` with a notice for the page to show after a form's redirect: the text travels with
/// its seal, so only Bearing's own redirects make a page say something.
pub(crate) fn noticed(path: &str, text: &str) -> String {
    let (path, fragment) = match path.split_once('#') {
        Some((path, fragment)) => (path, format!("#{fragment}")),
        None => (path, String::new()),
    };
    let joiner = if path.contains('?') { '&' } else { '?' };
    format!(
        "{path}{joiner}done={}&seal={}{fragment}",
        encode_query(text),
        seal_of(text).unwrap_or_default()
    )
}

/// A notice's text when its seal is this process's.
pub(crate) fn notice_of(text: Option<&str>, seal: Option<&str>) -> Option<String> {
    let (text, seal) = (text?, seal?);
    (seal_of(text).as_deref() == Some(seal)).then(|| text.to_owned())
}

/// A month as pages show it: `Nov 2026` (exports keep `2026-11`).
pub(crate) fn month_text(month: bearing_core::Month) -> String {
    month.words()
}

/// A day as pages show it: `30 Nov 2026` (forms and exports keep `2026-11-30`).
pub(crate) fn day_text(day: bearing_core::Date) -> String {
    bearing_core::day_words(day)
}

/// A day when known, as pages show it; empty otherwise.
pub(crate) fn day_or_empty(day: Option<bearing_core::Date>) -> String {
    day.map(day_text).unwrap_or_default()
}

/// A moment as pages show it: the day and the minute, in UTC: `30 Nov 2026, 08:22`.
pub(crate) fn minute(at: jiff::Timestamp) -> String {
    at.strftime("%-d %b %Y, %H:%M").to_string()
}

/// A moment to the second, in UTC, where the order of close events matters (the audit log):
/// `30 Nov 2026, 08:22:31`.
pub(crate) fn second(at: jiff::Timestamp) -> String {
    at.strftime("%-d %b %Y, %H:%M:%S").to_string()
}

/// An API token as the account and users pages list it.
pub(crate) struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub last_used: String,
    pub expires: String,
    pub revoked: Option<String>,
}

impl From<&bearing_store::ApiTokenRecord> for TokenRow {
    fn from(t: &bearing_store::ApiTokenRecord) -> Self {
        TokenRow {
            id: t.id,
            name: t.name.clone(),
            created: minute(t.created_at),
            last_used: t.last_used_at.map_or_else(|| "never".to_owned(), minute),
            expires: t.expires_at.map_or_else(|| "never".to_owned(), minute),
            revoked: t.revoked_at.map(minute),
        }
    }
}
