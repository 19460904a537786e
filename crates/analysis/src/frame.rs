//! The one polars frame every figure is computed from, one row per session × region.
//!
//! Categorical keys are stored as small integers in report order (region 0–8 as in SPEC §2.5,
//! pressure 0–3 light to deep, minutes band 0–4), so sorting by them is sorting in report order.

use crate::AnalysisError;
use crate::prepare::{Derived, region_index};
use chrono::Datelike;
use polars::prelude::*;
use relief_core::{MinutesBand, Pressure, Record, Region};

/// Column names, so the builder and the aggregations cannot drift apart.
pub(crate) mod col_names {
    pub const REGION: &str = "region";
    pub const SIDE: &str = "side";
    pub const DAY: &str = "day";
    pub const MONTH: &str = "month";
    pub const CLIENT: &str = "client";
    pub const THERAPIST: &str = "therapist";
    pub const SESSION: &str = "session";
    pub const BEFORE: &str = "before";
    pub const AFTER: &str = "after";
    pub const CHANGE: &str = "change";
    pub const PRESSURE: &str = "pressure";
    pub const FOCUS: &str = "focus";
    pub const MINUTES: &str = "minutes";
    pub const MINUTES_BAND: &str = "minutes_band";
    pub const TECHNIQUE: &str = "technique";
    pub const VISIT: &str = "visit";
    pub const FILE: &str = "file";
    pub const SHEET: &str = "sheet";
    pub const ROW: &str = "row";

    /// `worked_<region>`: whether that region was worked in the row's session.
    pub fn worked(region: relief_core::Region) -> String {
        format!("worked_{}", region.key())
    }
}

use col_names as c;

/// Days from 0001-01-01 (chrono's day count from the common era), used for period filters.
pub(crate) fn day_number(d: chrono::NaiveDate) -> i32 {
    d.num_days_from_ce()
}

pub(crate) fn build_frame(
    order: &[&Record],
    derived: &[Derived],
) -> Result<DataFrame, AnalysisError> {
    let n = order.len();
    let mut columns: Vec<Column> = vec![
        Column::new(
            c::REGION.into(),
            order
                .iter()
                .map(|r| region_index(r.region) as u32)
                .collect::<Vec<u32>>(),
        ),
        Column::new(
            c::SIDE.into(),
            order
                .iter()
                .map(|r| r.side.map(|s| s.key()))
                .collect::<Vec<Option<&str>>>(),
        ),
        Column::new(
            c::DAY.into(),
            order
                .iter()
                .map(|r| day_number(r.date))
                .collect::<Vec<i32>>(),
        ),
        month_column(order),
        Column::new(
            c::CLIENT.into(),
            derived.iter().map(|d| d.client).collect::<Vec<u32>>(),
        ),
        Column::new(
            c::THERAPIST.into(),
            order.iter().map(|r| &*r.therapist).collect::<Vec<&str>>(),
        ),
        Column::new(
            c::SESSION.into(),
            derived.iter().map(|d| d.session).collect::<Vec<u32>>(),
        ),
        Column::new(
            c::BEFORE.into(),
            order.iter().map(|r| r.before).collect::<Vec<f64>>(),
        ),
        Column::new(
            c::AFTER.into(),
            order.iter().map(|r| r.after).collect::<Vec<f64>>(),
        ),
        Column::new(
            c::CHANGE.into(),
            order.iter().map(|r| r.change()).collect::<Vec<f64>>(),
        ),
        Column::new(
            c::PRESSURE.into(),
            order
                .iter()
                .map(|r| r.pressure.map(pressure_index))
                .collect::<Vec<Option<u32>>>(),
        ),
        Column::new(
            c::FOCUS.into(),
            order.iter().map(|r| r.focus).collect::<Vec<Option<bool>>>(),
        ),
        Column::new(
            c::MINUTES.into(),
            order
                .iter()
                .map(|r| r.minutes)
                .collect::<Vec<Option<f64>>>(),
        ),
        Column::new(
            c::MINUTES_BAND.into(),
            order
                .iter()
                .map(|r| r.minutes.map(band_index))
                .collect::<Vec<Option<u32>>>(),
        ),
        Column::new(
            c::TECHNIQUE.into(),
            order
                .iter()
                .map(|r| r.technique.as_deref())
                .collect::<Vec<Option<&str>>>(),
        ),
        Column::new(
            c::VISIT.into(),
            derived.iter().map(|d| d.visit).collect::<Vec<u32>>(),
        ),
        Column::new(
            c::FILE.into(),
            order.iter().map(|r| &*r.origin.file).collect::<Vec<&str>>(),
        ),
        Column::new(
            c::SHEET.into(),
            order
                .iter()
                .map(|r| &*r.origin.sheet)
                .collect::<Vec<&str>>(),
        ),
        Column::new(
            c::ROW.into(),
            order.iter().map(|r| r.origin.row).collect::<Vec<u32>>(),
        ),
    ];
    for (i, region) in Region::ALL.into_iter().enumerate() {
        columns.push(Column::new(
            c::worked(region).into(),
            derived
                .iter()
                .map(|d| d.worked & (1 << i) != 0)
                .collect::<Vec<bool>>(),
        ));
    }
    Ok(DataFrame::new(n, columns)?)
}

/// `YYYY-MM` of every record. The records are in date order, so each month's text is made once
/// and shared, not formatted per row.
fn month_column(order: &[&Record]) -> Column {
    let mut months: Vec<String> = Vec::new();
    let mut last = None;
    let mut at: Vec<usize> = Vec::with_capacity(order.len());
    for r in order {
        let key = (r.date.year(), r.date.month());
        if last != Some(key) {
            months.push(format!("{:04}-{:02}", key.0, key.1));
            last = Some(key);
        }
        at.push(months.len() - 1);
    }
    let texts: Vec<&str> = at.into_iter().map(|i| months[i].as_str()).collect();
    Column::new(c::MONTH.into(), texts)
}

pub(crate) fn pressure_index(p: Pressure) -> u32 {
    Pressure::ALL
        .iter()
        .position(|x| *x == p)
        .expect("every level is in ALL") as u32
}

pub(crate) fn band_index(minutes: f64) -> u32 {
    MinutesBand::of(minutes).index() as u32
}
