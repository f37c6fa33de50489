//! The arguments several commands share: how to read the input files, and the sample to work
//! on.

use std::path::PathBuf;

use clap::Args;

use crate::load::LoadOptions;
use crate::model::{Format, Task};

/// How to read the input files (shared by every command that reads trajectories).
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Trajectory files or directories (walked recursively; .json, .jsonl, .traj, and .gz of
    /// each).
    #[arg(required = true, value_name = "FILES")]
    pub files: Vec<PathBuf>,

    /// Read every record as this format instead of detecting it.
    #[arg(long, value_name = "NAME", value_parser = parse_format)]
    pub format: Option<Format>,

    /// Use this task profile for every trajectory instead of detecting it.
    #[arg(long, value_name = "TASK", value_parser = parse_task)]
    pub profile: Option<Task>,

    /// Exit with status 2 on any error in the input, not only when nothing loads.
    #[arg(long)]
    pub strict: bool,
}

impl InputArgs {
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions {
            format: self.format,
            profile: self.profile,
        }
    }
}

/// The review screen's arguments (`trev review`, and `trev adjudicate`, which opens it).
#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Colour theme: dark, light, high-contrast, or a NAME.toml in the config dir's themes/.
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,

    /// A rules file for the findings shown (as for `trev check`).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<std::path::PathBuf>,

    /// Whose marks these are (else the config file's `annotator`, else the screen asks).
    #[arg(long, value_name = "NAME")]
    pub annotator: Option<String>,

    /// Where the journals are kept (default: the user's data directory).
    #[arg(long, value_name = "DIR")]
    pub annotations: Option<std::path::PathBuf>,

    #[command(flatten)]
    pub sample: SampleArgs,

    /// Verify a judge: draw N agent turns, half among those JUDGE (`--by`) labelled right and
    /// half among those it labelled wrong (one of each from a trajectory where it can), record
    /// them beside the journals, and review them blind: each turn with only the turns before
    /// it, and the judge's marks hidden. A turn sample recorded in the annotations directory is
    /// reviewed blind without this option.
    #[arg(long, value_name = "N", requires = "by", conflicts_with_all = ["sample", "per_task"])]
    pub sample_turns: Option<usize>,

    /// With --sample-turns: the judge whose labels the turns are drawn by (the annotator NAME
    /// of its journal, e.g. imported with `trev label --import`).
    #[arg(long, value_name = "JUDGE", requires = "sample_turns")]
    pub by: Option<String>,
}

/// How a screen opens: its theme, whose marks, where the journals are (compare).
#[derive(Debug, Clone, Args)]
pub struct ScreenArgs {
    /// Colour theme: dark, light, high-contrast, or a NAME.toml in the config dir's themes/.
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,

    /// Whose marks these are (else the config file's `annotator`, else the screen asks).
    #[arg(long, value_name = "NAME")]
    pub annotator: Option<String>,

    /// Where the journals are kept (default: the user's data directory).
    #[arg(long, value_name = "DIR")]
    pub annotations: Option<PathBuf>,
}

/// Restrict a session to a reproducible random sample of the trajectories.
#[derive(Debug, Clone, Args)]
pub struct SampleArgs {
    /// Work on a random sample of N trajectories (the same seed gives the same sample on any
    /// machine).
    #[arg(long, value_name = "N")]
    pub sample: Option<usize>,

    /// Seed of the sample.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,

    /// Sample each task in proportion to its size (`task` is the only stratum).
    #[arg(long, value_name = "BY", value_parser = ["task"], requires = "sample")]
    pub stratify: Option<String>,

    /// Sample N trajectories of each task instead.
    #[arg(long, value_name = "N", conflicts_with_all = ["sample", "stratify"])]
    pub per_task: Option<usize>,
}

impl SampleArgs {
    pub fn spec(&self) -> Option<crate::sample::SampleSpec> {
        if self.sample.is_none() && self.per_task.is_none() {
            return None;
        }
        Some(crate::sample::SampleSpec {
            size: self.sample.unwrap_or(0),
            seed: self.seed,
            stratify: self.stratify.is_some(),
            per_task: self.per_task,
        })
    }
}

pub fn parse_format(name: &str) -> Result<Format, String> {
    Format::parse(name).ok_or_else(|| {
        let names: Vec<_> = Format::ALL.iter().map(|f| f.as_str()).collect();
        format!("unknown format '{name}' (one of: {})", names.join(", "))
    })
}

pub fn parse_task(name: &str) -> Result<Task, String> {
    Task::parse(name).ok_or_else(|| {
        let names: Vec<_> = Task::ALL.iter().map(|t| t.as_str()).collect();
        format!("unknown profile '{name}' (one of: {})", names.join(", "))
    })
}
