//! Renders every chart from a realistic report fixture and checks what came out: real PNG files
//! that decode, have the requested size, are not blank, match the committed golden images within
//! a small tolerance, and are byte-identical from one run to the next.
//!
//! When a golden comparison fails, the actual image is written under the cargo target folder and
//! the failure message says where. To accept new renders as goldens after a deliberate change:
//! `RELIEF_UPDATE_GOLDEN=1 cargo test -p relief-charts --test golden`, then look at every image.

use relief_charts::{ChartError, ChartOptions, FILES, render_all, render_images};
use relief_core::personalisation::{AdjustedEntry, CourseEntry, Factor, RegionOrAll};
use relief_core::summary::*;
use relief_core::{Pressure, Region};
use std::path::{Path, PathBuf};

/// Golden images are rendered at half size to keep the test quick; layout scales with size.
const GOLDEN: ChartOptions = ChartOptions {
    width: 800,
    height: 500,
};

/// Figures of a group from its row count and mean scores; the rest follows plausibly.
fn fig(rows: u64, before: f64, after: f64, min_group: u64) -> Figures {
    let change = before - after;
    let sd = 1.1 + 0.15 * before;
    let small = rows < min_group;
    let half = 1.96 * sd / (rows.max(1) as f64).sqrt();
    let improved = (0.5 + change / 6.0).clamp(0.05, 0.95);
    let responder = (0.2 + change / 7.0).clamp(0.0, 0.9);
    Figures {
        rows,
        sessions: rows * 9 / 10,
        clients: (rows / 3).max(1),
        mean_before: before,
        mean_after: after,
        mean_change: change,
        median_change: change.round(),
        sd_change: (rows > 1).then_some(sd),
        ci95: (!small).then_some([change - half, change + half]),
        improved_rate: improved,
        worse_rate: (1.0 - improved) / 3.0,
        responder_rate: Some(responder),
        strong_responder_rate: Some(responder * 0.55),
        srm: Some(change / sd),
        small_sample: small,
        unchanged_rate: 1.0 - improved - (1.0 - improved) / 3.0,
        zero_before_rows: 0,
        meets_mcid: change >= 2.0,
        mcid_rate: Some((0.3 + change / 8.0).clamp(0.0, 0.95)),
    }
}

/// A deterministic wobble in [-1, 1] from a few integers, so the fixture looks like real data.
fn wobble(a: u64, b: u64) -> f64 {
    let x = (a * 7919 + b * 104_729 + 13) % 1000;
    x as f64 / 500.0 - 1.0
}

