//! Monthly figures added up by fiscal quarter and fiscal year. A fiscal year is named by the
//! calendar year it ends in (with the year starting in July, FY2027 runs from July 2026 to
//! June 2027); with the year starting in January it is the calendar year.

use super::*;

/// Quarters or years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Quarter,
    Year,
}

/// One period's sum.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodSum {
    /// `FY2027 Q2` or `FY2027`.
    pub label: String,
    /// The sum of each series over the period's months that the figures cover.
    pub sums: Vec<f64>,
    /// The figures cover only some of the period's months (the first or last).
    pub partial: bool,
}

/// The fiscal year of `month` (named by the year it ends in) and its quarter, 1 to 4.
fn fiscal(month: Month, start: u8) -> (i32, u8) {
    let start = i32::from(start.clamp(1, 12));
    let m = i32::from(month.month());
    let year = i32::from(month.year());
    let offset = (m - start).rem_euclid(12);
    let fiscal_year = if start == 1 || m < start {
        year
    } else {
        year + 1
    };
    (fiscal_year, (offset / 3 + 1) as u8)
}

/// Each series of monthly `values` (aligned with `months`) added up by fiscal quarter or year,
/// the fiscal year starting in month `start` (1 to 12).
pub fn by_period(
    months: &[Month],
    values: &[Vec<f64>],
    period: Period,
    start: u8,
) -> Vec<PeriodSum> {
    let mut out: Vec<(String, Vec<f64>, usize)> = Vec::new();
    for (i, &month) in months.iter().enumerate() {
        let (year, quarter) = fiscal(month, start);
        let label = match period {
            Period::Quarter => format!("FY{year} Q{quarter}"),
            Period::Year => format!("FY{year}"),
        };
        if out.last().is_none_or(|(l, _, _)| *l != label) {
            out.push((label, vec![0.0; values.len()], 0));
        }
        if let Some((_, sums, count)) = out.last_mut() {
            for (sum, series) in sums.iter_mut().zip(values) {
                *sum += series.get(i).copied().unwrap_or(0.0);
            }
            *count += 1;
        }
    }
    let full = match period {
        Period::Quarter => 3,
        Period::Year => 12,
    };
    out.into_iter()
        .map(|(label, sums, count)| PeriodSum {
            label,
            sums: sums.into_iter().map(round).collect(),
            partial: count < full,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn months(from: &str, n: i32) -> Vec<Month> {
        let first = Month::parse(from).unwrap();
        (0..n).filter_map(|i| first.plus(i)).collect()
    }

    #[test]
    fn a_fiscal_year_starting_in_july_is_named_by_the_year_it_ends_in() {
        assert_eq!(fiscal(Month::parse("2026-06").unwrap(), 7), (2026, 4));
        assert_eq!(fiscal(Month::parse("2026-07").unwrap(), 7), (2027, 1));
        assert_eq!(fiscal(Month::parse("2026-12").unwrap(), 7), (2027, 2));
        assert_eq!(fiscal(Month::parse("2026-12").unwrap(), 1), (2026, 4));
        assert_eq!(fiscal(Month::parse("2027-01").unwrap(), 1), (2027, 1));
    }

    #[test]
    fn months_add_up_by_quarter_and_year_with_partial_ends_marked() {
        // From November 2026, eight months of 100 and 10.
        let m = months("2026-11", 8);
        let values = vec![vec![100.0; 8], vec![10.0; 8]];
        let quarters = by_period(&m, &values, Period::Quarter, 7);
        let got: Vec<(&str, Vec<f64>, bool)> = quarters
            .iter()
            .map(|q| (q.label.as_str(), q.sums.clone(), q.partial))
            .collect();
        assert_eq!(
            got,
            [
                ("FY2027 Q2", vec![200.0, 20.0], true),
                ("FY2027 Q3", vec![300.0, 30.0], false),
                ("FY2027 Q4", vec![300.0, 30.0], false),
            ]
        );
        let years = by_period(&m, &values, Period::Year, 1);
        let got: Vec<(&str, f64, bool)> = years
            .iter()
            .map(|y| (y.label.as_str(), y.sums[0], y.partial))
            .collect();
        assert_eq!(got, [("FY2026", 200.0, true), ("FY2027", 600.0, true)]);
    }
}
