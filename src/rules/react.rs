//! Generic ReAct (LangChain `react_single_input.py`; AgentTuning HotpotQA `agent_arch.py`):
//! `Action: tool[input]` or `Action:`/`Action Input:`, or `Final Answer:`.

use std::sync::LazyLock;

use regex::Regex;

use super::engine::{Own, Triggers};
use super::text::is_word_char;
use super::{quote, Checker, RuleId};
use crate::model::Turn;

/// LangChain's action regex (react_single_input.py), DOTALL.
static LANGCHAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)Action\s*\d*\s*:[\s]*(.*?)[\s]*Action\s*\d*\s*Input\s*\d*\s*:[\s]*(.*)")
        .unwrap()
});
/// An `Action:` line (HotpotQA and FireAct write `Action: search[...]`).
static ACTION_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^[ \t]*Action\s*\d*\s*:[ \t]*(.*)$").unwrap());
/// HotpotQA's `^(\w+)\[(.+)\]$` after stripping ' .' (agent_arch.py L26-47).
static BRACKET: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)^(\w+)\[(.+)\]$").unwrap());
/// `FINAL_ANSWER_ACTION = "Final Answer:"`.
const FINAL_ANSWER: &str = "Final Answer:";

/// What the module looks for in agent turns: `Action` (both action regexes start their
/// match at one, so they run from the first), `Final Answer:`, and the middle of a
/// `finish[` in any case (see [`finishes`]). The engine's hits of these are all the module
/// searches for; the replies are read at their start.
pub const TRIGGERS: Triggers = Triggers {
    agent: &[
        ACTION,
        FINAL_ANSWER,
        "inis",
        "iniS",
        "iniſ",
        "inIs",
        "inIS",
        "inIſ",
        "iNis",
        "iNiS",
        "iNiſ",
        "iNIs",
        "iNIS",
        "iNIſ",
        "Inis",
        "IniS",
        "Iniſ",
        "InIs",
        "InIS",
        "InIſ",
        "INis",
        "INiS",
        "INiſ",
        "INIs",
        "INIS",
        "INIſ",
    ],
    other: &[],
};
const ACTION: &str = "Action";

/// [`TRIGGERS`] searched alone, for [`action`] outside a check.
static OWN: Own = Own::new(TRIGGERS.agent);

/// What the module reads of an agent turn, from its hits.
#[derive(Debug, Default, Clone, Copy)]
struct Parsed {
    /// The first `Action`.
    action: Option<usize>,
    final_answer: Option<usize>,
    /// A HotpotQA / FireAct terminal action, `(?i)\bfinish\[`.
    finish: bool,
}

impl Parsed {
    fn read(text: &str, hits: impl Iterator<Item = (usize, usize)>) -> Parsed {
        let mut parsed = Parsed::default();
        for (trigger, at) in hits {
            match trigger {
                0 => {
                    parsed.action.get_or_insert(at);
                }
                1 => {
                    parsed.final_answer.get_or_insert(at);
                }
                _ => parsed.finish = parsed.finish || finishes(text, at),
            }
        }
        parsed
    }
}

/// Whether `(?i)\bfinish\[` matches around the case variant of `inis` at `at`: the `i`, `n`
/// and `h` of the regex fold to themselves in the other case, the `s` also to `ſ`, so every
/// match holds one of the variants in [`TRIGGERS`], after an `f` or `F` that starts a word,
/// and before an `h` or `H` and a `[`.
fn finishes(text: &str, at: usize) -> bool {
    let bytes = text.as_bytes();
    // Three ASCII letters, then `s`, `S` or the two bytes of `ſ`.
    let len = if bytes[at + 3].is_ascii() { 4 } else { 5 };
    let Some(f) = at.checked_sub(1) else {
        return false;
    };
    matches!(bytes[f], b'f' | b'F')
        && text[..f]
            .chars()
            .next_back()
            .is_none_or(|c| !is_word_char(c))
        && matches!(bytes.get(at + len), Some(b'h' | b'H'))
        && bytes.get(at + len + 1) == Some(&b'[')
}
/// The HotpotQA env's reply to an unparsable action (agent_arch.py L218).
const INVALID_REPLY: &str = "Invalid Action. Valid Actions are";

/// An environment reply without the `Observation:` / `Observation 3:` marker that ReAct text
/// split into turns keeps.
fn observation(text: &str) -> &str {
    let text = text.trim_start();
    let Some(rest) = text.strip_prefix("Observation") else {
        return text;
    };
    let rest = rest.trim_start_matches(|c: char| c == ' ' || c.is_ascii_digit());
    rest.strip_prefix(':').map_or(text, str::trim_start)
}

