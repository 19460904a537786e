//! Session dates: Excel serial numbers in both date systems, ISO text, and slash dates whose
//! day/month order is settled by the config or by the whole column (SPEC §2.6).

use crate::{DateOrder, ValueError};
use chrono::{Duration, NaiveDate};

/// Converts an Excel date serial to a date, ignoring any time of day.
///
/// In the 1900 system, serial 1 is 1900-01-01 and Excel counts a 29 February 1900 that never
/// was (serial 60), so serials from 61 on are one day ahead of a plain count; serial 60 is read
/// as 1900-02-28. In the 1904 system (old Mac workbooks), serial 0 is 1904-01-01.
///
/// # Errors
/// [`ValueError::DateOutOfRange`] for serials below 1 (1900 system) or 0 (1904), or past 9999.
pub fn from_excel_serial(serial: f64, is_1904: bool) -> Result<NaiveDate, ValueError> {
    let days = serial.floor();
    let out_of_range = || ValueError::DateOutOfRange(crate::score::format_number(serial));
    if !serial.is_finite() || days > 2_958_465.0 {
        return Err(out_of_range());
    }
    let days = days as i64;
    let (epoch, offset) = if is_1904 {
        if days < 0 {
            return Err(out_of_range());
        }
        (NaiveDate::from_ymd_opt(1904, 1, 1).unwrap(), days)
    } else {
        if days < 1 {
            return Err(out_of_range());
        }
        let offset = if days >= 60 { days - 1 } else { days };
        (NaiveDate::from_ymd_opt(1899, 12, 31).unwrap(), offset)
    };
    epoch
        .checked_add_signed(Duration::days(offset))
        .ok_or_else(out_of_range)
}

/// A date as written in text, before the day/month order of slash dates is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextDate {
    /// A date whose reading is certain (ISO `2026-10-03`).
    Exact(NaiveDate),
    /// `a/b/year` where `a` and `b` are day and month in an order still to be decided.
    Slash { a: u32, b: u32, year: i32 },
}

impl TextDate {
    /// The date under `order`.
    ///
    /// # Errors
    /// [`ValueError::UnreadableDate`] when the parts make no date in that order (`31/02/2026`).
    pub fn resolve(self, order: DateOrder, original: &str) -> Result<NaiveDate, ValueError> {
        match self {
            TextDate::Exact(d) => Ok(d),
            TextDate::Slash { a, b, year } => {
                let (day, month) = match order {
                    DateOrder::DayFirst => (a, b),
                    DateOrder::MonthFirst => (b, a),
                };
                NaiveDate::from_ymd_opt(year, month, day)
                    .ok_or_else(|| ValueError::UnreadableDate(original.to_string()))
            }
        }
    }

    /// Whether the two orders give different dates, so the order matters.
    pub fn is_ambiguous(self) -> bool {
        matches!(self, TextDate::Slash { a, b, .. } if a != b && a <= 12 && b <= 12)
    }
}

