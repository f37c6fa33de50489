//! OS interaction (AgentBench `os_interaction/task.py`): the `Act:` grammar, the terminal
//! action and several actions in one turn (the TTY residue in its observations is
//! [`super::residue`]).

use std::borrow::Cow;

use super::engine::{Own, Triggers};
use super::text::{fences, line_at, Fence};
use super::{quote, Checker, RuleId};
use crate::findings::Severity;
use crate::model::Turn;

/// `act_pattern = r"Act:\s*(.+)"`, read with `re.findall` (task.py L340); see [`acts`].
const ACT: &str = "Act:";
/// `content_pattern = r"```bash\n(.*?)\n```"`, DOTALL (task.py L368), as [`fences`].
const BASH: &str = "```bash\n";

/// What the module reads of an agent turn: its `Act:` lines and its ```bash blocks, from
/// every occurrence of these two literals (the engine's hits; they are all the module
/// searches for).
pub const TRIGGERS: Triggers = Triggers {
    agent: &[ACT, BASH],
    other: &[],
};
/// The index of [`BASH`] in [`TRIGGERS`]`.agent`.
const BASH_HIT: usize = 1;

/// [`TRIGGERS`] searched alone, for [`action`] and [`command`] outside a check.
static OWN: Own = Own::new(TRIGGERS.agent);

/// The OS round limit (task.py L281, L476).
const ROUND_LIMIT: usize = 8;

/// What an agent turn does, as `extract_action` reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Bash,
    /// `finish` or `answer(...)`: both map to "commit".
    Commit,
}

/// One match of `Act:\s*(.+)`: the whole match and the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ActMatch {
    start: usize,
    end: usize,
    value: (usize, usize),
}

/// Every match of `Act:\s*(.+)`, as the regex finds them, without running one, into `out`:
/// after `Act:` (at each of `starts`, every occurrence of `Act:` in order, that follows the
/// previous match), `\s*` takes the whitespace run, giving back only what `.+` needs to match
/// one character that is not a line break; `.+` runs to the end of the line.
fn acts_into(text: &str, starts: &[usize], out: &mut Vec<ActMatch>) {
    let bytes = text.as_bytes();
    out.clear();
    let mut pos = 0;
    for &start in starts {
        if start < pos {
            continue;
        }
        let after = start + ACT.len();
        let rest = &text[after..];
        let run = rest.len() - rest.trim_start().len();
        let value_start = if after + run < text.len() {
            Some(after + run)
        } else {
            // Whitespace to the end: back off to the last character that is not `\n`.
            rest.char_indices()
                .rev()
                .find(|&(_, c)| c != '\n')
                .map(|(k, _)| after + k)
        };
        let Some(value_start) = value_start else {
            break;
        };
        let end =
            memchr::memchr(b'\n', &bytes[value_start..]).map_or(text.len(), |k| value_start + k);
        out.push(ActMatch {
            start,
            end,
            value: (value_start, end),
        });
        pos = end;
    }
}

/// What the module reads of one agent turn, from its hits.
#[derive(Debug, Default)]
struct Parsed {
    acts: Vec<ActMatch>,
    blocks: Vec<Fence>,
    /// The starts of the `Act:` and ```bash hits (buffers reused turn after turn).
    act_starts: Vec<usize>,
    bash_starts: Vec<usize>,
}

impl Parsed {
    /// Read the turn `text` whose trigger hits are `hits`.
    fn read(&mut self, text: &str, hits: impl Iterator<Item = (usize, usize)>) {
        self.act_starts.clear();
        self.bash_starts.clear();
        for (trigger, at) in hits {
            if trigger == BASH_HIT {
                self.bash_starts.push(at);
            } else {
                self.act_starts.push(at);
            }
        }
        acts_into(text, &self.act_starts, &mut self.acts);
        self.blocks.clear();
        self.blocks
            .extend(fences(text, BASH, self.bash_starts.iter().copied()));
    }

    fn of(text: &str) -> Parsed {
        let mut parsed = Parsed::default();
        parsed.read(text, OWN.hits(text).into_iter());
        parsed
    }
}

/// Every match of `Act:\s*(.+)` in a text (the tests' way in).
#[cfg(test)]
fn acts(text: &str) -> Vec<ActMatch> {
    Parsed::of(text).acts
}

/// The action of a turn and the span of its `Act:` value: the LAST `Act:` line that is bash,
/// finish or answer with both parentheses wins (task.py L348-366).
#[cfg(test)]
pub fn action(text: &str) -> Option<(Act, (usize, usize))> {
    action_of(text, &Parsed::of(text).acts)
}

