//! The command line: argument definitions (clap derive), dispatch, diagnostics on stderr and
//! exit codes (0 clean, 1 something found, 2 error). `main.rs` only calls [`main`]. Every
//! human-mode message shows its data, paths and errors through [`crate::sanitize::line()`].

mod adjudicate;
mod agree;
mod args;
mod args_policy;
mod check;
mod compare;
mod completions;
mod diag;
mod export;
mod label;
mod man;
mod output;
mod report;
mod review;
mod stats;

use std::io::{self, Write};

use clap::{ColorChoice, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::sanitize::{self, line};

/// trev: review LLM-agent trajectories in the terminal.
#[derive(Debug, Parser)]
#[command(name = "trev", version, about, propagate_version = true)]
pub struct Cli {
    /// When to print colour: auto (when stdout is a terminal and NO_COLOR is unset), always,
    /// never. Also for the review screen (`never` picks the monochrome theme) and for this help.
    #[arg(long, global = true, value_name = "WHEN", value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find the defects the benchmarks count, per turn.
    Check(check::CheckArgs),
    /// Open the review screen (also what plain `trev FILES…` does).
    Review(args::ReviewArgs),
    /// Count trajectories and turns per file and task.
    Stats(stats::StatsArgs),
    /// Mark a turn right/wrong (or give a trajectory a verdict), or import marks, headless.
    Label(label::LabelArgs),
    /// Agreement between annotators: percent agreement, Cohen's and Fleiss' kappa,
    /// Krippendorff's alpha, confusion matrices.
    Agree(agree::AgreeArgs),
    /// Settle annotators' disagreements one by one into gold labels (the review screen in
    /// adjudication mode; `--list` prints the queue).
    Adjudicate(adjudicate::AdjudicateArgs),
    /// Compare two runs of the same tasks, paired by task, step by step: outcomes (McNemar's
    /// exact test), findings per 100 agent turns, where the runs part.
    Compare(compare::CompareArgs),
    /// Write a gold set for fine-tuning from the data, the journals and the rules.
    Export(export::ExportArgs),
    /// Write the error-analysis report: dataset, findings per task and rule, the filter
    /// funnel and, with journals, marks and agreement — as HTML, SVG, Markdown or JSON.
    Report(report::ReportArgs),
    /// Print a completion script for bash, zsh or fish.
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff).
    Man(man::ManArgs),
}

/// Exit codes (ripgrep's): 0 clean, 1 something found, 2 error.
pub const EXIT_OK: i32 = 0;
pub const EXIT_FOUND: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

/// Parse the command line, run the command and return the exit code.
pub fn main() -> i32 {
    let args = with_default_command(std::env::args_os().collect());
    let parsed = Cli::command()
        .color(color_arg(&args))
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e, &args),
    };
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Review(args) => review::run(&args, cli.color),
        Command::Stats(args) => stats::run(&args),
        Command::Label(args) => label::run(&args),
        Command::Agree(args) => agree::run(&args),
        Command::Export(args) => export::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Adjudicate(args) if args.list => adjudicate::run(&args),
        Command::Adjudicate(args) => review::run_in(
            &args.review,
            cli.color,
            crate::tui::Start::Adjudicate {
                hide_names: args.hide_names,
            },
        ),
        Command::Compare(args) => compare::run(&args, cli.color),
        Command::Completions(args) => completions::run(&args, Cli::command()),
        Command::Man(args) => man::run(&args, Cli::command()),
    };
    match result {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => EXIT_OK,
        Err(e) => {
            let mut stderr = io::stderr().lock();
            let _ = write!(stderr, "trev: error: {}", line(&e));
            for cause in e.chain().skip(1) {
                let _ = write!(stderr, ": {}", line(cause));
            }
            let _ = writeln!(stderr);
            EXIT_ERROR
        }
    }
}

/// The `--color` of the command line before clap parses it, so that clap's own help and
/// errors follow it (the last one wins, as clap reads it; `auto` when absent or not valid).
fn color_arg(args: &[std::ffi::OsString]) -> ColorChoice {
    let mut choice = ColorChoice::Auto;
    let mut args = args.iter().skip(1).map(|a| a.to_str().unwrap_or(""));
    while let Some(a) = args.next() {
        let value = match a {
            "--" => break,
            "--color" => args.next().unwrap_or(""),
            _ => a.strip_prefix("--color=").unwrap_or_default(),
        };
        match value {
            "always" => choice = ColorChoice::Always,
            "never" => choice = ColorChoice::Never,
            "auto" => choice = ColorChoice::Auto,
            _ => {}
        }
    }
    choice
}

/// Print clap's message (a bad argument, or help and version) and return its exit code. clap
/// quotes arguments in its messages: when one holds a character [`sanitize::line()`] would
/// replace, the message is rendered again without styles, each such argument (and the value
/// of an `--option=value`) is replaced by what `line` shows of it, and the message is printed
/// line by line through `line`.
fn usage_error(e: &clap::Error, args: &[std::ffi::OsString]) -> i32 {
    let mut quoted: Vec<String> = Vec::new();
    for a in args.iter().map(|a| a.to_string_lossy()) {
        if let Some((_, value)) = a.split_once('=').filter(|_| a.starts_with('-')) {
            quoted.push(value.to_string());
        }
        quoted.push(a.into_owned());
    }
    quoted.retain(|a| !sanitize::is_safe_line(a));
    if quoted.is_empty() {
        let _ = e.print();
        return e.exit_code();
    }
    let plain = Cli::command()
        .styles(clap::builder::Styles::plain())
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let mut text = match plain {
        Err(plain) => plain.render().ansi().to_string(),
        Ok(_) => e.render().to_string(),
    };
    quoted.sort_by_key(|a| std::cmp::Reverse(a.len()));
    for a in &quoted {
        text = text.replace(a.as_str(), &line(a).to_string());
    }
    let _ = if e.use_stderr() {
        write_lines(&mut io::stderr().lock(), &text)
    } else {
        write_lines(&mut io::stdout().lock(), &text)
    };
    e.exit_code()
}

fn write_lines(out: &mut impl Write, text: &str) -> io::Result<()> {
    for l in text.lines() {
        writeln!(out, "{}", line(l))?;
    }
    out.flush()
}

/// `trev FILES…` means `trev review FILES…`: insert the subcommand when the first argument is
/// neither a subcommand nor a help or version flag.
pub fn with_default_command(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    // Global options before the subcommand (`trev --color never stats …`) are passed over.
    let mut i = 1;
    loop {
        match args.get(i).and_then(|a| a.to_str()) {
            Some("--color") => i += 2,
            Some(a) if a.starts_with("--color=") => i += 1,
            _ => break,
        }
    }
    let Some(first) = args.get(i).and_then(|a| a.to_str()) else {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
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
            with_default_command(args(&["trev", "completions", "bash"])),
            args(&["trev", "completions", "bash"])
        );
        assert_eq!(
            with_default_command(args(&["trev", "--help"])),
            args(&["trev", "--help"])
        );
        assert_eq!(
            with_default_command(args(&["trev", "--color", "never", "stats", "x"])),
            args(&["trev", "--color", "never", "stats", "x"])
        );
        assert_eq!(
            with_default_command(args(&["trev", "--color=never", "x"])),
            args(&["trev", "review", "--color=never", "x"])
        );
        let cli = Cli::try_parse_from(with_default_command(args(&[
            "trev", "--theme", "light", "x",
        ])));
        assert!(matches!(cli.unwrap().command, Command::Review(_)));
    }
}
