//! Terminal-safe text: the one list of characters that must not reach a terminal, and the
//! visible stand-in of each, in two forms: the review screen's and the command line's.
//!
//! Nothing from a data file, a journal, a rules file, a file name or an error message may reach
//! a terminal raw: an ESC starts an escape sequence (a window title, a clipboard write, a screen
//! clear), a BEL rings, a CR moves the cursor, a bidi override reorders what follows it. The
//! forbidden characters and what is shown instead:
//!
//! | characters | shown as |
//! |---|---|
//! | C0 controls U+0000–U+001F | their control pictures U+2400–U+241F: `␀`, `␇`, `␉`, `␊`, `␍`, `␛`, … |
//! | DEL U+007F | `␡` |
//! | C1 controls U+0080–U+009F (0x9b is a one-byte CSI on some terminals) | `⍰` |
//! | bidi overrides and isolates U+202A–U+202E, U+2066–U+2069 | `⍰` |
//! | line and paragraph separators U+2028, U+2029 | `⏎` |
//!
//! - **The review screen**: [`sanitize`] expands tabs, keeps `\n` as a line break (`\r\n`
//!   too), shows a lone `\r` as `^M`, and returns an offset map so finding spans and search hits
//!   land on the right cells; [`sanitize_line`] is its one-line form.
//! - **The command line**: [`line()`], for every piece of data, path, id, name, note and error
//!   message a command prints in human mode. Every forbidden character, `\t`, `\n` and `\r`
//!   included, becomes exactly one visible character from the table (`\r` is `␍` here), so a
//!   message stays on its line and a column counted in characters keeps its width. The only
//!   control character a human-mode command writes is the `\n` that ends its own lines.
//!
//! JSON output (`--json`, journals, exported files) is not sanitised: JSON escapes the C0
//! controls, and a program reading it gets the exact strings.

use std::fmt::{self, Write as _};

use unicode_width::UnicodeWidthChar;

/// Columns between tab stops.
pub const TAB_WIDTH: usize = 4;

/// Sanitised text and the map from source byte offsets to offsets in [`Sanitized::text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sanitized {
    /// The text to show: no control characters but `\n`.
    pub text: String,
    /// `(source offset, display offset)` at the start of every replaced character and just after
    /// it; between two checkpoints both offsets advance together.
    map: Vec<(usize, usize)>,
    /// Length of the source that was sanitised.
    source_len: usize,
}

impl Sanitized {
    /// The display offset of source byte offset `src` (clamped to the end, and moved back to
    /// the start of its character when it falls inside one).
    pub fn to_display(&self, src: usize) -> usize {
        let src = src.min(self.source_len);
        let i = self.map.partition_point(|&(s, _)| s <= src);
        let mut d = match i {
            0 => src,
            _ => {
                let (s, d) = self.map[i - 1];
                d + (src - s)
            }
        }
        .min(self.text.len());
        while !self.text.is_char_boundary(d) {
            d -= 1;
        }
        d
    }

    /// Map a source byte range to a display byte range.
    pub fn range_to_display(&self, (start, end): (usize, usize)) -> (usize, usize) {
        (self.to_display(start), self.to_display(end.max(start)))
    }

    /// Length of the source this was made from.
    pub fn source_len(&self) -> usize {
        self.source_len
    }
}

/// The visible stand-in for a character that must not reach a terminal (the module's table), or
/// `None` when the character is safe as it is.
fn picture(c: char) -> Option<&'static str> {
    const C0: [&str; 32] = [
        "␀", "␁", "␂", "␃", "␄", "␅", "␆", "␇", "␈", "␉", "␊", "␋", "␌", "␍", "␎", "␏", "␐", "␑",
        "␒", "␓", "␔", "␕", "␖", "␗", "␘", "␙", "␚", "␛", "␜", "␝", "␞", "␟",
    ];
    match c {
        '\0'..='\x1f' => Some(C0[c as usize]),
        '\x7f' => Some("␡"),
        // C1 controls: 0x9b is a one-byte CSI on some terminals.
        '\u{80}'..='\u{9f}' => Some("⍰"),
        // Bidirectional overrides and isolates reorder what follows them.
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => Some("⍰"),
        // Line and paragraph separators break lines in some terminals.
        '\u{2028}' | '\u{2029}' => Some("⏎"),
        _ => None,
    }
}