/// A six-month report of a clinic with four therapists (one with a very long name). Feet have no
/// data; head is a small sample everywhere; lower back gets most rows.
fn fixture() -> Summary {
    let min_group = 5;
    // (region, rows over the whole period, mean before, mean after)
    let base: [(Region, u64, f64, f64); 8] = [
        (Region::Head, 4, 4.5, 3.25),
        (Region::Neck, 148, 5.8, 3.6),
        (Region::Shoulders, 182, 6.1, 3.7),
        (Region::UpperBack, 121, 5.4, 3.5),
        (Region::LowerBack, 264, 6.9, 4.1),
        (Region::Arms, 37, 3.9, 3.1),
        (Region::Hips, 66, 5.2, 4.0),
        (Region::Legs, 58, 4.4, 4.6),
    ];
    let months = [
        "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",
    ];
    let regions = base
        .iter()
        .map(|&(region, rows, b, a)| RegionFigures {
            key: RegionKey {},
            region,
            figures: fig(rows, b, a, min_group),
        })
        .collect();
    let mut by_month = Vec::new();
    for (i, month) in months.iter().enumerate() {
        for (k, &(region, rows, b, a)) in base.iter().enumerate() {
            // Arms were only recorded from March on.
            if region == Region::Arms && i < 2 {
                continue;
            }
            let rows = if region == Region::Head {
                1 + (i as u64 % 3)
            } else {
                rows / 6 + (wobble(i as u64, k as u64) * 6.0) as u64
            };
            let drift = 0.12 * i as f64 + 0.35 * wobble(k as u64, i as u64 + 7);
            by_month.push(MonthFigures {
                key: MonthKey {
                    month: month.to_string(),
                },
                region,
                figures: fig(
                    rows,
                    b + 0.1 * wobble(i as u64, 3),
                    a - drift + 0.3,
                    min_group,
                ),
            });
        }
    }
    let therapists = [
        "Ana Ruiz",
        "Bo Chen",
        "Dr. Maximiliana Wolkenstein-Featherstonehaugh (senior therapist)",
        "Kai",
    ];
    let mut by_therapist = Vec::new();
    for (t, name) in therapists.iter().enumerate() {
        for &(region, rows, b, a) in &base {
            by_therapist.push(TherapistFigures {
                key: TherapistKey {
                    therapist: name.to_string(),
                },
                region,
                figures: fig(rows / 4, b, a + 0.2 * wobble(t as u64, 1), min_group),
            });
        }
    }
    let mut by_pressure = Vec::new();
    for (p, pressure) in Pressure::ALL.into_iter().enumerate() {
        for (k, &(region, rows, b, a)) in base.iter().enumerate() {
            // Nobody uses deep pressure on the head or neck.
            if pressure == Pressure::Deep && matches!(region, Region::Head | Region::Neck) {
                continue;
            }
            let rows = if region == Region::Head {
                1
            } else {
                (rows / 5).saturating_sub(p as u64 * 3) + (k as u64 % 3)
            };
            let effect = 0.35 * p as f64 - 0.3 + 0.2 * wobble(p as u64, k as u64);
            by_pressure.push(PressureFigures {
                key: PressureKey { pressure },
                region,
                figures: fig(rows.max(1), b, a - effect, min_group),
            });
        }
    }
    let mut by_focus = Vec::new();
    for focus in [false, true] {
        for &(region, rows, b, a) in &base {
            let (rows, a) = if focus {
                (rows / 3, a - 0.7)
            } else {
                (rows - rows / 3, a + 0.25)
            };
            by_focus.push(FocusFigures {
                key: FocusKey { focus },
                region,
                figures: fig(rows.max(1), b, a, min_group),
            });
        }
    }
    let mut by_visit = Vec::new();
    for visit in 1..=8u32 {
        for (k, &(region, rows, b, a)) in base.iter().enumerate() {
            let rows = (rows / u64::from(visit + 1)).max(1);
            let before =
                b - 0.22 * f64::from(visit - 1) + 0.15 * wobble(u64::from(visit), k as u64);
            by_visit.push(VisitFigures {
                key: VisitKey { visit },
                region,
                figures: fig(rows, before, a, min_group),
            });
        }
    }
    let used: u64 = base.iter().map(|b| b.1).sum();
    Summary {
        period: relief_core::Period::parse_name("2026-06").unwrap(),
        rows: RowCounts {
            read: used + 12,
            used,
            rejected: 9,
            duplicates: 3,
            conflicts: 1,
            footer_skipped: 2,
        },
        files: Vec::new(),
        regions,
        by_month,
        by_therapist,
        by_pressure,
        by_focus,
        rejects: Vec::new(),
        by_minutes: Vec::new(),
        by_technique: Vec::new(),
        spillover: Vec::new(),
        by_visit,
        conflicts: Vec::new(),
        unknown: UnknownCounts::default(),
        settings: Settings {
            min_group_size: min_group,
            ..relief_core::test_support::settings("0.1.0")
        },
        adjusted: adjusted(&base, min_group),
        course: course(&base, min_group),
    }
}

