//! Charts (plotters, SVG backend, the bundled DejaVu Sans so no system fonts are needed).

use crate::analysis::Analysis;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::sync::Once;

static FONTS: Once = Once::new();

/// Registers the bundled font with plotters (once).
pub fn register() {
    register_fonts();
}

fn register_fonts() {
    FONTS.call_once(|| {
        // The bundled font parses (a unit test checks); a failure here would only lose labels.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, super::FONT_REGULAR);
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, super::FONT_BOLD);
    });
}

/// A horizontal bar chart; `bars` are (label, value, colour).
fn bar_chart(title: &str, bars: &[(String, u32, RGBColor)], width: u32) -> String {
    register_fonts();
    let mut svg = String::new();
    let row = 28u32;
    let height = 60 + row * u32::try_from(bars.len().max(1)).unwrap_or(1);
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
        let label_width = bars.iter().map(|b| b.0.chars().count()).max().unwrap_or(4).clamp(4, 34) as u32 * 7 + 10;
        let chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 15).into_font().style(FontStyle::Bold))
            .margin(10)
            .x_label_area_size(24)
            .y_label_area_size(label_width)
            .build_cartesian_2d(0u32..max + max.div_ceil(5), (0..bars.len().max(1)).into_segmented());
        let Ok(mut chart) = chart else {
            return svg_fallback(title);
        };
        let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
        let _ = chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(bars.len().max(1))
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .x_labels(6)
            .x_label_formatter(&|v| format!("{v}"))
            .label_style(("sans-serif", 12))
            .draw();
        for (i, (_, value, colour)) in bars.iter().enumerate() {
            // A gap between bars, and the value at the end of each so nobody reads it off the
            // axis.
            let mut bar = Rectangle::new(
                [(0, SegmentValue::Exact(i)), (*value, SegmentValue::Exact(i + 1))],
                colour.filled(),
            );
            bar.set_margin(5, 5, 0, 0);
            let _ = chart.draw_series(std::iter::once(bar));
            let _ = chart.draw_series(std::iter::once(
                EmptyElement::at((*value, SegmentValue::CenterOf(i)))
                    + Text::new(value.to_string(), (4, -6), ("sans-serif", 12).into_font()),
            ));
        }
        let _ = root.present();
    }
    svg
}

fn svg_fallback(title: &str) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><title>{}</title></svg>"#,
        super::diagram::xml(title)
    )
}

/// Findings by severity.
pub fn severity_chart(analysis: &Analysis) -> String {
    let c = &analysis.finding_counts;
    // Bars are drawn bottom-up: list the most severe last so it stands on top.
    let bars = vec![
        ("info".to_owned(), to_u32(c.info), RGBColor(0x6b, 0x77, 0x8c)),
        ("low".to_owned(), to_u32(c.low), RGBColor(0x00, 0x65, 0xff)),
        ("medium".to_owned(), to_u32(c.medium), RGBColor(0xff, 0x8b, 0x00)),
        ("high".to_owned(), to_u32(c.high), RGBColor(0xbf, 0x26, 0x00)),
    ];
    bar_chart("Findings by severity", &bars, 560)
}

/// Recipients drawn at most; a chart of 2,000 bars is neither readable nor quick to typeset.
pub const CHART_BARS: usize = 25;

/// Personal data categories each recipient receives: the [`CHART_BARS`] that receive the
/// most (the title says so when there are more), most at the top.
pub fn recipients_chart(analysis: &Analysis) -> String {
    let mut rows: Vec<&crate::analysis::Subprocessor> = analysis.subprocessors.iter().collect();
    // Stable: equal counts keep the inventory's order.
    rows.sort_by_key(|row| std::cmp::Reverse(row.data.len()));
    let total = rows.len();
    rows.truncate(CHART_BARS);
    let bars: Vec<(String, u32, RGBColor)> = rows
        .iter()
        .rev()
        .map(|row| (row.name.clone(), to_u32(row.data.len()), RGBColor(0x00, 0x52, 0xcc)))
        .collect();
    let title = if total > CHART_BARS {
        format!("Personal data categories per recipient ({CHART_BARS} of {total}, those receiving the most)")
    } else {
        "Personal data categories per recipient".to_owned()
    };
    bar_chart(&title, &bars, 560)
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
