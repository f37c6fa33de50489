//! The rules a command runs: the built-in rules, then `rules.toml` of trev's config directory
//! when it exists, then a rules file given on the command line; `--only`/`--skip` last.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::rules::RuleSet;

/// The default rules file: `rules.toml` in trev's config directory.
pub fn default_file() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "trev").map(|d| d.config_dir().join("rules.toml"))
}

/// The rules every command runs: built in, then the default rules file when it exists, then
/// `extra` (a `--rules FILE`).
pub fn configured(extra: Option<&Path>) -> Result<RuleSet> {
    let mut set = RuleSet::builtin();
    if let Some(path) = default_file().filter(|p| p.is_file()) {
        set = set.with_rules_file(&path)?;
    }
    if let Some(path) = extra {
        set = set.with_rules_file(path)?;
    }
    Ok(set)
}

/// The configured rules restricted to `only` and without `skip` (ids or families).
pub fn selected(extra: Option<&Path>, only: &[String], skip: &[String]) -> Result<RuleSet> {
    let mut set = configured(extra)?;
    set.select(only, skip)?;
    Ok(set)
}
