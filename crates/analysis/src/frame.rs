//! The one polars frame every figure is computed from, one row per session × region, in
//! canonical order.
//!
//! Only what the figures group and aggregate by is in the frame, all as numbers: categorical
//! keys as small integers in report order (region 0–8 as in SPEC §2.5, pressure 0–3 light to
//! deep, minutes band 0–4), so sorting by them is sorting in report order; months as indexes
//! into the prepared months; therapist and technique as text numbers, turned into words only
//! when a group's keys are read back. Columns only the clean table needs stay beside the frame.

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
    pub const CHANGE: &str = "change";
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
    let take = |column: &mut Vec<f64>| {
        let source = std::mem::take(column);
        order
            .iter()
            .map(|&i| source[i as usize])
            .collect::<Vec<f64>>()
    };
    let before = take(&mut records.before);
    let after = take(&mut records.after);
    let change: Vec<f64> = before.iter().zip(&after).map(|(b, a)| b - a).collect();
    let pressure: Vec<Option<u32>> = order
        .iter()
        .map(|&i| pressure_of(records.pressure[i as usize]).map(pressure_index))
        .collect();
    records.pressure = Vec::new();
    let focus: Vec<Option<bool>> = order
        .iter()
        .map(|&i| relief_core::records::focus_of(records.focus[i as usize]))
        .collect();
    records.focus = Vec::new();
    let technique: Vec<Option<u32>> = order
        .iter()
        .map(|&i| Some(records.technique[i as usize]).filter(|t| *t != NO_TEXT))
        .collect();
    records.technique = Vec::new();
    let band: Vec<Option<u32>> = rows
        .minutes
        .iter()
        .map(|m| (!m.is_nan()).then(|| MinutesBand::of(*m).index() as u32))
        .collect();
    let mut columns: Vec<Column> = vec![
        Column::new(
            c::REGION.into(),
            region.iter().map(|r| u32::from(*r)).collect::<Vec<u32>>(),
        ),
        Column::new(c::MONTH.into(), derived.month),
        Column::new(c::CLIENT.into(), client),
        // Null for rows without a therapist (a solo practice): left out of the therapist table
        // and counted as unknown there.
        Column::new(
            c::THERAPIST.into(),
            therapist
                .into_iter()
                .map(|t| Some(t).filter(|t| *t != NO_TEXT))
                .collect::<Vec<Option<u32>>>(),
        ),
        Column::new(c::SESSION.into(), derived.session),
        Column::new(c::BEFORE.into(), before),
        Column::new(c::AFTER.into(), after),
        Column::new(c::CHANGE.into(), change),
        Column::new(c::PRESSURE.into(), pressure),
        Column::new(c::FOCUS.into(), focus),
        Column::new(c::MINUTES_BAND.into(), band),
        Column::new(c::TECHNIQUE.into(), technique),
        Column::new(c::VISIT.into(), derived.visit),
    ];
    for (i, region) in Region::ALL.into_iter().enumerate() {
        columns.push(Column::new(
            c::worked(region).into(),
            derived
                .worked
                .iter()
                .map(|w| w & (1 << i) != 0)
                .collect::<Vec<bool>>(),
        ));
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
