//! "Does personalisation help?" for one report period: the adjusted personalisation effects
//! (SPEC §3.2) and the course of care (SPEC §3.3), fed from the prepared frame into the
//! statistics of [`crate::stats`].
//!
//! The frame holds numbers only, so the columns are read once per summary as plain slices
//! (region, client, before, after, visit) and as null-aware iterators (focus, pressure,
//! minutes band, technique), and each factor's rows are gathered in one pass without a single
//! per-row allocation: a technique is its rank among the period's techniques, not a string.
//! Clients are renumbered by their first row in canonical order, because the reader's text
//! numbers follow the input's row order: with them, reordering the input would reorder the
//! statistics' tie-breaks and change the last bit of a sum. The statistics themselves (which
//! rows form a model, the reference levels, the fits) are the stats module's; this module only
//! decides which rows go in:
//!
//! - adjusted effects: the period's rows where the factor is known, factor by factor (focus,
//!   pressure, minutes, technique), concatenated in that order;
//! - course of care: every row from the start of the input up to the period's end (later
//!   sessions are ignored, so a month's report never changes when later months arrive), one
//!   region at a time.

use crate::frame::{col_names as c, dense};
use crate::stats::adjusted::ReferenceRule;
use crate::stats::{
    CourseRow, FactorLevel, LevelRow, adjusted_effects, adjusted_effects_spelled, course_of_care,
};
use crate::{AnalysisError, AnalysisSettings, Period, Prepared};
use polars::prelude::*;
use relief_core::personalisation::{AdjustedEntry, CourseEntry, Factor};
use relief_core::records::{Texts, date_of};
use relief_core::{MinutesBand, Pressure, Region};
use std::borrow::Cow;
use std::ops::Range;

/// A row's technique: its rank among the period's techniques (see [`technique_names`]), which
/// orders techniques as SPEC §3.2 lists them. As a `u16` it keeps a row of the technique model
/// at 24 bytes, the size of the other factors' rows (a pointer to the name made it 32: 160 MB
/// more at 20 million rows, at the report's peak); a `u32` serves a period with more techniques
/// than a `u16` can number. The names are spelled from the table when the entries are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct TechniqueLevel<R>(R);

impl<R: Ord + Copy + Send + Sync> FactorLevel for TechniqueLevel<R> {
    const FACTOR: Factor = Factor::Technique;
    const REFERENCE: ReferenceRule = ReferenceRule::MostRows;
}

/// A technique's rank as a number type: `u16` when the period's techniques fit, `u32` else.
trait Rank: Ord + Copy + Send + Sync + Into<u32> {
    /// `rank` in this type; only called with a rank the type holds.
    fn of(rank: u32) -> Self;
}

impl Rank for u16 {
    fn of(rank: u32) -> u16 {
        debug_assert!(rank <= u32::from(u16::MAX));
        rank as u16
    }
}

impl Rank for u32 {
    fn of(rank: u32) -> u32 {
        rank
    }
}

/// The frame's columns that personalisation needs, read once.
struct Columns<'a> {
    region: Cow<'a, [u32]>,
    /// Canonical client numbers (see the module docs), for the rows up to the period's end.
    client: Vec<u32>,
    before: Cow<'a, [f64]>,
    after: Cow<'a, [f64]>,
    visit: Cow<'a, [u32]>,
    focus: &'a BooleanChunked,
    pressure: &'a UInt32Chunked,
    minutes_band: &'a UInt32Chunked,
    technique: &'a UInt32Chunked,
}

/// Numbers the clients of the first `end` rows 0, 1, 2 … in the order of their first row.
fn canonical_clients(texts: &[u32], end: usize, n_texts: usize) -> Vec<u32> {
    let mut number = vec![u32::MAX; n_texts];
    let mut next = 0;
    texts[..end]
        .iter()
        .map(|&t| {
            let n = &mut number[t as usize];
            if *n == u32::MAX {
                *n = next;
                next += 1;
            }
            *n
        })
        .collect()
}

