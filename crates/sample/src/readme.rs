//! The README written beside the messy sample: what each file holds and exactly where every
//! planted problem sits, generated from the same run so it can never drift from the files.

use crate::{Feature, FeatureKind, SampleOptions};
use std::fmt::Write as _;

/// What one export file holds.
pub(crate) struct FileSummary {
    pub name: String,
    pub sessions: usize,
    /// Session × region rows (planted extra rows not counted).
    pub rows: usize,
}

fn style_line(name: &str) -> &'static str {
    if name.starts_with("north-clinic") {
        "long layout; sheet `Sessions`: title block (merged title in A1:K1, export note, blank row), \
         header on row 4 (`Session Date`, `Client ID`, `Therapist`, `Body Area`, `Side`, \
         `Pain Before (0-10)`, `Pain After (0-10)`, `Pressure`, `Minutes`, `Focus`, `Technique`); \
         Excel date cells; scores as numbers; side as L/R/B; pressure words (Light … Deep); focus \
         Yes/No; some client ids are plain numbers (`40004`), most text (`C-40001`); a blank row \
         between months; a `Total` footer; an unrelated `Price list` sheet"
    } else if name.starts_with("willow-practice") {
        "a workbook kept by hand (SPEC §2.9): sheet `Sessions` (long layout, merged title, header \
         on row 2, date, client and therapist merged down over a session's rows or typed on its \
         first row only, dates as date cells or typed text such as `3 Oct 2026`, `Oct 3, 2026`, \
         `03-Oct-2026`, `3.10.2026`, `14 Sept 2026`, minutes as numbers, time cells or typed \
         `15 min`, `0:15`, `12m`, a blank row between months, a `Total` footer); sheet `Ruth` \
         (wide layout under a two-row header: region names merged across `Before | After | \
         Minutes`, minutes as numbers or `[h]:mm` duration cells); sheet `Home visits` (a solo \
         book without a therapist column); hidden sheets `Old months` (May to July, kept like \
         `Sessions`) and `Lists` (drop-down lists), and a `Prices` sheet"
    } else if name.starts_with("harbour-spa") {
        "wide layout; sheet `Treatment log`: one row per visit with `Visit ID`, `Date` (ISO text), \
         `Client`, `Practitioner`, `Pressure` (1–4), `Technique`, `Focus areas` (a list such as \
         `lower back; neck`), then per region `… before`/`… after` or `… pre`/`… post` (also \
         `Pre feet`, and `(0-10)` suffixes) and `… minutes`/`… mins`; scores as `7/10` text or \
         numbers; no arms columns and no sides"
    } else {
        "long layout CSV, `;` separated, UTF-8 with a byte-order mark, CRLF line ends: `Appt Date` \
         (d/m/y text, days above 12 make the order decidable), `Member`, `Staff`, `Area Treated` \
         (synonyms and sides in the name: `left shoulder`, `R hip`, `calves (L)`, `bilateral \
         calves`), `Pre`, `Post` (decimal commas: `6,5`), `Intensity` (gentle, moderate, firm, \
         deep tissue), `Mins`, `Requested` (`x` or blank), `Modality`; one line of empty cells"
    }
}

fn kind_words(kind: FeatureKind) -> &'static str {
    match kind {
        FeatureKind::TitleRow => "title row",
        FeatureKind::HeaderRow => "header row",
        FeatureKind::BlankRow => "blank row",
        FeatureKind::FooterRow => "footer row",
        FeatureKind::ExtraSheet => "not a session sheet",
        FeatureKind::HiddenSheet => "hidden sheet",
        FeatureKind::MergedCells => "merged cells",
        FeatureKind::DittoRows => "ditto rows",
        FeatureKind::TwoRowHeader => "two-row header",
        FeatureKind::SoloSheet => "solo practice",
        FeatureKind::TextDate => "typed date",
        FeatureKind::TypedMinutes => "typed minutes",
        FeatureKind::DittoWithoutSession => "nothing to continue",
        FeatureKind::ImplausibleMinutes => "implausible minutes",
        FeatureKind::OutOfRangeScore => "score out of range",
        FeatureKind::UnknownRegion => "unknown region",
        FeatureKind::MissingAfter => "missing after-score",
        FeatureKind::UnreadableDate => "unreadable date",
        FeatureKind::DuplicateOriginal => "exported twice: first copy",
        FeatureKind::DuplicateCopy => "exported twice: identical copy",
        FeatureKind::ConflictOriginal => "conflict: first copy (loses)",
        FeatureKind::ConflictCopy => "conflict: later copy (kept)",
    }
}

fn table(out: &mut String, features: &[&Feature]) {
    out.push_str("| file | sheet | row | column | value | what |\n|---|---|---|---|---|---|\n");
    for f in features {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {}: {} |",
            f.file,
            f.sheet,
            f.row,
            f.column.unwrap_or(""),
            if f.value.is_empty() {
                "(blank)".to_string()
            } else {
                format!("`{}`", f.value)
            },
            kind_words(f.kind),
            f.note
        );
    }
    out.push('\n');
}

/// Renders the README.
pub(crate) fn render(opts: &SampleOptions, files: &[FileSummary], features: &[Feature]) -> String {
    let mut out = String::new();
    head(&mut out, opts, files);
    story(&mut out);
    planted(&mut out, features);
    out
}

