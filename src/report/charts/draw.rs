//! The two kinds of chart the report draws, with plotters' SVG backend: bars (grouped side by
//! side, stacked, or both, with optional interval whiskers) and heat maps (one or several side
//! by side). Colours are the Okabe–Ito palette, safe for colour-blind readers; a legend sits
//! to the right of the plot, never over the data. Text is SVG text in a generic font family,
//! so nothing is read from the system or fetched.

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Okabe & Ito's palette (black left out): orange, sky blue, bluish green, yellow, blue,
/// vermillion, reddish purple.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xF0, 0xE4, 0x42),
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
];
pub const GREY: RGBColor = RGBColor(0x99, 0x99, 0x99);
pub const BLUE: RGBColor = PALETTE[4];
const FONT: &str = "sans-serif";
const LEGEND_WIDTH: u32 = 190;

/// The `i`th colour of the palette (repeating).
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// An interval `(low, high)` over a bar, when it has one.
pub type Whisker = Option<(f64, f64)>;

/// A bar chart: for each category on the x axis, one bar per group side by side, each bar a
/// stack of segments.
pub struct Bars {
    pub title: String,
    pub x_desc: String,
    pub y_desc: String,
    pub categories: Vec<String>,
    /// The bars side by side in a category (the runs); one group draws one bar.
    pub groups: Vec<String>,
    /// The segments of a bar, bottom up, with their colours.
    pub stacks: Vec<(String, RGBColor)>,
    /// `[category][group][stack]`; an empty stack is no bar (the group has no such category).
    pub values: Vec<Vec<Vec<f64>>>,
    /// `[category][group]`: an interval drawn as a whisker over a one-segment bar.
    pub whiskers: Option<Vec<Vec<Whisker>>>,
    /// The top of the y axis (else the tallest bar).
    pub y_max: Option<f64>,
}

/// A short label: the text made safe (control characters shown as visible glyphs, which XML
/// allows), at most `n` characters, `…` when cut.
pub fn short(text: &str, n: usize) -> String {
    let text = crate::sanitize::line(text).to_string();
    if text.chars().count() <= n {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(n - 1).collect();
        s.push('…');
        s
    }
}

fn longest(labels: &[String]) -> usize {
    labels.iter().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// The axis of `n` categories: category `i` is centred on `i`, so the axis's own key points
/// (whole numbers, at most `n` of them) fall on the categories.
fn axis(n: usize) -> std::ops::Range<f64> {
    -0.5..n as f64 - 0.5
}

fn name_at(names: &[String], v: f64, cut: usize) -> String {
    let i = v.round();
    if i < 0.0 || (v - i).abs() > 1e-6 {
        return String::new();
    }
    names
        .get(i as usize)
        .map_or_else(String::new, |n| short(n, cut))
}

/// A tick's number: whole numbers without decimals (counts), others with one.
fn tick(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// How many ticks an axis up to `top` asks for: one per whole number below 10 (counts never
/// show halves), else 10.
fn ticks(top: f64) -> usize {
    if top < 10.0 {
        top.ceil() as usize + 1
    } else {
        10
    }
}

/// Write `names` under the x axis reading downwards, each starting at its category's tick:
/// plotters centres a turned axis label on its tick, which puts half of it over the plot.
fn names_down<X, Y>(
    area: &DrawingArea<SVGBackend, Shift>,
    chart: &ChartContext<SVGBackend, Cartesian2d<X, Y>>,
    names: &[String],
    y: f64,
) -> Result<()>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let (bx, by) = area.get_base_pixel();
    let style = TextStyle::from((FONT, 12).into_font())
        .transform(FontTransform::Rotate90)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (i, name) in names.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(i as f64, y));
        let at = (px - bx, py - by + 8);
        area.draw(&Text::new(short(name, 28), at, style.clone()))?;
    }
    Ok(())
}

/// Draw the legend entries (a swatch and a name each) down the area's left edge.
fn legend(
    area: &DrawingArea<SVGBackend, Shift>,
    heading: &str,
    entries: &[(String, RGBColor)],
) -> Result<()> {
    let style = TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    area.draw(&Text::new(heading.to_string(), (8, 46), style.clone()))?;
    for (i, (name, c)) in entries.iter().enumerate() {
        let y = 68 + 20 * i as i32;
        area.draw(&Rectangle::new([(8, y - 6), (20, y + 6)], c.filled()))?;
        area.draw(&Text::new(short(name, 22), (26, y), style.clone()))?;
    }
    Ok(())
}