impl<'a> Columns<'a> {
    /// The columns of the rows before `end`.
    fn of(frame: &'a DataFrame, end: usize, n_texts: usize) -> PolarsResult<Columns<'a>> {
        let u32s = |name: &str| frame.column(name)?.u32();
        let f64s = |name: &str| frame.column(name)?.f64();
        Ok(Columns {
            region: dense(u32s(c::REGION)?),
            client: canonical_clients(&dense(u32s(c::CLIENT)?), end, n_texts),
            before: dense(f64s(c::BEFORE)?),
            after: dense(f64s(c::AFTER)?),
            visit: dense(u32s(c::VISIT)?),
            focus: frame.column(c::FOCUS)?.bool()?,
            pressure: u32s(c::PRESSURE)?,
            minutes_band: u32s(c::MINUTES_BAND)?,
            technique: u32s(c::TECHNIQUE)?,
        })
    }

    /// The `known` rows of `range` whose level is known, `levels` giving each row's level in
    /// order.
    ///
    /// Allocated at its final size: grown by doubling, the list of a 20-million-row period
    /// would pass through twice its size while being copied.
    fn level_rows<L>(
        &self,
        range: Range<usize>,
        known: usize,
        levels: impl Iterator<Item = Option<L>>,
    ) -> Vec<LevelRow<L>> {
        let mut rows = Vec::with_capacity(known);
        rows.extend(range.zip(levels).filter_map(|(i, level)| {
            Some(LevelRow {
                region: Region::ALL[self.region[i] as usize],
                before: self.before[i],
                change: self.before[i] - self.after[i],
                client: self.client[i],
                level: level?,
            })
        }));
        rows
    }
}

/// The values of a nullable column over `range`, in row order.
fn slice<T: PolarsDataType>(ca: &ChunkedArray<T>, range: &Range<usize>) -> ChunkedArray<T> {
    ca.slice(range.start as i64, range.len())
}

/// The names of the techniques that occur in `range`, in the order SPEC §3.2 lists techniques
/// (alphabetically ignoring case, ties by the exact text), made once per summary; and for every
/// text number, its technique's rank in that list (`u32::MAX` for texts that are not
/// techniques of the range).
fn technique_names<'t>(
    column: &UInt32Chunked,
    range: &Range<usize>,
    texts: &'t Texts,
) -> (Vec<&'t str>, Vec<u32>) {
    let mut seen = vec![false; texts.len()];
    for id in slice(column, range).iter().flatten() {
        seen[id as usize] = true;
    }
    let mut named: Vec<(String, &str, u32)> = (0..texts.len() as u32)
        .filter(|id| seen[*id as usize])
        .map(|id| {
            let name = &**texts.get(id);
            (name.to_lowercase(), name, id)
        })
        .collect();
    named.sort_unstable();
    let mut position = vec![u32::MAX; texts.len()];
    let names = named
        .into_iter()
        .enumerate()
        .map(|(rank, (_, name, id))| {
            position[id as usize] = rank as u32;
            name
        })
        .collect();
    (names, position)
}

/// The technique model's entries: rows whose technique is known, each technique as its rank
/// in `R`, spelled from `names`.
fn technique_effects<R: Rank>(
    cols: &Columns<'_>,
    rows: &Range<usize>,
    names: &[&str],
    position: &[u32],
    min: u64,
) -> Vec<AdjustedEntry> {
    let technique = slice(cols.technique, rows);
    let known = technique.len() - technique.null_count();
    let levels = technique
        .iter()
        .map(|t| t.map(|id| TechniqueLevel(R::of(position[id as usize]))));
    let level_rows = cols.level_rows(rows.clone(), known, levels);
    let spell = |level: &TechniqueLevel<R>| names[level.0.into() as usize].to_string();
    adjusted_effects_spelled(level_rows, min, &spell)
}

