//! The course of care (SPEC §3.3): do regular clients arrive less sore as their sessions go on?
//!
//! For each region, over the clients with at least two sessions scoring it up to the period's
//! end and whose latest such session falls in the period, relief compares the before-score at
//! the client's first session scoring the region with the one at the latest. Sessions after the
//! period's end are ignored, so a month's report never changes when later months arrive.

use super::mcid::{TOLERANCE, reaches_mcid};
use super::{mean, median, sample_sd, t975};

use chrono::NaiveDate;
use relief_core::config::AnalysisConfig;
use relief_core::personalisation::CourseEntry;
use relief_core::{Period, Region};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// One session × region with its before-score, over the whole input (not only the period).
#[derive(Debug, Clone, PartialEq)]
pub struct CourseRow {
    /// Any id that is the same for all of one client's rows and differs between clients.
    pub client: u32,
    pub region: Region,
    pub date: NaiveDate,
    /// The session's visit number for the client (1 for the first session over the whole
    /// input); rows of one session share it. Orders sessions of the same day.
    pub visit: u32,
    /// Soreness on arrival, 0–10.
    pub before: f64,
}

/// One client's course in one region.
struct ClientCourse {
    first: f64,
    latest: f64,
    sessions: usize,
}

/// The course of care per region, in region order; regions without a counted client have no
/// entry.
///
/// Only rows dated up to the period's last day count. A client is counted in a region when they
/// have at least two sessions scoring it and the latest falls in the period. Sessions are
/// ordered by date, then visit number; one session is all rows of a client with the same date
/// and visit number, and a session scoring the region twice (both sides) counts with the mean
/// of its before-scores. Per region: mean first, mean latest, mean fall (first − latest) over
/// clients, its sample SD (`None` under 2 clients) and 95 % CI mean ± t(0.975, n − 1)·SD/√n
/// (`None` under `min_group_size` clients, which also sets `small_sample`); the share of clients
/// with a first score ≥ 1 whose fall reaches the MCID for their first score (SPEC §3.1); the
/// share of clients with a first score above 0 whose fall is at least `responder_threshold` of
/// it (both within 1e-9); and the median number of sessions scoring the region per client.
pub fn course_of_care<'r>(
    rows: impl Into<Cow<'r, [CourseRow]>>,
    period: &Period,
    analysis: &AnalysisConfig,
) -> Vec<CourseEntry> {
    let (start, end) = period.bounds();
    let mut rows = rows.into().into_owned();
    rows.retain(|r| r.date <= end);
    // By region, client, then session (date, visit). Stable, so the rows of one session keep
    // their input order and its sum adds them in that order whatever the sort did.
    rows.sort_by(|a, b| {
        (a.region, a.client, a.date, a.visit).cmp(&(b.region, b.client, b.date, b.visit))
    });
    let mut per_region: BTreeMap<Region, Vec<ClientCourse>> = BTreeMap::new();
    for course in rows.chunk_by(|a, b| (a.region, a.client) == (b.region, b.client)) {
        // Each session's mean arrival soreness over its rows of this region.
        let mut sessions = course
            .chunk_by(|a, b| (a.date, a.visit) == (b.date, b.visit))
            .map(|s| {
                let sum = s.iter().fold(0.0, |sum, r| sum + r.before);
                (s[0].date, sum / s.len() as f64)
            });
        let Some((_, first)) = sessions.next() else {
            continue;
        };
        let (count, latest) = sessions.fold((1, None), |(n, _), s| (n + 1, Some(s)));
        let Some((latest_date, latest)) = latest else {
            continue;
        };
        if latest_date < start {
            continue;
        }
        per_region
            .entry(course[0].region)
            .or_default()
            .push(ClientCourse {
                first,
                latest,
                sessions: count,
            });
    }
    per_region
        .into_iter()
        .filter_map(|(region, clients)| region_entry(region, &clients, analysis))
        .collect()
}

