//! The holes a hostile probe found (issue 16), each rebuilt here from scratch and run through
//! the real binary under a watch (`bounded.rs`): the message, the exit status, peak memory
//! under 512 MiB, and the good files beside the hostile one still read in full.
//!
//! Every test here failed on the code before the fix (killed over the memory ceiling or the
//! time limit, or a wrong status or message); `RELIEF_HOSTILE_BIN=/path/to/relief` runs them
//! against another build to check that again.

use crate::bounded::{self, Watched};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// Long enough for a debug build reading 100 MB; a hang is caught well before a minute.
const LIMIT: Duration = Duration::from_secs(60);

/// Writes `good.csv` (two sessions) and `good.xlsx` (one) into `dir`: three rows to find.
fn good_files(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("good.csv"),
        "Date,Client,Therapist,Region,Before,After\n2026-10-01,C1,Ann,neck,6,2\n2026-10-02,C2,Ann,hips,5,3\n",
    )
    .unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["Date", "Client", "Therapist", "Region", "Before", "After"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let day = ExcelDateTime::from_ymd(2026, 10, 3).unwrap();
    ws.write_datetime_with_format(1, 0, &day, &date).unwrap();
    ws.write_string(1, 1, "C3").unwrap();
    ws.write_string(1, 2, "Ben").unwrap();
    ws.write_string(1, 3, "shoulders").unwrap();
    ws.write_number(1, 4, 7.0).unwrap();
    ws.write_number(1, 5, 4.0).unwrap();
    wb.save(dir.join("good.xlsx")).unwrap();
}

/// `relief validate ARGS --json` in `dir`, watched.
fn validate(dir: &Path, args: &[&str]) -> (Watched, Value) {
    let mut all = vec!["validate"];
    all.extend_from_slice(args);
    all.push("--json");
    let run = bounded::relief(dir, &all, LIMIT);
    let json = if run.code == Some(1) || run.code == Some(0) {
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.show()))
    } else {
        Value::Null
    };
    (run, json)
}

/// The `error` of the file whose path ends in `name`.
fn error_of(json: &Value, name: &str) -> String {
    let files = json["files"].as_array().expect("a file list");
    let found: Vec<&Value> = files
        .iter()
        .filter(|f| f["path"].as_str().unwrap_or_default().ends_with(name))
        .collect();
    assert_eq!(found.len(), 1, "{name} listed once: {json:#}");
    found[0]["error"].as_str().unwrap_or_default().to_string()
}

/// Both good files are listed once, without an error, and their three rows are used.
fn assert_good_files_read(json: &Value) {
    for name in ["good.csv", "good.xlsx"] {
        assert_eq!(error_of(json, name), "", "{json:#}");
    }
    assert_eq!(json["rows"]["used"], 3, "{json:#}");
    assert_eq!(json["rows"]["duplicates"], 0, "{json:#}");
}

