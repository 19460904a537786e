//! The About sheet: what every figure means, and the settings this report was made with.

use super::{Grid, Out, num, pct, start_sheet};
use crate::text::fit_cell;
use relief_core::summary::Settings;
use relief_core::words::mcid_bands;
use rust_xlsxwriter::XlsxError;

/// Writes the About sheet: every figure's definition and the settings in force.
pub fn write_about(out: &mut Out) -> Result<(), XlsxError> {
    let s = &out.summary.settings;
    let ws = start_sheet(
        out.workbook,
        &out.plan.about,
        out.styles,
        "What the figures mean",
        "Definitions of every column, and the settings this report was made with.",
    )?;
    let resp = pct(s.responder_threshold);
    let strong = pct(s.strong_responder_threshold);
    let mcid = num(s.mcid_points);
    let bands = mcid_bands(&s.mcid_band_edges, &s.mcid_band_points);
    let scale = if s.score_scale == 100 {
        "0–100 in the exports, divided by 10 to the 0–10 scale".to_string()
    } else {
        "0–10 (Numeric Pain Rating Scale)".to_string()
    };
    let mut terms: Vec<(String, String)> = vec![
        ("Row".into(), "One session × one body region with both a before and an after score. A session that treats three regions gives three rows.".into()),
        ("Sessions".into(), "Distinct sessions: by the export's session id where it has one, else by client, date and therapist.".into()),
        ("Clients".into(), "Distinct clients. Client names and ids never appear in this workbook.".into()),
        ("Before (mean), After (mean)".into(), "Average soreness at the start and at the end of the session, on the 0–10 scale.".into()),
        ("Relief (mean change)".into(), "Average of before − after, in points. Positive means less sore after the session; negative means more sore. Coloured from red (worse) through white (no change) to green (relief).".into()),
        ("Relief (median change)".into(), "The middle value of before − after: half the rows had more relief, half less. Less swayed by a few extreme rows than the mean.".into()),
        ("SD of change".into(), "Standard deviation of before − after (sample, n − 1): how much the relief varies from row to row. Blank for a single row.".into()),
        ("95 % CI low / high".into(), "95 % confidence interval of the mean relief (Student t): the range the true average relief most likely lies in. Blank for small samples.".into()),
        ("Improved, Unchanged, Worse".into(), "Share of rows where soreness went down, stayed the same, or went up.".into()),
        (format!("Responders (≥ {resp} % relief)"), format!("Share of rows where soreness fell by at least {resp} % of its starting value — the usual mark of clinically important relief in pain research. Rows that started at 0 are left out; blank when all did.")),
        (format!("Strong responders (≥ {strong} % relief)"), format!("Share of rows where soreness fell by at least {strong} % of its starting value.")),
        ("SRM".into(), "Standardised response mean: mean relief divided by its SD. Around 0.2 is small, 0.5 moderate, 0.8 or more large. Blank when the SD is 0 or unknown.".into()),
        (format!("Reaches {mcid}-point MCID"), format!("Whether the mean relief is at least {mcid} points, the minimal clinically important difference on the 0–10 scale.")),
        (super::groups::MCID_RATE.into(), format!("Share of rows whose relief reached the clinically important change for how sore the region arrived: {bands}. A client who arrives at 3 cannot easily gain 2 points, one who arrives at 9 needs more to feel it. Rows that arrived below 1 are left out; blank when all did.")),
        ("Rows with before = 0".into(), "Rows whose client arrived with no soreness in the region: relative relief is not defined for them.".into()),
        ("Small sample".into(), format!("Groups with fewer than {} rows are shown, in amber italics, but their figures are fragile and they get no confidence interval.", s.min_group_size)),
        ("Blank figure with a red corner".into(), "A figure that cannot be computed. Hover over the cell to read why. A blank is never a zero.".into()),
    ];
    terms.extend(
        out.plan
            .groups
            .iter()
            .filter_map(|g| g.table.spec.term)
            .map(|(term, meaning)| (term.to_string(), meaning.to_string())),
    );
    terms.extend(personalisation_terms(s, &bands));
    terms.push(("Unknown values".into(), "A row whose export did not record pressure, focus, minutes or technique is left out of that one table (counted on the Overview), never guessed.".into()));
    let settings: Vec<(String, String)> = vec![
        ("Period".into(), out.summary.period.name()),
        ("Responder threshold".into(), format!("{resp} % relief")),
        ("Strong responder threshold".into(), format!("{strong} % relief")),
        ("Minimum group size".into(), format!("{} rows; smaller groups are flagged", s.min_group_size)),
        ("MCID".into(), format!("{mcid} points")),
        ("Clinically important change by arrival soreness".into(), bands.clone()),
        ("Score scale".into(), scale),
        ("Made by".into(), format!("relief {}", s.relief_version)),
        ("Document date".into(), "Set to the end of the period rather than the time of the run, so the same data always gives the same file.".into()),
    ];
    let grid = Grid::new(ws, out.styles);
    let mut row = 3;
    for (heading, list) in [("Figures", terms), ("Settings in force", settings)] {
        grid.ws
            .write_string_with_format(row, 0, heading, &out.styles.section)?;
        row += 1;
        for (term, meaning) in list {
            grid.ws
                .write_string_with_format(row, 0, &term, &out.styles.bold)?;
            grid.ws.write_string_with_format(
                row,
                1,
                fit_cell(&meaning).as_ref(),
                &out.styles.wrap,
            )?;
            row += 1;
        }
        row += 1;
    }
    grid.ws.set_column_width(0, 34)?;
    grid.ws.set_column_width(1, 100)?;
    Ok(())
}

