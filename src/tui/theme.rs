//! Themes: TOML files naming colours by meaning (`agent`, `environment`, `finding.error`,
//! `selection`, `muted`…). The built-in ones are embedded from `themes/`; users add their own in
//! `<config dir>/themes/NAME.toml`. A bad theme file is an error naming the file and the line.

use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::findings::Severity;

/// The built-in themes, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

/// Resolved styles for every part of the screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    /// syntect theme used for code, `None` for no highlighting (monochrome).
    pub syntax: Option<String>,
    pub text: Style,
    pub muted: Style,
    pub agent: Style,
    pub environment: Style,
    pub instruction: Style,
    pub system: Style,
    pub demo: Style,
    pub border: Style,
    pub border_focus: Style,
    pub title: Style,
    pub selection: Style,
    pub status: Style,
    pub status_mode: Style,
    pub finding_error: Style,
    pub finding_warn: Style,
    pub finding_info: Style,
    pub search_hit: Style,
    pub search_current: Style,
    pub label_right: Style,
    pub label_wrong: Style,
}

/// An error in a theme file: the file, the line and what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ThemeError {
    pub file: String,
    pub message: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    syntax: Option<String>,
    text: Option<Spec>,
    muted: Option<Spec>,
    agent: Option<Spec>,
    environment: Option<Spec>,
    instruction: Option<Spec>,
    system: Option<Spec>,
    demo: Option<Spec>,
    border: Option<Spec>,
    border_focus: Option<Spec>,
    title: Option<Spec>,
    selection: Option<Spec>,
    #[serde(default)]
    status: StatusSpecs,
    #[serde(default)]
    finding: FindingSpecs,
    #[serde(default)]
    search: SearchSpecs,
    #[serde(default)]
    label: LabelSpecs,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusSpecs {
    bar: Option<Spec>,
    mode: Option<Spec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FindingSpecs {
    error: Option<Spec>,
    warn: Option<Spec>,
    info: Option<Spec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchSpecs {
    hit: Option<Spec>,
    current: Option<Spec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelSpecs {
    right: Option<Spec>,
    wrong: Option<Spec>,
}

/// A style: a colour name (`"red"`, `"#c0caf5"`, `"238"`) for the foreground, or a table
/// `{ fg, bg, bold, dim, italic, underline, reverse }`.
#[derive(Debug, Clone, Copy, Default)]
struct Spec(Style);

impl<'de> Deserialize<'de> for Spec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Spec, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Color(String),
            Table(Table),
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Table {
            fg: Option<String>,
            bg: Option<String>,
            #[serde(default)]
            bold: bool,
            #[serde(default)]
            dim: bool,
            #[serde(default)]
            italic: bool,
            #[serde(default)]
            underline: bool,
            #[serde(default)]
            reverse: bool,
        }
        let color = |s: &str| -> Result<Color, D::Error> {
            s.parse::<Color>().map_err(|_| {
                serde::de::Error::custom(format!(
                    "'{s}' is not a colour (a name like red, #rrggbb, or 0-255)"
                ))
            })
        };
        let raw = Raw::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "expected a colour string or a table { fg, bg, bold, dim, italic, underline, reverse }",
            )
        })?;
        Ok(Spec(match raw {
            Raw::Color(s) => Style::new().fg(color(&s)?),
            Raw::Table(t) => {
                let mut style = Style::new();
                if let Some(fg) = t.fg {
                    style = style.fg(color(&fg)?);
                }
                if let Some(bg) = t.bg {
                    style = style.bg(color(&bg)?);
                }
                let flags = [
                    (t.bold, Modifier::BOLD),
                    (t.dim, Modifier::DIM),
                    (t.italic, Modifier::ITALIC),
                    (t.underline, Modifier::UNDERLINED),
                    (t.reverse, Modifier::REVERSED),
                ];
                for (on, m) in flags {
                    if on {
                        style = style.add_modifier(m);
                    }
                }
                style
            }
        }))
    }
}

