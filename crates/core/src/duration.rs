//! Minutes on a region, in every form a therapist types them (SPEC §2.6, §2.9): a plain number
//! (`15`, `12,5`), a clock duration (`0:15`, `00:15:00`, `1:15`), units (`15 min`, `15 mins`,
//! `15m`, `90 minutes`, `1 h`, `1 hr`, `1 hour`, `1.5 h`, `1h 15m`, `1h15`), an ISO 8601
//! duration as OpenDocument stores time cells (`PT0H15M0S`), or an Excel time cell (a fraction
//! of a day: `0:15` is 15/1440).
//!
//! Every reading is rounded to the second. More than [`MAX_MINUTES`] on one region is refused
//! as implausible, and the refusal says how the value was read — `15:00` is fifteen hours, not
//! fifteen minutes — so the therapist sees why.

use crate::ValueError;
use crate::score::{format_number, parse_decimal};

/// The most minutes one region can plausibly get in one session (eight hours).
pub const MAX_MINUTES: f64 = 480.0;

/// Reads minutes from text. Blank is `None`.
///
/// # Errors
/// [`ValueError::BadMinutes`] for text that is no duration or is negative;
/// [`ValueError::ImplausibleMinutes`] for more than [`MAX_MINUTES`].
pub fn minutes_from_text(text: &str) -> Result<Option<f64>, ValueError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let bad = || ValueError::BadMinutes(t.to_string());
    let minutes = if let Some(v) = parse_decimal(t) {
        v
    } else if t.contains(':') {
        clock(t).ok_or_else(bad)?
    } else if let Some(v) = iso_duration(t) {
        v
    } else {
        units(t).ok_or_else(bad)?
    };
    plausible(minutes, || t.to_string()).map(Some)
}

/// Reads a number cell as minutes.
///
/// # Errors
/// [`ValueError::BadMinutes`] for negative numbers or NaN; [`ValueError::ImplausibleMinutes`]
/// for more than [`MAX_MINUTES`].
pub fn minutes_from_number(value: f64) -> Result<f64, ValueError> {
    plausible(value, || format_number(value))
}

/// Reads an Excel time or duration cell (a fraction of a day) as minutes; `shown` is the cell
/// as the spreadsheet shows it, for the refusal.
///
/// # Errors
/// As [`minutes_from_number`].
pub fn minutes_from_day_fraction(days: f64, shown: &str) -> Result<f64, ValueError> {
    plausible(days * 1440.0, || shown.to_string())
}

/// Rounds to the second and applies the limits. `shown` spells the cell for a refusal and is
/// called only then, so plausible minutes are never formatted.
fn plausible(minutes: f64, shown: impl FnOnce() -> String) -> Result<f64, ValueError> {
    if !minutes.is_finite() || minutes < 0.0 {
        return Err(ValueError::BadMinutes(shown()));
    }
    let minutes = (minutes * 60.0).round() / 60.0;
    if minutes > MAX_MINUTES {
        return Err(ValueError::ImplausibleMinutes {
            value: shown(),
            reading: reading(minutes),
        });
    }
    Ok(minutes)
}

/// How a number of minutes reads in words: `15 hours (900 minutes)`.
fn reading(minutes: f64) -> String {
    let whole = minutes.round() as u64;
    let (h, m) = (whole / 60, whole % 60);
    let hours = match (h, m) {
        (1, 0) => "1 hour".to_string(),
        (h, 0) => format!("{h} hours"),
        (h, m) => format!("{h} hours {m} minutes"),
    };
    format!("{hours} ({} minutes)", format_number(minutes))
}

/// `h:mm` or `h:mm:ss` (hours may have any number of digits): `0:15` is 15 minutes, `1:15` is
/// 75, `15:00` is fifteen hours.
fn clock(t: &str) -> Option<f64> {
    let parts: Vec<&str> = t.split(':').map(str::trim).collect();
    if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let digits = |p: &str| {
        p.chars()
            .all(|c| c.is_ascii_digit())
            .then(|| p.parse::<f64>().ok())?
    };
    let hours = digits(parts[0])?;
    let minutes = digits(parts[1]).filter(|m| *m < 60.0 && parts[1].len() == 2)?;
    let seconds = match parts.get(2) {
        Some(s) => parse_decimal(s).filter(|s| (0.0..60.0).contains(s) && !s.is_sign_negative())?,
        None => 0.0,
    };
    Some(hours * 60.0 + minutes + seconds / 60.0)
}

/// Minutes of an ISO 8601 duration as OpenDocument writes time cells: `PT0H15M0S`, `PT15M`,
/// `P0DT1H`; `None` for anything else.
pub fn iso_duration(t: &str) -> Option<f64> {
    let rest = t.strip_prefix(['P', 'p'])?;
    let mut minutes = 0.0;
    let mut number = String::new();
    let mut any = false;
    let mut in_time = false;
    for c in rest.chars() {
        match c.to_ascii_uppercase() {
            'T' if number.is_empty() => in_time = true,
            '0'..='9' | '.' | ',' => number.push(c),
            unit => {
                let v = parse_decimal(&number)?;
                number.clear();
                minutes += v * match (unit, in_time) {
                    ('D', false) => 1440.0,
                    ('H', true) => 60.0,
                    ('M', true) => 1.0,
                    ('S', true) => 1.0 / 60.0,
                    _ => return None,
                };
                any = true;
            }
        }
    }
    (any && number.is_empty()).then_some(minutes)
}