/// An ods package around `rows` (the XML of one sheet's rows, after a header row).
fn ods(rows: &str, close: bool) -> Vec<u8> {
    let cell = |v: &str| {
        format!(
            r#"<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>{v}</text:p></table:table-cell>"#
        )
    };
    let header: String = ["Date", "Client", "Therapist", "Region", "Before", "After"]
        .iter()
        .map(|h| cell(h))
        .collect();
    let mut content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" office:version="1.3"><office:body><office:spreadsheet><table:table table:name="Sessions"><table:table-row>{header}</table:table-row>{rows}"#
    );
    if close {
        content.push_str(
            "</table:table></office:spreadsheet></office:body></office:document-content>",
        );
    }
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", content.as_str()),
    ] {
        zip.start_file(name, stored).unwrap();
        zip.write_all(data.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// One ods session row: date, client, therapist, region, before, after.
fn ods_row(day: u32, client: &str, before: f64, after: f64, repeated: Option<u64>) -> String {
    let text = |v: &str| {
        format!(
            r#"<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>{v}</text:p></table:table-cell>"#
        )
    };
    let number = |v: f64| {
        format!(
            r#"<table:table-cell office:value-type="float" office:value="{v}" calcext:value-type="float"><text:p>{v}</text:p></table:table-cell>"#
        )
    };
    let date = format!(
        r#"<table:table-cell office:value-type="date" office:date-value="2026-10-{day:02}" calcext:value-type="date"><text:p>2026-10-{day:02}</text:p></table:table-cell>"#
    );
    let repeat = repeated.map_or_else(String::new, |n| {
        format!(r#" table:number-rows-repeated="{n}""#)
    });
    format!(
        "<table:table-row{repeat}>{date}{}{}{}{}{}</table:table-row>",
        text(client),
        text("Cara"),
        text("neck"),
        number(before),
        number(after)
    )
}

#[test]
fn an_ods_data_row_repeated_a_billion_times_is_refused_and_the_rest_is_read() {
    let w = tempfile::tempdir().unwrap();
    let dir = w.path().join("in");
    good_files(&dir);
    // A real row, the same row "repeated" a billion times, then a row with a planted reject
    // (after = 11) that a silent cut at row 1,048,576 used to lose.
    let rows = [
        ods_row(5, "C9", 6.0, 2.0, None),
        ods_row(6, "C9", 6.0, 2.0, Some(1_000_000_000)),
        ods_row(7, "C9", 6.0, 11.0, None),
    ]
    .concat();
    std::fs::write(dir.join("repeated.ods"), ods(&rows, true)).unwrap();
    let (run, json) = validate(w.path(), &["in"]);
    run.assert_bounded(1);
    assert_eq!(
        error_of(&json, "repeated.ods"),
        "sheet 'Sessions' repeats row 3 1000000000 times (table:number-rows-repeated), past the 1048576 rows a sheet can have; the rows below it would be lost, so the file is not read: open it, delete the repeated rows and save it again"
    );
    assert_good_files_read(&json);

    // A few repeats of a real row (LibreOffice writes identical neighbours that way) and a
    // long run of blank rows at the end (LibreOffice writes that on every sheet) read as ever.
    let rows = [
        ods_row(5, "C9", 6.0, 2.0, Some(3)),
        ods_row(7, "C9", 6.0, 11.0, None),
        r#"<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#.to_string(),
    ]
    .concat();
    std::fs::write(dir.join("repeated.ods"), ods(&rows, true)).unwrap();
    let (run, json) = validate(w.path(), &["in"]);
    run.assert_bounded(1);
    assert_eq!(error_of(&json, "repeated.ods"), "", "{json:#}");
    // Three copies of one row: one used, two counted once; the planted reject is there.
    assert_eq!(json["rows"]["used"], 4, "{json:#}");
    assert_eq!(json["rows"]["duplicates"], 2, "{json:#}");
    let rejects = json["rejects"].as_array().unwrap();
    assert_eq!(rejects.len(), 1, "{json:#}");
    assert_eq!(rejects[0]["row"], 5, "{json:#}");
}

#[test]
fn an_ods_just_inside_the_repetition_budget_reads_under_the_ceiling() {
    // Blank rows between two data rows are expanded by calamine into blank cells. The pre-check
    // allows about 192 MB for that; just inside it the file is read (and stays under the
    // ceiling, which checks the pre-check's arithmetic), just past it the file is refused.
    let w = tempfile::tempdir().unwrap();
    let dir = w.path().join("in");
    good_files(&dir);
    let gap = |n: u64| {
        format!(
            r#"<table:table-row table:number-rows-repeated="{n}"><table:table-cell table:number-columns-repeated="6"/></table:table-row>"#
        )
    };
    let file = |n: u64| {
        let rows = [
            ods_row(5, "C9", 6.0, 2.0, None),
            gap(n),
            ods_row(7, "C9", 6.0, 11.0, None),
        ]
        .concat();
        std::fs::write(dir.join("gap.ods"), ods(&rows, true)).unwrap();
    };
    file(360_000);
    let (run, json) = validate(w.path(), &["in"]);
    run.assert_bounded(1);
    assert_eq!(error_of(&json, "gap.ods"), "", "{json:#}");
    assert_eq!(json["rows"]["used"], 4, "{json:#}");
    assert_eq!(json["rejects"][0]["row"], 360_003, "{json:#}");
    file(400_000);
    let (run, json) = validate(w.path(), &["in"]);
    run.assert_bounded(1);
    assert!(
        error_of(&json, "gap.ods").starts_with("sheet 'Sessions' repeats rows or cells"),
        "{json:#}"
    );
    assert_good_files_read(&json);
}

#[test]
fn an_ods_whose_table_never_ends_is_refused_without_hanging() {
    let w = tempfile::tempdir().unwrap();
    let dir = w.path().join("in");
    good_files(&dir);
    // About 10 MB of rows, then the file simply stops: no </table:table>, nothing after.
    let row = ods_row(5, "C9", 6.0, 2.0, None);
    let rows = row.repeat((10 << 20) / row.len());
    std::fs::write(dir.join("cut.ods"), ods(&rows, false)).unwrap();
    let (run, json) = validate(w.path(), &["in"]);
    run.assert_bounded(1);
    assert_eq!(
        error_of(&json, "cut.ods"),
        "the file is damaged and cannot be read (its content ends inside sheet 'Sessions' before the XML is closed; the file was cut short); open it and save it again"
    );
    assert_good_files_read(&json);
}

#[test]
fn a_100_mb_csv_of_one_line_without_a_header_is_refused_in_bounded_memory() {
    let w = tempfile::tempdir().unwrap();
    let dir = w.path().join("in");
    good_files(&dir);
    // 50 million two-byte cells on one line, no newline anywhere.
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("line.csv")).unwrap());
    let block = "x,".repeat(1 << 16);
    for _ in 0..(100 << 20) / block.len() {
        f.write_all(block.as_bytes()).unwrap();
    }
    drop(f);
    assert_eq!(
        std::fs::metadata(dir.join("line.csv")).unwrap().len(),
        100 << 20
    );
    let (run, json) = validate(w.path(), &["in"]);
    run.assert_bounded(1);
    assert!(
        error_of(&json, "line.csv").starts_with("no sheet has a recognisable header row"),
        "{}",
        run.show()
    );
    assert_good_files_read(&json);
}

#[test]
fn an_xls_of_sparse_sheets_that_add_up_is_refused_in_bounded_memory() {
    // Found by fuzzing the xls reader: calamine builds every sheet of an .xls as a full grid
    // when it opens the file, so sheets each just inside the one-sheet limit added up to
    // gigabytes. Five sheets of three cells each, spread over 15,000 rows × 256 columns.
    let w = tempfile::tempdir().unwrap();
    let dir = w.path().join("in");
    good_files(&dir);
    let mut wb = Workbook::new();
    for i in 0..5 {
        let ws = wb.add_worksheet();
        ws.set_name(format!("S{i}")).unwrap();
        ws.write_number(0, 0, 1.0).unwrap();
        ws.write_number(14_999, 0, 2.0).unwrap();
        ws.write_number(0, 255, 3.0).unwrap();
    }
    let xlsx = w.path().join("sparse.xlsx");
    wb.save(&xlsx).unwrap();
    let out = std::process::Command::new("soffice")
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "xls",
            "--outdir",
        ])
        .arg(&dir)
        .arg(&xlsx)
        .env("HOME", w.path())
        .output()
        .expect("LibreOffice (soffice) is installed: .ci/run installs it");
    assert!(out.status.success(), "{out:?}");
    assert!(std::fs::metadata(dir.join("sparse.xls")).unwrap().len() < 64 << 10);
    let (run, json) = validate(w.path(), &["in"]);
    run.assert_bounded(1);
    assert_eq!(
        error_of(&json, "sparse.xls"),
        "the first 2 sheets spread 6 filled cells over grids of 7680000 cells; an .xls this sparse would take gigabytes to read: open it and save it as .xlsx"
    );
    assert_good_files_read(&json);
}

