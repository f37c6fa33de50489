//! `trev check`: run the rules over every trajectory, print a task × rule table and the
//! findings (or JSON Lines with `--json`), and exit 1 when a finding reaches `--fail-on`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use serde_json::json;

use super::{DiagnosticPrinter, InputArgs, EXIT_ERROR, EXIT_FOUND, EXIT_OK};
use crate::findings::{Finding, Severity};
use crate::load::Dataset;
use crate::model::{Task, Trajectory};
use crate::rules::{text, RuleSet};
use crate::scan::{self, Event};

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// A TOML file of user rules and built-in rule settings (read after the default
    /// rules.toml of the config directory, when that exists).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// Run only these rules (ids or families such as `invalid-action`; repeat or separate
    /// with commas).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub only: Vec<String>,

    /// Do not run these rules (ids or families; repeat or separate with commas).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub skip: Vec<String>,

    /// Print JSON Lines: one object per finding, then a summary.
    #[arg(long)]
    pub json: bool,

    /// Exit with status 1 when a finding is at least this severe.
    #[arg(long, value_name = "LEVEL", default_value = "error", value_parser = parse_fail_on)]
    pub fail_on: FailOn,

    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,

    #[command(flatten)]
    pub sample: super::SampleArgs,

    /// With --sample: record the sample in this annotations directory.
    #[arg(long, value_name = "DIR", requires = "sample")]
    pub annotations: Option<PathBuf>,
}

/// The least severity that makes `trev check` exit 1; `never` keeps it at 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailOn(pub Option<Severity>);

fn parse_fail_on(name: &str) -> Result<FailOn, String> {
    match name {
        "never" => Ok(FailOn(None)),
        _ => Severity::parse(name)
            .map(|s| FailOn(Some(s)))
            .ok_or_else(|| format!("unknown level '{name}' (one of: error, warn, info, never)")),
    }
}

/// The default rules file: `rules.toml` in trev's config directory.
pub fn default_rules_file() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "trev").map(|d| d.config_dir().join("rules.toml"))
}

/// The rules every command runs: built in, then the default rules file of the config
/// directory when it exists, then `extra` (a `--rules FILE`).
pub(super) fn configured_rules(extra: Option<&std::path::Path>) -> Result<RuleSet> {
    let mut set = RuleSet::builtin();
    if let Some(path) = default_rules_file().filter(|p| p.is_file()) {
        set = set.with_rules_file(&path)?;
    }
    if let Some(path) = extra {
        set = set.with_rules_file(path)?;
    }
    Ok(set)
}

/// The rules to run: the configured ones, then `--only`/`--skip`.
fn ruleset(args: &CheckArgs) -> Result<RuleSet> {
    let mut set = configured_rules(args.rules.as_deref())?;
    set.select(&args.only, &args.skip)?;
    Ok(set)
}

/// What a worker hands back for one trajectory: its task, the rule (an index into the rule
/// set) and severity of each finding, and the findings already written out, JSON Lines or
/// human lines. The ordered part of the scan, on one thread, only counts and copies.
struct Checked {
    task: Task,
    found: Vec<(usize, Severity)>,
    lines: Vec<u8>,
}

impl Checked {
    fn of(t: &Trajectory, set: &RuleSet, json: bool) -> Checked {
        let findings = set.check_indexed(t);
        let mut checked = Checked {
            task: t.task,
            found: Vec::with_capacity(findings.len()),
            lines: Vec::new(),
        };
        if findings.is_empty() {
            return checked;
        }
        let file = t.source.file.display().to_string();
        let prefix = if json {
            json_prefix(&file, t)
        } else {
            Vec::new()
        };
        // A guess at the lines' size: the file or the JSON prefix, then a message and an
        // excerpt of up to 120 characters (more with escapes). Most trajectories' lines then
        // fit without being copied as they grow.
        checked
            .lines
            .reserve(findings.len() * (prefix.len().max(file.len()) + 512));
        for (rule, finding) in &findings {
            checked.found.push((*rule, finding.severity));
            let excerpt = excerpt(t, finding);
            if json {
                write_json(&mut checked.lines, &prefix, finding, &excerpt);
            } else {
                write_human(&mut checked.lines, &file, t, finding, &excerpt)
                    .expect("writing to memory");
            }
        }
        checked
    }
}

