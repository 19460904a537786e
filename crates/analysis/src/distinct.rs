//! The distinct sessions and clients of every group of a table, counted with a mark per id.
//!
//! polars' per-group `n_unique` builds a hash set for each group and column: over the nineteen
//! groupings of a period it was the largest single cost of the group tables (~12 % of the
//! analysis). Here each group's rows, bucketed once ([`crate::buckets`]), have their ids counted
//! with a mark array stamped with the group's round, so a count is one pass over the group's
//! rows with no hashing. The counts are whole numbers: the same whichever way they are computed.

use crate::buckets::Buckets;

/// For every group of `buckets`, the number of distinct sessions and of distinct clients among
/// its rows. `session` and `client` hold each row's ids.
pub(crate) fn distinct_per_group(
    buckets: &Buckets,
    session: &[u32],
    client: &[u32],
) -> Vec<(u64, u64)> {
    let mut sessions = DistinctIds::for_ids(session);
    let mut clients = DistinctIds::for_ids(client);
    (0..buckets.len())
        .map(|g| {
            let members = buckets.members(g);
            (
                sessions.count(members.iter().map(|&r| session[r as usize])),
                clients.count(members.iter().map(|&r| client[r as usize])),
            )
        })
        .collect()
}

/// Counts the distinct ids of lists of ids: with a mark per id when the ids are small numbers
/// (relief's ids are numbered 0, 1, 2 …), which takes one pass and no hashing; by sorting when
/// they are not.
pub(crate) struct DistinctIds {
    /// `mark[id] == round` when `id` was seen in the current count; empty for large ids.
    mark: Vec<u32>,
    round: u32,
}

impl DistinctIds {
    /// For ids up to `max` in lists of up to `rows` ids: a mark per id unless `max` is far beyond
    /// `rows` (then the marks would cost more than sorting each list).
    pub(crate) fn new(max: u32, rows: usize) -> DistinctIds {
        let dense = max as usize <= rows.saturating_mul(4).saturating_add(1024);
        DistinctIds {
            mark: if dense {
                vec![0; max as usize + 1]
            } else {
                Vec::new()
            },
            round: 0,
        }
    }

    /// For the ids of `ids`.
    fn for_ids(ids: &[u32]) -> DistinctIds {
        DistinctIds::new(ids.iter().copied().max().unwrap_or(0), ids.len())
    }

    /// Whether lists are counted by sorting (the ids were too large for marks).
    #[cfg(test)]
    pub(crate) fn sorts(&self) -> bool {
        self.mark.is_empty()
    }

    /// How many distinct ids `ids` holds.
    pub(crate) fn count(&mut self, ids: impl Iterator<Item = u32>) -> u64 {
        if self.mark.is_empty() {
            let mut ids: Vec<u32> = ids.collect();
            ids.sort_unstable();
            ids.dedup();
            return ids.len() as u64;
        }
        self.round += 1;
        let mut distinct = 0;
        for id in ids {
            let mark = &mut self.mark[id as usize];
            if *mark != self.round {
                *mark = self.round;
                distinct += 1;
            }
        }
        distinct
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buckets::NO_SLOT;
    use std::collections::{BTreeMap, BTreeSet};

    /// The counts match sets built per group, over rows with repeated and left-out members.
    #[test]
    fn counts_match_sets_per_group() {
        let mut state = 7u64;
        let mut next = |m: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        let n = 5_000;
        let slots: Vec<u32> = (0..n)
            .map(|_| match next(9) {
                0 => NO_SLOT,
                s => s as u32 - 1,
            })
            .collect();
        let session: Vec<u32> = (0..n).map(|_| next(700) as u32).collect();
        let client: Vec<u32> = (0..n).map(|_| next(60) as u32).collect();
        let mut sets: BTreeMap<u32, (BTreeSet<u32>, BTreeSet<u32>)> = BTreeMap::new();
        for i in 0..n {
            if slots[i] != NO_SLOT {
                let e = sets.entry(slots[i]).or_default();
                e.0.insert(session[i]);
                e.1.insert(client[i]);
            }
        }
        let counts = distinct_per_group(&Buckets::new(&slots, 8), &session, &client);
        for (g, (s, c)) in counts.iter().enumerate() {
            let (ss, cs) = sets.get(&(g as u32)).cloned().unwrap_or_default();
            assert_eq!((*s, *c), (ss.len() as u64, cs.len() as u64), "group {g}");
        }
    }

    #[test]
    fn an_empty_group_counts_nothing() {
        assert_eq!(
            distinct_per_group(&Buckets::new(&[1, NO_SLOT, 1], 3), &[4, 5, 4], &[0, 1, 2]),
            [(0, 0), (1, 2), (0, 0)]
        );
        assert_eq!(distinct_per_group(&Buckets::new(&[], 0), &[], &[]), []);
    }
}
