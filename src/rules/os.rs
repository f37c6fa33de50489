//! OS interaction (AgentBench `os_interaction/task.py`): the `Act:` grammar, the terminal
//! action, several actions in one turn, and the TTY residue in observations.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use super::text::{fences, line_at};
use super::{quote, Checker};
use crate::findings::Severity;
use crate::model::{Role, Turn};

/// `act_pattern = r"Act:\s*(.+)"`, read with `re.findall` (task.py L340).
static ACT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"Act:\s*(.+)").unwrap());
/// `content_pattern = r"```bash\n(.*?)\n```"`, DOTALL (task.py L368), as [`fences`].
const BASH: &str = "```bash\n";

/// The OS round limit (task.py L281, L476).
const ROUND_LIMIT: usize = 8;

/// What an agent turn does, as `extract_action` reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Bash,
    /// `finish` or `answer(...)`: both map to "commit".
    Commit,
}

/// The action of a turn and the span of its `Act:` value: the LAST `Act:` line that is bash,
/// finish or answer with both parentheses wins (task.py L348-366).
pub fn action(text: &str) -> Option<(Act, (usize, usize))> {
    let mut last = None;
    for c in ACT.captures_iter(text) {
        let m = c.get(1).unwrap();
        let v = m.as_str();
        let span = (m.start(), m.end());
        if starts_ci(v, "bash") {
            last = Some((Act::Bash, span));
        } else if starts_ci(v, "finish") || (is_answer(v) && v.contains('(') && v.contains(')')) {
            last = Some((Act::Commit, span));
        }
    }
    last
}

/// `action.lower().startswith(prefix)` without allocating (the prefixes are ASCII).
fn starts_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

fn is_answer(v: &str) -> bool {
    starts_ci(v, "answer")
}

/// The command of a bash turn: all ```bash blocks (they are joined and run), for repetition.
pub fn command(text: &str) -> Option<Cow<'_, str>> {
    let mut blocks = fences(text, BASH).map(|f| &text[f.content.0..f.content.1]);
    let Some(first) = blocks.next() else {
        return action(text).map(|(_, (s, e))| Cow::Borrowed(text[s..e].trim()));
    };
    match blocks.next() {
        None => Some(Cow::Borrowed(first)),
        Some(second) => {
            let mut joined = format!("{first}\n\n{second}");
            for b in blocks {
                joined.push_str("\n\n");
                joined.push_str(b);
            }
            Some(Cow::Owned(joined))
        }
    }
}

/// `invalid-action/os`, `final-answer/{missing,malformed}` and `format/multiple-actions` for
/// the OS profile (task.py L338-373, L487-521), plus `terminal-signature` on observations.
pub fn check(cx: &mut Checker) {
    let mut committed = false;
    let mut rounds = 0;
    let mut last: Option<&Turn> = None;
    for turn in cx.agent_turns() {
        rounds += 1;
        last = Some(turn);
        let text = turn.text.as_str();
        match action(text) {
            Some((Act::Commit, _)) => committed = true,
            Some((Act::Bash, span)) => {
                if fences(text, BASH).next().is_none() {
                    cx.report_at(
                        "invalid-action/os",
                        Some(Severity::Warn),
                        turn.index,
                        line_at(text, span.0),
                        "`Act: bash` without a ```bash block: an empty command runs".into(),
                    );
                }
            }
            None => {
                let (span, message) = match ACT.find_iter(text).last() {
                    Some(m) => (
                        (m.start(), m.end()),
                        format!(
                            "`{}` is not bash, finish or answer(...): AgentBench stops with AGENT_INVALID_ACTION",
                            quote(m.as_str())
                        ),
                    ),
                    None => (
                        (0, 0),
                        "no `Act:` line: AgentBench stops with AGENT_INVALID_ACTION".into(),
                    ),
                };
                cx.report("invalid-action/os", turn.index, span, message);
            }
        }
        for m in ACT.captures_iter(text) {
            let v = m.get(1).unwrap();
            if is_answer(v.as_str()) && !(v.as_str().contains('(') && v.as_str().contains(')')) {
                cx.report(
                    "final-answer/malformed",
                    turn.index,
                    (v.start(), v.end()),
                    format!(
                        "`Act: {}` lacks the parentheses of answer(...)",
                        quote(v.as_str())
                    ),
                );
            }
        }
        let acts: Vec<_> = ACT.find_iter(text).collect();
        if acts.len() > 1 {
            cx.report(
                "format/multiple-actions",
                turn.index,
                (acts[1].start(), acts[acts.len() - 1].end()),
                format!(
                    "{} `Act:` lines: only the last usable one counts",
                    acts.len()
                ),
            );
        }
        let blocks: Vec<_> = fences(text, BASH).collect();
        if blocks.len() > 1 {
            cx.report(
                "format/multiple-actions",
                turn.index,
                (blocks[1].start, blocks[blocks.len() - 1].end),
                format!("{} ```bash blocks: all of them run, joined", blocks.len()),
            );
        }
    }
    if let (false, Some(last)) = (committed, last) {
        cx.missing_final(
            last.index,
            rounds,
            ROUND_LIMIT,
            "OS",
            "`Act: answer(...)` or `Act: finish`",
        );
    }
    terminal_signature(cx);
}

