//! Every group of SPEC §3 computed by one generic function: the frame is grouped by the key's
//! column and the region (as one number), the figures of [`crate::figures`] are aggregated, and the keys are
//! read back into the report model's key type.
//!
//! What a group is — its JSON name, workbook sheet, order — is described once in
//! `relief_core::summary` ([`GroupKey`]); this module adds only which frame columns hold the key
//! and how to read it back ([`FrameKey`]).

use crate::Prepared;
use crate::buckets::{Buckets, NO_SLOT};
use crate::distinct::distinct_per_group;
use crate::figures::{self, Thresholds};
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

/// Regions per key value in a group number: a power of two above the nine regions.
const REGION_SLOTS: u64 = 16;

/// One aggregated group: its key's value, its region, its figures.
type Aggregated = (u32, Region, relief_core::summary::Figures);

/// Aggregates `frame` by the value of `key` (a column of small numbers or flags) and the region,
/// leaving out rows whose key is not recorded and, for `skip_region`, rows of that region.
///
/// Key and region are one number per row, computed here once: it finds each row's group
/// (its slot among the sorted numbers), the rows are bucketed by slot, and the same buckets
/// feed the figures ([`figures::aggregate`]) and the distinct counts ([`crate::distinct`]).
/// Rows left out get no slot, so nothing is copied to filter them.
fn aggregate(
    frame: &DataFrame,
    key: Option<&str>,
    skip_region: Option<u32>,
    t: Thresholds,
) -> PolarsResult<Vec<Aggregated>> {
    let (groups, slots) = slots(&group_numbers(frame, key, skip_region)?);
    let buckets = Buckets::new(&slots, groups.len());
    drop(slots);
    let distinct = distinct_per_group(
        &buckets,
        &dense(frame.column(c::SESSION)?.u32()?),
        &dense(frame.column(c::CLIENT)?.u32()?),
    );
    let figures = figures::aggregate(frame, &buckets, &distinct, t)?;
    Ok(groups
        .into_iter()
        .zip(figures)
        .map(|(g, figures)| {
            let value = u32::try_from(g / REGION_SLOTS).expect("a key value is a u32");
            (value, Region::ALL[(g % REGION_SLOTS) as usize], figures)
        })
        .collect())
}

/// A row that is in no group: its key is not recorded, or its region is skipped.
const NO_GROUP: u64 = u64::MAX;

/// Each row's group number: key × 16 + region (the region alone without a key); [`NO_GROUP`]
/// where the key is not recorded or the row is of `skip_region`. Computed as they are read
/// (from the key column's values and validity), never kept: a list of them would take 8 bytes
/// a row for each grouping.
struct GroupNumbers<'f> {
    regions: std::borrow::Cow<'f, [u32]>,
    /// The key column as numbers; `None` for the region table.
    keys: Option<UInt32Chunked>,
    skip_region: Option<u32>,
}

impl GroupNumbers<'_> {
    /// How many rows there are.
    fn len(&self) -> usize {
        self.regions.len()
    }

    /// Calls `f` with each row's group number, in row order.
    fn for_each(&self, mut f: impl FnMut(u64)) {
        let number = |value: u32, r: u32| {
            if self.skip_region == Some(r) {
                NO_GROUP
            } else {
                u64::from(value) * REGION_SLOTS + u64::from(r)
            }
        };
        let Some(keys) = &self.keys else {
            // The region alone is key 0 × 16 + region.
            return self.regions.iter().for_each(|&r| f(number(0, r)));
        };
        let mut regions = self.regions.iter();
        for chunk in keys.downcast_iter() {
            let rows = chunk.values().iter().zip(regions.by_ref());
            match chunk.validity() {
                None => rows.for_each(|(&v, &r)| f(number(v, r))),
                Some(valid) => rows.zip(valid.iter()).for_each(|((&v, &r), ok)| {
                    f(if ok { number(v, r) } else { NO_GROUP });
                }),
            }
        }
    }
}

/// The group numbers of `frame`'s rows by `key` and region, leaving out `skip_region`.
fn group_numbers<'f>(
    frame: &'f DataFrame,
    key: Option<&str>,
    skip_region: Option<u32>,
) -> PolarsResult<GroupNumbers<'f>> {
    let keys = match key {
        None => None,
        Some(k) => Some(frame.column(k)?.cast(&DataType::UInt32)?.u32()?.clone()),
    };
    Ok(GroupNumbers {
        regions: dense(frame.column(c::REGION)?.u32()?),
        keys,
        skip_region,
    })
}

/// Group numbers below this are found by a table lookup; others (text numbers of a very large
/// input), through a hash map.
const LOOKUP_LIMIT: u64 = 1 << 20;

