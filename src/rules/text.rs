//! Small text helpers shared by the rules: quoting for messages, line spans, excerpts.

use std::sync::LazyLock;

use regex::Regex;

/// The first occurrence of a fixed `needle` in `haystack` (a `&str`), with a memchr finder
/// built once per call site: `str::find` sets up a two-way searcher on every call, which
/// costs more than the search on a short turn.
macro_rules! find {
    ($needle:expr, $haystack:expr) => {{
        static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
            std::sync::LazyLock::new(|| memchr::memmem::Finder::new($needle));
        FINDER.find(($haystack).as_bytes())
    }};
}
pub(crate) use find;

/// A byte of `(?-u:\w)`: an ASCII letter, digit or underscore.
pub fn is_ascii_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `\w` in the regex crate's Unicode mode (alphabetic, digits, marks, connector punctuation,
/// join controls); non-ASCII characters, rare where the rules ask, are asked of the regex
/// crate.
pub fn is_word_char(c: char) -> bool {
    static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\A\w\z").unwrap());
    if c.is_ascii() {
        return is_ascii_word(c as u8);
    }
    let mut buf = [0; 4];
    WORD.is_match(c.encode_utf8(&mut buf))
}

/// `s.trim()`, at once when both ends are printable ASCII (the usual case, and never
/// whitespace): `str::trim` decodes a character at each end first, which on the rules' many
/// calls for every turn costs more than the check.
pub fn trim(s: &str) -> &str {
    match s.as_bytes() {
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Whether only spaces and tabs precede byte `at` on its line: `(?m)^[ \t]*` before it. Only
/// the blanks before `at` are read, however long the line.
pub fn at_line_start(text: &str, at: usize) -> bool {
    let before = &text.as_bytes()[..at];
    let blanks = before
        .iter()
        .rev()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    at == blanks || before[at - blanks - 1] == b'\n'
}

/// One line of `s`, at most `max` characters, control characters escaped, for a message.
pub fn quote(s: &str, max: usize) -> String {
    let s = trim(s);
    // Short printable ASCII, the usual case, is itself.
    if s.len() <= max && s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len().min(max + 8));
    for (n, c) in s.chars().enumerate() {
        if n == max {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The span `[start, end)` of the line holding byte `at` (without its line break).
pub fn line_at(s: &str, at: usize) -> (usize, usize) {
    let start = s[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = s[at..].find('\n').map_or(s.len(), |i| at + i);
    let end = if s[..end].ends_with('\r') {
        end - 1
    } else {
        end
    };
    (start, end.max(start))
}

/// The lines of `s` with their byte offsets.
pub fn lines(s: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    s.split('\n').map(move |line| {
        let start = at;
        at += line.len() + 1;
        (start, line)
    })
}

/// An excerpt of `text` around `span`: the span with up to `context` characters either side,
/// on one line (line breaks are kept as characters for the caller to make visible).
pub fn excerpt(text: &str, span: (usize, usize), context: usize, max: usize) -> String {
    let (s, e) = span;
    let before = s - back_chars(&text[..s], context);
    let end = if e == s { text.len() } else { e };
    let after = end + forward_chars(&text[end..], context);
    // Cut at `max` characters, if there are more.
    let kept = forward_chars(&text[before..after], max);
    let cut = (before + kept < after).then_some(before + kept);
    let stop = cut.unwrap_or(after);
    let mut out = String::with_capacity(stop - before + 8);
    if before > 0 {
        out.push('…');
    }
    out.push_str(&text[before..stop]);
    if cut.is_some() || after < text.len() {
        out.push('…');
    }
    out
}

/// Whether every byte is ASCII: an OR of all of them, which the compiler turns into vector
/// code (`<[u8]>::is_ascii` stops at the first non-ASCII byte, so it goes byte by byte).
fn all_ascii(bytes: &[u8]) -> bool {
    bytes.iter().fold(0, |acc, &b| acc | b) < 0x80
}

/// The length in bytes of the first `n` characters of `text` (all of it if it is shorter).
fn forward_chars(text: &str, n: usize) -> usize {
    let bytes = text.as_bytes();
    // ASCII, the usual case, has a character per byte.
    if all_ascii(&bytes[..n.min(bytes.len())]) {
        return n.min(bytes.len());
    }
    // A character starts at every byte that is not a UTF-8 continuation byte.
    let mut seen = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if b & 0xC0 != 0x80 {
            if seen == n {
                return i;
            }
            seen += 1;
        }
    }
    text.len()
}

/// The length in bytes of the last `n` characters of `text` (all of it if it is shorter).
fn back_chars(text: &str, n: usize) -> usize {
    let bytes = text.as_bytes();
    if all_ascii(&bytes[bytes.len().saturating_sub(n)..]) {
        return n.min(bytes.len());
    }
    let mut seen = 0;
    for (i, &b) in bytes.iter().enumerate().rev() {
        if b & 0xC0 != 0x80 {
            seen += 1;
            if seen == n {
                return bytes.len() - i;
            }
        }
    }
    bytes.len()
}

#[cfg(test)]
mod fence_tests {
    use super::*;
    use regex::Regex;

    #[test]
    fn fences_match_the_regex_they_replace() {
        let re = Regex::new(r"(?s)```bash\n(.*?)\n```").unwrap();
        let cases = [
            "a\n```bash\nls\n```\nb ```bash\npwd\nx\n```",
            "```bash\n\n```",
            "```bash\nno close",
            "```bash\n```bash\nx\n```\n```",
            "```bash\na\n```bash\nb\n```",
            "",
        ];
        for text in cases {
            let want: Vec<(usize, usize, usize, usize)> = re
                .captures_iter(text)
                .map(|c| {
                    let (m, g) = (c.get(0).unwrap(), c.get(1).unwrap());
                    (m.start(), m.end(), g.start(), g.end())
                })
                .collect();
            let starts = text.match_indices("```bash\n").map(|(i, _)| i);
            let got: Vec<(usize, usize, usize, usize)> = fences(text, "```bash\n", starts)
                .map(|f| (f.start, f.end, f.content.0, f.content.1))
                .collect();
            assert_eq!(got, want, "{text:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_is_str_trim() {
        let pieces = [
            "a", "é", "~", " ", "\t", "\n", "\r", "\u{b}", "\u{c}", "\u{85}", "\u{a0}", "\u{3000}",
            "\u{7f}", "\u{1}", "😀",
        ];
        for text in super::super::testing::random_texts(11, &pieces, 6, 20_000) {
            assert_eq!(trim(&text), text.trim(), "{text:?}");
        }
    }

    #[test]
    fn line_at_finds_the_line_without_its_break() {
        let s = "a\r\nbcd\ne";
        assert_eq!(line_at(s, 0), (0, 1));
        assert_eq!(line_at(s, 4), (3, 6));
        assert_eq!(line_at(s, 8), (7, 8));
    }

    #[test]
    fn quote_is_one_short_line() {
        assert_eq!(quote(" a\nb\u{1b} ", 10), "a\\nb\\u{1b}");
        assert_eq!(quote("abcdef", 3), "abc…");
    }

    #[test]
    fn char_counts_match_char_indices() {
        let texts =
            crate::rules::testing::random_texts(5, &["a", "é", "😀", "\n", "ж", ""], 12, 3000);
        for text in &texts {
            for n in 0..14 {
                let forward = text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
                assert_eq!(forward_chars(text, n), forward, "{text:?} {n}");
                let back = text
                    .char_indices()
                    .rev()
                    .take(n)
                    .last()
                    .map_or(0, |(i, _)| text.len() - i);
                assert_eq!(back_chars(text, n), back, "{text:?} {n}");
            }
        }
    }

    #[test]
    fn excerpt_shows_context_around_the_span() {
        assert_eq!(excerpt("0123456789", (4, 6), 2, 100), "…234567…");
        assert_eq!(excerpt("héllo", (0, 0), 2, 3), "hél…");
    }
}

/// A fenced code block: the whole match and its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fence {
    pub start: usize,
    pub end: usize,
    pub content: (usize, usize),
}

/// The blocks `open` … `\n```` in `text`, left to right and not overlapping: exactly the
/// matches of the benchmarks' `open(.*?)\n```` (DOTALL), from `starts`, every occurrence of
/// `open` in order (a module's trigger hits): a block opens at the first of them after the
/// previous block, and closes at the first `\n```` after that (`open` is e.g. "```bash\n").
pub fn fences<'a>(
    text: &'a str,
    open: &'static str,
    starts: impl IntoIterator<Item = usize> + 'a,
) -> impl Iterator<Item = Fence> + 'a {
    debug_assert!(open.starts_with("```"));
    let mut at = 0;
    let mut starts = starts.into_iter();
    std::iter::from_fn(move || {
        // Every offset here follows an ASCII byte: a character boundary.
        let start = starts.by_ref().find(|&s| s >= at)?;
        let body = start + open.len();
        let close = body + find!("\n```", &text[body..])?;
        let end = close + 4;
        at = end;
        Some(Fence {
            start,
            end,
            content: (body, close),
        })
    })
}
