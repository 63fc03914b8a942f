//! Reads that many requests share, kept while the data stay the same.
//!
//! The pages read the same things again and again: every deal for the board, the table, the
//! dashboard and each organization; the forecast for the dashboard and the forecast page. A
//! [`Snapshots`] keeps them in memory for one data version ([`Store::data_version`]: a counter
//! per part of the records, moved by every committed change to that part). Each request asks
//! the database for the version, one small query, and reuses what was read for that version,
//! loading each piece the first time a request needs it. A change by any process, the web
//! server or the command line, moves the version, and the next request reads afresh what
//! depends on the parts that moved; the rest is carried over (a usage import keeps the deal
//! lists and their history, a new user keeps everything).
//!
//! The version is read before the data, so a snapshot never holds data older than its version
//! says, and a request that starts after a change has committed never sees data from before it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bearing_core::{DataPart, Date};
use bearing_store::{DataVersion, DealHistoryRecord, OrganizationRecord, Store};
use tokio::sync::OnceCell;

use crate::contacts::Contact;
use crate::deals::{self, Deal, DealFilter};
use crate::invoices::CurrencyAging;
use crate::reports::{self, Report};
use crate::sight::Sight;
use crate::{AppError, Result};

/// The current snapshot, replaced when the data version moves.
#[derive(Debug, Default)]
pub struct Snapshots {
    current: Mutex<Option<Arc<Snapshot>>>,
}

impl Snapshots {
    pub fn new() -> Self {
        Self::default()
    }

    /// The snapshot of the data as they are now.
    pub async fn now(&self, store: &Store) -> Result<Arc<Snapshot>> {
        let version = store.data_version().await?;
        let mut current = self
            .current
            .lock()
            .map_err(|_| AppError::Internal("the snapshot lock is poisoned".into()))?;
        match current.as_ref() {
            Some(snapshot) if snapshot.version == version => Ok(snapshot.clone()),
            earlier => {
                let snapshot = Arc::new(Snapshot::new(store.clone(), version, earlier.cloned()));
                *current = Some(snapshot.clone());
                Ok(snapshot)
            }
        }
    }
}

/// A forecast workbook: the day it was made for, whose sight it fits, and its bytes.
type Workbook = (Date, Sight, Arc<Vec<u8>>);

/// The data at one version; each part is read the first time it is asked for.
#[derive(Debug)]
pub struct Snapshot {
    store: Store,
    version: DataVersion,
    deals: OnceCell<Arc<Vec<Deal>>>,
    organizations: OnceCell<Arc<Vec<OrganizationRecord>>>,
    contacts: OnceCell<Arc<Vec<Contact>>>,
    history: OnceCell<Arc<Vec<DealHistoryRecord>>>,
    /// The aging as of each day asked for: invoices, organizations and contacts are CRM.
    agings: tokio::sync::Mutex<HashMap<Date, Arc<Vec<CurrencyAging>>>>,
    reports: tokio::sync::Mutex<HashMap<(Date, &'static str), Arc<Report>>>,
    workbooks: tokio::sync::Mutex<Vec<Workbook>>,
}

/// A cell holding what `cell` holds, if anything.
fn carry<T: Clone>(cell: Option<&OnceCell<T>>) -> OnceCell<T> {
    OnceCell::new_with(cell.and_then(|c| c.get().cloned()))
}

/// What the CRM lists (deals, organizations, contacts, deal history) are read from.
const CRM_LISTS: &[DataPart] = &[DataPart::Crm];

/// What the reports and the forecast workbook are built from: everything but the accounts.
const REPORTS: &[DataPart] = &[
    DataPart::Crm,
    DataPart::Usage,
    DataPart::People,
    DataPart::Assumptions,
];

impl Snapshot {
    /// The snapshot of `version`, keeping from `earlier` each piece whose parts have not
    /// moved since.
    fn new(store: Store, version: DataVersion, earlier: Option<Arc<Snapshot>>) -> Self {
        let keep = |parts: &[DataPart]| {
            earlier
                .as_deref()
                .filter(|e| e.version.same_for(&version, parts))
        };
        let crm = keep(CRM_LISTS);
        let reports = keep(REPORTS);
        Snapshot {
            store,
            version,
            deals: carry(crm.map(|e| &e.deals)),
            organizations: carry(crm.map(|e| &e.organizations)),
            contacts: carry(crm.map(|e| &e.contacts)),
            history: carry(crm.map(|e| &e.history)),
            agings: tokio::sync::Mutex::new(
                crm.and_then(|e| e.agings.try_lock().ok().map(|m| m.clone()))
                    .unwrap_or_default(),
            ),
            reports: tokio::sync::Mutex::new(
                reports
                    .and_then(|e| e.reports.try_lock().ok().map(|m| m.clone()))
                    .unwrap_or_default(),
            ),
            workbooks: tokio::sync::Mutex::new(
                reports
                    .and_then(|e| e.workbooks.try_lock().ok().map(|w| w.clone()))
                    .unwrap_or_default(),
            ),
        }
    }