/// Reads date text (SPEC §2.6, §2.9):
/// - ISO `2026-10-03` and `2026/10/03`;
/// - `d/m/y` or `m/d/y` with `/` or `-` between the parts, whose order the column or the config
///   settles ([`TextDate::Slash`]);
/// - dots, which are day-first: `3.10.2026`;
/// - month names, English, full or three-letter (`Sept` too), with or without a weekday in
///   front: `3 Oct 2026`, `3 October 2026`, `Oct 3, 2026`, `03-Oct-2026`, `Sat 3rd Oct 2026`.
///
/// A two-digit year is in this century (`3/10/26` is 2026). A time of day after the date is
/// ignored: `2026-10-03 14:30`, `2026-10-03T09:00:00`, `3 Oct 2026 2:30 pm`.
///
/// # Errors
/// [`ValueError::UnreadableDate`] for anything else, or a part that is out of range in both orders.
pub fn parse_text(text: &str) -> Result<TextDate, ValueError> {
    let t = text.trim();
    let bad = || ValueError::UnreadableDate(t.to_string());
    let date_part = without_time(t);
    if date_part.chars().any(char::is_alphabetic) {
        return with_month_name(date_part)
            .map(TextDate::Exact)
            .ok_or_else(bad);
    }
    let parts: Vec<&str> = date_part.split(['/', '.', '-']).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4) {
        return Err(bad());
    }
    let nums: Vec<u32> = parts
        .iter()
        .map(|p| {
            p.chars()
                .all(|c| c.is_ascii_digit())
                .then(|| p.parse().ok())
                .flatten()
        })
        .collect::<Option<_>>()
        .ok_or_else(bad)?;
    if parts[0].len() == 4 {
        let date = NaiveDate::from_ymd_opt(nums[0] as i32, nums[1], nums[2]).ok_or_else(bad)?;
        return Ok(TextDate::Exact(date));
    }
    let year = year_of(parts[2]).ok_or_else(bad)?;
    let (a, b) = (nums[0], nums[1]);
    if date_part.contains('.') && !date_part.contains(['/', '-']) {
        // Dots are written day-first wherever they are used.
        let date = NaiveDate::from_ymd_opt(year, b, a).ok_or_else(bad)?;
        return Ok(TextDate::Exact(date));
    }
    let day_first = NaiveDate::from_ymd_opt(year, b, a).is_some();
    let month_first = NaiveDate::from_ymd_opt(year, a, b).is_some();
    if !day_first && !month_first {
        return Err(bad());
    }
    Ok(TextDate::Slash { a, b, year })
}

/// A year of four digits, or two (this century).
fn year_of(part: &str) -> Option<i32> {
    if !part.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n: i32 = part.parse().ok()?;
    match part.len() {
        4 => Some(n),
        2 => Some(2000 + n),
        _ => None,
    }
}

/// The date text without a time of day after it (`14:30`, `9:00:00`, `2:30 pm`, ISO `T09:00`).
fn without_time(t: &str) -> &str {
    let t = match t.find('T') {
        Some(i)
            if i >= 8
                && t[..i]
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '-' | '/')) =>
        {
            &t[..i]
        }
        _ => t,
    };
    fn trim(s: &str) -> &str {
        s.trim_end().trim_end_matches(',').trim_end()
    }
    let mut head = trim(t);
    while let Some((rest, last)) = head.rsplit_once(char::is_whitespace) {
        if !is_time_of_day(last) {
            break;
        }
        head = trim(rest);
    }
    head
}

fn is_time_of_day(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    if matches!(w.as_str(), "am" | "pm" | "a.m." | "p.m." | "h") {
        return true;
    }
    let clock = w.trim_end_matches("am").trim_end_matches("pm");
    clock.contains(':')
        && clock
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.'))
}

/// The month an English month name or its three-letter abbreviation names (`Sept` too),
/// 1–12, any case, a trailing dot allowed. chrono's month names accept exactly those two forms.
fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.');
    if w.eq_ignore_ascii_case("sept") {
        return Some(9);
    }
    w.parse::<chrono::Month>()
        .ok()
        .map(|m| m.number_from_month())
}

fn is_weekday(word: &str) -> bool {
    let w = word.trim_end_matches('.').to_lowercase();
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    DAYS.iter()
        .any(|d| *d == w || ((3..=5).contains(&w.len()) && d.starts_with(&w)))
}