#[test]
fn a_folder_that_links_back_to_itself_is_read_once_and_its_loops_are_named() {
    use std::os::unix::fs::symlink;
    let w = tempfile::tempdir().unwrap();
    let dir = w.path().join("loop");
    good_files(&dir);
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::fs::copy(dir.join("good.csv"), dir.join("sub/copy.csv")).unwrap();
    symlink(".", dir.join("self")).unwrap();
    symlink("../loop", dir.join("up")).unwrap();
    // Two links pointing at each other.
    symlink("b", dir.join("a")).unwrap();
    symlink("a", dir.join("b")).unwrap();
    let (run, json) = validate(w.path(), &["loop"]);
    run.assert_bounded(1);
    let paths: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "loop/a",
            "loop/b",
            "loop/good.csv",
            "loop/good.xlsx",
            "loop/self",
            "loop/sub/copy.csv",
            "loop/up"
        ],
        "{}",
        run.show()
    );
    for link in ["self", "up"] {
        assert_eq!(
            error_of(&json, &format!("loop/{link}")),
            "this is a link back to the folder 'loop' that holds it: a loop, so it is not followed (each folder is read once)"
        );
    }
    for (link, circle) in [("a", "a → b → a"), ("b", "b → a → b")] {
        assert_eq!(
            error_of(&json, &format!("loop/{link}")),
            format!(
                "this link leads round in a circle of links ({circle}) and never reaches a file or folder, so it is not read"
            )
        );
    }
    // The copy in sub/ is a true duplicate; nothing is read twice through a link.
    assert_eq!(json["rows"]["used"], 3, "{json:#}");
    assert_eq!(json["rows"]["duplicates"], 2, "{json:#}");
}

