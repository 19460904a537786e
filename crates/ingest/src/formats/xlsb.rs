//! xlsb (Excel binary workbook): every sheet streamed record by record with calamine's cell
//! reader, like xlsx, so a sheet costs only the cells it has. The package was checked by
//! `guard` first: its zip directory like any package's, and every binary part's record
//! lengths, so no record can make calamine reserve more memory than the part holds.

use crate::IngestError;
use crate::file::{FileContext, corrupt, worksheet_names};
use crate::grid;
use calamine::{Reader, Xlsb, XlsbError};
use std::io::Cursor;

/// xlsb: every sheet streamed cell by cell, limits applied as cells arrive.
pub(crate) fn read_xlsb(bytes: &[u8], ctx: &mut FileContext<'_, '_>) -> Result<(), IngestError> {
    let mut wb: Xlsb<Cursor<&[u8]>> = Xlsb::new(Cursor::new(bytes)).map_err(corrupt)?;
    let is_1904 = wb.has_1904_epoch();
    let names = ctx
        .plan
        .select(worksheet_names(wb.sheets_metadata()), &mut ctx.problems);
    for name in names {
        let mut builder = ctx.builder(&name);
        let mut cells = match wb.worksheet_cells_reader(&name) {
            Ok(c) => c,
            Err(XlsbError::WorksheetNotFound(_)) => continue,
            Err(e) => return Err(corrupt(e)),
        };
        while let Some(cell) = cells.next_cell().map_err(corrupt)? {
            let (row, col) = cell.get_position();
            if let Some(v) = grid::from_data_ref(cell.get_value().clone()) {
                builder.push(row, col, v)?;
            }
        }
        drop(cells);
        let grid = builder.finish(is_1904);
        ctx.sheet(&name, &grid);
    }
    Ok(())
}
