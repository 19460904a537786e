//! The generative model behind the sample: clients, their visits, and the soreness they arrive
//! with and leave with.
//!
//! Every later chart needs a story to show, so the numbers are not noise: lower back is the most
//! common and sorest region; a region the client asked to focus on gets more minutes and more
//! relief, and clients ask for focus on the regions that arrive sorer that day (so the raw focus
//! difference overstates what focus does at equal arrival soreness); firmer pressure relieves the back more; relief grows with minutes up to a plateau
//! (`1 − exp(−minutes/12)`); working the legs in the same session gives the lower back a little
//! extra relief; regular clients arrive less sore visit after visit; therapists differ a little.
//!
//! Sessions come out of [`World`] in date order (then client order) one at a time, so memory
//! stays proportional to the number of clients, not sessions. All randomness comes from one
//! `ChaCha8Rng` consumed in a fixed order, so a seed always gives the same sessions.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use relief_core::{Pressure, Region, Side};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Days covered by the sample: 2026-05-01 to 2026-10-31.
pub(crate) const DAYS: u32 = 184;

/// The first day of the sample period.
pub(crate) fn start_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 1).unwrap_or_default()
}

/// Sessions a client has on average over the period; decides the number of clients.
const VISITS_PER_CLIENT: usize = 12;

/// Therapists, with the points of relief each adds to every region (their small difference).
pub(crate) const THERAPISTS: [(&str, f64); 7] = [
    ("Anna Berg", 0.30),
    ("Tom Okafor", 0.0),
    ("Mia Laine", 0.15),
    ("Sam Patel", -0.25),
    ("Lee Chen", -0.10),
    ("Jo Marsh", 0.10),
    ("Ruth Ade", 0.05),
];

/// Therapists working in each clinic style (north, harbour, riverside, willow), by index in
/// [`THERAPISTS`].
const CLINIC_THERAPISTS: [&[usize]; 4] = [&[0, 1], &[2, 3], &[4], &[5, 6]];

/// Number of clinic styles; clinics (files) cycle through them.
pub(crate) const STYLES: usize = 4;

/// Techniques, shared by every clinic so the by-technique table does not split on spelling.
pub(crate) const TECHNIQUES: [&str; 5] = [
    "Swedish",
    "Deep tissue",
    "Trigger point",
    "Myofascial release",
    "Sports massage",
];

/// Per region: typical arrival soreness, how often it is worked, base share of soreness relieved.
fn region_profile(region: Region) -> (f64, f64, f64) {
    match region {
        Region::Head => (3.6, 0.10, 0.30),
        Region::Neck => (5.0, 0.55, 0.32),
        Region::Shoulders => (5.2, 0.60, 0.34),
        Region::UpperBack => (4.6, 0.45, 0.34),
        Region::LowerBack => (6.2, 0.85, 0.34),
        Region::Arms => (3.4, 0.12, 0.28),
        Region::Hips => (4.3, 0.28, 0.30),
        Region::Legs => (4.0, 0.32, 0.32),
        Region::Feet => (3.8, 0.12, 0.30),
    }
}

/// How likely a client is to ask for focus on a region.
fn focus_preference(region: Region) -> f64 {
    match region {
        Region::LowerBack => 0.6,
        Region::Neck | Region::Shoulders => 0.25,
        Region::UpperBack => 0.15,
        Region::Hips | Region::Legs => 0.10,
        _ => 0.05,
    }
}

/// Extra share of soreness relieved by a pressure level: firmer pressure helps the back most,
/// and deep pressure is a little too much for the neck and head.
fn pressure_bonus(region: Region, pressure: Pressure) -> f64 {
    let level = pressure_index(pressure);
    match region {
        Region::UpperBack | Region::LowerBack => [-0.08, 0.0, 0.06, 0.10][level],
        Region::Neck | Region::Head => [0.0, 0.02, 0.0, -0.05][level],
        _ => [-0.02, 0.0, 0.03, 0.03][level],
    }
}

