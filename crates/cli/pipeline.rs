//! The work `report` and `batch` share: read the inputs, analyse them, and write one period's
//! outputs (summary.json, workbook, charts, clean data) into `<out>/<period>/`, and the
//! period's months into the Parquet dataset `<out>/clean/[clinic=NAME/]month=YYYY-MM/`.

use crate::common::Globals;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use relief_analysis::{
    AnalysisSettings, CleanTable, CleanTableOptions, InputFacts, Period, Prepared, WithMonth,
};
use relief_core::summary::{MonthFigures, Summary};
use relief_core::{Config, Vocabulary};
use relief_ingest::{Ingested, Pseudonymizer, ReadOptions};
use std::path::{Path, PathBuf};

/// Names of the files in a period folder.
pub const SUMMARY_JSON: &str = "summary.json";
pub const SESSIONS_CSV: &str = "sessions.csv";
pub const SESSIONS_PARQUET: &str = "sessions.parquet";
pub const CHARTS_DIR: &str = "charts";

/// The workbook's file name for a period: `relief-2026-10.xlsx`.
pub fn workbook_name(period: &Period) -> String {
    format!("relief-{period}.xlsx")
}

/// Everything a run needs before it reads a file: the checked config and the pseudonym key.
pub struct Setup {
    pub config: Config,
    pub vocabulary: Vocabulary,
    pub pseudonymizer: Pseudonymizer,
    pub settings: AnalysisSettings,
}

impl Setup {
    /// Loads the config and the key (creating the key on first run).
    ///
    /// # Errors
    /// A config that does not parse, or a key that cannot be read, created, or is inside `out`.
    pub fn load(globals: &Globals, out: Option<&Path>) -> anyhow::Result<Setup> {
        let config = globals.load_config()?;
        let key_path = crate::privacy::key_path(config.privacy.key_file.as_deref())?;
        if let Some(out) = out {
            crate::privacy::check_key_outside(&key_path, out)?;
        }
        let key = crate::privacy::load_or_create_key(&key_path, globals.quiet)?;
        Ok(Setup {
            vocabulary: Vocabulary::new(&config),
            pseudonymizer: Pseudonymizer::new(&key),
            settings: AnalysisSettings::from_config(&config, env!("CARGO_PKG_VERSION")),
            config,
        })
    }

    /// Reads the files, in parallel, with a progress bar on a terminal.
    pub fn read(&self, files: &[PathBuf], header_row: Option<u32>, globals: &Globals) -> Ingested {
        let options = ReadOptions {
            config: &self.config,
            vocabulary: &self.vocabulary,
            pseudonymizer: &self.pseudonymizer,
            header_row,
        };
        let bar = progress_bar(globals, files.len() as u64, "reading");
        let ingested = relief_ingest::read_inputs(files, &options, &|_| bar.inc(1));
        bar.finish_and_clear();
        ingested
    }
}

/// A bar on standard error when it is a terminal and the work is long enough to want one.
pub fn progress_bar(globals: &Globals, len: u64, what: &str) -> ProgressBar {
    if !globals.progress_allowed() || len < 4 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg:>9} [{bar:30}] {pos}/{len} {elapsed}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

/// What one period's outputs are.
pub struct PeriodOutputs {
    pub summary: Summary,
    pub dir: PathBuf,
    pub charts: usize,
}

/// Summarises one period and writes all its outputs into `<out>/<period>/`.
///
/// # Errors
/// The analysis failing (a bug) or any output that cannot be written, with its path.
pub fn write_period(
    setup: &Setup,
    prepared: &Prepared,
    ingested: &Ingested,
    trend: &[MonthFigures],
    period: &Period,
    out: &Path,
) -> anyhow::Result<PeriodOutputs> {
    let facts = InputFacts {
        files: &ingested.files,
        rejects: &ingested.rejects,
        duplicates: &ingested.duplicates,
        footer_skipped: ingested.rows.footer_skipped,
    };
    // The period's files are written into a hidden folder beside the real one and swapped in
    // whole at the end, so a kill part-way leaves the old report or the new one, never a mix.
    let final_dir = out.join(period.name());
    let staged = relief_atomic::StagedFolder::create(&final_dir)
        .with_context(|| format!("creating the report folder {}", final_dir.display()))?;
    let dir = staged.path().to_path_buf();

    // The clean data needs only the prepared rows, not the figures: it is written while the
    // figures are computed (each leaves a core idle part of the time), the CSV beside the
    // Parquet files, each on every core.
    let clean_data = || -> anyhow::Result<()> {
        crate::timings::stage("clean-data", || -> anyhow::Result<()> {
            let table = clean_table(setup, prepared, period)?;
            let csv = || -> anyhow::Result<()> {
                let path = dir.join(SESSIONS_CSV);
                crate::output::write_atomic(&path, |w| {
                    table.write_csv(w).map_err(std::io::Error::other)
                })
                .with_context(|| format!("writing {}", path.display()))
            };
            let parquet = || write_parquet_files(setup, prepared, period, &table, &dir, out);
            let (csv, parquet) = rayon::join(csv, parquet);
            csv.and(parquet)
        })
    };
    // The figures, then the workbook and the charts drawn from them, side by side.
    let figures_and_views = || -> anyhow::Result<(Summary, usize)> {
        let summary = crate::timings::stage("figures", || {
            prepared.summarise(period, &facts, &setup.settings)
        })?;
        let workbook = || -> anyhow::Result<()> {
            let path = dir.join(workbook_name(&summary.period));
            crate::timings::stage("workbook", || {
                relief_excel::write_workbook(&summary, trend, &path)
            })
            .with_context(|| format!("writing the workbook {}", path.display()))
        };
        let charts = || -> anyhow::Result<usize> {
            let charts_dir = dir.join(CHARTS_DIR);
            std::fs::create_dir_all(&charts_dir)
                .with_context(|| format!("creating {}", charts_dir.display()))?;
            let chart_options = relief_charts::ChartOptions {
                width: setup.config.charts.width,
                height: setup.config.charts.height,
            };
            let written = crate::timings::stage("charts", || {
                relief_charts::render_all(&summary, trend, &charts_dir, &chart_options)
            })
            .with_context(|| format!("drawing the charts in {}", charts_dir.display()))?;
            Ok(written.len())
        };
        let (workbook, charts) = rayon::join(workbook, charts);
        workbook?;
        Ok((summary, charts?))
    };
    let (clean_data, views) = rayon::join(clean_data, figures_and_views);
    clean_data?;
    let (summary, charts) = views?;

    let json_path = dir.join(SUMMARY_JSON);
    crate::output::write_atomic(&json_path, |w| {
        serde_json::to_writer_pretty(&mut *w, &summary).map_err(std::io::Error::other)?;
        writeln!(w)
    })
    .with_context(|| format!("writing {}", final_dir.join(SUMMARY_JSON).display()))?;
    relief_batch::failpoint("before-report-swap");
    staged
        .commit(is_ours)
        .with_context(|| format!("putting the new report in {}", final_dir.display()))?;
    Ok(PeriodOutputs {
        summary,
        dir: final_dir,
        charts,
    })
}

