//! The help panel: one line per action, from the action table, with the keys bound to it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Widget};

use super::action::{Action, Keymap, ACTIONS};
use super::panel::{Data, Panel, Scroll};
use super::theme::Theme;

/// The help panel.
#[derive(Debug, Default)]
pub struct HelpPanel {
    scroll: Scroll,
}

impl Panel for HelpPanel {
    fn open(_: &mut Data) -> Result<HelpPanel, String> {
        Ok(HelpPanel::default())
    }

    fn mode(&self) -> &'static str {
        "HELP"
    }

    fn key(&mut self, action: Option<Action>) -> bool {
        self.scroll.key(action, ACTIONS.len())
    }

    fn draw(&self, buf: &mut Buffer, screen: Rect, theme: &Theme, keymap: &Keymap) {
        let keys: Vec<String> = ACTIONS.iter().map(|a| keymap.describe(a.action)).collect();
        let key_w = keys.iter().map(|k| k.chars().count()).max().unwrap_or(0);
        let help_w = ACTIONS
            .iter()
            .map(|a| a.help.chars().count())
            .max()
            .unwrap_or(0);
        let width = ((key_w + help_w + 6) as u16).min(screen.width);
        let height = (ACTIONS.len() as u16 + 4).min(screen.height);
        let area = Rect::new(
            screen.x + (screen.width - width) / 2,
            screen.y + (screen.height - height) / 2,
            width,
            height,
        );
        Clear.render(area, buf);
        let title = match (ACTIONS.len() + 2) as u16 > height.saturating_sub(2) {
            true => " keys (j/k scroll, any other key closes) ",
            false => " keys (any key closes) ",
        };
        let block = Block::bordered()
            .border_style(theme.border_focus)
            .title(Span::styled(title, theme.title));
        let inner = block.inner(area);
        block.render(area, buf);
        buf.set_style(inner, Style::new().patch(theme.text));
        let mut lines: Vec<Line> = ACTIONS
            .iter()
            .zip(&keys)
            .map(|(info, k)| {
                Line::from(vec![
                    Span::styled(format!(" {k:<key_w$}  "), theme.agent),
                    Span::styled(info.help, theme.text),
                ])
            })
            .collect();
        lines.push(Line::default());
        lines.push(Line::styled(
            " mouse wheel scrolls · config: keys by action name",
            theme.muted,
        ));
        let rows = inner.height as usize;
        let first = self.scroll.first().min(lines.len().saturating_sub(rows));
        for (n, line) in lines.iter().skip(first).take(rows).enumerate() {
            buf.set_line(inner.x, inner.y + n as u16, line, inner.width);
        }
    }
}