/// Draw `b` as an SVG document.
pub fn bars(b: &Bars) -> Result<String> {
    let bars_in = |c: usize| b.values[c].iter().filter(|s| !s.is_empty()).count().max(1);
    let per = (0..b.values.len()).map(bars_in).max().unwrap_or(1);
    let all: usize = (0..b.values.len()).map(bars_in).sum();
    let width = (160 + all * 48).clamp(520, 1800) as u32 + LEGEND_WIDTH;
    // Names wider than their bars turn to read downwards.
    let rotate = longest(&b.categories) * 7 > per * 48;
    let x_area = if rotate {
        30 + 7 * longest(&b.categories).min(28) as u32
    } else {
        44
    };
    let height = 380 + x_area;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let (plot, side) = root.split_horizontally(width - LEGEND_WIDTH);
        let tallest = b
            .values
            .iter()
            .flatten()
            .map(|s| s.iter().sum::<f64>())
            .chain(b.whiskers.iter().flatten().flatten().flatten().map(|w| w.1))
            .fold(0.0, f64::max);
        let top = b.y_max.unwrap_or(tallest).max(1e-9);
        // Room above the bars for the groups' names when colours show the stacks.
        let named = b.groups.len() > 1 && b.stacks.len() > 1;
        let headroom = if named { 1.35 } else { 1.05 };
        let n = b.categories.len().max(1);
        let mut chart = ChartBuilder::on(&plot)
            .caption(&b.title, (FONT, 18))
            .margin(12)
            .x_label_area_size(x_area)
            .y_label_area_size(64)
            .build_cartesian_2d(axis(n), 0f64..top * headroom)?;
        let names = &b.categories;
        let none = Vec::new();
        let on_axis = if rotate { &none } else { names };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .x_labels(n)
            .x_label_formatter(&|v| name_at(on_axis, *v, 28))
            .x_label_style((FONT, 12))
            .y_label_style((FONT, 12))
            .y_labels(ticks(top * headroom))
            .y_label_formatter(&|v| tick(*v))
            .x_desc(&b.x_desc)
            .y_desc(&b.y_desc)
            .axis_desc_style((FONT, 13))
            .draw()?;
        if rotate {
            names_down(&plot, &chart, names, 0.0)?;
        }
        let colour_of = |g: usize, s: usize| {
            if b.stacks.len() == 1 && b.groups.len() > 1 {
                colour(g)
            } else {
                b.stacks[s].1
            }
        };
        for (c, by_group) in b.values.iter().enumerate() {
            // The groups with a bar here share the category's width.
            let present: Vec<usize> = (0..by_group.len())
                .filter(|&g| !by_group[g].is_empty())
                .collect();
            let slot = 0.8 / present.len().max(1) as f64;
            for (k, &g) in present.iter().enumerate() {
                let stack = &by_group[g];
                let x = c as f64 - 0.4 + slot * k as f64;
                let (x0, x1) = (x + slot * 0.08, x + slot * 0.92);
                let mut y = 0.0;
                for (s, v) in stack.iter().enumerate() {
                    if *v > 0.0 {
                        let rect = Rectangle::new([(x0, y), (x1, y + v)], colour_of(g, s).filled());
                        chart.draw_series(std::iter::once(rect))?;
                    }
                    y += v;
                }
                if let Some(Some((low, high))) = b.whiskers.as_ref().and_then(|w| w[c].get(g)) {
                    let mid = (x0 + x1) / 2.0;
                    let bar = ErrorBar::new_vertical(
                        mid,
                        *low,
                        stack[0],
                        *high,
                        BLACK.stroke_width(1),
                        8,
                    );
                    chart.draw_series(std::iter::once(bar))?;
                }
                if named {
                    let style = TextStyle::from((FONT, 11).into_font())
                        .transform(FontTransform::Rotate270)
                        .pos(Pos::new(HPos::Left, VPos::Center));
                    let text = Text::new(
                        short(&b.groups[g], 18),
                        ((x0 + x1) / 2.0, y + top * 0.02),
                        style,
                    );
                    chart.draw_series(std::iter::once(text))?;
                }
            }
        }
        let entries: Vec<(String, RGBColor)> = if b.stacks.len() == 1 && b.groups.len() > 1 {
            b.groups
                .iter()
                .enumerate()
                .map(|(g, n)| (n.clone(), colour(g)))
                .collect()
        } else {
            b.stacks.clone()
        };
        let heading = if b.stacks.len() == 1 && b.groups.len() > 1 {
            "run"
        } else {
            ""
        };
        legend(&side, heading, &entries)?;
        root.present()?;
    }
    Ok(svg)
}