/// A day of the month, with or without an ordinal suffix (`3`, `03`, `3rd`).
fn day_of(word: &str) -> Option<u32> {
    let w = word.to_lowercase();
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|s| w.strip_suffix(s))
        .unwrap_or(&w);
    (digits.len() <= 2 && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// `3 Oct 2026`, `Oct 3, 2026`, `03-Oct-26`, `2026 Oct 3`, with an optional weekday first.
fn with_month_name(text: &str) -> Option<NaiveDate> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '-' | '/' | '.'))
        .filter(|w| !w.is_empty())
        .collect();
    let words: &[&str] = match words.split_first() {
        Some((first, rest)) if rest.len() == 3 && is_weekday(first) => rest,
        _ => &words,
    };
    let [a, b, c] = words else { return None };
    let (day, month, year) = if let Some(m) = month_number(b) {
        if a.len() == 4 {
            (day_of(c)?, m, year_of(a)?)
        } else {
            (day_of(a)?, m, year_of(c)?)
        }
    } else {
        (day_of(b)?, month_number(a)?, year_of(c)?)
    };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// What a column's slash dates say about their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnOrder {
    /// The order is settled (by the column's own dates or because none is ambiguous).
    Decided(DateOrder),
    /// Every slash date would read both ways: the config must say.
    Ambiguous,
    /// Some dates can only be day-first and others only month-first.
    Contradictory,
}

