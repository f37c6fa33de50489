//! The category set in use: `categories.toml` beside the journals (so a team shares it), else
//! `[categories]` in the config file, else the default set.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Result};

use crate::labels::categories::CategorySet;

/// The file a team's category set lives in, in the annotations directory.
pub const FILE: &str = "categories.toml";

/// trev's config directory (`~/.config/trev` on Linux), overridable with `TREV_CONFIG_DIR`.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("TREV_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "trev").map(|d| d.config_dir().to_path_buf())
}

/// The team's set: `categories.toml` in the annotations directory, when there is one.
pub fn in_dir(dir: &Path) -> Result<Option<CategorySet>> {
    let path = dir.join(FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => CategorySet::parse(&text, &path.display().to_string())
            .map(Some)
            .map_err(|e| anyhow!(e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anyhow!("{}: {e}", path.display())),
    }
}

/// The set for the journals in `annotations` (when given): its `categories.toml`, else the
/// config file's `[categories]`, else the default. A bad file is an error naming it.
pub fn configured(annotations: Option<&Path>) -> Result<CategorySet> {
    if let Some(set) = annotations.map(in_dir).transpose()?.flatten() {
        return Ok(set);
    }
    if let Some(path) = config_dir().map(|d| d.join("config.toml")) {
        if let Ok(text) = std::fs::read_to_string(&path) {
            let file = path.display().to_string();
            let value: toml::Table =
                toml::from_str(&text).map_err(|e| anyhow!("{file}: {}", e.message()))?;
            if let Some(table) = value.get("categories") {
                return CategorySet::from_table(table.clone(), &file).map_err(|e| anyhow!(e));
            }
        }
    }
    Ok(CategorySet::default())
}
