//! Every group of SPEC §3 computed by one generic function: the frame is grouped by the key's
//! column and the region (as one number), the figures of [`crate::figures`] are aggregated, and the keys are
//! read back into the report model's key type.
//!
//! What a group is — its JSON name, workbook sheet, order — is described once in
//! `relief_core::summary` ([`GroupKey`]); this module adds only which frame columns hold the key
//! and how to read it back ([`FrameKey`]).

use crate::Prepared;
use crate::distinct::{NO_SLOT, distinct_per_group};
use crate::figures::{Thresholds, aggregations, read_figures};
use crate::frame::{col_names as c, dense};
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

/// Aggregates `frame` by the value of `key` (a column of small numbers or flags) and the region,
/// leaving out rows whose key is not recorded and, for `skip_region`, rows of that region.
///
/// Key and region are grouped as one number, not as two columns: polars groups a single
/// integer column by hashing it directly, where two columns are first encoded into a byte row
/// per frame row (~40 bytes a row, and most of the time of a table). Rows left out get a null
/// number and form a group that is dropped, so nothing is copied to filter them. The distinct
/// sessions and clients of each group are counted beside polars ([`crate::distinct`]) from the
/// same numbers.
fn aggregate(
    frame: &DataFrame,
    key: Option<&str>,
    skip_region: Option<u32>,
    t: Thresholds,
) -> PolarsResult<Vec<Aggregated>> {
    let numbers = group_numbers(frame, key, skip_region)?;
    let df = frame
        .hstack(&[numbers.clone().with_name(GROUP.into()).into_column()])?
        .lazy()
        .group_by([col(GROUP)])
        .agg(aggregations(t))
        .filter(col(GROUP).is_not_null())
        .sort([GROUP], SortMultipleOptions::default())
        .collect()?;
    let groups: Vec<u64> = df.column(GROUP)?.u64()?.iter().flatten().collect();
    let distinct = distinct_per_group(
        &slots(&numbers, &groups),
        groups.len(),
        &dense(frame.column(c::SESSION)?.u32()?),
        &dense(frame.column(c::CLIENT)?.u32()?),
    );
    drop(numbers);
    let figures = read_figures(&df, &distinct, t)?;
    Ok(groups
        .into_iter()
        .zip(figures)
        .map(|(g, figures)| {
            let value = u32::try_from(g / REGION_SLOTS).expect("a key value is a u32");
            (value, Region::ALL[(g % REGION_SLOTS) as usize], figures)
        })
        .collect())
}

/// Each row's group number: key × 16 + region (the region alone without a key); null where
/// the key is not recorded or the row is of `skip_region`.
fn group_numbers(
    frame: &DataFrame,
    key: Option<&str>,
    skip_region: Option<u32>,
) -> PolarsResult<UInt64Chunked> {
    let regions = dense(frame.column(c::REGION)?.u32()?);
    let number = |value: Option<u32>, r: u32| -> Option<u64> {
        let value = value?;
        (skip_region != Some(r)).then(|| u64::from(value) * REGION_SLOTS + u64::from(r))
    };
    Ok(match key {
        // The region alone is key 0 × 16 + region.
        None => regions.iter().map(|&r| number(Some(0), r)).collect(),
        Some(k) => {
            let keys = frame.column(k)?.cast(&DataType::UInt32)?;
            keys.u32()?
                .iter()
                .zip(regions.iter())
                .map(|(v, &r)| number(v, r))
                .collect()
        }
    })
}

/// Group numbers up to this many are found by a table lookup; beyond (text numbers of a very
/// large input), by a binary search of the groups.
const LOOKUP_LIMIT: u64 = 1 << 20;

/// Each row's position in `groups` (the sorted group numbers of [`aggregate`]); [`NO_SLOT`] for
/// rows left out.
fn slots(numbers: &UInt64Chunked, groups: &[u64]) -> Vec<u32> {
    let max = groups.last().map_or(0, |g| g + 1);
    let slot_of: Box<dyn Fn(u64) -> u32 + '_> = if max <= LOOKUP_LIMIT {
        let mut table = vec![NO_SLOT; max as usize];
        for (slot, g) in groups.iter().enumerate() {
            table[*g as usize] = slot as u32;
        }
        Box::new(move |g| table.get(g as usize).copied().unwrap_or(NO_SLOT))
    } else {
        Box::new(|g| groups.binary_search(&g).map_or(NO_SLOT, |s| s as u32))
    };
    numbers
        .iter()
        .map(|g| g.map_or(NO_SLOT, &slot_of))
        .collect()
}

/// One group's rows, in report order.
pub(crate) fn table<K: FrameKey>(
    frame: &DataFrame,
    p: &Prepared,
    t: Thresholds,
) -> PolarsResult<Vec<Keyed<K>>> {
    let mut rows: Vec<Keyed<K>> = aggregate(frame, K::COLUMN, None, t)?
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
pub(crate) fn spillover(
    frame: &DataFrame,
    t: Thresholds,
) -> PolarsResult<Vec<Keyed<SpilloverKey>>> {
    let mut out = Vec::new();
    for (i, other) in Region::ALL.into_iter().enumerate() {
        let worked = c::worked(other);
        let groups = aggregate(frame, Some(&worked), Some(i as u32), t)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Each row finds its group by the table and, for group numbers past the table's limit, by
    /// the search; left-out rows (no key, or the skipped region) find none.
    #[test]
    fn rows_find_their_groups_by_table_and_by_search() {
        for big in [5u32, 200_000] {
            let frame = df!(
                c::REGION => [0u32, 3, 3, 8, 0],
                "key" => [Some(big), Some(1), None, Some(big), Some(1)],
            )
            .unwrap();
            let g = |k: u32, r: u64| u64::from(k) * REGION_SLOTS + r;
            let mut groups = vec![g(big, 0), g(1, 3), g(big, 8), g(1, 0)];
            groups.sort_unstable();
            let slot = |v: u64| groups.iter().position(|x| *x == v).unwrap() as u32;
            let numbers = group_numbers(&frame, Some("key"), None).unwrap();
            let found = slots(&numbers, &groups);
            assert_eq!(
                found,
                [
                    slot(g(big, 0)),
                    slot(g(1, 3)),
                    NO_SLOT,
                    slot(g(big, 8)),
                    slot(g(1, 0))
                ]
            );
            let skipped = group_numbers(&frame, Some("key"), Some(0)).unwrap();
            assert_eq!(
                slots(&skipped, &groups),
                [NO_SLOT, found[1], NO_SLOT, found[3], NO_SLOT]
            );
        }
        let frame = df!(c::REGION => [2u32, 7]).unwrap();
        let numbers = group_numbers(&frame, None, None).unwrap();
        assert_eq!(slots(&numbers, &[2, 7]), [0, 1]);
    }
}
