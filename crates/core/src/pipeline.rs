//! Pipelines and stages: where a deal stands, and what that says about its chances.

use crate::ParseError;

/// Whether a stage is still being worked, or how it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StageOutcome {
    Open,
    Won,
    Lost,
}

/// The forecast category of a deal (stage default unless overridden).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ForecastCategory {
    Pipeline,
    BestCase,
    Commit,
    Closed,
    Omitted,
}

text_enum!(StageOutcome, "stage outcome", { Open => "open", Won => "won", Lost => "lost" });
text_enum!(ForecastCategory, "forecast category", {
    Pipeline => "pipeline",
    BestCase => "best-case",
    Commit => "commit",
    Closed => "closed",
    Omitted => "omitted",
});

/// A probability in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Probability(f64);

impl Probability {
    pub const CERTAIN: Probability = Probability(1.0);

    pub fn new(value: f64) -> Result<Self, ParseError> {
        if value.is_finite() && (0.0..=1.0).contains(&value) {
            Ok(Probability(value))
        } else {
            Err(ParseError::new(
                "probability",
                &value.to_string(),
                "expected a number from 0 to 1",
            ))
        }
    }

    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let value = text
            .trim()
            .parse::<f64>()
            .map_err(|_| ParseError::new("probability", text, "expected a number from 0 to 1"))?;
        Probability::new(value).map_err(|e| ParseError {
            value: text.to_owned(),
            ..e
        })
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forecast_categories_read_loosely_and_print_kebab_case() {
        assert_eq!(
            "Best case".parse::<ForecastCategory>(),
            Ok(ForecastCategory::BestCase)
        );
        assert_eq!(
            "best_case".parse::<ForecastCategory>(),
            Ok(ForecastCategory::BestCase)
        );
        assert_eq!(ForecastCategory::BestCase.to_string(), "best-case");
        assert!("maybe".parse::<ForecastCategory>().is_err());
        assert_eq!("WON".parse::<StageOutcome>(), Ok(StageOutcome::Won));
    }

    #[test]
    fn probabilities_lie_between_zero_and_one() {
        assert_eq!(
            Probability::parse("0.2999999999999999").map(Probability::get),
            Ok(0.2999999999999999)
        );
        assert!(Probability::parse("1.01").is_err());
        assert!(Probability::parse("-0.1").is_err());
        assert!(Probability::parse("NaN").is_err());
        assert!(Probability::parse("").is_err());
    }
}
