//! `terminal-signature`: the shell and TTY residue in OS observations (AgentBench's docker TTY
//! before commit 5c1c96e), one finding per observation on the environment turn, every
//! occurrence highlighted.

use std::sync::LazyLock;

use regex::Regex;

use super::engine::Triggers;
use super::text::{is_ascii_word, is_word_char};
use super::{quote, Checker, RuleId};
use crate::model::{Role, Turn};

/// The rules this module reports: it runs when one of them is on.
pub const RULES: &[RuleId] = &[RuleId::TerminalSignature];

/// Where residue can start: an ESC, a BEL, a CR, and the `@` of a prompt. The engine finds
/// them in one pass with every other trigger of the profile; an observation without any is
/// not looked at again.
pub const TRIGGERS: Triggers = Triggers {
    agent: &[],
    other: &["\x1b", "\x07", "\r", "@"],
};
/// The index of `@` in [`TRIGGERS`]`.other`.
const AT: usize = 3;

/// The TTY residue AgentBench strips since commit 5c1c96e (task.py L90-102), and CRLF, as
/// this regex finds it (alternatives tried left to right at each position, so an OSC title is
/// one match; the word boundary is ASCII):
///
/// ```text
/// \x1b\][0-9]*;[^\x07]*\x07 | \x1b\[[0-9;?]*[A-Za-z] | \x1b.+@.+[#|$]  | \b\w+@[0-9a-f]{12}:[^\n\r#$\x07\x1b]*[#$] ? | \x07 | \r\n
/// ```
///
/// Every alternative starts at an ESC, a BEL, a CR, or in the word right before an `@`, so
/// [`residue_into`] looks for those bytes with memchr and tries only the alternatives that can
/// start there, anchored: long observations cost a byte scan, not a regex pass. The ESC-prompt
/// alternative (rare, and by hand it would need backtracking over `.+`) is left to this
/// anchored regex; [`title_end`] and [`csi_end`] match the first two.
static ESC_PROMPT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\A\x1b.+@.+[#|$] ").unwrap());

/// The end of the OSC title `\x1b\][0-9]*;[^\x07]*\x07` that starts at the ESC at `c`, given
/// the position of the first BEL after it.
fn title_end(bytes: &[u8], c: usize, bel: impl FnOnce(usize) -> Option<usize>) -> Option<usize> {
    if bytes.get(c + 1) != Some(&b']') {
        return None;
    }
    let digits = bytes[c + 2..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let semicolon = c + 2 + digits;
    (bytes.get(semicolon) == Some(&b';'))
        .then(|| bel(semicolon + 1))
        .flatten()
        .map(|b| b + 1)
}

/// The end of the CSI sequence `\x1b\[[0-9;?]*[A-Za-z]` that starts at the ESC at `c`.
fn csi_end(bytes: &[u8], c: usize) -> Option<usize> {
    if bytes.get(c + 1) != Some(&b'[') {
        return None;
    }
    let params = bytes[c + 2..]
        .iter()
        .take_while(|&&b| b.is_ascii_digit() || b == b';' || b == b'?')
        .count();
    let last = c + 2 + params;
    bytes
        .get(last)
        .is_some_and(u8::is_ascii_alphabetic)
        .then_some(last + 1)
}

/// What a piece of terminal residue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Residue {
    Title,
    Escape,
    /// An ESC followed, on the same line, by a prompt.
    EscPrompt,
    Prompt,
    Bel,
    Crlf,
}

/// The residue in `text`, in order, as `(kind, span)`.
#[cfg(test)]
fn residue(text: &str) -> Vec<(Residue, (usize, usize))> {
    let bytes = text.as_bytes();
    let ctl: Vec<usize> = (0..bytes.len())
        .filter(|&i| matches!(bytes[i], 0x1b | 0x07 | b'\r'))
        .collect();
    let ats: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i] == b'@').collect();
    let mut out = Vec::new();
    residue_into(text, &ctl, &ats, &mut out);
    out
}

/// Sorted positions, read from a position that only moves forward.
struct Ahead<'p> {
    positions: &'p [usize],
    /// The first position not yet passed.
    next: usize,
}

