//! Report periods: a month or a date range, the folder name each gets (`2026-10`,
//! `2026-01_2026-12`), and the words the workbook and the charts say it in.
//!
//! The period travels typed through the report model (`Summary.period`), so nothing parses a
//! folder name back; in `summary.json` it is written as its folder name.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The stretch of time one report covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Period {
    /// One calendar month.
    Month { year: i32, month: u32 },
    /// From one day to another, both included.
    Range { from: NaiveDate, to: NaiveDate },
}

/// Why a period given on the command line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// Not `YYYY-MM`.
    #[error("'{0}' is not a month: write it as YYYY-MM, e.g. 2026-10")]
    BadMonth(String),
    /// Not `YYYY-MM-DD` (or `YYYY-MM`).
    #[error("'{0}' is not a date: write it as YYYY-MM-DD, e.g. 2026-10-03")]
    BadDate(String),
    /// `--from` after `--to`.
    #[error("--from {from} is after --to {to}")]
    Reversed { from: NaiveDate, to: NaiveDate },
}

impl Period {
    /// Parses `YYYY-MM`.
    ///
    /// # Errors
    /// [`PeriodError::BadMonth`].
    pub fn parse_month(text: &str) -> Result<Period, PeriodError> {
        let bad = || PeriodError::BadMonth(text.to_string());
        let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
        let (year, month) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if y.len() != 4 || m.len() != 2 || NaiveDate::from_ymd_opt(year, month, 1).is_none() {
            return Err(bad());
        }
        Ok(Period::Month { year, month })
    }

    /// Builds a range from `--from` and `--to`, each `YYYY-MM-DD` or `YYYY-MM` (a month given as
    /// `--from` starts on its first day, as `--to` ends on its last).
    ///
    /// # Errors
    /// [`PeriodError::BadDate`] or [`PeriodError::Reversed`].
    pub fn parse_range(from: &str, to: &str) -> Result<Period, PeriodError> {
        let from_date = parse_day(from, false)?;
        let to_date = parse_day(to, true)?;
        if from_date > to_date {
            return Err(PeriodError::Reversed {
                from: from_date,
                to: to_date,
            });
        }
        Ok(Period::Range {
            from: from_date,
            to: to_date,
        })
    }

    /// The period covering whole months from `first` to `last` (months as found in the data);
    /// one month gives a month period.
    pub fn months_between(first: &Period, last: &Period) -> Period {
        let (from, _) = first.bounds();
        let (_, to) = last.bounds();
        if first == last && matches!(first, Period::Month { .. }) {
            return first.clone();
        }
        Period::Range { from, to }
    }

    /// Whether two periods share at least one day.
    pub fn overlaps(&self, other: &Period) -> bool {
        let (a, b) = self.bounds();
        let (c, d) = other.bounds();
        a <= d && c <= b
    }

    /// First and last day, both included.
    pub fn bounds(&self) -> (NaiveDate, NaiveDate) {
        match *self {
            Period::Month { year, month } => (
                NaiveDate::from_ymd_opt(year, month, 1).expect("checked on parsing"),
                last_day(year, month).expect("checked on parsing"),
            ),
            Period::Range { from, to } => (from, to),
        }
    }

    /// The folder name: `2026-10`; `2026-01_2026-12` for whole months; `2026-10-05_2026-10-20`
    /// for any other range.
    pub fn name(&self) -> String {
        match *self {
            Period::Month { year, month } => format!("{year:04}-{month:02}"),
            Period::Range { from, to } => {
                if self.is_whole_months() {
                    format!("{}_{}", from.format("%Y-%m"), to.format("%Y-%m"))
                } else {
                    format!("{}_{}", from.format("%Y-%m-%d"), to.format("%Y-%m-%d"))
                }
            }
        }
    }