/// The action of a turn (`search[x]`, or `tool: input`), its span, and whether it finishes.
pub fn action(text: &str) -> Option<(String, (usize, usize), bool)> {
    action_from(text, Parsed::read(text, OWN.hits(text).into_iter()).action)
}

/// The line of `text` that holds byte `at`: where it starts. No match of [`ACTION_LINE`]
/// starts before the line of the first `Action`.
fn line_start(text: &str, at: usize) -> usize {
    memchr::memrchr(b'\n', &text.as_bytes()[..at]).map_or(0, |i| i + 1)
}

/// The last `Action:` line ([`ACTION_LINE`]) from the first `Action` on: its whole match and
/// its group, as spans in `text`.
fn last_action_line(text: &str, first: usize) -> Option<((usize, usize), (usize, usize))> {
    // The text from a line start: `^` holds where it held in the whole text.
    let from = line_start(text, first);
    let c = ACTION_LINE.captures_iter(&text[from..]).last()?;
    let (m, g) = (c.get(0).unwrap(), c.get(1).unwrap());
    Some((
        (from + m.start(), from + m.end()),
        (from + g.start(), from + g.end()),
    ))
}

/// [`action`], given the first `Action` (the engine's hit): both regexes start their
/// matches at an `Action`, and [`LANGCHAIN`] looks neither behind nor at the line.
fn action_from(text: &str, first: Option<usize>) -> Option<(String, (usize, usize), bool)> {
    let first = first?;
    if let Some(c) = LANGCHAIN.captures(&text[first..]) {
        let (a, b) = (c.get(1).unwrap(), c.get(2).unwrap());
        return Some((
            format!("{}: {}", a.as_str().trim(), b.as_str().trim()),
            (first + a.start(), first + b.end()),
            false,
        ));
    }
    let (_, (start, end)) = last_action_line(text, first)?;
    let v = text[start..end].trim_end_matches('\r');
    let stripped = v.trim_matches(|c| c == ' ' || c == '.');
    let c2 = BRACKET.captures(stripped)?;
    let finish = c2[1].eq_ignore_ascii_case("finish");
    Some((stripped.to_string(), (start, start + v.len()), finish))
}

/// The rules this module reports: it runs when one of them is on.
pub const RULES: &[RuleId] = &[RuleId::InvalidActionReact, RuleId::FinalAnswerMissing];

