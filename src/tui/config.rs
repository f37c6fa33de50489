//! The config file, `<config dir>/config.toml`: theme, key overrides by action name, default
//! annotator and profile. Unknown keys are errors that name the file and the line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::action::{Action, Key, Keymap};

/// What the config file says.
#[derive(Debug, Default, Clone)]
pub struct Config {
    pub theme: Option<String>,
    pub annotator: Option<String>,
    pub profile: Option<String>,
    pub keymap: Keymap,
    /// The directory the file was read from (themes live under it).
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    theme: Option<String>,
    annotator: Option<String>,
    profile: Option<String>,
    #[serde(default)]
    keys: BTreeMap<toml::Spanned<String>, OneOrMany>,
    /// The error category set (read by `session::categories`; checked there).
    #[serde(default, rename = "categories")]
    _categories: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// An error in the config file.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub message: String,
}

/// trev's config directory (`~/.config/trev` on Linux), overridable with `TREV_CONFIG_DIR`.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("TREV_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "trev").map(|d| d.config_dir().to_path_buf())
}

impl Config {
    /// Read `<dir>/config.toml`; a missing file is the default config.
    pub fn load(dir: Option<&Path>) -> Result<Config, ConfigError> {
        let Some(dir) = dir else {
            return Ok(Config::default());
        };
        let path = dir.join("config.toml");
        let mut config = match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text, &path.display().to_string())?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
            Err(e) => {
                return Err(ConfigError {
                    file: path.display().to_string(),
                    message: e.to_string(),
                })
            }
        };
        config.dir = Some(dir.to_path_buf());
        Ok(config)
    }

    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        let at = |offset: usize| format!("{file}:{}", line_of(text, offset));
        let parsed: ConfigFile = toml::from_str(text).map_err(|e| ConfigError {
            file: e.span().map_or(file.to_string(), |s| at(s.start)),
            message: e.message().to_string(),
        })?;
        let mut keymap = Keymap::default();
        for (name, keys) in parsed.keys {
            let err = |message: String| ConfigError {
                file: at(name.span().start),
                message,
            };
            let action = Action::from_name(name.get_ref())
                .ok_or_else(|| err(format!("unknown action '{}' in [keys]", name.get_ref())))?;
            let keys = match keys {
                OneOrMany::One(k) => vec![k],
                OneOrMany::Many(ks) => ks,
            };
            let keys = keys
                .iter()
                .map(|k| Key::parse(k))
                .collect::<Result<Vec<_>, _>>()
                .map_err(err)?;
            keymap.set(action, keys);
        }
        Ok(Config {
            theme: parsed.theme,
            annotator: parsed.annotator,
            profile: parsed.profile,
            keymap,
            dir: None,
        })
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    #[test]
    fn keys_override_by_action_name() {
        let c = Config::parse(
            "theme = \"light\"\n[keys]\nquit = [\"x\", \"ctrl-q\"]\n",
            "c",
        )
        .unwrap();
        assert_eq!(c.theme.as_deref(), Some("light"));
        let x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(c.keymap.action(&x), Some(Action::Quit));
    }

    #[test]
    fn an_unknown_key_is_an_error_with_its_line() {
        let e = Config::parse("theme = \"dark\"\ncolour = 1\n", "config.toml").unwrap_err();
        assert_eq!(e.file, "config.toml:2");
        assert!(e.message.contains("colour"), "{}", e.message);
    }

    #[test]
    fn an_unknown_action_is_an_error_with_its_line() {
        let e = Config::parse("[keys]\n\nfly = \"w\"\n", "config.toml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "config.toml:3: unknown action 'fly' in [keys]"
        );
    }

    #[test]
    fn a_bad_key_is_an_error() {
        let e = Config::parse("[keys]\nquit = \"hyper-q\"\n", "c").unwrap_err();
        assert!(e.message.contains("hyper-q"));
    }
}
