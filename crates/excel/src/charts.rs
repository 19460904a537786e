//! The Charts sheet: native Excel charts of the main figures, with the numbers they are drawn
//! from laid out beside them.
//!
//! Native charts (not pictures) so a therapist can restyle, copy or resize them in Excel. The
//! chart data sits on the same sheet, to the right of the print area, so anyone can check a bar
//! against its number and the charts never depend on a table someone re-sorted.

use crate::sheets::Out;
use crate::style::{RELIEF_GREEN, Styles};
use crate::text::fit_cell;
use relief_core::Region;
use relief_core::palette::region_hex;
use relief_core::summary::{MonthFigures, Summary};
use rust_xlsxwriter::{
    Chart, ChartAxisLabelPosition, ChartEmptyCells, ChartErrorBars, ChartErrorBarsType, ChartFont,
    ChartFormat, ChartLegendPosition, ChartLine, ChartMarker, ChartMarkerType, ChartPoint,
    ChartRange, ChartSeries, ChartSolidFill, ChartType, Color, Worksheet, XlsxError,
};

/// First column of the chart data, right of the four charts.
const DATA_COL: u16 = 21;
/// Chart size in pixels, and where the 2 × 2 grid of charts starts.
const CHART_W: u32 = 620;
const CHART_H: u32 = 360;
const TOP_ROW: u32 = 3;
const SECOND_ROW: u32 = 23;
const SECOND_COL: u16 = 10;

/// Writes the Charts sheet.
pub fn write_charts(out: &mut Out, trend: &[MonthFigures]) -> Result<(), XlsxError> {
    let name = out.plan.charts.as_str();
    let ws = out.workbook.add_worksheet();
    ws.set_name(name)?;
    ws.write_string_with_format(
        0,
        0,
        fit_cell(&format!("Charts, {}", out.summary.period.words())).as_ref(),
        &out.styles.title,
    )?;
    ws.write_string_with_format(
        1,
        0,
        "Soreness 0–10; relief = before − after (positive = less sore). The numbers behind each chart are to the right, from column V.",
        &out.styles.subtitle,
    )?;
    ws.set_row_height(0, 22)?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 1);
    ws.set_print_area(0, 0, SECOND_ROW + 19, SECOND_COL + 9)?;
    ws.set_screen_gridlines(false);

    let mut row = TOP_ROW;
    let regions = region_block(ws, out.styles, out.summary, name, &mut row)?;
    row += 2;
    let focus = focus_block(ws, out.styles, out.summary, name, &mut row)?;
    row += 2;
    let months = month_block(ws, out.styles, trend, name, &mut row)?;
    ws.set_column_width(DATA_COL, 14)?;

    let slots = [
        (TOP_ROW, 0),
        (TOP_ROW, SECOND_COL),
        (SECOND_ROW, 0),
        (SECOND_ROW, SECOND_COL),
    ];
    let charts = [regions.0, months, regions.1, focus];
    for ((r, c), chart) in slots.into_iter().zip(charts) {
        match chart {
            Some(mut chart) => {
                chart.set_width(CHART_W).set_height(CHART_H);
                ws.insert_chart(r, c, &chart)?;
            }
            None => {
                ws.write_string_with_format(
                    r,
                    c,
                    "No data for this chart in this period.",
                    &out.styles.subtitle,
                )?;
            }
        }
    }
    Ok(())
}

/// Writes a block header row at `row` and returns the first data row.
fn block_header(
    ws: &mut Worksheet,
    styles: &Styles,
    row: u32,
    title: &str,
    headers: &[String],
) -> Result<u32, XlsxError> {
    ws.write_string_with_format(row, DATA_COL, title, &styles.bold)?;
    for (i, h) in headers.iter().enumerate() {
        ws.write_string_with_format(
            row + 1,
            DATA_COL + i as u16,
            fit_cell(h).as_ref(),
            &styles.header,
        )?;
    }
    Ok(row + 2)
}

