//! xls (BIFF, Excel 97–2003): calamine parses the whole workbook when it opens it, so the bytes
//! were pre-scanned by `biff` before this runs.

use crate::IngestError;
use crate::file::{FileContext, corrupt, worksheet_names};
use crate::grid;
use calamine::{Reader, Xls};
use std::io::Cursor;

/// xls (BIFF): calamine parses the whole workbook when it opens it.
pub(crate) fn read_xls(bytes: &[u8], ctx: &mut FileContext<'_, '_>) -> Result<(), IngestError> {
    let mut wb: Xls<Cursor<&[u8]>> = Xls::new(Cursor::new(bytes)).map_err(corrupt)?;
    let is_1904 = wb.has_1904_epoch();
    let names = ctx
        .plan
        .select(worksheet_names(wb.sheets_metadata()), &mut ctx.problems);
    for name in names {
        let range = wb.worksheet_range(&name).map_err(corrupt)?;
        let grid = grid::from_range(&range, ctx.builder(&name))?.finish(is_1904);
        ctx.sheet(&name, &grid);
    }
    Ok(())
}
