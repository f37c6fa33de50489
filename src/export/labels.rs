//! The resolved labels table of `trev export --labels-out`: one row per marked turn with each
//! annotator's mark and the combined judgement (the adjudicated one where there is one), as
//! CSV (cells that a spreadsheet would run as formulas neutralised) or JSON Lines.

use std::collections::BTreeMap;
use std::io::Write;

use crate::labels::votes::{self, judge, Combined, Mark, TrajectoryVotes};
use crate::model::Trajectory;

/// One row of `--labels-out`.
pub struct LabelRow {
    run: String,
    trajectory: String,
    outcome: &'static str,
    turn: usize,
    role: &'static str,
    marks: BTreeMap<String, Mark>,
    combined: Option<Combined>,
    notes: Vec<String>,
}

pub fn label_rows_of(
    t: &Trajectory,
    votes: Option<&TrajectoryVotes>,
    agree: votes::Agree,
) -> Vec<LabelRow> {
    let Some(votes) = votes else {
        return Vec::new();
    };
    votes
        .turns
        .iter()
        .filter_map(|(&turn, marks)| {
            let role = t.turns.get(turn)?.role.as_str();
            let notes = votes
                .notes
                .get(&turn)
                .map(|n| n.iter().map(|(a, text)| format!("{a}: {text}")).collect())
                .unwrap_or_default();
            Some(LabelRow {
                run: t.run.to_string(),
                trajectory: t.id.clone(),
                outcome: t.outcome.verdict.as_str(),
                turn,
                role,
                marks: marks.clone(),
                combined: judge(votes, turn, agree).map(|(c, _)| c),
                notes,
            })
        })
        .collect()
}

fn mark_text(mark: Option<&Mark>) -> &'static str {
    match mark {
        Some(Mark::Right) => "right",
        Some(Mark::Wrong) => "wrong",
        None => "",
    }
}

/// The labels table, as CSV (with a header) or JSON Lines.
pub fn labels_table(
    csv: bool,
    rows: &[LabelRow],
    annotators: &[String],
) -> std::io::Result<Vec<u8>> {
    let mut w = Vec::new();
    if csv {
        let mut header = vec![
            "run".to_string(),
            "trajectory".into(),
            "turn".into(),
            "role".into(),
        ];
        header.extend(annotators.iter().cloned());
        header.extend(["combined".to_string(), "notes".into()]);
        writeln!(w, "{}", csv_line(&header))?;
    }
    for row in rows {
        if csv {
            let mut cells = vec![
                row.run.clone(),
                row.trajectory.clone(),
                row.turn.to_string(),
                row.role.to_string(),
            ];
            cells.extend(
                annotators
                    .iter()
                    .map(|a| mark_text(row.marks.get(a)).to_string()),
            );
            cells.push(row.combined.map_or("", |c| c.as_str()).to_string());
            cells.push(row.notes.join(" | "));
            writeln!(w, "{}", csv_line(&cells))?;
        } else {
            let labels: BTreeMap<&String, &str> = row
                .marks
                .iter()
                .map(|(a, m)| (a, mark_text(Some(m))))
                .collect();
            let line = serde_json::json!({
                "run": row.run, "trajectory": row.trajectory, "outcome": row.outcome,
                "turn": row.turn, "role": row.role,
                "labels": labels, "combined": row.combined.map(|c| c.as_str()),
                "notes": row.notes,
            });
            serde_json::to_writer(&mut w, &line).map_err(std::io::Error::other)?;
            w.push(b'\n');
        }
    }
    Ok(w)
}

/// One CSV line. A cell a spreadsheet would run as a formula (one starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return) gets a leading `'`, as OWASP recommends; then, per RFC 4180,
/// a cell is quoted when it holds a comma, a quote or a line break.
fn csv_line(cells: &[String]) -> String {
    cells
        .iter()
        .map(|c| {
            let c = if c.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{c}")
            } else {
                c.clone()
            };
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_when_needed() {
        let cells = vec![
            "a".to_string(),
            "b,c".into(),
            "say \"hi\"".into(),
            "x\ny".into(),
        ];
        assert_eq!(csv_line(&cells), "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\"");
    }

    #[test]
    fn csv_cells_that_would_be_formulas_are_neutralised() {
        let cells: Vec<String> = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "a=b", "=a,b"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            csv_line(&cells),
            "'=1+1,'+1,'-1,'@SUM(A1),'\tx,\"'\rx\",a=b,\"'=a,b\""
        );
    }
}
