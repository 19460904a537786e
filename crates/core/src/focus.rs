//! Focus flags in the long layout (`yes`, `x`, `✓` …) (SPEC §2.6). Focus lists of the wide
//! layout are region names, so they are read by [`crate::Vocabulary::focus_list`].

use crate::ValueError;

/// Reads a focus flag. A blank cell means "not a focus region" (SPEC §2.6).
///
/// # Errors
/// [`ValueError::UnknownFocus`] for anything that is neither a yes nor a no.
pub fn focus_flag(text: &str) -> Result<bool, ValueError> {
    let t = text.trim().to_lowercase();
    match t.as_str() {
        "yes" | "y" | "true" | "1" | "x" | "✓" | "✔" | "☑" | "✅" | "ja" | "oui" | "si" => {
            Ok(true)
        }
        "" | "no" | "n" | "false" | "0" | "-" | "–" | "✗" | "nein" | "non" => Ok(false),
        _ => Err(ValueError::UnknownFocus(text.trim().to_string())),
    }
}

/// Reads a focus flag from a number cell: 1 is yes, 0 is no.
///
/// # Errors
/// [`ValueError::UnknownFocus`] for other numbers.
pub fn focus_from_number(value: f64) -> Result<bool, ValueError> {
    if value == 1.0 {
        Ok(true)
    } else if value == 0.0 {
        Ok(false)
    } else {
        Err(ValueError::UnknownFocus(crate::score::format_number(value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_accepted_spelling() {
        for yes in [
            "yes", "Yes", "Y", "true", "TRUE", "1", "x", "X", "✓", "✔", " yes ",
        ] {
            assert_eq!(focus_flag(yes), Ok(true), "{yes}");
        }
        for no in ["no", "N", "false", "0", "", "  ", "-"] {
            assert_eq!(focus_flag(no), Ok(false), "{no:?}");
        }
        assert_eq!(focus_from_number(1.0), Ok(true));
        assert_eq!(focus_from_number(0.0), Ok(false));
    }

    #[test]
    fn anything_else_is_refused_with_the_value() {
        let err = focus_flag("maybe").unwrap_err();
        assert_eq!(
            err.to_string(),
            "focus 'maybe' is not yes or no (yes/no, y/n, true/false, 1/0, x or ✓)"
        );
        assert_eq!(
            focus_from_number(2.0),
            Err(ValueError::UnknownFocus("2".into()))
        );
    }
}
