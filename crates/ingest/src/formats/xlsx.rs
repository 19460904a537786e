//! xlsx and xlsm: every sheet streamed cell by cell with calamine's cell reader, never expanded
//! to the dimension the sheet claims, so a sheet that says `A1:XFD1048576` costs only its cells.

use crate::IngestError;
use crate::file::{FileContext, corrupt, worksheet_names};
use crate::grid;
use calamine::{Reader, Xlsx};
use std::io::Cursor;

/// xlsx and xlsm: every sheet streamed cell by cell, never expanded to its claimed dimension.
pub(crate) fn read_xlsx(bytes: &[u8], ctx: &mut FileContext<'_, '_>) -> Result<(), IngestError> {
    let mut wb: Xlsx<Cursor<&[u8]>> = Xlsx::new(Cursor::new(bytes)).map_err(corrupt)?;
    let is_1904 = wb.has_1904_epoch();
    let names = ctx
        .plan
        .select(worksheet_names(wb.sheets_metadata()), &mut ctx.problems);
    for name in names {
        let mut builder = ctx.builder(&name);
        let mut cells = match wb.worksheet_cells_reader(&name) {
            Ok(c) => c,
            Err(calamine::XlsxError::NotAWorksheet(_)) => continue,
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