/// A small technique effect, so the by-technique table is not flat.
fn technique_bonus(region: Region, technique: &str) -> f64 {
    match (technique, region) {
        ("Deep tissue", Region::UpperBack | Region::LowerBack) => 0.02,
        ("Trigger point", Region::Neck | Region::Shoulders) => 0.03,
        ("Sports massage", Region::Legs | Region::Hips) => 0.03,
        ("Myofascial release", _) => 0.01,
        _ => 0.0,
    }
}

/// Standard deviation of a region's arrival soreness from one visit to the next, in points.
const ARRIVAL_NOISE: f64 = 1.0;

/// How strongly soreness above the usual makes a client ask for focus: log-odds per point.
const FOCUS_PULL: f64 = 1.4;

/// The chance a client asks for focus on a region that arrives `excess` points sorer than the
/// region's typical soreness at this visit: their habit (`prefers`: 85 %, else 6 %) shifted by
/// how sore it is today. Clients ask for focus where it hurts, so focus rows arrive sorer
/// within every region — the reason relief adjusts the focus difference for arrival soreness.
fn asks_for_focus(prefers: bool, excess: f64) -> f64 {
    let habit: f64 = if prefers { 0.85 } else { 0.06 };
    let logit = (habit / (1.0 - habit)).ln() + FOCUS_PULL * excess;
    1.0 / (1.0 + (-logit).exp())
}

/// Points less soreness at arrival by visit number: regular clients improve over a course.
pub(crate) fn arrival_decline(visit: u32) -> f64 {
    1.8 * (1.0 - (-(f64::from(visit) - 1.0) / 4.0).exp())
}

/// Share of the possible relief reached after `minutes` on a region: a plateau, not a line.
pub(crate) fn dose(minutes: u32) -> f64 {
    1.0 - (-f64::from(minutes) / 12.0).exp()
}

/// Regions that are recorded with a side (left, right, both) in some exports.
pub(crate) fn has_sides(region: Region) -> bool {
    matches!(
        region,
        Region::Shoulders | Region::Arms | Region::Hips | Region::Legs | Region::Feet
    )
}

fn pressure_index(p: Pressure) -> usize {
    match p {
        Pressure::Light => 0,
        Pressure::Medium => 1,
        Pressure::Firm => 2,
        Pressure::Deep => 3,
    }
}

/// One client of one clinic, with the traits that make their sessions alike.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    /// Which clinic (export file in the messy sample) the client belongs to.
    pub clinic: usize,
    /// The clinic's style: 0 north (long xlsx), 1 harbour (wide xlsx), 2 riverside (csv),
    /// 3 willow (a hand-kept workbook).
    pub style: usize,
    /// Written as a plain number cell rather than text (north clinic only).
    pub numeric_id: bool,
    main_therapist: usize,
    other_therapist: usize,
    offset: f64,
    region_offset: [f64; 9],
    region_prob: [f64; 9],
    focus_pref: [bool; 9],
    pressure_pref: usize,
    visits: u32,
    first_day: u32,
    next_visit: u32,
    prev_day: Option<u32>,
}

/// One visit: the session-level details and one row per region worked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Session {
    /// Index of the client in [`World::clients`].
    pub client: usize,
    pub date: NaiveDate,
    /// 1 for the client's first visit in the period, 2 for the second …
    pub visit: u32,
    /// Index in [`THERAPISTS`].
    pub therapist: usize,
    pub pressure: Pressure,
    pub technique: &'static str,
    pub rows: Vec<RegionRow>,
}

impl Session {
    /// The focus regions in row order, lower case, as the wide exports list them.
    pub(crate) fn focus_words(&self) -> Vec<String> {
        self.rows
            .iter()
            .filter(|r| r.focus)
            .map(|r| r.region.label().to_lowercase())
            .collect()
    }
}

/// One session × region.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RegionRow {
    pub region: Region,
    pub side: Option<Side>,
    pub focus: bool,
    pub minutes: u32,
    pub before: f64,
    pub after: f64,
}

/// The clients and the schedule of their visits; iterating yields sessions in date order.
pub(crate) struct World {
    pub clients: Vec<Client>,
    rng: ChaCha8Rng,
    /// Next visit day of every client with visits left, smallest (day, client) first.
    queue: BinaryHeap<Reverse<(u32, u32)>>,
    start: NaiveDate,
}

