//! The `session` column's texts of one period: each session's pseudonym made once, packed in one
//! buffer that the CSV and both Parquet writers share.
//!
//! A period has about one session per four rows. Kept as a map of owned strings, once per
//! writer, the names cost ~100 bytes a session three times over (~75 bytes a row at 20 million
//! rows); packed they cost their 16 characters and an offset, and a Parquet cell is a slice of
//! the shared buffer (a reference count, no copy).

use bytes::Bytes;
use rayon::prelude::*;

/// Sessions named per task when the names are made on every core.
const CHUNK: usize = 4_096;

/// The names of a set of sessions, by session number.
pub(crate) struct SessionNames {
    /// The session numbers named, ascending.
    numbers: Vec<u32>,
    /// Where each name ends in `text`; it starts where the one before ends.
    ends: Vec<usize>,
    text: Bytes,
}

impl SessionNames {
    /// Names every session that occurs in `sessions` (session numbers below `count`), calling
    /// `name` once per session, on every core; `name` appends the session's name to the string
    /// it is given.
    pub(crate) fn new(
        sessions: &[u32],
        count: usize,
        name: &(dyn Fn(u32, &mut String) + Sync),
    ) -> SessionNames {
        let mut seen = vec![false; count];
        for s in sessions {
            seen[*s as usize] = true;
        }
        let numbers: Vec<u32> = (0..count as u32).filter(|s| seen[*s as usize]).collect();
        drop(seen);
        let parts: Vec<(String, Vec<usize>)> = numbers
            .par_chunks(CHUNK)
            .map(|chunk| {
                // Pseudonyms are 16 characters: one allocation for the chunk's names.
                let mut text = String::with_capacity(chunk.len() * 16);
                let ends = chunk
                    .iter()
                    .map(|s| {
                        name(*s, &mut text);
                        text.len()
                    })
                    .collect();
                (text, ends)
            })
            .collect();
        let mut text = String::with_capacity(parts.iter().map(|(t, _)| t.len()).sum());
        let mut ends = Vec::with_capacity(numbers.len());
        for (part, part_ends) in parts {
            let offset = text.len();
            text.push_str(&part);
            ends.extend(part_ends.into_iter().map(|e| e + offset));
        }
        SessionNames {
            numbers,
            ends,
            text: Bytes::from(text),
        }
    }

    /// Position of `session` among the named ones.
    fn index(&self, session: u32) -> Option<usize> {
        // The sessions of a period are numbered mostly one after another: try the position that
        // would have before searching.
        let first = *self.numbers.first()?;
        let guess = session.checked_sub(first)? as usize;
        if self.numbers.get(guess) == Some(&session) {
            return Some(guess);
        }
        self.numbers.binary_search(&session).ok()
    }

    /// Where the name of `session` lies in the buffer; `None` for a session not named.
    fn span(&self, session: u32) -> Option<std::ops::Range<usize>> {
        let i = self.index(session)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(start..self.ends[i])
    }

    /// The name of `session` as bytes sharing the buffer; `None` for a session not named.
    pub(crate) fn bytes(&self, session: u32) -> Option<Bytes> {
        Some(self.text.slice(self.span(session)?))
    }

    /// The name of `session`; empty for a session not named.
    pub(crate) fn get(&self, session: u32) -> &str {
        // Built from `String`s and cut at their ends only, so always valid UTF-8.
        self.span(session)
            .and_then(|span| std::str::from_utf8(&self.text[span]).ok())
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_session_gets_its_own_name_once() {
        // Sessions 3 and 9 twice, 0 never; more than one chunk so the parts are joined.
        let mut sessions: Vec<u32> = vec![9, 3, 3, 9, 5];
        sessions.extend(10..(10 + 2 * CHUNK as u32));
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let names = SessionNames::new(&sessions, 10 + 2 * CHUNK, &|s, out| {
            calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            // Names of different lengths, some not ASCII.
            out.push_str(&format!("s{s}é{}", "x".repeat(s as usize % 3)));
        });
        assert_eq!(calls.into_inner(), 3 + 2 * CHUNK);
        for s in [3u32, 5, 9, 10, 4_200, 10 + 2 * CHUNK as u32 - 1] {
            let expected = format!("s{s}é{}", "x".repeat(s as usize % 3));
            assert_eq!(names.get(s), expected);
            assert_eq!(&names.bytes(s).unwrap()[..], expected.as_bytes());
        }
        for s in [0u32, 4, 6] {
            assert_eq!(names.get(s), "");
            assert!(names.bytes(s).is_none());
        }
    }

    #[test]
    fn no_sessions_no_names() {
        let names = SessionNames::new(&[], 4, &|_, _| unreachable!());
        assert_eq!(names.get(0), "");
        assert!(names.bytes(2).is_none());
    }
}
