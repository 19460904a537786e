//! The lookup tables built from the built-in names plus the config: header names, region
//! synonyms with sides, pressure words.
//!
//! Build one [`Vocabulary`] per run and share it; every lookup is a hash probe on a normalised
//! key, so reading millions of cells costs no allocation beyond the key.

use crate::{Config, DateOrder, Field, Pressure, Region, ScoreScale, Side, ValueError};
use std::collections::{BTreeMap, HashMap};

/// Normalises a header for matching: lower case, a trailing unit in parentheses dropped, and
/// spaces, `_`, `-`, `.` removed (SPEC §2.4). `"Soreness Before (0-10)"` becomes
/// `"sorenessbefore"`.
pub fn normalize_header(header: &str) -> String {
    let h = strip_trailing_parens(header.trim());
    h.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '.' | '–'))
        .flat_map(char::to_lowercase)
        .collect()
}

fn strip_trailing_parens(s: &str) -> &str {
    let t = s.trim_end();
    if t.ends_with(')')
        && let Some(open) = t.rfind('(')
    {
        return t[..open].trim_end();
    }
    t
}

/// Normalises free text into lower-case words separated by single spaces; `_`, `-`, `.`, `,`
/// and dashes become spaces. `"Lower-Back "` becomes `"lower back"`.
fn words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for w in text
        .split(|c: char| c.is_whitespace() || matches!(c, '_' | '-' | '.' | ',' | '–' | '—' | ':'))
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(w.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Which score a wide-layout column holds for its region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WideKind {
    Before,
    After,
    Minutes,
}

/// A wide-layout column: `<region> before`, `pre <region>`, `<region> minutes` …
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WideColumn {
    pub region: Region,
    pub side: Option<Side>,
    pub kind: WideKind,
}

/// Header names, region synonyms and pressure words, built-in and from the config.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    headers: HashMap<String, Field>,
    regions: HashMap<String, Region>,
    pressure: HashMap<String, Pressure>,
    /// The scale scores are recorded on.
    pub scale: ScoreScale,
    /// The configured order of slash dates, if any.
    pub date_order: Option<DateOrder>,
}

/// A lookup table from names, as `norm` writes them, to keys: the built-in names, then the
/// config's additions, which win where they name the same word.
fn table<K: Copy + Ord>(
    builtin: impl Iterator<Item = (K, &'static str)>,
    added: &BTreeMap<K, Vec<String>>,
    norm: fn(&str) -> String,
) -> HashMap<String, K> {
    let mut table = HashMap::new();
    for (key, name) in builtin {
        table.insert(norm(name), key);
    }
    for (key, names) in added {
        for name in names {
            table.insert(norm(name), *key);
        }
    }
    table
}

/// Every key with each of its built-in names, in key order.
fn builtin<K: Copy, const N: usize>(
    keys: [K; N],
    names: fn(K) -> &'static [&'static str],
) -> impl Iterator<Item = (K, &'static str)> {
    keys.into_iter()
        .flat_map(move |k| names(k).iter().map(move |n| (k, *n)))
}

impl Default for Vocabulary {
    fn default() -> Self {
        Vocabulary::new(&Config::default())
    }
}

impl Vocabulary {
    /// Builds the tables from the built-in names and the config's additions.
    pub fn new(config: &Config) -> Vocabulary {
        let headers = table(
            builtin(Field::ALL, Field::builtin_headers),
            &config.headers,
            normalize_header,
        );
        // A region's key is one of its names too.
        let regions = table(
            Region::ALL.into_iter().flat_map(|r| {
                std::iter::once(r.key())
                    .chain(r.builtin_synonyms().iter().copied())
                    .map(move |s| (r, s))
            }),
            &config.regions,
            words,
        );
        let pressure = table(
            builtin(Pressure::ALL, Pressure::builtin_synonyms),
            &config.pressure,
            words,
        );
        Vocabulary {
            headers,
            regions,
            pressure,
            scale: config.scores.scale,
            date_order: config.dates.order,
        }
    }

    /// The field a header names, if any.
    pub fn field(&self, header: &str) -> Option<Field> {
        self.headers.get(&normalize_header(header)).copied()
    }

    /// Reads a wide-layout column header such as `Lower back before`, `pre neck (0-10)`,
    /// `L shoulder post` or `hips minutes`.
    pub fn wide_column(&self, header: &str) -> Option<WideColumn> {
        let w = words(strip_trailing_parens(header.trim()));
        let (first, rest) = w.split_once(' ')?;
        let (last_rest, last) = w.rsplit_once(' ')?;
        let kind_of = |word: &str| match word {
            "before" | "pre" => Some(WideKind::Before),
            "after" | "post" => Some(WideKind::After),
            "minutes" | "mins" | "min" => Some(WideKind::Minutes),
            _ => None,
        };
        let (kind, name) = match (kind_of(last), kind_of(first)) {
            (Some(k), _) => (k, last_rest),
            (None, Some(k)) => (k, rest),
            (None, None) => return None,
        };
        // "soreness before" or "pain after" are long-layout columns, not regions.
        let (region, side) = self.region(name).ok()?;
        Some(WideColumn { region, side, kind })
    }