/// The figures of one region's counted clients; `None` when there are none.
fn region_entry(
    region: Region,
    clients: &[ClientCourse],
    analysis: &AnalysisConfig,
) -> Option<CourseEntry> {
    let n = clients.len();
    let firsts: Vec<f64> = clients.iter().map(|c| c.first).collect();
    let latests: Vec<f64> = clients.iter().map(|c| c.latest).collect();
    let falls: Vec<f64> = clients.iter().map(|c| c.first - c.latest).collect();
    let sessions: Vec<f64> = clients.iter().map(|c| c.sessions as f64).collect();
    let mean_fall = mean(&falls)?;
    let sd_fall = sample_sd(&falls).filter(|s| s.is_finite());
    let small_sample = (n as u64) < analysis.min_group_size;
    let ci95 = match (small_sample, sd_fall, t975(n as u64 - 1)) {
        (false, Some(sd), Some(t)) => {
            let half = t * sd / (n as f64).sqrt();
            Some([mean_fall - half, mean_fall + half])
        }
        _ => None,
    };
    let share = |flags: Vec<bool>| {
        (!flags.is_empty())
            .then(|| flags.iter().filter(|f| **f).count() as f64 / flags.len() as f64)
    };
    let mcid = clients
        .iter()
        .filter_map(|c| reaches_mcid(c.first, c.first - c.latest, analysis))
        .collect();
    let fall_30 = clients
        .iter()
        .filter(|c| c.first > 0.0)
        .map(|c| c.first - c.latest >= analysis.responder_threshold * c.first - TOLERANCE)
        .collect();
    Some(CourseEntry {
        region,
        clients: n as u64,
        mean_first: mean(&firsts)?,
        mean_latest: mean(&latests)?,
        mean_fall,
        sd_fall,
        ci95,
        mcid_rate: share(mcid),
        fall_30_rate: share(fall_30),
        median_sessions: median(&sessions)?,
        small_sample,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: &str) -> NaiveDate {
        NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()
    }

    fn row(client: u32, region: Region, date: &str, visit: u32, before: f64) -> CourseRow {
        CourseRow {
            client,
            region,
            date: day(date),
            visit,
            before,
        }
    }

    fn october() -> Period {
        Period::parse_month("2026-10").unwrap()
    }

    fn small_groups() -> AnalysisConfig {
        AnalysisConfig {
            min_group_size: 2,
            ..AnalysisConfig::default()
        }
    }

    /// Worked by hand, lower back, October's report:
    /// - client 1: Sep 1 at 8, Oct 5 at 6, Nov 2 at 2 (after the period: ignored) → first 8,
    ///   latest 6 (as of the period's end), fall 2, 2 sessions;
    /// - client 2: Aug 3 at 7, Sep 9 at 6, Oct 20 at left 4 and right 5 (one session: 4.5)
    ///   → first 7, latest 4.5, fall 2.5, 3 sessions;
    /// - client 3: one session only (Oct 7) → not counted;
    /// - client 4: Jul 1 at 5, Sep 1 at 5: latest session before October → not counted.
    ///
    /// Mean first 7.5, mean latest 5.25, falls 2 and 2.5: mean 2.25, SD √0.125, CI with
    /// t(0.975, 1) = 12.706: 2.25 ± 12.706 × √0.125 / √2 = 2.25 ± 3.1765.
    /// MCID: client 1 arrives at 8 → needs 3, falls 2: no; client 2 at 7 → needs 2: yes → 0.5.
    /// 30 %: 2 ≥ 2.4? no; 2.5 ≥ 2.1? yes → 0.5. Median sessions of (2, 3): 2.5.
    #[test]
    fn hand_worked_course_of_care() {
        let lb = Region::LowerBack;
        let rows = vec![
            row(1, lb, "2026-09-01", 1, 8.0),
            row(1, lb, "2026-10-05", 2, 6.0),
            row(1, lb, "2026-11-02", 3, 2.0),
            row(2, lb, "2026-08-03", 1, 7.0),
            row(2, lb, "2026-09-09", 2, 6.0),
            row(2, lb, "2026-10-20", 3, 4.0),
            row(2, lb, "2026-10-20", 3, 5.0),
            row(3, lb, "2026-10-07", 1, 9.0),
            row(4, lb, "2026-07-01", 1, 5.0),
            row(4, lb, "2026-09-01", 2, 5.0),
        ];
        let got = course_of_care(&rows, &october(), &small_groups());
        assert_eq!(got.len(), 1);
        let e = &got[0];
        assert_eq!((e.region, e.clients), (lb, 2));
        assert_eq!(
            (e.mean_first, e.mean_latest, e.mean_fall),
            (7.5, 5.25, 2.25)
        );
        let sd = e.sd_fall.unwrap();
        assert!((sd - 0.125f64.sqrt()).abs() < 1e-12, "{sd}");
        let [lo, hi] = e.ci95.unwrap();
        let half = 12.706_204_736 * 0.125f64.sqrt() / 2f64.sqrt();
        assert!((lo - (2.25 - half)).abs() < 1e-6 && (hi - (2.25 + half)).abs() < 1e-6);
        assert_eq!((e.mcid_rate, e.fall_30_rate), (Some(0.5), Some(0.5)));
        assert_eq!(e.median_sessions, 2.5);
        assert!(!e.small_sample);
        // With the default minimum of 5 clients: flagged, no CI, the SD still there.
        let got = course_of_care(&rows, &october(), &AnalysisConfig::default());
        assert!(got[0].small_sample && got[0].ci95.is_none() && got[0].sd_fall.is_some());
    }

    #[test]
    fn later_sessions_never_change_a_past_month() {
        let lb = Region::LowerBack;
        let mut rows = vec![
            row(1, lb, "2026-09-01", 1, 8.0),
            row(1, lb, "2026-10-05", 2, 6.0),
        ];
        let before = course_of_care(&rows, &october(), &small_groups());
        rows.push(row(1, lb, "2026-12-01", 3, 1.0));
        rows.push(row(2, lb, "2026-11-01", 1, 9.0));
        rows.push(row(2, lb, "2026-12-01", 2, 3.0));
        assert_eq!(course_of_care(&rows, &october(), &small_groups()), before);
        assert_eq!(before[0].clients, 1);
        assert_eq!(before[0].sd_fall, None, "one client has no SD");
        assert_eq!(before[0].ci95, None);
    }

    #[test]
    fn one_session_or_no_latest_in_period_gives_no_entry() {
        let rows = vec![
            row(1, Region::Neck, "2026-10-05", 1, 8.0),
            // Two sessions, but the neck is scored in one of them only.
            row(2, Region::Neck, "2026-10-01", 1, 6.0),
            row(2, Region::Hips, "2026-10-08", 2, 6.0),
            row(2, Region::Hips, "2026-09-08", 1, 4.0),
        ];
        let got = course_of_care(&rows, &october(), &small_groups());
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!((got[0].region, got[0].clients), (Region::Hips, 1));
        assert_eq!(got[0].mean_fall, -2.0, "arriving sorer is a negative fall");
        assert_eq!(
            (got[0].mcid_rate, got[0].fall_30_rate),
            (Some(0.0), Some(0.0))
        );
        assert!(course_of_care(&[], &october(), &small_groups()).is_empty());
    }

    #[test]
    fn same_day_sessions_follow_visit_numbers() {
        // Two sessions on one day (morning and afternoon): visit 3 is the later one.
        let rows = vec![
            row(1, Region::Feet, "2026-10-01", 1, 6.0),
            row(1, Region::Feet, "2026-10-09", 3, 2.0),
            row(1, Region::Feet, "2026-10-09", 2, 5.0),
        ];
        let got = course_of_care(&rows, &october(), &small_groups());
        assert_eq!((got[0].mean_first, got[0].mean_latest), (6.0, 2.0));
        assert_eq!(got[0].median_sessions, 3.0);
    }

    #[test]
    fn rates_leave_out_first_scores_they_cannot_judge() {
        // First score 0: counted in the means, not in the 30 % rate nor the MCID rate.
        // First score 0.5: in the 30 % rate (0.5 → 0 is 100 %), not in the MCID rate.
        let rows = vec![
            row(1, Region::Arms, "2026-09-01", 1, 0.0),
            row(1, Region::Arms, "2026-10-01", 2, 1.0),
            row(2, Region::Arms, "2026-09-01", 1, 0.5),
            row(2, Region::Arms, "2026-10-01", 2, 0.0),
        ];
        let e = &course_of_care(&rows, &october(), &small_groups())[0];
        assert_eq!(e.clients, 2);
        assert_eq!(e.mcid_rate, None);
        assert_eq!(e.fall_30_rate, Some(1.0));
    }
}
