//! ALFWorld (AgentBench `alfworld/{task.py,utils.py}`): the `ACTION:` line, actions the
//! environment answers with `Nothing happens.`, and actions outside AVAILABLE ACTIONS.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use super::engine::Triggers;
use super::text::find;
use super::{quote, Checker, RuleId};
use crate::findings::Severity;

/// `re.search("ACTION:(.*)", action)`, case-sensitive (utils.py L27): the rest of the line
/// after the first `ACTION:`.
const ACTION: &str = "ACTION:";
/// TextWorld's answer to an inadmissible action (`prompts/alfworld_multiturn.json` L383).
static NOTHING: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^Nothing happens\.?$").unwrap());

/// The action of a turn as `process_action` reads it (stripped, lower case, first line), and
/// the span of the text after `ACTION:`.
pub fn action(text: &str) -> Option<(String, (usize, usize))> {
    action_from(text, find!(ACTION, text))
}

/// [`action`], given where the first `ACTION:` is (the engine's hit).
fn action_from(text: &str, marker: Option<usize>) -> Option<(String, (usize, usize))> {
    let at = marker? + ACTION.len();
    let v = text[at..].split('\n').next().unwrap_or("");
    let start = at + (v.len() - v.trim_start().len());
    let end = (at + v.trim_end().len()).max(start);
    Some((v.trim().to_lowercase(), (start, end)))
}

/// What the turn does, as repetition compares ALFWorld actions: its `ACTION:` (`action`, read
/// by [`action`]), or else a transcript's bare action line.
pub fn action_key(text: &str, action: Option<String>) -> Option<Cow<'_, str>> {
    action.map(Cow::Owned).or_else(|| {
        // A transcript's bare action line; its thoughts and plans are not actions.
        let line = text.lines().next()?.trim();
        let thought = ["Think:", "THOUGHT:", "ActionPath:"]
            .iter()
            .any(|p| line.starts_with(p));
        (!thought && !line.is_empty()).then(|| Cow::Owned(line.to_lowercase()))
    })
}

/// The span of the first line, trimmed: the action where a transcript has no `ACTION:`.
fn first_line(text: &str) -> (usize, usize) {
    let line = text.lines().next().unwrap_or("");
    let start = line.len() - line.trim_start().len();
    (start, line.trim_end().len().max(start))
}

/// The AVAILABLE ACTIONS list AgentBench v0.2 appends to observations (task.py L149-151).
/// `marker` is where its first `AVAILABLE ACTIONS:` is (the engine's hit).
fn available(observation: &str, marker: Option<usize>) -> Option<Vec<String>> {
    let list = &observation[marker? + MARKER.len()..];
    Some(
        list.lines()
            .map(|l| l.trim().to_lowercase())
            .filter(|l| !l.is_empty())
            .collect(),
    )
}

/// The header of the AVAILABLE ACTIONS list.
const MARKER: &str = "AVAILABLE ACTIONS:";

/// The rules this module reports: it runs when one of them is on.
pub const RULES: &[RuleId] = &[RuleId::InvalidActionAlfworld];

/// `ACTION:` in agent turns, the AVAILABLE ACTIONS list in the others: each turn's first one
/// is all the module reads. `ACTION:` in the other turns too: whether any turn has one (the
/// prompt explaining the protocol does) decides if a turn without it breaks the protocol.
pub const TRIGGERS: Triggers = Triggers {
    agent: &[ACTION],
    other: &[MARKER, ACTION],
};

/// The first hit of trigger `trigger` in the turn at `index`.
fn first(cx: &Checker, index: usize, trigger: usize) -> Option<usize> {
    cx.hits(index)
        .find(|&(t, _)| t == trigger)
        .map(|(_, at)| at)
}

/// Whether any turn has an `ACTION:`: the checked turns by their hits, the demo turns (which
/// the engine does not scan) by a search of their text.
fn has_protocol(cx: &Checker) -> bool {
    cx.turns().iter().any(|t| {
        if t.demo {
            t.text.contains(ACTION)
        } else {
            let trigger = usize::from(t.role != crate::model::Role::Agent);
            first(cx, t.index, trigger).is_some()
        }
    })
}