impl<'p> Ahead<'p> {
    fn new(positions: &'p [usize]) -> Ahead<'p> {
        Ahead { positions, next: 0 }
    }

    /// The first position at or after `from`, which is never less than the last `from`.
    fn first_from(&mut self, from: usize) -> Option<usize> {
        let rest = &self.positions[self.next..];
        self.next += rest.iter().take_while(|&&p| p < from).count();
        self.positions.get(self.next).copied()
    }
}

/// The residue in `text`, in order, as `(kind, span)`: the matches of the whole residue regex
/// (written out above [`ESC_PROMPT`]), into `out` (cleared first), which one trajectory's
/// observations share. `ctl` holds the positions of every ESC, BEL and CR of the text, `ats`
/// those of every `@`, in order (the engine's trigger hits).
fn residue_into(
    text: &str,
    ctl: &[usize],
    ats: &[usize],
    out: &mut Vec<(Residue, (usize, usize))>,
) {
    out.clear();
    let bytes = text.as_bytes();
    let mut pos = 0;
    let (mut ctl_ahead, mut ats_ahead) = (Ahead::new(ctl), Ahead::new(ats));
    // The next control byte and the next `@` (with where the word before it starts) at or
    // after `pos`, each searched for again only once `pos` has passed it.
    let mut next_ctl = Next::default();
    let mut next_at = Next::default();
    // What earlier failures say about later candidates, so that a long line of near misses
    // costs one pass, not one per candidate: a title needs a BEL after it; an ESC prompt that
    // failed fails for every later ESC before the end of its line; a prompt tail that ran into
    // a stop byte fails for every `@` before that byte.
    let last_bel = ctl.iter().rev().copied().find(|&c| bytes[c] == 0x07);
    let mut esc_prompt_fails_before = 0;
    let mut prompt_fails_before = 0;
    while pos < bytes.len() {
        let ctl = next_ctl
            .at(pos, |from| ctl_ahead.first_from(from).map(|c| (c, 0)))
            .map(|(c, _)| c);
        // Where a prompt ending at the `@` could start: the run of word characters before it.
        let word = next_at
            .at(pos, |from| {
                ats_ahead
                    .first_from(from)
                    .map(|a| (a, word_run_start(text, from, a)))
            })
            .map(|(a, start)| (start.max(pos), a));
        match (ctl, word) {
            (None, None) => break,
            (Some(c), w) if w.is_none_or(|(start, _)| c < start) => {
                let hit = match bytes[c] {
                    0x07 => Some((Residue::Bel, c + 1)),
                    b'\r' => (bytes.get(c + 1) == Some(&b'\n')).then_some((Residue::Crlf, c + 2)),
                    _ => {
                        let mut hit = None;
                        if last_bel.is_some_and(|b| b > c) {
                            let bel = |from: usize| {
                                memchr::memchr(0x07, &bytes[from..]).map(|i| from + i)
                            };
                            hit = title_end(bytes, c, bel).map(|end| (Residue::Title, end));
                        }
                        hit = hit.or_else(|| csi_end(bytes, c).map(|end| (Residue::Escape, end)));
                        if hit.is_none() && c >= esc_prompt_fails_before {
                            hit = ESC_PROMPT
                                .find(&text[c..])
                                .map(|m| (Residue::EscPrompt, c + m.end()));
                            if hit.is_none() {
                                esc_prompt_fails_before = memchr::memchr(b'\n', &bytes[c..])
                                    .map_or(bytes.len(), |i| c + i);
                            }
                        }
                        hit
                    }
                };
                match hit {
                    Some((kind, end)) => {
                        out.push((kind, (c, end)));
                        pos = end;
                    }
                    None => pos = c + 1,
                }
            }
            (_, Some((start, at))) => {
                // `\b\w+@…`: the run's tail decides the match; it starts at the first position
                // of the run where an ASCII word boundary holds.
                let boundary = (start..at).find(|&p| {
                    text.is_char_boundary(p)
                        && is_ascii_word(bytes[p])
                        && (p == 0 || !is_ascii_word(bytes[p - 1]))
                });
                let tail = match boundary {
                    Some(_) if at >= prompt_fails_before => prompt_tail(bytes, at),
                    _ => Err(0),
                };
                match (boundary, tail) {
                    (Some(p), Ok(end)) => {
                        out.push((Residue::Prompt, (p, end)));
                        pos = end;
                    }
                    (_, tail) => {
                        prompt_fails_before = prompt_fails_before.max(tail.err().unwrap_or(0));
                        pos = at + 1;
                    }
                }
            }
            (Some(_), None) => unreachable!("handled above"),
        }
    }
}

/// The next occurrence of something at or after a moving position, with a value: searched for
/// again only when the position has passed it, never again once there is none.
#[derive(Default)]
struct Next {
    found: Option<(usize, usize)>,
    /// Nothing is left at or after the last search.
    done: bool,
}

impl Next {
    fn at(
        &mut self,
        pos: usize,
        search: impl FnOnce(usize) -> Option<(usize, usize)>,
    ) -> Option<(usize, usize)> {
        if !self.done && self.found.is_none_or(|(at, _)| at < pos) {
            self.found = search(pos);
            self.done = self.found.is_none();
        }
        self.found.filter(|&(at, _)| at >= pos)
    }
}

/// The prompt after its user name, `@[0-9a-f]{12}:[^\n\r#$\x07\x1b]*[#$] ?` (a Docker
/// container's hostname, then the path), matched at `at`: the end of the match, or, when the
/// path ran into a byte that is not `#` or `$`, that byte's position (a later `@` before it
/// fails the same way); `Err(0)` when the host part does not match.
fn prompt_tail(bytes: &[u8], at: usize) -> Result<usize, usize> {
    let host = bytes.get(at + 1..at + 13).ok_or(0usize)?;
    if !host.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        || bytes.get(at + 13) != Some(&b':')
    {
        return Err(0);
    }
    let path = at + 14;
    let stop = bytes[path..]
        .iter()
        .position(|b| matches!(b, b'\n' | b'\r' | b'#' | b'$' | 0x07 | 0x1b))
        .map_or(bytes.len(), |i| path + i);
    match bytes.get(stop) {
        Some(b'#' | b'$') => Ok(stop + 1 + usize::from(bytes.get(stop + 1) == Some(&b' '))),
        _ => Err(stop),
    }
}

/// The start of the run of (Unicode) word characters that ends at `at`, not before `from`.
fn word_run_start(text: &str, from: usize, at: usize) -> usize {
    text[from..at]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word_char(c))
        .last()
        .map_or(at, |(i, _)| from + i)
}

