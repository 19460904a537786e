//! xlsb (Excel binary workbook): every sheet streamed record by record with calamine's cell
//! reader, like xlsx, so a sheet costs only the cells it has. The package was checked by
//! `guard` first: its zip directory like any package's, and every binary part's record
//! lengths, so no record can make calamine reserve more memory than the part holds.

use crate::IngestError;
use crate::file::FileContext;
use calamine::{Xlsb, XlsbError};

/// xlsb: every sheet streamed cell by cell, limits applied as cells arrive.
pub(crate) fn read_xlsb(bytes: &[u8], ctx: &mut FileContext<'_, '_>) -> Result<(), IngestError> {
    let (mut wb, _, names) = super::open::<Xlsb<_>>(bytes, ctx)?;
    let is_1904 = wb.has_1904_epoch();
    for name in names {
        let Some((builder, _)) = stream_sheet!(wb, ctx, &name, XlsbError::WorksheetNotFound(_))
        else {
            continue;
        };
        let grid = builder.finish(is_1904);
        ctx.sheet(&name, &grid, &[]);
    }
    Ok(())
}
