//! Knowledge graph (AgentBench `knowledgegraph/task.py`): one `Action` line per turn, calls the
//! environment rejects, and `Final Answer: #k`.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::engine::{Own, Triggers};
use super::text::find;
use super::{quote, Checker, RuleId};
use crate::model::Turn;

/// What the module looks for in agent turns: `Observation` (the task cuts the turn at
/// `Observation:`), `Action` (the action lines) and `Answer: #` (the final answer); in the
/// replies, the numbers of the variables it creates and two of its rejections. The engine's
/// hits of these are all the module searches for (`Observation` is also a trigger of
/// [`super::generic`]: the engine searches it once for both).
pub const TRIGGERS: Triggers = Triggers {
    agent: &[OBSERVATION, ACTION, ANSWER],
    other: &[VARIABLE, "cannot be executed", "I may make a syntax error"],
};
const OBSERVATION: &str = "Observation";
const ACTION: &str = "Action";
/// ` Answer: #` without its space (other triggers may end with one).
const ANSWER: &str = "Answer: #";
const VARIABLE: &str = "variable #";

/// [`TRIGGERS`] searched alone, for [`call`] outside a check.
static OWN: Own = Own::new(TRIGGERS.agent);

/// What the module reads of an agent turn, from its hits.
#[derive(Debug, Default)]
struct Parsed {
    /// The length of the part the task reads: everything before `Observation:` (L190).
    part: usize,
    /// The starts of the `Action` and `Answer: #` hits in that part (buffers reused turn after
    /// turn).
    actions: Vec<usize>,
    answers: Vec<usize>,
}

impl Parsed {
    fn read(&mut self, text: &str, hits: impl Iterator<Item = (usize, usize)>) {
        self.actions.clear();
        self.answers.clear();
        self.part = text.len();
        for (trigger, at) in hits {
            match trigger {
                0 if text.as_bytes().get(at + OBSERVATION.len()) == Some(&b':') => {
                    self.part = at;
                    break;
                }
                1 => self.actions.push(at),
                2 => self.answers.push(at),
                _ => {}
            }
        }
        let part = self.part;
        // No hit that ends after the part is in it.
        self.actions.retain(|&at| at + ACTION.len() <= part);
        self.answers.retain(|&at| at + ANSWER.len() <= part);
    }

    fn of(text: &str) -> Parsed {
        let mut parsed = Parsed::default();
        parsed.read(text, OWN.hits(text).into_iter());
        parsed
    }
}

/// `re.findall(r'(?:Find|Final) Answer: #(\d+)', message)` (task.py L194) in the part the
/// task reads: the span of the number of the first match. Each ` Answer: #` (a hit of
/// `Answer: #` after a space, in `answers`) is a candidate (a match starts right before its
/// own, so candidates come in the order of matches), checked as the regex says.
fn final_answer(part: &str, answers: &[usize]) -> Option<(usize, usize)> {
    for &hit in answers {
        let Some(at) = hit.checked_sub(1).filter(|&at| part.as_bytes()[at] == b' ') else {
            continue;
        };
        let before = &part[..at];
        if before.ends_with("Find") || before.ends_with("Final") {
            let number = hit + ANSWER.len();
            if let Some(len) = digits(&part[number..]) {
                return Some((number, number + len));
            }
        }
    }
    None
}

/// The length of the run of `\d` (Unicode decimal digits) `rest` starts with, if any.
fn digits(rest: &str) -> Option<usize> {
    static DIGITS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\A\d+").unwrap());
    let ascii = rest.bytes().take_while(u8::is_ascii_digit).count();
    // A run that stops at ASCII (or at the end) is whole; otherwise the regex decides.
    match rest.as_bytes().get(ascii) {
        Some(b) if !b.is_ascii() => DIGITS.find(rest).map(|m| m.end()),
        _ => (ascii > 0).then_some(ascii),
    }
}

/// `re.match(r"Action.*?:", line)` (L209): the line starts with `Action` and has a `:` after
/// it (a line holds no line break for `.` to stop at).
fn is_action_line(line: &str) -> bool {
    line.strip_prefix("Action")
        .is_some_and(|rest| rest.contains(':'))
}

/// The env's rejections (L199, L208, L241-245, L256): a reply that starts with one of its
/// error sentences, or says anywhere that a call cannot be executed or may be a syntax error
/// (`hits`: the reply's hits, of which those two sentences are triggers 1 and 2).
fn is_rejection(reply: &str, mut hits: impl Iterator<Item = (usize, usize)>) -> bool {
    const STARTS: [&str; 3] = [
        "No executable function found!",
        "Invalid variable id!",
        "Function is not executed!",
    ];
    STARTS.iter().any(|s| reply.starts_with(s)) || hits.any(|(trigger, _)| trigger != 0)
}

