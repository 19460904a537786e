//! Words in `relief.toml` that would name two things at once.
//!
//! A region synonym, pressure word or column name added in the config is looked up exactly as
//! a cell would be, against the built-in names and the config's earlier additions. If it
//! already names something else — `knot` given to both `neck` and `shoulders`, or `hip` given to
//! `lower_back` when it is a built-in name of `hips` — one of the two would quietly lose every
//! cell that says it, so the config is refused, naming the word and both owners.

use super::{Vocabulary, normalize_header, words};
use crate::{Config, ConfigError, Field, Pressure, Region};
use std::collections::BTreeMap;

/// Checks the config's added words (see the module docs).
///
/// # Errors
/// [`ConfigError::Conflict`] naming the first word that names two things, and both.
pub(crate) fn check(config: &Config) -> Result<(), ConfigError> {
    let builtin = Vocabulary::default();
    let mut vocabulary = Vocabulary::default();
    let regions = Table {
        name: "regions",
        what: "region",
        key: Region::key,
        owner: |v, word| {
            let (region, side) = v.region(word).ok()?;
            let side = side.map_or_else(String::new, |s| format!(" ({} side)", s.key()));
            Some((region, side))
        },
        insert: |v, word, region| {
            v.regions.insert(words(word), region);
        },
    };
    let pressure = Table {
        name: "pressure",
        what: "pressure level",
        key: Pressure::key,
        owner: |v, word| Some((v.pressure(word).ok()?, String::new())),
        insert: |v, word, level| {
            v.pressure.insert(words(word), level);
        },
    };
    let headers = Table {
        name: "headers",
        what: "column",
        key: Field::key,
        owner: |v, word| Some((v.field(word)?, String::new())),
        insert: |v, word, field| {
            v.headers.insert(normalize_header(word), field);
        },
    };
    regions.check(&config.regions, &mut vocabulary, &builtin)?;
    pressure.check(&config.pressure, &mut vocabulary, &builtin)?;
    headers.check(&config.headers, &mut vocabulary, &builtin)
}

/// One table of `relief.toml` whose words name keys: how a word is looked up, and added.
struct Table<K> {
    /// The table's name in the config: `regions`.
    name: &'static str,
    /// What a key is, in words: `region`.
    what: &'static str,
    key: fn(K) -> &'static str,
    /// The key a word names so far, and words to add after the owner's name (a side).
    owner: fn(&Vocabulary, &str) -> Option<(K, String)>,
    insert: fn(&mut Vocabulary, &str, K),
}

impl<K: Copy + PartialEq> Table<K> {
    /// Adds the config's words of this table one by one, refusing the first that already
    /// names another key.
    fn check(
        &self,
        added: &BTreeMap<K, Vec<String>>,
        vocabulary: &mut Vocabulary,
        builtin: &Vocabulary,
    ) -> Result<(), ConfigError> {
        for (&key, names) in added {
            for name in names {
                if let Some((other, more)) = (self.owner)(vocabulary, name)
                    && other != key
                {
                    let is_builtin = (self.owner)(builtin, name).map(|o| o.0) == Some(other);
                    let owner = if is_builtin {
                        format!("it is a built-in name of {}", (self.key)(other))
                    } else {
                        format!("it is given to {} too", (self.key)(other))
                    };
                    let (table, key) = (self.name, (self.key)(key));
                    return Err(conflict(table, name, key, &(owner + &more), self.what));
                }
                (self.insert)(vocabulary, name, key);
            }
        }
        Ok(())
    }
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
