//! Calendar months (`YYYY-MM`), the unit of every projection.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;

use crate::ParseError;

/// A calendar month, ordered in time. Internally a count of months since year 0, so month
/// arithmetic is integer arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(i32);

impl Month {
    /// January of year 1, the first month there is.
    pub const MIN: Month = Month(12);
    /// December 9999, the last.
    pub const MAX: Month = Month(9999 * 12 + 11);

    /// `month` is 1–12; years run from 1 to 9999 as jiff's dates do.
    pub fn new(year: i16, month: i8) -> Result<Self, ParseError> {
        if !(1..=12).contains(&month) || !(1..=9999).contains(&year) {
            return Err(ParseError::new(
                "month",
                &format!("{year:04}-{month:02}"),
                "expected a year 1–9999 and a month 1–12",
            ));
        }
        Ok(Month(i32::from(year) * 12 + i32::from(month) - 1))
    }

    pub fn of(date: Date) -> Self {
        Month(i32::from(date.year()) * 12 + i32::from(date.month()) - 1)
    }

    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let err = || ParseError::new("month", text, "expected YYYY-MM");
        let trimmed = text.trim();
        let (y, m) = trimmed.split_once('-').ok_or_else(err)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(err());
        }
        let year = y.parse::<i16>().map_err(|_| err())?;
        let month = m.parse::<i8>().map_err(|_| err())?;
        Month::new(year, month).map_err(|_| err())
    }

    pub fn year(self) -> i16 {
        // Bounded by construction: year ≤ 9999.
        (self.0.div_euclid(12)) as i16
    }

    pub fn month(self) -> i8 {
        (self.0.rem_euclid(12) + 1) as i8
    }

    pub fn first_day(self) -> Date {
        jiff::civil::date(self.year(), self.month(), 1)
    }

    pub fn last_day(self) -> Date {
        self.first_day().last_of_month()
    }

    /// The month `n` months later (earlier when negative), or `None` outside years 1–9999.
    pub fn plus(self, n: i32) -> Option<Self> {
        let raw = self.0.checked_add(n)?;
        let candidate = Month(raw);
        (1..=9999).contains(&candidate.year()).then_some(candidate)
    }

    /// The month as people read it: `Nov 2026` (data and exports keep `2026-11`).
    pub fn words(self) -> String {
        self.first_day().strftime("%b %Y").to_string()
    }

    /// Months from `self` to `later`: `Month(2026-03).until(2026-05) == 2`, negative if earlier.
    pub fn until(self, later: Month) -> i32 {
        later.0 - self.0
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

impl FromStr for Month {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Month::parse(s)
    }
}

impl serde::Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Month {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Month::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn m(text: &str) -> Month {
        Month::parse(text).unwrap()
    }

    #[test]
    fn parses_and_prints_yyyy_mm() {
        assert_eq!(m("2026-02").to_string(), "2026-02");
        assert_eq!(m("2026-02").year(), 2026);
        assert_eq!(m("2026-02").month(), 2);
        for bad in [
            "2026-13",
            "2026-00",
            "2026-2",
            "26-02",
            "2026/02",
            "",
            "2026-02-01",
        ] {
            assert!(Month::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn knows_its_first_and_last_day() {
        assert_eq!(m("2024-02").last_day(), date(2024, 2, 29));
        assert_eq!(m("2025-02").last_day(), date(2025, 2, 28));
        assert_eq!(m("2025-12").first_day(), date(2025, 12, 1));
        assert_eq!(Month::of(date(2025, 12, 31)), m("2025-12"));
    }

    #[test]
    fn month_arithmetic_crosses_years() {
        assert_eq!(m("2025-11").plus(3), Some(m("2026-02")));
        assert_eq!(m("2026-01").plus(-1), Some(m("2025-12")));
        assert_eq!(m("2025-10").until(m("2027-09")), 23);
        assert_eq!(m("9999-12").plus(1), None);
    }

    proptest! {
        #[test]
        fn plus_and_until_agree(y in 1900_i16..2200, mo in 1_i8..=12, n in -600_i32..600) {
            let start = Month::new(y, mo).unwrap();
            let later = start.plus(n).unwrap();
            prop_assert_eq!(start.until(later), n);
            prop_assert_eq!(Month::parse(&later.to_string()), Ok(later));
            prop_assert!(later.first_day() <= later.last_day());
        }
    }
}