/// One comparison; the CI is ±0.8 / √(rows / 40), none for a small sample.
/// `what` is the factor, the level and the reference level.
fn compare(
    (factor, level, reference): (Factor, &str, &str),
    region: RegionOrAll,
    rows: u64,
    raw: f64,
    adjusted: Option<f64>,
    min_group: u64,
) -> AdjustedEntry {
    let small = rows < min_group;
    let half = 0.8 / (rows.max(1) as f64 / 40.0).sqrt();
    AdjustedEntry {
        factor,
        level: level.into(),
        reference: reference.into(),
        region,
        rows,
        clients: (rows / 3).max(1),
        reference_rows: rows * 2,
        raw_difference: raw,
        adjusted_difference: adjusted,
        ci95: adjusted.filter(|_| !small).map(|a| [a - half, a + half]),
        small_sample: small,
    }
}

/// The adjusted differences: focus raw 1.8 against 1.1 at equal arrival soreness, pressure
/// levels, minutes bands and techniques pooled; focus per region with a small sample (head) and
/// a model that cannot be fitted (arms).
fn adjusted(base: &[(Region, u64, f64, f64)], min_group: u64) -> Vec<AdjustedEntry> {
    use Factor::*;
    let all = RegionOrAll::All;
    let mut out = vec![compare(
        (Focus, "true", "false"),
        all,
        290,
        1.8,
        Some(1.1),
        min_group,
    )];
    for (k, &(region, rows, _, _)) in base.iter().enumerate() {
        let adjusted = (region != Region::Arms).then_some(0.7 + 0.1 * k as f64);
        let rows = if region == Region::Head { 2 } else { rows / 3 };
        let raw = 1.2 + 0.15 * k as f64;
        out.push(compare(
            (Focus, "true", "false"),
            RegionOrAll::Region(region),
            rows,
            raw,
            adjusted,
            min_group,
        ));
    }
    for (level, raw, adj) in [("medium", 0.3, 0.2), ("firm", 0.9, 0.6), ("deep", 1.2, 0.7)] {
        out.push(compare(
            (Pressure, level, "light"),
            all,
            160,
            raw,
            Some(adj),
            min_group,
        ));
    }
    for (level, raw, adj) in [
        ("6-15", 0.5, 0.4),
        ("16-30", 0.9, 0.6),
        ("over 30", 1.1, 0.8),
    ] {
        out.push(compare(
            (Minutes, level, "1-5"),
            all,
            120,
            raw,
            Some(adj),
            min_group,
        ));
    }
    for (level, raw, adj) in [("Deep tissue", 0.4, 0.1), ("Trigger point", -0.2, -0.3)] {
        out.push(compare(
            (Technique, level, "Swedish"),
            all,
            110,
            raw,
            Some(adj),
            min_group,
        ));
    }
    out
}

/// The course of care: every region with data but feet; head a small sample.
fn course(base: &[(Region, u64, f64, f64)], min_group: u64) -> Vec<CourseEntry> {
    base.iter()
        .enumerate()
        .map(|(k, &(region, rows, before, _))| {
            let clients = if region == Region::Head { 2 } else { rows / 4 };
            let fall = 0.4 + 0.25 * k as f64 - if region == Region::Legs { 1.2 } else { 0.0 };
            let small = clients < min_group;
            let half = 1.9 / (clients as f64).sqrt();
            CourseEntry {
                region,
                clients,
                mean_first: before + 0.6,
                mean_latest: before + 0.6 - fall,
                mean_fall: fall,
                sd_fall: Some(1.9),
                ci95: (!small).then_some([fall - half, fall + half]),
                mcid_rate: Some(0.4),
                fall_30_rate: Some(0.35),
                median_sessions: 4.0,
                small_sample: small,
            }
        })
        .collect()
}

/// A decoded RGB image.
struct Image {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

fn decode(bytes: &[u8]) -> Image {
    let decoder = png::Decoder::new(bytes);
    let mut reader = decoder.read_info().expect("the PNG header decodes");
    let mut rgb = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut rgb).expect("the PNG data decodes");
    assert_eq!(info.color_type, png::ColorType::Rgb, "charts are RGB");
    rgb.truncate(info.buffer_size());
    Image {
        width: info.width,
        height: info.height,
        rgb,
    }
}

