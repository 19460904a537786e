//! Every group of SPEC §3 computed by one generic function: the frame is grouped by the key's
//! column and the region (as one number), the figures of [`crate::figures`] are aggregated, and the keys are
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
    /// The frame column of the key (a small number or a flag); `None` for the region table,
    /// whose only key is the region.
    const COLUMN: Option<&'static str>;
    /// The key whose column holds `value`.
    fn read(value: u32, p: &Prepared) -> Self;
}

impl FrameKey for RegionKey {
    const COLUMN: Option<&'static str> = None;
    fn read(_: u32, _: &Prepared) -> Self {
        RegionKey {}
    }
}

impl FrameKey for MonthKey {
    const COLUMN: Option<&'static str> = Some(c::MONTH);
    fn read(month: u32, p: &Prepared) -> Self {
        MonthKey {
            month: p.months[month as usize].name(),
        }
    }
}

impl FrameKey for TherapistKey {
    const COLUMN: Option<&'static str> = Some(c::THERAPIST);
    fn read(text: u32, p: &Prepared) -> Self {
        TherapistKey {
            therapist: p.texts.get(text).to_string(),
        }
    }
}

impl FrameKey for PressureKey {
    const COLUMN: Option<&'static str> = Some(c::PRESSURE);
    fn read(level: u32, _: &Prepared) -> Self {
        PressureKey {
            pressure: Pressure::ALL[level as usize],
        }
    }
}

impl FrameKey for FocusKey {
    const COLUMN: Option<&'static str> = Some(c::FOCUS);
    fn read(focus: u32, _: &Prepared) -> Self {
        FocusKey { focus: focus != 0 }
    }
}

impl FrameKey for MinutesKey {
    const COLUMN: Option<&'static str> = Some(c::MINUTES_BAND);
    fn read(band: u32, _: &Prepared) -> Self {
        MinutesKey {
            minutes_band: MinutesBand::ALL[band as usize],
        }
    }
}

impl FrameKey for TechniqueKey {
    const COLUMN: Option<&'static str> = Some(c::TECHNIQUE);
    fn read(text: u32, p: &Prepared) -> Self {
        TechniqueKey {
            technique: p.texts.get(text).to_string(),
        }
    }
}

impl FrameKey for VisitKey {
    const COLUMN: Option<&'static str> = Some(c::VISIT);
    fn read(visit: u32, _: &Prepared) -> Self {
        VisitKey { visit }
    }
}

/// The grouping column: key × 16 + region, null where the key is not recorded.
const GROUP: &str = "__group";

/// Regions per key value in [`GROUP`]: a power of two above the nine regions.
const REGION_SLOTS: u64 = 16;

/// One aggregated group: its key's value, its region, its figures.
type Aggregated = (u32, Region, relief_core::summary::Figures);

/// Aggregates `lf` by the value of `key` (a column of small numbers or flags) and the region,
/// leaving out rows whose key is not recorded and, for `skip_region`, rows of that region.
///
/// Key and region are grouped as one number, not as two columns: polars groups a single
/// integer column by hashing it directly, where two columns are first encoded into a byte row
/// per frame row (~40 bytes a row, and most of the time of a table). Rows left out get a null
/// number and form a group that is dropped, so nothing is copied to filter them.
fn aggregate(
    lf: &LazyFrame,
    key: Option<&str>,
    skip_region: Option<u32>,
    t: Thresholds,
) -> PolarsResult<Vec<Aggregated>> {
    let region = || col(c::REGION).cast(DataType::UInt64);
    let mut group = match key {
        Some(k) => col(k).cast(DataType::UInt64) * lit(REGION_SLOTS) + region(),
        None => region(),
    };
    if let Some(skipped) = skip_region {
        group = when(col(c::REGION).neq(lit(skipped)))
            .then(group)
            .otherwise(lit(NULL).cast(DataType::UInt64));
    }
    let df = lf
        .clone()
        .group_by([group.alias(GROUP)])
        .agg(aggregations(t))
        .filter(col(GROUP).is_not_null())
        .sort([GROUP], SortMultipleOptions::default())
        .collect()?;
    let figures = read_figures(&df, t)?;
    let groups = df.column(GROUP)?.u64()?;
    Ok(groups
        .iter()
        .zip(figures)
        .map(|(g, figures)| {
            let g = g.expect("null groups were dropped");
            let value = u32::try_from(g / REGION_SLOTS).expect("a key value is a u32");
            (value, Region::ALL[(g % REGION_SLOTS) as usize], figures)
        })
        .collect())
}

/// One group's rows, in report order.
pub(crate) fn table<K: FrameKey>(
    lf: &LazyFrame,
    p: &Prepared,
    t: Thresholds,
) -> PolarsResult<Vec<Keyed<K>>> {
    let mut rows: Vec<Keyed<K>> = aggregate(lf, K::COLUMN, None, t)?
        .into_iter()
        .map(|(value, region, figures)| Keyed {
            key: K::read(value, p),
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
        let groups = aggregate(lf, Some(&worked), Some(i as u32), t)?;
        out.extend(
            groups
                .into_iter()
                .map(|(other_worked, region, figures)| Keyed {
                    key: SpilloverKey {
                        other_region: other,
                        other_worked: other_worked != 0,
                    },
                    region,
                    figures,
                }),
        );
    }
    sort_rows(&mut out);
    Ok(out)
}
