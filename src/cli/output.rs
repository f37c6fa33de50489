//! Human output shared by the commands: tables with aligned columns.

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
        .map(|r| {
            let mut line = String::from("  ");
            for (i, (cell, &w)) in r.iter().zip(&widths).enumerate() {
                if left(i) {
                    line.push_str(&format!("{cell:<w$}  "));
                } else {
                    line.push_str(&format!("{cell:>w$}  "));
                }
            }
            line.truncate(line.trim_end().len());
            line
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
