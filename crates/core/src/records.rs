//! [`Records`]: many session × region records stored as columns, the form the reader hands to
//! the analysis.
//!
//! A franchise's year is tens of millions of rows; one owned [`Record`] per row (with its
//! shared texts, origin and options) costs ~150 bytes and a pointer chase per field, and every
//! text compared or hashed character by character. Here each field is one column of plain
//! numbers (~60 bytes a row): every text (client pseudonym, therapist, technique, session id,
//! file, sheet) is stored once in a [`Texts`] table and the column holds its number, dates are
//! day numbers, optional values use a reserved value instead of an `Option`. Sorting, grouping
//! and deduplicating then work on fixed-width numbers, and the analysis builds its frame from
//! the columns without copying them row by row.
//!
//! [`Record`] stays the convenient form for one row: [`Records::push`] takes one and
//! [`Records::get`] gives one back, exactly as it went in.

use crate::{Origin, Pressure, Record, Region, Side};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::Arc;

/// The number a text column holds where the value was not recorded.
pub const NO_TEXT: u32 = u32::MAX;

type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// Every distinct text of a set of records, each stored once and numbered in order of arrival.
#[derive(Debug, Clone, Default)]
pub struct Texts {
    list: Vec<Arc<str>>,
    ids: FastMap<Arc<str>, u32>,
}

impl Texts {
    /// The number of `text`, adding it if it is new.
    pub fn id(&mut self, text: &Arc<str>) -> u32 {
        if let Some(id) = self.ids.get(text) {
            return *id;
        }
        let id = self.list.len() as u32;
        self.list.push(text.clone());
        self.ids.insert(text.clone(), id);
        id
    }

    /// The text numbered `id`.
    ///
    /// # Panics
    /// When `id` was not given out by this table (a bug).
    pub fn get(&self, id: u32) -> &Arc<str> {
        &self.list[id as usize]
    }

    /// How many distinct texts there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Every text, by number.
    pub fn all(&self) -> &[Arc<str>] {
        &self.list
    }
}

/// The last text interned for one column, so runs of the same value (a sheet's rows, a
/// session's regions) skip the hash lookup.
#[derive(Debug, Clone, Default)]
struct Last(Option<(Arc<str>, u32)>);

impl Last {
    fn id(&mut self, texts: &mut Texts, text: &Arc<str>) -> u32 {
        if let Some((t, id)) = &self.0
            && Arc::ptr_eq(t, text)
        {
            return *id;
        }
        let id = texts.id(text);
        self.0 = Some((text.clone(), id));
        id
    }
}

/// Session × region records as columns. Row `i` of every column is record `i`.
#[derive(Debug, Clone, Default)]
pub struct Records {
    texts: Texts,
    last: [Last; 6],
    /// Days from 0001-01-01 (chrono's day count from the common era).
    pub day: Vec<i32>,
    pub client: Vec<u32>,
    /// [`NO_TEXT`] for a sheet without a therapist column (a solo practice).
    pub therapist: Vec<u32>,
    /// [`NO_TEXT`] when the export has no session id.
    pub session_id: Vec<u32>,
    /// Position in [`Region::ALL`].
    pub region: Vec<u8>,
    /// 0 none, 1 left, 2 right, 3 both.
    pub side: Vec<u8>,
    pub before: Vec<f64>,
    pub after: Vec<f64>,
    /// 0 unknown, else 1 + position in [`Pressure::ALL`].
    pub pressure: Vec<u8>,
    /// NaN when unknown.
    pub minutes: Vec<f64>,
    /// 0 not a focus, 1 focus, 2 unknown.
    pub focus: Vec<u8>,
    /// [`NO_TEXT`] when unknown.
    pub technique: Vec<u32>,
    pub file: Vec<u32>,
    pub sheet: Vec<u32>,
    /// As Excel shows it, counting from 1.
    pub row: Vec<u32>,
}

const SIDES: [Option<Side>; 4] = [None, Some(Side::Left), Some(Side::Right), Some(Side::Both)];

fn side_code(side: Option<Side>) -> u8 {
    SIDES.iter().position(|s| *s == side).unwrap_or(0) as u8
}

/// The region at position `i` of [`Region::ALL`].
pub fn region_at(i: u8) -> Region {
    Region::ALL[i as usize]
}

/// The position of `region` in [`Region::ALL`] (report order).
pub fn region_index(region: Region) -> u8 {
    Region::ALL.iter().position(|r| *r == region).unwrap_or(0) as u8
}

/// Days from the common era for a date, as the `day` column holds them.
pub fn day_number(date: NaiveDate) -> i32 {
    use chrono::Datelike;
    date.num_days_from_ce()
}