    /// Reads a region name with an optional side: `left shoulder`, `R hip`, `shoulders (L)`,
    /// `bilateral calves`, `Lower back`. Singular and plural are alike.
    ///
    /// # Errors
    /// [`ValueError::UnknownRegion`] naming the value, or [`ValueError::Blank`] for an empty cell.
    pub fn region(&self, text: &str) -> Result<(Region, Option<Side>), ValueError> {
        let original = text.trim();
        if original.is_empty() {
            return Err(ValueError::Blank(Field::Region));
        }
        let unknown = || ValueError::UnknownRegion(original.to_string());
        let mut side = None;
        let mut name = original;
        // A side in parentheses at the end: "shoulders (L)".
        if name.ends_with(')')
            && let Some(open) = name.rfind('(')
        {
            side = Some(side_word(&words(&name[open + 1..name.len() - 1])).ok_or_else(unknown)?);
            name = name[..open].trim_end();
        }
        let w = words(name);
        if let Some(region) = self.lookup_region(&w) {
            return Ok((region, side));
        }
        // A side word first ("left shoulder") or last ("shoulder left").
        if side.is_none() {
            if let Some((first, rest)) = w.split_once(' ')
                && let Some(s) = side_word(first)
                && let Some(region) = self.lookup_region(rest)
            {
                return Ok((region, Some(s)));
            }
            if let Some((rest, last)) = w.rsplit_once(' ')
                && let Some(s) = side_word(last)
                && let Some(region) = self.lookup_region(rest)
            {
                return Ok((region, Some(s)));
            }
        }
        Err(unknown())
    }

    fn lookup_region(&self, w: &str) -> Option<Region> {
        if let Some(r) = self.regions.get(w) {
            return Some(*r);
        }
        // Singular and plural alike: "thighs" → "thigh", "glute" → "glutes".
        if let Some(stem) = w.strip_suffix('s')
            && let Some(r) = self.regions.get(stem)
        {
            return Some(*r);
        }
        self.regions.get(&format!("{w}s")).copied()
    }

    /// Reads a side column: left, right, both (L/R/B, bilateral). Blank is `None`.
    ///
    /// # Errors
    /// [`ValueError::UnknownSide`] naming the value.
    pub fn side(&self, text: &str) -> Result<Option<Side>, ValueError> {
        let w = words(text);
        if w.is_empty() {
            return Ok(None);
        }
        side_word(&w)
            .map(Some)
            .ok_or_else(|| ValueError::UnknownSide(text.trim().to_string()))
    }

    /// Reads a pressure word (`firm`, `deep tissue`, `gentle`) or a scale number `1`–`4`.
    ///
    /// # Errors
    /// [`ValueError::UnknownPressure`] naming the value.
    pub fn pressure(&self, text: &str) -> Result<Pressure, ValueError> {
        let w = words(text);
        if let Some(p) = self.pressure.get(&w) {
            return Ok(*p);
        }
        if let Some(p) = crate::score::parse_decimal(&w).and_then(pressure_number) {
            return Ok(p);
        }
        Err(ValueError::UnknownPressure(text.trim().to_string()))
    }

    /// Reads a pressure number cell: 1 light, 2 medium, 3 firm, 4 deep.
    ///
    /// # Errors
    /// [`ValueError::UnknownPressure`] for other numbers.
    pub fn pressure_from_number(&self, value: f64) -> Result<Pressure, ValueError> {
        pressure_number(value)
            .ok_or_else(|| ValueError::UnknownPressure(crate::score::format_number(value)))
    }

    /// Reads a wide-layout focus list: region names separated by `;`, `,`, `/`, `+`, `&`, `|`
    /// or `and`. Blank is an empty list. Sides are allowed and dropped: focus is per region.
    ///
    /// # Errors
    /// [`ValueError::UnknownRegion`] for the first name that is not a region.
    pub fn focus_list(&self, text: &str) -> Result<Vec<Region>, ValueError> {
        let mut out = Vec::new();
        let lowered = text.to_lowercase().replace(" and ", ";");
        for item in lowered.split([';', ',', '/', '+', '&', '|', '\n']) {
            if item.trim().is_empty() {
                continue;
            }
            let (region, _) = self.region(item)?;
            if !out.contains(&region) {
                out.push(region);
            }
        }
        Ok(out)
    }

    /// Reads a score cell's text; see [`crate::score::score_from_text`].
    ///
    /// # Errors
    /// As [`crate::score::score_from_text`].
    pub fn score_text(&self, text: &str, field: Field) -> Result<f64, ValueError> {
        crate::score::score_from_text(text, field, self.scale)
    }

    /// Reads a score number cell; see [`crate::score::score_from_number`].
    ///
    /// # Errors
    /// As [`crate::score::score_from_number`].
    pub fn score_number(&self, value: f64) -> Result<f64, ValueError> {
        crate::score::score_from_number(value, self.scale)
    }
}

/// Reads minutes from text; see [`crate::duration::minutes_from_text`].
///
/// # Errors
/// As [`crate::duration::minutes_from_text`].
pub fn minutes_from_text(text: &str) -> Result<Option<f64>, ValueError> {
    crate::duration::minutes_from_text(text)
}

/// Reads a minutes number cell; see [`crate::duration::minutes_from_number`].
///
/// # Errors
/// As [`crate::duration::minutes_from_number`].
pub fn minutes_from_number(value: f64) -> Result<f64, ValueError> {
    crate::duration::minutes_from_number(value)
}

fn pressure_number(v: f64) -> Option<Pressure> {
    // Only the whole numbers 1–4 are levels; 2.5 is not.
    (v.fract() == 0.0 && (1.0..=4.0).contains(&v)).then(|| Pressure::ALL[v as usize - 1])
}

fn side_word(w: &str) -> Option<Side> {
    match w {
        "left" | "l" | "lt" | "links" => Some(Side::Left),
        "right" | "r" | "rt" | "rechts" => Some(Side::Right),
        "both" | "b" | "bilateral" | "bil" | "l r" | "l+r" | "lr" => Some(Side::Both),
        _ => None,
    }
}

pub(crate) mod conflicts;
#[cfg(test)]
mod tests;