/// Definitions of the "Personalisation, adjusted" and "Course of care" figures.
fn personalisation_terms(s: &Settings, bands: &str) -> Vec<(String, String)> {
    let min = s.min_group_size;
    let resp = pct(s.responder_threshold);
    [
        ("Raw difference (points)", "The mean relief of rows at this level minus the mean relief of rows at the reference level, in the same region (or all regions) — as recorded, without allowing for how sore the regions arrived.".to_string()),
        ("Adjusted difference (points)", "The difference in relief between this level and the reference level at equal arrival soreness: the level's coefficient in a least-squares fit of relief on arrival soreness (before) and the levels; for \"All regions\", also one baseline per region. Clients ask for focus on their sorest regions, and a region that arrives at 8 has more to relieve than one at 3, so the raw difference can flatter a factor. The adjusted difference is an association in the clinic's records at equal arrival soreness, not proof that the factor caused the relief.".to_string()),
        ("95 % CI (adjusted difference)", "The range the adjusted difference most likely lies in. It allows for one client's sessions being alike (standard errors clustered by client, CR1, Student t with clients − 1 degrees of freedom). Blank for a small sample.".to_string()),
        ("Reference level", "What each level is compared with: focus against not a focus; pressure and minutes against the lowest level recorded in the period; technique against the technique with the most rows. The same reference holds for every region.".to_string()),
        ("Reference rows", "Rows at the reference level in the same comparison.".to_string()),
        ("Small sample (adjusted)", format!("The level or the reference has fewer than {min} rows or only one client, or the comparison has fewer than 10 clients: the estimate is shown, without a confidence interval.")),
        ("Before at first / latest session", "Course of care: for each region, the clients with two or more sessions scoring it up to the end of the period, the latest in the period; their soreness on arrival at their first such session and at their latest (both sides of a region in one session count as their mean). Every session in the data up to the period's end counts, so a month's figures never change when later months arrive.".to_string()),
        ("Fall (mean, points)", "Before at first session minus before at latest session, averaged over clients; positive means regular clients arrive less sore. Its 95 % CI is over clients (Student t), blank under the minimum group size.".to_string()),
        ("Clinically important fall", format!("Share of clients whose fall reached the clinically important change for their first score: {bands}. Clients who first arrived below 1 are left out.")),
        (&*format!("Fell by ≥ {resp} %"), format!("Share of clients whose arrival soreness fell by at least {resp} % of their first score (clients who first arrived at 0 are left out).")),
        ("Sessions per client (median)", "The middle number of sessions scoring the region per counted client, up to the period's end.".to_string()),
    ]
    .into_iter()
    .map(|(term, meaning)| (term.to_string(), meaning))
    .collect()
}
