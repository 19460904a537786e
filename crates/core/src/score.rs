//! Soreness scores: the Numeric Pain Rating Scale, 0–10 (SPEC §2.6).
//!
//! Accepted: numbers, `"7"`, `"7.5"`, `"7,5"` (decimal comma), `"7/10"`, `"7.5/10"`. With the
//! 0–100 scale option values are divided by 10, so every figure is on 0–10. A written
//! denominator (`/10`, `/100`) speaks for itself whatever the option says.

use crate::{Field, ScoreScale, ValueError};

/// Reads a score from a number cell.
///
/// # Errors
/// [`ValueError::ScoreOutOfRange`] outside the scale; [`ValueError::ScoreNotANumber`] for NaN.
pub fn score_from_number(value: f64, scale: ScoreScale) -> Result<f64, ValueError> {
    if !value.is_finite() {
        return Err(ValueError::ScoreNotANumber(value.to_string()));
    }
    in_range(value, scale.max(), || format_number(value))
}

/// Reads a score from text as a therapist types it.
///
/// # Errors
/// [`ValueError::Blank`] for an empty cell, [`ValueError::ScoreNotANumber`] for text that is not a
/// score, [`ValueError::ScoreOutOfRange`] outside the scale.
pub fn score_from_text(text: &str, field: Field, scale: ScoreScale) -> Result<f64, ValueError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(ValueError::Blank(field));
    }
    let (numerator, max) = match t.split_once('/') {
        Some((n, d)) => {
            let max = match d.trim() {
                "10" => 10.0,
                "100" => 100.0,
                _ => return Err(ValueError::ScoreNotANumber(t.to_string())),
            };
            (n.trim(), max)
        }
        None => (t, scale.max()),
    };
    let value = parse_decimal(numerator).ok_or_else(|| ValueError::ScoreNotANumber(t.into()))?;
    let score = in_range(value, max, || t.to_string())?;
    Ok(score)
}

/// Parses `7`, `7.5` or `7,5`; refuses thousands separators and anything else.
pub fn parse_decimal(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() || t.matches([',', '.']).count() > 1 {
        return None;
    }
    let t = t.replace(',', ".");
    let ok = t
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && (c == '-' || c == '+')));
    if !ok {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// `shown` spells the value for the refusal; it is called only then, as a valid score is the
/// common case and formatting every one would cost more than reading it.
fn in_range(value: f64, max: f64, shown: impl FnOnce() -> String) -> Result<f64, ValueError> {
    if (0.0..=max).contains(&value) {
        // On the 0–10 scale the value is kept exactly as written (0.11 stays 0.11).
        Ok(if max == 10.0 {
            value
        } else {
            value * 10.0 / max
        })
    } else {
        Err(ValueError::ScoreOutOfRange {
            value: shown(),
            max: max as u32,
        })
    }
}

/// Shows a number as a therapist wrote it: `11`, not `11.0`; a huge one as `1e308`, not 309
/// digits, and a tiny one as `1e-300`.
pub fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else if v.abs() >= 1e15 || v.abs() < 1e-6 {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Result<f64, ValueError> {
        score_from_text(t, Field::After, ScoreScale::Ten)
    }

    #[test]
    fn every_accepted_spelling() {
        assert_eq!(text("7"), Ok(7.0));
        assert_eq!(text(" 7.5 "), Ok(7.5));
        assert_eq!(text("7,5"), Ok(7.5));
        assert_eq!(text("7/10"), Ok(7.0));
        assert_eq!(text("7.5/10"), Ok(7.5));
        assert_eq!(text("7,5 / 10"), Ok(7.5));
        assert_eq!(text("0"), Ok(0.0));
        assert_eq!(text("10"), Ok(10.0));
        assert_eq!(score_from_number(6.0, ScoreScale::Ten), Ok(6.0));
        assert_eq!(score_from_number(3.25, ScoreScale::Ten), Ok(3.25));
    }

    #[test]
    fn numbers_are_shown_as_written_and_extremes_briefly() {
        let shown = |v| format_number(v);
        assert_eq!(shown(11.0), "11");
        assert_eq!(shown(-3.0), "-3");
        assert_eq!(shown(10.5), "10.5");
        assert_eq!(shown(0.0), "0");
        assert_eq!(shown(1e308), "1e308");
        assert_eq!(shown(-1e308), "-1e308");
        assert_eq!(shown(2.5e-300), "2.5e-300");
        assert_eq!(shown(123456789012345.0), "123456789012345");
        let err = score_from_number(1e308, ScoreScale::Ten).unwrap_err();
        assert_eq!(err.to_string(), "score 1e308 is outside 0–10");
    }

    #[test]
    fn ten_scale_values_are_kept_exactly() {
        // Regression: scaling by 10 / 10 turned 0.11 into 0.11000000000000001.
        for i in 0..=1000 {
            let v = i as f64 / 100.0;
            assert_eq!(score_from_number(v, ScoreScale::Ten), Ok(v));
        }
    }

    #[test]
    fn hundred_scale_is_divided_by_ten() {
        assert_eq!(score_from_number(75.0, ScoreScale::Hundred), Ok(7.5));
        assert_eq!(
            score_from_text("40", Field::Before, ScoreScale::Hundred),
            Ok(4.0)
        );
        assert_eq!(
            score_from_text("40/100", Field::Before, ScoreScale::Ten),
            Ok(4.0)
        );
        // A written /10 speaks for itself even on the 0–100 scale.
        assert_eq!(
            score_from_text("4/10", Field::Before, ScoreScale::Hundred),
            Ok(4.0)
        );
        assert_eq!(
            score_from_number(101.0, ScoreScale::Hundred)
                .unwrap_err()
                .to_string(),
            "score 101 is outside 0–100"
        );
    }

    #[test]
    fn out_of_range_names_the_value() {
        assert_eq!(
            text("11").unwrap_err().to_string(),
            "score 11 is outside 0–10"
        );
        assert_eq!(
            score_from_number(11.0, ScoreScale::Ten)
                .unwrap_err()
                .to_string(),
            "score 11 is outside 0–10"
        );
        assert_eq!(
            text("-1").unwrap_err().to_string(),
            "score -1 is outside 0–10"
        );
        assert_eq!(
            text("12/10").unwrap_err().to_string(),
            "score 12/10 is outside 0–10"
        );
    }

    #[test]
    fn not_a_number_is_refused_with_the_value() {
        for bad in ["seven", "7/8", "1.234,5", "7 points", "7..5", "NaN", "inf"] {
            let err = text(bad).unwrap_err();
            assert_eq!(err, ValueError::ScoreNotANumber(bad.into()), "{bad}");
            assert!(err.to_string().contains(bad));
        }
        assert!(matches!(
            score_from_number(f64::NAN, ScoreScale::Ten),
            Err(ValueError::ScoreNotANumber(_))
        ));
    }

    #[test]
    fn blank_names_the_column() {
        assert_eq!(text("  ").unwrap_err().to_string(), "after is blank");
    }
}
