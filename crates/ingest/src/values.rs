//! Reading one cell into a typed value — a date, a client's pseudonym, a score, minutes, a
//! pressure level, focus, a region with its side — or into a refusal with the value and the
//! reason (SPEC §2.6, §2.9). The caches here keep the row reader from allocating per row: equal
//! client and therapist texts share one pseudonym, equal labels one string, and a region,
//! pressure, side or focus word is looked up in the vocabulary once per sheet, not once per row.

use crate::grid::Value;
use crate::sheet::SheetContext;
use chrono::NaiveDate;
use relief_core::date::TextDate;
use relief_core::{DateOrder, Field, Pressure, Region, RejectReason, Side, ValueError};
use std::sync::Arc;

/// A refused value: the column, the value as shown, and the reason.
pub(crate) struct Problem {
    pub field: Option<Field>,
    pub value: String,
    pub reason: RejectReason,
}

/// How slash dates of this sheet's date column are read.
#[derive(Clone, Copy)]
pub(crate) enum DatePlan {
    /// The config or the column itself settled the order.
    Fixed(DateOrder),
    /// The column cannot decide: dates that read two ways are refused, the others are read.
    Undecided,
}

/// Reads cells into values, with the caches that keep it from allocating per row.
pub(crate) struct Reader<'c, 'o> {
    pub(crate) ctx: &'c SheetContext<'o>,
    pub(crate) is_1904: bool,
    pub(crate) plan: DatePlan,
    // foldhash with a seed per process: looked up once per row each, where std's SipHash was
    // ~2 % of a validate; the random seed keeps crafted ids from colliding on purpose.
    pub(crate) clients: foldhash::HashMap<Box<str>, Arc<str>>,
    pub(crate) therapists: foldhash::HashMap<Box<str>, Arc<str>>,
    pub(crate) texts: foldhash::HashSet<Arc<str>>,
    pub(crate) words: WordMemo,
}

/// The vocabulary's answers for the words a sheet repeats on every row ("Lower back", "firm",
/// "yes"): normalising a word costs more than hashing it. Only words the vocabulary knows are
/// kept, so a refused cell is judged (and its reason written) afresh, exactly as before.
#[derive(Default)]
pub(crate) struct WordMemo {
    regions: Memo<(Region, Option<Side>)>,
    pressures: Memo<Pressure>,
    sides: Memo<Option<Side>>,
    focus: Memo<bool>,
}

/// Known words and their meaning, for one kind of column.
struct Memo<T>(foldhash::HashMap<Box<str>, T>);

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo(foldhash::HashMap::default())
    }
}

/// A sheet of distinct words cannot grow the memo without bound: past this many, words are
/// looked up without being kept.
const MEMO_WORDS: usize = 1024;

impl<T: Copy> Memo<T> {
    fn get(
        &mut self,
        text: &str,
        look_up: impl FnOnce(&str) -> Result<T, ValueError>,
    ) -> Result<T, ValueError> {
        if let Some(v) = self.0.get(text) {
            return Ok(*v);
        }
        let v = look_up(text)?;
        if self.0.len() < MEMO_WORDS {
            self.0.insert(text.into(), v);
        }
        Ok(v)
    }
}

pub(crate) fn shown(v: Option<&Value<'_>>, is_1904: bool) -> String {
    v.map(|v| v.shown(is_1904)).unwrap_or_default()
}

impl<'c, 'o> Reader<'c, 'o> {
    pub(crate) fn problem(&self, field: Field, v: Option<&Value<'_>>, e: ValueError) -> Problem {
        Problem {
            field: Some(field),
            value: shown(v, self.is_1904),
            reason: e.into(),
        }
    }

    pub(crate) fn date(&self, v: Option<&Value<'_>>) -> Result<NaiveDate, Problem> {
        let err = |e| self.problem(Field::Date, v, e);
        match v {
            None => Err(err(ValueError::Blank(Field::Date))),
            Some(Value::Serial(s)) => {
                relief_core::date::from_excel_serial(*s, self.is_1904).map_err(err)
            }
            Some(Value::Text(t)) => {
                let td = relief_core::date::parse_text(t).map_err(err)?;
                let order = match (self.plan, td) {
                    (DatePlan::Fixed(o), _) => o,
                    (DatePlan::Undecided, TextDate::Exact(d)) => return Ok(d),
                    (DatePlan::Undecided, td) if td.is_ambiguous() => {
                        return Err(ambiguous_date(t.trim(), td));
                    }
                    (DatePlan::Undecided, TextDate::Slash { a, .. }) if a > 12 => {
                        DateOrder::DayFirst
                    }
                    (DatePlan::Undecided, _) => DateOrder::MonthFirst,
                };
                td.resolve(order, t.trim()).map_err(err)
            }
            Some(Value::Error(e)) => Err(err(ValueError::ErrorCell((*e).into()))),
            Some(other) => Err(err(ValueError::UnreadableDate(other.shown(self.is_1904)))),
        }
    }

