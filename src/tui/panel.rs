//! Panels over the review screen (help, agreement, estimate, …): what every panel is — opened
//! from the session's data, named in the status bar, scrolled by the moving keys, drawn over
//! the screen — with the scrolling and the box of text that most of them share. The panels
//! themselves are listed where the screen routes actions to them (`app::PANELS`).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Widget};

use super::action::{Action, Keymap};
use super::listing::Filter;
use super::marks::{Labels, Whole};
use super::store::Store;
use super::theme::Theme;

/// What a panel is computed from when it opens.
pub struct Data<'a> {
    pub store: &'a mut Store,
    /// The annotator, the journal and the annotations directory.
    pub labels: &'a Labels,
    /// The sample the list is restricted to (global indices, increasing), if any.
    pub sample: Option<&'a [usize]>,
    /// The list's filter, with its scan so far, if one is on.
    pub filter: Option<&'a Filter>,
    /// The annotator's progress over the whole data (or the sample), once counted.
    pub whole: Option<Whole>,
}

/// A panel over the screen. It owns its state; the screen holds the open one and forwards keys
/// to it.
pub trait Panel: std::any::Any {
    /// Compute the panel; `Err` is a message for the status bar, and the panel does not open.
    fn open(data: &mut Data) -> Result<Self, String>
    where
        Self: Sized;

    /// The mode name the status bar shows while the panel is open.
    fn mode(&self) -> &'static str;

    /// The action of a key pressed while the panel is open, on a screen of `screen`: true when
    /// the panel used it (moving keys scroll), false to close the panel.
    fn key(&mut self, action: Option<Action>, screen: Rect, keymap: &Keymap) -> bool;

    /// Draw the panel over `screen`.
    fn draw(&self, buf: &mut Buffer, screen: Rect, theme: &Theme, keymap: &Keymap);

    /// Background work between keys, for at most `budget`: true when the panel should be
    /// drawn again. Most panels compute everything when they open.
    fn tick(&mut self, _data: &mut Data, _budget: std::time::Duration) -> bool {
        false
    }

    /// Whether [`Panel::tick`] has work left (the screen's loop wakes up soon).
    fn busy(&self) -> bool {
        false
    }

    /// The list filter a key asked for as it closed the panel (`rule:ID`, `outcome:fail`…),
    /// taken once.
    fn take_filter(&mut self) -> Option<String> {
        None
    }
}

/// Opens a panel, boxed (the type of each entry in the list of panels).
pub type Open = fn(&mut Data) -> Result<Box<dyn Panel>, String>;

/// [`Panel::open`], boxed.
pub fn open<P: Panel + 'static>(data: &mut Data) -> Result<Box<dyn Panel>, String> {
    P::open(data).map(|p| Box::new(p) as Box<dyn Panel>)
}

/// The first line of a panel on screen, moved by the moving keys.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scroll(usize);

impl Scroll {
    /// Scroll for a moving key, down to line `last` (the first line of the last page) by
    /// pages of `page` lines; false for any other key.
    pub fn key(&mut self, action: Option<Action>, last: usize, page: usize) -> bool {
        let page = page.max(1);
        match action {
            Some(Action::NextStep) => self.0 = (self.0 + 1).min(last),
            Some(Action::PrevStep) => self.0 = self.0.min(last).saturating_sub(1),
            Some(Action::PageDown) => self.0 = (self.0 + page).min(last),
            Some(Action::PageUp) => self.0 = self.0.min(last).saturating_sub(page),
            _ => return false,
        }
        true
    }

    pub fn first(self) -> usize {
        self.0
    }
}

/// `text` cut into rows of at most `width` cells at spaces (a word longer than a row is cut
/// where the row ends); rows after the first start with `indent` spaces.
pub fn wrap(text: &str, width: usize, indent: usize) -> Vec<String> {
    let width = width.max(1);
    let indent = indent.min(width / 2);
    // The text's own indentation stays on its first row.
    let lead = text.len() - text.trim_start_matches(' ').len();
    let mut rows = Vec::new();
    let mut row = text[..lead].to_string();
    let mut row_w = lead;
    // No word on the row yet.
    let mut empty = true;
    for word in text[lead..].split(' ') {
        if !empty && row_w + 1 + cells(word) > width {
            rows.push(std::mem::replace(&mut row, " ".repeat(indent)));
            row_w = indent;
            empty = true;
        }
        if !empty {
            row.push(' ');
            row_w += 1;
        }
        for c in word.chars() {
            let cw = cells(c.encode_utf8(&mut [0; 4]));
            if row_w + cw > width && row_w > indent {
                rows.push(std::mem::replace(&mut row, " ".repeat(indent)));
                row_w = indent;
            }
            row.push(c);
            row_w += cw;
        }
        empty = false;
    }
    rows.push(row);
    rows
}

fn cells(s: &str) -> usize {
    super::text::cells(s)
}

