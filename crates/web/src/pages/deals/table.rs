//! The deals table: filters, sorting and pages.

use super::*;

pub(super) const PAGE_SIZE: usize = 100;

/// The deals table's filters and sort, as in its query string.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(super) struct TableQuery {
    stage: Option<String>,
    #[serde(rename = "type")]
    revenue_type: Option<String>,
    owner: Option<String>,
    campaign: Option<String>,
    from: Option<String>,
    to: Option<String>,
    sort: Option<String>,
    page: Option<usize>,
    format: Option<String>,
}

/// The filter as the form shows it back.
#[derive(Debug, Default)]
pub(super) struct FilterView {
    stage: String,
    revenue_type: String,
    owner: String,
    campaign: String,
    from: String,
    to: String,
    sort: String,
}

impl TableQuery {
    fn filter(&self) -> Result<DealFilter, AppError> {
        let date = |name: &str, v: &Option<String>| {
            field(v)
                .map(|t| {
                    bearing_core::parse_date(&t).map_err(|e| AppError::invalid(name, e.to_string()))
                })
                .transpose()
        };
        Ok(DealFilter {
            stage: field(&self.stage),
            revenue_type: field(&self.revenue_type),
            owner: field(&self.owner),
            organization: None,
            campaign: field(&self.campaign),
            closes_from: date("closes from", &self.from)?,
            closes_to: date("closes to", &self.to)?,
            include_deleted: false,
        })
    }

    fn view(&self) -> FilterView {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        FilterView {
            stage: text(&self.stage),
            revenue_type: text(&self.revenue_type),
            owner: text(&self.owner),
            campaign: text(&self.campaign),
            from: text(&self.from),
            to: text(&self.to),
            sort: text(&self.sort),
        }
    }

    /// This query with another sort, page or format.
    fn href(&self, sort: Option<&str>, page: Option<usize>, format: Option<&str>) -> String {
        let mut parts = Vec::new();
        let mut add = |k: &str, v: Option<&str>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", encode_query(v)));
            }
        };
        add("stage", self.stage.as_deref());
        add("type", self.revenue_type.as_deref());
        add("owner", self.owner.as_deref());
        add("campaign", self.campaign.as_deref());
        add("from", self.from.as_deref());
        add("to", self.to.as_deref());
        add("sort", sort.or(self.sort.as_deref()));
        add("page", page.map(|p| p.to_string()).as_deref());
        add("format", format);
        if parts.is_empty() {
            "/deals".to_owned()
        } else {
            format!("/deals?{}", parts.join("&"))
        }
    }
}

/// The sortable columns: key, label, numeric.
pub(super) const SORTS: &[(&str, &str, bool)] = &[
    ("name", "Deal", false),
    ("organization", "Organization", false),
    ("stage", "Stage", false),
    ("amount", "Amount", true),
    ("probability", "Probability", true),
    ("close", "Close date", false),
    ("owner", "Owner", false),
];

/// Sorts by `key` as the API does; a key the table does not know leaves the newest first.
pub(super) fn sort(list: &mut [Deal], key: &str) {
    if deals::sort(list, key).is_err() {
        list.sort_by_key(|d| std::cmp::Reverse(d.id));
    }
}

#[derive(Template)]
#[template(path = "deals.html")]
pub(super) struct TablePage {
    layout: Layout,
    filter: FilterView,
    stage_names: Vec<String>,
    total: usize,
    total_amount: String,
    csv_href: String,
    can_edit: bool,
    table: HtmlTable,
    page: usize,
    pages: usize,
    prev_href: Option<String>,
    next_href: Option<String>,
}

pub(super) async fn table(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<TableQuery>,
) -> Response {
    let filter = match q.filter() {
        Ok(filter) => filter,
        Err(error) => return error_page(&caller, error),
    };
    let (mut list, stages) = match load(&state, &filter).await {
        Ok(found) => found,
        Err(error) => return error_page(&caller, error),
    };
    sort(&mut list, q.sort.as_deref().unwrap_or(""));
    let names = match crate::pages::crm::OrgNames::load(&state).await {
        Ok(names) => names,
        Err(error) => return error_page(&caller, error),
    };
    if q.format.as_deref() == Some("csv") {
        let mut out = Vec::new();
        if let Err(error) = deals::table(&list).write(Format::Csv, &mut out) {
            return error_page(&caller, AppError::Internal(error.to_string()));
        }
        return (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"deals.csv\"",
                ),
            ],
            out,
        )
            .into_response();
    }
    let (_, total_amount, _) = deals::totals(&list);
    let pages = list.len().div_ceil(PAGE_SIZE).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let current = q.sort.clone().unwrap_or_default();
    let mut html = HtmlTable::new(format!("Deals, page {page} of {pages}"), &[]);
    html.columns = SORTS
        .iter()
        .map(|(key, label, numeric)| {
            let next = if current == *key {
                format!("-{key}")
            } else {
                (*key).to_owned()
            };
            let marker = if current == *key {
                " ▲"
            } else if current == format!("-{key}") {
                " ▼"
            } else {
                ""
            };
            Column {
                label: format!("{label}{marker}"),
                numeric: *numeric,
                sort: Some(q.href(Some(&next), None, None)),
            }
        })
        .collect();
    html.rows = list
        .iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|d| {
            vec![
                Cell::link(d.fields.name.clone(), format!("/deals/{}", d.id)),
                names.cell(d.fields.organization.as_ref()),
                Cell::text(d.fields.stage.clone()),
                Cell::number(money_text(d.fields.amount_minor, d.fields.currency)),
                Cell::number(probability_text(d)),
                Cell::when(crate::pages::day_or_empty(d.fields.close_date)),
                Cell::text(d.fields.owner.clone().unwrap_or_default()),
            ]
        })
        .collect();
    let mut stage_list: Vec<String> = stages
        .iter()
        .filter(|s| !s.retired)
        .map(|s| s.name.clone())
        .collect();
    stage_list.dedup();
    ok(&TablePage {
        layout: Layout::new("Deals", &caller, "/deals"),
        filter: q.view(),
        stage_names: stage_list,
        total: list.len(),
        total_amount: dollars(total_amount),
        csv_href: q.href(None, None, Some("csv")),
        can_edit: caller.may(Permission::EditCrm),
        table: html,
        page,
        pages,
        prev_href: (page > 1).then(|| q.href(None, Some(page - 1), None)),
        next_href: (page < pages).then(|| q.href(None, Some(page + 1), None)),
    })
}
