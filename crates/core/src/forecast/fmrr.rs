//! Contracted and forecast monthly recurring revenue (CMRR and FMRR).

use super::*;

/// Monthly recurring revenue, committed and forecast (docs/domain.md, "Business-development
/// measures").
#[derive(Debug, Clone, PartialEq)]
pub struct Fmrr {
    pub months: Vec<Month>,
    /// Every signed agreement's value spread evenly over its months.
    pub cmrr: Vec<f64>,
    /// Open renewals' amounts spread over their target intervals.
    pub renewal_mrr: Vec<f64>,
    /// Open new-business deals' amounts spread over their target intervals.
    pub new_mrr: Vec<f64>,
    /// CMRR + ρ · renewal MRR + η · new MRR.
    pub fmrr: Vec<f64>,
    /// FMRR summed over the first six months.
    pub fmrr6: f64,
    /// CMRR of the month before the first: what "since last month" compares with.
    pub cmrr_before: f64,
}

impl Fmrr {
    /// Contracted monthly recurring revenue of the first month: the MRR of now.
    pub fn mrr(&self) -> f64 {
        self.cmrr.first().copied().unwrap_or(0.0)
    }

    /// The MRR's change since the month before.
    pub fn mrr_change(&self) -> f64 {
        self.mrr() - self.cmrr_before
    }

    /// Annual recurring revenue: twelve times the MRR.
    pub fn arr(&self) -> f64 {
        12.0 * self.mrr()
    }

    /// The ARR's change since the month before.
    pub fn arr_change(&self) -> f64 {
        12.0 * self.mrr_change()
    }
}

/// An agreement's value spread evenly over the months of its term (the months of `start` and
/// `end` and every month between): its first and last month and the amount of each.
pub fn spread(amount: f64, start: Date, end: Date) -> (Month, Month, f64) {
    let (first, last) = (Month::of(start), Month::of(end));
    (
        first,
        last,
        amount / f64::from((first.until(last) + 1).max(1)),
    )
}

impl Forecast {
    /// CMRR, prospects' MRR and FMRR over the projection's months, with conversion rates ρ
    /// (renewals) and η (new prospects).
    pub fn fmrr(&self, rho: f64, eta: f64) -> Fmrr {
        let n = self.months.len();
        let (mut cmrr, mut renewal, mut new) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let before = self.months.first().and_then(|m| m.plus(-1));
        let mut cmrr_before = 0.0;
        for (deal, d) in self.deals.iter().zip(&self.derived) {
            let Some(amount) = deal.amount else { continue };
            let (row, start, end) = match deal.outcome {
                StageOutcome::Won => (&mut cmrr, d.start, d.end),
                StageOutcome::Open if deal.renewal => (
                    &mut renewal,
                    deal.target_start.or(d.start),
                    deal.target_end.or(d.end),
                ),
                StageOutcome::Open => (
                    &mut new,
                    deal.target_start.or(d.start),
                    deal.target_end.or(d.end),
                ),
                StageOutcome::Lost => continue,
            };
            let (Some(start), Some(end)) = (start, end) else {
                continue;
            };
            let (first, last, rate) = spread(amount, start, end);
            if deal.outcome == StageOutcome::Won && before.is_some_and(|b| first <= b && b <= last)
            {
                cmrr_before += rate;
            }
            for (value, m) in row.iter_mut().zip(&self.months) {
                if first <= *m && *m <= last {
                    *value += rate;
                }
            }
        }
        let cmrr: Vec<f64> = cmrr.into_iter().map(round).collect();
        let renewal: Vec<f64> = renewal.into_iter().map(round).collect();
        let new: Vec<f64> = new.into_iter().map(round).collect();
        let fmrr: Vec<f64> = (0..n)
            .map(|i| round(cmrr[i] + rho * renewal[i] + eta * new[i]))
            .collect();
        let fmrr6 = fmrr.iter().take(6).sum();
        Fmrr {
            months: self.months.clone(),
            cmrr,
            renewal_mrr: renewal,
            new_mrr: new,
            fmrr,
            fmrr6,
            cmrr_before: round(cmrr_before),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agreement_spreads_over_every_month_it_touches() {
        let day = |text: &str| crate::parse_date(text).unwrap_or_else(|e| panic!("{e}"));
        // Mid-July 2026 to early June 2027 touches twelve months: $24,000 is $2,000 each.
        let (first, last, rate) = spread(24_000.0, day("2026-07-15"), day("2027-06-10"));
        assert_eq!(
            (first.to_string(), last.to_string(), rate),
            ("2026-07".into(), "2027-06".into(), 2_000.0)
        );
        // A term inside one month puts the whole amount in it.
        assert_eq!(spread(900.0, day("2026-03-02"), day("2026-03-30")).2, 900.0);
    }
}
