//! Generic ReAct (LangChain `react_single_input.py`; AgentTuning HotpotQA `agent_arch.py`):
//! `Action: tool[input]` or `Action:`/`Action Input:`, or `Final Answer:`.

use std::sync::LazyLock;

use regex::Regex;

use super::text::find;
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
/// A HotpotQA / FireAct terminal action.
static FINISH: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\bfinish\[").unwrap());
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
        let final_answer = find!(FINAL_ANSWER, text);
        let act = action(text);
        if final_answer.is_some() || FINISH.is_match(text) {
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
                let (span, message) = match ACTION_LINE.captures_iter(text).last() {
                    Some(c) => {
                        let m = c.get(0).unwrap();
                        (
                            (
                                m.start(),
                                m.end() - m.as_str().len() + m.as_str().trim_end().len(),
                            ),
                            format!(
                                "`{}` is not `tool[input]` nor followed by `Action Input:`",
                                quote(m.as_str())
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
        if action(&agent.text).is_none() {
            continue; // already reported from the agent's own text
        }
        let span = action(&agent.text).map_or((0, 0), |(_, s, _)| s);
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
