//! The command line: argument definitions (clap derive), dispatch, diagnostics on stderr and
//! exit codes (0 clean, 1 something found, 2 error). `main.rs` only calls [`main`].

mod agree;
mod check;
mod estimate;
mod export;
mod label;
mod progress;
mod review;
mod rules_judge;
mod stats;

use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::diag::Diagnostic;
use crate::load::LoadOptions;
use crate::model::{Format, Task};

/// trev: review LLM-agent trajectories in the terminal.
#[derive(Debug, Parser)]
#[command(name = "trev", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find the defects the benchmarks count, per turn.
    Check(check::CheckArgs),
    /// Open the review screen (also what plain `trev FILES…` does).
    Review(review::ReviewArgs),
    /// Count trajectories and turns per file and task.
    Stats(stats::StatsArgs),
    /// Mark a turn right/wrong (or give a trajectory a verdict), or import marks, headless.
    Label(label::LabelArgs),
    /// Agreement between annotators: percent agreement, Cohen's and Fleiss' kappa,
    /// Krippendorff's alpha, confusion matrices.
    Agree(agree::AgreeArgs),
    /// Write a gold set for fine-tuning from the data, the journals and the rules.
    Export(export::ExportArgs),
}

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

fn parse_format(name: &str) -> Result<Format, String> {
    Format::parse(name).ok_or_else(|| {
        let names: Vec<_> = Format::ALL.iter().map(|f| f.as_str()).collect();
        format!("unknown format '{name}' (one of: {})", names.join(", "))
    })
}

fn parse_task(name: &str) -> Result<Task, String> {
    Task::parse(name).ok_or_else(|| {
        let names: Vec<_> = Task::ALL.iter().map(|t| t.as_str()).collect();
        format!("unknown profile '{name}' (one of: {})", names.join(", "))
    })
}

/// Exit codes (ripgrep's): 0 clean, 1 something found, 2 error.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FOUND: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

/// Parse the command line, run the command and return the exit code.
pub fn main() -> i32 {
    let cli = Cli::parse_from(with_default_command(std::env::args_os().collect()));
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Review(args) => review::run(&args),
        Command::Stats(args) => stats::run(&args),
        Command::Label(args) => label::run(&args),
        Command::Agree(args) => agree::run(&args),
        Command::Export(args) => export::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => EXIT_OK,
        Err(e) => {
            let mut stderr = io::stderr().lock();
            let _ = write!(stderr, "trev: error: {e}");
            for cause in e.chain().skip(1) {
                let _ = write!(stderr, ": {cause}");
            }
            let _ = writeln!(stderr);
            EXIT_ERROR
        }
    }
}

/// `trev FILES…` means `trev review FILES…`: insert the subcommand when the first argument is
/// neither a subcommand nor a help or version flag.
pub fn with_default_command(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    use clap::CommandFactory;
    let Some(first) = args.get(1).and_then(|a| a.to_str()) else {
        return args;
    };
    let cmd = Cli::command();
    let known = cmd
        .get_subcommands()
        .any(|s| s.get_name() == first || s.get_all_aliases().any(|a| a == first));
    let meta = matches!(first, "help" | "-h" | "--help" | "-V" | "--version");
    if !known && !meta {
        args.insert(1, "review".into());
    }
    args
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Prints input diagnostics on stderr, at most `limit` per file, then a count of the rest.
pub struct DiagnosticPrinter {
    limit: usize,
    shown_in_file: usize,
    hidden_in_file: usize,
    pub errors: u64,
    pub warnings: u64,
}

impl DiagnosticPrinter {
    pub fn new(limit: usize) -> DiagnosticPrinter {
        DiagnosticPrinter {
            limit,
            shown_in_file: 0,
            hidden_in_file: 0,
            errors: 0,
            warnings: 0,
        }
    }

    pub fn print(&mut self, d: &Diagnostic) {
        match d.level {
            crate::diag::Level::Error => self.errors += 1,
            crate::diag::Level::Warning => self.warnings += 1,
        }
        if self.shown_in_file < self.limit {
            self.shown_in_file += 1;
            let _ = writeln!(io::stderr().lock(), "{}", sanitize_line(&d.to_string()));
        } else {
            self.hidden_in_file += 1;
        }
    }

    /// Close one file's diagnostics.
    pub fn end_file(&mut self, path: &std::path::Path) {
        if self.hidden_in_file > 0 {
            let _ = writeln!(
                io::stderr().lock(),
                "{}: … and {} more diagnostics",
                path.display(),
                self.hidden_in_file
            );
        }
        self.shown_in_file = 0;
        self.hidden_in_file = 0;
    }
}

/// Make a message safe for a terminal: control characters become visible escapes.
pub fn sanitize_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn plain_files_mean_review() {
        let args = |v: &[&str]| {
            v.iter()
                .map(|s| s.into())
                .collect::<Vec<std::ffi::OsString>>()
        };
        assert_eq!(
            with_default_command(args(&["trev", "data.jsonl"])),
            args(&["trev", "review", "data.jsonl"])
        );
        assert_eq!(
            with_default_command(args(&["trev", "stats", "x"])),
            args(&["trev", "stats", "x"])
        );
        assert_eq!(
            with_default_command(args(&["trev", "--help"])),
            args(&["trev", "--help"])
        );
        let cli = Cli::try_parse_from(with_default_command(args(&[
            "trev", "--theme", "light", "x",
        ])));
        assert!(matches!(cli.unwrap().command, Command::Review(_)));
    }

    #[test]
    fn sanitize_shows_control_characters() {
        assert_eq!(
            sanitize_line("a\x1b]0;t\x07b\tc"),
            "a\\u{1b}]0;t\\u{7}b\\tc"
        );
    }
}
