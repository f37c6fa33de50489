//! User rules: a TOML file of regex rules, and settings that switch built-in rules off or
//! change their severity. Every mistake in the file is an error naming the file, the line and
//! the column, and what to fix.
//!
//! ```toml
//! [builtin]
//! "repetition/loop" = "off"        # or "error", "warn", "info"
//!
//! [[rule]]
//! id = "refusal"
//! severity = "warn"                # error | warn | info (default warn)
//! role = "agent"                   # agent | environment | instruction | system | any
//! regex = "(?i)as an ai language model"
//! task = ["os", "db"]              # optional: a profile or a list of them
//! message = "the agent refuses: {match}"
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use super::Checker;
use crate::findings::Severity;
use crate::model::{Role, Task};

/// A mistake in a rules file.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("{}: cannot read the rules file: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

/// A place in a rules file.
#[derive(Debug, Clone)]
pub struct At {
    path: Arc<Path>,
    line: usize,
    column: usize,
}

impl At {
    fn new(path: &Arc<Path>, text: &str, offset: usize) -> At {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rfind('\n')
            .map_or(before.chars().count(), |i| before[i + 1..].chars().count())
            + 1;
        At {
            path: path.clone(),
            line,
            column,
        }
    }

    /// An error at this place.
    pub fn error(&self, message: String) -> RulesError {
        RulesError::Invalid {
            path: self.path.to_path_buf(),
            line: self.line,
            column: self.column,
            message,
        }
    }
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// A regex rule from a rules file.
#[derive(Debug, Clone)]
pub struct UserRule {
    pub id: String,
    pub severity: Severity,
    /// `None`: every role.
    pub role: Option<Role>,
    pub regex: Regex,
    /// Empty: every profile.
    pub tasks: Vec<Task>,
    /// The message; `{match}` is replaced by the matched text.
    pub message: String,
    pub at: At,
}

/// The most findings one user rule reports on one turn.
const MAX_PER_TURN: usize = 100;

impl UserRule {
    /// Report the rule's matches in the turn at `turn` (one the engine's regex set found it
    /// matching); `rule` is its index in the rule list.
    pub(crate) fn check_turn(&self, cx: &mut Checker, rule: usize, turn: usize) {
        if !self.tasks.is_empty() && !self.tasks.contains(&cx.task()) {
            return;
        }
        let Some(turn) = cx.turns().get(turn) else {
            return;
        };
        if turn.demo || self.role.is_some_and(|r| r != turn.role) {
            return;
        }
        let matches = self.regex.find_iter(&turn.text).filter(|m| !m.is_empty());
        for m in matches.take(MAX_PER_TURN) {
            let message = self.message.replace("{match}", &super::quote(m.as_str()));
            cx.report_rule(rule, None, turn.index, (m.start(), m.end()), message);
        }
    }
}

/// A parsed rules file.
#[derive(Debug, Clone, Default)]
pub struct RulesFile {
    /// Built-in rule settings: `None` switches the rule off.
    pub builtin: Vec<(String, Option<Severity>, At)>,
    pub rules: Vec<UserRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    builtin: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    #[serde(default)]
    severity: Option<Spanned<String>>,
    #[serde(default)]
    role: Option<Spanned<String>>,
    regex: Spanned<String>,
    #[serde(default)]
    task: Option<Spanned<OneOrMany>>,
    message: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl RulesFile {
    /// Read and check a rules file.
    pub fn read(path: &Path) -> Result<RulesFile, RulesError> {
        let text = std::fs::read_to_string(path).map_err(|source| RulesError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        RulesFile::parse(path, &text)
    }

    /// Check the text of a rules file; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<RulesFile, RulesError> {
        let path: Arc<Path> = Arc::from(path);
        let at = |span: Range<usize>| At::new(&path, text, span.start);
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let place = at(e.span().unwrap_or(0..0));
            place.error(e.message().trim_end().to_string())
        })?;
        let mut file = RulesFile::default();
        for (id, value) in raw.builtin {
            let setting = match value.get_ref().as_str() {
                "off" => None,
                s => Some(Severity::parse(s).ok_or_else(|| {
                    at(value.span()).error(format!(
                        "'{s}' is not a setting for a built-in rule: use \"off\", \"error\", \"warn\" or \"info\""
                    ))
                })?),
            };
            let place = at(id.span());
            file.builtin.push((id.into_inner(), setting, place));
        }
        let mut seen: Vec<String> = Vec::new();
        for r in raw.rule {
            let place = at(r.id.span());
            let id = r.id.get_ref().trim().to_string();
            if id.is_empty() || id.chars().any(char::is_whitespace) {
                return Err(place.error("a rule id must be non-empty and without spaces".into()));
            }
            if seen.contains(&id) {
                return Err(place.error(format!("rule id '{id}' is defined twice in this file")));
            }
            seen.push(id.clone());
            let severity = match &r.severity {
                None => Severity::Warn,
                Some(s) => Severity::parse(s.get_ref()).ok_or_else(|| {
                    at(s.span()).error(format!(
                        "unknown severity '{}': use \"error\", \"warn\" or \"info\"",
                        s.get_ref()
                    ))
                })?,
            };
            let role = match r.role.as_ref().map(|s| (s.get_ref().as_str(), s.span())) {
                None | Some(("any", _)) => None,
                Some((name, span)) => Some(
                    Role::ALL
                        .into_iter()
                        .find(|role| role.as_str() == name)
                        .ok_or_else(|| {
                            at(span).error(format!(
                                "unknown role '{name}': use agent, environment, instruction, system or any"
                            ))
                        })?,
                ),
            };
            let regex = Regex::new(r.regex.get_ref()).map_err(|e| {
                let text = e.to_string();
                let detail = text.lines().last().unwrap_or("").trim();
                let detail = detail.strip_prefix("error: ").unwrap_or(detail);
                at(r.regex.span()).error(format!("invalid regex: {detail}"))
            })?;
            let mut tasks = Vec::new();
            if let Some(t) = &r.task {
                let names: Vec<&str> = match t.get_ref() {
                    OneOrMany::One(s) => vec![s.as_str()],
                    OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
                };
                for name in names {
                    tasks.push(Task::parse(name).ok_or_else(|| {
                        let all: Vec<&str> = Task::ALL.iter().map(|t| t.as_str()).collect();
                        at(t.span()).error(format!(
                            "unknown task '{name}' (one of: {})",
                            all.join(", ")
                        ))
                    })?);
                }
            }
            file.rules.push(UserRule {
                id,
                severity,
                role,
                regex,
                tasks,
                message: r.message,
                at: place,
            });
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::RuleSet;
    use super::*;

    fn parse(text: &str) -> Result<RulesFile, RulesError> {
        RulesFile::parse(Path::new("rules.toml"), text)
    }

    #[test]
    fn a_user_rule_reports_its_matches() {
        let file = parse(
            "[builtin]\n\"empty-turn\" = \"off\"\n\"context/truncated\" = \"error\"\n\n[[rule]]\nid = \"refusal\"\nrole = \"agent\"\nregex = \"(?i)as an ai\"\ntask = \"generic\"\nmessage = \"refuses: {match}\"\n",
        )
        .unwrap();
        let set = RuleSet::builtin().with_user_rules(file).unwrap();
        let t = traj(
            Task::Generic,
            &[(I, "as an AI"), (A, "Well, As an AI I can't."), (A, " ")],
        );
        let f = set.check(&t);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(&*f[0].rule, "refusal");
        assert_eq!(f[0].severity, Severity::Warn);
        assert_eq!(spanned(&t, &f[0]), "As an AI");
        assert_eq!(f[0].message, "refuses: As an AI");
        let info = set
            .rules()
            .iter()
            .find(|r| &*r.id == "context/truncated")
            .unwrap();
        assert_eq!(info.severity, Severity::Error);
    }

    #[test]
    fn builtin_settings_take_families() {
        let file =
            parse("[builtin]\n\"repetition\" = \"off\"\n\"final-answer/\" = \"info\"\n").unwrap();
        let set = RuleSet::builtin().with_user_rules(file).unwrap();
        for r in set.rules() {
            if r.id.starts_with("repetition/") {
                assert!(!r.enabled, "{}", r.id);
            }
            if r.id.starts_with("final-answer/") {
                assert_eq!(r.severity, Severity::Info);
            }
        }
        assert!(set
            .rules()
            .iter()
            .any(|r| &*r.id == "empty-turn" && r.enabled));
    }

    #[test]
    fn mistakes_name_the_line_and_what_to_fix() {
        let cases = [
            (
                "[[rule]]\nid = \"x\"\nregex = \"(\"\nmessage = \"m\"\n",
                "rules.toml:3:9: invalid regex",
            ),
            (
                "[[rule]]\nid = \"x\"\nregex = \"a\"\nmessage = \"m\"\ncolour = 1\n",
                "rules.toml:5:1: unknown field `colour`",
            ),
            (
                "[builtin]\n\"empty-turn\" = \"loud\"\n",
                "rules.toml:2:16: 'loud' is not a setting",
            ),
            (
                "[[rule]]\nid = \"x\"\nregex = \"a\"\nseverity = \"fatal\"\nmessage = \"m\"\n",
                "rules.toml:4:12: unknown severity 'fatal'",
            ),
            (
                "[[rule]]\nid = \"x\"\nregex = \"a\"\ntask = [\"moon\"]\nmessage = \"m\"\n",
                "rules.toml:4:8: unknown task 'moon'",
            ),
            (
                "[[rule]]\nid = \"x\"\n",
                "rules.toml:1:1: missing field `regex`",
            ),
        ];
        for (text, want) in cases {
            let got = parse(text).unwrap_err().to_string();
            assert!(got.starts_with(want), "{got} != {want}");
        }
        let unknown = parse("[builtin]\n\"nope\" = \"off\"\n").unwrap();
        let e = RuleSet::builtin()
            .with_user_rules(unknown)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("rules.toml:2:1: unknown built-in rule 'nope'"),
            "{e}"
        );
    }
}
