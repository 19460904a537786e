//! A frame's rows bucketed by group: the groups the figures ([`crate::figures`]) and the
//! distinct counts ([`crate::distinct`]) share.
//!
//! relief already knows each row's group as a small number (its slot, from the key × 16 +
//! region numbers of [`crate::groups`]), so asking polars to group the frame again would hash
//! every row a second time to find what is known (that hashing was ~4 % of a report's CPU).
//! Instead the row numbers are bucketed once by a counting sort, in row order within each
//! group, which is the order polars' own grouping lists a group's rows in: the figures, which
//! follow polars' kernels step for step, sum the same values in the same order and give the
//! same bits.

#[cfg(test)]
use polars::prelude::{GroupsIdx, GroupsType, IdxSize};

/// A row that belongs to no group.
pub(crate) const NO_SLOT: u32 = u32::MAX;

/// The row numbers of every group, each group's in row order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Buckets {
    /// Each group's rows: kept as one list per group so they can be handed to polars as they
    /// are, without a copy.
    groups: Vec<Vec<u32>>,
    /// How many rows were bucketed (with or without a group): every row number is below it.
    height: usize,
}

impl Buckets {
    /// Buckets rows `0..slots.len()` into groups `0..groups` by their slot; rows whose slot is
    /// [`NO_SLOT`] are left out.
    ///
    /// # Panics
    /// If a slot is neither [`NO_SLOT`] nor below `groups` (a bug in the caller).
    pub(crate) fn new(slots: &[u32], groups: usize) -> Buckets {
        let mut sizes = vec![0usize; groups];
        for &s in slots.iter().filter(|s| **s != NO_SLOT) {
            sizes[s as usize] += 1;
        }
        let mut rows: Vec<Vec<u32>> = sizes.into_iter().map(Vec::with_capacity).collect();
        for (row, &s) in slots.iter().enumerate() {
            if s != NO_SLOT {
                rows[s as usize].push(row as u32);
            }
        }
        Buckets {
            groups: rows,
            height: slots.len(),
        }
    }

    /// How many groups there are (some may be empty).
    pub(crate) fn len(&self) -> usize {
        self.groups.len()
    }

    /// The rows of group `g`, in row order.
    pub(crate) fn members(&self, g: usize) -> &[u32] {
        &self.groups[g]
    }

    /// The number of rows the groups were made from: a frame the groups are used on must have
    /// exactly this height.
    pub(crate) fn height(&self) -> usize {
        self.height
    }

    /// The groups as polars' positions, ready for its aggregation kernels: each group's first
    /// row and all its rows, in row order (the lists are handed over, not copied). The tests hold
    /// relief's figures beside polars' kernels with it.
    #[cfg(test)]
    pub(crate) fn into_polars(self) -> GroupsType {
        let first: Vec<IdxSize> = self
            .groups
            .iter()
            .map(|rows| rows.first().copied().unwrap_or(0) as IdxSize)
            .collect();
        let all = self.groups.into_iter().map(Into::into).collect();
        GroupsType::Idx(GroupsIdx::new(first, all, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_go_to_their_groups_in_row_order() {
        let b = Buckets::new(&[2, NO_SLOT, 0, 2, 0, 2], 4);
        assert_eq!(b.len(), 4);
        assert_eq!(b.members(0), [2, 4]);
        assert_eq!(b.members(1), [] as [u32; 0]);
        assert_eq!(b.members(2), [0, 3, 5]);
        assert_eq!(b.members(3), [] as [u32; 0]);
        assert_eq!(b.height(), 6);
        let GroupsType::Idx(idx) = b.clone().into_polars() else {
            panic!("index groups")
        };
        let groups: Vec<(u32, Vec<u32>)> = idx
            .iter()
            .map(|(first, all)| (first, all.to_vec()))
            .collect();
        assert_eq!(
            groups,
            [
                (2, vec![2, 4]),
                (0, vec![]),
                (0, vec![0, 3, 5]),
                (0, vec![])
            ]
        );
    }
}
