//! The overview's charts on screen: each chart a bordered box with a table (label and counts)
//! and beside it a bar chart of one of the counts, drawn with ratatui's `Table`, `BarChart` and
//! `LineGauge`. The charts are laid out on a canvas as tall as they need (stacked on a narrow
//! screen, in two columns on a wide one) and the rows that fit are copied to the screen, so the
//! panel scrolls like the others.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Block, Cell, LineGauge, Row, Table, Widget};

use super::super::panel;
use super::super::theme::Theme;

/// What colour a bar takes from the theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Error,
    Warn,
    Info,
    Right,
    Wrong,
    Muted,
}

impl Tone {
    /// The bar's style: the colour that means it (a finding's highlight is its background)
    /// as the bar's foreground, on the screen's own background.
    fn style(self, theme: &Theme) -> Style {
        let meant = match self {
            Tone::Error => theme.finding_error,
            Tone::Warn => theme.finding_warn,
            Tone::Info => theme.finding_info,
            Tone::Right => theme.label_right,
            Tone::Wrong => theme.label_wrong,
            Tone::Muted => theme.muted,
        };
        Style {
            fg: meant.bg.or(meant.fg),
            ..Style::new()
        }
    }
}

/// One row of a chart: the label, two counts as text, the bar's length, its colour, and the
/// list filter term that selecting it applies.
#[derive(Debug, Clone)]
pub struct BarRow {
    pub label: String,
    pub counts: [String; 2],
    pub value: u64,
    pub tone: Tone,
    pub term: Option<String>,
}

/// What a chart's box holds.
#[derive(Debug, Clone)]
pub enum Body {
    /// A table with a bar per row: the column heads (label, count, count), what the bars
    /// measure, the rows, and what to say when there are none.
    Bars {
        head: [&'static str; 3],
        axis: &'static str,
        rows: Vec<BarRow>,
        empty: &'static str,
    },
    /// Shares as gauges: (what, done, of).
    Gauges(Vec<(&'static str, usize, usize)>),
    /// A sentence.
    Note(String),
}

/// A chart: its title (what is counted) and its body.
#[derive(Debug, Clone)]
pub struct Section {
    pub title: String,
    pub body: Body,
}

/// A row that can be selected: its row on the canvas, the first row of its chart, its term.
#[derive(Debug, Clone)]
pub struct Item {
    pub row: usize,
    pub top: usize,
    pub term: String,
}

/// The charts placed on a canvas `width` wide.
pub struct Layout {
    pub width: u16,
    pub height: usize,
    /// The lines above the charts, wrapped.
    pub head: Vec<String>,
    /// Each chart's place, in the order the selection walks them.
    pub placed: Vec<(usize, Rect)>,
    pub items: Vec<Item>,
}

/// A screen at least this wide shows the rules beside the other charts.
const WIDE: u16 = 150;

/// Rows of a chart inside its border.
fn inner_rows(s: &Section, width: u16) -> usize {
    match &s.body {
        Body::Bars { rows, .. } => 1 + rows.len().max(1),
        Body::Gauges(g) => g.len(),
        Body::Note(text) => panel::wrap(text, width.saturating_sub(4) as usize, 2).len(),
    }
}

/// Place `sections` (outcomes, progress, rules, categories, in this order) under `head` on a
/// canvas `width` wide.
pub fn layout(head: &[String], sections: &[Section], width: u16) -> Layout {
    let head: Vec<String> = head
        .iter()
        .flat_map(|l| panel::wrap(l, width as usize, 2))
        .collect();
    let top = head.len() + 1;
    // Narrow: one column in order; wide: the rules on the left, the rest on the right.
    let columns: Vec<(u16, u16, Vec<usize>)> = if width >= WIDE {
        let left = width / 2;
        vec![
            (0, left - 1, vec![2]),
            (left + 1, width - left - 1, vec![0, 1, 3]),
        ]
    } else {
        vec![(0, width, vec![0, 1, 2, 3])]
    };
    let mut placed = Vec::new();
    let mut height = top;
    for (x, w, order) in columns {
        let mut y = top;
        for s in order.into_iter().filter(|&s| s < sections.len()) {
            let h = inner_rows(&sections[s], w) + 2;
            placed.push((s, Rect::new(x, y as u16, w, h as u16)));
            y += h;
        }
        height = height.max(y);
    }
    let mut items = Vec::new();
    for &(s, area) in &placed {
        if let Body::Bars { rows, .. } = &sections[s].body {
            for (n, r) in rows.iter().enumerate() {
                if let Some(term) = &r.term {
                    items.push(Item {
                        row: area.y as usize + 2 + n,
                        top: area.y as usize,
                        term: term.clone(),
                    });
                }
            }
        }
    }
    Layout {
        width,
        height,
        head,
        placed,
        items,
    }
}

/// The whole canvas, drawn; `selected` is the term of the selected row.
pub fn canvas(
    layout: &Layout,
    sections: &[Section],
    theme: &Theme,
    selected: Option<&str>,
) -> Buffer {
    let mut buf = Buffer::empty(Rect::new(0, 0, layout.width, layout.height as u16));
    buf.set_style(buf.area, theme.text);
    for (y, line) in layout.head.iter().enumerate() {
        buf.set_string(0, y as u16, line, theme.text);
    }
    for &(s, area) in &layout.placed {
        chart(&mut buf, area, &sections[s], theme, selected);
    }
    buf
}

fn chart(buf: &mut Buffer, area: Rect, s: &Section, theme: &Theme, selected: Option<&str>) {
    let block = Block::bordered()
        .border_style(theme.border)
        .title(Span::styled(format!(" {} ", s.title), theme.title));
    let inner = block.inner(area);
    block.render(area, buf);
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };
    match &s.body {
        Body::Bars {
            head,
            axis,
            rows,
            empty,
        } => bars(buf, inner, theme, (head, axis, rows, empty), selected),
        Body::Gauges(gauges) => {
            let label_w = gauges.iter().map(|g| g.0.len()).max().unwrap_or(0) as u16;
            for (n, &(what, done, of)) in gauges.iter().enumerate() {
                let y = inner.y + n as u16;
                buf.set_string(inner.x, y, what, theme.text);
                let ratio = (done as f64 / of.max(1) as f64).clamp(0.0, 1.0);
                let share = (done * 100).checked_div(of).unwrap_or(0);
                let x = inner.x + label_w + 2;
                LineGauge::default()
                    .ratio(ratio)
                    .label(format!("{done}/{of} ({share}%)"))
                    .filled_symbol("━")
                    .filled_style(theme.agent)
                    .unfilled_style(theme.muted)
                    .render(Rect::new(x, y, inner.right().saturating_sub(x), 1), buf);
            }
        }
        Body::Note(text) => {
            for (n, row) in panel::wrap(text, inner.width as usize, 2)
                .iter()
                .enumerate()
            {
                buf.set_string(inner.x, inner.y + n as u16, row, theme.muted);
            }
        }
    }
}

type Bars<'a> = (
    &'a [&'static str; 3],
    &'a &'static str,
    &'a [BarRow],
    &'a &'static str,
);

