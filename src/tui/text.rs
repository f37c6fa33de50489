//! Styled, wrapped text: layers of styled byte ranges (code colours, findings, search hits) over
//! sanitised text, cut into rows of a given cell width.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// A styled byte range `[start, end)` of display text.
pub type Run = (usize, usize, Style);

/// Layers of runs, each sorted by start; later layers patch earlier ones.
#[derive(Debug, Default)]
pub struct Layers(pub Vec<Vec<Run>>);

impl Layers {
    pub fn push(&mut self, mut layer: Vec<Run>) {
        layer.retain(|r| r.0 < r.1);
        layer.sort_by_key(|r| r.0);
        if !layer.is_empty() {
            self.0.push(layer);
        }
    }

    /// Cut `[0, len)` into segments of one style each: `(end, style)` in order.
    fn segments(&self, len: usize, base: Style) -> Vec<(usize, Style)> {
        let mut bounds: Vec<usize> = self
            .0
            .iter()
            .flatten()
            .flat_map(|r| [r.0.min(len), r.1.min(len)])
            .chain([len])
            .collect();
        bounds.sort_unstable();
        bounds.dedup();
        let mut cursors = vec![0usize; self.0.len()];
        let mut out = Vec::with_capacity(bounds.len());
        let mut start = 0;
        for end in bounds {
            if end <= start {
                continue;
            }
            let mut style = base;
            for (layer, cursor) in self.0.iter().zip(cursors.iter_mut()) {
                while *cursor < layer.len() && layer[*cursor].1 <= start {
                    *cursor += 1;
                }
                for run in &layer[*cursor..] {
                    if run.0 > start {
                        break;
                    }
                    if run.1 > start {
                        style = style.patch(run.2);
                    }
                }
            }
            out.push((end, style));
            start = end;
        }
        out
    }
}

/// Rows of wrapped text and how much of the text they show.
pub struct Wrapped {
    pub rows: Vec<Line<'static>>,
    /// Display bytes consumed by `rows` (the whole text unless `max_rows` cut it).
    pub consumed: usize,
    /// Where each row starts in the text.
    pub starts: Vec<usize>,
}

/// Wrap `text` at `width` cells (by character; a row breaks at the last space when there is
/// one in its last third), styling it by `layers` over `base`. Stops after `max_rows` rows.
pub fn wrap(text: &str, layers: &Layers, base: Style, width: usize, max_rows: usize) -> Wrapped {
    wrap_rows(text, layers, base, width, max_rows, true)
}

/// How many rows `text` takes at `width` (the rows of [`wrap`], without building them).
pub fn count_rows(text: &str, width: usize) -> usize {
    wrap_rows(
        text,
        &Layers::default(),
        Style::new(),
        width,
        usize::MAX,
        false,
    )
    .rows
    .len()
}

/// [`wrap`]; the rows are built only when `build` (else they are empty, but as many).
pub fn wrap_rows(
    text: &str,
    layers: &Layers,
    base: Style,
    width: usize,
    max_rows: usize,
    build: bool,
) -> Wrapped {
    let width = width.max(1);
    let segments = if build {
        layers.segments(text.len(), base)
    } else {
        Vec::new()
    };
    let mut seg = 0;
    let mut rows: Vec<Line<'static>> = Vec::new();
    let mut starts = Vec::new();
    let mut consumed = 0;
    let mut line_start = 0;
    for line in text.split('\n') {
        if rows.len() >= max_rows {
            return Wrapped {
                rows,
                consumed,
                starts,
            };
        }
        let mut row_start = line_start;
        let mut cells = 0;
        let mut last_space: Option<(usize, usize)> = None;
        let mut iter = line.char_indices().peekable();
        while let Some(&(i, c)) = iter.peek() {
            let w = c.width().unwrap_or(0);
            if cells + w > width && cells > 0 {
                // Break at the last space if it is in the last third of the row.
                let at = match last_space {
                    Some((pos, col)) if col * 3 >= width * 2 => pos,
                    _ => line_start + i,
                };
                rows.push(row(build, text, row_start, at, &segments, &mut seg));
                starts.push(row_start);
                if rows.len() >= max_rows {
                    return Wrapped {
                        rows,
                        consumed: at,
                        starts,
                    };
                }
                row_start = at;
                cells = text[row_start..line_start + i]
                    .chars()
                    .map(|c| c.width().unwrap_or(0))
                    .sum();
                last_space = None;
                continue;
            }
            cells += w;
            iter.next();
            if c == ' ' {
                last_space = Some((line_start + i + 1, cells));
            }
        }
        let end = line_start + line.len();
        rows.push(row(build, text, row_start, end, &segments, &mut seg));
        starts.push(row_start);
        consumed = (end + 1).min(text.len());
        line_start = end + 1;
    }
    Wrapped {
        rows,
        consumed,
        starts,
    }
}

