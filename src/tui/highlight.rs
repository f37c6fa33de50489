//! Code colours with syntect: fenced blocks (```bash, ```sql, ```python, …) and tool-call
//! arguments as JSON. The syntax and theme sets load once, on first use; lines over 16 KiB and
//! blocks over 256 KiB stay plain.

use std::sync::OnceLock;

use ratatui::style::{Color, Style};
use syntect::easy::HighlightLines;
use syntect::highlighting::ThemeSet;
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use super::text::Run;

const MAX_LINE: usize = 16 * 1024;
const MAX_BLOCK: usize = 256 * 1024;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

fn themes() -> &'static ThemeSet {
    static SET: OnceLock<ThemeSet> = OnceLock::new();
    SET.get_or_init(ThemeSet::load_defaults)
}

fn syntax_for(lang: &str) -> Option<&'static SyntaxReference> {
    let lang = match lang.trim().to_ascii_lowercase().as_str() {
        "" => return None,
        "sh" | "shell" | "console" | "zsh" => "bash".to_string(),
        "py" | "python3" => "python".to_string(),
        "mysql" | "sqlite" | "postgresql" | "postgres" => "sql".to_string(),
        other => other.to_string(),
    };
    syntaxes().find_syntax_by_token(&lang)
}

/// Colour runs for the fenced code blocks of `text` (display text, already sanitised); a fence
/// without a language is read as `default` (bash for shell tasks, sql for database tasks).
pub fn fenced_runs(text: &str, theme: &str, default: Option<&str>) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut offset = 0;
    let mut open: Option<(&'static SyntaxReference, usize)> = None;
    for line in LinesWithEndings::from(text) {
        let trimmed = line.trim();
        if let Some(info) = trimmed.strip_prefix("```") {
            match open.take() {
                Some((syntax, start)) => {
                    highlight(&text[start..offset], start, syntax, theme, &mut runs)
                }
                None => {
                    let lang = info.split_whitespace().next().or(default).unwrap_or("");
                    let syntax =
                        syntax_for(lang).unwrap_or_else(|| syntaxes().find_syntax_plain_text());
                    open = Some((syntax, offset + line.len()));
                }
            }
        }
        offset += line.len();
    }
    if let Some((syntax, start)) = open {
        highlight(&text[start..], start, syntax, theme, &mut runs);
    }
    runs
}

/// Colour runs for `text` as a whole in language `lang` (`json` for tool-call arguments).
pub fn runs_as(text: &str, lang: &str, theme: &str) -> Vec<Run> {
    let mut runs = Vec::new();
    if let Some(syntax) = syntax_for(lang) {
        highlight(text, 0, syntax, theme, &mut runs);
    }
    runs
}

fn highlight(code: &str, base: usize, syntax: &SyntaxReference, theme: &str, runs: &mut Vec<Run>) {
    if code.len() > MAX_BLOCK || syntax.name == "Plain Text" {
        return;
    }
    let Some(theme) = themes().themes.get(theme) else {
        return;
    };
    let mut h = HighlightLines::new(syntax, theme);
    let mut offset = base;
    for line in LinesWithEndings::from(code) {
        if line.len() <= MAX_LINE {
            if let Ok(regions) = h.highlight_line(line, syntaxes()) {
                let mut at = offset;
                for (style, piece) in regions {
                    let fg = style.foreground;
                    runs.push((
                        at,
                        at + piece.len(),
                        Style::new().fg(Color::Rgb(fg.r, fg.g, fg.b)),
                    ));
                    at += piece.len();
                }
            }
        }
        offset += line.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fenced_bash_gets_colours_and_prose_does_not() {
        let text = "Act: bash\n\n```bash\nls -la /tmp\n```\nafter";
        let runs = fenced_runs(text, "base16-ocean.dark", None);
        let code = text.find("ls").unwrap();
        assert!(!runs.is_empty());
        assert!(runs
            .iter()
            .all(|r| r.0 >= code && r.1 <= text.find("\n```\nafter").unwrap() + 1));
    }

    #[test]
    fn json_arguments() {
        let runs = runs_as("{\"a\": 1}", "json", "base16-ocean.dark");
        assert!(runs.len() > 2);
    }

    #[test]
    fn unknown_languages_stay_plain() {
        assert!(fenced_runs("```klingon\nqapla\n```\n", "base16-ocean.dark", None).is_empty());
        assert!(fenced_runs("```\nls -la\n```\n", "base16-ocean.dark", None).is_empty());
        assert!(!fenced_runs("```\nls -la\n```\n", "base16-ocean.dark", Some("bash")).is_empty());
    }
}