/// A table of `rows` (label and counts) with a bar chart of their values beside it.
fn bars(buf: &mut Buffer, area: Rect, theme: &Theme, chart: Bars, selected: Option<&str>) {
    let (head, axis, rows, empty) = chart;
    let width = |i: usize| -> u16 {
        let widest = rows.iter().map(|r| match i {
            0 => crate::tui::text::cells(&r.label),
            _ => r.counts[i - 1].len(),
        });
        widest.chain([head[i].len()]).max().unwrap_or(0) as u16
    };
    let widths = [1, width(0), width(1), width(2)];
    let table_w: u16 = widths.iter().sum::<u16>() + 3;
    let bold = theme.muted.add_modifier(Modifier::BOLD);
    let right = |s: &str| Cell::from(Line::from(s.to_string()).right_aligned());
    let header = Row::new(vec![
        Cell::from(""),
        Cell::from(head[0]),
        right(head[1]),
        right(head[2]),
    ])
    .style(bold);
    let body: Vec<Row> = rows
        .iter()
        .map(|r| {
            let on = selected.is_some() && r.term.as_deref() == selected;
            let row = Row::new(vec![
                Cell::from(if on { "›" } else { " " }),
                Cell::from(r.label.clone()),
                right(&r.counts[0]),
                right(&r.counts[1]),
            ]);
            match on {
                true => row.style(theme.selection),
                false => row.style(theme.text),
            }
        })
        .collect();
    let table = Table::new(body, widths.map(Constraint::Length)).header(header);
    Widget::render(table, area, buf);
    if rows.is_empty() {
        buf.set_string(area.x + 2, area.y + 1, empty, theme.muted);
        return;
    }
    // The bars, one a row, beside the table; on a screen too narrow for them, the table alone.
    let x = area.x + table_w + 2;
    let bar_w = area.right().saturating_sub(x);
    if bar_w < 6 {
        return;
    }
    buf.set_string(x, area.y, format!("bar: {axis}"), bold);
    let data: Vec<Bar> = rows
        .iter()
        .map(|r| {
            Bar::default()
                .value(r.value)
                .text_value(String::new())
                .style(r.tone.style(theme))
        })
        .collect();
    let max = rows.iter().map(|r| r.value).max().unwrap_or(0).max(1);
    BarChart::horizontal(data)
        .bar_width(1)
        .bar_gap(0)
        .max(max)
        .render(Rect::new(x, area.y + 1, bar_w, rows.len() as u16), buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_take_the_colour_that_means_them_and_leave_the_background() {
        let theme = Theme::builtin("dark").unwrap();
        let row = |label: &str, value: u64, tone| BarRow {
            label: label.into(),
            counts: [value.to_string(), String::new()],
            value,
            tone,
            term: Some(format!("rule:{label}")),
        };
        let sections = vec![Section {
            title: "findings by rule".into(),
            body: Body::Bars {
                head: ["rule", "findings", "trajectories"],
                axis: "findings",
                rows: vec![row("a", 4, Tone::Error), row("b", 2, Tone::Right)],
                empty: "none",
            },
        }];
        let l = layout(&["head".into()], &sections, 60);
        let buf = canvas(&l, &sections, &theme, Some("rule:b"));
        let bar_row = |y: usize| -> Vec<&ratatui::buffer::Cell> {
            (0..60)
                .map(|x| &buf[(x, y as u16)])
                .filter(|c| c.symbol() == "█")
                .collect()
        };
        let (a, b) = (bar_row(l.items[0].row), bar_row(l.items[1].row));
        assert_eq!(a.len(), 2 * b.len(), "bars in proportion");
        assert_eq!(a[0].fg, theme.finding_error.bg.unwrap());
        assert_eq!(b[0].fg, theme.label_right.fg.unwrap());
        assert_eq!(
            a[0].bg,
            ratatui::style::Color::Reset,
            "no highlight behind a bar"
        );
        let marked = (0..60).any(|x| buf[(x, l.items[1].row as u16)].symbol() == "›");
        assert!(marked, "the selected row is marked");
    }
}
