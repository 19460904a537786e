//! The workbook's look: number formats, the small-sample style, titles, and the colour scale on
//! relief columns, defined once so every sheet agrees.

use rust_xlsxwriter::{
    Color, ConditionalFormat3ColorScale, ConditionalFormatType, Format, FormatAlign, FormatBorder,
    Note,
};

/// How a figure is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Whole numbers: rows, sessions, clients, row numbers.
    Count,
    /// Scores and points on the 0–10 scale, one decimal.
    Score,
    /// Fractions shown as percent.
    Rate,
    /// Unitless ratios (SRM), two decimals.
    Ratio,
    /// Plain text.
    Text,
}

/// Red for worse, white for no change, green for relief.
pub const WORSE_RED: u32 = 0xF8696B;
pub const NEUTRAL_WHITE: u32 = 0xFFFFFF;
pub const RELIEF_GREEN: u32 = 0x63BE7B;
/// The fill of small-sample rows: a pale amber that reads as "careful".
const SMALL_FILL: u32 = 0xFFF2CC;

/// Every format the sheets use.
pub struct Styles {
    normal: [Format; 5],
    small: [Format; 5],
    /// Text from the data that starts like a formula: kept as text with Excel's quote prefix.
    pub quoted: Format,
    pub quoted_small: Format,
    pub title: Format,
    pub subtitle: Format,
    pub section: Format,
    pub header: Format,
    pub label: Format,
    pub wrap: Format,
    pub bold: Format,
    mcid: f64,
}

impl Styles {
    /// Builds the formats; `mcid` (points) anchors the colour scale.
    pub fn new(mcid: f64) -> Styles {
        let number = |code: &str| Format::new().set_num_format(code);
        let normal = [
            number("0"),
            number("0.0"),
            number("0%"),
            number("0.00"),
            Format::new(),
        ];
        let small = normal.clone().map(|f| {
            f.set_italic()
                .set_font_color(Color::RGB(0x7F6000))
                .set_background_color(Color::RGB(SMALL_FILL))
        });
        Styles {
            normal,
            small,
            quoted: Format::new().set_quote_prefix(),
            quoted_small: Format::new()
                .set_quote_prefix()
                .set_italic()
                .set_font_color(Color::RGB(0x7F6000))
                .set_background_color(Color::RGB(SMALL_FILL)),
            title: Format::new().set_bold().set_font_size(16),
            subtitle: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x404040)),
            section: Format::new()
                .set_bold()
                .set_font_size(12)
                .set_border_bottom(FormatBorder::Thin),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            label: Format::new().set_font_color(Color::RGB(0x404040)),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            bold: Format::new().set_bold(),
            mcid: if mcid > 0.0 { mcid } else { 2.0 },
        }
    }

    /// The format of a figure, greyed and filled when its row is a small sample.
    pub fn figure(&self, kind: Kind, small: bool) -> &Format {
        let i = match kind {
            Kind::Count => 0,
            Kind::Score => 1,
            Kind::Rate => 2,
            Kind::Ratio => 3,
            Kind::Text => 4,
        };
        if small {
            &self.small[i]
        } else {
            &self.normal[i]
        }
    }

    /// The colour scale on relief columns: red at one MCID of worsening, white at no change,
    /// green at two MCIDs of relief. Fixed points rather than the column's own extremes, so a
    /// small relief is never painted as bad just because it is the lowest in its column.
    pub fn change_scale(&self) -> ConditionalFormat3ColorScale {
        ConditionalFormat3ColorScale::new()
            .set_minimum(ConditionalFormatType::Number, -self.mcid)
            .set_midpoint(ConditionalFormatType::Number, 0.0)
            .set_maximum(ConditionalFormatType::Number, 2.0 * self.mcid)
            .set_minimum_color(Color::RGB(WORSE_RED))
            .set_midpoint_color(Color::RGB(NEUTRAL_WHITE))
            .set_maximum_color(Color::RGB(RELIEF_GREEN))
    }
}

/// A cell note by relief, without the author prefix Excel would otherwise show.
pub fn note(text: &str) -> Note {
    Note::new(text)
        .set_author("relief")
        .add_author_prefix(false)
        .set_width(260)
        .set_height(70)
}
