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
use super::marks::Labels;
use super::store::Store;
use super::theme::Theme;

/// What a panel is computed from when it opens.
pub struct Data<'a> {
    pub store: &'a mut Store,
    /// The annotator, the journal and the annotations directory.
    pub labels: &'a Labels,
    /// The sample the list is restricted to (global indices, increasing), if any.
    pub sample: Option<&'a [usize]>,
}

/// A panel over the screen. It owns its state; the screen holds the open one and forwards keys
/// to it.
pub trait Panel {
    /// Compute the panel; `Err` is a message for the status bar, and the panel does not open.
    fn open(data: &mut Data) -> Result<Self, String>
    where
        Self: Sized;

    /// The mode name the status bar shows while the panel is open.
    fn mode(&self) -> &'static str;

    /// The action of a key pressed while the panel is open: true when the panel used it
    /// (moving keys scroll), false to close the panel.
    fn key(&mut self, action: Option<Action>) -> bool;

    /// Draw the panel over `screen`.
    fn draw(&self, buf: &mut Buffer, screen: Rect, theme: &Theme, keymap: &Keymap);
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
    /// Scroll for a moving key (down to `len` lines); false for any other key.
    pub fn key(&mut self, action: Option<Action>, len: usize) -> bool {
        match action {
            Some(Action::NextStep) => self.0 = (self.0 + 1).min(len),
            Some(Action::PrevStep) => self.0 = self.0.saturating_sub(1),
            Some(Action::PageDown) => self.0 = (self.0 + 10).min(len),
            Some(Action::PageUp) => self.0 = self.0.saturating_sub(10),
            _ => return false,
        }
        true
    }

    pub fn first(self) -> usize {
        self.0
    }
}

/// Lines of text in a bordered box in the middle of the screen, from line `first` down.
pub fn text_box(
    buf: &mut Buffer,
    screen: Rect,
    theme: &Theme,
    title: &'static str,
    lines: &[String],
    first: usize,
) {
    let width = lines
        .iter()
        .map(|l| super::text::cells(l))
        .max()
        .unwrap_or(0)
        .max(40) as u16
        + 4;
    let width = width.min(screen.width);
    let height = (lines.len() as u16 + 2).min(screen.height);
    let area = Rect::new(
        screen.x + (screen.width - width) / 2,
        screen.y + (screen.height - height) / 2,
        width,
        height,
    );
    Clear.render(area, buf);
    let block = Block::bordered()
        .border_style(theme.border_focus)
        .title(Span::styled(title, theme.title));
    let inner = block.inner(area);
    block.render(area, buf);
    buf.set_style(inner, Style::new().patch(theme.text));
    let rows = inner.height as usize;
    let first = first.min(lines.len().saturating_sub(rows));
    for (n, text) in lines.iter().skip(first).take(rows).enumerate() {
        let line = Line::styled(format!(" {text}"), theme.text);
        buf.set_line(inner.x, inner.y + n as u16, &line, inner.width);
    }
}
