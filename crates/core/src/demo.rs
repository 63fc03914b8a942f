//! A deterministic, fictional organisation for demos, tests and benchmarks.
//!
//! The same spec gives the same data on every machine: all randomness comes from one
//! `ChaCha8Rng` seeded from `DemoSpec::seed`. Dates are relative to `DemoSpec::as_of`, so the
//! demo always looks current: five years of communities with memberships that renew or churn,
//! projects, grants, gifts, an open pipeline in every open stage, and some open deals with
//! missing data.

use jiff::ToSpan;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::Date;
use crate::assumptions::Assumptions;
use crate::campaign::CampaignFields;
use crate::contact::{ContactFields, ContactLabel};
use crate::deal::{DealFields, DealType, FieldChange, RevenueType};
use crate::money::{Currency, Money};
use crate::month::Month;
use crate::organization::{OrganizationFields, OrganizationKind, OrganizationName};
use crate::pipeline::Probability;

/// The pipeline every demo deal is in.
pub const PIPELINE: &str = "Membership Sales";

/// The open stages of the default pipeline, in order.
pub const OPEN_STAGES: [&str; 6] = [
    "Enrichment",
    "Outreach",
    "Discovery",
    "Renewal",
    "Proposal",
    "Contract Admin",
];

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSpec {
    pub seed: u64,
    /// The demo's "today".
    pub as_of: Date,
    /// Exactly this many deals; `None` gives the organisation's natural size (about 40
    /// communities over five years).
    pub deals: Option<usize>,
}

/// A generated deal; `renews` is the index, in `DemoData::deals`, of the deal it renews.
/// `history` is the deal's past: its creation in its first stage, then each stage move, with
/// the day it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoDeal {
    pub fields: DealFields,
    pub renews: Option<usize>,
    pub history: Vec<(Date, FieldChange)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoData {
    pub organizations: Vec<OrganizationFields>,
    pub contacts: Vec<ContactFields>,
    pub campaigns: Vec<CampaignFields>,
    pub deals: Vec<DemoDeal>,
    pub clusters: Vec<DemoCluster>,
    /// Areas, roles, bands and people.
    pub team: crate::demo_team::DemoTeam,
    /// Assumptions that fit the generated books, in force from the first day of the demo's
    /// month.
    pub assumptions: Assumptions,
}

/// A member community's cluster: two years of weekly active-user samples, and two hubs with
/// daily samples for the last two weeks.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoCluster {
    pub name: String,
    pub organization: OrganizationName,
    pub provider: &'static str,
    /// Premier members get a cluster of their own.
    pub dedicated: bool,
    pub start: Date,
    /// The membership deal that pays for it, as an index into [`DemoData::deals`].
    pub deal: usize,
    pub samples: Vec<(Date, i64)>,
    /// (hub, daily samples).
    pub hubs: Vec<(String, Vec<(Date, i64)>)>,
}

/// At most this many clusters, whatever the demo's size.
const MAX_CLUSTERS: usize = 60;

const PLACES: [&str; 24] = [
    "Northfield",
    "Riverbend",
    "Cedar Ridge",
    "Lakeshore",
    "Granite Peak",
    "Harborview",
    "Silver Creek",
    "Pinecrest",
    "Eastvale",
    "Westmoor",
    "Brightwater",
    "Stonebridge",
    "Fairhaven",
    "Redwood Hollow",
    "Summit Plains",
    "Oakhurst",
    "Mill Valley",
    "Aspen Grove",
    "Copper Basin",
    "Thornbury",
    "Highmoor",
    "Willowmere",
    "Kestrel Bay",
    "Larkspur",
];
const FIELDS: [&str; 12] = [
    "University",
    "Climate Collaborative",
    "Ocean Observatory",
    "Genomics Institute",
    "Data Science Lab",
    "Hydrology Consortium",
    "Astronomy Network",
    "Community College",
    "Neuroscience Center",
    "Earth Data Alliance",
    "Open Science School",
    "Ecology Field Station",
];
const FUNDERS: [&str; 6] = [
    "Alder Foundation",
    "Meridian Trust for Science",
    "Open Knowledge Fund",
    "Harbor Light Philanthropies",
    "Civic Computing Initiative",
    "Tallgrass Family Foundation",
];
const DONORS: [&str; 3] = [
    "Friends of Open Infrastructure",
    "Juniper Giving Circle",
    "Orchard Fund",
];
const OWNERS: [&str; 3] = ["Avery Quinn", "Jordan Blake", "Sam Rivera"];
const FIRST_NAMES: [&str; 25] = [
    "Amara", "Bruno", "Chiara", "Dev", "Elif", "Farah", "Goran", "Hana", "Ivo", "Jun", "Kofi",
    "Lena", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sanjay", "Tomas", "Uma", "Viktor",
    "Wen", "Yara", "Zane",
];
const LAST_NAMES: [&str; 25] = [
    "Abara",
    "Berg",
    "Castell",
    "Dunmore",
    "Eklund",
    "Fontaine",
    "Gallo",
    "Haddad",
    "Ivers",
    "Jansen",
    "Kowal",
    "Lindqvist",
    "Moreau",
    "Nakashima",
    "Okonjo",
    "Petrova",
    "Quist",
    "Rahimi",
    "Sorensen",
    "Tavares",
    "Ueno",
    "Varga",
    "Weisz",
    "Yildiz",
    "Zorn",
];
/// The campaigns of the demo: (name, channel, months before "today" it started, length in
/// months, cost in dollars, person-days).
const CAMPAIGNS: [(&str, &str, i32, i32, i64, f64); 4] = [
    (
        "Research computing webinar series",
        "webinar",
        30,
        3,
        1_500,
        12.0,
    ),
    (
        "Education conference booth",
        "conference",
        18,
        1,
        6_000,
        8.0,
    ),
    ("Open science newsletter", "newsletter", 12, 12, 300, 6.0),
    ("Member referral program", "referral", 9, 9, 0, 3.0),
];
const LOSS_REASONS: [&str; 5] = [
    "budget cut",
    "moved to self-hosting",
    "research project ended",
    "chose a commercial provider",
    "grant not renewed",
];

