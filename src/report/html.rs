//! The report as one self-contained HTML page: a style sheet in the page, each section's
//! figures as inline SVG, then its tables. No script, no font and no image is fetched: the file
//! reads the same offline and in a pull-request preview. The page is well-formed XML too
//! (void elements closed, only XML's own entities), so a plain XML parser checks it.

use std::fmt::Write;

use anyhow::Result;

use super::tables::{sections, Table};
use super::{charts, Report, FIGURES};
use crate::sanitize::line;

const STYLE: &str = "
body { font-family: sans-serif; margin: 2em auto; max-width: 1400px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.3em; border-bottom: 1px solid #ccc; margin-top: 2em; }
figure { margin: 1em 0; overflow-x: auto; } figure svg { max-width: 100%; height: auto; } figcaption { font-size: 0.9em; color: #555; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; }
th { background: #f3f3f3; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
";

/// Text for an element or an attribute: sanitised, then escaped.
pub fn escape(text: &str) -> String {
    let clean = line(text).to_string();
    let mut out = String::with_capacity(clean.len());
    for c in clean.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn numeric(cell: &str) -> bool {
    !cell.is_empty() && cell.parse::<f64>().is_ok()
}

fn write_table(out: &mut String, t: &Table) {
    let _ = write!(
        out,
        "<table>\n<caption>{}</caption>\n<thead><tr>",
        escape(&t.title)
    );
    for h in &t.header {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for c in row {
            let class = if numeric(c) { " class=\"n\"" } else { "" };
            let _ = write!(out, "<td{class}>{}</td>", escape(c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// An SVG document as an element of the page (without an XML declaration, if any).
fn inline(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

/// The whole report as an HTML page.
pub fn render(r: &Report) -> Result<String> {
    let mut out =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    out.push_str("<title>trev report</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<h1>trev report</h1>\n");
    for s in sections(r) {
        let _ = writeln!(out, "<section>\n<h2>{}</h2>", escape(s.title));
        for text in &s.text {
            let _ = writeln!(out, "<p>{}</p>", escape(text));
        }
        for name in &s.figures {
            let svg = charts::figure(r, name)?;
            let what = FIGURES.iter().find(|(n, _)| n == name).map_or("", |f| f.1);
            let _ = writeln!(
                out,
                "<figure id=\"{name}\">\n{}\n<figcaption>Figure {name}: {}; the numbers are in the tables below.</figcaption>\n</figure>",
                inline(&svg),
                escape(what)
            );
        }
        for t in &s.tables {
            write_table(&mut out, t);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_made_visible() {
        assert_eq!(
            escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
        // A control character never reaches the page (XML forbids most of them).
        assert!(!escape("run\u{1b}[31m\u{7}").contains(['\u{1b}', '\u{7}']));
    }

    #[test]
    fn numbers_are_aligned_right() {
        assert!(numeric("12") && numeric("33.3"));
        assert!(!numeric("") && !numeric("os") && !numeric("-"));
    }
}