/// `Observation: variable #N, which are instances of …` (api.py L95): the numbers of
/// `variable #(\d+)`, in order, from the reply's hits (those of `variable #` are trigger 0).
fn variables<'t>(
    text: &'t str,
    hits: impl Iterator<Item = (usize, usize)> + 't,
) -> impl Iterator<Item = &'t str> + 't {
    // A `variable #` inside the previous match is no match (none is: digits hold none).
    let mut pos = 0;
    hits.filter(|&(trigger, _)| trigger == 0)
        .filter_map(move |(_, at)| {
            if at < pos {
                return None;
            }
            let number = at + VARIABLE.len();
            pos = number;
            let len = digits(&text[number..])?;
            pos = number + len;
            Some(&text[number..number + len])
        })
}

/// The KG round limit (task.py L72).
const ROUND_LIMIT: usize = 15;

/// The action lines of the part of a turn the task reads (`part`, everything before
/// `Observation:`), from `actions`, the starts of every `Action` in it: each `Action` that
/// starts a line, up to the line's end, when an `:` follows it there (the first one runs,
/// L252).
fn action_lines<'t>(part: &'t str, actions: &[usize]) -> Vec<(usize, &'t str)> {
    let mut pos = 0;
    actions
        .iter()
        .filter_map(|&at| {
            if at < pos || (at > 0 && part.as_bytes()[at - 1] != b'\n') {
                return None;
            }
            let end = memchr::memchr(b'\n', &part.as_bytes()[at..]).map_or(part.len(), |k| at + k);
            pos = end;
            let line = &part[at..end];
            is_action_line(line).then_some((at, line))
        })
        .collect()
}

/// The call of a turn (`get_relations(Fair division)`), for repetition.
pub fn call(text: &str) -> Option<Cow<'_, str>> {
    let parsed = Parsed::of(text);
    let part = &text[..parsed.part];
    action_lines(part, &parsed.actions)
        .first()
        .map(|&(_, l)| call_of(l))
}

/// The call an action line makes: what follows its first `:`, `\_` read as `_`.
fn call_of(line: &str) -> Cow<'_, str> {
    let v = line[line.find(':').map_or(0, |i| i + 1)..].trim();
    if find!("\\_", v).is_some() {
        Cow::Owned(v.replace("\\_", "_"))
    } else {
        Cow::Borrowed(v)
    }
}

/// The rules this module reports: it runs when one of them is on.
pub const RULES: &[RuleId] = &[
    RuleId::InvalidActionKg,
    RuleId::FinalAnswerMalformed,
    RuleId::FinalAnswerMissing,
    RuleId::FormatMultipleActions,
];