/// A unit's length in minutes.
fn unit_minutes(word: &str) -> Option<f64> {
    match word.trim_end_matches('.') {
        "h" | "hr" | "hrs" | "hour" | "hours" | "std" => Some(60.0),
        "m" | "min" | "mins" | "minute" | "minutes" | "'" | "′" => Some(1.0),
        "s" | "sec" | "secs" | "second" | "seconds" => Some(1.0 / 60.0),
        _ => None,
    }
}

/// Numbers with units: `15 min`, `1.5 h`, `1h 15m`, `1 hour 15`, `1h15` (a bare number after
/// hours is minutes).
fn units(t: &str) -> Option<f64> {
    let lower = t.to_lowercase();
    let mut chars = lower.chars().peekable();
    let mut total = 0.0;
    let mut last_unit: Option<f64> = None;
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut number = String::new();
        while let Some(c) = chars
            .peek()
            .copied()
            .filter(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        {
            number.push(c);
            chars.next();
        }
        let value = parse_decimal(&number)?;
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut word = String::new();
        while let Some(c) = chars
            .peek()
            .copied()
            .filter(|c| !c.is_ascii_digit() && !c.is_whitespace())
        {
            word.push(c);
            chars.next();
        }
        let unit = if word.is_empty() {
            // A bare number after hours is minutes (`1h15`); anywhere else it is no duration.
            (last_unit == Some(60.0)).then_some(1.0)?
        } else {
            unit_minutes(&word)?
        };
        // Larger units first, each once: `15m 1h` is not a duration a person writes.
        if last_unit.is_some_and(|l| l <= unit) {
            return None;
        }
        last_unit = Some(unit);
        total += value * unit;
    }
    last_unit.map(|_| total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Option<f64> {
        minutes_from_text(t).unwrap()
    }

    #[test]
    fn every_form_a_therapist_types() {
        for (t, want) in [
            ("15", 15.0),
            ("12,5", 12.5),
            ("0:15", 15.0),
            ("00:15:00", 15.0),
            ("1:15", 75.0),
            ("0:07:30", 7.5),
            ("15 min", 15.0),
            ("15 mins", 15.0),
            ("15 mins.", 15.0),
            ("15m", 15.0),
            ("15 Minutes", 15.0),
            ("90 minutes", 90.0),
            ("1 h", 60.0),
            ("1 hr", 60.0),
            ("1 hour", 60.0),
            ("2 hours", 120.0),
            ("1.5 h", 90.0),
            ("1,5h", 90.0),
            ("1h 15m", 75.0),
            ("1h15", 75.0),
            ("1 hour 15 minutes", 75.0),
            ("45 sec", 0.75),
            ("PT0H15M0S", 15.0),
            ("PT1H30M", 90.0),
        ] {
            assert_eq!(text(t), Some(want), "{t}");
        }
        assert_eq!(text("  "), None);
    }

    #[test]
    fn durations_are_rounded_to_the_second() {
        // 0.0104166… of a day is 15 minutes; a float error must not show as 14.999999.
        assert_eq!(minutes_from_day_fraction(15.0 / 1440.0, "0:15"), Ok(15.0));
        assert_eq!(minutes_from_day_fraction(0.010_416_7, "0:15"), Ok(15.0));
        assert_eq!(text("10.00001"), Some(10.0));
        assert_eq!(text("0:00:20.4"), Some(20.0 / 60.0));
    }

    #[test]
    fn more_than_eight_hours_is_implausible_and_says_how_it_was_read() {
        let e = minutes_from_text("15:00").unwrap_err();
        assert_eq!(
            e,
            ValueError::ImplausibleMinutes {
                value: "15:00".into(),
                reading: "15 hours (900 minutes)".into()
            }
        );
        assert!(e.to_string().contains("'15:00' reads as 15 hours"), "{e}");
        assert!(minutes_from_number(480.0).is_ok());
        assert!(matches!(
            minutes_from_number(481.0),
            Err(ValueError::ImplausibleMinutes { .. })
        ));
        // A time cell showing 15:00 is 0.625 of a day.
        let e = minutes_from_day_fraction(0.625, "15:00").unwrap_err();
        assert!(e.to_string().contains("15 hours"), "{e}");
        assert!(
            minutes_from_text("9 h 30")
                .unwrap_err()
                .to_string()
                .contains("9 hours 30 minutes")
        );
    }

    #[test]
    fn what_is_no_duration_is_named() {
        for bad in [
            "lots", "-5", "15 xyz", "1:5", "0:75", "15m 1h", "h", "1:2:3:4", "PT", "15 15",
        ] {
            assert_eq!(
                minutes_from_text(bad),
                Err(ValueError::BadMinutes(bad.into())),
                "{bad}"
            );
        }
        assert!(minutes_from_number(f64::NAN).is_err());
        assert!(minutes_from_number(-1.0).is_err());
    }
}
