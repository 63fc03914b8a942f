//! The deals that need attention, and why (docs/domain.md, "Flags for review").

use super::*;

/// A reason a signed deal needs attention, with a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Flag {
    Stale,
    OverCollected,
    MissingContractDates,
    EndingSoon,
    CollectedEstimated,
    EndedNotCollected,
    BeyondHorizon,
    CollectedMismatch,
}

impl Flag {
    pub fn code(self) -> &'static str {
        match self {
            Flag::Stale => "stale",
            Flag::OverCollected => "over-collected",
            Flag::MissingContractDates => "missing-contract-dates",
            Flag::EndingSoon => "ending-soon",
            Flag::CollectedEstimated => "collected-estimated",
            Flag::EndedNotCollected => "ended-not-collected",
            Flag::BeyondHorizon => "beyond-horizon",
            Flag::CollectedMismatch => "collected-mismatch",
        }
    }

    pub fn explain(self) -> &'static str {
        match self {
            Flag::Stale => "started six or more months ago and nothing collected is recorded",
            Flag::OverCollected => "more than 115% of the amount is collected",
            Flag::MissingContractDates => "the contract start or end is not entered",
            Flag::EndingSoon => {
                "ends within three months with more than half the amount still to collect"
            }
            Flag::CollectedEstimated => {
                "the amount collected is unknown and was estimated from the months elapsed"
            }
            Flag::EndedNotCollected => {
                "ended in the last twelve months with part of its amount not yet collected"
            }
            Flag::BeyondHorizon => {
                "runs past the forecast's horizon: its months after it are not projected"
            }
            Flag::CollectedMismatch => {
                "the amount collected typed into the CRM differs by more than 1% from the payments on its invoices"
            }
        }
    }
}

impl ForecastDeal {
    /// Whether the CRM's typed collected amount and its invoices' payments both exist and
    /// differ by more than 1% of the larger.
    pub fn collected_mismatch(&self) -> bool {
        match (self.typed_collected, self.collected) {
            (Some(typed), Some(paid)) => (typed - paid).abs() > 0.01 * typed.abs().max(paid.abs()),
            _ => false,
        }
    }
}

impl Forecast {
    /// Deals that need attention (docs/domain.md, "Flags for review"): the active won
    /// deals by the organisation's rules, those that ended in the twelve months
    /// before the start without being paid in full, and any active deal that runs past the
    /// horizon. "Recorded collected" is the amount collected as recorded, unknown counting as
    /// nothing: never the estimate the rates use.
    pub fn flags(&self) -> Vec<(usize, Vec<Flag>)> {
        let mut out = Vec::new();
        let p = self.start.first_day();
        let months_from_p = |n: i32| self.start.plus(n).map_or(p, Month::first_day);
        let six_before = months_from_p(-6);
        let year_before = months_from_p(-12);
        let three_after = months_from_p(3);
        let beyond = self.beyond_horizon();
        for (i, (deal, d)) in self.deals.iter().zip(&self.derived).enumerate() {
            let mut reasons = Vec::new();
            if deal.active_won {
                let amount = deal.amount.unwrap_or(0.0);
                let recorded = deal.collected.unwrap_or(0.0);
                if d.category == Category::Active {
                    if deal.collected.is_none() && d.start.is_some_and(|s| s < six_before) {
                        reasons.push(Flag::Stale);
                    }
                    if amount > 0.0 && recorded > 1.15 * amount {
                        reasons.push(Flag::OverCollected);
                    }
                    if deal.contract_start.is_none() || deal.contract_end.is_none() {
                        reasons.push(Flag::MissingContractDates);
                    }
                    if d.end.is_some_and(|e| p <= e && e <= three_after)
                        && amount > 0.0
                        && (amount - recorded) / amount > 0.5
                    {
                        reasons.push(Flag::EndingSoon);
                    }
                    if d.collected_estimated {
                        reasons.push(Flag::CollectedEstimated);
                    }
                } else if d.end.is_some_and(|e| year_before <= e && e < p) && recorded < amount {
                    reasons.push(Flag::EndedNotCollected);
                }
            }
            if beyond.contains(&i) {
                reasons.push(Flag::BeyondHorizon);
            }
            if deal.collected_mismatch() {
                reasons.push(Flag::CollectedMismatch);
            }
            if !reasons.is_empty() {
                out.push((i, reasons));
            }
        }
        out
    }

    /// What a flag says about one deal: the flag's explanation, with the deal's own dates and
    /// amounts where they tell more.
    pub fn flag_detail(&self, index: usize, flag: Flag) -> String {
        let (deal, d) = (&self.deals[index], &self.derived[index]);
        let end = d.end.map_or_else(|| "?".to_owned(), crate::day_words);
        match flag {
            Flag::EndedNotCollected => {
                let (amount, collected) =
                    (deal.amount.unwrap_or(0.0), deal.collected.unwrap_or(0.0));
                format!(
                    "ended on {end} with {} of {} collected: {} still to collect",
                    dollars(collected),
                    dollars(amount),
                    dollars(amount - collected)
                )
            }
            Flag::BeyondHorizon => format!(
                "runs to {end}, past the forecast's horizon ({}): its months after that are not projected",
                self.horizon.words()
            ),
            Flag::CollectedMismatch => format!(
                "{} collected by its invoices' payments, {} typed into the CRM",
                dollars(deal.collected.unwrap_or(0.0)),
                dollars(deal.typed_collected.unwrap_or(0.0))
            ),
            other => other.explain().to_owned(),
        }
    }
}