    /// The data version this snapshot shows.
    pub fn version(&self) -> DataVersion {
        self.version
    }

    /// Every deal that is not deleted, in id order.
    pub async fn deals(&self) -> Result<Arc<Vec<Deal>>> {
        self.deals
            .get_or_try_init(|| async {
                Ok(Arc::new(
                    deals::list(&self.store, &DealFilter::default()).await?,
                ))
            })
            .await
            .cloned()
    }

    /// One deal: from the snapshot when its deals are read already, else (or when it is
    /// deleted) from the database, which is quicker than reading every deal for one.
    pub async fn deal(&self, id: bearing_core::DealId) -> Result<Deal> {
        match self
            .deals
            .get()
            .and_then(|all| all.iter().find(|d| d.id == id))
        {
            Some(deal) => Ok(deal.clone()),
            None => deals::get(&self.store, id).await,
        }
    }

    /// The deals that `filter` keeps; deleted deals are read from the database.
    pub async fn deals_matching(&self, filter: &DealFilter) -> Result<Vec<Deal>> {
        if filter.include_deleted {
            return deals::list(&self.store, filter).await;
        }
        Ok(self
            .deals()
            .await?
            .iter()
            .filter(|d| filter.matches(d))
            .cloned()
            .collect())
    }

    /// Organizations that are not deleted, by name.
    pub async fn organizations(&self) -> Result<Arc<Vec<OrganizationRecord>>> {
        self.organizations
            .get_or_try_init(|| async { Ok(Arc::new(self.store.list_organizations(false).await?)) })
            .await
            .cloned()
    }

    /// Contacts that are not deleted, by name.
    pub async fn contacts(&self) -> Result<Arc<Vec<Contact>>> {
        self.contacts
            .get_or_try_init(|| async {
                Ok(Arc::new(
                    crate::contacts::list(&self.store, None, false).await?,
                ))
            })
            .await
            .cloned()
    }

    /// Every recorded change of every deal, oldest first.
    pub async fn deal_history(&self) -> Result<Arc<Vec<DealHistoryRecord>>> {
        self.history
            .get_or_try_init(|| async {
                Ok(Arc::new(
                    deals::history(&self.store, None, None, None).await?,
                ))
            })
            .await
            .cloned()
    }

    /// The aging as of `as_of`, worked out the first time a day is asked for: for those who
    /// see cash.
    pub async fn aging(
        &self,
        ctx: &crate::Context,
        as_of: Date,
    ) -> Result<Arc<Vec<CurrencyAging>>> {
        crate::invoices::require_read(ctx)?;
        let mut agings = self.agings.lock().await;
        if let Some(aging) = agings.get(&as_of) {
            return Ok(aging.clone());
        }
        let aging = Arc::new(crate::invoices::aging(&self.store, ctx, as_of).await?);
        agings.insert(as_of, aging.clone());
        Ok(aging)
    }

    /// Every report as of `today` that `sight` may see, in one spreadsheet workbook, one sheet
    /// per report.
    pub async fn forecast_workbook(&self, today: Date, sight: Sight) -> Result<Arc<Vec<u8>>> {
        let mut workbooks = self.workbooks.lock().await;
        if let Some((_, _, bytes)) = workbooks
            .iter()
            .find(|(day, seen, _)| *day == today && *seen == sight)
        {
            return Ok(bytes.clone());
        }
        let built = self.reports(&reports::NAMES, today, Sight::ALL).await?;
        let sheets: Vec<(&str, &bearing_formats::Table)> = built
            .iter()
            .filter(|r| sight.sees(r))
            .map(|r| (r.name, &r.table))
            .collect();
        let bytes = Arc::new(
            bearing_formats::xlsx::workbook(&sheets)
                .map_err(|e| AppError::Internal(e.to_string()))?,
        );
        workbooks.push((today, sight, bytes.clone()));
        Ok(bytes)
    }

    /// The reports `names` as of `today`, built together the first time any is missing;
    /// refused when `sight` may not see one of them.
    pub async fn reports(
        &self,
        names: &[&str],
        today: Date,
        sight: Sight,
    ) -> Result<Vec<Arc<Report>>> {
        let mut built = self.reports.lock().await;
        let missing: Vec<&str> = names
            .iter()
            .copied()
            .filter(|name| !built.keys().any(|(day, n)| *day == today && n == name))
            .collect();
        if !missing.is_empty() {
            for report in reports::build_many(&self.store, &missing, today).await? {
                built.insert((today, report.name), Arc::new(report));
            }
        }
        names
            .iter()
            .map(|name| {
                let report = built
                    .iter()
                    .find(|((day, n), _)| *day == today && n == name)
                    .map(|(_, report)| report.clone())
                    .ok_or_else(|| AppError::Internal(format!("report {name} was not built")))?;
                sight.check(&report)?;
                Ok(report)
            })
            .collect()
    }
}
