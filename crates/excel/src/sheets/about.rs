//! The About sheet: what every figure means, and the settings this report was made with.

use super::{Grid, Plan, num, pct, start_sheet};
use crate::style::Styles;
use crate::text::fit_cell;
use relief_core::summary::Summary;
use rust_xlsxwriter::{Workbook, XlsxError};

/// Writes the About sheet: every figure's definition and the settings in force.
pub fn write_about(
    workbook: &mut Workbook,
    styles: &Styles,
    summary: &Summary,
    plan: &Plan,
) -> Result<(), XlsxError> {
    let s = &summary.settings;
    let ws = start_sheet(
        workbook,
        &plan.about,
        styles,
        "What the figures mean",
        "Definitions of every column, and the settings this report was made with.",
    )?;
    let resp = pct(s.responder_threshold);
    let strong = pct(s.strong_responder_threshold);
    let mcid = num(s.mcid_points);
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
        ("Rows with before = 0".into(), "Rows whose client arrived with no soreness in the region: relative relief is not defined for them.".into()),
        ("Small sample".into(), format!("Groups with fewer than {} rows are shown, in amber italics, but their figures are fragile and they get no confidence interval.", s.min_group_size)),
        ("Blank figure with a red corner".into(), "A figure that cannot be computed. Hover over the cell to read why. A blank is never a zero.".into()),
    ];
    terms.extend(
        plan.groups
            .iter()
            .filter_map(|g| g.table.spec.term)
            .map(|(term, meaning)| (term.to_string(), meaning.to_string())),
    );
    terms.push(("Unknown values".into(), "A row whose export did not record pressure, focus, minutes or technique is left out of that one table (counted on the Overview), never guessed.".into()));
    let settings: Vec<(String, String)> = vec![
        ("Period".into(), summary.period.name()),
        ("Responder threshold".into(), format!("{resp} % relief")),
        ("Strong responder threshold".into(), format!("{strong} % relief")),
        ("Minimum group size".into(), format!("{} rows; smaller groups are flagged", s.min_group_size)),
        ("MCID".into(), format!("{mcid} points")),
        ("Score scale".into(), scale),
        ("Made by".into(), format!("relief {}", s.relief_version)),
        ("Document date".into(), "Set to the end of the period rather than the time of the run, so the same data always gives the same file.".into()),
    ];
    let grid = Grid::new(ws, styles);
    let mut row = 3;
    for (heading, list) in [("Figures", terms), ("Settings in force", settings)] {
        grid.ws
            .write_string_with_format(row, 0, heading, &styles.section)?;
        row += 1;
        for (term, meaning) in list {
            grid.ws
                .write_string_with_format(row, 0, &term, &styles.bold)?;
            grid.ws
                .write_string_with_format(row, 1, fit_cell(&meaning).as_ref(), &styles.wrap)?;
            row += 1;
        }
        row += 1;
    }
    grid.ws.set_column_width(0, 34)?;
    grid.ws.set_column_width(1, 100)?;
    Ok(())
}
