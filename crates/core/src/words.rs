//! Months and numbers in the words a therapist reads, shared by the workbook and the charts so
//! both say "October 2026" and "−0.4" the same way.

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn parse_month(month: &str) -> Option<(&str, usize)> {
    let (y, m) = month.split_once('-')?;
    let m: usize = m.parse().ok()?;
    let year_ok = y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()) && y != "0000";
    (year_ok && (1..=12).contains(&m)).then_some((y, m))
}

/// `2026-10` → `October 2026`; `None` for anything that is not a `YYYY-MM` month.
pub fn month_name(month: &str) -> Option<String> {
    parse_month(month).map(|(y, m)| format!("{} {y}", MONTHS[m - 1]))
}

/// `2026-10` → `Oct 2026`, for axis ticks; `None` for anything else.
pub fn month_short(month: &str) -> Option<String> {
    parse_month(month).map(|(y, m)| format!("{} {y}", &MONTHS[m - 1][..3]))
}

/// A figure with exactly one decimal, a true minus sign, and no `-0.0`: `2.0`, `−0.4`. The one
/// way the workbook's sentences and the charts' labels write a figure.
pub fn one_decimal(v: f64) -> String {
    let s = format!("{v:.1}");
    if s == "-0.0" {
        "0.0".to_string()
    } else {
        s.replace('-', "−")
    }
}

/// A count with its noun: `1 row`, `2 rows`.
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A number as a sentence writes it: whole numbers bare (`5`), others with what decimals they
/// need (`2.5`, `0.25`), a true minus sign.
pub fn plain(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.replace('-', "−")
    }
}

/// The clinically important change by arrival soreness (SPEC §3.1) in words, from the band
/// edges and the points of each band: `1 point when it arrived below 5, 2 points from 5 to
/// below 8, 3 points from 8`. A band includes its lower edge. Bands without points (a config
/// not checked) take the last points value, as `AnalysisConfig::mcid_points_for` does.
pub fn mcid_bands(edges: &[f64], points: &[f64]) -> String {
    let pts = |i: usize| {
        let p = points.get(i).or(points.last()).copied().unwrap_or(2.0);
        let unit = if p == 1.0 { "point" } else { "points" };
        format!("{} {unit}", plain(p))
    };
    if edges.is_empty() {
        return format!("{} whatever the arrival soreness", pts(0));
    }
    let mut parts = vec![format!(
        "{} when it arrived below {}",
        pts(0),
        plain(edges[0])
    )];
    for (i, pair) in edges.windows(2).enumerate() {
        parts.push(format!(
            "{} from {} to below {}",
            pts(i + 1),
            plain(pair[0]),
            plain(pair[1])
        ));
    }
    parts.push(format!(
        "{} from {}",
        pts(edges.len()),
        plain(edges[edges.len() - 1])
    ));
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_decimal_with_a_true_minus() {
        assert_eq!(one_decimal(-0.04), "0.0");
        assert_eq!(one_decimal(-3.26), "−3.3");
        assert_eq!(one_decimal(2.0), "2.0");
    }

    #[test]
    fn mcid_bands_in_words() {
        assert_eq!(
            mcid_bands(&[5.0, 8.0], &[1.0, 2.0, 3.0]),
            "1 point when it arrived below 5, 2 points from 5 to below 8, 3 points from 8"
        );
        assert_eq!(
            mcid_bands(&[4.5], &[1.0, 2.5]),
            "1 point when it arrived below 4.5, 2.5 points from 4.5"
        );
        assert_eq!(
            mcid_bands(&[], &[2.0]),
            "2 points whatever the arrival soreness"
        );
        assert_eq!(plain(-0.0), "0");
        assert_eq!(plain(0.25), "0.25");
    }

    #[test]
    fn counts_in_words() {
        assert_eq!(count(1u64, "row", "rows"), "1 row");
        assert_eq!(count(0u32, "row", "rows"), "0 rows");
        assert_eq!(count(2u64, "copy", "copies"), "2 copies");
    }

    #[test]
    fn months_in_words() {
        assert_eq!(month_name("2026-10").as_deref(), Some("October 2026"));
        assert_eq!(month_name("2026-01").as_deref(), Some("January 2026"));
        assert_eq!(month_short("2026-09").as_deref(), Some("Sep 2026"));
        for bad in ["2026-13", "2026-00", "26-10", "October", "0000-01", ""] {
            assert_eq!(month_name(bad), None, "{bad}");
        }
    }
}