fn row(
    build: bool,
    text: &str,
    start: usize,
    end: usize,
    segments: &[(usize, Style)],
    seg: &mut usize,
) -> Line<'static> {
    match build {
        true => styled_row(text, start, end, segments, seg),
        false => Line::default(),
    }
}

fn styled_row(
    text: &str,
    start: usize,
    end: usize,
    segments: &[(usize, Style)],
    seg: &mut usize,
) -> Line<'static> {
    let mut spans = Vec::new();
    let mut pos = start;
    while *seg < segments.len() && segments[*seg].0 <= pos {
        *seg += 1;
    }
    while pos < end {
        let (seg_end, style) = segments.get(*seg).copied().unwrap_or((end, Style::new()));
        let stop = seg_end.min(end);
        spans.push(Span::styled(text[pos..stop].to_string(), style));
        pos = stop;
        if seg_end <= pos {
            *seg += 1;
        }
    }
    if spans.is_empty() {
        // Keep the style of an empty row (a highlighted empty line shows as a styled cell).
        let style = segments.get(*seg).map_or(Style::new(), |s| s.1);
        spans.push(Span::styled(String::new(), style));
    }
    Line::from(spans)
}

/// Width of `s` in terminal cells.
pub fn cells(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `1234567` as `1 234 567`.
pub fn grouped(n: usize) -> String {
    crate::numbers::grouped(n as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier};

    fn plain(w: &Wrapped) -> Vec<String> {
        w.rows.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn wraps_by_cells_and_lines() {
        let w = wrap("abcdef\nxy", &Layers::default(), Style::new(), 4, 10);
        assert_eq!(plain(&w), ["abcd", "ef", "xy"]);
        assert_eq!(w.consumed, 9);
    }

    #[test]
    fn breaks_at_a_late_space() {
        let w = wrap("hello world", &Layers::default(), Style::new(), 8, 10);
        assert_eq!(plain(&w), ["hello ", "world"]);
    }

    #[test]
    fn wide_characters_take_two_cells() {
        let w = wrap("日本語です", &Layers::default(), Style::new(), 4, 10);
        assert_eq!(plain(&w), ["日本", "語で", "す"]);
    }

    #[test]
    fn stops_at_max_rows() {
        let w = wrap("a\nb\nc\nd", &Layers::default(), Style::new(), 4, 2);
        assert_eq!(plain(&w), ["a", "b"]);
        assert_eq!(w.consumed, 4);
    }

    #[test]
    fn layers_patch_in_order() {
        let mut layers = Layers::default();
        layers.push(vec![(0, 4, Style::new().fg(Color::Red))]);
        layers.push(vec![(2, 6, Style::new().add_modifier(Modifier::BOLD))]);
        let w = wrap("abcdefgh", &layers, Style::new(), 20, 5);
        let spans = &w.rows[0].spans;
        assert_eq!(spans[0].content, "ab");
        assert_eq!(spans[1].content, "cd");
        assert_eq!(spans[1].style.fg, Some(Color::Red));
        assert!(spans[1].style.add_modifier.contains(Modifier::BOLD));
        assert_eq!(spans[2].content, "ef");
        assert_eq!(spans[2].style.fg, None);
        assert_eq!(spans[3].content, "gh");
    }

    #[test]
    fn counting_matches_wrapping() {
        let text = "hello world, this is a longer line\n\nand 日本語 text";
        for width in 1..20 {
            let w = wrap(text, &Layers::default(), Style::new(), width, usize::MAX);
            assert_eq!(count_rows(text, width), w.rows.len(), "width {width}");
        }
    }

    #[test]
    fn numbers_group_by_thousands() {
        assert_eq!(grouped(1234), "1 234");
        assert_eq!(grouped(12), "12");
        assert_eq!(grouped(1234567), "1 234 567");
    }
}