/// Whether a name in a report folder is one relief writes there: an earlier run's file of
/// that name is replaced (or, if this run has none, dropped); anything else is the
/// therapist's and is kept.
fn is_ours(name: &str) -> bool {
    [SUMMARY_JSON, SESSIONS_CSV, SESSIONS_PARQUET, CHARTS_DIR].contains(&name)
        || (name.starts_with("relief-") && name.ends_with(".xlsx"))
}

/// The clean table of `period`, with session pseudonyms.
fn clean_table<'a>(
    setup: &Setup,
    prepared: &'a Prepared,
    period: &Period,
) -> anyhow::Result<CleanTable<'a>> {
    let options = CleanTableOptions {
        exact_dates: setup.config.privacy.exact_dates,
    };
    Ok(prepared.clean_table(period, options, &|key, out| {
        setup.pseudonymizer.session_into(key, out)
    })?)
}

/// Writes the period's `sessions.parquet` and the dataset file of every month the period
/// touches, each with the whole month as read (a range that starts or ends inside a month
/// still writes the whole month: a partition named `month=2026-10` holds all of October),
/// without the `month` column the folder name carries.
///
/// A month whose every row is in the period is encoded once: its row groups go into the
/// period's file and the month's partition alike (a row group never spans two months). A month
/// the period leaves rows of out has its partition written from the month's own table.
fn write_parquet_files(
    setup: &Setup,
    prepared: &Prepared,
    period: &Period,
    table: &CleanTable<'_>,
    dir: &Path,
    out: &Path,
) -> anyhow::Result<()> {
    let encoder = table.parquet_encoder()?;
    let months = encoder.months();
    let mut partitions = Vec::new();
    for month in prepared.months().iter().filter(|m| period.overlaps(m)) {
        let dir = out.join(setup.config.dataset.partition_dir(&month.name()));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("creating the dataset folder {}", dir.display()))?;
        partitions.push((month, dir.join(SESSIONS_PARQUET)));
    }
    let partition_of = |month: &Period| partitions.iter().find(|p| p.0 == month).map(|p| &p.1);
    let shared = |month: &Period| months.iter().any(|m| m.whole && m.month == month);

    let path = dir.join(SESSIONS_PARQUET);
    // A partition that fails is reported as itself, not as a failure of the period's file
    // (which is then left unwritten, as the error stops it).
    let mut failed_partition: Option<anyhow::Error> = None;
    let written = crate::output::write_atomic(&path, |w| {
        let mut file = encoder.file(w, WithMonth(true)).map_err(io)?;
        for part in &months {
            let partition = partition_of(part.month).filter(|_| part.whole);
            let Some(partition) = partition else {
                for rows in &part.groups {
                    file.append(rows.clone()).map_err(io)?;
                }
                continue;
            };
            let month_written = crate::output::write_atomic(partition, |w| {
                let mut month_file = encoder.file(w, WithMonth(false)).map_err(io)?;
                for rows in &part.groups {
                    encoder
                        .write_group(rows.clone(), &mut file, Some(&mut month_file))
                        .map_err(io)?;
                }
                month_file.finish().map_err(io)
            });
            if let Err(e) = month_written {
                let e = anyhow::Error::new(e).context(format!("writing {}", partition.display()));
                failed_partition = Some(e);
                return Err(std::io::Error::other("a month's dataset file failed"));
            }
        }
        file.finish().map_err(io)
    });
    if let Some(e) = failed_partition {
        return Err(e);
    }
    written.with_context(|| format!("writing {}", path.display()))?;

    for (month, path) in partitions.iter().filter(|(m, _)| !shared(m)) {
        let whole = clean_table(setup, prepared, month)?;
        crate::output::write_atomic(path, |w| whole.write_partition_parquet(w).map_err(io))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// An analysis error as the I/O error an atomic writer's filler returns.
fn io(e: relief_analysis::AnalysisError) -> std::io::Error {
    std::io::Error::other(e)
}
