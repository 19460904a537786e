//! ods (OpenDocument): calamine builds each sheet's range; the package was checked for
//! repeated-cell expansion by `guard` before this runs.
//!
//! calamine reads the cells a merge covers (`table:covered-table-cell`) as blank and does not
//! say where merges are, so the merged ranges are read here from `content.xml`: a cell with
//! `table:number-rows-spanned` or `table:number-columns-spanned` starts one. That second look
//! at the XML is taken only when the text holds such an attribute at all.

use crate::IngestError;
use crate::file::{FileContext, corrupt, is_hidden, worksheet_names};
use crate::grid::{self, MergedRange};
use calamine::{Ods, Reader};
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::{Cursor, Read};

/// ods: the content was checked for repeated-cell expansion before calamine opens it.
pub(crate) fn read_ods(bytes: &[u8], ctx: &mut FileContext<'_, '_>) -> Result<(), IngestError> {
    let mut wb: Ods<Cursor<&[u8]>> = Ods::new(Cursor::new(bytes)).map_err(corrupt)?;
    let metadata = wb.sheets_metadata().to_vec();
    let names = ctx
        .plan
        .select(worksheet_names(&metadata), &mut ctx.problems);
    let mut merges = if names.is_empty() {
        HashMap::new()
    } else {
        merged_ranges(bytes)?
    };
    for name in names {
        let range = wb.worksheet_range(&name).map_err(corrupt)?;
        let grid = grid::from_range(&range, ctx.builder(&name))?.finish(false);
        let sheet_merges = merges.remove(&name).unwrap_or_default();
        ctx.workbook_sheet(&name, grid, is_hidden(&metadata, &name), &sheet_merges)?;
    }
    Ok(())
}

/// The merged ranges of every sheet, by sheet name.
fn merged_ranges(bytes: &[u8]) -> Result<HashMap<String, Vec<MergedRange>>, IngestError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt)?;
    let mut xml = Vec::new();
    zip.by_name("content.xml")
        .map_err(corrupt)?
        .read_to_end(&mut xml)
        .map_err(corrupt)?;
    if !xml.windows(9).any(|w| w == b"-spanned=") {
        return Ok(HashMap::new());
    }
    spans(&xml).map_err(|e| IngestError::Corrupt(format!("unreadable sheet content: {e}")))
}

fn number(e: &BytesStart<'_>, name: &str) -> Result<u32, quick_xml::Error> {
    let value = e
        .try_get_attribute(name)
        .map_err(quick_xml::Error::from)?
        .and_then(|a| a.value.trim().parse().ok());
    Ok(value.unwrap_or(1).max(1))
}

/// Walks the tables of `content.xml`, counting rows and cells (with their repeats) to place
/// every spanning cell. Tables nested inside a cell are skipped.
fn spans(xml: &[u8]) -> Result<HashMap<String, Vec<MergedRange>>, quick_xml::Error> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut out: HashMap<String, Vec<MergedRange>> = HashMap::new();
    let (mut depth, mut sheet, mut row, mut col, mut row_repeat) =
        (0u32, String::new(), 0u32, 0u32, 1u32);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let (e, empty) = match reader.read_event_into(&mut buf)? {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                match e.name().as_ref() {
                    "table:table" => depth = depth.saturating_sub(1),
                    "table:table-row" if depth == 1 => row = row.saturating_add(row_repeat),
                    _ => {}
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        match e.name().as_ref() {
            "table:table" => {
                if depth == 0 {
                    sheet = e
                        .try_get_attribute("table:name")
                        .map_err(quick_xml::Error::from)?
                        .and_then(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()
                                .map(|v| v.into_owned())
                        })
                        .unwrap_or_default();
                    row = 0;
                }
                if !empty {
                    depth += 1;
                }
            }
            "table:table-row" if depth == 1 => {
                col = 0;
                row_repeat = number(&e, "table:number-rows-repeated")?;
                if empty {
                    row = row.saturating_add(row_repeat);
                }
            }
            name @ ("table:table-cell" | "table:covered-table-cell") if depth == 1 => {
                if name == "table:table-cell" {
                    let rows = number(&e, "table:number-rows-spanned")?;
                    let cols = number(&e, "table:number-columns-spanned")?;
                    if rows > 1 || cols > 1 {
                        out.entry(sheet.clone()).or_default().push(MergedRange {
                            first_row: row,
                            first_col: col,
                            last_row: row.saturating_add(rows - 1),
                            last_col: col.saturating_add(cols - 1),
                        });
                    }
                }
                col = col.saturating_add(number(&e, "table:number-columns-repeated")?);
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanning_cells_are_placed_counting_repeats() {
        let xml = br#"<office:document-content><office:body><office:spreadsheet>
<table:table table:name="Log"><table:table-column table:number-columns-repeated="4"/>
<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="4"/></table:table-row>
<table:table-row><table:table-cell table:number-columns-repeated="2"/><table:table-cell table:number-columns-spanned="2" office:value-type="string"><text:p>Neck</text:p></table:table-cell><table:covered-table-cell/></table:table-row>
<table:table-row><table:table-cell table:number-rows-spanned="3"><text:p>2026-10-03</text:p></table:table-cell></table:table-row>
</table:table>
<table:table table:name="Other &amp; more"><table:table-row><table:table-cell table:number-rows-spanned="2"/></table:table-row></table:table>
</office:spreadsheet></office:body></office:document-content>"#;
        let got = spans(xml).unwrap();
        let range = |r0, c0, r1, c1| MergedRange {
            first_row: r0,
            first_col: c0,
            last_row: r1,
            last_col: c1,
        };
        assert_eq!(got["Log"], [range(2, 2, 2, 3), range(3, 0, 5, 0)]);
        assert_eq!(got["Other & more"], [range(0, 0, 1, 0)]);
    }
}