/// `invalid-action/react` and `final-answer/missing` for the ReAct profile.
pub fn check(cx: &mut Checker) {
    let mut finished = false;
    let mut last: Option<&Turn> = None;
    for turn in cx.agent_turns() {
        if !turn.tool_calls.is_empty() {
            continue;
        }
        last = Some(turn);
        let text = turn.text.as_str();
        let parsed = Parsed::read(text, cx.hits(turn.index));
        let final_answer = parsed.final_answer;
        let act = action_from(text, parsed.action);
        if final_answer.is_some() || parsed.finish {
            finished = true;
        }
        match (&act, final_answer) {
            (Some((a, span, false)), Some(_)) => cx.report(
                RuleId::InvalidActionReact,
                turn.index,
                *span,
                format!(
                    "both a final answer and the action `{}`: LangChain refuses to parse it",
                    quote(a)
                ),
            ),
            (None, None) => {
                let line = parsed
                    .action
                    .and_then(|first| last_action_line(text, first));
                let (span, message) = match line {
                    Some(((s, e), _)) => {
                        let m = &text[s..e];
                        (
                            (s, s + m.trim_end().len()),
                            format!(
                                "`{}` is not `tool[input]` nor followed by `Action Input:`",
                                quote(m)
                            ),
                        )
                    }
                    None => ((0, 0), "no `Action:` and no `Final Answer:`".to_string()),
                };
                cx.report(RuleId::InvalidActionReact, turn.index, span, message);
            }
            _ => {}
        }
    }
    let invalid: Vec<_> = cx
        .replies()
        .filter(|(env, _)| observation(&env.text).starts_with(INVALID_REPLY))
        .filter_map(|(env, agent)| agent.map(|a| (env, a)))
        .collect();
    for (env, agent) in invalid {
        let first = Parsed::read(&agent.text, cx.hits(agent.index)).action;
        let Some((_, span, _)) = action_from(&agent.text, first) else {
            continue; // already reported from the agent's own text
        };
        cx.report(
            RuleId::InvalidActionReact,
            agent.index,
            span,
            format!("the environment answered `{}`", quote(&env.text)),
        );
    }
    if let (false, Some(last)) = (finished, last) {
        cx.report(
            RuleId::FinalAnswerMissing,
            last.index,
            (0, 0),
            "the episode ends without `Final Answer:` or `Finish[...]`".into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::model::Task;

    /// The hits give what the regexes give on the whole text.
    #[test]
    fn hits_find_what_the_regexes_find() {
        let finish = regex::Regex::new(r"(?i)\bfinish\[").unwrap();
        let pieces = [
            "Action",
            "Action:",
            "Action 1:",
            " Input:",
            "Action Input: ",
            "\n",
            " ",
            "\t",
            "search[x]",
            "finish[",
            "FiNiSh[",
            "finiſh[",
            "ſ",
            "ı",
            "İ",
            "K",
            "f",
            "inish",
            "h[",
            "[",
            "]",
            "é",
            "x",
            "2",
            ".",
            "Final Answer:",
            "\r",
            "_",
        ];
        let (mut actions, mut finishes) = (0, 0);
        for text in random_texts(17, &pieces, 14, 30_000) {
            let parsed = super::Parsed::read(&text, super::OWN.hits(&text).into_iter());
            assert_eq!(parsed.finish, finish.is_match(&text), "{text:?}");
            finishes += usize::from(parsed.finish);
            assert_eq!(parsed.final_answer, text.find("Final Answer:"), "{text:?}");
            let want = whole_text_action(&text);
            actions += usize::from(want.is_some());
            assert_eq!(super::action(&text), want, "{text:?}");
            let line = parsed
                .action
                .and_then(|first| super::last_action_line(&text, first));
            let want = super::ACTION_LINE.captures_iter(&text).last().map(|c| {
                let (m, g) = (c.get(0).unwrap(), c.get(1).unwrap());
                ((m.start(), m.end()), (g.start(), g.end()))
            });
            assert_eq!(line, want, "{text:?}");
        }
        assert!(actions > 1_000 && finishes > 2_000, "{actions} {finishes}");
    }

    /// The action as the regexes read it over the whole text.
    fn whole_text_action(text: &str) -> Option<(String, (usize, usize), bool)> {
        use super::{ACTION_LINE, BRACKET, LANGCHAIN};
        if let Some(c) = LANGCHAIN.captures(text) {
            let (a, b) = (c.get(1).unwrap(), c.get(2).unwrap());
            return Some((
                format!("{}: {}", a.as_str().trim(), b.as_str().trim()),
                (a.start(), b.end()),
                false,
            ));
        }
        let c = ACTION_LINE.captures_iter(text).last()?;
        let m = c.get(1).unwrap();
        let v = m.as_str().trim_end_matches('\r');
        let stripped = v.trim_matches(|c| c == ' ' || c == '.');
        let c2 = BRACKET.captures(stripped)?;
        let finish = c2[1].eq_ignore_ascii_case("finish");
        Some((
            stripped.to_string(),
            (m.start(), m.start() + v.len()),
            finish,
        ))
    }

    #[test]
    fn invalid_action_replies_are_found_behind_an_observation_marker() {
        use super::observation;
        assert_eq!(
            observation("Observation 2: Invalid Action. x"),
            "Invalid Action. x"
        );
        assert_eq!(
            observation("  Observation: Invalid Action."),
            "Invalid Action."
        );
        assert_eq!(observation("Invalid Action."), "Invalid Action.");
        assert_eq!(
            observation("Observations are fine"),
            "Observations are fine"
        );
    }

    #[test]
    fn actions_are_parsed_like_hotpotqa_and_langchain() {
        use super::action;
        assert_eq!(
            action("Thought: x\nAction: search[a b]").unwrap().0,
            "search[a b]"
        );
        assert!(action("Action: finish[Seth]").unwrap().2);
        assert_eq!(
            action("Action: wiki\nAction Input: x").unwrap().0,
            "wiki: x"
        );
        assert!(action("Action: search a").is_none());
    }

    #[test]
    fn unparsable_turns_and_missing_finish() {
        let t = traj(
            Task::React,
            &[
                (I, "Who?"),
                (A, "Thought: I should search.\nAction: search for it"),
                (E, "Invalid Action. Valid Actions are Lookup[<topic>] Search[<topic>] and Finish[<answer>]."),
                (A, "Thought: ok\nAction: search[x]\nFinal Answer: y"),
            ],
        );
        let f = findings_of(&t, RuleId::InvalidActionReact);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(spanned(&t, &f[0]), "Action: search for it");
        assert!(findings_of(&t, RuleId::FinalAnswerMissing).is_empty());
    }

    #[test]
    fn a_clean_episode_has_no_findings() {
        let t = traj(
            Task::React,
            &[
                (I, "Who?"),
                (A, "Thought: search.\nAction: search[x]"),
                (E, "Observation: x is y"),
                (A, "Thought: done.\nAction: finish[y]"),
                (E, "Observation: Episode finished, reward = True"),
            ],
        );
        assert_eq!(crate::rules::RuleSet::builtin().check(&t), vec![]);
    }
}