/// The review screen's stand-in for a character that must not reach a terminal (`^M` for `\r`,
/// else the module's table), or `None` when the character is safe as it is. `\n` and `\t` are
/// handled by [`sanitize`].
pub fn glyph(c: char) -> Option<&'static str> {
    match c {
        '\r' => Some("^M"),
        c => picture(c),
    }
}

/// Make `src` safe to print: tabs expand to the next multiple of [`TAB_WIDTH`] columns, `\r\n`
/// becomes `\n`, a lone `\r` becomes `^M`, and every other control character becomes a glyph.
pub fn sanitize(src: &str) -> Sanitized {
    let mut text = String::with_capacity(src.len() + src.len() / 16);
    let mut map = Vec::new();
    let mut column = 0usize;
    let mut chars = src.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let replacement: Option<std::borrow::Cow<'static, str>> = match c {
            '\n' => {
                text.push('\n');
                column = 0;
                continue;
            }
            '\t' => {
                let n = TAB_WIDTH - column % TAB_WIDTH;
                Some(" ".repeat(n).into())
            }
            '\r' if matches!(chars.peek(), Some((_, '\n'))) => Some("".into()),
            c => glyph(c).map(Into::into),
        };
        match replacement {
            Some(r) => {
                map.push((i, text.len()));
                text.push_str(&r);
                column += r.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>();
                map.push((i + c.len_utf8(), text.len()));
            }
            None => {
                text.push(c);
                column += c.width().unwrap_or(0);
            }
        }
    }
    Sanitized {
        text,
        map,
        source_len: src.len(),
    }
}

/// [`sanitize`] for one line of output: newlines become `⏎` too.
pub fn sanitize_line(src: &str) -> String {
    sanitize(src).text.replace('\n', "⏎")
}

/// True when `s` holds nothing a terminal would interpret (no control character but `\n`).
pub fn is_safe(s: &str) -> bool {
    s.chars().all(|c| c == '\n' || glyph(c).is_none())
}

/// `value` as the command line prints it: every character of the module's table, `\t`, `\n` and
/// `\r` included, becomes its one visible stand-in (`format!("{}", line(path.display()))`).
/// Width and alignment (`{:<12}`) apply to the result.
pub fn line<T: fmt::Display>(value: T) -> Line<T> {
    Line(value)
}

/// A value shown through [`line()`].
#[derive(Debug, Clone, Copy)]
pub struct Line<T>(T);

impl<T: fmt::Display> fmt::Display for Line<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.width().is_none() && f.precision().is_none() {
            return write!(Pictures(f), "{}", self.0);
        }
        let mut text = String::new();
        write!(Pictures(&mut text), "{}", self.0)?;
        f.pad(&text)
    }
}

/// True when [`line()`] shows `s` as it is: no character of the module's table, `\n` and `\t`
/// included.
pub fn is_safe_line(s: &str) -> bool {
    next_forbidden(s, 0).is_none()
}

/// Writes what it is given with every forbidden character replaced by its picture.
struct Pictures<W>(W);

impl<W: fmt::Write> fmt::Write for Pictures<W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut start = 0;
        while let Some((i, c, p)) = next_forbidden(s, start) {
            self.0.write_str(&s[start..i])?;
            self.0.write_str(p)?;
            start = i + c.len_utf8();
        }
        self.0.write_str(&s[start..])
    }
}

/// The first character of `s` from byte `from` on that has a picture: where, which, and the
/// picture. Bytes that cannot start such a character are skipped without decoding.
fn next_forbidden(s: &str, from: usize) -> Option<(usize, char, &'static str)> {
    let bytes = s.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        if !SUSPECT[usize::from(bytes[i])] {
            i += 1;
            continue;
        }
        // A suspect byte is ASCII or a lead byte, so a character starts here.
        let c = s[i..].chars().next().expect("a character starts here");
        if let Some(p) = picture(c) {
            return Some((i, c, p));
        }
        i += c.len_utf8();
    }
    None
}