/// The segment a demo organization's name suggests.
fn segment(long_name: &str) -> Vec<String> {
    let tag = if ["College", "School"].iter().any(|w| long_name.contains(w)) {
        "education"
    } else if [
        "Foundation",
        "Fund",
        "Trust",
        "Philanthropies",
        "Initiative",
        "Circle",
    ]
    .iter()
    .any(|w| long_name.contains(w))
    {
        "funding"
    } else {
        "research"
    };
    vec![tag.to_owned()]
}

/// Generates the demo organisation.
pub fn generate(spec: DemoSpec) -> DemoData {
    let mut g = Generator {
        rng: ChaCha8Rng::seed_from_u64(spec.seed),
        now: Month::of(spec.as_of),
        data: DemoData {
            organizations: Vec::new(),
            contacts: Vec::new(),
            campaigns: Vec::new(),
            deals: Vec::new(),
            clusters: Vec::new(),
            team: crate::demo_team::generate(spec.as_of),
            assumptions: Assumptions::default(),
        },
        used_names: std::collections::HashSet::new(),
    };
    let target = spec.deals;
    let full = |g: &Generator| target.is_some_and(|n| g.data.deals.len() >= n);
    g.campaigns();

    // Prospects first, so that even a small demo has every open stage.
    for (i, _) in OPEN_STAGES.iter().enumerate().take(5) {
        if full(&g) {
            break;
        }
        g.prospect(i);
    }
    for i in 0..FUNDERS.len() {
        if full(&g) {
            break;
        }
        g.funder(i);
    }
    for i in 0..DONORS.len() {
        if full(&g) {
            break;
        }
        g.donor(i);
    }
    let mut i = 0;
    loop {
        let enough = match target {
            Some(n) => g.data.deals.len() >= n,
            None => i >= 40,
        };
        if enough {
            break;
        }
        g.community(i);
        if i % 4 == 3 {
            g.prospect(5 + i);
        }
        i += 1;
    }
    if let Some(n) = target {
        g.data.deals.truncate(n);
    }
    for index in 0..g.data.deals.len() {
        let history = g.history(index);
        g.data.deals[index].history = history;
    }
    g.usage(spec);
    g.data.assumptions = fitting_assumptions(&g.data.deals, g.now);
    g.data
}

/// Assumptions that fit the books in month `now`: the books closed at the end of the month
/// before, monthly costs a tenth above the won contracts' monthly revenue in `now` (rounded to
/// $1,000, at least $10,000), and net assets for nine months of those costs.
fn fitting_assumptions(deals: &[DemoDeal], now: Month) -> Assumptions {
    let monthly_revenue: f64 = deals
        .iter()
        .map(|d| &d.fields)
        .filter(|f| f.stage.starts_with("Closed Won"))
        .filter_map(|f| {
            let (start, end) = (Month::of(f.contract_start?), Month::of(f.contract_end?));
            let amount = Money::from_minor(f.amount_minor?, f.currency).as_major_f64();
            (start <= now && now <= end).then(|| amount / f64::from(start.until(end) + 1))
        })
        .sum();
    let monthly_costs = ((monthly_revenue * 1.1 / 1000.0).round() * 1000.0).max(10_000.0);
    Assumptions {
        books_closed: now.plus(-1),
        monthly_costs,
        net_assets: monthly_costs * 9.0,
        ..Assumptions::default()
    }
}

