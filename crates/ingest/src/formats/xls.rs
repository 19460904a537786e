//! xls (BIFF, Excel 97–2003): calamine parses the whole workbook when it opens it, so the bytes
//! were pre-scanned by `biff` before this runs. Merged ranges come with that parse, at no extra
//! cost.

use crate::IngestError;
use crate::file::{FileContext, corrupt, is_hidden};
use crate::grid::{self, MergedRange};
use calamine::{Reader, Xls};

/// xls (BIFF): calamine parses the whole workbook when it opens it.
pub(crate) fn read_xls(bytes: &[u8], ctx: &mut FileContext<'_, '_>) -> Result<(), IngestError> {
    let (mut wb, metadata, names) = super::open::<Xls<_>>(bytes, ctx)?;
    let is_1904 = wb.has_1904_epoch();
    for name in names {
        let range = wb.worksheet_range(&name).map_err(corrupt)?;
        let grid = grid::from_range(&range, ctx.builder(&name))?.finish(is_1904);
        let merges: Vec<MergedRange> = wb
            .merge_cells_by_sheet_name(&name)
            .map_err(corrupt)?
            .into_iter()
            .map(super::xlsx::merged)
            .collect();
        ctx.workbook_sheet(&name, grid, is_hidden(&metadata, &name), &merges)?;
    }
    Ok(())
}
