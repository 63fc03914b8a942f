//! Bearing's domain: the types every other crate speaks and the calculations behind every
//! number Bearing shows.
//!
//! Architecture invariant: this crate does no I/O and knows nothing of SQL, HTTP or async.
//! Values are validated when they are built (`parse` constructors), so code that holds one
//! can trust it.

/// Gives a fieldless enum its canonical names: `ALL`, `as_str`, `Display`, and a `FromStr`
/// that ignores case and accepts `_` or a space for `-`.
macro_rules! text_enum {
    ($ty:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::ParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
                $ty::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| {
                        let names: Vec<&str> = $ty::ALL.iter().map(|v| v.as_str()).collect();
                        $crate::ParseError::new($what, s, &format!("expected one of {}", names.join(", ")))
                    })
            }
        }
    };
}

pub mod access;
pub mod actuals;
pub mod analytics;
pub mod assumptions;
pub mod audit;
pub mod billing;
pub mod campaign;
pub mod cloud;
pub mod contact;
pub mod deal;
pub mod demo;
pub mod demo_team;
pub mod forecast;
pub mod ids;
pub mod invoice;
pub mod ledger;
pub mod money;
pub mod month;
pub mod organization;
pub mod people;
pub mod pipeline;
pub mod roles;
pub mod scenario;
pub mod text;
pub mod usage;

pub use audit::{Action, Actor, DataPart, EntityKind, Source};
pub use ids::{
    AreaId, AssignmentId, CampaignId, ClusterId, ContactId, DealId, HubId, OrganizationId,
    PersonId, PipelineId, RoleId, StageId, UserId,
};
pub use money::{Currency, Money};
pub use month::Month;

/// A calendar date. Bearing uses jiff's civil date everywhere a day matters.
pub type Date = jiff::civil::Date;

/// The earliest date Bearing accepts anywhere a date comes in.
pub const EARLIEST_DATE: Date = jiff::civil::date(1900, 1, 1);
/// The latest date Bearing accepts: a contract typed as ending in 9999 is a mistake, not a
/// plan, and would otherwise stretch every month-by-month table to the end of the calendar.
pub const LATEST_DATE: Date = jiff::civil::date(2199, 12, 31);

/// A day as people read it: `30 Nov 2026` (data, forms and exports keep `2026-11-30`).
pub fn day_words(day: Date) -> String {
    day.strftime("%-d %b %Y").to_string()
}

/// Parses an ISO 8601 calendar date (`YYYY-MM-DD`) between [`EARLIEST_DATE`] and
/// [`LATEST_DATE`], with an error that repeats the input.
pub fn parse_date(text: &str) -> Result<Date, ParseError> {
    let date = parse_stored_date(text)?;
    check_date(date).map_err(|reason| ParseError::new("date", text, &reason))
}

/// Parses an ISO 8601 calendar date without the range that entry applies: for dates already
/// stored, which a database written by an earlier release may hold outside it, and which
/// must stay readable.
pub fn parse_stored_date(text: &str) -> Result<Date, ParseError> {
    let trimmed = text.trim();
    if trimmed.len() != 10 {
        return Err(ParseError::new("date", text, "expected YYYY-MM-DD"));
    }
    trimmed
        .parse::<Date>()
        .map_err(|_| ParseError::new("date", text, "no such calendar date (expected YYYY-MM-DD)"))
}

/// Whether a date lies in the range Bearing accepts; the reason when it does not.
pub fn check_date(date: Date) -> Result<Date, String> {
    if (EARLIEST_DATE..=LATEST_DATE).contains(&date) {
        Ok(date)
    } else {
        Err(format!(
            "outside the dates Bearing accepts ({EARLIEST_DATE} to {LATEST_DATE})"
        ))
    }
}

/// A value that could not be read, with what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} {value:?}: {reason}")]
pub struct ParseError {
    pub what: &'static str,
    pub value: String,
    pub reason: String,
}

impl ParseError {
    pub fn new(what: &'static str, value: &str, reason: &str) -> Self {
        Self {
            what,
            value: value.to_owned(),
            reason: reason.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_date_refuses_dates_outside_the_accepted_range() {
        assert!(parse_date("1900-01-01").is_ok() && parse_date("2199-12-31").is_ok());
        for text in ["9999-12-31", "2200-01-01", "1899-12-31", "0001-01-01"] {
            let error = parse_date(text).unwrap_err().to_string();
            assert!(
                error.contains("outside the dates Bearing accepts (1900-01-01 to 2199-12-31)"),
                "{error}"
            );
        }
    }

    #[test]
    fn parse_date_accepts_iso_dates_only() {
        assert_eq!(
            parse_date("2026-02-28").ok(),
            Some(jiff::civil::date(2026, 2, 28))
        );
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("2026-2-3").is_err());
        assert!(parse_date("28/02/2026").is_err());
        let err = parse_date("nope").err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some("invalid date \"nope\": expected YYYY-MM-DD".to_owned())
        );
    }
}