struct Generator {
    rng: ChaCha8Rng,
    now: Month,
    data: DemoData,
    used_names: std::collections::HashSet<String>,
}

impl Generator {
    fn month(&self, offset: i32) -> Month {
        self.now.plus(offset).unwrap_or(self.now)
    }

    fn random_month(&mut self, offsets: std::ops::RangeInclusive<i32>) -> Month {
        let offset = self.rng.random_range(offsets);
        self.month(offset)
    }

    fn days_before(date: Date, days: i64) -> Date {
        date.checked_sub(days.days()).unwrap_or(date)
    }

    /// A display name and a unique one-word key for a new organization.
    fn organization(&mut self, long_name: String, kind: OrganizationKind) -> OrganizationName {
        let mut candidate: String = long_name.chars().take(48).collect();
        let mut n = 2;
        let name = loop {
            if let Some(name) = OrganizationName::slug(&candidate)
                && self.used_names.insert(name.to_string())
            {
                break name;
            }
            candidate = format!("{} {n}", long_name.chars().take(48).collect::<String>());
            n += 1;
        };
        let key = name.to_string();
        let website = format!("https://{key}.example.org");
        self.data.organizations.push(OrganizationFields {
            name: name.clone(),
            tags: segment(&long_name),
            long_name: Some(long_name),
            kind,
            website: Some(website),
            github_org: (kind == OrganizationKind::Community).then(|| key.clone()),
            notes: None,
        });
        name
    }

    fn owner(&mut self) -> String {
        OWNERS[self.rng.random_range(0..OWNERS.len())].to_owned()
    }

    fn deal(
        &mut self,
        name: String,
        org: &OrganizationName,
        stage: &str,
        revenue: &str,
    ) -> DealFields {
        let mut deal = DealFields::new(name, PIPELINE, stage);
        deal.organization = Some(org.clone());
        deal.revenue_type = RevenueType::parse(revenue).ok();
        deal.owner = Some(self.owner());
        deal
    }

    fn push(&mut self, fields: DealFields, renews: Option<usize>) -> usize {
        self.data.deals.push(DemoDeal {
            fields,
            renews,
            history: Vec::new(),
        });
        self.data.deals.len() - 1
    }

    /// A cluster for each member community (up to [`MAX_CLUSTERS`]) with two years of weekly
    /// samples: a size set by the membership, an academic season (quiet in summer and late
    /// December), slow growth and some noise. Drawn from a stream of its own, so the rest of
    /// the demo does not change with it.
    fn usage(&mut self, spec: DemoSpec) {
        let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
        rng.set_stream(1);
        let mut members: Vec<(OrganizationName, bool, usize)> = Vec::new();
        for (index, deal) in self.data.deals.iter().enumerate() {
            let f = &deal.fields;
            let Some(org) = &f.organization else { continue };
            let membership = f
                .revenue_type
                .as_ref()
                .is_some_and(|t| t.as_str().starts_with("membership"));
            if membership && f.stage == "Closed Won" && !members.iter().any(|(o, _, _)| o == org) {
                let premier = f
                    .revenue_type
                    .as_ref()
                    .is_some_and(|t| t.as_str() == "membership-premier");
                members.push((org.clone(), premier, index));
            }
        }
        for (org, premier, deal) in members.into_iter().take(MAX_CLUSTERS) {
            let base = if premier {
                rng.random_range(150.0..600.0)
            } else {
                rng.random_range(15.0..150.0)
            };
            let growth: f64 = rng.random_range(0.95..1.35);
            let mut samples = Vec::with_capacity(104);
            for week in (0..104_i64).rev() {
                let day = spec
                    .as_of
                    .checked_sub((week * 7).days())
                    .unwrap_or(spec.as_of);
                let season = match day.month() {
                    6..=8 => 0.55,
                    12 if day.day() > 15 => 0.6,
                    1 | 9 | 10 => 1.1,
                    _ => 1.0,
                };
                let years_ago = week as f64 / 52.0;
                let noise: f64 = rng.random_range(0.9..1.1);
                let users = base * season * growth.powf(-years_ago) * noise;
                samples.push((day, users.round().max(0.0) as i64));
            }
            // The last two weeks, daily, on a production hub and a smaller staging hub.
            let latest = samples.last().map_or(0.0, |(_, u)| *u as f64);
            let mut hubs = Vec::new();
            for (hub, share) in [("prod", 0.85), ("staging", 0.15)] {
                let days = (0..14_i64)
                    .rev()
                    .map(|back| {
                        let day = spec.as_of.checked_sub(back.days()).unwrap_or(spec.as_of);
                        let noise: f64 = rng.random_range(0.95..1.05);
                        (day, (latest * share * noise).round().max(0.0) as i64)
                    })
                    .collect();
                hubs.push((hub.to_owned(), days));
            }
            let provider = ["gcp", "aws", "azure"][rng.random_range(0..3_usize)];
            self.data.clusters.push(DemoCluster {
                name: format!("{org}-hub"),
                organization: org,
                provider,
                dedicated: premier,
                start: samples.first().map_or(spec.as_of, |(d, _)| *d),
                deal,
                samples,
                hubs,
            });
        }
    }

