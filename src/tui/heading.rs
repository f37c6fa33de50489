//! The text of the list's columns and the header's title: how wide they need to be, and how
//! a long id is cut.

use super::text::cells;
use crate::model::Trajectory;
use crate::sanitize::sanitize_line;

/// The width the list needs for ids `id_cells` wide: the columns right of the id (task,
/// outcome, turns, marked, findings) and the border.
pub fn list_width_for(id_cells: usize, marking: bool) -> u16 {
    let columns = 9 + 3 + 6 + if marking { 8 } else { 0 } + 9;
    u16::try_from(id_cells + columns + 1).unwrap_or(u16::MAX)
}

/// `s` in `width` cells, cut in the middle (`medagentbench_…_t17`) so that both the start
/// and the distinguishing end stay.
pub fn middle_cut(s: &str, width: usize) -> String {
    let cells = cells(s);
    if cells <= width {
        return s.to_string();
    }
    if width < 8 {
        return truncate(s, width);
    }
    let tail_w = (width - 1) / 2;
    let head_w = width - 1 - tail_w;
    let cw = |c: char| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
    let mut head = String::new();
    let mut w = 0;
    for c in s.chars() {
        if w + cw(c) > head_w {
            break;
        }
        head.push(c);
        w += cw(c);
    }
    let mut tail: Vec<char> = Vec::new();
    let mut w = 0;
    for c in s.chars().rev() {
        if w + cw(c) > tail_w {
            break;
        }
        tail.push(c);
        w += cw(c);
    }
    head.push('…');
    head.extend(tail.into_iter().rev());
    head
}

pub fn truncate(s: &str, width: usize) -> String {
    if cells(s) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// The header's title: the id, and the rest of the key and where it is from.
pub fn title(t: &Trajectory) -> (String, String) {
    let file = t
        .source
        .file
        .file_name()
        .map_or("?".into(), |n| sanitize_line(&n.to_string_lossy()));
    let rest = format!(
        "  run {} · {} · {} · {file}:{}",
        sanitize_line(&t.run),
        t.task,
        t.format,
        t.source.line
    );
    (sanitize_line(&t.id), rest)
}

/// The cells the key in the header's title of `t` takes (the id and `  run NAME`): when one
/// row of the header is narrower, the title takes two.
pub fn key_width(t: &Trajectory) -> usize {
    cells(&sanitize_line(&t.id)) + cells(&format!("  run {}", sanitize_line(&t.run)))
}
