//! Money as integer minor units with a currency. No floats are ever stored: amounts are read
//! from decimal text exactly, and floats appear only inside calculations.

use std::fmt;
use std::str::FromStr;

use crate::ParseError;

/// An ISO 4217 currency code: three upper-case ASCII letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    /// The organisation's default currency.
    pub const USD: Currency = Currency(*b"USD");

    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let upper = text.trim().to_ascii_uppercase();
        match <[u8; 3]>::try_from(upper.as_bytes()) {
            Ok(code) if code.iter().all(u8::is_ascii_uppercase) => Ok(Currency(code)),
            _ => Err(ParseError::new(
                "currency",
                text,
                "expected a three-letter ISO 4217 code such as USD",
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        // The constructor admits ASCII letters only.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// Digits after the decimal point for this currency (ISO 4217 exponent).
    pub fn exponent(&self) -> u32 {
        match &self.0 {
            b"JPY" | b"KRW" | b"CLP" | b"ISK" | b"VND" | b"UGX" | b"PYG" | b"XAF" | b"XOF" => 0,
            b"BHD" | b"JOD" | b"KWD" | b"OMR" | b"TND" | b"IQD" | b"LYD" => 3,
            _ => 2,
        }
    }

    /// Minor units in one major unit: 100 for dollars.
    pub fn scale(&self) -> i64 {
        10_i64.pow(self.exponent())
    }
}

impl Default for Currency {
    fn default() -> Self {
        Currency::USD
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Currency {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::parse(s)
    }
}

impl serde::Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Currency::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// An amount of money: integer minor units (cents for USD) and a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Whole major units (dollars), e.g. `Money::from_major(17_500, USD)`.
    pub fn from_major(major: i64, currency: Currency) -> Option<Self> {
        major
            .checked_mul(currency.scale())
            .map(|minor| Self { minor, currency })
    }

    pub fn zero(currency: Currency) -> Self {
        Self { minor: 0, currency }
    }

    /// Reads a decimal amount in major units exactly: `17500`, `17500.0`, `-12.5`, `0.07`.
    /// Thousands separators, exponents and more decimals than the currency has are refused,
    /// except trailing zeros (`17500.000` is 17,500.00).
    pub fn parse(text: &str, currency: Currency) -> Result<Self, ParseError> {
        let err = |reason: &str| ParseError::new("amount", text, reason);
        let trimmed = text.trim();
        let (negative, unsigned) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
        };
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((w, f)) => (w, f),
            None => (unsigned, ""),
        };
        if whole.is_empty() && fraction.is_empty() {
            return Err(err("expected a number such as 1234.56"));
        }
        if !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(err("expected a number such as 1234.56"));
        }
        let exponent = currency.exponent() as usize;
        let significant = fraction.trim_end_matches('0');
        if significant.len() > exponent {
            return Err(err(&format!(
                "{currency} amounts have at most {exponent} decimal places"
            )));
        }
        let overflow = || err("amount is too large");
        let mut minor: i64 = 0;
        for digit in whole.bytes().chain(
            significant
                .bytes()
                .chain(std::iter::repeat_n(b'0', exponent - significant.len())),
        ) {
            minor = minor
                .checked_mul(10)
                .and_then(|m| m.checked_add(i64::from(digit - b'0')))
                .ok_or_else(overflow)?;
        }
        Ok(Self {
            minor: if negative { -minor } else { minor },
            currency,
        })
    }

    /// The amount in major units as a float, for calculations only.
    pub fn as_major_f64(&self) -> f64 {
        self.minor as f64 / self.currency.scale() as f64
    }

    /// Whole major units with thousands separators, as people read an amount: `$12,345` in
    /// dollars, `12,345 EUR` in another currency.
    pub fn whole_text(&self) -> String {
        let major = self.as_major_f64();
        if self.currency == Currency::USD {
            crate::forecast::dollars(major)
        } else {
            format!("{} {}", crate::forecast::thousands(major), self.currency)
        }
    }

    /// The exact amount with thousands separators, as an invoice shows it: `$12,501.50` in
    /// dollars, `12,501.50 EUR` in another currency.
    pub fn text(&self) -> String {
        let decimal = self.decimal();
        let unsigned = decimal.trim_start_matches('-');
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let mut grouped = String::new();
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        if !fraction.is_empty() {
            grouped = format!("{grouped}.{fraction}");
        }
        let sign = if self.minor < 0 { "-" } else { "" };
        if self.currency == Currency::USD {
            format!("{sign}${grouped}")
        } else {
            format!("{sign}{grouped} {}", self.currency)
        }
    }

    /// Decimal text in major units with all minor digits, e.g. `17500.00`.
    pub fn decimal(&self) -> String {
        let exponent = self.currency.exponent() as usize;
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if exponent == 0 {
            return format!("{sign}{abs}");
        }
        let scale = self.currency.scale().unsigned_abs();
        format!("{sign}{}.{:0exponent$}", abs / scale, abs % scale)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.decimal(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_keeps_every_cent_with_thousands_separators() {
        let usd = |m| Money::from_minor(m, Currency::USD).text();
        assert_eq!(usd(1_250_150), "$12,501.50");
        assert_eq!(usd(-5), "-$0.05");
        assert_eq!(usd(12_345_678_900), "$123,456,789.00");
        assert_eq!(usd(99_900), "$999.00");
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(Money::from_minor(100_000, eur).text(), "1,000.00 EUR");
    }

    #[test]
    fn whole_text_reads_as_people_write_amounts() {
        assert_eq!(
            Money::from_minor(12_696_800, Currency::USD).whole_text(),
            "$126,968"
        );
        assert_eq!(Money::from_minor(-150, Currency::USD).whole_text(), "-$2");
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(Money::from_minor(1_234_500, eur).whole_text(), "12,345 EUR");
    }

    fn usd(text: &str) -> Result<i64, ParseError> {
        Money::parse(text, Currency::USD).map(|m| m.minor)
    }

    #[test]
    fn parses_decimal_text_exactly() {
        assert_eq!(usd("17500.0"), Ok(1_750_000));
        assert_eq!(usd("45205"), Ok(4_520_500));
        assert_eq!(usd("0.07"), Ok(7));
        assert_eq!(usd(".5"), Ok(50));
        assert_eq!(usd("-12.5"), Ok(-1_250));
        assert_eq!(usd("17500.000"), Ok(1_750_000));
        assert_eq!(usd(" 3 "), Ok(300));
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        for bad in [
            "",
            "-",
            ".",
            "1,000",
            "1e5",
            "12.345",
            "abc",
            "1.2.3",
            "99999999999999999999",
        ] {
            assert!(usd(bad).is_err(), "{bad:?} should be refused");
        }
        let err = usd("12.345").err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("invalid amount \"12.345\": USD amounts have at most 2 decimal places")
        );
    }

    #[test]
    fn currencies_know_their_exponent() {
        assert_eq!(
            Money::parse("1500", Currency::parse("jpy").unwrap()).map(|m| m.minor),
            Ok(1500)
        );
        assert!(Money::parse("1.5", Currency::parse("JPY").unwrap()).is_err());
        assert!(Currency::parse("US").is_err());
        assert!(Currency::parse("U$D").is_err());
        assert_eq!(
            Currency::parse("eur").map(|c| c.to_string()),
            Ok("EUR".to_owned())
        );
    }

    #[test]
    fn displays_all_minor_digits() {
        assert_eq!(
            Money::from_minor(1_750_005, Currency::USD).to_string(),
            "17500.05 USD"
        );
        assert_eq!(Money::from_minor(-7, Currency::USD).decimal(), "-0.07");
        assert_eq!(
            Money::from_major(3, Currency::USD).map(|m| m.minor),
            Some(300)
        );
    }

    proptest! {
        #[test]
        fn decimal_text_round_trips(minor in -1_000_000_000_000_i64..1_000_000_000_000) {
            let money = Money::from_minor(minor, Currency::USD);
            prop_assert_eq!(Money::parse(&money.decimal(), Currency::USD), Ok(money));
        }
    }
}