    fn campaigns(&mut self) {
        for (name, channel, months_ago, length, cost, days) in CAMPAIGNS {
            let start = self.month(-months_ago);
            let end = start.plus(length - 1).unwrap_or(start);
            self.data.campaigns.push(CampaignFields {
                name: name.to_owned(),
                channel: Some(channel.to_owned()),
                start_date: Some(start.first_day()),
                end_date: Some(end.last_day()),
                currency: Currency::USD,
                cost_minor: Some(cost * 100),
                cost_person_days: Some(days),
                notes: None,
            });
        }
    }

    /// A campaign running around `month`, if any, for a deal that one may have produced.
    fn campaign_for(&mut self, month: Month) -> Option<String> {
        let running: Vec<String> = self
            .data
            .campaigns
            .iter()
            .filter(|c| {
                c.start_date.is_some_and(|s| Month::of(s) <= month)
                    && c.end_date
                        .is_some_and(|e| Month::of(e).plus(3).is_some_and(|m| m >= month))
            })
            .map(|c| c.name.clone())
            .collect();
        if running.is_empty() || !self.rng.random_bool(0.6) {
            return None;
        }
        Some(running[self.rng.random_range(0..running.len())].clone())
    }

    /// People at a new organization: a representative, often a technical contact, sometimes
    /// someone for billing.
    fn contacts(&mut self, org: &OrganizationName) {
        let mut labels = vec![ContactLabel::CommunityRepresentative];
        if self.rng.random_bool(0.6) {
            labels.push(ContactLabel::TechnicalContact);
        }
        if self.rng.random_bool(0.3) {
            labels.push(ContactLabel::BillingContact);
        }
        let mut used = Vec::new();
        for label in labels {
            let first = FIRST_NAMES[self.rng.random_range(0..FIRST_NAMES.len())];
            let last = LAST_NAMES[self.rng.random_range(0..LAST_NAMES.len())];
            let mut email = format!(
                "{}.{}@{org}.example.org",
                first.to_lowercase(),
                last.to_lowercase()
            );
            if used.contains(&email) {
                email = format!(
                    "{}.{}{}@{org}.example.org",
                    first.to_lowercase(),
                    last.to_lowercase(),
                    used.len() + 1
                );
            }
            used.push(email.clone());
            let strategic =
                label == ContactLabel::CommunityRepresentative && self.rng.random_bool(0.2);
            self.data.contacts.push(ContactFields {
                name: format!("{first} {last}"),
                email: Some(email),
                github: self
                    .rng
                    .random_bool(0.5)
                    .then(|| format!("{}{}", first.to_lowercase(), last.to_lowercase())),
                strategic,
                coverage: if strategic {
                    vec!["renewals".to_owned(), "budget".to_owned()]
                } else {
                    Vec::new()
                },
                notes: None,
                organizations: vec![(org.clone(), label)],
            });
        }
    }

    /// The stages a deal went through to reach its current one, with the day of each move:
    /// backwards from its close date (or from today for an open deal), a few weeks apart.
    fn history(&mut self, index: usize) -> Vec<(Date, FieldChange)> {
        let deal = self.data.deals[index].fields.clone();
        let renewal = deal.deal_type == DealType::Renewal;
        let funding = deal
            .revenue_type
            .as_ref()
            .is_some_and(|t| matches!(t.as_str(), "grant" | "gift"));
        let ladder: &[&str] = if renewal {
            &["Renewal", "Proposal", "Contract Admin"]
        } else if funding {
            &["Proposal"]
        } else {
            &[
                "Enrichment",
                "Outreach",
                "Discovery",
                "Proposal",
                "Contract Admin",
            ]
        };
        let mut path: Vec<&str> = match deal.stage.as_str() {
            "Closed Won" | "Closed Won Complete" => {
                let mut p = ladder.to_vec();
                p.push("Closed Won");
                p
            }
            "Closed Lost" => {
                let keep = self.rng.random_range(1..=ladder.len());
                let mut p = ladder[..keep].to_vec();
                p.push("Closed Lost");
                p
            }
            open => match ladder.iter().position(|s| *s == open) {
                Some(at) => ladder[..=at].to_vec(),
                None => vec![open],
            },
        };
        let today = self
            .now
            .first_day()
            .checked_add(14.days())
            .unwrap_or(self.now.first_day());
        let mut day = deal.close_date.unwrap_or(today).min(today);
        let mut dates = vec![day];
        for _ in 1..path.len() {
            day = Self::days_before(day, self.rng.random_range(5..40));
            dates.push(day);
        }
        dates.reverse();
        if deal.stage == "Closed Won Complete" {
            let done = deal
                .contract_end
                .unwrap_or(day)
                .checked_add(self.rng.random_range(1..30_i64).days())
                .unwrap_or(day);
            path.push("Closed Won Complete");
            dates.push(done.min(today).max(*dates.last().unwrap_or(&done)));
        }
        let mut first = deal.clone();
        first.stage = path[0].to_owned();
        let mut history: Vec<(Date, FieldChange)> = first
            .changes_from(None)
            .into_iter()
            .map(|c| (dates[0], c))
            .collect();
        for step in 1..path.len() {
            history.push((
                dates[step],
                FieldChange {
                    field: "stage",
                    old: Some(path[step - 1].to_owned()),
                    new: Some(path[step].to_owned()),
                },
            ));
        }
        history
    }

