//! The report as Markdown: a heading per section, its text, then its tables (GitHub's pipe
//! tables). Cells pass through the sanitiser, and a `|` in a cell is escaped.

use std::fmt::Write;

use super::tables::{sections, Table};
use super::Report;
use crate::sanitize::line;

/// One cell's text, safe in a pipe table.
fn cell(text: &str) -> String {
    line(text).to_string().replace('|', "\\|")
}

fn write_table(out: &mut String, t: &Table) {
    let _ = writeln!(out, "**{}**\n", cell(&t.title));
    let header: Vec<String> = t.header.iter().map(|h| cell(h)).collect();
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let rule: Vec<&str> = t.header.iter().map(|_| "---").collect();
    let _ = writeln!(out, "|{}|", rule.join("|"));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

/// The whole report as Markdown.
pub fn render(r: &Report) -> String {
    let mut out = String::from("# trev report\n\n");
    for s in sections(r) {
        let _ = writeln!(out, "## {}\n", s.title);
        for text in &s.text {
            let _ = writeln!(out, "{}\n", cell(text));
        }
        for t in &s.tables {
            write_table(&mut out, t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_cannot_break_its_table() {
        assert_eq!(cell("a|b"), "a\\|b");
        assert!(!cell("x\ny\u{1b}").contains(['\n', '\u{1b}']));
    }
}
