//! The one place the server calls the command line's pipeline, and what the page is told.
//!
//! [`run`] does exactly what `relief report … --by-month` does — the same `Setup`, the same
//! reader, the same analysis and the same `write_period` — and then, when the data spans several
//! months, writes one more report over all of them (as `relief report` without a period
//! option does). So a workbook downloaded from the page equals the command line's for the same
//! files. The crates below are being reshaped; every call into them is in this file, so a change
//! there touches only this file.
//!
//! Uploaded files are stored under numbered names; before anything is computed, every place a
//! file is named (the files read, rejects, copies, footers, each row's origin) gets back the
//! name the file was uploaded with, so the reports say `north-clinic.xlsx`, never a temporary
//! path. Files are read in the order of those names, as the command line reads a folder.

use crate::common::{Globals, count, rows_line};
use crate::findings::{self, FileProblems};
use crate::pipeline::{self, Setup};
use anyhow::Context;
pub use relief_analysis::Period;
use relief_analysis::Prepared;
use relief_ingest::Ingested;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One uploaded file: where it is stored, and the name it came with (shown, never opened).
#[derive(Debug, Clone)]
pub struct Uploaded {
    pub stored: PathBuf,
    pub name: String,
}

/// Everything the page shows about a finished job.
#[derive(Debug, serde::Serialize)]
pub struct JobResult {
    /// `Read 1642 rows from 3 files: 1633 used, …`
    pub rows_line: String,
    /// What was found in each file, one line per sheet (as `relief validate` prints it).
    pub files: Vec<FileView>,
    pub problems: Vec<FileProblems>,
    pub counted_once: Vec<String>,
    /// Months in order, then all of them together when there are several.
    pub periods: Vec<PeriodView>,
    /// What to do next, in one or two sentences.
    pub next: String,
    /// `clean`, `problems` (a report, with rows or files left out) or `nothing` (no report).
    pub outcome: &'static str,
}

#[derive(Debug, serde::Serialize)]
pub struct FileView {
    pub name: String,
    pub lines: Vec<String>,
}

#[derive(Debug, serde::Serialize)]
pub struct PeriodView {
    /// The folder name: `2026-10`, or `2026-05_2026-10` for all months.
    pub id: String,
    #[serde(skip)]
    pub period: Period,
    /// `October 2026`, or `All months: May 2026 to October 2026`.
    pub label: String,
    /// The period's figures in words, one sentence per region (as the workbook's Overview).
    pub headline: Vec<String>,
    pub rows_used: u64,
    pub charts: Vec<ChartView>,
    pub downloads: Vec<DownloadView>,
}

#[derive(Debug, serde::Serialize)]
pub struct ChartView {
    pub file: &'static str,
    pub title: &'static str,
}

#[derive(Debug, serde::Serialize)]
pub struct DownloadView {
    pub kind: &'static str,
    pub label: &'static str,
    pub file_name: String,
}

/// What can be downloaded for a period, and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Download {
    Workbook,
    Charts,
    Summary,
    Csv,
    Parquet,
}

impl Download {
    pub const ALL: [Download; 5] = [
        Download::Workbook,
        Download::Charts,
        Download::Summary,
        Download::Csv,
        Download::Parquet,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Download::Workbook => "workbook",
            Download::Charts => "charts",
            Download::Summary => "summary",
            Download::Csv => "csv",
            Download::Parquet => "parquet",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Download> {
        Download::ALL.into_iter().find(|d| d.slug() == slug)
    }

    fn label(self) -> &'static str {
        match self {
            Download::Workbook => "Workbook (Excel)",
            Download::Charts => "Charts (PNG, zip)",
            Download::Summary => "Figures (summary.json)",
            Download::Csv => "Clean data (CSV)",
            Download::Parquet => "Clean data (Parquet)",
        }
    }

    /// The name the browser saves it under; prefixed with the period, so downloads of
    /// several months do not overwrite each other.
    pub fn file_name(self, period: &Period) -> String {
        match self {
            Download::Workbook => pipeline::workbook_name(period),
            Download::Charts => format!("relief-{period}-charts.zip"),
            Download::Summary => format!("relief-{period}-{}", pipeline::SUMMARY_JSON),
            Download::Csv => format!("relief-{period}-{}", pipeline::SESSIONS_CSV),
            Download::Parquet => format!("relief-{period}-{}", pipeline::SESSIONS_PARQUET),
        }
    }

    /// The file in the period folder (for charts, the folder of PNGs).
    pub fn source(self, period_dir: &Path, period: &Period) -> PathBuf {
        match self {
            Download::Workbook => period_dir.join(pipeline::workbook_name(period)),
            Download::Charts => period_dir.join(pipeline::CHARTS_DIR),
            Download::Summary => period_dir.join(pipeline::SUMMARY_JSON),
            Download::Csv => period_dir.join(pipeline::SESSIONS_CSV),
            Download::Parquet => period_dir.join(pipeline::SESSIONS_PARQUET),
        }
    }
}

