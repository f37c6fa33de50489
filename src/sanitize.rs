//! Terminal-safe text: tabs expanded, control characters shown as visible glyphs (`␛`, `␇`,
//! `^M`), with an offset map so byte spans in the source land on the right place in the result.
//!
//! Nothing from a data file may reach a terminal raw: an ESC starts an escape sequence (a window
//! title, a clipboard write, a screen clear), a BEL rings, a CR moves the cursor. Every headless
//! command and the review screen print data only through [`sanitize`].

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

/// The visible stand-in for a character that must not reach a terminal, or `None` when the
/// character is safe as it is. `\n` and `\t` are handled by [`sanitize`].
pub fn glyph(c: char) -> Option<&'static str> {
    const C0: [&str; 32] = [
        "␀", "␁", "␂", "␃", "␄", "␅", "␆", "␇", "␈", "␉", "␊", "␋", "␌", "^M", "␎", "␏", "␐", "␑",
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

/// Make text safe for a terminal, for `trev check`'s human lines: C0 controls become their
/// Unicode control pictures (`␛`, `␇`, `␍`, `␊`), DEL `␡`, other control characters `\u{…}`.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_shows_control_characters_as_glyphs() {
        assert_eq!(visible("a\u{1b}]0;t\u{7}b\r\n\u{9b}"), "a␛]0;t␇b␍␊\\u{9b}");
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
