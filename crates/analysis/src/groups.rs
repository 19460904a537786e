//! Every group of SPEC §3 computed by one generic function: the frame is grouped by the key's
//! columns and the region, the figures of [`crate::figures`] are aggregated, and the keys are
//! read back into the report model's key type.
//!
//! What a group is — its JSON name, workbook sheet, order — is described once in
//! `relief_core::summary` ([`GroupKey`]); this module adds only which frame columns hold the key
//! and how to read it back ([`FrameKey`]).

use crate::Prepared;
use crate::figures::{Thresholds, aggregations, read_figures};
use crate::frame::col_names as c;
use polars::prelude::*;
use relief_core::summary::{
    FocusKey, GroupKey, Keyed, MinutesKey, MonthKey, PressureKey, RegionKey, SpilloverKey,
    TechniqueKey, TherapistKey, VisitKey, sort_rows,
};
use relief_core::{MinutesBand, Pressure, Region};

/// A group key as the frame holds it.
pub(crate) trait FrameKey: GroupKey {
    /// The frame columns of the key; the region is always added as the last grouping column.
    const COLUMNS: &'static [&'static str];
    /// The keys of every row of an aggregated frame, in row order.
    fn read(df: &DataFrame, p: &Prepared) -> PolarsResult<Vec<Self>>;
}

fn u32s(df: &DataFrame, name: &str) -> PolarsResult<Vec<u32>> {
    Ok(df
        .column(name)?
        .cast(&DataType::UInt32)?
        .u32()?
        .iter()
        .map(|v| v.expect("group keys are never null"))
        .collect())
}

fn bools(df: &DataFrame, name: &str) -> PolarsResult<Vec<bool>> {
    Ok(df
        .column(name)?
        .bool()?
        .iter()
        .map(|v| v.expect("group keys are never null"))
        .collect())
}

impl FrameKey for RegionKey {
    const COLUMNS: &'static [&'static str] = &[];
    fn read(df: &DataFrame, _: &Prepared) -> PolarsResult<Vec<Self>> {
        Ok(vec![RegionKey {}; df.height()])
    }
}

impl FrameKey for MonthKey {
    const COLUMNS: &'static [&'static str] = &[c::MONTH];
    fn read(df: &DataFrame, p: &Prepared) -> PolarsResult<Vec<Self>> {
        Ok(u32s(df, c::MONTH)?
            .into_iter()
            .map(|m| MonthKey {
                month: p.months[m as usize].name(),
            })
            .collect())
    }
}

impl FrameKey for TherapistKey {
    const COLUMNS: &'static [&'static str] = &[c::THERAPIST];
    fn read(df: &DataFrame, p: &Prepared) -> PolarsResult<Vec<Self>> {
        Ok(u32s(df, c::THERAPIST)?
            .into_iter()
            .map(|t| TherapistKey {
                therapist: p.texts.get(t).to_string(),
            })
            .collect())
    }
}

impl FrameKey for PressureKey {
    const COLUMNS: &'static [&'static str] = &[c::PRESSURE];
    fn read(df: &DataFrame, _: &Prepared) -> PolarsResult<Vec<Self>> {
        Ok(u32s(df, c::PRESSURE)?
            .into_iter()
            .map(|i| PressureKey {
                pressure: Pressure::ALL[i as usize],
            })
            .collect())
    }
}

impl FrameKey for FocusKey {
    const COLUMNS: &'static [&'static str] = &[c::FOCUS];
    fn read(df: &DataFrame, _: &Prepared) -> PolarsResult<Vec<Self>> {
        Ok(bools(df, c::FOCUS)?
            .into_iter()
            .map(|focus| FocusKey { focus })
            .collect())
    }
}

impl FrameKey for MinutesKey {
    const COLUMNS: &'static [&'static str] = &[c::MINUTES_BAND];
    fn read(df: &DataFrame, _: &Prepared) -> PolarsResult<Vec<Self>> {
        Ok(u32s(df, c::MINUTES_BAND)?
            .into_iter()
            .map(|i| MinutesKey {
                minutes_band: MinutesBand::ALL[i as usize],
            })
            .collect())
    }
}

impl FrameKey for TechniqueKey {
    const COLUMNS: &'static [&'static str] = &[c::TECHNIQUE];
    fn read(df: &DataFrame, p: &Prepared) -> PolarsResult<Vec<Self>> {
        Ok(u32s(df, c::TECHNIQUE)?
            .into_iter()
            .map(|t| TechniqueKey {
                technique: p.texts.get(t).to_string(),
            })
            .collect())
    }
}

impl FrameKey for VisitKey {
    const COLUMNS: &'static [&'static str] = &[c::VISIT];
    fn read(df: &DataFrame, _: &Prepared) -> PolarsResult<Vec<Self>> {
        Ok(u32s(df, c::VISIT)?
            .into_iter()
            .map(|visit| VisitKey { visit })
            .collect())
    }
}

/// Aggregates `lf` by `keys` and the region, rows with a null key left out; returns the
/// aggregated frame (keys and figures) and the figures read from it.
fn aggregate(
    lf: &LazyFrame,
    keys: &[&str],
    t: Thresholds,
) -> PolarsResult<(DataFrame, Vec<relief_core::summary::Figures>)> {
    let mut lf = lf.clone();
    let mut by: Vec<&str> = keys.to_vec();
    by.push(c::REGION);
    for k in keys {
        lf = lf.filter(col(*k).is_not_null());
    }
    let df = lf
        .group_by(by.iter().map(|k| col(*k)).collect::<Vec<_>>())
        .agg(aggregations(t))
        .sort(
            by.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
            SortMultipleOptions::default(),
        )
        .collect()?;
    let figures = read_figures(&df, t)?;
    Ok((df, figures))
}

fn regions_of(df: &DataFrame) -> PolarsResult<Vec<Region>> {
    Ok(u32s(df, c::REGION)?
        .into_iter()
        .map(|i| Region::ALL[i as usize])
        .collect())
}

/// One group's rows, in report order.
pub(crate) fn table<K: FrameKey>(
    lf: &LazyFrame,
    p: &Prepared,
    t: Thresholds,
) -> PolarsResult<Vec<Keyed<K>>> {
    let (df, figures) = aggregate(lf, K::COLUMNS, t)?;
    let mut rows: Vec<Keyed<K>> = K::read(&df, p)?
        .into_iter()
        .zip(regions_of(&df)?)
        .zip(figures)
        .map(|((key, region), figures)| Keyed {
            key,
            region,
            figures,
        })
        .collect();
    sort_rows(&mut rows);
    Ok(rows)
}

/// For every target region, its figures when each other region was or was not also worked in
/// the same session: one grouping per other region, over the rows of the other regions.
pub(crate) fn spillover(lf: &LazyFrame, t: Thresholds) -> PolarsResult<Vec<Keyed<SpilloverKey>>> {
    let mut out = Vec::new();
    for (i, other) in Region::ALL.into_iter().enumerate() {
        let worked = c::worked(other);
        let others = lf.clone().filter(col(c::REGION).neq(lit(i as u32)));
        let (df, figures) = aggregate(&others, &[worked.as_str()], t)?;
        out.extend(
            bools(&df, &worked)?
                .into_iter()
                .zip(regions_of(&df)?)
                .zip(figures)
                .map(|((other_worked, region), figures)| Keyed {
                    key: SpilloverKey {
                        other_region: other,
                        other_worked,
                    },
                    region,
                    figures,
                }),
        );
    }
    sort_rows(&mut out);
    Ok(out)
}
