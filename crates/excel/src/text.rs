//! Making any text safe to put in a workbook.
//!
//! Sheet names, cell text and table values come partly from therapists' exports, which may hold
//! anything: brackets and slashes in a therapist's name, a pasted essay in a note column, a value
//! that starts with `=`. Excel refuses some of these outright (a sheet name over 31 characters, a
//! cell over 32,767) and would misread others, so every user-supplied string passes through here
//! before it reaches a sheet.

use std::borrow::Cow;
use std::collections::HashSet;

/// Excel's limit on the text of one cell, in UTF-16 code units (what Excel counts).
pub const MAX_CELL_TEXT: usize = 32_767;

/// Excel's limit on the length of a sheet name, in UTF-16 code units.
pub const MAX_SHEET_NAME: usize = 31;

/// Characters Excel does not allow in a sheet name.
const SHEET_NAME_FORBIDDEN: [char; 7] = ['[', ']', ':', '*', '?', '/', '\\'];

/// Returns `text` cut to fit one Excel cell, ending with a mark that says how much was cut.
///
/// Text that already fits is returned unchanged. The mark is part of the kept text, so the
/// result never exceeds [`MAX_CELL_TEXT`] UTF-16 units and a character is never split.
pub fn fit_cell(text: &str) -> Cow<'_, str> {
    fit_to(text, MAX_CELL_TEXT)
}

/// Like [`fit_cell`] with an arbitrary limit (in UTF-16 units); the limit must exceed the mark.
fn fit_to(text: &str, limit: usize) -> Cow<'_, str> {
    let total = utf16_len(text);
    if total <= limit {
        return Cow::Borrowed(text);
    }
    // The mark names the number of characters dropped, which depends on where the cut falls;
    // reserving room for the longest possible mark keeps the arithmetic one pass.
    let reserve = utf16_len(&cut_mark(total)) + 1;
    let budget = limit.saturating_sub(reserve);
    let mut used = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        if used + c.len_utf16() > budget {
            break;
        }
        used += c.len_utf16();
        end = i + c.len_utf8();
    }
    let dropped = text[end..].chars().count();
    Cow::Owned(format!("{}{}", &text[..end], cut_mark(dropped)))
}

/// The mark that ends a cut text: `… [cut: 7233 more characters]`.
fn cut_mark(dropped: usize) -> String {
    format!("… [cut: {dropped} more characters]")
}

/// Length of `text` as Excel counts it: UTF-16 code units.
fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// Whether Excel or LibreOffice would take this text for a formula if a person re-typed or
/// re-imported it. Such cells are written as text with Excel's quote prefix, so they stay text.
pub fn looks_like_formula(text: &str) -> bool {
    matches!(text.chars().next(), Some('=' | '+' | '-' | '@'))
}

/// Gives out valid, unique sheet names.
///
/// Excel requires names of 1–31 characters without `[]:*?/\`, not starting or ending with an
/// apostrophe, not `History`, and unique ignoring case. Names that break a rule are repaired,
/// never refused: forbidden characters become `_`, long names are cut, and a clash gets a
/// ` (2)`, ` (3)` … suffix.
#[derive(Debug, Default)]
pub struct SheetNames {
    taken: HashSet<String>,
}

impl SheetNames {
    /// Starts with no names taken.
    pub fn new() -> SheetNames {
        SheetNames::default()
    }

    /// Returns a valid name close to `wanted` that no earlier call has returned.
    pub fn claim(&mut self, wanted: &str) -> String {
        let base = clean_sheet_name(wanted);
        let mut candidate = base.clone();
        let mut n = 2;
        while self.taken.contains(&candidate.to_lowercase()) {
            let suffix = format!(" ({n})");
            let room = MAX_SHEET_NAME - suffix.len();
            candidate = format!("{}{suffix}", cut_units(&base, room).trim_end());
            n += 1;
        }
        self.taken.insert(candidate.to_lowercase());
        candidate
    }
}

/// Repairs one name without looking at the others.
fn clean_sheet_name(wanted: &str) -> String {
    let replaced: String = wanted
        .chars()
        .map(|c| {
            if SHEET_NAME_FORBIDDEN.contains(&c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = replaced.trim().trim_matches('\'').trim();
    let cut = cut_units(trimmed, MAX_SHEET_NAME).trim_end().to_string();
    if cut.is_empty() {
        "Sheet".to_string()
    } else if cut.eq_ignore_ascii_case("history") {
        // Excel reserves this name for its change-tracking sheet.
        "History_".to_string()
    } else {
        cut
    }
}

/// The longest prefix of `text` with at most `units` UTF-16 code units.
fn cut_units(text: &str, units: usize) -> &str {
    let mut used = 0;
    for (i, c) in text.char_indices() {
        used += c.len_utf16();
        if used > units {
            return &text[..i];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_untouched() {
        assert!(matches!(
            fit_cell("Lower back"),
            Cow::Borrowed("Lower back")
        ));
    }

    #[test]
    fn long_text_is_cut_to_the_limit_with_a_mark() {
        let text = "x".repeat(40_000);
        let fitted = fit_cell(&text);
        assert!(utf16_len(&fitted) <= MAX_CELL_TEXT);
        assert!(utf16_len(&fitted) > MAX_CELL_TEXT - 60, "cut far too much");
        let kept = fitted.chars().take_while(|&c| c == 'x').count();
        assert!(fitted.ends_with(&format!("… [cut: {} more characters]", 40_000 - kept)));
    }

    #[test]
    fn cutting_never_splits_a_surrogate_pair() {
        // Emoji take two UTF-16 units each, so the limit falls in odd places.
        let text = "😀".repeat(20_000);
        let fitted = fit_cell(&text);
        assert!(utf16_len(&fitted) <= MAX_CELL_TEXT);
        let kept = fitted.chars().take_while(|&c| c == '😀').count();
        assert!(fitted.ends_with(&format!("[cut: {} more characters]", 20_000 - kept)));
    }

    #[test]
    fn formula_lookalikes_are_spotted() {
        assert!(looks_like_formula("=SUM(A1:A3)"));
        assert!(looks_like_formula("+7"));
        assert!(looks_like_formula("-1"));
        assert!(looks_like_formula("@cmd"));
        assert!(!looks_like_formula("7/10"));
        assert!(!looks_like_formula(""));
    }

    #[test]
    fn sheet_names_are_repaired_and_unique() {
        let mut names = SheetNames::new();
        let nasty = "Dr [A]: B*C? D/E\\F and a very long tail";
        let first = names.claim(nasty);
        assert_eq!(first, "Dr _A__ B_C_ D_E_F and a very l");
        assert_eq!(utf16_len(&first), 31);
        let second = names.claim(nasty);
        assert_eq!(second, "Dr _A__ B_C_ D_E_F and a ve (2)");
        assert_eq!(names.claim("REGIONS"), "REGIONS");
        assert_eq!(names.claim("regions"), "regions (2)");
        assert_eq!(names.claim("''"), "Sheet");
        assert_eq!(names.claim("history"), "History_");
    }
}