impl World {
    /// Builds a world of about `sessions / 12` clients spread over `clinics` clinics, whose visits
    /// add up to exactly `sessions`.
    pub fn new(seed: u64, sessions: usize, clinics: usize) -> World {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let clinics = clinics.max(1);
        let count = sessions.div_ceil(VISITS_PER_CLIENT).max(1);
        let mut clients = Vec::with_capacity(count);
        let mut weights = Vec::with_capacity(count);
        for i in 0..count {
            let clinic = i % clinics;
            let style = clinic % STYLES;
            let staff = CLINIC_THERAPISTS[style];
            let main = staff[rng.random_range(0..staff.len())];
            let other = staff[rng.random_range(0..staff.len())];
            let offset = normal(&mut rng);
            let mut region_offset = [0.0; 9];
            let mut region_prob = [0.0; 9];
            let mut focus_pref = [false; 9];
            for (k, region) in Region::ALL.into_iter().enumerate() {
                let (_, prob, _) = region_profile(region);
                region_offset[k] = 0.7 * normal(&mut rng);
                region_prob[k] = (prob + 0.15 * normal(&mut rng)).clamp(0.02, 0.97);
                focus_pref[k] = rng.random_bool(focus_preference(region));
                // The harbour spa's sheet has no arms columns.
                if style == 1 && region == Region::Arms {
                    region_prob[k] = 0.0;
                    focus_pref[k] = false;
                }
            }
            let pressure_pref = pick(&mut rng, &[0.15, 0.35, 0.35, 0.15]);
            weights.push(0.3 + 1.4 * rng.random::<f64>());
            let first_day = rng.random_range(0..28);
            clients.push(Client {
                clinic,
                style,
                numeric_id: style == 0 && (i / clinics) % 4 == 1,
                main_therapist: main,
                other_therapist: other,
                offset,
                region_offset,
                region_prob,
                focus_pref,
                pressure_pref,
                visits: 0,
                first_day,
                next_visit: 0,
                prev_day: None,
            });
        }
        // Visits proportional to each client's weight, adding up to exactly `sessions`.
        let total: f64 = weights.iter().sum();
        let mut given = 0usize;
        for (client, w) in clients.iter_mut().zip(&weights) {
            let v = (sessions as f64 * w / total).floor() as usize;
            client.visits = v as u32;
            given += v;
        }
        for client in clients.iter_mut().take(sessions.saturating_sub(given)) {
            client.visits += 1;
        }
        let mut world = World {
            clients,
            rng,
            queue: BinaryHeap::new(),
            start: start_date(),
        };
        for i in 0..world.clients.len() {
            world.schedule_next(i);
        }
        world
    }

    /// Puts the client's next visit in the queue, if they have one left.
    fn schedule_next(&mut self, i: usize) {
        let c = &self.clients[i];
        if c.next_visit >= c.visits {
            return;
        }
        let span = DAYS - c.first_day;
        let j = c.next_visit;
        let planned = c.first_day + (u64::from(j) * u64::from(span) / u64::from(c.visits)) as u32;
        let jitter: i64 = if j == 0 {
            0
        } else {
            self.rng.random_range(-2..=2)
        };
        let mut day = (i64::from(planned) + jitter).max(0) as u32;
        // The clinics are closed on Sundays.
        if (self.start + Duration::days(i64::from(day))).weekday() == Weekday::Sun {
            day += 1;
        }
        if let Some(prev) = c.prev_day {
            day = day.max(prev + 1);
        }
        self.queue.push(Reverse((day, i as u32)));
    }