/// Where a box of text goes on `screen`: `width` cells of text (the widest line, at most what
/// fits), wrapped at that width.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    /// The box, border included.
    pub area: Rect,
    /// The width text wraps at (inside the border and a space of margin each side).
    pub text_width: usize,
}

impl Frame {
    /// The frame for text at most `widest` cells wide on `screen`, before wrapping.
    pub fn new(screen: Rect, widest: usize) -> Frame {
        let width = (widest.max(40) + 4).min(screen.width as usize) as u16;
        let text_width = (width as usize).saturating_sub(4);
        Frame {
            area: Rect::new(
                screen.x + (screen.width - width) / 2,
                screen.y,
                width,
                screen.height,
            ),
            text_width,
        }
    }

    /// The frame with room for `rows` rows of text, centred on `screen`.
    pub fn fit(self, screen: Rect, rows: usize) -> Frame {
        let height = (rows + 2).min(screen.height as usize) as u16;
        let area = Rect {
            y: screen.y + (screen.height - height) / 2,
            height,
            ..self.area
        };
        Frame { area, ..self }
    }

    /// Rows of text inside the border.
    pub fn rows(self) -> usize {
        self.area.height.saturating_sub(2) as usize
    }
}

/// `lines` wrapped for a box on `screen` (continuation rows indented two cells past the line's
/// own indentation), and the box.
pub fn wrapped(screen: Rect, lines: &[String]) -> (Frame, Vec<String>) {
    let widest = lines.iter().map(|l| cells(l)).max().unwrap_or(0);
    let frame = Frame::new(screen, widest);
    let rows: Vec<String> = lines
        .iter()
        .flat_map(|l| {
            let lead = l.len() - l.trim_start_matches(' ').len();
            wrap(l, frame.text_width, lead + 2)
        })
        .collect();
    (frame.fit(screen, rows.len()), rows)
}

/// The first line of the last page of `rows` rows in `frame` (how far scrolling goes).
pub fn last_first(frame: Frame, rows: usize) -> usize {
    rows.saturating_sub(frame.rows())
}

/// Rows of styled text in a bordered box (`frame`), from row `first` down, with the rows on
/// screen out of all of them in the bottom border (`↓ 1-20/43`) when they do not all fit.
pub fn rows_box(
    buf: &mut Buffer,
    frame: Frame,
    theme: &Theme,
    title: &str,
    rows: &[Line],
    first: usize,
) {
    let area = frame.area;
    Clear.render(area, buf);
    let shown = frame.rows();
    let first = first.min(last_first(frame, rows.len()));
    let mut block = Block::bordered()
        .border_style(theme.border_focus)
        .title(Span::styled(title.to_string(), theme.title));
    if rows.len() > shown {
        let last = (first + shown).min(rows.len());
        let arrows = match (first > 0, last < rows.len()) {
            (true, true) => "↑↓",
            (false, true) => "↓",
            (true, false) => "↑",
            (false, false) => "",
        };
        let hint = format!(" {arrows} {}-{last}/{} ", first + 1, rows.len());
        block = block.title_bottom(Line::styled(hint, theme.title).right_aligned());
    }
    let inner = block.inner(area);
    block.render(area, buf);
    buf.set_style(inner, Style::new().patch(theme.text));
    for (n, row) in rows.iter().skip(first).take(shown).enumerate() {
        buf.set_line(
            inner.x + 1,
            inner.y + n as u16,
            row,
            inner.width.saturating_sub(1),
        );
    }
}

/// Lines of text in a bordered box in the middle of the screen, wrapped to its width, from
/// row `first` down.
pub fn text_box(
    buf: &mut Buffer,
    screen: Rect,
    theme: &Theme,
    title: &'static str,
    lines: &[String],
    first: usize,
) {
    let (frame, rows) = wrapped(screen, lines);
    let rows: Vec<Line> = rows
        .into_iter()
        .map(|r| Line::styled(r, theme.text))
        .collect();
    rows_box(buf, frame, theme, title, &rows, first);
}

/// Scroll a box of `lines` on `screen` for a moving key (false for any other key).
pub fn scroll_text(
    scroll: &mut Scroll,
    action: Option<Action>,
    screen: Rect,
    lines: &[String],
) -> bool {
    let (frame, rows) = wrapped(screen, lines);
    scroll.key(action, last_first(frame, rows.len()), frame.rows())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_cuts_at_spaces_and_indents_what_follows() {
        let rows = wrap("  about 10 of 10 trajectories, 95 % CI", 18, 4);
        assert_eq!(
            rows,
            ["  about 10 of 10", "    trajectories,", "    95 % CI"]
        );
    }

    #[test]
    fn a_word_longer_than_a_row_is_cut_where_the_row_ends() {
        assert_eq!(wrap("abcdefghij", 4, 2), ["abcd", "  ef", "  gh", "  ij"]);
        assert_eq!(wrap("", 4, 2), [""]);
    }
}