/// `terminal-signature`: one finding per observation with residue, on the environment turn,
/// counting what it found (title sequences, CSI sequences, prompts, BEL, CRLF) and
/// highlighting every occurrence.
pub fn check(cx: &mut Checker) {
    if !cx.on(RuleId::TerminalSignature) {
        return;
    }
    let mut turns: Vec<&Turn> = Vec::with_capacity(cx.turns().len());
    turns.extend(cx.live().filter(|t| t.role == Role::Environment));
    let mut found = Vec::new();
    let mut spans = Vec::new();
    let (mut ctl, mut ats) = (Vec::new(), Vec::new());
    for turn in turns {
        ctl.clear();
        ats.clear();
        for (trigger, start) in cx.hits(turn.index) {
            if trigger == AT {
                ats.push(start);
            } else {
                ctl.push(start);
            }
        }
        if ctl.is_empty() && ats.is_empty() {
            continue;
        }
        let text = turn.text.as_str();
        residue_into(text, &ctl, &ats, &mut found);
        if found.is_empty() {
            continue;
        }
        spans.clear();
        spans.extend(found.iter().map(|&(_, span)| span));
        cx.report_spans(
            RuleId::TerminalSignature,
            turn.index,
            &spans,
            residue_message(text, &found),
        );
    }
}

