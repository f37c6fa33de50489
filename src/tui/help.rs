//! The help panel: one line per action, from the action table, with the keys bound to it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::action::{Action, Keymap, ACTIONS};
use super::panel::{self, Data, Frame, Panel, Scroll};
use super::theme::Theme;

/// The help panel.
#[derive(Debug, Default)]
pub struct HelpPanel {
    scroll: Scroll,
    /// The digit keys' categories, as one line of text.
    categories: String,
}

/// The last line of the help, under the actions.
const FOOTER: &str = "mouse wheel scrolls · config: keys by action name";

/// One row of the help: the keys of an action (on its first row only) and its help, wrapped.
struct Row {
    keys: Option<String>,
    help: String,
}

/// The help's rows on `screen`, wrapped to its box (the help of an action continues under
/// itself, past the keys column), the width of the keys column and the box.
fn rows(screen: Rect, keymap: &Keymap, categories: &str) -> (Vec<Row>, usize, Frame) {
    // Actions that share their help (the category digits) share a row.
    let mut groups: Vec<(Vec<String>, &'static str)> = Vec::new();
    for a in ACTIONS {
        let k = keymap.describe(a.action);
        match groups.last_mut() {
            Some((keys, help)) if *help == a.help => keys.push(k),
            _ => groups.push((vec![k], a.help)),
        }
    }
    let keys: Vec<String> = groups
        .iter()
        .map(|(k, _)| match &k[..] {
            [first, .., last] if k.len() > 3 => format!("{first}…{last}"),
            _ => k.join(" "),
        })
        .collect();
    let key_w = keys.iter().map(|k| k.chars().count()).max().unwrap_or(0);
    let help_w = groups
        .iter()
        .map(|(_, help)| help.chars().count())
        .max()
        .unwrap_or(0);
    let frame = Frame::new(screen, key_w + 2 + help_w);
    // A keys column wider than half the box leaves the help under it.
    let column = match key_w + 2 <= frame.text_width / 2 {
        true => key_w + 2,
        false => 0,
    };
    let help_width = frame.text_width.saturating_sub(column);
    let mut out = Vec::new();
    for ((_, help), k) in groups.iter().zip(keys) {
        let mut wrapped = panel::wrap(help, help_width, 2).into_iter();
        match column {
            0 => {
                out.push(Row {
                    keys: Some(k),
                    help: String::new(),
                });
                out.extend(wrapped.map(|help| Row { keys: None, help }));
            }
            _ => {
                let first = wrapped.next().unwrap_or_default();
                out.push(Row {
                    keys: Some(k),
                    help: first,
                });
                out.extend(wrapped.map(|help| Row { keys: None, help }));
            }
        }
    }
    out.push(Row {
        keys: None,
        help: String::new(),
    });
    for help in panel::wrap(categories, frame.text_width, 2) {
        out.push(Row { keys: None, help });
    }
    for help in panel::wrap(FOOTER, frame.text_width, 2) {
        out.push(Row { keys: None, help });
    }
    let frame = frame.fit(screen, out.len());
    (out, column, frame)
}

impl Panel for HelpPanel {
    fn open(data: &mut Data) -> Result<HelpPanel, String> {
        let set = &data.labels.categories;
        let digits: Vec<String> = set
            .categories
            .iter()
            .filter_map(|c| Some(format!("{} {}", set.digit(&c.name)?, c.name)))
            .collect();
        Ok(HelpPanel {
            scroll: Scroll::default(),
            categories: format!("categories ({}): {}", set.tag(), digits.join(" · ")),
        })
    }

    fn mode(&self) -> &'static str {
        "HELP"
    }

    fn key(&mut self, action: Option<Action>, screen: Rect, keymap: &Keymap) -> bool {
        let (rows, _, frame) = rows(screen, keymap, &self.categories);
        let last = panel::last_first(frame, rows.len());
        self.scroll.key(action, last, frame.rows())
    }

    fn draw(&self, buf: &mut Buffer, screen: Rect, theme: &Theme, keymap: &Keymap) {
        let (rows, column, frame) = rows(screen, keymap, &self.categories);
        let title = match rows.len() > frame.rows() {
            true => " keys (j/k scroll, any other key closes) ",
            false => " keys (any key closes) ",
        };
        let footer = rows.len()
            - panel::wrap(FOOTER, frame.text_width, 2).len()
            - panel::wrap(&self.categories, frame.text_width, 2).len();
        let lines: Vec<Line> = rows
            .into_iter()
            .enumerate()
            .map(|(n, row)| {
                if n >= footer {
                    return Line::styled(row.help, theme.muted);
                }
                let keys = match (row.keys, column) {
                    (Some(k), 0) => k,
                    (Some(k), _) => format!("{k:<column$}"),
                    (None, _) => " ".repeat(column),
                };
                Line::from(vec![
                    Span::styled(keys, theme.agent),
                    Span::styled(row.help, theme.text),
                ])
            })
            .collect();
        panel::rows_box(buf, frame, theme, title, &lines, self.scroll.first());
    }
}