    /// Amount collected for a signed deal over [start, end]: paid in full once over, in
    /// quarterly instalments while running; sometimes unknown, sometimes a little over.
    fn collected(&mut self, amount: i64, start: Month, end: Month) -> Option<i64> {
        if self.rng.random_bool(0.08) {
            return None;
        }
        let total = i64::from(start.until(end) + 1).max(1);
        let elapsed = i64::from(start.until(self.now)).clamp(0, total);
        let quarters_paid = (elapsed + 2) / 3;
        let paid = (amount * (quarters_paid * 3).min(total) / total).min(amount);
        if elapsed >= total && self.rng.random_bool(0.05) {
            return Some(amount + amount / 50);
        }
        Some(paid)
    }

    fn signed(
        &mut self,
        mut deal: DealFields,
        amount: i64,
        start: Month,
        end: Month,
    ) -> DealFields {
        deal.amount_minor = Some(amount);
        deal.contract_start = Some(start.first_day());
        deal.contract_end = Some(end.last_day());
        deal.target_start = deal.contract_start;
        deal.target_end = deal.contract_end;
        let lead = self.rng.random_range(3..40);
        deal.close_date = Some(Self::days_before(start.first_day(), lead));
        deal.collected_minor = self.collected(amount, start, end);
        deal
    }

    fn community(&mut self, i: usize) {
        let place = PLACES[i % PLACES.len()];
        let field = FIELDS[(i / PLACES.len() + i * 5) % FIELDS.len()];
        let round = i / (PLACES.len() * FIELDS.len());
        let long = if round == 0 {
            format!("{place} {field}")
        } else {
            format!("{place} {field} {}", round + 1)
        };
        let org = self.organization(long.clone(), OrganizationKind::Community);
        self.contacts(&org);
        let premier = self.rng.random_bool(0.3);
        let (revenue, yearly) = if premier {
            (
                "membership-premier",
                45_000 + 2_500 * self.rng.random_range(-4..=4),
            )
        } else {
            (
                "membership-general",
                15_000 + 500 * self.rng.random_range(-6..=6),
            )
        };
        let mut start = self.random_month(-60..=-3);
        let mut previous: Option<usize> = None;
        let mut year = 0;
        loop {
            let length = if self.rng.random_bool(0.15) { 24 } else { 12 };
            let end = start.plus(length - 1).unwrap_or(start);
            let amount = i64::from(yearly) * 100 * i64::from(length) / 12;
            let label = format!("{long} {}", start.year());
            if let Some(prev) = previous {
                // Before each renewal a community may leave, or the renewal may still be open.
                if start > self.month(6) {
                    break;
                }
                if self.rng.random_bool(0.12) {
                    let mut lost =
                        self.deal(format!("{label} renewal"), &org, "Closed Lost", revenue);
                    lost.deal_type = DealType::Renewal;
                    lost.amount_minor = Some(amount);
                    lost.target_start = Some(start.first_day());
                    lost.target_end = Some(end.last_day());
                    lost.close_date = Some(Self::days_before(start.first_day(), 10));
                    lost.loss_reason =
                        Some(LOSS_REASONS[self.rng.random_range(0..LOSS_REASONS.len())].to_owned());
                    self.push(lost, Some(prev));
                    break;
                }
                if start > self.now {
                    let stage = match self.rng.random_range(0..10) {
                        0..=5 => "Renewal",
                        6..=7 => "Proposal",
                        _ => "Contract Admin",
                    };
                    let mut open = self.deal(format!("{label} renewal"), &org, stage, revenue);
                    open.deal_type = DealType::Renewal;
                    open.amount_minor = Some(amount);
                    open.target_start = Some(start.first_day());
                    open.target_end = Some(end.last_day());
                    self.push(open, Some(prev));
                    break;
                }
            }
            let base = self.deal(label, &org, "Closed Won", revenue);
            let mut won = self.signed(base, amount, start, end);
            if previous.is_some() {
                won.deal_type = DealType::Renewal;
            } else {
                won.campaign = self.campaign_for(start);
            }
            previous = Some(self.push(won, previous));
            start = end.plus(1).unwrap_or(end);
            year += 1;
            if year > 12 {
                break;
            }
        }
        if self.rng.random_bool(0.35) {
            self.project(&org, &long);
        }
    }