    fn make_session(&mut self, i: usize, day: u32) -> Session {
        let rng = &mut self.rng;
        let c = &self.clients[i];
        let visit = c.next_visit + 1;
        let therapist = if rng.random_bool(0.85) {
            c.main_therapist
        } else {
            c.other_therapist
        };
        let pressure_level = if rng.random_bool(0.7) {
            c.pressure_pref
        } else {
            pick(rng, &[0.25, 0.25, 0.25, 0.25])
        };
        let pressure = Pressure::ALL[pressure_level];
        let technique = TECHNIQUES[match pressure_level {
            0 => [0, 0, 0, 3][pick(rng, &[0.25; 4])],
            1 => [0, 2, 3, 4][pick(rng, &[0.25; 4])],
            2 => [1, 2, 4, 2][pick(rng, &[0.25; 4])],
            _ => [1, 1, 1, 2][pick(rng, &[0.25; 4])],
        }];
        let worked = worked_regions(rng, c);
        // How sore each region arrives today, drawn before the client asks for focus: they ask
        // for it on the regions that are sorer than usual (see `asks_for_focus`).
        let arrival: Vec<f64> = worked
            .iter()
            .map(|&r| {
                let k = r as usize;
                let typical = region_profile(r).0 - arrival_decline(visit);
                typical + c.offset + c.region_offset[k] + ARRIVAL_NOISE * normal(rng)
            })
            .collect();
        let focus: Vec<bool> = worked
            .iter()
            .zip(&arrival)
            .map(|(&r, &a)| {
                let typical = region_profile(r).0 - arrival_decline(visit);
                rng.random_bool(asks_for_focus(c.focus_pref[r as usize], a - typical))
            })
            .collect();
        let minutes = split_minutes(rng, &worked, &focus);
        let legs_worked = worked
            .iter()
            .zip(&minutes)
            .any(|(&r, &m)| r == Region::Legs && m > 0);
        let therapist_effect = THERAPISTS[therapist].1;
        let mut rows = Vec::with_capacity(worked.len());
        for (((&region, &is_focus), &mins), &arrival) in
            worked.iter().zip(&focus).zip(&minutes).zip(&arrival)
        {
            let (_, _, share) = region_profile(region);
            let side = if has_sides(region) && c.style != 1 {
                [None, Some(Side::Left), Some(Side::Right), Some(Side::Both)]
                    [pick(rng, &[0.45, 0.2, 0.2, 0.15])]
            } else {
                None
            };
            let before = round_score(rng, arrival.clamp(0.0, 10.0));
            let fraction = dose(mins)
                * (share
                    + if is_focus { 0.2 } else { 0.0 }
                    + pressure_bonus(region, pressure)
                    + technique_bonus(region, technique));
            let spill = if region == Region::LowerBack && legs_worked {
                0.4
            } else {
                0.0
            };
            let change = before * fraction + therapist_effect + spill + 0.6 * normal(rng);
            let after = round_score(rng, (before - change).clamp(0.0, 10.0));
            rows.push(RegionRow {
                region,
                side,
                focus: is_focus,
                minutes: mins,
                before,
                after,
            });
        }
        Session {
            client: i,
            date: self.start + Duration::days(i64::from(day)),
            visit,
            therapist,
            pressure,
            technique,
            rows,
        }
    }
}

/// The regions a client has worked today: each by the client's own chance, at least two (the
/// lower back and neck fill in), in region order.
fn worked_regions(rng: &mut ChaCha8Rng, c: &Client) -> Vec<Region> {
    let mut worked: Vec<Region> = Region::ALL
        .into_iter()
        .enumerate()
        .filter(|&(k, _)| rng.random_bool(c.region_prob[k]))
        .map(|(_, r)| r)
        .collect();
    for extra in [Region::LowerBack, Region::Neck] {
        if worked.len() < 2 && !worked.contains(&extra) {
            worked.push(extra);
        }
    }
    worked.sort();
    worked
}

/// The session's minutes split over the `worked` regions: focus regions and the lower back get
/// more, a few regions are only looked at (0), and every share is rounded to 5 minutes.
fn split_minutes(rng: &mut ChaCha8Rng, worked: &[Region], focus: &[bool]) -> Vec<u32> {
    // Longer sessions for more regions, so minutes per region do not depend on the count.
    let total = 15 * (worked.len() as u32 + [0, 1, 1, 2][pick(rng, &[0.25; 4])]);
    let weight = |r: Region, f: bool| {
        if f {
            2.2
        } else if r == Region::LowerBack {
            1.3
        } else {
            1.0
        }
    };
    let weight_sum: f64 = worked.iter().zip(focus).map(|(&r, &f)| weight(r, f)).sum();
    worked
        .iter()
        .zip(focus)
        .map(|(&r, &f)| {
            if !f && rng.random_bool(0.03) {
                return 0; // looked at, not worked
            }
            // Therapists spread their time unevenly: a quick touch here, a long stay there.
            let m = f64::from(total) * weight(r, f) / weight_sum * (0.45 * normal(rng)).exp();
            ((m / 5.0).round() as u32).clamp(1, 12) * 5
        })
        .collect()
}