/// A short excerpt of the finding's turn around its span; for a tool-call turn without text,
/// the calls.
fn excerpt(t: &Trajectory, finding: &Finding) -> String {
    let turn = &t.turns[finding.turn];
    if turn.text.trim().is_empty() && !turn.tool_calls.is_empty() {
        let calls: Vec<String> = turn
            .tool_calls
            .iter()
            .map(|c| format!("{}({})", c.name, c.arguments.trim()))
            .collect();
        text::excerpt(&calls.join("; "), (0, 0), 0, 120)
    } else {
        text::excerpt(&turn.text, finding.span, 24, 120)
    }
}

/// A finding line as a serde struct: the reference [`write_json`] is tested against.
#[cfg(test)]
#[derive(serde::Serialize)]
struct FindingLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    file: &'a str,
    record: usize,
    trajectory: &'a str,
    task: Task,
    turn: usize,
    rule: &'a str,
    severity: Severity,
    span: [usize; 2],
    message: &'a str,
    excerpt: &'a str,
}

/// Counts per task and per (task, rule), the rules named by their ids in the rule set.
/// Findings are counted by index as they come; [`Tally::settle`] names them for the report.
#[derive(Default)]
struct Tally<'a> {
    files: u64,
    skipped: u64,
    /// task → (trajectories, affected, findings)
    tasks: BTreeMap<Task, [u64; 3]>,
    /// (task, rule) → (trajectories affected, findings)
    cells: BTreeMap<(Task, &'a str), [u64; 2]>,
    /// rule → severity of its findings (the highest seen)
    severities: BTreeMap<&'a str, Severity>,
    by_severity: BTreeMap<Severity, u64>,
    worst: Option<Severity>,
    /// (task, rule index) → (trajectories affected, findings), at `task * rules + rule`.
    counts: Vec<[u64; 2]>,
    /// Per rule index: the highest severity of its findings.
    highest: Vec<Option<Severity>>,
}

impl<'a> Tally<'a> {
    fn add(&mut self, c: &Checked, set: &'a RuleSet) {
        let t = self.tasks.entry(c.task).or_default();
        t[0] += 1;
        t[1] += u64::from(!c.found.is_empty());
        t[2] += c.found.len() as u64;
        if c.found.is_empty() {
            return;
        }
        let rules = set.rules().len();
        if self.counts.is_empty() {
            self.counts = vec![[0; 2]; Task::ALL.len() * rules];
            self.highest = vec![None; rules];
        }
        let row = c.task as usize * rules;
        // The distinct rules of this trajectory (a few, however many findings).
        let mut seen: Vec<usize> = Vec::new();
        for &(rule, severity) in &c.found {
            let cell = &mut self.counts[row + rule];
            cell[1] += 1;
            if !seen.contains(&rule) {
                seen.push(rule);
                cell[0] += 1;
            }
            self.highest[rule] = self.highest[rule].max(Some(severity));
            *self.by_severity.entry(severity).or_default() += 1;
            self.worst = self.worst.max(Some(severity));
        }
    }

    /// Name the counts by rule id, for the report.
    fn settle(&mut self, set: &'a RuleSet) {
        let rules = set.rules();
        for task in Task::ALL {
            for (rule, info) in rules.iter().enumerate() {
                let cell = self
                    .counts
                    .get(task as usize * rules.len() + rule)
                    .copied()
                    .unwrap_or_default();
                if cell[1] > 0 {
                    self.cells.insert((task, &*info.id), cell);
                }
            }
        }
        for (info, highest) in rules.iter().zip(&self.highest) {
            if let Some(severity) = highest {
                self.severities.insert(&*info.id, *severity);
            }
        }
    }

    fn trajectories(&self) -> u64 {
        self.tasks.values().map(|t| t[0]).sum()
    }

    fn findings(&self) -> u64 {
        self.tasks.values().map(|t| t[2]).sum()
    }
}

