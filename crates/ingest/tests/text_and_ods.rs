//! CSV (`;` and `,`, with and without a byte-order mark, slash dates in either order) and a
//! hand-made OpenDocument spreadsheet.

mod common;

use common::*;
use relief_core::Region;
use std::io::Write;

#[test]
fn semicolon_csv_with_bom_decimal_commas_and_config_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    let text = "\u{FEFF}Praxis Nord\nDatum;Kunde;Therapeut;Region;Vorher;Nachher\n\n03/10/2026;40009;Anna;Nacken;7,5;3\n25/10/2026;40009.0;Anna;lower back;6;2,5\n26/10/2026;X;Anna;lower back;6;12\n";
    std::fs::write(&path, text).unwrap();
    let env = Env::toml(
        "[headers]\ndate = [\"Datum\"]\nclient = [\"Kunde\"]\ntherapist = [\"Therapeut\"]\nbefore = [\"Vorher\"]\nafter = [\"Nachher\"]\n[regions]\nneck = [\"Nacken\"]\n",
    );
    let r = env.read_whole(&path);
    let sheet = &r.report.sheets[0];
    // The sheet of a CSV is the file name; rows are line numbers.
    assert_eq!(
        (sheet.name.as_str(), sheet.header_row, sheet.layout.as_str()),
        ("export.csv", 2, "long")
    );
    let got: Vec<_> = r
        .records
        .iter()
        .map(|x| (x.origin.row, x.date, x.region, x.before, x.after))
        .collect();
    // 25/10 settles the column as day-first, so 03/10 is 3 October.
    assert_eq!(
        got,
        [
            (4, ymd(2026, 10, 3), Region::Neck, 7.5, 3.0),
            (5, ymd(2026, 10, 25), Region::LowerBack, 6.0, 2.5)
        ]
    );
    // 40009 and 40009.0 are the same client.
    assert_eq!(r.records.get(0).client, r.records.get(1).client);
    assert_eq!(
        rejects(&r),
        [rj(6, "after", "12", "score 12 is outside 0–10")]
    );
}

#[test]
fn an_ambiguous_date_column_rejects_only_the_dates_that_read_two_ways() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.csv");
    std::fs::write(&path, "date,client,therapist,region,before,after\n03/10/2026,1,Ann,neck,5,2\n04/04/2026,1,Ann,neck,5,2\n2026-10-05,2,Ann,neck,5,2\n").unwrap();
    let r = Env::new().read(&path);
    let reason = "'03/10/2026' could be 3 October 2026 or 10 March 2026, and the column does not settle which: set order = \"day-first\" or \"month-first\" under [dates] in relief.toml";
    assert_eq!(rejects(&r), [rj(2, "date", "03/10/2026", reason)]);
    assert_eq!(r.rejects[0].month, None);
    assert_eq!(
        r.records.iter().map(|x| x.date).collect::<Vec<_>>(),
        [ymd(2026, 4, 4), ymd(2026, 10, 5)]
    );
    // With the order configured, every date reads.
    let r = Env::toml("[dates]\norder = \"month-first\"\n").read(&path);
    assert!(r.rejects.is_empty());
    assert_eq!(r.records.get(0).date, ymd(2026, 3, 10));
}

#[test]
fn windows_1252_csv_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.csv");
    let mut bytes = b"date,client,therapist,region,before,after\n2026-10-03,1,Ren".to_vec();
    bytes.push(0xE9); // é in Windows-1252
    bytes.extend_from_slice(b"e,neck,5,2\n");
    std::fs::write(&path, bytes).unwrap();
    let r = Env::new().read(&path);
    assert_eq!(r.records.get(0).therapist.as_deref(), Some("Renée"));
}