/// The date of a `day` column value.
pub fn date_of(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day).unwrap_or(NaiveDate::MIN)
}

/// The side of a `side` column value.
pub fn side_of(code: u8) -> Option<Side> {
    SIDES.get(code as usize).copied().flatten()
}

/// The pressure of a `pressure` column value.
pub fn pressure_of(code: u8) -> Option<Pressure> {
    code.checked_sub(1)
        .and_then(|i| Pressure::ALL.get(i as usize).copied())
}

/// The focus flag of a `focus` column value.
pub fn focus_of(code: u8) -> Option<bool> {
    match code {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    }
}

impl Records {
    /// No records, room for `n`.
    pub fn with_capacity(n: usize) -> Records {
        let mut r = Records::default();
        r.reserve(n);
        r
    }

    fn reserve(&mut self, n: usize) {
        self.day.reserve(n);
        self.client.reserve(n);
        self.therapist.reserve(n);
        self.session_id.reserve(n);
        self.region.reserve(n);
        self.side.reserve(n);
        self.before.reserve(n);
        self.after.reserve(n);
        self.pressure.reserve(n);
        self.minutes.reserve(n);
        self.focus.reserve(n);
        self.technique.reserve(n);
        self.file.reserve(n);
        self.sheet.reserve(n);
        self.row.reserve(n);
    }

    /// How many records.
    pub fn len(&self) -> usize {
        self.day.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.day.is_empty()
    }

    /// The table the text columns' numbers point into.
    pub fn texts(&self) -> &Texts {
        &self.texts
    }

    /// The text of a text column's value; `None` for [`NO_TEXT`].
    pub fn text(&self, id: u32) -> Option<&Arc<str>> {
        (id != NO_TEXT).then(|| self.texts.get(id))
    }

    /// Adds one record at the end.
    pub fn push(&mut self, r: Record) {
        let [client, therapist, session, technique, file, sheet] = &mut self.last;
        let t = &mut self.texts;
        self.client.push(client.id(t, &r.client));
        self.therapist
            .push(r.therapist.as_ref().map_or(NO_TEXT, |s| therapist.id(t, s)));
        self.session_id
            .push(r.session_id.as_ref().map_or(NO_TEXT, |s| session.id(t, s)));
        self.technique
            .push(r.technique.as_ref().map_or(NO_TEXT, |s| technique.id(t, s)));
        self.file.push(file.id(t, &r.origin.file));
        self.sheet.push(sheet.id(t, &r.origin.sheet));
        self.day.push(day_number(r.date));
        self.region.push(region_index(r.region));
        self.side.push(side_code(r.side));
        self.before.push(r.before);
        self.after.push(r.after);
        self.pressure.push(r.pressure.map_or(0, |p| {
            1 + Pressure::ALL.iter().position(|x| *x == p).unwrap_or(0) as u8
        }));
        self.minutes.push(r.minutes.unwrap_or(f64::NAN));
        self.focus.push(match r.focus {
            Some(false) => 0,
            Some(true) => 1,
            None => 2,
        });
        self.row.push(r.origin.row);
    }

    /// Record `i`, as it was pushed.
    ///
    /// # Panics
    /// When `i` is out of range.
    pub fn get(&self, i: usize) -> Record {
        let text = |id: u32| self.texts.get(id).clone();
        Record {
            date: date_of(self.day[i]),
            client: text(self.client[i]),
            therapist: self.text(self.therapist[i]).cloned(),
            session_id: self.text(self.session_id[i]).cloned(),
            region: region_at(self.region[i]),
            side: side_of(self.side[i]),
            before: self.before[i],
            after: self.after[i],
            pressure: pressure_of(self.pressure[i]),
            minutes: Some(self.minutes[i]).filter(|m| !m.is_nan()),
            focus: focus_of(self.focus[i]),
            technique: self.text(self.technique[i]).cloned(),
            origin: Origin {
                file: text(self.file[i]),
                sheet: text(self.sheet[i]),
                row: self.row[i],
            },
        }
    }

    /// The first record, if any.
    pub fn first(&self) -> Option<Record> {
        (!self.is_empty()).then(|| self.get(0))
    }

    /// The last record, if any.
    pub fn last(&self) -> Option<Record> {
        self.len().checked_sub(1).map(|i| self.get(i))
    }

