//! One reader per file format, each turning a workbook's sheets into [`crate::grid::Grid`]s and
//! handing them to [`crate::file::FileContext::sheet`]. Everything format-specific lives here;
//! what happens to a sheet's rows afterwards is the same for every format.

mod csv;
mod ods;
mod xls;
mod xlsb;
mod xlsx;

pub(crate) use csv::read_csv;
pub(crate) use ods::read_ods;
pub(crate) use xls::read_xls;
pub(crate) use xlsb::read_xlsb;
pub(crate) use xlsx::read_xlsx;
