//! Words in `relief.toml` that would name two things at once.
//!
//! A region synonym, pressure word or column name added in the config is looked up exactly as
//! a cell would be, against the built-in names and the config's earlier additions. If it
//! already names something else — `knot` given to both `neck` and `shoulders`, or `hip` given to
//! `lower_back` when it is a built-in name of `hips` — one of the two would quietly lose every
//! cell that says it, so the config is refused, naming the word and both owners.

use super::{Vocabulary, normalize_header, words};
use crate::{Config, ConfigError};

/// Checks the config's added words (see the module docs).
///
/// # Errors
/// [`ConfigError::Conflict`] naming the first word that names two things, and both.
pub(crate) fn check(config: &Config) -> Result<(), ConfigError> {
    let builtin = Vocabulary::default();
    let mut vocabulary = Vocabulary::default();
    let owner = |builtin_owner: bool, key: &str| {
        if builtin_owner {
            format!("it is a built-in name of {key}")
        } else {
            format!("it is given to {key} too")
        }
    };
    for (region, names) in &config.regions {
        for name in names {
            if let Ok((other, side)) = vocabulary.region(name)
                && other != *region
            {
                let side = side.map_or_else(String::new, |s| format!(" ({} side)", s.key()));
                let is_builtin = builtin.region(name).is_ok_and(|(r, _)| r == other);
                return Err(conflict(
                    "regions",
                    name,
                    region.key(),
                    &format!("{}{side}", owner(is_builtin, other.key())),
                    "region",
                ));
            }
            vocabulary.regions.insert(words(name), *region);
        }
    }
    for (level, names) in &config.pressure {
        for name in names {
            if let Ok(other) = vocabulary.pressure(name)
                && other != *level
            {
                let is_builtin = builtin.pressure(name) == Ok(other);
                return Err(conflict(
                    "pressure",
                    name,
                    level.key(),
                    &owner(is_builtin, other.key()),
                    "pressure level",
                ));
            }
            vocabulary.pressure.insert(words(name), *level);
        }
    }
    for (field, names) in &config.headers {
        for name in names {
            if let Some(other) = vocabulary.field(name)
                && other != *field
            {
                let is_builtin = builtin.field(name) == Some(other);
                return Err(conflict(
                    "headers",
                    name,
                    field.key(),
                    &owner(is_builtin, other.key()),
                    "column",
                ));
            }
            vocabulary.headers.insert(normalize_header(name), *field);
        }
    }
    Ok(())
}

fn conflict(table: &str, word: &str, key: &str, owner: &str, what: &str) -> ConfigError {
    ConfigError::Conflict(format!(
        "[{table}] gives '{word}' to {key}, but {owner}; a word can name only one {what}, so remove it from one of them"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(toml: &str) -> String {
        Config::from_toml(toml).unwrap_err().to_string()
    }

    #[test]
    fn a_word_given_to_two_regions_names_both() {
        assert_eq!(
            err("[regions]\nneck = ['knot']\nshoulders = ['Knot']\n"),
            "[regions] gives 'Knot' to shoulders, but it is given to neck too; a word can name only one region, so remove it from one of them"
        );
        // Singular and plural are alike, as when cells are read.
        assert!(err("[regions]\nneck = ['knot']\nshoulders = ['knots']\n").contains("'knots'"));
    }

    #[test]
    fn a_built_in_name_of_another_region_is_refused() {
        assert_eq!(
            err("[regions]\nlower_back = ['hip']\n"),
            "[regions] gives 'hip' to lower_back, but it is a built-in name of hips; a word can name only one region, so remove it from one of them"
        );
        assert!(err("[regions]\nlower_back = ['glute']\n").contains("hips"));
        assert!(
            err("[regions]\nneck = ['left shoulder']\n")
                .contains("built-in name of shoulders (left side)")
        );
    }

    #[test]
    fn pressure_words_and_column_names_conflict_the_same_way() {
        assert_eq!(
            err("[pressure]\nlight = ['firm']\n"),
            "[pressure] gives 'firm' to light, but it is a built-in name of firm; a word can name only one pressure level, so remove it from one of them"
        );
        assert!(err("[pressure]\ndeep = ['1']\n").contains("built-in name of light"));
        assert!(err("[pressure]\nlight = ['x']\ndeep = ['X']\n").contains("given to light too"));
        assert_eq!(
            err("[headers]\ndate = ['Session']\n"),
            "[headers] gives 'Session' to date, but it is a built-in name of session_id; a word can name only one column, so remove it from one of them"
        );
        assert!(err("[headers]\ndate = ['Termin']\nclient = ['termin']\n").contains("date too"));
    }

    #[test]
    fn words_for_their_own_owner_are_fine() {
        Config::from_toml(
            "[regions]\nhips = ['hip', 'Hüfte']\nneck = ['knot', 'knots']\n[pressure]\nfirm = ['firm', 'kräftig']\n[headers]\ndate = ['Date', 'Termin']\n",
        )
        .unwrap();
    }
}
