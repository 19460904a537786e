//! The shared vocabulary of relief.
//!
//! Everything a therapist writes in an export — region names with sides, 0–10 scores in their many
//! spellings, pressure words, focus flags, dates and header names — is turned into typed values
//! here, and every refusal comes back as a [`ValueError`] whose message a therapist can act on.
//! The crate also holds the configuration (`relief.toml`), the session × region [`Record`] that
//! the reader produces and the analysis consumes, and the report model ([`summary`]) that the
//! workbook and chart writers draw. It does no I/O, so every other crate can depend on it.

/// Implements `Display` as the value's `key()`, the machine name JSON and CSV use, for each
/// of the named types.
macro_rules! display_as_key {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.key())
            }
        }
    )*};
}

/// Implements `Serialize` as the value's `key()`, for types whose JSON is their key.
macro_rules! serialize_as_key {
    ($($t:ty),*) => {$(
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.key())
            }
        }
    )*};
}

pub mod band;
pub mod config;
pub mod date;
pub mod duration;
pub mod error;
pub mod field;
pub mod focus;
pub mod palette;
pub mod period;
pub mod personalisation;
pub mod pressure;
pub mod reason;
pub mod record;
pub mod records;
pub mod region;
pub mod score;
pub mod summary;
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
pub mod vocabulary;
pub mod words;

pub use band::MinutesBand;
pub use config::{Config, ConfigError, DatasetConfig, DateOrder, ScoreScale};
pub use error::ValueError;
pub use field::Field;
pub use period::{Period, PeriodError};
pub use personalisation::{AdjustedEntry, CourseEntry, Factor, RegionOrAll};
pub use pressure::Pressure;
pub use reason::{DittoBreak, RejectReason};
pub use record::{Duplicate, Origin, Record, Reject};
pub use records::Records;
pub use region::{Region, Side};
pub use vocabulary::Vocabulary;

display_as_key!(
    Region,
    Side,
    Field,
    MinutesBand,
    Pressure,
    Factor,
    RegionOrAll
);
serialize_as_key!(MinutesBand, RegionOrAll);