/// Decides the day/month order of one column from all its slash dates: a first part above 12
/// means day-first, a second part above 12 means month-first (SPEC §2.6).
pub fn decide_column_order(dates: impl IntoIterator<Item = TextDate>) -> ColumnOrder {
    let (mut day_first, mut month_first, mut ambiguous) = (false, false, false);
    for d in dates {
        if let TextDate::Slash { a, b, .. } = d {
            day_first |= a > 12;
            month_first |= b > 12;
            ambiguous |= d.is_ambiguous();
        }
    }
    match (day_first, month_first) {
        (true, true) => ColumnOrder::Contradictory,
        (true, false) => ColumnOrder::Decided(DateOrder::DayFirst),
        (false, true) => ColumnOrder::Decided(DateOrder::MonthFirst),
        // No slash date at all, or all read the same both ways (a == b): nothing to decide.
        (false, false) if !ambiguous => ColumnOrder::Decided(DateOrder::DayFirst),
        (false, false) => ColumnOrder::Ambiguous,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn excel_1900_serials() {
        assert_eq!(from_excel_serial(1.0, false), Ok(ymd(1900, 1, 1)));
        assert_eq!(from_excel_serial(59.0, false), Ok(ymd(1900, 2, 28)));
        assert_eq!(from_excel_serial(61.0, false), Ok(ymd(1900, 3, 1)));
        // 2026-10-03 is serial 46298 in Excel; the time of day is dropped.
        assert_eq!(from_excel_serial(46298.0, false), Ok(ymd(2026, 10, 3)));
        assert_eq!(from_excel_serial(46298.75, false), Ok(ymd(2026, 10, 3)));
    }

    #[test]
    fn excel_1904_serials() {
        assert_eq!(from_excel_serial(0.0, true), Ok(ymd(1904, 1, 1)));
        // The two systems are 1462 days apart.
        assert_eq!(
            from_excel_serial(46298.0 - 1462.0, true),
            Ok(ymd(2026, 10, 3))
        );
    }

    #[test]
    fn implausible_serials_are_refused() {
        for s in [0.0, -5.0, 3e6, f64::NAN] {
            let err = from_excel_serial(s, false).unwrap_err();
            assert!(matches!(err, ValueError::DateOutOfRange(_)), "{s}");
        }
        assert!(from_excel_serial(-1.0, true).is_err());
    }

    #[test]
    fn iso_text() {
        for t in [
            "2026-10-03",
            " 2026-10-03 14:30 ",
            "2026-10-03T09:00:00",
            "2026/10/03",
        ] {
            assert_eq!(parse_text(t), Ok(TextDate::Exact(ymd(2026, 10, 3))), "{t}");
        }
    }

    #[test]
    fn slash_text_in_both_orders() {
        let d = parse_text("03/10/2026").unwrap();
        assert!(d.is_ambiguous());
        assert_eq!(
            d.resolve(DateOrder::DayFirst, "03/10/2026"),
            Ok(ymd(2026, 10, 3))
        );
        assert_eq!(
            d.resolve(DateOrder::MonthFirst, "03/10/2026"),
            Ok(ymd(2026, 3, 10))
        );
        let d = parse_text("25.10.26").unwrap();
        assert!(!d.is_ambiguous());
        assert_eq!(d.resolve(DateOrder::DayFirst, ""), Ok(ymd(2026, 10, 25)));
        let d = parse_text("10-25-2026").unwrap();
        assert_eq!(d.resolve(DateOrder::MonthFirst, ""), Ok(ymd(2026, 10, 25)));
        // Impossible in the chosen order.
        let d = parse_text("25/10/2026").unwrap();
        assert!(d.resolve(DateOrder::MonthFirst, "25/10/2026").is_err());
    }

    #[test]
    fn month_names_dots_and_date_times() {
        let exact = |t: &str| parse_text(t).map(|d| d.resolve(DateOrder::MonthFirst, t));
        for t in [
            "3 Oct 2026",
            "3 October 2026",
            "Oct 3, 2026",
            "October 3rd, 2026",
            "03-Oct-2026",
            "03-OCT-26",
            "3 Oct. 2026",
            "Sat 3 Oct 2026",
            "Saturday, 3 October 2026",
            "2026 Oct 3",
            "3.10.2026",
            "03.10.26",
            "2026-10-03 14:30",
            "2026-10-03T14:30:00",
            "3 Oct 2026 14:30",
            "3 Oct 2026, 2:30 pm",
            "3/10/2026 9:00",
        ] {
            // Month-first is asked for on purpose: none of these may depend on it except the
            // last, whose slash date the column would settle.
            let want = if t.starts_with("3/10") {
                ymd(2026, 3, 10)
            } else {
                ymd(2026, 10, 3)
            };
            assert_eq!(exact(t), Ok(Ok(want)), "{t}");
        }
        assert_eq!(
            parse_text("14 Sept 2026"),
            Ok(TextDate::Exact(ymd(2026, 9, 14)))
        );
        assert_eq!(
            parse_text("3/10/26")
                .unwrap()
                .resolve(DateOrder::DayFirst, ""),
            Ok(ymd(2026, 10, 3))
        );
        // Dots are day-first: a month above 12 is no date, whatever the config says.
        assert!(parse_text("10.25.2026").is_err());
    }

    #[test]
    fn unreadable_text_is_named() {
        for bad in [
            "yesterday",
            "32/13/2026",
            "2026-13-01",
            "3/10",
            "1/2/3/4",
            "",
            "03/10/226",
            "31 Feb 2026",
            "3 Octember 2026",
            "Oct 2026",
            "3 Oct",
            "Mon 2026",
        ] {
            let err = parse_text(bad).unwrap_err();
            assert_eq!(err, ValueError::UnreadableDate(bad.trim().into()), "{bad}");
        }
        assert_eq!(
            parse_text("32/13/2026").unwrap_err().to_string(),
            "'32/13/2026' is not a date: use a date cell, 2026-10-03, or 03/10/2026"
        );
    }

    #[test]
    fn column_decides_the_order() {
        let col = |xs: &[&str]| decide_column_order(xs.iter().map(|x| parse_text(x).unwrap()));
        assert_eq!(
            col(&["03/10/2026", "25/10/2026"]),
            ColumnOrder::Decided(DateOrder::DayFirst)
        );
        assert_eq!(
            col(&["10/03/2026", "10/25/2026"]),
            ColumnOrder::Decided(DateOrder::MonthFirst)
        );
        assert_eq!(col(&["03/10/2026", "04/10/2026"]), ColumnOrder::Ambiguous);
        assert_eq!(
            col(&["25/10/2026", "10/25/2026"]),
            ColumnOrder::Contradictory
        );
        assert_eq!(
            col(&["2026-10-03", "05/05/2026"]),
            ColumnOrder::Decided(DateOrder::DayFirst)
        );
    }
}