impl Theme {
    /// A built-in theme.
    pub fn builtin(name: &str) -> Option<Theme> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        Some(
            Theme::parse(name, text, &format!("themes/{name}.toml"))
                .expect("built-in themes parse"),
        )
    }

    /// The theme called `name`: `<config_dir>/themes/NAME.toml` if it exists, else a built-in.
    pub fn load(name: &str, config_dir: Option<&Path>) -> Result<Theme, ThemeError> {
        if let Some(dir) = config_dir {
            let path: PathBuf = dir.join("themes").join(format!("{name}.toml"));
            if path.is_file() {
                let text = std::fs::read_to_string(&path).map_err(|e| ThemeError {
                    file: path.display().to_string(),
                    message: e.to_string(),
                })?;
                return Theme::parse(name, &text, &path.display().to_string());
            }
        }
        Theme::builtin(name).ok_or_else(|| ThemeError {
            file: name.to_string(),
            message: format!(
                "no such theme (built-in: {}; or add {}/themes/{name}.toml)",
                BUILTIN
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
                config_dir.map_or("<config dir>".into(), |d| d.display().to_string())
            ),
        })
    }

    /// Parse a theme file. Keys it leaves out fall back to the dark theme's.
    pub fn parse(name: &str, text: &str, file: &str) -> Result<Theme, ThemeError> {
        let parsed: ThemeFile = toml::from_str(text).map_err(|e| ThemeError {
            file: match e.span() {
                Some(span) => format!("{file}:{}", line_of(text, span.start)),
                None => file.to_string(),
            },
            message: e.message().to_string(),
        })?;
        let base = if name == "dark" {
            Theme::fallback()
        } else {
            Theme::builtin("dark").unwrap_or_else(Theme::fallback)
        };
        let pick = |spec: Option<Spec>, default: Style| spec.map_or(default, |s| s.0);
        Ok(Theme {
            name: name.to_string(),
            syntax: parsed.syntax.or(base.syntax),
            text: pick(parsed.text, base.text),
            muted: pick(parsed.muted, base.muted),
            agent: pick(parsed.agent, base.agent),
            environment: pick(parsed.environment, base.environment),
            instruction: pick(parsed.instruction, base.instruction),
            system: pick(parsed.system, base.system),
            demo: pick(parsed.demo, base.demo),
            border: pick(parsed.border, base.border),
            border_focus: pick(parsed.border_focus, base.border_focus),
            title: pick(parsed.title, base.title),
            selection: pick(parsed.selection, base.selection),
            status: pick(parsed.status.bar, base.status),
            status_mode: pick(parsed.status.mode, base.status_mode),
            finding_error: pick(parsed.finding.error, base.finding_error),
            finding_warn: pick(parsed.finding.warn, base.finding_warn),
            finding_info: pick(parsed.finding.info, base.finding_info),
            search_hit: pick(parsed.search.hit, base.search_hit),
            search_current: pick(parsed.search.current, base.search_current),
            label_right: pick(parsed.label.right, base.label_right),
            label_wrong: pick(parsed.label.wrong, base.label_wrong),
        })
    }

    /// No colour at all (`NO_COLOR`): severity, selection and hits by attributes only.
    pub fn monochrome() -> Theme {
        let s = Style::new();
        let m = |m: Modifier| Style::new().add_modifier(m);
        Theme {
            name: "monochrome".into(),
            syntax: None,
            text: s,
            muted: m(Modifier::DIM),
            agent: m(Modifier::BOLD),
            environment: s,
            instruction: m(Modifier::ITALIC),
            system: m(Modifier::DIM),
            demo: m(Modifier::DIM),
            border: s,
            border_focus: m(Modifier::BOLD),
            title: m(Modifier::BOLD),
            selection: m(Modifier::REVERSED),
            status: m(Modifier::REVERSED),
            status_mode: m(Modifier::BOLD | Modifier::REVERSED),
            finding_error: m(Modifier::BOLD | Modifier::REVERSED),
            finding_warn: m(Modifier::BOLD | Modifier::UNDERLINED),
            finding_info: m(Modifier::UNDERLINED),
            search_hit: m(Modifier::UNDERLINED | Modifier::ITALIC),
            search_current: m(Modifier::REVERSED | Modifier::UNDERLINED),
            label_right: m(Modifier::BOLD),
            label_wrong: m(Modifier::BOLD | Modifier::UNDERLINED),
        }
    }

    /// Plain terminal colours, the base every theme file fills in.
    fn fallback() -> Theme {
        Theme {
            name: "fallback".into(),
            syntax: Some("base16-ocean.dark".into()),
            ..Theme::monochrome()
        }
    }

    pub fn finding(&self, severity: Severity) -> Style {
        match severity {
            Severity::Error => self.finding_error,
            Severity::Warn => self.finding_warn,
            Severity::Info => self.finding_info,
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_themes_parse() {
        for (name, _) in BUILTIN {
            let t = Theme::builtin(name).unwrap();
            assert_ne!(t.finding_error, t.finding_info, "{name}");
        }
    }

    #[test]
    fn an_unknown_key_names_the_file_and_line() {
        let e = Theme::parse("x", "agent = \"red\"\n\nagnet = \"blue\"\n", "x.toml").unwrap_err();
        assert_eq!(e.file, "x.toml:3");
        assert!(e.message.contains("agnet"), "{}", e.message);
    }

    #[test]
    fn a_bad_colour_names_the_line() {
        let e = Theme::parse("x", "[finding]\nerror = \"reddish\"\n", "x.toml").unwrap_err();
        assert_eq!(e.file, "x.toml:2");
        assert!(e.to_string().contains("reddish"), "{e}");
    }

    #[test]
    fn missing_keys_fall_back() {
        let t = Theme::parse("mine", "agent = \"#ff0000\"\n", "mine.toml").unwrap();
        assert_eq!(t.agent.fg, Some(Color::Rgb(255, 0, 0)));
        assert_eq!(t.environment, Theme::builtin("dark").unwrap().environment);
    }
}