pub fn run(args: &CheckArgs) -> Result<i32> {
    let set = ruleset(args)?;
    let stdout = io::stdout().lock();
    // Findings can run to hundreds of megabytes: write them in large pieces.
    let mut out = BufWriter::with_capacity(1 << 18, stdout);
    // Human output prints the table first: findings wait in a temporary file meanwhile, so
    // memory stays flat whatever the number of findings.
    let mut spill = if args.json {
        None
    } else {
        Some(BufWriter::new(
            tempfile::tempfile().context("cannot create a temporary file")?,
        ))
    };
    let mut printer = DiagnosticPrinter::new(20);
    let mut tally = Tally::default();
    let workers = args.threads.unwrap_or_else(scan::default_workers);
    let json = args.json;
    let map = |result: Result<crate::load::Loaded, crate::diag::Diagnostic>| {
        result.map(|(t, warnings)| (Checked::of(&t, &set, json), warnings))
    };
    type Mapped = Result<(Checked, Vec<crate::diag::Diagnostic>), crate::diag::Diagnostic>;
    let sink = |event: Event<Mapped>| -> io::Result<()> {
        match event {
            Event::FileStart(_) => tally.files += 1,
            Event::Record(Ok((checked, warnings))) => {
                warnings.iter().for_each(|w| printer.print(w));
                tally.add(&checked, &set);
                match spill.as_mut() {
                    Some(spill) => spill.write_all(&checked.lines)?,
                    None => out.write_all(&checked.lines)?,
                }
            }
            Event::Record(Err(diagnostic)) => {
                tally.skipped += 1;
                printer.print(&diagnostic);
            }
            Event::FileEnd(end) => {
                end.diagnostics.iter().for_each(|d| printer.print(d));
                printer.end_file(&end.path);
            }
        }
        Ok(())
    };
    match args.sample.spec() {
        None => scan::scan(
            &args.input.files,
            args.input.load_options(),
            workers,
            map,
            sink,
        )?,
        Some(spec) => {
            let data = Dataset::open(&args.input.files, args.input.load_options())?;
            let selected = super::estimate::draw(&data, &spec, args.annotations.as_deref())?;
            scan::scan_selected(&data, &selected, map, sink)?;
        }
    }
    tally.settle(&set);
    if args.json {
        write_summary(&mut out, &tally)?;
    } else {
        write_table(&mut out, &tally)?;
        if let Some(spill) = spill {
            let mut spill: File = spill.into_inner().map_err(|e| e.into_error())?;
            spill.rewind()?;
            if tally.findings() > 0 {
                writeln!(out)?;
            }
            io::copy(&mut spill, &mut out)?;
        }
    }
    out.flush()?;
    if tally.trajectories() == 0 {
        let _ = writeln!(io::stderr(), "trev: error: no trajectory could be loaded");
        return Ok(EXIT_ERROR);
    }
    if args.input.strict && printer.errors > 0 {
        return Ok(EXIT_ERROR);
    }
    match (args.fail_on.0, tally.worst) {
        (Some(level), Some(worst)) if worst >= level => Ok(EXIT_FOUND),
        _ => Ok(EXIT_OK),
    }
}