    /// The text of an identifier cell (client, therapist, session id); `None` when blank.
    pub(crate) fn id_text<'v>(
        v: Option<&'v Value<'_>>,
    ) -> Result<Option<std::borrow::Cow<'v, str>>, ValueError> {
        use std::borrow::Cow;
        Ok(match v {
            None => None,
            Some(Value::Text(t)) => Some(Cow::Borrowed(t.trim())),
            Some(Value::Number(n)) => Some(Cow::Owned(relief_core::score::format_number(*n))),
            Some(Value::Error(e)) => return Err(ValueError::ErrorCell((*e).into())),
            Some(other) => Some(Cow::Owned(other.shown(false))),
        })
    }

    pub(crate) fn client(&mut self, v: Option<&Value<'_>>) -> Result<Arc<str>, Problem> {
        let text = Self::id_text(v)
            .and_then(|t| t.ok_or(ValueError::Blank(Field::Client)))
            .map_err(|e| Problem {
                field: Some(Field::Client),
                // Never the identifier itself: only a spreadsheet error code can show here.
                value: match v {
                    Some(Value::Error(e)) => (*e).to_string(),
                    _ => String::new(),
                },
                reason: e.into(),
            })?;
        let key = crate::pseudonym::normalize_id(&text);
        if let Some(p) = self.clients.get(key) {
            return Ok(p.clone());
        }
        let p = self.ctx.pseudonymizer.client(key);
        self.clients.insert(key.into(), p.clone());
        Ok(p)
    }

    pub(crate) fn therapist(&mut self, v: Option<&Value<'_>>) -> Result<Arc<str>, Problem> {
        let text = Self::id_text(v)
            .and_then(|t| t.ok_or(ValueError::Blank(Field::Therapist)))
            .map_err(|e| self.problem(Field::Therapist, v, e))?;
        if let Some(p) = self.therapists.get(&*text) {
            return Ok(p.clone());
        }
        let p = if self.ctx.pseudonymise_therapists {
            self.ctx.pseudonymizer.therapist(&text)
        } else {
            Arc::from(&*text)
        };
        self.therapists.insert(text.into(), p.clone());
        Ok(p)
    }

    /// Technique or session id: free of any vocabulary, interned so equal texts share memory.
    pub(crate) fn label(
        &mut self,
        field: Field,
        v: Option<&Value<'_>>,
    ) -> Result<Option<Arc<str>>, Problem> {
        let Some(text) = Self::id_text(v).map_err(|e| self.problem(field, v, e))? else {
            return Ok(None);
        };
        if let Some(a) = self.texts.get(&*text) {
            return Ok(Some(a.clone()));
        }
        let a: Arc<str> = Arc::from(&*text);
        self.texts.insert(a.clone());
        Ok(Some(a))
    }

    pub(crate) fn score(&self, field: Field, v: Option<&Value<'_>>) -> Result<f64, Problem> {
        let voc = self.ctx.vocabulary;
        let r = match v {
            None => Err(ValueError::Blank(field)),
            Some(Value::Number(n)) => voc.score_number(*n),
            Some(Value::Text(t)) => voc.score_text(t, field),
            Some(Value::Error(e)) => Err(ValueError::ErrorCell((*e).into())),
            Some(Value::Serial(d)) => Err(score_is_date(*d, self.is_1904)),
            Some(other) => Err(ValueError::ScoreNotANumber(other.shown(self.is_1904))),
        };
        r.map_err(|e| self.problem(field, v, e))
    }

    pub(crate) fn pressure(&mut self, v: Option<&Value<'_>>) -> Result<Option<Pressure>, Problem> {
        let voc = self.ctx.vocabulary;
        let r = match v {
            None => return Ok(None),
            Some(Value::Number(n)) => voc.pressure_from_number(*n),
            Some(Value::Text(t)) => self.words.pressures.get(t, |t| voc.pressure(t)),
            Some(Value::Error(e)) => Err(ValueError::ErrorCell((*e).into())),
            Some(other) => Err(ValueError::UnknownPressure(other.shown(self.is_1904))),
        };
        r.map(Some).map_err(|e| self.problem(Field::Pressure, v, e))
    }

    pub(crate) fn minutes(&self, v: Option<&Value<'_>>) -> Result<Option<f64>, Problem> {
        use relief_core::duration::minutes_from_day_fraction;
        use relief_core::vocabulary::{minutes_from_number, minutes_from_text};
        let r = match v {
            None => Ok(None),
            Some(Value::Number(n)) => minutes_from_number(*n).map(Some),
            Some(Value::Text(t)) => minutes_from_text(t),
            // A time or duration cell (`0:15`) is a fraction of a day; a date is no duration.
            Some(d @ (Value::Duration(f) | Value::Serial(f)))
                if *f < 1.0 || matches!(d, Value::Duration(_)) =>
            {
                minutes_from_day_fraction(*f, &d.shown(self.is_1904)).map(Some)
            }
            Some(Value::Error(e)) => Err(ValueError::ErrorCell((*e).into())),
            Some(other) => Err(ValueError::BadMinutes(other.shown(self.is_1904))),
        };
        r.map_err(|e| self.problem(Field::Minutes, v, e))
    }

    pub(crate) fn focus_flag(&mut self, v: Option<&Value<'_>>) -> Result<bool, Problem> {
        use relief_core::focus::{focus_flag, focus_from_number};
        let r = match v {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::Number(n)) => focus_from_number(*n),
            Some(Value::Text(t)) => self.words.focus.get(t, focus_flag),
            Some(Value::Error(e)) => Err(ValueError::ErrorCell((*e).into())),
            Some(other) => Err(ValueError::UnknownFocus(other.shown(self.is_1904))),
        };
        r.map_err(|e| self.problem(Field::Focus, v, e))
    }

    pub(crate) fn focus_list(&self, v: Option<&Value<'_>>) -> Result<Vec<Region>, Problem> {
        let r = match v {
            None => Ok(Vec::new()),
            Some(Value::Text(t)) => self.ctx.vocabulary.focus_list(t),
            Some(Value::Error(e)) => Err(ValueError::ErrorCell((*e).into())),
            Some(other) => Err(ValueError::UnknownRegion(other.shown(self.is_1904))),
        };
        r.map_err(|e| self.problem(Field::Focus, v, e))
    }

    pub(crate) fn region(
        &mut self,
        v: Option<&Value<'_>>,
    ) -> Result<(Region, Option<Side>), Problem> {
        let voc = self.ctx.vocabulary;
        let r = match v {
            None => Err(ValueError::Blank(Field::Region)),
            Some(Value::Text(t)) => self.words.regions.get(t, |t| voc.region(t)),
            Some(Value::Error(e)) => Err(ValueError::ErrorCell((*e).into())),
            Some(other) => Err(ValueError::UnknownRegion(other.shown(self.is_1904))),
        };
        r.map_err(|e| self.problem(Field::Region, v, e))
    }

    pub(crate) fn side(&mut self, v: Option<&Value<'_>>) -> Result<Option<Side>, Problem> {
        let voc = self.ctx.vocabulary;
        let r = match v {
            None => Ok(None),
            Some(Value::Text(t)) => self.words.sides.get(t, |t| voc.side(t)),
            Some(Value::Error(e)) => Err(ValueError::ErrorCell((*e).into())),
            Some(other) => Err(ValueError::UnknownSide(other.shown(self.is_1904))),
        };
        r.map_err(|e| self.problem(Field::Side, v, e))
    }
}

/// A date cell in a score column: `7/10` typed into a spreadsheet becomes 10 July (or 7 October);
/// the score is the part that is not 10.
fn score_is_date(serial: f64, is_1904: bool) -> ValueError {
    use chrono::Datelike;
    let date = relief_core::date::from_excel_serial(serial, is_1904).ok();
    let guess = date.and_then(|d| match (d.month(), d.day()) {
        (m, 10) if m <= 10 => Some(m),
        (10, d) if d <= 10 => Some(d),
        _ => None,
    });
    ValueError::ScoreIsDate {
        shown: date.map_or_else(
            || relief_core::score::format_number(serial),
            |d| d.format("%-d %B %Y").to_string(),
        ),
        guess: guess.map(|g| g.to_string()),
    }
}

fn ambiguous_date(text: &str, td: TextDate) -> Problem {
    let fmt = |o| {
        td.resolve(o, text)
            .map(|d| d.format("%-d %B %Y").to_string())
            .unwrap_or_default()
    };
    Problem {
        field: Some(Field::Date),
        value: text.to_string(),
        reason: RejectReason::AmbiguousDate {
            text: text.to_string(),
            day_first: fmt(DateOrder::DayFirst),
            month_first: fmt(DateOrder::MonthFirst),
        },
    }
}