#[test]
fn utf16_text_with_a_byte_order_mark_is_read() {
    // Excel's "Unicode Text": UTF-16 little-endian, tab-separated; and a big-endian one.
    let dir = tempfile::tempdir().unwrap();
    let tab =
        "date\tclient\ttherapist\tregion\tbefore\tafter\r\n2026-10-03\t1\tRenée\tneck\t5\t2\r\n";
    let comma = "date,client,therapist,region,before,after\n2026-10-03,1,Zoë,hips,6,1\n";
    let encode = |text: &str, little: bool| -> Vec<u8> {
        let mut bytes = if little {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in text.encode_utf16() {
            bytes.extend(if little {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        bytes
    };
    for (text, little, therapist, after) in [(tab, true, "Renée", 2.0), (comma, false, "Zoë", 1.0)]
    {
        let path = dir.path().join(format!("u{little}.csv"));
        std::fs::write(&path, encode(text, little)).unwrap();
        let r = Env::new().read(&path);
        assert!(r.rejects.is_empty(), "{:?}", r.rejects);
        assert_eq!(r.records.len(), 1);
        assert_eq!(r.records.get(0).therapist.as_deref(), Some(therapist));
        assert_eq!(r.records.get(0).after, after);
    }
}

/// Writes a minimal valid OpenDocument spreadsheet by hand.
fn write_ods(path: &std::path::Path, table: &str) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    z.start_file("mimetype", stored).unwrap();
    z.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    z.start_file("META-INF/manifest.xml", deflated).unwrap();
    z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).unwrap();
    z.start_file("content.xml", deflated).unwrap();
    write!(z, r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>{table}</office:spreadsheet></office:body></office:document-content>"#).unwrap();
    z.finish().unwrap();
}

fn t(s: &str) -> String {
    format!(
        "<table:table-cell office:value-type=\"string\"><text:p>{s}</text:p></table:table-cell>"
    )
}
fn n(v: f64) -> String {
    format!(
        "<table:table-cell office:value-type=\"float\" office:value=\"{v}\"><text:p>{v}</text:p></table:table-cell>"
    )
}
fn d(v: &str) -> String {
    format!(
        "<table:table-cell office:value-type=\"date\" office:date-value=\"{v}\"><text:p>{v}</text:p></table:table-cell>"
    )
}
fn row(cells: &[String]) -> String {
    format!("<table:table-row>{}</table:table-row>", cells.concat())
}

#[test]
fn ods_is_read_like_a_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calc.ods");
    let table = format!(
        "<table:table table:name=\"Sessions\">{}{}{}{}</table:table>",
        row(&[t("Libre clinic")]),
        row(&["Date", "Client", "Therapist", "Region", "Before", "After"].map(t)),
        row(&[
            d("2026-10-03"),
            n(40009.0),
            t("Ann"),
            t("R hip"),
            n(6.0),
            n(2.5)
        ]),
        row(&[
            d("2026-10-04T10:30:00"),
            t("40009"),
            t("Ann"),
            t("calves"),
            n(4.0),
            t("eleven")
        ]),
    );
    write_ods(&path, &table);
    let env = Env::new();
    let r = env.read_whole(&path);
    assert_eq!(r.report.sheets[0].header_row, 2);
    let a = &r.records.get(0);
    assert_eq!(
        (a.date, a.region, a.side, a.before, a.after, a.origin.row),
        (
            ymd(2026, 10, 3),
            Region::Hips,
            Some(relief_core::Side::Right),
            6.0,
            2.5,
            3
        )
    );
    assert_eq!(a.client, env.pseudo.client("40009"));
    assert_eq!(
        rejects(&r),
        [rj(
            4,
            "after",
            "eleven",
            "'eleven' is not a score: write a number from 0 to 10, such as 7, 7.5 or 7/10"
        )]
    );
    assert_eq!(r.rejects[0].month.as_deref(), Some("2026-10"));
}

#[test]
fn ods_whose_repeated_cells_would_expand_past_the_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.ods");
    // A few hundred bytes that calamine would expand to 1,048,576 × 16,384 cells.
    let table = "<table:table table:name=\"S\"><table:table-row table:number-rows-repeated=\"1048576\"><table:table-cell table:number-columns-repeated=\"16384\" office:value-type=\"float\" office:value=\"1\"/></table:table-row></table:table>";
    write_ods(&path, table);
    let r = Env::new().read(&path);
    let err = r.report.error.unwrap();
    assert!(
        err.contains("the file holds more than 50000000 cells"),
        "{err}"
    );
}

#[test]
fn a_quote_left_open_is_pointed_out_and_a_note_over_two_lines_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.csv");
    let text = "date,client,therapist,region,before,after,notes\n\
                2026-10-01,1,Kim,neck,7,3,\"asked for \"\"firm\"\", then\nlighter, on the left\"\n\
                2026-10-02,2,\"Kim,neck,6,2,\n\
                2026-10-03,3,Kim,hips,5,1,\n\
                2026-10-04,4,Kim,feet,4,1,\n\
                2026-10-05,5,Kim,arms,5,2,\"closing\"\n\
                2026-10-06,6,Kim,legs,6,3,\n";
    std::fs::write(&path, text).unwrap();
    let r = Env::new().read(&path);
    // The note over lines 2–3 is one row; lines 4–7 ran together; line 8 reads on its own.
    let notes: Vec<String> = r
        .notes
        .iter()
        .flat_map(|n| &n.notes)
        .map(ToString::to_string)
        .filter(|n| n.contains("read as one row"))
        .collect();
    assert_eq!(
        notes,
        [
            "lines 4–7 were read as one row: the quote (\") opened on line 4 is not closed before line 7, and the lines between look like rows of their own; check the quotes on line 4"
        ]
    );
}