/// The start of every finding line of a trajectory: `{"type":"finding","file":…,"record":…,
/// "trajectory":…,"task":…,"turn":` (see [`write_json`]).
fn json_prefix(file: &str, t: &Trajectory) -> Vec<u8> {
    let mut out = br#"{"type":"finding","file":"#.to_vec();
    json_string(&mut out, file);
    out.extend_from_slice(br#","record":"#);
    out.extend_from_slice(itoa::Buffer::new().format(t.source.record).as_bytes());
    out.extend_from_slice(br#","trajectory":"#);
    json_string(&mut out, &t.id);
    out.extend_from_slice(br#","task":""#);
    out.extend_from_slice(t.task.as_str().as_bytes());
    out.extend_from_slice(br#"","turn":"#);
    out
}

/// One finding as a JSON line, the fields in the documented order: what `FindingLine` (the
/// tests' serde reference) serialises to, written field by field after the trajectory's
/// [`json_prefix`].
fn write_json(out: &mut Vec<u8>, prefix: &[u8], f: &Finding, excerpt: &str) {
    let mut n = itoa::Buffer::new();
    out.extend_from_slice(prefix);
    out.extend_from_slice(n.format(f.turn).as_bytes());
    out.extend_from_slice(br#","rule":"#);
    json_string(out, &f.rule);
    out.extend_from_slice(br#","severity":""#);
    out.extend_from_slice(f.severity.as_str().as_bytes());
    out.extend_from_slice(br#"","span":["#);
    out.extend_from_slice(n.format(f.span.0).as_bytes());
    out.push(b',');
    out.extend_from_slice(n.format(f.span.1).as_bytes());
    out.extend_from_slice(br#"],"message":"#);
    json_string(out, &f.message);
    out.extend_from_slice(br#","excerpt":"#);
    json_string(out, excerpt);
    out.extend_from_slice(b"}\n");
}

/// A JSON string literal, escaped as serde_json escapes it: `"`, `\\` and the C0 controls,
/// the common ones by their short escapes.
fn json_string(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    while let Some(i) = next_escape(bytes, start) {
        out.extend_from_slice(&bytes[start..i]);
        let b = bytes[i];
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 15)],
            ]),
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// The first byte from `from` on that a JSON string must escape. Eight bytes at a time: a
/// word has such a byte when one of its bytes is below 0x20, `"` or `\\` (the lowest flagged
/// byte is always a true one).
fn next_escape(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    let zero_in = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
    let mut at = from;
    let mut words = bytes[from..].chunks_exact(8);
    for chunk in &mut words {
        let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let found = (w.wrapping_sub(ONES * 0x20) & !w & HIGH)
            | zero_in(w ^ (ONES * u64::from(b'"')))
            | zero_in(w ^ (ONES * u64::from(b'\\')));
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
        .map(|i| at + i)
}

fn write_human(
    out: &mut impl Write,
    file: &str,
    t: &Trajectory,
    f: &Finding,
    excerpt: &str,
) -> io::Result<()> {
    writeln!(
        out,
        "{}:{}  {}  turn {}  {}  {}: {}",
        visible(file),
        t.source.record,
        visible(&t.id),
        f.turn,
        f.severity,
        visible(&f.rule),
        visible(&f.message)
    )?;
    writeln!(out, "    │ {}", visible(excerpt))
}

/// Make text safe for a terminal: C0 controls become their Unicode control pictures (`␛`,
/// `␇`, `␍`, `␊`), DEL `␡`, other control characters `\u{…}`.
pub fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('?')),
            '\u{7f}' => out.push('␡'),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

/// The task × rule table: how many trajectories each rule affects (AgentTuning's error
/// analysis), then the totals.
fn write_table(out: &mut impl Write, tally: &Tally) -> io::Result<()> {
    let header = [
        "task",
        "rule",
        "severity",
        "trajectories",
        "share",
        "findings",
    ];
    let mut rows: Vec<[String; 6]> = Vec::new();
    for (task, [trajs, affected, findings]) in &tally.tasks {
        for ((t, rule), [hit, n]) in tally.cells.range((*task, "")..) {
            if t != task {
                break;
            }
            rows.push([
                task.to_string(),
                rule.to_string(),
                tally.severities[rule].to_string(),
                format!("{hit}/{trajs}"),
                share(*hit, *trajs),
                n.to_string(),
            ]);
        }
        rows.push([
            task.to_string(),
            "(any)".into(),
            String::new(),
            format!("{affected}/{trajs}"),
            share(*affected, *trajs),
            findings.to_string(),
        ]);
    }
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let head = header.map(str::to_string);
    for r in std::iter::once(&head).chain(&rows) {
        let mut line = String::from("  ");
        for (i, (cell, w)) in r.iter().zip(widths).enumerate() {
            if i < 3 {
                line.push_str(&format!("{cell:<w$}  "));
            } else {
                line.push_str(&format!("{cell:>w$}  "));
            }
        }
        writeln!(out, "{}", visible(line.trim_end()))?;
    }
    let affected: u64 = tally.tasks.values().map(|t| t[1]).sum();
    let counts: Vec<String> = Severity::ALL
        .iter()
        .map(|s| format!("{} {}", tally.by_severity.get(s).copied().unwrap_or(0), s))
        .collect();
    writeln!(
        out,
        "\n{} findings ({}) in {} of {} trajectories, {} files{}",
        tally.findings(),
        counts.join(", "),
        affected,
        tally.trajectories(),
        tally.files,
        if tally.skipped > 0 {
            format!(", {} records skipped", tally.skipped)
        } else {
            String::new()
        }
    )
}

fn write_summary(out: &mut impl Write, tally: &Tally) -> io::Result<()> {
    let mut by_rule: BTreeMap<&str, serde_json::Value> = BTreeMap::new();
    let mut totals: BTreeMap<&str, [u64; 2]> = BTreeMap::new();
    for ((_, rule), [hit, n]) in &tally.cells {
        let t = totals.entry(rule).or_default();
        t[0] += hit;
        t[1] += n;
    }
    for (rule, [hit, n]) in totals {
        by_rule.insert(
            rule,
            json!({"severity": tally.severities[rule], "findings": n, "trajectories": hit}),
        );
    }
    let mut by_task = serde_json::Map::new();
    for (task, [trajs, affected, findings]) in &tally.tasks {
        let rules: serde_json::Map<String, serde_json::Value> = tally
            .cells
            .iter()
            .filter(|((t, _), _)| t == task)
            .map(|((_, r), [hit, n])| (r.to_string(), json!({"findings": n, "trajectories": hit})))
            .collect();
        by_task.insert(
            task.to_string(),
            json!({"trajectories": trajs, "affected": affected, "findings": findings, "rules": rules}),
        );
    }
    let by_severity: BTreeMap<&str, u64> = Severity::ALL
        .iter()
        .map(|s| (s.as_str(), tally.by_severity.get(s).copied().unwrap_or(0)))
        .collect();
    let line = json!({
        "type": "summary",
        "files": tally.files,
        "trajectories": tally.trajectories(),
        "skipped": tally.skipped,
        "affected": tally.tasks.values().map(|t| t[1]).sum::<u64>(),
        "findings": tally.findings(),
        "by_severity": by_severity,
        "by_rule": by_rule,
        "by_task": by_task,
    });
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_shows_control_characters_as_glyphs() {
        assert_eq!(visible("a\u{1b}]0;t\u{7}b\r\n\u{9b}"), "a␛]0;t␇b␍␊\\u{9b}");
    }

    #[test]
    fn finding_lines_are_what_serde_writes() {
        let mut t = crate::rules::testing::traj(Task::Webshop, &[]);
        t.id = "tr\"aj\u{1b}é".into();
        t.source.record = 41;
        let f = Finding {
            rule: "user/ru\\le".into(),
            severity: Severity::Warn,
            trajectory: t.id.as_str().into(),
            turn: 12,
            span: (3, 4000),
            message: "a \"quoted\" \u{7} message\n".into(),
        };
        let excerpt = "…\r\n\u{1b}]0;x\u{7}…";
        let file = "dir/file \"1\".jsonl";
        let mut ours = Vec::new();
        write_json(&mut ours, &json_prefix(file, &t), &f, excerpt);
        let line = FindingLine {
            kind: "finding",
            file,
            record: t.source.record,
            trajectory: &t.id,
            task: t.task,
            turn: f.turn,
            rule: &f.rule,
            severity: f.severity,
            span: [f.span.0, f.span.1],
            message: &f.message,
            excerpt,
        };
        let mut theirs = serde_json::to_vec(&line).unwrap();
        theirs.push(b'\n');
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(theirs).unwrap()
        );
    }

    #[test]
    fn json_strings_are_escaped_as_serde_escapes_them() {
        let mut pieces: Vec<String> = (0u8..0x20).map(|b| char::from(b).to_string()).collect();
        pieces.extend(["\"", "\\", "a", "é", "\u{7f}", "😀", "abcdefgh", "/"].map(String::from));
        let pieces: Vec<&str> = pieces.iter().map(String::as_str).collect();
        for text in crate::rules::testing::random_texts(3, &pieces, 24, 20_000) {
            let mut ours = Vec::new();
            json_string(&mut ours, &text);
            assert_eq!(ours, serde_json::to_vec(&text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn fail_on_levels() {
        assert_eq!(parse_fail_on("never").unwrap(), FailOn(None));
        assert_eq!(parse_fail_on("warn").unwrap(), FailOn(Some(Severity::Warn)));
        assert!(parse_fail_on("loud").is_err());
    }
}
