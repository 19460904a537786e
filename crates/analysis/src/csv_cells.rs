//! Text cells of the clean CSV, encoded once instead of once per row.
//!
//! Most cells of `sessions.csv` repeat: a clinic has a handful of therapists, techniques, files
//! and sheets and a few thousand clients, spread over hundreds of thousands of rows. Passing each
//! cell through the CSV writer's quoting and the formula guard ([`neutralise_formula`]) row by
//! row was a tenth of a report's CPU; here every text is encoded once, by the same `csv` writer
//! and the same guard, and a row is a copy of finished bytes.
//!
//! Session pseudonyms are one per session rather than shared, so they are not stored twice:
//! [`push_cell`] copies a text that is plainly safe (letters and digits) as it is and sends
//! anything else through the writer and the guard, which is what they would have done to it.

use crate::AnalysisError;
use crate::export::neutralise_formula;

/// Texts encoded as CSV cells, packed in one buffer.
#[derive(Debug, Default)]
pub(crate) struct Cells {
    bytes: Vec<u8>,
    /// Where each cell's record ends in `bytes`, after its newline; it starts where the one
    /// before ends. An empty cell has no record (and so no newline).
    ends: Vec<usize>,
}

impl Cells {
    /// Every one of `texts` as the CSV cell the writer would make of it, neutralised first when
    /// `neutralise` (text from the exports; relief's own words do not need it).
    pub(crate) fn new(
        texts: impl IntoIterator<Item = impl AsRef<str>>,
        neutralise: bool,
    ) -> Result<Cells, AnalysisError> {
        // One record of one field per text: the writer quotes it exactly as it would inside a
        // row, and ends it with a newline that `get` leaves out. An empty text is no record (a
        // record of one empty field would be written as `""`, which a row never holds).
        let mut writer = csv::Writer::from_writer(Vec::new());
        let mut ends = Vec::new();
        for text in texts {
            let text = text.as_ref();
            if !text.is_empty() {
                let text = if neutralise {
                    neutralise_formula(text)
                } else {
                    text.into()
                };
                writer.write_record([&*text])?;
                writer.flush()?;
            }
            ends.push(writer.get_ref().len());
        }
        let bytes = writer.into_inner().map_err(|e| e.into_error())?;
        Ok(Cells { bytes, ends })
    }

    /// Cell `i`.
    pub(crate) fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        let end = self.ends[i];
        if end == start {
            &[]
        } else {
            &self.bytes[start..end - 1]
        }
    }
}

/// Appends `text` to `out` as a neutralised CSV cell, copied as it is when it is only ASCII
/// letters and digits (which neither the writer nor the guard would change).
pub(crate) fn push_cell(out: &mut Vec<u8>, text: &str) -> Result<(), AnalysisError> {
    if text.bytes().all(|b| b.is_ascii_alphanumeric()) {
        out.extend_from_slice(text.as_bytes());
    } else {
        out.extend_from_slice(Cells::new([text], true)?.get(0));
    }
    Ok(())
}

/// Appends `v` as the CSV shows a number: whole numbers (most scores) as integers, anything
/// else in Rust's shortest exact form, which is what `{v}` prints for both.
pub(crate) fn push_number(out: &mut Vec<u8>, v: f64) {
    use std::io::Write as _;
    // -0 keeps its sign through `{v}`, so it takes the general path.
    if v.fract() == 0.0 && v.abs() < 1e15 && !(v == 0.0 && v.is_sign_negative()) {
        out.extend_from_slice(itoa::Buffer::new().format(v as i64).as_bytes());
    } else {
        let _ = write!(out, "{v}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every cell is what the `csv` writer makes of the text inside a row of several fields.
    #[test]
    fn cells_match_the_writer_inside_a_row() {
        let texts = [
            "Ana Costa",
            "",
            "a,b",
            "say \"hi\"",
            "two\nlines",
            "=1+1",
            "-2",
            "é ü",
            "cr\r",
            " lead",
        ];
        let cells = Cells::new(texts, true).unwrap();
        for (i, text) in texts.iter().enumerate() {
            let mut row = csv::Writer::from_writer(Vec::new());
            row.write_record(["x", &*neutralise_formula(text), "y"])
                .unwrap();
            let row = row.into_inner().unwrap();
            let mut expected = b"x,".to_vec();
            expected.extend_from_slice(cells.get(i));
            expected.extend_from_slice(b",y\n");
            assert_eq!(row, expected, "text {text:?}");
            let mut pushed = Vec::new();
            push_cell(&mut pushed, text).unwrap();
            assert_eq!(pushed, cells.get(i), "text {text:?}");
        }
        // Without the guard, text stays as it is.
        assert_eq!(Cells::new(["=1"], false).unwrap().get(0), b"=1");
    }

    #[test]
    fn numbers_print_as_display_does() {
        for v in [
            0.0,
            -0.0,
            2.0,
            -3.0,
            0.4,
            -0.25,
            1.0 / 3.0,
            1e15,
            123456789.0,
            7.5,
        ] {
            let mut out = Vec::new();
            push_number(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), format!("{v}"), "{v}");
        }
    }
}
