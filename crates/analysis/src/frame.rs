//! The one polars frame every figure is computed from, one row per session × region, in
//! canonical order.
//!
//! Only what the figures group and aggregate by is in the frame, all as numbers: categorical
//! keys as small integers in report order (region 0–8 as in SPEC §2.5, pressure 0–3 light to
//! deep, minutes band 0–4), so sorting by them is sorting in report order; months as indexes
//! into the prepared months; therapist and technique as text numbers, turned into words only
//! when a group's keys are read back. Columns only the clean table needs stay beside the frame.
//! The change (before − after) is not a column: every reader works it out from the two scores
//! as it goes, which is the same number, and at 20 million rows saves 160 MB.

use crate::AnalysisError;
use crate::prepare::{Derived, RowColumns};
use polars::prelude::*;
use relief_core::records::{NO_TEXT, pressure_of};
use relief_core::{MinutesBand, Pressure, Records, Region};

/// Column names, so the builder and the aggregations cannot drift apart.
pub(crate) mod col_names {
    pub const REGION: &str = "region";
    pub const MONTH: &str = "month";
    pub const CLIENT: &str = "client";
    pub const THERAPIST: &str = "therapist";
    pub const SESSION: &str = "session";
    pub const BEFORE: &str = "before";
    pub const AFTER: &str = "after";
    pub const PRESSURE: &str = "pressure";
    pub const FOCUS: &str = "focus";
    pub const MINUTES_BAND: &str = "minutes_band";
    pub const TECHNIQUE: &str = "technique";
    pub const VISIT: &str = "visit";

    /// `worked_<region>`: whether that region was worked in the row's session.
    pub fn worked(region: relief_core::Region) -> String {
        format!("worked_{}", region.key())
    }
}

use col_names as c;

/// Builds the frame, taking the remaining columns out of `records` in `order`.
pub(crate) fn build_frame(
    records: &mut Records,
    order: &[u32],
    client: Vec<u32>,
    therapist: Vec<u32>,
    region: Vec<u8>,
    rows: &RowColumns,
    derived: Derived,
) -> Result<DataFrame, AnalysisError> {
    let n = order.len();
    // Each column is made straight from its values and the reader's copy dropped before the
    // next: at 20 million rows a column is 80–160 MB, and lists of `Option`s made first, all at
    // once, held ~0.5 GB more than the frame itself.
    let take = |column: &mut Vec<f64>| {
        let source = std::mem::take(column);
        order
            .iter()
            .map(|&i| source[i as usize])
            .collect::<Vec<f64>>()
    };
    let u32s = |name: &str, values: Vec<u32>| Column::new(name.into(), values);
    let optional = |name: &str, values: &mut dyn Iterator<Item = Option<u32>>| {
        values
            .collect::<UInt32Chunked>()
            .with_name(name.into())
            .into_column()
    };
    let before = take(&mut records.before);
    let after = take(&mut records.after);
    let mut columns: Vec<Column> = Vec::with_capacity(13 + Region::ALL.len());
    columns.push(u32s(
        c::REGION,
        region.iter().map(|r| u32::from(*r)).collect(),
    ));
    drop(region);
    columns.push(u32s(c::MONTH, derived.month));
    columns.push(u32s(c::CLIENT, client));
    // Null for rows without a therapist (a solo practice): left out of the therapist table
    // and counted as unknown there.
    columns.push(optional(
        c::THERAPIST,
        &mut therapist
            .into_iter()
            .map(|t| Some(t).filter(|t| *t != NO_TEXT)),
    ));
    columns.push(u32s(c::SESSION, derived.session));
    columns.push(Column::new(c::BEFORE.into(), before));
    columns.push(Column::new(c::AFTER.into(), after));
    let pressure = std::mem::take(&mut records.pressure);
    columns.push(optional(
        c::PRESSURE,
        &mut order
            .iter()
            .map(|&i| pressure_of(pressure[i as usize]).map(pressure_index)),
    ));
    drop(pressure);
    let focus = std::mem::take(&mut records.focus);
    columns.push(
        order
            .iter()
            .map(|&i| relief_core::records::focus_of(focus[i as usize]))
            .collect::<BooleanChunked>()
            .with_name(c::FOCUS.into())
            .into_column(),
    );
    drop(focus);
    columns.push(optional(
        c::MINUTES_BAND,
        &mut rows
            .minutes
            .iter()
            .map(|m| (!m.is_nan()).then(|| MinutesBand::of(*m).index() as u32)),
    ));
    let technique = std::mem::take(&mut records.technique);
    columns.push(optional(
        c::TECHNIQUE,
        &mut order
            .iter()
            .map(|&i| Some(technique[i as usize]).filter(|t| *t != NO_TEXT)),
    ));
    drop(technique);
    columns.push(u32s(c::VISIT, derived.visit));
    for (i, region) in Region::ALL.into_iter().enumerate() {
        columns.push(
            derived
                .worked
                .iter()
                .map(|w| w & (1 << i) != 0)
                .collect::<BooleanChunked>()
                .with_name(c::worked(region).into())
                .into_column(),
        );
    }
    Ok(DataFrame::new(n, columns)?)
}

/// A column without nulls as a slice: borrowed when polars holds it in one piece (as
/// [`build_frame`] makes it), gathered once otherwise.
pub(crate) fn dense<T>(ca: &ChunkedArray<T>) -> std::borrow::Cow<'_, [T::Native]>
where
    T: PolarsNumericType,
{
    use std::borrow::Cow;
    match ca.cont_slice() {
        Ok(values) => Cow::Borrowed(values),
        Err(_) => Cow::Owned(ca.iter().map(Option::unwrap_or_default).collect()),
    }
}

pub(crate) fn pressure_index(p: Pressure) -> u32 {
    Pressure::ALL
        .iter()
        .position(|x| *x == p)
        .expect("every level is in ALL") as u32
}
