//! Every figure of relief (SPEC §3), computed with polars from the session × region records the
//! reader produced.
//!
//! [`Prepared::new`] takes all records once, sorts them into a canonical order (so reordering
//! input rows or splitting them across files cannot change a single bit of any figure), numbers
//! every client's visits over the whole input, notes which regions each session worked, and
//! builds one polars frame. [`Prepared::summarise`] then filters that frame to a report period
//! and aggregates every group of SPEC §3 into the report model of `relief_core::summary`.
//! The crate does no file I/O: the clean-data writers take any `std::io::Write`.

mod buckets;
mod csv_cells;
mod distinct;
mod export;
mod figures;
mod frame;
mod groups;
mod parquet_file;
mod personalisation;
mod prefetch;
mod prepare;
mod session_names;
pub mod stats;
mod summarise;

pub use export::{CleanTable, CleanTableOptions, neutralise_formula};
pub use parquet_file::{MonthGroups, ParquetEncoder, ParquetFile, WithMonth};
pub use prepare::Prepared;
pub use relief_core::period::{Period, PeriodError};
pub use summarise::{AnalysisSettings, InputFacts};

/// Why the analysis could not run.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// polars refused an operation; this is a bug in relief, not in the input.
    #[error("the analysis engine failed: {0}")]
    Engine(#[from] polars::prelude::PolarsError),
    /// Writing the clean data failed.
    #[error("writing the clean session table failed: {0}")]
    Write(#[from] std::io::Error),
    /// Writing the clean data as CSV failed.
    #[error("writing the clean session table failed: {0}")]
    Csv(#[from] csv::Error),
    /// Writing the clean data as Parquet failed.
    #[error("writing the clean session table as Parquet failed: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
}
