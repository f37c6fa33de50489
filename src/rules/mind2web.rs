//! Mind2Web (AgentBench `mind2web/task.py`): one multiple-choice answer per turn, an action
//! verb from CLICK/SELECT/TYPE, and a letter among the listed choices.

use super::engine::Triggers;
use super::{quote, Checker, RuleId};
use crate::model::Role;

/// What the module looks for: in agent turns `Answer: ` and `Action:`, in the others the
/// choices (`A. ` to `F. `, kept where they start a line). The engine's hits of these are
/// all the module searches for.
pub const TRIGGERS: Triggers = Triggers {
    agent: &[ANSWER, ACTION],
    other: &["A. ", "B. ", "C. ", "D. ", "E. ", "F. "],
};
const ANSWER: &str = "Answer: ";
const ACTION: &str = "Action:";

/// `re.search(r"Answer: (A|B|C|D|E|F)", text)` (task.py L231): the span of the letter, from
/// the turn's hits.
fn answer(text: &str, hits: &[(usize, usize)]) -> Option<(usize, usize)> {
    hits.iter()
        .filter(|&&(trigger, _)| trigger == 0)
        .map(|&(_, at)| at + ANSWER.len())
        .find(|&at| matches!(text.as_bytes().get(at), Some(b'A'..=b'F')))
        .map(|at| (at, at + 1))
}

/// `re.search(r"Action: (CLICK|SELECT|TYPE)", text)` (L235), read as `Action: *([A-Za-z_]*)`
/// for the message: the span of the verb after the first `Action:`, from the turn's hits.
fn verb(text: &str, hits: &[(usize, usize)]) -> Option<(usize, usize)> {
    let (_, at) = hits.iter().find(|&&(trigger, _)| trigger == 1)?;
    let bytes = text.as_bytes();
    let run =
        |from: usize, f: fn(&u8) -> bool| from + bytes[from..].iter().take_while(|b| f(b)).count();
    let start = run(at + ACTION.len(), |&b| b == b' ');
    Some((start, run(start, |&b| b.is_ascii_alphabetic() || b == b'_')))
}

/// The choices listed in the prompt: the letters of the lines `A. None of the above`,
/// `B. <button …>` (`(?m)^([A-F])\. `), from the turn's hits.
fn choices(text: &str, hits: impl Iterator<Item = (usize, usize)>) -> String {
    hits.filter(|&(_, at)| at == 0 || text.as_bytes()[at - 1] == b'\n')
        .map(|(trigger, _)| char::from(b'A' + trigger as u8))
        .collect()
}

/// The rules this module reports: it runs when one of them is on.
pub const RULES: &[RuleId] = &[RuleId::InvalidActionMind2web];

/// `invalid-action/mind2web` (task.py L198-206, L231-237).
pub fn check(cx: &mut Checker) {
    if !cx.on(RuleId::InvalidActionMind2web) {
        return;
    }
    let mut listed = String::new();
    let mut hits = Vec::new();
    for turn in cx.live() {
        if turn.role != Role::Agent {
            if turn.role != Role::System {
                listed = choices(&turn.text, cx.hits(turn.index));
            }
            continue;
        }
        let text = turn.text.as_str();
        hits.clear();
        hits.extend(cx.hits(turn.index));
        match answer(text, &hits) {
            None => cx.report(
                RuleId::InvalidActionMind2web,
                turn.index,
                (0, 0),
                "no `Answer: A-F`: AgentBench silently takes A (None of the above)".into(),
            ),
            Some((s, e)) => {
                let letter = &text[s..e];
                if !listed.is_empty() && !listed.contains(letter) {
                    cx.report(
                        RuleId::InvalidActionMind2web,
                        turn.index,
                        (s, e),
                        format!("answer {letter} is beyond the listed choices ({listed})"),
                    );
                }
            }
        }
        if let Some((s, e)) = verb(text, &hits) {
            let v = &text[s..e];
            if !matches!(v, "CLICK" | "SELECT" | "TYPE") {
                cx.report(
                    RuleId::InvalidActionMind2web,
                    turn.index,
                    (s, e),
                    format!(
                        "action `{}` is not CLICK, SELECT or TYPE: it scores 0",
                        quote(v)
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::engine::Own;
    use super::super::testing::*;
    use super::TRIGGERS;
    use crate::model::Task;

    #[test]
    fn hits_find_what_the_regexes_find() {
        let answer = regex::Regex::new(r"Answer: (A|B|C|D|E|F)").unwrap();
        let verb = regex::Regex::new(r"Action: *([A-Za-z_]*)").unwrap();
        let choice = regex::Regex::new(r"(?m)^([A-F])\. ").unwrap();
        let pieces = [
            "Answer: ", "Answer:", "Action:", "Action: ", " ", "\n", "A", "B", "F", "G", ". ",
            "A. ", "x", "_", "é", "CLICK", "\r",
        ];
        let (agent, other) = (Own::new(TRIGGERS.agent), Own::new(TRIGGERS.other));
        let mut found = 0;
        for text in random_texts(13, &pieces, 12, 20_000) {
            let hits = agent.hits(&text);
            let span = |c: Option<regex::Captures>| {
                c.map(|c| (c.get(1).unwrap().start(), c.get(1).unwrap().end()))
            };
            let want = span(answer.captures(&text));
            assert_eq!(super::answer(&text, &hits), want, "{text:?}");
            found += usize::from(want.is_some());
            assert_eq!(
                super::verb(&text, &hits),
                span(verb.captures(&text)),
                "{text:?}"
            );
            let want: String = choice
                .captures_iter(&text)
                .map(|c| c[1].to_string())
                .collect();
            found += want.len();
            assert_eq!(
                super::choices(&text, other.hits(&text).into_iter()),
                want,
                "{text:?}"
            );
        }
        assert!(found > 2_000, "{found}");
    }

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