    fn project(&mut self, org: &OrganizationName, long: &str) {
        let length = self.rng.random_range(3..=12);
        let start = self.random_month(-48..=4);
        let end = start.plus(length - 1).unwrap_or(start);
        let amount = i64::from(self.rng.random_range(20..=150)) * 1_000 * 100;
        let name = format!("{long} project {}", start.year());
        if start > self.now {
            let stage = if self.rng.random_bool(0.5) {
                "Proposal"
            } else {
                "Contract Admin"
            };
            let mut open = self.deal(name, org, stage, "project");
            open.amount_minor = Some(amount);
            open.target_start = Some(start.first_day());
            open.target_end = Some(end.last_day());
            if self.rng.random_bool(0.3) {
                open.probability =
                    Probability::new(f64::from(self.rng.random_range(2..=9)) / 10.0).ok();
            }
            self.push(open, None);
            return;
        }
        let stage = if end < self.now {
            "Closed Won Complete"
        } else {
            "Closed Won"
        };
        let base = self.deal(name, org, stage, "project");
        let mut won = self.signed(base, amount, start, end);
        if self.rng.random_bool(0.1) {
            // Signed, but nobody entered the contract dates yet.
            won.contract_start = None;
            won.contract_end = None;
        }
        self.push(won, None);
    }

    fn funder(&mut self, i: usize) {
        let long = FUNDERS[i % FUNDERS.len()].to_owned();
        let org = self.organization(long.clone(), OrganizationKind::Funder);
        let grants = self.rng.random_range(1..=2);
        for g in 0..grants {
            let length = 12 * self.rng.random_range(1..=3);
            let start = self.random_month(-54..=-2);
            let end = start.plus(length - 1).unwrap_or(start);
            let amount = i64::from(self.rng.random_range(10..=75)) * 10_000 * 100;
            let name = format!("{long} grant {}", start.year());
            let stage = if end < self.now {
                "Closed Won Complete"
            } else {
                "Closed Won"
            };
            let base = self.deal(name, &org, stage, "grant");
            let won = self.signed(base, amount, start, end);
            self.push(won, None);
            if g == 0 && i % 3 == 1 {
                let mut declined =
                    self.deal(format!("{long} proposal"), &org, "Closed Lost", "grant");
                declined.amount_minor = Some(amount / 2);
                declined.close_date = Some(Self::days_before(start.first_day(), 90));
                declined.loss_reason = Some("declined by the funder".to_owned());
                self.push(declined, None);
            }
        }
        if i.is_multiple_of(2) {
            let start = self.random_month(3..=9);
            let end = start.plus(23).unwrap_or(start);
            let mut open = self.deal(
                format!("{long} application {}", start.year()),
                &org,
                "Proposal",
                "grant",
            );
            open.amount_minor = Some(i64::from(self.rng.random_range(20..=60)) * 10_000 * 100);
            open.target_start = Some(start.first_day());
            open.target_end = Some(end.last_day());
            open.probability = Probability::new(0.25).ok();
            self.push(open, None);
        }
    }

    fn donor(&mut self, i: usize) {
        let long = DONORS[i % DONORS.len()].to_owned();
        let org = self.organization(long.clone(), OrganizationKind::Other);
        for _ in 0..self.rng.random_range(1..=3) {
            let month = self.random_month(-50..=1);
            let amount = i64::from(self.rng.random_range(5..=50)) * 1_000 * 100;
            let stage = if month < self.now {
                "Closed Won Complete"
            } else {
                "Closed Won"
            };
            let base = self.deal(format!("{long} gift {month}"), &org, stage, "gift");
            let mut gift = self.signed(base, amount, month, month);
            gift.collected_minor = Some(if month <= self.now { amount } else { 0 });
            self.push(gift, None);
        }
    }