fn action_of(text: &str, acts: &[ActMatch]) -> Option<(Act, (usize, usize))> {
    let mut last = None;
    for m in acts {
        let v = &text[m.value.0..m.value.1];
        if starts_ci(v, "bash") {
            last = Some((Act::Bash, m.value));
        } else if starts_ci(v, "finish") || (is_answer(v) && v.contains('(') && v.contains(')')) {
            last = Some((Act::Commit, m.value));
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
    let parsed = Parsed::of(text);
    command_of(text, &parsed.blocks, || action_of(text, &parsed.acts))
}

/// [`command`] from the turn's ```bash blocks and its action (read only without blocks).
fn command_of<'t>(
    text: &'t str,
    blocks: &[Fence],
    action: impl FnOnce() -> Option<(Act, (usize, usize))>,
) -> Option<Cow<'t, str>> {
    let mut blocks = blocks.iter().map(|f| &text[f.content.0..f.content.1]);
    let Some(first) = blocks.next() else {
        return action().map(|(_, (s, e))| Cow::Borrowed(text[s..e].trim()));
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

/// The rules this module reports: it runs when one of them is on.
pub const RULES: &[RuleId] = &[
    RuleId::InvalidActionOs,
    RuleId::FinalAnswerMalformed,
    RuleId::FinalAnswerMissing,
    RuleId::FormatMultipleActions,
];

/// `invalid-action/os`, `final-answer/{missing,malformed}` and `format/multiple-actions` for
/// the OS profile (task.py L338-373, L487-521).
pub fn check(cx: &mut Checker) {
    let mut committed = false;
    let mut rounds = 0;
    let mut last: Option<&Turn> = None;
    let mut parsed = Parsed::default();
    for turn in cx.agent_turns() {
        rounds += 1;
        last = Some(turn);
        let text = turn.text.as_str();
        parsed.read(text, cx.hits(turn.index));
        let (acts, blocks) = (&parsed.acts, &parsed.blocks);
        let action = action_of(text, acts);
        cx.remember_action(turn, command_of(text, blocks, || action));
        match action {
            Some((Act::Commit, _)) => committed = true,
            Some((Act::Bash, span)) => {
                if blocks.is_empty() {
                    cx.report_at(
                        RuleId::InvalidActionOs,
                        Some(Severity::Warn),
                        turn.index,
                        line_at(text, span.0),
                        "`Act: bash` without a ```bash block: an empty command runs".into(),
                    );
                }
            }
            None => {
                let (span, message) = match acts.last() {
                    Some(m) => (
                        (m.start, m.end),
                        format!(
                            "`{}` is not bash, finish or answer(...): AgentBench stops with AGENT_INVALID_ACTION",
                            quote(&text[m.start..m.end])
                        ),
                    ),
                    None => (
                        (0, 0),
                        "no `Act:` line: AgentBench stops with AGENT_INVALID_ACTION".into(),
                    ),
                };
                cx.report(RuleId::InvalidActionOs, turn.index, span, message);
            }
        }
        for m in acts {
            let v = &text[m.value.0..m.value.1];
            if is_answer(v) && !(v.contains('(') && v.contains(')')) {
                cx.report(
                    RuleId::FinalAnswerMalformed,
                    turn.index,
                    m.value,
                    format!("`Act: {}` lacks the parentheses of answer(...)", quote(v)),
                );
            }
        }
        if acts.len() > 1 {
            cx.report(
                RuleId::FormatMultipleActions,
                turn.index,
                (acts[1].start, acts[acts.len() - 1].end),
                format!(
                    "{} `Act:` lines: only the last usable one counts",
                    acts.len()
                ),
            );
        }
        if blocks.len() > 1 {
            cx.report(
                RuleId::FormatMultipleActions,
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
        let f = findings_of(&t, RuleId::InvalidActionOs);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].turn, 1);
        assert_eq!(spanned(&t, &f[0]), "Act: answer 220");
        assert_eq!(f[1].severity, Severity::Warn);
        assert_eq!(spanned(&t, &f[1]), "Act: bash");
        let m = findings_of(&t, RuleId::FinalAnswerMalformed);
        assert_eq!(spanned(&t, &m[0]), "answer 220");
        assert_eq!(findings_of(&t, RuleId::FinalAnswerMissing).len(), 1);
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
    fn act_matches_are_the_regex_matches() {
        let re = regex::Regex::new(r"Act:\s*(.+)").unwrap();
        let pieces = [
            "Act:", " ", "\n", "\t", "\r", "\u{a0}", "x", "bash", "é", "Act", ":",
        ];
        let mut found = 0;
        for text in random_texts(3, &pieces, 9, 20_000) {
            let want: Vec<super::ActMatch> = re
                .captures_iter(&text)
                .map(|c| {
                    let (m, g) = (c.get(0).unwrap(), c.get(1).unwrap());
                    super::ActMatch {
                        start: m.start(),
                        end: m.end(),
                        value: (g.start(), g.end()),
                    }
                })
                .collect();
            found += want.len();
            assert_eq!(super::acts(&text), want, "{text:?}");
        }
        assert!(found > 2_000, "{found}");
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
        assert_eq!(findings_of(&t, RuleId::FormatMultipleActions).len(), 2);
    }
}