    /// The month a date falls in.
    pub fn month_of(date: NaiveDate) -> Period {
        Period::Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// Parses a folder name as [`Period::name`] writes it: `2026-10`, `2026-01_2026-12` or
    /// `2026-10-05_2026-10-20`.
    ///
    /// # Errors
    /// [`PeriodError::BadMonth`] when the text is none of those.
    pub fn parse_name(text: &str) -> Result<Period, PeriodError> {
        match text.split_once('_') {
            None => Period::parse_month(text),
            Some((from, to)) => {
                Period::parse_range(from, to).map_err(|_| PeriodError::BadMonth(text.to_string()))
            }
        }
    }

    /// The period in words for sentences: `October 2026`; `May 2026 to October 2026` for
    /// whole months; a range of days as its folder name.
    pub fn words(&self) -> String {
        self.spelled(" to ")
    }

    /// The period in words for chart titles: `October 2026`; `January 2026 – June 2026`.
    pub fn label(&self) -> String {
        self.spelled(" – ")
    }

    fn spelled(&self, joiner: &str) -> String {
        let month = |d: NaiveDate| crate::words::month_name(&d.format("%Y-%m").to_string());
        match *self {
            Period::Month { .. } => {
                let (from, _) = self.bounds();
                month(from).unwrap_or_else(|| self.name())
            }
            Period::Range { from, to } if self.is_whole_months() => {
                match (month(from), month(to)) {
                    (Some(a), Some(b)) => format!("{a}{joiner}{b}"),
                    _ => self.name(),
                }
            }
            Period::Range { from, to } if joiner == " – " => format!("{from} – {to}"),
            Period::Range { .. } => self.name(),
        }
    }

    /// Whether the period starts on a month's first day and ends on a month's last.
    fn is_whole_months(&self) -> bool {
        let (from, to) = self.bounds();
        from.day() == 1 && to.succ_opt().is_some_and(|d| d.day() == 1)
    }

    /// The last day of the month the period ends in (the workbook's document date).
    pub fn end_of_last_month(&self) -> NaiveDate {
        let (_, to) = self.bounds();
        last_day(to.year(), to.month()).unwrap_or(to)
    }

    /// Whether a `YYYY-MM` month overlaps the period (for placing rejects and duplicates that
    /// only carry a month).
    pub fn touches_month(&self, month: &str) -> bool {
        let Ok(Period::Month { year, month: m }) = Period::parse_month(month) else {
            return false;
        };
        let (from, to) = self.bounds();
        let start = NaiveDate::from_ymd_opt(year, m, 1).expect("parsed");
        let end = last_day(year, m).expect("parsed");
        start <= to && end >= from
    }
}

impl std::fmt::Display for Period {
    /// The folder name, as [`Period::name`].
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Period::parse_name(&text).map_err(serde::de::Error::custom)
    }
}

fn parse_day(text: &str, end_of_month: bool) -> Result<NaiveDate, PeriodError> {
    let t = text.trim();
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d);
    }
    match Period::parse_month(t) {
        Ok(Period::Month { year, month }) if end_of_month => {
            last_day(year, month).ok_or_else(|| PeriodError::BadDate(t.into()))
        }
        Ok(Period::Month { year, month }) => {
            NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| PeriodError::BadDate(t.into()))
        }
        _ => Err(PeriodError::BadDate(t.into())),
    }
}

fn last_day(year: i32, month: u32) -> Option<NaiveDate> {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn month_names_and_bounds() {
        let p = Period::parse_month("2026-02").unwrap();
        assert_eq!(p.name(), "2026-02");
        assert_eq!(p.bounds(), (d("2026-02-01"), d("2026-02-28")));
        assert!(p.touches_month("2026-02") && !p.touches_month("2026-03"));
        for bad in ["2026-13", "26-02", "2026", "Oct 2026", "2026-1"] {
            assert_eq!(
                Period::parse_month(bad),
                Err(PeriodError::BadMonth(bad.into()))
            );
        }
    }

    #[test]
    fn ranges_are_named_by_months_when_whole() {
        let p = Period::parse_range("2026-01", "2026-12").unwrap();
        assert_eq!(p.bounds(), (d("2026-01-01"), d("2026-12-31")));
        assert_eq!(p.name(), "2026-01_2026-12");
        let p = Period::parse_range("2026-10-05", "2026-10-20").unwrap();
        assert_eq!(p.name(), "2026-10-05_2026-10-20");
        assert!(p.touches_month("2026-10") && !p.touches_month("2026-09"));
        assert!(matches!(
            Period::parse_range("2026-10-05", "2026-09-01"),
            Err(PeriodError::Reversed { .. })
        ));
        assert_eq!(
            Period::parse_range("yesterday", "2026-01-01"),
            Err(PeriodError::BadDate("yesterday".into()))
        );
    }

    #[test]
    fn periods_in_words_and_back_from_their_names() {
        let cases = [
            ("2026-10", "October 2026", "October 2026", (2026, 10, 31)),
            (
                "2026-01_2026-06",
                "January 2026 to June 2026",
                "January 2026 – June 2026",
                (2026, 6, 30),
            ),
            (
                "2026-10-05_2026-10-20",
                "2026-10-05_2026-10-20",
                "2026-10-05 – 2026-10-20",
                (2026, 10, 31),
            ),
        ];
        for (name, words, label, (y, m, d)) in cases {
            let p = Period::parse_name(name).unwrap();
            assert_eq!(p.name(), name);
            assert_eq!(p.words(), words);
            assert_eq!(p.label(), label);
            assert_eq!(
                p.end_of_last_month(),
                NaiveDate::from_ymd_opt(y, m, d).unwrap()
            );
        }
        assert!(Period::parse_name("whenever").is_err());
    }

    #[test]
    fn months_between_data_months() {
        let month = |m: &str| Period::parse_month(m).unwrap();
        let range = Period::months_between(&month("2026-05"), &month("2026-10"));
        assert_eq!(range.name(), "2026-05_2026-10");
        assert_eq!(
            Period::months_between(&month("2026-05"), &month("2026-05")).name(),
            "2026-05"
        );
        assert!(range.overlaps(&month("2026-10")) && !range.overlaps(&month("2026-11")));
    }
}