/// Before/after per region with CI error bars, and the responder rate per region.
fn region_block(
    ws: &mut Worksheet,
    styles: &Styles,
    summary: &Summary,
    sheet: &str,
    row: &mut u32,
) -> Result<(Option<Chart>, Option<Chart>), XlsxError> {
    let headers = [
        "Region",
        "Before (mean)",
        "After (mean)",
        "Relief (mean change)",
        "95 % CI low",
        "95 % CI high",
        "CI bar above After",
        "CI bar below After",
        "Responders",
    ]
    .map(String::from);
    let first = block_header(
        ws,
        styles,
        *row,
        "Before, after and responders by region",
        &headers,
    )?;
    let score = styles.figure(crate::style::Kind::Score, false);
    let rate = styles.figure(crate::style::Kind::Rate, false);
    for (i, r) in summary.regions.iter().enumerate() {
        let at = first + i as u32;
        let f = &r.figures;
        ws.write_string(at, DATA_COL, r.region.label())?;
        ws.write_number_with_format(at, DATA_COL + 1, f.mean_before, score)?;
        ws.write_number_with_format(at, DATA_COL + 2, f.mean_after, score)?;
        ws.write_number_with_format(at, DATA_COL + 3, f.mean_change, score)?;
        if let Some([lo, hi]) = f.ci95 {
            // The CI is of the relief; on the After bar it spans the after-scores that relief
            // range implies: before − hi up to before − lo.
            ws.write_number_with_format(at, DATA_COL + 4, lo, score)?;
            ws.write_number_with_format(at, DATA_COL + 5, hi, score)?;
            ws.write_number_with_format(at, DATA_COL + 6, (f.mean_change - lo).max(0.0), score)?;
            ws.write_number_with_format(at, DATA_COL + 7, (hi - f.mean_change).max(0.0), score)?;
        }
        if let Some(v) = f.responder_rate {
            ws.write_number_with_format(at, DATA_COL + 8, v, rate)?;
        }
    }
    *row = first + summary.regions.len() as u32;
    if summary.regions.is_empty() {
        return Ok((None, None));
    }
    let col =
        |c: u16| ChartRange::new_from_range(sheet, first, DATA_COL + c, *row - 1, DATA_COL + c);
    let coloured = || region_points(summary.regions.iter().map(|r| r.region));
    let mut before_after = titled(ChartType::Column, "Soreness before and after, by region");
    bars(&mut before_after, "Before", &col(0), &col(1), 0x8EA9C1);
    bars(
        &mut before_after,
        "After (bar: 95 % CI)",
        &col(0),
        &col(2),
        RELIEF_GREEN,
    )
    .set_points(&coloured())
    .set_y_error_bars(ChartErrorBars::new().set_type(ChartErrorBarsType::Custom(col(6), col(7))));
    before_after
        .y_axis()
        .set_name("Soreness (0–10)")
        .set_min(0)
        .set_max(10);
    before_after
        .legend()
        .set_position(ChartLegendPosition::Bottom);

    let mut responders = titled(
        ChartType::Column,
        &format!(
            "Sessions with at least {} % relief, by region",
            (summary.settings.responder_threshold * 100.0).round()
        ),
    );
    bars(&mut responders, "Responders", &col(0), &col(8), 0x5B9BD5).set_points(&coloured());
    responders
        .y_axis()
        .set_name("Share of rows")
        .set_min(0)
        .set_max(1)
        .set_num_format("0%");
    responders.legend().set_hidden();
    Ok((Some(before_after), Some(responders)))
}

/// Mean relief of focus regions against the same regions when not a focus.
fn focus_block(
    ws: &mut Worksheet,
    styles: &Styles,
    summary: &Summary,
    sheet: &str,
    row: &mut u32,
) -> Result<Option<Chart>, XlsxError> {
    let headers = ["Region", "Focus region", "Not a focus"].map(String::from);
    let first = block_header(
        ws,
        styles,
        *row,
        "Mean relief: focus regions against the rest",
        &headers,
    )?;
    let score = styles.figure(crate::style::Kind::Score, false);
    let regions: Vec<Region> = {
        let mut r: Vec<Region> = summary.by_focus.iter().map(|f| f.region).collect();
        r.sort();
        r.dedup();
        r
    };
    for (i, region) in regions.iter().enumerate() {
        let at = first + i as u32;
        ws.write_string(at, DATA_COL, region.label())?;
        for f in summary.by_focus.iter().filter(|f| f.region == *region) {
            let c = if f.key.focus { 1 } else { 2 };
            ws.write_number_with_format(at, DATA_COL + c, f.figures.mean_change, score)?;
        }
    }
    *row = first + regions.len() as u32;
    if regions.is_empty() {
        return Ok(None);
    }
    let col =
        |c: u16| ChartRange::new_from_range(sheet, first, DATA_COL + c, *row - 1, DATA_COL + c);
    let mut chart = titled(ChartType::Column, "Relief: focus regions against the rest");
    bars(&mut chart, "Focus region", &col(0), &col(1), 0xED7D31);
    bars(&mut chart, "Not a focus", &col(0), &col(2), 0xA5A5A5);
    chart.y_axis().set_name("Mean relief (points)");
    chart
        .x_axis()
        .set_label_position(ChartAxisLabelPosition::Low);
    chart.legend().set_position(ChartLegendPosition::Bottom);
    Ok(Some(chart))
}

