//! Human output shared by the commands: tables with aligned columns, and whether to print
//! colour.

use anyhow::Result;
use clap::ColorChoice;

use crate::tui::{config, Theme};

/// Whether to print colour (ripgrep's and bat's rule): `--color always` and `never` decide;
/// `auto` means colour when the stream is a terminal and `NO_COLOR` is unset or empty.
pub fn colour(choice: ColorChoice, is_terminal: bool) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    decide(choice, no_color, is_terminal)
}

/// The theme of a screen: `--theme`, else the config file's, else the dark one; monochrome
/// (without syntax colours) when colour is off (`--color never`, or `auto` with `NO_COLOR`).
pub fn screen_theme(
    arg: Option<&str>,
    config: &config::Config,
    dir: Option<&std::path::Path>,
    color: ColorChoice,
) -> Result<Theme> {
    // Judged as if on a terminal: without one the screen does not open.
    let no_color = !colour(color, true);
    let theme = match (arg, config.theme.as_deref()) {
        (None, None) if no_color => Theme::monochrome(),
        (Some(name), _) | (None, Some(name)) => Theme::load(name, dir)?,
        (None, None) => Theme::builtin("dark").expect("built in"),
    };
    Ok(if no_color {
        Theme {
            syntax: None,
            ..Theme::monochrome()
        }
    } else {
        theme
    })
}

fn decide(choice: ColorChoice, no_color: bool, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && !no_color,
    }
}

/// The lines of a table: the header, then the rows, each cell padded to its column's width
/// (in characters), two spaces before every cell and between cells, cells left-aligned where
/// `left(column)` says so and right-aligned elsewhere, trailing spaces trimmed.
pub fn aligned<R: AsRef<[String]>>(
    header: &[&str],
    rows: &[R],
    left: impl Fn(usize) -> bool,
) -> Vec<String> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r.as_ref()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    std::iter::once(&header[..])
        .chain(rows.iter().map(AsRef::as_ref))
        .map(|r| aligned_line(r, &widths, &left))
        .collect()
}

/// One line of an [`aligned`] table whose column widths (in characters) are known, for a
/// table printed as its rows are made.
pub fn aligned_line(cells: &[String], widths: &[usize], left: impl Fn(usize) -> bool) -> String {
    let mut line = String::from("  ");
    for (i, (cell, &w)) in cells.iter().zip(widths).enumerate() {
        if left(i) {
            line.push_str(&format!("{cell:<w$}  "));
        } else {
            line.push_str(&format!("{cell:>w$}  "));
        }
    }
    line.truncate(line.trim_end().len());
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_follows_the_flag_then_no_color_then_the_terminal() {
        use ColorChoice::*;
        assert!(decide(Always, true, false));
        assert!(!decide(Never, false, true));
        assert!(decide(Auto, false, true));
        assert!(!decide(Auto, true, true));
        assert!(!decide(Auto, false, false));
    }

    #[test]
    fn columns_align_by_characters() {
        let rows = vec![
            vec!["é".to_string(), "1".to_string()],
            vec!["abc".to_string(), "1234".to_string()],
        ];
        assert_eq!(
            aligned(&["name", "n"], &rows, |i| i == 0),
            ["  name     n", "  é        1", "  abc   1234"]
        );
    }
}