/// The title, how the data was made and how to make it again, and the table of files.
fn head(out: &mut String, opts: &SampleOptions, files: &[FileSummary]) {
    let default = *opts == SampleOptions::default();
    out.push_str("# Sample data\n\n");
    out.push_str(
        "Synthetic session exports of made-up clinics, as a therapist's booking software or \
         hand-kept workbook would produce them: the layouts, spellings and small mistakes relief \
         must cope with, and soreness figures with a story for every chart. Nothing here is about \
         real people.\n\n",
    );
    let _ = writeln!(
        out,
        "Written by `relief sample` with seed {}, {} sessions, {} files. Regenerate {}:\n",
        opts.seed,
        opts.sessions,
        opts.files,
        if default {
            "byte for byte"
        } else {
            "with the same options"
        }
    );
    if default {
        out.push_str("```sh\nrelief sample --out sample-data\n");
        out.push_str("# or, without building the whole tool:\n");
        out.push_str("cargo run -p relief-sample --example write_sample -- sample-data\n```\n\n");
    } else {
        let _ = writeln!(
            out,
            "```sh\nrelief sample --out DIR --seed {} --sessions {} --files {}\n```\n",
            opts.seed, opts.sessions, opts.files
        );
    }
    out.push_str(
        "## Files\n\n| file | sessions | region rows | what it looks like |\n|---|---|---|---|\n",
    );
    for f in files {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            f.name,
            f.sessions,
            f.rows,
            style_line(&f.name)
        );
    }
    out.push_str(
        "\nThe period is 2026-05-01 to 2026-10-31. Every header is one of the built-in column \
         names and every region one of the built-in synonyms, except the planted unknown region. \
         The riverside counts include the copied north-clinic rows below but not the planted \
         `elbow pit` row; the willow counts leave out its planted row without a date.\n\n",
    );
}

/// The model behind the figures, so a reader knows what each chart should show.
fn story(out: &mut String) {
    out.push_str("## The story in the numbers\n\n");
    out.push_str(
        "Soreness follows a simple model so every chart has something to show:\n\n\
         - lower back is the most often treated and the sorest region;\n\
         - regions the client asked to focus on get more minutes and more relief;\n\
         - clients ask for focus on the regions that arrive sorer than usual that day, so focus \
         rows start from higher soreness and part of their extra relief is only that: the \
         difference at equal arrival soreness (the workbook's Personalisation, adjusted sheet) \
         is smaller than the raw one;\n\
         - firmer pressure relieves the back more (light < medium < firm < deep); on the neck, \
         deep pressure is slightly worse than medium;\n\
         - relief grows with minutes on a region up to a plateau (share reached \
         1 − e^(−minutes/12));\n\
         - working the legs in the same session relieves the lower back a little more \
         (about 0.4 points);\n\
         - regular clients arrive less sore visit after visit (about 1.1 points less by the \
         fifth visit);\n\
         - therapists differ a little (up to about half a point).\n\n",
    );
}

/// The planted problems, the duplicates and the conflict, and the harmless mess, each a table.
fn planted(out: &mut String, features: &[Feature]) {
    out.push_str("## Planted problems\n\n");
    out.push_str(
        "A reader must reject exactly these rows (one session × region each) and nothing else. \
         Rows are as Excel shows them; in the CSV, line numbers.\n\n",
    );
    let rejects: Vec<&Feature> = features.iter().filter(|f| f.kind.is_reject()).collect();
    table(out, &rejects);
    out.push_str("## Duplicates and the conflict\n\n");
    out.push_str(
        "One north-clinic session was entered again in the riverside studio's system (its \
         therapist covers shifts there): every region row appears twice, identically (the client \
         id is a number cell in one file and text in the other, the region and pressure are \
         spelled differently, the values are the same). One more north-clinic session × region \
         appears in the riverside file with a different after-score: a conflict, and the \
         riverside copy, the later file in sorted path order, is the one used.\n\n",
    );
    let dups: Vec<&Feature> = features
        .iter()
        .filter(|f| {
            matches!(
                f.kind,
                FeatureKind::DuplicateOriginal
                    | FeatureKind::DuplicateCopy
                    | FeatureKind::ConflictOriginal
                    | FeatureKind::ConflictCopy
            )
        })
        .collect();
    table(out, &dups);
    out.push_str("## Other mess a reader must take in its stride\n\n");
    out.push_str("These are not problems: nothing here may be rejected.\n\n");
    let rest: Vec<&Feature> = features
        .iter()
        .filter(|f| {
            matches!(
                f.kind,
                FeatureKind::TitleRow
                    | FeatureKind::HeaderRow
                    | FeatureKind::BlankRow
                    | FeatureKind::FooterRow
                    | FeatureKind::ExtraSheet
                    | FeatureKind::HiddenSheet
                    | FeatureKind::MergedCells
                    | FeatureKind::DittoRows
                    | FeatureKind::TwoRowHeader
                    | FeatureKind::SoloSheet
                    | FeatureKind::TextDate
                    | FeatureKind::TypedMinutes
            )
        })
        .collect();
    table(out, &rest);
}