/// `invalid-action/alfworld` (utils.py L27; task.py L191-194; AB-fc task.py L192).
pub fn check(cx: &mut Checker) {
    if !cx.on(RuleId::InvalidActionAlfworld) {
        return;
    }
    // KnowAgent and other ALFWorld transcripts write bare actions; only AgentBench's protocol
    // (a prompt or turns with `ACTION:`) requires the marker.
    // Read only when a turn lacks the marker (rare).
    let mut protocol: Option<bool> = None;
    let mut offered: Option<Vec<String>> = None;
    for turn in cx.live() {
        match turn.role {
            crate::model::Role::Environment | crate::model::Role::Instruction => {
                offered = available(&turn.text, first(cx, turn.index, 0));
            }
            crate::model::Role::Agent => {
                let found = action_from(&turn.text, first(cx, turn.index, 0));
                let key = action_key(&turn.text, found.as_ref().map(|(a, _)| a.clone()));
                cx.remember_action(turn, key);
                match found {
                    None if !*protocol.get_or_insert_with(|| has_protocol(cx)) => {}
                    None => cx.report(
                        RuleId::InvalidActionAlfworld,
                        turn.index,
                        (0, 0),
                        "no `ACTION:` line: AgentBench stops with AGENT_INVALID_ACTION".into(),
                    ),
                    Some((act, span)) => {
                        if offered.as_ref().is_some_and(|l| !l.contains(&act)) {
                            cx.report_at(
                                RuleId::InvalidActionAlfworld,
                                Some(Severity::Warn),
                                turn.index,
                                span,
                                format!("`{}` is not in the AVAILABLE ACTIONS list", quote(&act)),
                            );
                        }
                    }
                }
            }
            crate::model::Role::System => {}
        }
    }
    let nothing: Vec<_> = cx
        .replies()
        .filter(|(env, _)| NOTHING.is_match(env.text.trim()))
        .collect();
    for (env, agent) in nothing {
        let message = format!(
            "the environment answered `{}`: the action is not admissible",
            quote(&env.text)
        );
        match agent {
            Some(a) => {
                let span = action_from(&a.text, first(cx, a.index, 0))
                    .map_or_else(|| first_line(&a.text), |(_, s)| s);
                cx.report(RuleId::InvalidActionAlfworld, a.index, span, message);
            }
            None => cx.report(RuleId::InvalidActionAlfworld, env.index, (0, 0), message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::findings::Severity;
    use crate::model::Task;

    #[test]
    fn nothing_happens_is_attributed_to_the_action() {
        let t = traj(
            Task::Alfworld,
            &[
                (I, "task"),
                (A, "THOUGHT: go.\n ACTION: go to desk 1"),
                (E, "On the desk 1, you see a pen 1."),
                (A, "ACTION: take pen from desk 1"),
                (E, "Nothing happens."),
            ],
        );
        let f = findings_of(&t, RuleId::InvalidActionAlfworld);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].turn, 3);
        assert_eq!(spanned(&t, &f[0]), "take pen from desk 1");
        assert!(f[0].message.contains("Nothing happens."));
    }

    #[test]
    fn missing_action_and_action_outside_the_list() {
        let t = traj(
            Task::Alfworld,
            &[
                (I, "task AVAILABLE ACTIONS: go to desk 1\nlook\n"),
                (A, "THOUGHT: hmm"),
                (E, "OK. AVAILABLE ACTIONS: go to desk 1\nlook\n"),
                (A, "ACTION: fly"),
                (E, "x"),
                (A, "ACTION: Look"),
            ],
        );
        let f = findings_of(&t, RuleId::InvalidActionAlfworld);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].severity, Severity::Error);
        assert_eq!(f[1].severity, Severity::Warn);
        assert_eq!(spanned(&t, &f[1]), "fly");
    }

    /// A turn without `ACTION:` breaks the protocol when some turn has one: the prompt, a demo
    /// turn (read by its text: the engine does not scan demo turns) or an agent turn.
    #[test]
    fn the_protocol_is_any_turn_with_an_action() {
        let turns = [
            (I, "task"),
            (A, "THOUGHT: x\nACTION: look"),
            (E, "ok"),
            (A, "look"),
        ];
        let missing = |t: &crate::model::Trajectory| {
            findings_of(t, RuleId::InvalidActionAlfworld)
                .iter()
                .filter(|f| f.message.starts_with("no `ACTION:`"))
                .map(|f| f.turn)
                .collect::<Vec<_>>()
        };
        // The agent's own `ACTION:` in turn 1.
        assert_eq!(missing(&traj(Task::Alfworld, &turns)), [3]);
        // None anywhere: a transcript of bare actions.
        let mut bare = turns;
        bare[1].1 = "look";
        assert!(missing(&traj(Task::Alfworld, &bare)).is_empty());
        // In the prompt only.
        let mut prompt = bare;
        prompt[0].1 = "Answer with ACTION: your action";
        assert_eq!(missing(&traj(Task::Alfworld, &prompt)), [1, 3]);
        // In a demo turn only.
        let mut demo = traj(Task::Alfworld, &turns);
        demo.turns[3].text = "look".into();
        demo.turns[1].demo = true;
        demo.turns[2].demo = true;
        assert_eq!(missing(&demo), [3]);
    }
}