/// One heat map: `values[row][column]`, shaded from white to blue by `value / max`, each
/// cell labelled with `text[row][column]`.
pub struct Heat {
    pub title: String,
    pub x_desc: String,
    pub y_desc: String,
    pub columns: Vec<String>,
    pub rows: Vec<String>,
    pub values: Vec<Vec<f64>>,
    pub text: Vec<Vec<String>>,
    pub max: f64,
}

fn shade(v: f64, max: f64) -> RGBColor {
    let t = if max > 0.0 {
        (v / max).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
    RGBColor(mix(255, BLUE.0), mix(255, BLUE.1), mix(255, BLUE.2))
}

/// The size one heat map needs.
fn heat_size(h: &Heat) -> (u32, u32) {
    let y_area = 24 + 7 * longest(&h.rows).min(40) as u32;
    let x_area = 30 + 7 * longest(&h.columns).min(28) as u32;
    let width = y_area + 40 + 64 * h.columns.len().max(1) as u32;
    let height = 70 + x_area + 26 * h.rows.len().max(1) as u32;
    (width.max(280), height)
}

fn heat_on(area: &DrawingArea<SVGBackend, Shift>, h: &Heat) -> Result<()> {
    let (cols, rows) = (h.columns.len().max(1), h.rows.len().max(1));
    let y_area = 24 + 7 * longest(&h.rows).min(40) as u32;
    let x_area = 30 + 7 * longest(&h.columns).min(28) as u32;
    let mut chart = ChartBuilder::on(area)
        .caption(&h.title, (FONT, 16))
        .margin(10)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(axis(cols), axis(rows))?;
    // Rows read top down: row r is drawn at y = rows - 1 - r.
    let row_names: Vec<String> = h.rows.iter().rev().cloned().collect();
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(cols)
        .y_labels(rows)
        .x_label_formatter(&|_| String::new())
        .y_label_formatter(&|v| name_at(&row_names, *v, 40))
        .y_label_style((FONT, 12))
        .x_desc(&h.x_desc)
        .y_desc(&h.y_desc)
        .axis_desc_style((FONT, 13))
        .draw()?;
    names_down(area, &chart, &h.columns, -0.5)?;
    for (r, row) in h.values.iter().enumerate() {
        let y = (rows - 1 - r) as f64;
        for (c, v) in row.iter().enumerate() {
            let x = c as f64;
            let cell = [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)];
            let fill = shade(*v, h.max);
            chart.draw_series(std::iter::once(Rectangle::new(cell, fill.filled())))?;
            chart.draw_series(std::iter::once(Rectangle::new(
                cell,
                RGBColor(0xDD, 0xDD, 0xDD).stroke_width(1),
            )))?;
            let dark = h.max > 0.0 && *v / h.max > 0.55;
            let ink = if dark { WHITE } else { BLACK };
            let style = TextStyle::from((FONT, 11).into_font())
                .color(&ink)
                .pos(Pos::new(HPos::Center, VPos::Center));
            let text = h.text[r][c].clone();
            chart.draw_series(std::iter::once(Text::new(text, (x, y), style)))?;
        }
    }
    Ok(())
}

/// Heat maps side by side, under one title, as an SVG document.
pub fn heat_maps(title: &str, maps: &[Heat]) -> Result<String> {
    let sizes: Vec<(u32, u32)> = maps.iter().map(heat_size).collect();
    let title_width = 40 + 9 * title.chars().count() as u32;
    let width: u32 = sizes.iter().map(|s| s.0).sum::<u32>().max(title_width);
    let height: u32 = 40 + sizes.iter().map(|s| s.1).max().unwrap_or(120);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let body = root.titled(title, (FONT, 18))?;
        let mut rest = body;
        for (h, (w, _)) in maps.iter().zip(&sizes) {
            let (this, next) = rest.split_horizontally(*w);
            heat_on(&this, h)?;
            rest = next;
        }
        root.present()?;
    }
    Ok(svg)
}

/// A figure with nothing to draw: its title and a line saying why.
pub fn empty(title: &str, why: &str) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 120)).into_drawing_area();
        root.fill(&WHITE)?;
        let area = root.titled(title, (FONT, 18))?;
        let style =
            TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Center, VPos::Center));
        area.draw(&Text::new(why.to_string(), (320, 40), style))?;
        root.present()?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_safe_and_short() {
        assert!(!short("run\u{1b}[31m\u{0}", 40).contains(['\u{1b}', '\u{0}']));
        assert_eq!(short("invalid-action/alfworld", 10), "invalid-a…");
        assert_eq!(tick(3.0), "3");
        assert_eq!(tick(0.5), "0.5");
        assert_eq!(ticks(5.4), 7);
    }
}