impl Image {
    fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }
}

/// Share of pixels whose largest channel difference exceeds `threshold`.
fn differing_share(a: &Image, b: &Image, threshold: u8) -> f64 {
    let differing = a
        .rgb
        .chunks_exact(3)
        .zip(b.rgb.chunks_exact(3))
        .filter(|(p, q)| {
            p.iter()
                .zip(q.iter())
                .any(|(x, y)| x.abs_diff(*y) > threshold)
        })
        .count();
    differing as f64 / (a.width as f64 * a.height as f64)
}

/// Asserts the middle of the image (the plot area) holds a real drawing: several colours and a
/// fair share of ink.
fn assert_not_blank(name: &str, img: &Image) {
    let (x0, x1, y0, y1) = (
        img.width / 5,
        img.width * 4 / 5,
        img.height / 5,
        img.height * 4 / 5,
    );
    let mut colours = std::collections::BTreeSet::new();
    let mut inked = 0usize;
    let mut total = 0usize;
    for y in y0..y1 {
        for x in x0..x1 {
            let p = img.pixel(x, y);
            colours.insert(p);
            total += 1;
            if p != [255, 255, 255] {
                inked += 1;
            }
        }
    }
    assert!(
        colours.len() >= 8,
        "{name}: plot area has only {} colours",
        colours.len()
    );
    let share = inked as f64 / total as f64;
    assert!(
        share > 0.03,
        "{name}: plot area is {:.1} % inked, looks blank",
        share * 100.0
    );
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

#[test]
fn charts_match_the_golden_images() {
    let images = render_images(&fixture(), &[], &GOLDEN).expect("charts render");
    let update = std::env::var_os("RELIEF_UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let actual_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("relief-charts-actual");
    let mut failures = Vec::new();
    assert_eq!(images.iter().map(|i| i.0).collect::<Vec<_>>(), FILES);
    for (name, bytes) in &images {
        let img = decode(bytes);
        assert_eq!(
            (img.width, img.height),
            (GOLDEN.width, GOLDEN.height),
            "{name}: size"
        );
        assert_not_blank(name, &img);
        let golden_path = golden_dir().join(name);
        if update {
            std::fs::create_dir_all(golden_dir()).unwrap();
            std::fs::write(&golden_path, bytes).unwrap();
            continue;
        }
        let golden = std::fs::read(&golden_path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run with RELIEF_UPDATE_GOLDEN=1 to create it",
                golden_path.display()
            )
        });
        let golden = decode(&golden);
        let share = if (golden.width, golden.height) == (img.width, img.height) {
            differing_share(&img, &golden, 24)
        } else {
            1.0
        };
        if share > 0.005 {
            std::fs::create_dir_all(&actual_dir).unwrap();
            let actual = actual_dir.join(name);
            std::fs::write(&actual, bytes).unwrap();
            failures.push(format!(
                "{name}: {:.2} % of pixels differ from {}; actual written to {}",
                share * 100.0,
                golden_path.display(),
                actual.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_comparison_notices_a_changed_chart() {
    // Guards the tolerance itself: a chart drawn for another report must not pass as the golden.
    let mut other = fixture();
    for r in &mut other.regions {
        r.figures.mean_after = r.figures.mean_before;
        r.figures.mean_change = 0.0;
    }
    let a = render_images(&fixture(), &[], &GOLDEN).unwrap();
    let b = render_images(&other, &[], &GOLDEN).unwrap();
    let (a, b) = (decode(&a[6].1), decode(&b[6].1));
    assert!(
        differing_share(&a, &b, 24) > 0.005,
        "a different body map passed the tolerance"
    );
}

#[test]
fn full_size_files_are_written_and_identical_on_rerun() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("relief-charts-full");
    let _ = std::fs::remove_dir_all(&dir);
    let summary = fixture();
    let started = std::time::Instant::now();
    let paths =
        render_all(&summary, &[], &dir, &ChartOptions::default()).expect("charts are written");
    eprintln!("seven charts at 1600 × 1000 took {:?}", started.elapsed());
    assert_eq!(paths.len(), FILES.len());
    let first: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    for (path, bytes) in paths.iter().zip(&first) {
        let img = decode(bytes);
        assert_eq!((img.width, img.height), (1600, 1000), "{}", path.display());
        assert_not_blank(&path.display().to_string(), &img);
    }
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with('.')),
        "left over: {names:?}"
    );
    let again = render_all(&summary, &[], &dir, &ChartOptions::default()).unwrap();
    for (path, bytes) in again.iter().zip(&first) {
        assert!(
            std::fs::read(path).unwrap() == *bytes,
            "{} differs on rerun",
            path.display()
        );
    }
}

#[test]
fn trend_uses_the_given_range_rather_than_the_period() {
    // A one-month report still shows the months before it when the caller passes them.
    let full = fixture();
    let mut one_month = full.clone();
    one_month.by_month.retain(|m| m.key.month == "2026-06");
    let with_range = render_images(&one_month, &full.by_month, &GOLDEN).unwrap();
    let from_full = render_images(&full, &[], &GOLDEN).unwrap();
    let alone = render_images(&one_month, &[], &GOLDEN).unwrap();
    assert_eq!(
        with_range[1].1, from_full[1].1,
        "range passed in is drawn like the summary's own months"
    );
    assert_ne!(
        with_range[1].1, alone[1].1,
        "one month alone must look different"
    );
}

#[test]
fn an_empty_report_still_draws_every_chart() {
    let empty = relief_core::test_support::cleared(fixture());
    let images = render_images(&empty, &[], &GOLDEN).expect("an empty report renders");
    for (name, bytes) in images {
        let img = decode(&bytes);
        assert_eq!((img.width, img.height), (800, 500), "{name}");
    }
}

#[test]
fn absurd_sizes_are_refused_with_a_clear_message() {
    let err = render_images(
        &fixture(),
        &[],
        &ChartOptions {
            width: 10,
            height: 1000,
        },
    )
    .unwrap_err();
    assert!(matches!(
        err,
        ChartError::Size {
            width: 10,
            height: 1000
        }
    ));
    assert!(err.to_string().contains("between 400 and 8000"), "{err}");
}

#[test]
fn an_unwritable_folder_is_reported_with_its_path() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("relief-charts-blocked");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // A file where the chart folder should be.
    let blocker = dir.join("charts");
    std::fs::write(&blocker, b"not a folder").unwrap();
    let err = render_all(&fixture(), &[], &blocker, &GOLDEN).unwrap_err();
    assert!(matches!(err, ChartError::Write { .. }), "{err:?}");
    assert!(err.to_string().contains("charts"), "{err}");
}

#[test]
fn broken_figures_do_not_stop_the_charts() {
    // Guards against a panic or a runaway line when a figure is NaN or infinite.
    let mut broken = fixture();
    for e in &mut broken.adjusted {
        e.raw_difference = f64::NAN;
        e.ci95 = Some([f64::NEG_INFINITY, f64::INFINITY]);
    }
    for e in &mut broken.course {
        e.mean_fall = f64::INFINITY;
        e.mean_latest = f64::NAN;
    }
    for (i, r) in broken.regions.iter_mut().enumerate() {
        r.figures.mean_change = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300][i % 4];
        r.figures.mean_after = f64::NAN;
        r.figures.ci95 = Some([f64::NEG_INFINITY, f64::NAN]);
        r.figures.responder_rate = Some(f64::NAN);
    }
    for m in &mut broken.by_month {
        m.figures.mean_change = f64::INFINITY;
    }
    let images = render_images(&broken, &[], &GOLDEN).expect("broken figures still render");
    assert_eq!(images.len(), FILES.len());
}
