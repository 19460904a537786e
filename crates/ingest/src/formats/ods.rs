//! ods (OpenDocument): calamine builds each sheet's range; the package was checked for
//! repeated-cell expansion by `guard` before this runs.

use crate::IngestError;
use crate::file::{FileContext, corrupt, worksheet_names};
use crate::grid;
use calamine::{Ods, Reader};
use std::io::Cursor;

/// ods: the content was checked for repeated-cell expansion before calamine opens it.
pub(crate) fn read_ods(bytes: &[u8], ctx: &mut FileContext<'_, '_>) -> Result<(), IngestError> {
    let mut wb: Ods<Cursor<&[u8]>> = Ods::new(Cursor::new(bytes)).map_err(corrupt)?;
    let names = ctx
        .plan
        .select(worksheet_names(wb.sheets_metadata()), &mut ctx.problems);
    for name in names {
        let range = wb.worksheet_range(&name).map_err(corrupt)?;
        let grid = grid::from_range(&range, ctx.builder(&name))?.finish(false);
        ctx.sheet(&name, &grid);
    }
    Ok(())
}