/// What one observation's residue is made of: `TTY residue left in the observation: 3 title
/// sequences, 12 CSI sequences, 2 shell prompts (`root@…:/# `), 1 BEL, 4 CRLF line endings`.
fn residue_message(text: &str, found: &[(Residue, (usize, usize))]) -> String {
    // One pass counts every kind (an observation may hold thousands of sequences).
    let mut counts = [0usize; 6];
    let mut prompt = None;
    for &(kind, span) in found {
        counts[kind as usize] += 1;
        if prompt.is_none() && matches!(kind, Residue::Prompt | Residue::EscPrompt) {
            prompt = Some(span);
        }
    }
    let count = |kind: Residue| counts[kind as usize];
    const HEAD: &str = "TTY residue left in the observation: ";
    // Room for the usual message, which then never grows.
    let mut message = String::with_capacity(HEAD.len() + 160);
    message.push_str(HEAD);
    let mut first = true;
    let mut part = |n: usize, one: &str, many: &str, extra: Option<(usize, usize)>| {
        if n == 0 {
            return;
        }
        if !first {
            message.push_str(", ");
        }
        first = false;
        message.push_str(itoa::Buffer::new().format(n));
        message.push(' ');
        message.push_str(if n == 1 { one } else { many });
        if let Some((s, e)) = extra {
            message.push_str(" (`");
            message.push_str(&quote(&text[s..e]));
            message.push_str("`)");
        }
    };
    part(
        count(Residue::Title),
        "title sequence",
        "title sequences",
        None,
    );
    part(
        count(Residue::Escape),
        "CSI sequence",
        "CSI sequences",
        None,
    );
    part(
        count(Residue::Prompt) + count(Residue::EscPrompt),
        "shell prompt",
        "shell prompts",
        prompt,
    );
    part(count(Residue::Bel), "stray BEL", "stray BELs", None);
    part(
        count(Residue::Crlf),
        "CRLF line ending",
        "CRLF line endings",
        None,
    );
    message
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::model::Task;

    #[test]
    fn terminal_residue_spans_are_exact() {
        let env = "The output of the OS:\n\n3\r\n\u{1b}]0;root@708762f582f8: /\u{7}root@708762f582f8:/# \u{1b}[K";
        let t = traj(
            Task::Os,
            &[
                (I, "task"),
                (A, "Act: bash\n\n```bash\nx\n```"),
                (E, env),
                (A, "Act: finish"),
            ],
        );
        let f = findings_of(&t, RuleId::TerminalSignature);
        assert_eq!(f.len(), 1, "one finding per observation: {f:?}");
        assert_eq!(f[0].turn, 2, "on the environment turn");
        assert_eq!(
            f[0].message,
            "TTY residue left in the observation: 1 title sequence, 1 CSI sequence, \
             1 shell prompt (`root@708762f582f8:/#`), 1 CRLF line ending"
        );
        let spans: Vec<&str> = f[0].spans().map(|(a, b)| &t.turns[2].text[a..b]).collect();
        assert_eq!(
            spans,
            [
                "\r\n",
                "\u{1b}]0;root@708762f582f8: /\u{7}",
                "root@708762f582f8:/# ",
                "\u{1b}[K"
            ]
        );
    }

    /// The regex the residue scan stands for, run as one regex.
    fn residue_regex() -> regex::Regex {
        regex::Regex::new(concat!(
            r"\x1b\][0-9]*;[^\x07]*\x07",
            r"|\x1b\[[0-9;?]*[A-Za-z]",
            r"|\x1b.+@.+[#|$] ",
            r"|(?-u:\b)\w+@[0-9a-f]{12}:[^\n\r#$\x07\x1b]*[#$] ?",
            r"|\x07",
            r"|\r\n",
        ))
        .unwrap()
    }

    #[test]
    fn the_residue_scan_finds_what_the_regex_finds() {
        let pieces = [
            "\u{1b}",
            "\u{7}",
            "\r",
            "\n",
            "@",
            "a",
            "f",
            "0",
            "é",
            "²",
            "\u{301}",
            "]",
            "[",
            ";",
            "#",
            "$",
            " ",
            ":",
            "_",
            "K",
            "root",
            "4f1c2a9b7d10",
            "@4f1c2a9b7d10:",
            "/",
            "|",
            "\u{1b}]0;",
            "\u{1b}[",
            "x@",
            ".",
        ];
        let re = residue_regex();
        let mut seen = std::collections::HashMap::new();
        for text in random_texts(7, &pieces, 23, 20_000) {
            let found = super::residue(&text);
            let want: Vec<(usize, usize)> =
                re.find_iter(&text).map(|m| (m.start(), m.end())).collect();
            let got: Vec<(usize, usize)> = found.iter().map(|&(_, s)| s).collect();
            assert_eq!(got, want, "{text:?}");
            for (kind, _) in found {
                *seen.entry(kind).or_insert(0) += 1;
            }
        }
        // The random texts exercise every kind of residue, many times.
        assert_eq!(seen.len(), 6, "{seen:?}");
        assert!(seen.values().all(|&n| n > 20), "{seen:?}");
    }
}
