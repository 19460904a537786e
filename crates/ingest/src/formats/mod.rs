//! One reader per file format, each turning a workbook's sheets into [`crate::grid::Grid`]s and
//! handing them to [`crate::file::FileContext::sheet`]. Everything format-specific lives here;
//! what happens to a sheet's rows afterwards is the same for every format.

/// Streams one sheet's cells into a grid builder, never expanding the sheet to the dimension
/// it claims. calamine's xlsx and xlsb cell readers have the same methods but no trait in
/// common, hence a macro. Evaluates to `Some((builder, empty_cells))`, where `empty_cells` says
/// whether the sheet wrote any empty cell (the mark of a merged range, see `xlsx`), or `None`
/// when the name is not a worksheet (`$not_a_sheet` matches the reader's error for that).
macro_rules! stream_sheet {
    ($wb:expr, $ctx:expr, $name:expr, $not_a_sheet:pat) => {{
        let mut builder = $ctx.builder($name);
        match $wb.worksheet_cells_reader($name) {
            Err($not_a_sheet) => None,
            Err(e) => return Err($crate::file::corrupt(e)),
            Ok(mut cells) => {
                let mut empty_cells = false;
                while let Some(cell) = cells.next_cell().map_err($crate::file::corrupt)? {
                    let (row, col) = cell.get_position();
                    match $crate::grid::from_data_ref(cell.get_value().clone()) {
                        Some(v) => builder.push(row, col, v)?,
                        None => empty_cells |= matches!(cell.get_value(), calamine::DataRef::Empty),
                    }
                }
                Some((builder, empty_cells))
            }
        }
    }};
}

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

use crate::IngestError;
use crate::file::{FileContext, corrupt, worksheet_names};
use calamine::{Reader, Sheet};
use std::io::Cursor;

/// The opening the three calamine workbook readers share: the workbook parsed from its bytes
/// (an error becomes the file's reason), its sheets' metadata (for hidden sheets) and the
/// worksheets the config asks for, in workbook order.
fn open<'b, W>(
    bytes: &'b [u8],
    ctx: &mut FileContext<'_, '_>,
) -> Result<(W, Vec<Sheet>, Vec<String>), IngestError>
where
    W: Reader<Cursor<&'b [u8]>>,
    W::Error: std::fmt::Display,
{
    let wb = W::new(Cursor::new(bytes)).map_err(corrupt)?;
    let metadata = wb.sheets_metadata().to_vec();
    let names = ctx
        .plan
        .select(worksheet_names(&metadata), &mut ctx.problems);
    Ok((wb, metadata, names))
}