/// Mean relief per region and month: one line per region.
fn month_block(
    ws: &mut Worksheet,
    styles: &Styles,
    trend: &[MonthFigures],
    sheet: &str,
    row: &mut u32,
) -> Result<Option<Chart>, XlsxError> {
    let mut months: Vec<&str> = trend.iter().map(|f| f.key.month.as_str()).collect();
    months.sort_unstable();
    months.dedup();
    let mut regions: Vec<Region> = trend.iter().map(|f| f.region).collect();
    regions.sort();
    regions.dedup();
    let mut headers = vec!["Month".to_string()];
    headers.extend(regions.iter().map(|r| r.label().to_string()));
    let first = block_header(ws, styles, *row, "Mean relief by month (points)", &headers)?;
    let score = styles.figure(crate::style::Kind::Score, false);
    for (i, month) in months.iter().enumerate() {
        let at = first + i as u32;
        ws.write_string(at, DATA_COL, fit_cell(month).as_ref())?;
        for f in trend.iter().filter(|f| f.key.month == *month) {
            if let Some(c) = regions.iter().position(|r| *r == f.region) {
                ws.write_number_with_format(
                    at,
                    DATA_COL + 1 + c as u16,
                    f.figures.mean_change,
                    score,
                )?;
            }
        }
    }
    *row = first + months.len() as u32;
    if months.is_empty() {
        return Ok(None);
    }
    let last = *row - 1;
    let mut chart = titled(ChartType::Line, "Mean relief by month, per region");
    for (i, region) in regions.iter().enumerate() {
        let c = DATA_COL + 1 + i as u16;
        chart
            .add_series()
            .set_name(region.label())
            .set_categories(&ChartRange::new_from_range(
                sheet, first, DATA_COL, last, DATA_COL,
            ))
            .set_values(&ChartRange::new_from_range(sheet, first, c, last, c))
            .set_format(ChartFormat::new().set_line(&line(region_hex(*region))))
            .set_marker(
                ChartMarker::new()
                    .set_type(ChartMarkerType::Circle)
                    .set_size(6)
                    .set_format(fill(region_hex(*region)).set_border(&line(region_hex(*region)))),
            );
    }
    chart.y_axis().set_name("Relief (points, before − after)");
    chart
        .x_axis()
        .set_name("Month")
        .set_label_position(ChartAxisLabelPosition::Low);
    chart.show_empty_cells_as(ChartEmptyCells::Gaps);
    chart.legend().set_position(ChartLegendPosition::Right);
    Ok(Some(chart))
}

/// A chart of `kind` with its `title` in the charts' title font.
fn titled(kind: ChartType, title: &str) -> Chart {
    let mut chart = Chart::new(kind);
    chart.title().set_font(&title_font()).set_name(title);
    chart
}

/// Adds to `chart` a series of bars named `name`: the `values` over the `categories`, in `rgb`.
fn bars<'c>(
    chart: &'c mut Chart,
    name: &str,
    categories: &ChartRange,
    values: &ChartRange,
    rgb: u32,
) -> &'c mut ChartSeries {
    chart
        .add_series()
        .set_name(name)
        .set_categories(categories)
        .set_values(values)
        .set_format(&mut fill(rgb))
}

/// Chart titles: bold 12 pt, smaller than Excel's default so four charts fit a page.
fn title_font() -> ChartFont {
    let mut font = ChartFont::new();
    font.set_bold().set_size(12);
    font
}

/// Each region's bar in its own colour, the same as on the PNG charts.
fn region_points(regions: impl Iterator<Item = Region>) -> Vec<ChartPoint> {
    regions
        .map(|r| ChartPoint::new().set_format(&mut fill(region_hex(r))))
        .collect()
}

/// A line of one colour, for a region's series.
fn line(rgb: u32) -> ChartLine {
    let mut line = ChartLine::new();
    line.set_color(Color::RGB(rgb)).set_width(2.0);
    line
}

/// A solid fill in one colour.
fn fill(rgb: u32) -> ChartFormat {
    let mut format = ChartFormat::new();
    format.set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(rgb)));
    format
}
