//! Error categories: why a turn is wrong. The default set is grounded in the published
//! taxonomies (AgentBench's statuses; MAST, arXiv 2503.13657; TRAIL, arXiv 2505.08638; the
//! AgentErrorTaxonomy, arXiv 2509.25370); a team replaces it with `categories.toml` beside the
//! journals (or `[categories]` in the config file). Each set has a name and a version, and a
//! line that carries a category records them as `NAME@VERSION`.

use serde::Deserialize;

/// One category.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub name: String,
    /// One line on when to use it.
    #[serde(default)]
    pub help: String,
    /// Not the agent's fault (a tool or infrastructure error): left out of the agent's defect
    /// rate.
    #[serde(default)]
    pub environment: bool,
}

/// A named, versioned list of categories (their order is the order of the digit keys).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategorySet {
    #[serde(default = "custom")]
    pub name: String,
    pub version: u32,
    #[serde(rename = "category")]
    pub categories: Vec<Category>,
}

fn custom() -> String {
    "custom".to_string()
}

const DEFAULT: &[(&str, &str, bool)] = &[
    (
        "format-error",
        "cannot be parsed under the action protocol",
        false,
    ),
    (
        "invalid-action",
        "parses, but an illegal action, unknown tool or bad arguments",
        false,
    ),
    (
        "repetition-loop",
        "repeats an equivalent action without new information",
        false,
    ),
    (
        "spec-violation",
        "ignores the task's instructions or constraints",
        false,
    ),
    (
        "hallucination",
        "claims facts, tool results or values not in the context",
        false,
    ),
    (
        "observation-misuse",
        "misreads or ignores the environment's feedback",
        false,
    ),
    (
        "plan-error",
        "a wrong or impossible strategy, goal drift",
        false,
    ),
    (
        "reasoning-action-mismatch",
        "the thought and the action disagree",
        false,
    ),
    (
        "termination-error",
        "stops early, claims success unchecked, no final answer",
        false,
    ),
    (
        "environment-fault",
        "not the agent's fault: tool or infrastructure error, timeout, limits",
        true,
    ),
];

impl Default for CategorySet {
    fn default() -> CategorySet {
        CategorySet {
            name: "default".to_string(),
            version: 1,
            categories: DEFAULT
                .iter()
                .map(|&(name, help, environment)| Category {
                    name: name.to_string(),
                    help: help.to_string(),
                    environment,
                })
                .collect(),
        }
    }
}

impl CategorySet {
    /// Read a set from TOML text (`name`, `version`, `[[category]]` tables with `name`,
    /// `help`, `environment`); `file` names the source in errors.
    pub fn parse(text: &str, file: &str) -> Result<CategorySet, String> {
        let set: CategorySet = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            match line {
                Some(l) => format!("{file}:{l}: {}", e.message()),
                None => format!("{file}: {}", e.message()),
            }
        })?;
        set.check().map_err(|m| format!("{file}: {m}"))?;
        Ok(set)
    }

    /// Read a set from a TOML table (the config file's `[categories]`).
    pub fn from_table(table: toml::Value, file: &str) -> Result<CategorySet, String> {
        let set: CategorySet = table
            .try_into()
            .map_err(|e: toml::de::Error| format!("{file}: [categories]: {}", e.message()))?;
        set.check()
            .map_err(|m| format!("{file}: [categories]: {m}"))?;
        Ok(set)
    }

    fn check(&self) -> Result<(), String> {
        if self.categories.is_empty() {
            return Err("the category set is empty".into());
        }
        for (i, c) in self.categories.iter().enumerate() {
            let ok = !c.name.is_empty()
                && c.name
                    .chars()
                    .all(|ch| ch.is_alphanumeric() || matches!(ch, '-' | '_' | '.'));
            if !ok {
                return Err(format!(
                    "category '{}': a name is letters, digits, '-', '_' or '.'",
                    c.name
                ));
            }
            if self.categories[..i].iter().any(|o| o.name == c.name) {
                return Err(format!("category '{}' is listed twice", c.name));
            }
        }
        if self.name.is_empty() || self.name.contains('@') {
            return Err("the set's name must be non-empty, without '@'".into());
        }
        Ok(())
    }

    /// `NAME@VERSION`, recorded on every line that carries a category.
    pub fn tag(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }

    /// The names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.categories.iter().map(|c| c.name.as_str()).collect()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.categories.iter().any(|c| c.name == name)
    }

    pub fn get(&self, name: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.name == name)
    }

    /// The category of digit key `digit` (`1`…`9` are the first nine, `0` the tenth).
    pub fn by_digit(&self, digit: u8) -> Option<&Category> {
        let i = if digit == 0 {
            9
        } else {
            usize::from(digit) - 1
        };
        self.categories.get(i)
    }

    /// The digit key of a category, when it has one.
    pub fn digit(&self, name: &str) -> Option<u8> {
        let i = self.categories.iter().position(|c| c.name == name)?;
        match i {
            0..=8 => Some(i as u8 + 1),
            9 => Some(0),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_set_has_the_ten_published_categories_in_digit_order() {
        let set = CategorySet::default();
        assert_eq!(set.tag(), "default@1");
        assert_eq!(set.categories.len(), 10);
        assert_eq!(set.by_digit(1).unwrap().name, "format-error");
        assert_eq!(set.by_digit(0).unwrap().name, "environment-fault");
        assert!(set.get("environment-fault").unwrap().environment);
        assert_eq!(set.digit("repetition-loop"), Some(3));
    }

    #[test]
    fn a_team_set_reads_from_toml_and_errors_name_the_line() {
        let text =
            "name = \"acme\"\nversion = 3\n[[category]]\nname = \"tool-misuse\"\nhelp = \"x\"\n";
        let set = CategorySet::parse(text, "categories.toml").unwrap();
        assert_eq!(set.tag(), "acme@3");
        assert_eq!(set.names(), ["tool-misuse"]);
        let err =
            CategorySet::parse("version = 1\n[[category]]\nnam = \"x\"\n", "c.toml").unwrap_err();
        assert!(err.starts_with("c.toml:"), "{err}");
        let err = CategorySet::parse("version = 1\ncategory = []\n", "c.toml").unwrap_err();
        assert!(err.contains("empty"), "{err}");
    }
}