/// The bytes a forbidden character's UTF-8 can start with: C0 and DEL themselves, 0xc2 (C1
/// controls) and 0xe2 (U+2028–U+202E, U+2066–U+2069). Text without them is written as it is.
const SUSPECT: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = true;
        b += 1;
    }
    t[0x7f] = true;
    t[0xc2] = true;
    t[0xe2] = true;
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_shows_one_picture_per_forbidden_character() {
        let src = "a\u{1b}]0;t\u{7}b\r\n\tc\u{7f}\u{9b}2J\u{202e}d\u{2066}\u{2028}\u{2029}é日";
        assert_eq!(line(src).to_string(), "a␛]0;t␇b␍␊␉c␡⍰2J⍰d⍰⏎⏎é日");
        assert_eq!(line(src).to_string().chars().count(), src.chars().count());
    }

    #[test]
    fn every_forbidden_character_is_replaced_on_the_command_line() {
        let all: String = (0..=0x10ffffu32).filter_map(char::from_u32).collect();
        let shown = line(&all).to_string();
        assert!(shown.chars().all(|c| picture(c).is_none()), "{shown:?}");
        let forbidden = |c: char| {
            matches!(c, '\0'..='\x1f' | '\x7f'..='\u{9f}' | '\u{202a}'..='\u{202e}')
                || matches!(c, '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
        };
        assert!(all
            .chars()
            .filter(|&c| !forbidden(c))
            .all(|c| picture(c).is_none()));
    }

    #[test]
    fn line_pads_what_it_shows() {
        assert_eq!(format!("[{:<5}]", line("a\u{1b}")), "[a␛   ]");
        assert_eq!(
            format!("[{:>4}]", line(std::path::Path::new("\n").display())),
            "[   ␊]"
        );
        assert_eq!(format!("{}", line("plain text")), "plain text");
    }

    #[test]
    fn escape_sequences_become_visible() {
        let s = sanitize("a\x1b]0;title\x07b\x1b[2Jc");
        assert_eq!(s.text, "a␛]0;title␇b␛[2Jc");
        assert!(is_safe(&s.text));
    }

    #[test]
    fn tabs_expand_to_the_next_stop() {
        assert_eq!(sanitize("a\tb").text, "a   b");
        assert_eq!(sanitize("abcd\tb").text, "abcd    b");
        assert_eq!(sanitize("x\n\ty").text, "x\n    y");
    }

    #[test]
    fn carriage_returns() {
        assert_eq!(sanitize("a\r\nb").text, "a\nb");
        assert_eq!(sanitize("a\rb").text, "a^Mb");
    }

    #[test]
    fn spans_map_through_replacements() {
        let src = "\x1b[31mred\x1b[0m\tok";
        let s = sanitize(src);
        let start = src.find("red").unwrap();
        let (a, b) = s.range_to_display((start, start + 3));
        assert_eq!(&s.text[a..b], "red");
        let ok = src.find("ok").unwrap();
        let (a, b) = s.range_to_display((ok, ok + 2));
        assert_eq!(&s.text[a..b], "ok");
        assert_eq!(s.to_display(src.len()), s.text.len());
    }

    #[test]
    fn offsets_inside_a_character_move_to_its_start() {
        let s = sanitize("a日b");
        assert_eq!(s.to_display(2), 1);
        assert_eq!(s.to_display(4), 4);
    }

    #[test]
    fn c1_and_bidi_controls_are_replaced() {
        let s = sanitize("a\u{9b}2Jb\u{202e}c");
        assert!(is_safe(&s.text));
        assert!(!s.text.contains('\u{9b}'));
    }

    #[test]
    fn one_line_output() {
        assert_eq!(sanitize_line("a\nb\x07"), "a⏎b␇");
    }
}