/// The TTY residue AgentBench strips since commit 5c1c96e (task.py L90-102), and CRLF.
/// Alternatives are tried left to right at each position, so an OSC title is one match. The
/// word boundary is ASCII (`(?-u:\b)`) so the whole search runs on the DFA; which alternative
/// matched is told afterwards from the match alone.
static RESIDUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\x1b\][0-9]*;[^\x07]*\x07",
        r"|\x1b\[[0-9;?]*[A-Za-z]",
        r"|\x1b.+@.+[#|$] ",
        r"|(?-u:\b)\w+@[0-9a-f]{12}:[^\n\r#$\x07\x1b]*[#$] ?",
        r"|\x07",
        r"|\r\n",
    ))
    .unwrap()
});
/// The first two alternatives on their own, to tell a match's kind (anchored at both ends).
static OSC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\A\x1b\][0-9]*;[^\x07]*\x07\z").unwrap());
static CSI: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\A\x1b\[[0-9;?]*[A-Za-z]\z").unwrap());

fn terminal_signature(cx: &mut Checker) {
    if !cx.on("terminal-signature") {
        return;
    }
    let turns: Vec<&Turn> = cx.live().filter(|t| t.role == Role::Environment).collect();
    for turn in turns {
        let text = turn.text.as_str();
        // Every alternative needs an ESC, a BEL, a CR or an `@`.
        let bytes = text.as_bytes();
        if memchr::memchr3(0x1b, 0x07, b'\r', bytes).is_none()
            && memchr::memchr(b'@', bytes).is_none()
        {
            continue;
        }
        let mut crlf: Option<(usize, usize)> = None;
        let mut crlf_count = 0;
        for m in RESIDUE.find_iter(text) {
            let span = (m.start(), m.end());
            let s = m.as_str();
            let what = if s == "\r\n" {
                crlf_count += 1;
                crlf.get_or_insert(span);
                continue;
            } else if s == "\x07" {
                "stray BEL (\\x07)".to_string()
            } else if OSC.is_match(s) {
                "terminal title sequence (OSC ESC]…BEL)".to_string()
            } else if CSI.is_match(s) {
                format!("escape sequence `{}`", quote(s))
            } else {
                format!("shell prompt `{}`", quote(s))
            };
            cx.report(
                "terminal-signature",
                turn.index,
                span,
                format!("{what} left in the observation by the TTY"),
            );
        }
        if let Some(span) = crlf {
            cx.report(
                "terminal-signature",
                turn.index,
                span,
                format!("CRLF line endings from the TTY ({crlf_count} in this observation)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::findings::Severity;
    use crate::model::Task;

    #[test]
    fn the_last_usable_act_wins() {
        use super::{action, Act};
        assert_eq!(action("Act: answer(3)").unwrap().0, Act::Commit);
        assert_eq!(action("Act: bash\nAct: answer 3").unwrap().0, Act::Bash);
        assert!(action("Act: answer 220").is_none());
        assert!(action("Think: hm").is_none());
    }

    #[test]
    fn invalid_and_malformed_answers() {
        let t = traj(
            Task::Os,
            &[
                (I, "task"),
                (A, "Think: done.\n\nAct: answer 220"),
                (E, "x"),
                (A, "Act: bash"),
            ],
        );
        let f = findings_of(&t, "invalid-action/os");
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].turn, 1);
        assert_eq!(spanned(&t, &f[0]), "Act: answer 220");
        assert_eq!(f[1].severity, Severity::Warn);
        assert_eq!(spanned(&t, &f[1]), "Act: bash");
        let m = findings_of(&t, "final-answer/malformed");
        assert_eq!(spanned(&t, &m[0]), "answer 220");
        assert_eq!(findings_of(&t, "final-answer/missing").len(), 1);
    }

    #[test]
    fn a_clean_episode_has_no_findings() {
        let t = traj(
            Task::Os,
            &[
                (I, "task"),
                (A, "Think: look.\n\nAct: bash\n\n```bash\nls\n```"),
                (E, "The output of the OS:\n\na b"),
                (A, "Think: two.\n\nAct: answer(2)"),
            ],
        );
        assert_eq!(crate::rules::RuleSet::builtin().check(&t), vec![]);
    }

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
        let f = findings_of(&t, "terminal-signature");
        let spans: Vec<&str> = f.iter().map(|f| spanned(&t, f)).collect();
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

    #[test]
    fn several_acts_and_blocks_are_multiple_actions() {
        let t = traj(
            Task::Os,
            &[
                (I, "task"),
                (
                    A,
                    "Act: bash\n```bash\na\n```\n```bash\nb\n```\nAct: finish",
                ),
            ],
        );
        assert_eq!(findings_of(&t, "format/multiple-actions").len(), 2);
    }
}
