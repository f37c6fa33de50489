//! Label progress in `trev stats --annotations DIR`: per annotator, agent turns marked, the
//! right/wrong split, trajectories complete and pace.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::sanitize_line;
use crate::labels::progress::{progress, AgentTurns, Progress};
use crate::labels::Replay;

/// Replay the journals at `dir` and write each annotator's progress over `data`: a table, or
/// one JSON object per annotator.
pub fn write(out: &mut impl Write, dir: &Path, data: &[AgentTurns], json: bool) -> Result<()> {
    let mut replay = Replay::new();
    replay
        .read_path(dir)
        .with_context(|| format!("cannot read the journals at {}", dir.display()))?;
    super::agree::print_warnings(&replay);
    let rows = progress(&replay, data);
    if json {
        for p in &rows {
            serde_json::to_writer(&mut *out, p)?;
            writeln!(out)?;
        }
        return Ok(());
    }
    writeln!(
        out,
        "labels  ({}, {} annotators)",
        sanitize_line(&dir.display().to_string()),
        rows.len()
    )?;
    if rows.is_empty() {
        return Ok(());
    }
    let header = [
        "annotator",
        "marked",
        "right",
        "wrong",
        "other",
        "stale",
        "complete",
        "accept",
        "reject",
        "pace",
    ];
    let cells: Vec<[String; 10]> = rows.iter().map(row).collect();
    let mut widths = header.map(str::len);
    for r in &cells {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    for r in std::iter::once(&header.map(str::to_string)).chain(&cells) {
        let mut line = String::from("  ");
        for (i, (c, w)) in r.iter().zip(widths).enumerate() {
            if i == 0 {
                line.push_str(&format!("{c:<w$}  "));
            } else {
                line.push_str(&format!("{c:>w$}  "));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    let unmatched: u64 = rows.iter().map(|p| p.unmatched).sum();
    if unmatched > 0 {
        writeln!(
            out,
            "  ({unmatched} marks are on turns or trajectories these files do not have)"
        )?;
    }
    Ok(())
}

fn row(p: &Progress) -> [String; 10] {
    let percent = if p.agent_turns == 0 {
        0.0
    } else {
        100.0 * p.marked as f64 / p.agent_turns as f64
    };
    [
        sanitize_line(&p.annotator),
        format!("{}/{} ({percent:.0}%)", p.marked, p.agent_turns),
        p.right.to_string(),
        p.wrong.to_string(),
        p.other.to_string(),
        p.stale.to_string(),
        format!("{}/{}", p.trajectories_complete, p.trajectories),
        p.accepted.to_string(),
        p.rejected.to_string(),
        p.pace_seconds
            .map_or_else(|| "-".to_string(), |s| format!("{s:.0}s")),
    ]
}