impl Iterator for World {
    type Item = Session;

    fn next(&mut self) -> Option<Session> {
        let Reverse((day, client)) = self.queue.pop()?;
        let i = client as usize;
        let session = self.make_session(i, day);
        let c = &mut self.clients[i];
        c.next_visit += 1;
        c.prev_day = Some(day);
        self.schedule_next(i);
        Some(session)
    }
}

/// A standard normal draw.
pub(crate) fn normal(rng: &mut ChaCha8Rng) -> f64 {
    rng.sample(StandardNormal)
}

/// Picks an index with the given weights (which need not sum to 1).
pub(crate) fn pick(rng: &mut ChaCha8Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut u = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if u < *w {
            return i;
        }
        u -= w;
    }
    weights.len() - 1
}

/// Rounds a score as therapists write them: usually whole points, sometimes half points.
fn round_score(rng: &mut ChaCha8Rng, x: f64) -> f64 {
    if rng.random_bool(0.25) {
        (x * 2.0).round() / 2.0
    } else {
        x.round()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visits_add_up_to_the_requested_sessions_in_date_order() {
        for n in [1, 11, 30, 480, 2001] {
            let sessions: Vec<Session> = World::new(7, n, 3).collect();
            assert_eq!(sessions.len(), n, "sessions for n = {n}");
            assert!(sessions.windows(2).all(|w| w[0].date <= w[1].date));
        }
    }

    #[test]
    fn a_client_never_has_two_sessions_on_one_day_and_visits_count_up() {
        let sessions: Vec<Session> = World::new(3, 600, 3).collect();
        let mut seen: Vec<(usize, NaiveDate)> =
            sessions.iter().map(|s| (s.client, s.date)).collect();
        let before = seen.len();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), before);
        let mut last_visit = vec![0u32; 600];
        for s in &sessions {
            assert_eq!(s.visit, last_visit[s.client] + 1);
            last_visit[s.client] = s.visit;
        }
    }

    #[test]
    fn scores_are_whole_or_half_points_within_0_to_10_and_regions_unique() {
        for s in World::new(11, 500, 3) {
            let mut regions: Vec<Region> = s.rows.iter().map(|r| r.region).collect();
            regions.dedup();
            assert_eq!(regions.len(), s.rows.len());
            assert!(s.rows.len() >= 2);
            for r in &s.rows {
                for v in [r.before, r.after] {
                    assert!((0.0..=10.0).contains(&v) && (v * 2.0).fract() == 0.0, "{v}");
                }
            }
        }
    }

    /// The story of the adjusted focus difference: within one region, the rows the client asked
    /// to focus on arrive clearly sorer than the rest, and asking is likelier the sorer it is.
    #[test]
    fn focus_rows_arrive_sorer_within_a_region() {
        let (mut focus, mut rest) = ((0.0, 0u32), (0.0, 0u32));
        for row in World::new(2026, 3000, 4)
            .flat_map(|s| s.rows)
            .filter(|r| r.region == Region::LowerBack)
        {
            let side = if row.focus { &mut focus } else { &mut rest };
            side.0 += row.before;
            side.1 += 1;
        }
        assert!(focus.1 > 300 && rest.1 > 300, "{focus:?} {rest:?}");
        let gap = focus.0 / f64::from(focus.1) - rest.0 / f64::from(rest.1);
        assert!(gap > 1.0, "focus rows arrive only {gap:.2} points sorer");
        assert!(asks_for_focus(false, 2.0) > 3.0 * asks_for_focus(false, 0.0));
        assert!((asks_for_focus(true, 0.0) - 0.85).abs() < 1e-12);
    }

    #[test]
    fn dose_has_a_plateau() {
        assert_eq!(dose(0), 0.0);
        assert!(dose(12) > 0.6 && dose(12) < 0.65);
        assert!(dose(45) - dose(30) < dose(15) - dose(0));
    }
}