/// The PNG charts a period folder holds, with their titles: the body map first (the one a
/// therapist reads at a glance), then in the order they are drawn.
pub fn chart_files() -> impl Iterator<Item = (&'static str, &'static str)> {
    let body_map = relief_charts::FILES
        .iter()
        .position(|f| *f == "body-map.png");
    let mut files = relief_charts::FILES.to_vec();
    if let Some(i) = body_map {
        let map = files.remove(i);
        files.insert(0, map);
    }
    files.into_iter().map(|f| {
        let title = match f {
            "before-after.png" => "Soreness before and after each session, by region",
            "trend.png" => "Relief by region, month by month",
            "responders.png" => "Share of sessions with real relief, by region",
            "personalisation.png" => "Does personalisation help? Focus regions and pressure",
            "adjusted.png" => "Personalisation at equal arrival soreness: raw and adjusted",
            "course.png" => "Do regular clients arrive less sore? First and latest session",
            "body-map.png" => "Body map: relief by region",
            _ => "Chart",
        };
        (f, title)
    })
}

/// Reads `files`, analyses them and writes every report into `out`, telling `step` what it is
/// doing in words the page shows.
///
/// # Errors
/// The analysis or an output failing; problems in the files are part of the result, not errors.
pub fn run(
    setup: &Setup,
    files: &[Uploaded],
    out: &Path,
    step: &dyn Fn(String),
) -> anyhow::Result<JobResult> {
    let files = in_reading_order(files.to_vec()).context("sorting the uploaded files")?;
    step(format!(
        "Reading {}",
        count(files.len() as u64, "file", "files")
    ));
    let stored: Vec<PathBuf> = files.iter().map(|f| f.stored.clone()).collect();
    // The server's own terminal gets no progress bar; the page shows the steps.
    let quiet = Globals {
        config: None,
        quiet: true,
        verbose: false,
    };
    let mut ingested = setup.read(&stored, None, &quiet);
    rename_sources(&mut ingested, &files);

    step("Working out the figures".to_string());
    let records = std::mem::take(&mut ingested.records);
    let prepared = Prepared::new(records).context("preparing the analysis")?;
    let trend = prepared.trend(&setup.settings)?;
    let mut periods: Vec<Period> = prepared.months().to_vec();
    if let (true, Some(first), Some(last)) = (
        periods.len() > 1,
        prepared.months().first(),
        prepared.months().last(),
    ) {
        periods.push(Period::months_between(first, last));
    }

    let mut views = Vec::with_capacity(periods.len());
    for (i, period) in periods.iter().enumerate() {
        step(format!(
            "Writing the report for {} ({} of {})",
            period.words(),
            i + 1,
            periods.len()
        ));
        let written = pipeline::write_period(setup, &prepared, &ingested, &trend, period, out)?;
        views.push(period_view(&written, periods.len() > 1));
    }
    Ok(result(&ingested, views))
}

/// Puts the uploaded names back wherever the reader named a file by its stored path — and, for
/// a CSV file, whose one "sheet" is named after the file, the sheet too.
fn rename_sources(ing: &mut Ingested, files: &[Uploaded]) {
    let base = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    // Stored path → (uploaded name, stored file name, uploaded file name).
    let names: HashMap<String, (Arc<str>, String, Arc<str>)> = files
        .iter()
        .map(|f| {
            let shown = Arc::from(f.name.as_str());
            let shown_base = Arc::from(base(Path::new(&f.name)).as_str());
            (
                f.stored.display().to_string(),
                (shown, base(&f.stored), shown_base),
            )
        })
        .collect();
    let rename = |file: &mut String, sheet: &mut String| {
        if let Some((shown, stored_base, shown_base)) = names.get(file.as_str()) {
            if sheet == stored_base {
                *sheet = shown_base.to_string();
            }
            *file = shown.to_string();
        }
    };
    for f in &mut ing.files {
        if let Some((_, stored_base, shown_base)) = names.get(f.path.as_str()) {
            for sh in f.sheets.iter_mut().filter(|sh| &sh.name == stored_base) {
                sh.name = shown_base.to_string();
            }
        }
        let mut no_sheet = String::new();
        rename(&mut f.path, &mut no_sheet);
    }
    for r in &mut ing.rejects {
        rename(&mut r.file, &mut r.sheet);
    }
    for d in &mut ing.duplicates {
        rename(&mut d.file, &mut d.sheet);
        rename(&mut d.kept_file, &mut d.kept_sheet);
    }
    for f in &mut ing.footers {
        rename(&mut f.file, &mut f.sheet);
    }
    // The records keep each text once in a table of their own; rebuilt with the names.
    ing.records = ing
        .records
        .iter()
        .map(|mut r| {
            if let Some((shown, stored_base, shown_base)) = names.get(&*r.origin.file) {
                if *r.origin.sheet == **stored_base {
                    r.origin.sheet = Arc::clone(shown_base);
                }
                r.origin.file = Arc::clone(shown);
            }
            r
        })
        .collect();
}