/// The distinct group numbers in increasing order, and each row's position among them
/// ([`NO_SLOT`] for rows left out).
fn slots(numbers: &GroupNumbers<'_>) -> (Vec<u64>, Vec<u32>) {
    let mut max = None;
    numbers.for_each(|g| {
        if g != NO_GROUP {
            max = max.max(Some(g));
        }
    });
    match max {
        None => (Vec::new(), vec![NO_SLOT; numbers.len()]),
        Some(max) if max < LOOKUP_LIMIT => slots_by_table(numbers, max),
        Some(_) => slots_by_map(numbers),
    }
}

/// [`slots`] through a table with an entry per group number up to `max`, the largest present.
fn slots_by_table(numbers: &GroupNumbers<'_>, max: u64) -> (Vec<u64>, Vec<u32>) {
    const SEEN: u32 = NO_SLOT - 1;
    let mut table = vec![NO_SLOT; max as usize + 1];
    numbers.for_each(|g| {
        if g != NO_GROUP {
            table[g as usize] = SEEN;
        }
    });
    let mut groups = Vec::new();
    for (g, slot) in table.iter_mut().enumerate() {
        if *slot == SEEN {
            *slot = groups.len() as u32;
            groups.push(g as u64);
        }
    }
    let mut slots = Vec::with_capacity(numbers.len());
    numbers.for_each(|g| slots.push(table.get(g as usize).copied().unwrap_or(NO_SLOT)));
    (groups, slots)
}

/// [`slots`] through a hash map, for group numbers too large for a table: rows take slots in
/// order of first appearance, renumbered afterwards in the groups' order.
fn slots_by_map(numbers: &GroupNumbers<'_>) -> (Vec<u64>, Vec<u32>) {
    let mut first_seen: foldhash::HashMap<u64, u32> = foldhash::HashMap::default();
    let mut slots = Vec::with_capacity(numbers.len());
    numbers.for_each(|g| {
        slots.push(if g == NO_GROUP {
            NO_SLOT
        } else {
            let next = first_seen.len() as u32;
            *first_seen.entry(g).or_insert(next)
        });
    });
    let mut by_number: Vec<(u64, u32)> = first_seen.into_iter().collect();
    by_number.sort_unstable();
    let mut renumber = vec![0u32; by_number.len()];
    for (slot, (_, seen)) in by_number.iter().enumerate() {
        renumber[*seen as usize] = slot as u32;
    }
    for s in slots.iter_mut().filter(|s| **s != NO_SLOT) {
        *s = renumber[*s as usize];
    }
    (by_number.into_iter().map(|(g, _)| g).collect(), slots)
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

    /// Each row finds its group by the table and, for group numbers past the table's limit,
    /// through the map; the groups are the numbers present, in increasing order; left-out rows
    /// (no key, or the skipped region) find none.
    #[test]
    fn rows_find_their_groups_by_table_and_by_map() {
        for big in [5u32, 200_000] {
            let frame = df!(
                c::REGION => [0u32, 3, 3, 8, 0],
                "key" => [Some(big), Some(1), None, Some(big), Some(1)],
            )
            .unwrap();
            let g = |k: u32, r: u64| u64::from(k) * REGION_SLOTS + r;
            let sorted = |mut v: Vec<u64>| {
                v.sort_unstable();
                v
            };
            let at = |groups: &[u64], v: u64| groups.iter().position(|x| *x == v).unwrap() as u32;

            let numbers = group_numbers(&frame, Some("key"), None).unwrap();
            let (groups, found) = slots(&numbers);
            assert_eq!(groups, sorted(vec![g(big, 0), g(1, 3), g(big, 8), g(1, 0)]));
            let expected = [
                at(&groups, g(big, 0)),
                at(&groups, g(1, 3)),
                NO_SLOT,
                at(&groups, g(big, 8)),
                at(&groups, g(1, 0)),
            ];
            assert_eq!(found, expected);

            let skipped = group_numbers(&frame, Some("key"), Some(0)).unwrap();
            let (groups, found) = slots(&skipped);
            assert_eq!(groups, sorted(vec![g(1, 3), g(big, 8)]));
            let expected = [
                NO_SLOT,
                at(&groups, g(1, 3)),
                NO_SLOT,
                at(&groups, g(big, 8)),
                NO_SLOT,
            ];
            assert_eq!(found, expected);
        }
        let frame = df!(c::REGION => [7u32, 2, 7]).unwrap();
        let numbers = group_numbers(&frame, None, None).unwrap();
        assert_eq!(slots(&numbers), (vec![2, 7], vec![1, 0, 1]));
        let nothing = df!(c::REGION => [7u32], "key" => [None::<u32>]).unwrap();
        let numbers = group_numbers(&nothing, Some("key"), None).unwrap();
        assert_eq!(slots(&numbers), (vec![], vec![NO_SLOT]));
    }
}