#[test]
fn fifos_sockets_and_devices_are_refused_with_a_reason_named_or_found() {
    use std::os::unix::fs::symlink;
    let w = tempfile::tempdir().unwrap();
    let dir = w.path().join("in");
    good_files(&dir);
    let fifo = dir.join("x.csv");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let _socket = std::os::unix::net::UnixListener::bind(dir.join("s.csv")).unwrap();
    symlink("/dev/null", dir.join("null.xlsx")).unwrap();

    // Named directly: refused at once instead of waiting for a writer for ever.
    let (run, json) = validate(w.path(), &["in/x.csv"]);
    run.assert_bounded(1);
    let fifo_reason = "this is a named pipe (FIFO), not a file: relief reads only ordinary files";
    assert_eq!(error_of(&json, "x.csv"), fifo_reason);

    // Found in a folder: listed with the reason, and the good files read.
    let (run, json) = validate(w.path(), &["in"]);
    run.assert_bounded(1);
    assert_eq!(error_of(&json, "x.csv"), fifo_reason);
    assert_eq!(
        error_of(&json, "s.csv"),
        "this is a socket, not a file: relief reads only ordinary files"
    );
    assert_eq!(
        error_of(&json, "null.xlsx"),
        "this is a device, not a file: relief reads only ordinary files"
    );
    assert_good_files_read(&json);
}

#[cfg(target_os = "linux")]
#[test]
fn an_unreadable_file_is_reported_and_the_rest_is_read() {
    // Tests run as root in CI, where permissions do not stop a read; this file cannot be read
    // by anyone (reading address 0 of a process fails with an I/O error).
    let w = tempfile::tempdir().unwrap();
    let dir = w.path().join("in");
    good_files(&dir);
    std::os::unix::fs::symlink("/proc/self/mem", dir.join("mem.csv")).unwrap();
    let (run, json) = validate(w.path(), &["in"]);
    run.assert_bounded(1);
    let err = error_of(&json, "mem.csv");
    assert!(err.contains("mem.csv") && err.contains("error"), "{err}");
    assert_good_files_read(&json);
}

#[test]
fn conflicting_synonyms_in_the_config_are_an_error_naming_both() {
    let w = tempfile::tempdir().unwrap();
    good_files(&w.path().join("in"));
    for (toml, words) in [
        (
            "[regions]\nneck = [\"knot\"]\nshoulders = [\"knot\"]\n",
            &["'knot'", "neck", "shoulders"][..],
        ),
        (
            "[regions]\nlower_back = [\"hip\"]\n",
            &["'hip'", "lower_back", "hips"][..],
        ),
        (
            "[pressure]\nlight = [\"firm\"]\n",
            &["'firm'", "light", "firm"][..],
        ),
        (
            "[headers]\ndate = [\"Session\"]\n",
            &["'Session'", "date", "session_id"][..],
        ),
    ] {
        std::fs::write(w.path().join("relief.toml"), toml).unwrap();
        let run = bounded::relief(w.path(), &["validate", "in"], LIMIT);
        run.assert_bounded(2);
        for word in words {
            assert!(run.stderr.contains(word), "{word} in: {}", run.show());
        }
    }
    // The same words for one region only are fine, and the files beside are read.
    std::fs::write(
        w.path().join("relief.toml"),
        "[regions]\nneck = [\"knot\", \"Knots\"]\nhips = [\"hip\"]\n",
    )
    .unwrap();
    let (run, json) = validate(w.path(), &["in"]);
    run.assert_bounded(0);
    assert_good_files_read(&json);
}

#[test]
fn a_technique_column_of_two_thousand_texts_reports_without_fitting_them() {
    let w = tempfile::tempdir().unwrap();
    let dir = w.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    // 24,000 rows, 3,000 clients, 2,000 techniques of twelve rows each, focus recorded too:
    // the technique model would have ~2,000 columns (hours of QR and SVD before the fix).
    let mut csv = String::from("Date,Client,Therapist,Region,Before,After,Focus,Technique\n");
    let regions = ["neck", "upper back", "lower back", "shoulders"];
    for i in 0..24_000u32 {
        let (session, region) = (i / 4, regions[(i % 4) as usize]);
        let day = 1 + session % 28;
        let before = 3 + (i * 3) % 7;
        let after = (i * 5) % 4;
        let focus = if (i * 3) % 5 < 2 { "yes" } else { "no" };
        csv.push_str(&format!(
            "2026-10-{day:02},C{},Ann,{region},{before},{after},{focus},tech{}\n",
            session % 3000,
            session % 2000
        ));
    }
    std::fs::write(dir.join("many.csv"), csv).unwrap();
    let run = bounded::relief(w.path(), &["report", "in", "--out", "out", "--json"], LIMIT);
    run.assert_bounded(0);
    let summary: Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.show()));
    let summary = summary
        .get("periods")
        .and_then(|p| p.get(0))
        .unwrap_or(&summary);
    let adjusted = summary["adjusted"].as_array().unwrap();
    let of = |factor: &'static str| adjusted.iter().filter(move |e| e["factor"] == factor);
    // Every technique is still listed with its raw difference; none is fitted.
    assert!(of("technique").count() > 1000);
    assert!(
        of("technique")
            .all(|e| e["adjusted_difference"].is_null() && e["raw_difference"].is_number())
    );
    // The other factors are fitted as ever.
    assert!(of("focus").any(|e| e["adjusted_difference"].is_number()));
}