    /// A new community in the open pipeline; the first six cover every new-business stage.
    fn prospect(&mut self, i: usize) {
        let place = PLACES[(i * 7 + 3) % PLACES.len()];
        let field = FIELDS[(i * 5 + 1) % FIELDS.len()];
        let long = format!("{place} {field} Partnership");
        let org = self.organization(long.clone(), OrganizationKind::Community);
        let stages = [
            "Enrichment",
            "Outreach",
            "Discovery",
            "Proposal",
            "Contract Admin",
        ];
        let stage = stages[i % stages.len()];
        let premier = self.rng.random_bool(0.3);
        let revenue = if premier {
            "membership-premier"
        } else {
            "membership-general"
        };
        let mut deal = self.deal(format!("{long} membership"), &org, stage, revenue);
        deal.campaign = self.campaign_for(self.now);
        let start = self.random_month(1..=6);
        let end = start.plus(11).unwrap_or(start);
        deal.amount_minor = Some(if premier { 4_500_000 } else { 1_500_000 });
        deal.target_start = Some(start.first_day());
        deal.target_end = Some(end.last_day());
        // Early-stage deals are often missing something: these become action items.
        if matches!(stage, "Enrichment" | "Outreach") || self.rng.random_bool(0.15) {
            match self.rng.random_range(0..3) {
                0 => deal.amount_minor = None,
                1 => deal.target_end = None,
                _ => {
                    deal.target_start = None;
                    deal.target_end = None;
                }
            }
        }
        self.push(deal, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use std::collections::HashSet;

    fn spec(deals: Option<usize>) -> DemoSpec {
        DemoSpec {
            seed: 7,
            as_of: date(2026, 11, 24),
            deals,
        }
    }

    #[test]
    fn the_assumptions_fit_the_won_contracts_running_this_month() {
        let deal = |stage: &str, amount: i64, start: Date, end: Date| {
            let mut fields = DealFields::new("d".to_owned(), PIPELINE, stage);
            fields.amount_minor = Some(amount * 100);
            fields.contract_start = Some(start);
            fields.contract_end = Some(end);
            DemoDeal {
                fields,
                renews: None,
                history: Vec::new(),
            }
        };
        let now = Month::of(date(2026, 11, 24));
        let deals = [
            // $120,000 over 12 months: $10,000 a month.
            deal("Closed Won", 120_000, date(2026, 7, 1), date(2027, 6, 30)),
            // $60,000 over 24 months: $2,500 a month.
            deal(
                "Closed Won Complete",
                60_000,
                date(2025, 12, 1),
                date(2027, 11, 30),
            ),
            // Ended, not yet started, lost: none counts.
            deal("Closed Won", 99_000, date(2025, 1, 1), date(2026, 10, 31)),
            deal("Closed Won", 99_000, date(2026, 12, 1), date(2027, 11, 30)),
            deal("Closed Lost", 99_000, date(2026, 1, 1), date(2026, 12, 31)),
        ];
        let a = fitting_assumptions(&deals, now);
        assert_eq!(a.books_closed, Month::new(2026, 10).ok());
        // 1.1 × $12,500 = $13,750, rounded to $14,000.
        assert_eq!(a.monthly_costs, 14_000.0);
        assert_eq!(a.net_assets, 126_000.0);
        assert_eq!(fitting_assumptions(&[], now).monthly_costs, 10_000.0);
    }

    #[test]
    fn the_same_spec_gives_the_same_organisation() {
        assert_eq!(generate(spec(None)), generate(spec(None)));
        assert_ne!(
            generate(spec(None)),
            generate(DemoSpec {
                seed: 8,
                ..spec(None)
            })
        );
    }

    #[test]
    fn the_natural_size_is_about_forty_communities_over_five_years() {
        let data = generate(spec(None));
        let communities = data
            .organizations
            .iter()
            .filter(|o| o.kind == OrganizationKind::Community)
            .count();
        assert!(
            (40..=60).contains(&communities),
            "{communities} communities"
        );
        let first = data
            .deals
            .iter()
            .filter_map(|d| d.fields.contract_start)
            .min()
            .unwrap();
        assert!(first <= date(2022, 6, 1), "history starts {first}");
        let kinds: HashSet<&str> = data
            .deals
            .iter()
            .filter_map(|d| d.fields.revenue_type.as_ref().map(RevenueType::as_str))
            .collect();
        for kind in [
            "membership-general",
            "membership-premier",
            "project",
            "grant",
            "gift",
        ] {
            assert!(kinds.contains(kind), "no {kind} deals");
        }
    }

    #[test]
    fn every_open_stage_has_deals_and_some_deals_miss_data() {
        let data = generate(spec(None));
        for stage in OPEN_STAGES {
            assert!(
                data.deals.iter().any(|d| d.fields.stage == stage),
                "no deal in {stage}"
            );
        }
        let missing = data.deals.iter().filter(|d| {
            let f = &d.fields;
            OPEN_STAGES.contains(&f.stage.as_str())
                && (f.amount_minor.is_none() || f.target_start.is_none() || f.target_end.is_none())
        });
        assert!(missing.count() >= 2);
        assert!(
            data.deals
                .iter()
                .any(|d| d.fields.stage == "Closed Lost" && d.fields.loss_reason.is_some())
        );
        assert!(
            data.deals
                .iter()
                .any(|d| d.fields.deal_type == DealType::Renewal)
        );
    }

    #[test]
    fn contacts_campaigns_and_stage_histories_are_plausible() {
        let data = generate(spec(None));
        assert!(data.contacts.len() >= 40);
        let emails: HashSet<&str> = data
            .contacts
            .iter()
            .filter_map(|c| c.email.as_deref())
            .collect();
        assert_eq!(emails.len(), data.contacts.len(), "emails are unique");
        assert!(data.contacts.iter().all(|c| c.problems().is_empty()));
        assert_eq!(data.campaigns.len(), 4);
        let campaigns: HashSet<&str> = data.campaigns.iter().map(|c| c.name.as_str()).collect();
        assert!(
            data.deals
                .iter()
                .filter_map(|d| d.fields.campaign.as_deref())
                .all(|c| campaigns.contains(c))
        );
        assert!(data.deals.iter().any(|d| d.fields.campaign.is_some()));
        for deal in &data.deals {
            let stages: Vec<(&Date, Option<&str>, Option<&str>)> = deal
                .history
                .iter()
                .filter(|(_, c)| c.field == "stage")
                .map(|(d, c)| (d, c.old.as_deref(), c.new.as_deref()))
                .collect();
            assert_eq!(
                stages[0].1, None,
                "{}: the first stage has no predecessor",
                deal.fields.name
            );
            assert_eq!(
                stages.last().unwrap().2,
                Some(deal.fields.stage.as_str()),
                "{}",
                deal.fields.name
            );
            assert!(
                stages
                    .windows(2)
                    .all(|w| w[0].0 <= w[1].0 && w[0].2 == w[1].1),
                "{:?}",
                stages
            );
            assert!(*stages.last().unwrap().0 <= date(2026, 12, 15));
        }
        let won = data
            .deals
            .iter()
            .find(|d| {
                d.fields.stage == "Closed Won"
                    && d.fields.deal_type == DealType::NewBusiness
                    && d.fields
                        .revenue_type
                        .as_ref()
                        .is_some_and(|t| t.as_str().starts_with("membership"))
            })
            .unwrap();
        assert_eq!(
            won.history
                .iter()
                .filter(|(_, c)| c.field == "stage")
                .count(),
            6
        );
    }

    #[test]
    fn members_get_clusters_with_two_years_of_weekly_usage() {
        let data = generate(spec(None));
        assert!(
            data.clusters.len() >= 15,
            "{} clusters",
            data.clusters.len()
        );
        for cluster in &data.clusters {
            assert_eq!(cluster.samples.len(), 104);
            assert!(cluster.samples.windows(2).all(|w| w[0].0 < w[1].0));
            assert!(cluster.samples.iter().all(|(_, u)| *u >= 0));
            assert!(
                data.organizations
                    .iter()
                    .any(|o| o.name == cluster.organization)
            );
            let deal = &data.deals[cluster.deal].fields;
            assert_eq!(deal.organization.as_ref(), Some(&cluster.organization));
            assert_eq!(deal.stage, "Closed Won");
            assert_eq!(cluster.start, cluster.samples[0].0);
            let as_of = spec(None).as_of;
            for (_, days) in &cluster.hubs {
                assert_eq!(days.len(), 14, "two weeks, daily");
                assert_eq!(days.last().map(|(d, _)| *d), Some(as_of));
            }
        }
        assert!(
            data.clusters.iter().any(|c| c.dedicated) && data.clusters.iter().any(|c| !c.dedicated)
        );
        assert!(generate(spec(Some(20_000))).clusters.len() <= MAX_CLUSTERS);
    }

    #[test]
    fn deals_are_valid_and_link_only_to_earlier_deals_of_known_organizations() {
        for n in [None, Some(1), Some(17), Some(2_000)] {
            let data = generate(spec(n));
            if let Some(n) = n {
                assert_eq!(data.deals.len(), n);
            }
            let names: HashSet<&OrganizationName> =
                data.organizations.iter().map(|o| &o.name).collect();
            assert_eq!(
                names.len(),
                data.organizations.len(),
                "organization names are unique"
            );
            for (i, deal) in data.deals.iter().enumerate() {
                assert!(deal.fields.problems().is_empty(), "{:?}", deal.fields);
                assert!(deal.renews.is_none_or(|r| r < i));
                assert!(
                    deal.fields
                        .organization
                        .as_ref()
                        .is_some_and(|o| names.contains(o))
                );
            }
        }
    }
}