    /// Every record, in order, as owned [`Record`]s (for tests and small inputs; the analysis
    /// reads the columns).
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            records: self,
            next: 0,
        }
    }

    /// Appends every record of `other`, renumbering its texts into this table.
    pub fn append(&mut self, other: Records) {
        let map: Vec<u32> = other.texts.list.iter().map(|t| self.texts.id(t)).collect();
        let map = &map;
        let remap = |v: Vec<u32>| {
            v.into_iter().map(move |id| {
                if id == NO_TEXT {
                    NO_TEXT
                } else {
                    map[id as usize]
                }
            })
        };
        self.client.extend(remap(other.client));
        self.therapist.extend(remap(other.therapist));
        self.session_id.extend(remap(other.session_id));
        self.technique.extend(remap(other.technique));
        self.file.extend(remap(other.file));
        self.sheet.extend(remap(other.sheet));
        self.day.extend(other.day);
        self.region.extend(other.region);
        self.side.extend(other.side);
        self.before.extend(other.before);
        self.after.extend(other.after);
        self.pressure.extend(other.pressure);
        self.minutes.extend(other.minutes);
        self.focus.extend(other.focus);
        self.row.extend(other.row);
        self.last = Default::default();
    }

    /// Keeps the records whose `keep` entry is true, in order.
    ///
    /// # Panics
    /// When `keep` is shorter than the records.
    pub fn retain(&mut self, keep: &[bool]) {
        fn filter<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
            let mut i = 0;
            v.retain(|_| {
                i += 1;
                keep[i - 1]
            });
        }
        filter(&mut self.day, keep);
        filter(&mut self.client, keep);
        filter(&mut self.therapist, keep);
        filter(&mut self.session_id, keep);
        filter(&mut self.region, keep);
        filter(&mut self.side, keep);
        filter(&mut self.before, keep);
        filter(&mut self.after, keep);
        filter(&mut self.pressure, keep);
        filter(&mut self.minutes, keep);
        filter(&mut self.focus, keep);
        filter(&mut self.technique, keep);
        filter(&mut self.file, keep);
        filter(&mut self.sheet, keep);
        filter(&mut self.row, keep);
    }
}

/// The records of a [`Records`], in order, as owned [`Record`]s.
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    records: &'a Records,
    next: usize,
}

impl Iterator for Iter<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        let i = self.next;
        (i < self.records.len()).then(|| {
            self.next += 1;
            self.records.get(i)
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.records.len() - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Records {
    type Item = Record;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl FromIterator<Record> for Records {
    fn from_iter<I: IntoIterator<Item = Record>>(iter: I) -> Records {
        let mut out = Records::default();
        for r in iter {
            out.push(r);
        }
        out
    }
}

impl Extend<Record> for Records {
    fn extend<I: IntoIterator<Item = Record>>(&mut self, iter: I) {
        for r in iter {
            self.push(r);
        }
    }
}

impl PartialEq for Records {
    /// Equal when they hold the same records in the same order (however their texts are
    /// numbered).
    fn eq(&self, other: &Records) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(client: &str, row: u32, minutes: Option<f64>, focus: Option<bool>) -> Record {
        Record {
            date: NaiveDate::from_ymd_opt(2026, 10, 3).unwrap(),
            client: Arc::from(client),
            therapist: Some(Arc::from("Ana")),
            session_id: row.is_multiple_of(2).then(|| Arc::from("S1")),
            region: Region::ALL[row as usize % 9],
            side: [None, Some(Side::Left)][row as usize % 2],
            before: 7.5,
            after: 0.11,
            pressure: Some(Pressure::ALL[row as usize % 4]),
            minutes,
            focus,
            technique: None,
            origin: Origin {
                file: Arc::from("a.xlsx"),
                sheet: Arc::from("Sessions"),
                row,
            },
        }
    }

    #[test]
    fn records_come_back_exactly_as_they_went_in() {
        let input = vec![
            record("c1", 2, Some(15.0), Some(true)),
            record("c2", 3, None, None),
            record("c1", 4, Some(0.5), Some(false)),
        ];
        let records: Records = input.iter().cloned().collect();
        assert_eq!(records.len(), 3);
        assert_eq!(records.iter().collect::<Vec<_>>(), input);
        assert_eq!(records.texts().len(), 6); // c1, Ana, S1, a.xlsx, Sessions, c2
    }

    #[test]
    fn appending_renumbers_texts_and_retain_keeps_order() {
        let a: Records = vec![record("c1", 2, None, None)].into_iter().collect();
        let b: Records = vec![
            record("c9", 3, Some(3.0), Some(true)),
            record("c1", 5, None, None),
        ]
        .into_iter()
        .collect();
        let expected: Vec<Record> = a.iter().chain(b.iter()).collect();
        let mut all = a.clone();
        all.append(b);
        assert_eq!(all.iter().collect::<Vec<_>>(), expected);
        all.retain(&[true, false, true]);
        assert_eq!(
            all.iter().collect::<Vec<_>>(),
            vec![expected[0].clone(), expected[2].clone()]
        );
        assert_eq!(all.client[0], all.client[1], "one number per client");
    }
}