/// Sorts the uploads by their names and renames the stored files so that their paths sort the
/// same way. The reader's order — the order of the sources, and which copy of a duplicate is
/// kept — then follows the names, as when the command line reads a folder, whatever order the
/// browser sent the files in.
fn in_reading_order(mut files: Vec<Uploaded>) -> std::io::Result<Vec<Uploaded>> {
    files.sort_by(|a, b| Path::new(&a.name).cmp(Path::new(&b.name)));
    let Some(dir) = files.first().and_then(|f| f.stored.parent()) else {
        return Ok(files);
    };
    let sorted = dir.join("sorted");
    std::fs::create_dir_all(&sorted)?;
    for (i, f) in files.iter_mut().enumerate() {
        let ext = f
            .stored
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default();
        let to = sorted.join(format!("{:06}.{ext}", i + 1));
        std::fs::rename(&f.stored, &to)?;
        f.stored = to;
    }
    Ok(files)
}

fn period_view(written: &pipeline::PeriodOutputs, several: bool) -> PeriodView {
    let summary = &written.summary;
    let period = &summary.period;
    let words = period.words();
    let mut headline: Vec<String> = summary
        .regions
        .iter()
        .map(|r| relief_excel::headline(r.region.label(), &r.figures, &summary.settings))
        .collect();
    if headline.is_empty() {
        headline.push("No session had both scores in this period.".to_string());
    }
    let charts = chart_files()
        .filter(|(f, _)| written.dir.join(pipeline::CHARTS_DIR).join(f).is_file())
        .map(|(file, title)| ChartView { file, title })
        .collect();
    let downloads = Download::ALL
        .into_iter()
        .filter(|d| d.source(&written.dir, period).exists())
        .map(|d| DownloadView {
            kind: d.slug(),
            label: d.label(),
            file_name: d.file_name(period),
        })
        .collect();
    PeriodView {
        id: period.name(),
        period: period.clone(),
        label: if several && matches!(period, Period::Range { .. }) {
            format!("All months: {words}")
        } else {
            words
        },
        headline,
        rows_used: summary.rows.used,
        charts,
        downloads,
    }
}

/// `4 rows could not be used` → `4 rows could not be used.`, capitalised.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => format!("{}{}.", c.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

fn result(ing: &Ingested, periods: Vec<PeriodView>) -> JobResult {
    let shown = |p: &str| p.to_string();
    let files = ing
        .files
        .iter()
        .map(|f| {
            let mut lines: Vec<String> = f
                .sheets
                .iter()
                .map(|sh| findings::sheet_line(ing, f, sh))
                .collect();
            if let Some(line) = findings::file_error_line(f) {
                lines.push(format!("{line}: see Problems below"));
            }
            FileView {
                name: f.path.clone(),
                lines,
            }
        })
        .collect();
    let failed = ing.failed_files().count() as u64;
    let rejected = ing.rows.rejected;
    let left_out = match (rejected, failed) {
        (0, 0) => None,
        (r, 0) => Some(format!("{} could not be used", count(r, "row", "rows"))),
        (0, f) => Some(format!("{} could not be read", count(f, "file", "files"))),
        (r, f) => Some(format!(
            "{} could not be used and {} could not be read",
            count(r, "row", "rows"),
            count(f, "file", "files")
        )),
    };
    let (outcome, next) = match (periods.is_empty(), left_out) {
        (true, _) => (
            "nothing",
            "Not one row could be used, so there are no figures. Problems below says what is \
             wrong in each file: fix it in your practice software, export again and drop the new \
             files here."
                .to_string(),
        ),
        (false, Some(what)) => {
            let (it, each) = if rejected + failed == 1 {
                ("it", "it")
            } else {
                ("them", "each one")
            };
            (
                "problems",
                format!(
                    "{} The figures below leave {it} out; Problems lists {each} with what to \
                     fix. Fix {it} in your practice software, export again and drop the new \
                     files here for a complete report.",
                    sentence(&what)
                ),
            )
        }
        (false, None) => (
            "clean",
            "Every row was used. Pick a month to see its figures and charts, and download the \
             workbook to keep."
                .to_string(),
        ),
    };
    JobResult {
        rows_line: rows_line(&ing.rows, ing.files.len()),
        files,
        problems: findings::problems(ing, &shown),
        counted_once: findings::counted_once(ing, &shown),
        periods,
        next,
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_files_sort_as_their_names_do() {
        let dir = tempfile::tempdir().unwrap();
        let upload = |stored: &str, name: &str| {
            let path = dir.path().join(stored);
            std::fs::write(&path, name).unwrap();
            Uploaded {
                stored: path,
                name: name.to_string(),
            }
        };
        // Sent in another order than their names sort in.
        let files = vec![
            upload("0001.csv", "riverside.csv"),
            upload("0002.xlsx", "exports/b.xlsx"),
            upload("0003.xlsx", "Harbour.xlsx"),
        ];
        let sorted = in_reading_order(files).unwrap();
        let names: Vec<&str> = sorted.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Harbour.xlsx", "exports/b.xlsx", "riverside.csv"]);
        let mut stored: Vec<&PathBuf> = sorted.iter().map(|f| &f.stored).collect();
        stored.sort();
        for (f, path) in sorted.iter().zip(stored) {
            assert_eq!(&f.stored, path, "stored paths sort as the names do");
            assert_eq!(std::fs::read_to_string(path).unwrap(), f.name);
        }
    }
}