/// `invalid-action/kg`, `final-answer/{missing,malformed}` and `format/multiple-actions`
/// (task.py L183-258).
pub fn check(cx: &mut Checker) {
    // Rejections the environment sent, attributed to the agent turn they answer.
    let mut rejected = HashSet::new();
    let replies: Vec<_> = cx
        .replies()
        .filter(|(env, _)| is_rejection(&env.text, cx.hits(env.index)))
        .collect();
    let mut parsed = Parsed::default();
    for (env, agent) in replies {
        let message = format!("the environment answered `{}`", quote(&env.text));
        match agent {
            Some(a) => {
                rejected.insert(a.index);
                parsed.read(&a.text, cx.hits(a.index));
                let span = action_lines(&a.text[..parsed.part], &parsed.actions)
                    .first()
                    .map_or((0, 0), |&(s, l)| (s, s + l.trim_end_matches('\r').len()));
                cx.report(RuleId::InvalidActionKg, a.index, span, message);
            }
            None => cx.report(RuleId::InvalidActionKg, env.index, (0, 0), message),
        }
    }
    let mut created = 0usize;
    let mut answered = false;
    let mut rounds = 0;
    let mut last: Option<&Turn> = None;
    for turn in cx.live() {
        if turn.role == crate::model::Role::Environment {
            for number in variables(&turn.text, cx.hits(turn.index)) {
                let n: usize = number.parse().unwrap_or(0);
                created = created.max(n.saturating_add(1));
            }
            continue;
        }
        if turn.role != crate::model::Role::Agent {
            continue;
        }
        rounds += 1;
        last = Some(turn);
        parsed.read(&turn.text, cx.hits(turn.index));
        let text = &turn.text[..parsed.part];
        let actions = action_lines(text, &parsed.actions);
        cx.remember_action(turn, actions.first().map(|&(_, line)| call_of(line)));
        if let Some((start, end)) = final_answer(text, &parsed.answers) {
            answered = true;
            let number = &text[start..end];
            let k: usize = number.parse().unwrap_or(usize::MAX);
            if k >= created {
                cx.report(
                    RuleId::FinalAnswerMalformed,
                    turn.index,
                    (start - 1, end),
                    format!(
                        "`#{number}` names a variable that was never created ({created} so far)"
                    ),
                );
            }
            continue;
        }
        if actions.is_empty() && !rejected.contains(&turn.index) {
            cx.report(
                RuleId::InvalidActionKg,
                turn.index,
                (0, 0),
                "no line starting with `Action` and no `Final Answer: #k`: KG answers `No executable function found!`".into(),
            );
        }
        if actions.len() > 1 {
            let (s, _) = actions[1];
            let (ls, le) = actions[actions.len() - 1];
            cx.report(
                RuleId::FormatMultipleActions,
                turn.index,
                (s, ls + le.len()),
                format!("{} `Action` lines: only the first one runs", actions.len()),
            );
        }
    }
    if let (false, Some(last)) = (answered, last) {
        cx.missing_final(last.index, rounds, ROUND_LIMIT, "KG", "`Final Answer: #k`");
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::model::Task;

    #[test]
    fn action_lines_are_the_regex_matches() {
        let re = regex::Regex::new(r"^Action.*?:").unwrap();
        for line in [
            "Action: x",
            "Action x",
            "Actions 2:",
            "action: x",
            " Action:",
            "Action",
            "Action:",
        ] {
            assert_eq!(super::is_action_line(line), re.is_match(line), "{line:?}");
        }
    }

    #[test]
    fn hand_matchers_find_what_the_regexes_find() {
        let fin = regex::Regex::new(r"(?:Find|Final) Answer: #(\d+)").unwrap();
        let var = regex::Regex::new(r"variable #(\d+)").unwrap();
        let action = regex::Regex::new(r"(?m)^Action.*?:").unwrap();
        let pieces = [
            "Final",
            "Find",
            "Fin",
            " Answer: #",
            "Answer: #",
            "variable #",
            "variable ",
            "#",
            "12",
            "7",
            "\u{663}",
            "\u{b2}",
            "x",
            " ",
            "\n",
            "\r",
            "Action",
            ":",
            "Observation:",
            "é",
            "Final Answer: #",
            "\nAction: ",
            "\nAction",
        ];
        let (mut finals, mut vars, mut actions) = (0, 0, 0);
        for text in random_texts(21, &pieces, 16, 20_000) {
            let want = fin
                .captures(&text)
                .map(|c| (c.get(1).unwrap().start(), c.get(1).unwrap().end()));
            let answers: Vec<usize> = super::OWN
                .hits(&text)
                .into_iter()
                .filter(|&(trigger, _)| trigger == 2)
                .map(|(_, at)| at)
                .collect();
            assert_eq!(super::final_answer(&text, &answers), want, "{text:?}");
            let parsed = super::Parsed::of(&text);
            finals += usize::from(want.is_some());
            let want: Vec<&str> = var
                .captures_iter(&text)
                .map(|c| c.get(1).unwrap().as_str())
                .collect();
            let replies = super::Own::new(super::TRIGGERS.other);
            let hits = replies.hits(&text).into_iter();
            assert_eq!(
                super::variables(&text, hits).collect::<Vec<_>>(),
                want,
                "{text:?}"
            );
            vars += want.len();
            // The lines the task reads, by the line-by-line definition.
            let part = &text[..text.find("Observation:").unwrap_or(text.len())];
            assert_eq!(part.len(), parsed.part);
            let want: Vec<(usize, &str)> = super::super::text::lines(part)
                .filter(|(_, l)| action.is_match(l))
                .collect();
            assert_eq!(super::action_lines(part, &parsed.actions), want, "{text:?}");
            actions += want.len();
        }
        assert!(
            finals > 500 && vars > 500 && actions > 1_000,
            "{finals} {vars} {actions}"
        );
    }

    #[test]
    fn rejections_are_attributed_to_the_call() {
        let t = traj(
            Task::Kg,
            &[
                (I, "q"),
                (A, "Thought: x\nAction: get_relations(Fair division"),
                (E, "I may make a syntax error when calling get_relations (e.g., unmatched parenthesis). I need to fix it and reuse the tool"),
                (A, "Thought: again\nAction: get_relations(Fair division)"),
                (E, "Observation: variable #0, which are instances of x"),
                (A, "Thought: done\nFinal Answer: #0"),
            ],
        );
        let f = findings_of(&t, RuleId::InvalidActionKg);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].turn, 1);
        assert_eq!(spanned(&t, &f[0]), "Action: get_relations(Fair division");
        assert!(f[0].message.contains("I may make a syntax error"));
        assert!(findings_of(&t, RuleId::FinalAnswerMissing).is_empty());
        assert!(findings_of(&t, RuleId::FinalAnswerMalformed).is_empty());
    }

    #[test]
    fn answer_beyond_the_variables_and_no_action() {
        let t = traj(
            Task::Kg,
            &[
                (I, "q"),
                (A, "Thought: hmm"),
                (E, "x"),
                (A, "Final Answer: #2"),
            ],
        );
        assert_eq!(findings_of(&t, RuleId::InvalidActionKg).len(), 1);
        let m = findings_of(&t, RuleId::FinalAnswerMalformed);
        assert_eq!(spanned(&t, &m[0]), "#2");
    }
}