impl Prepared {
    /// The adjusted personalisation effects and the course of care of one period.
    ///
    /// # Errors
    /// [`AnalysisError::Engine`] if the frame lacks a column (a bug).
    pub(crate) fn personalisation(
        &self,
        period: &Period,
        settings: &AnalysisSettings,
    ) -> Result<(Vec<AdjustedEntry>, Vec<CourseEntry>), AnalysisError> {
        let rows = self.rows_of(period);
        let cols = Columns::of(&self.frame, rows.end, self.texts.len())?;
        let min = settings.analysis.min_group_size;

        let focus = || {
            let focus = slice(cols.focus, &rows);
            let known = focus.len() - focus.null_count();
            adjusted_effects(cols.level_rows(rows.clone(), known, focus.iter()), min)
        };
        let pressure = || {
            let pressure = slice(cols.pressure, &rows);
            let known = pressure.len() - pressure.null_count();
            let pressure = pressure
                .iter()
                .map(|p| p.map(|i| Pressure::ALL[i as usize]));
            adjusted_effects(cols.level_rows(rows.clone(), known, pressure), min)
        };
        let minutes = || {
            let band = slice(cols.minutes_band, &rows);
            let known = band.len() - band.null_count();
            let band = band.iter().map(|b| b.map(|i| MinutesBand::ALL[i as usize]));
            adjusted_effects(cols.level_rows(rows.clone(), known, band), min)
        };
        let technique = || {
            let (names, position) = technique_names(cols.technique, &rows, &self.texts);
            if names.len() <= usize::from(u16::MAX) + 1 {
                technique_effects::<u16>(&cols, &rows, &names, &position, min)
            } else {
                technique_effects::<u32>(&cols, &rows, &names, &position, min)
            }
        };
        // Region by region: each region's figures depend only on its own rows, and one region's
        // rows at a time hold a fraction of the memory of all of them (the sort's buffer too).
        let course = || {
            let analysis = &settings.analysis;
            let mut entries = Vec::new();
            for (index, region) in Region::ALL.into_iter().enumerate() {
                let in_region = |i: &usize| cols.region[*i] as usize == index;
                let count = (0..rows.end).filter(in_region).count();
                let mut course_rows = Vec::with_capacity(count);
                course_rows.extend((0..rows.end).filter(in_region).map(|i| CourseRow {
                    client: cols.client[i],
                    region,
                    date: date_of(self.rows.day[i]),
                    visit: cols.visit[i],
                    before: cols.before[i],
                }));
                entries.extend(course_of_care(course_rows, period, analysis));
            }
            entries
        };
        // One factor at a time: each factor holds its own copy of the rows, and four at once raised
        // the peak of an 800k-row report by ~100–250 MB. The course of care runs beside them.
        let factors = || {
            // SPEC order: focus, pressure, minutes, technique.
            let mut adjusted = focus();
            adjusted.extend(pressure());
            adjusted.extend(minutes());
            adjusted.extend(technique());
            adjusted
        };
        let (adjusted, course) = rayon::join(factors, course);
        Ok((adjusted, course))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use relief_core::{Origin, Record};
    use std::sync::Arc;

    /// Numbering techniques with `u16` (every real period) or `u32` (a period with more
    /// techniques than a `u16` can number) gives the same entries, and the techniques are
    /// spelled from the table: what the narrow type saves is memory only.
    #[test]
    fn technique_ranks_of_either_width_give_the_same_entries() {
        let techniques = ["Swedish", "deep tissue", "Cupping", "swedish"];
        let records: relief_core::Records = (0..400u32)
            .map(|i| Record {
                date: chrono::NaiveDate::from_ymd_opt(2026, 10, 1 + i % 28).unwrap(),
                client: Arc::from(format!("c{}", i % 40)),
                therapist: None,
                session_id: None,
                region: Region::ALL[(i % 3) as usize],
                side: None,
                before: f64::from(3 + i % 7),
                after: f64::from(i % 4),
                pressure: None,
                minutes: None,
                focus: None,
                technique: Some(Arc::from(techniques[(i % 4) as usize])),
                origin: Origin {
                    file: Arc::from("a.csv"),
                    sheet: Arc::from("S"),
                    row: i + 2,
                },
            })
            .collect();
        let p = Prepared::new(records).unwrap();
        let period = Period::parse_month("2026-10").unwrap();
        let rows = p.rows_of(&period);
        let cols = Columns::of(&p.frame, rows.end, p.texts.len()).unwrap();
        let (names, position) = technique_names(cols.technique, &rows, &p.texts);
        assert_eq!(names, ["Cupping", "deep tissue", "Swedish", "swedish"]);
        let narrow = technique_effects::<u16>(&cols, &rows, &names, &position, 5);
        let wide = technique_effects::<u32>(&cols, &rows, &names, &position, 5);
        assert!(!narrow.is_empty());
        assert_eq!(narrow, wide);
        assert!(narrow.iter().all(|e| e.factor == Factor::Technique));
        assert!(narrow.iter().any(|e| e.level == "deep tissue"));
    }
}
