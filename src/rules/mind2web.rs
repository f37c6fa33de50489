//! Mind2Web (AgentBench `mind2web/task.py`): one multiple-choice answer per turn, an action
//! verb from CLICK/SELECT/TYPE, and a letter among the listed choices.

use std::sync::LazyLock;

use regex::Regex;

use super::{quote, Checker, RuleId};
use crate::model::Role;

/// `re.search(r"Answer: (A|B|C|D|E|F)", text)` (task.py L231).
static ANSWER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"Answer: (A|B|C|D|E|F)").unwrap());
/// `re.search(r"Action: (CLICK|SELECT|TYPE)", text)` (L235), and any verb for the message.
static VERB: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"Action: *([A-Za-z_]*)").unwrap());
/// The choices listed in the prompt: lines `A. None of the above`, `B. <button …>`.
static CHOICE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)^([A-F])\. ").unwrap());

/// The rules this module reports: it runs when one of them is on.
pub const RULES: &[RuleId] = &[RuleId::InvalidActionMind2web];

/// `invalid-action/mind2web` (task.py L198-206, L231-237).
pub fn check(cx: &mut Checker) {
    if !cx.on(RuleId::InvalidActionMind2web) {
        return;
    }
    let mut choices = String::new();
    for turn in cx.live() {
        if turn.role != Role::Agent {
            if turn.role != Role::System {
                choices = CHOICE
                    .captures_iter(&turn.text)
                    .map(|c| c[1].to_string())
                    .collect();
            }
            continue;
        }
        let text = turn.text.as_str();
        match ANSWER.captures(text) {
            None => cx.report(
                RuleId::InvalidActionMind2web,
                turn.index,
                (0, 0),
                "no `Answer: A-F`: AgentBench silently takes A (None of the above)".into(),
            ),
            Some(c) => {
                let m = c.get(1).unwrap();
                if !choices.is_empty() && !choices.contains(m.as_str()) {
                    cx.report(
                        RuleId::InvalidActionMind2web,
                        turn.index,
                        (m.start(), m.end()),
                        format!(
                            "answer {} is beyond the listed choices ({choices})",
                            m.as_str()
                        ),
                    );
                }
            }
        }
        if let Some(c) = VERB.captures(text) {
            let m = c.get(1).unwrap();
            if !matches!(m.as_str(), "CLICK" | "SELECT" | "TYPE") {
                cx.report(
                    RuleId::InvalidActionMind2web,
                    turn.index,
                    (m.start(), m.end()),
                    format!(
                        "action `{}` is not CLICK, SELECT or TYPE: it scores 0",
                        quote(m.as_str())
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::model::Task;

    #[test]
    fn verbs_and_letters_outside_the_grammar() {
        let q = "'''\n<html>…</html>\n'''\nA. None of the above\nB. <button>\nC. <input>";
        let t = traj(
            Task::Mind2web,
            &[
                (I, q),
                (A, "Answer: C.\nAction: SET\nValue: $50,000"),
                (I, q),
                (A, "Answer: E.\nAction: CLICK"),
                (I, q),
                (
                    A,
                    "Thought: I need to type.\nAnswer: C.\nAction: TYPE\nValue: 123456",
                ),
            ],
        );
        let f = findings_of(&t, RuleId::InvalidActionMind2web);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(spanned(&t, &f[0]), "SET");
        assert_eq!(spanned(&t, &f[1]), "E");
    }
}
