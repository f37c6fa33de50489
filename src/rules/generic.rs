//! Rules for every profile: empty agent turns and status sentinels, truncated context,
//! observations the agent wrote itself, and human/agent alternation.

use std::sync::LazyLock;

use regex::Regex;

use super::db::RESULT_LITERAL;
use super::Checker;
use crate::model::{Format, Role, Task, Turn};

/// The statuses AgentBench stores in place of the agent's content (server/task.py L150-154).
const SENTINELS: &[&str] = &["agent context limit", "cancelled", "normal"];

/// `[NOTICE] N messages are omitted.` (server/task.py L134-136), the OS cut (L505-508) and
/// DBBench's (Interaction.py L86-87).
static TRUNCATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[NOTICE\] \d+ messages are omitted\.|\[truncated because the output is too long\]|\[TRUNCATED\]")
        .unwrap()
});

/// Lines where the agent starts writing the environment's part: KG cuts the agent text at
/// `Observation:` (task.py L190); LangChain stops at `\nObservation`.
static OBSERVATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^[ \t]*Observation(?: \d+)?:").unwrap());
/// OS observations (task.py L503-516) and output blocks.
static OUTPUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*(?:The output of the OS|Output:|```output\b)").unwrap()
});

/// `empty-turn`, `context/truncated`, `agent-hallucinated-observation` and
/// `format/role-alternation`.
pub fn check(cx: &mut Checker) {
    let task = cx.task();
    let turns: Vec<&Turn> = cx.live().collect();
    for turn in &turns {
        let text = turn.text.as_str();
        if turn.role == Role::Agent && turn.tool_calls.is_empty() {
            let trimmed = text.trim();
            if trimmed.is_empty() {
                cx.report(
                    "empty-turn",
                    turn.index,
                    (0, text.len()),
                    "the agent turn is empty: AgentTuning's harness returns \"\" after an inference error".into(),
                );
            } else if SENTINELS.iter().any(|s| trimmed.eq_ignore_ascii_case(s)) {
                let start = text.len() - text.trim_start().len();
                cx.report(
                    "empty-turn",
                    turn.index,
                    (start, start + trimmed.len()),
                    format!("the agent turn is the status `{trimmed}`, stored in place of content"),
                );
            }
        }
        if turn.role == Role::Agent && task != Task::Swe {
            hallucinated(cx, task, turn);
        }
        for m in TRUNCATED.find_iter(text) {
            cx.report(
                "context/truncated",
                turn.index,
                (m.start(), m.end()),
                format!("`{}`: part of the text was cut", m.as_str()),
            );
        }
    }
    role_alternation(cx, task);
}

fn hallucinated(cx: &mut Checker, task: Task, turn: &Turn) {
    let text = turn.text.as_str();
    let mut at = OBSERVATION
        .find(text)
        .map(|m| (m.start(), "an `Observation:`"));
    if matches!(task, Task::Os | Task::Db) {
        if let Some(m) = OUTPUT.find(text) {
            if at.is_none_or(|(s, _)| m.start() < s) {
                at = Some((m.start(), "an output"));
            }
        }
    }
    if task == Task::Db {
        if let (Some(sql_end), Some(m)) = (
            text.find("```sql")
                .and_then(|s| text[s + 6..].find("\n```").map(|e| s + 6 + e + 4)),
            RESULT_LITERAL.find(text),
        ) {
            if m.start() >= sql_end && at.is_none_or(|(s, _)| m.start() < s) {
                at = Some((m.start(), "an SQL result"));
            }
        }
    }
    if let Some((start, what)) = at {
        let start = start + (text[start..].len() - text[start..].trim_start().len());
        cx.report(
            "agent-hallucinated-observation",
            turn.index,
            (start, text.trim_end().len().max(start)),
            format!("the agent writes {what} itself, instead of waiting for the environment"),
        );
    }
}

/// Strict human/agent alternation, as AgentTuning's harness asserts (agent.py L94-108), for
/// the text-protocol profiles.
fn role_alternation(cx: &mut Checker, task: Task) {
    // Tool-call protocols and transcripts (KnowAgent writes thought, plan and action as
    // separate lines) do not alternate by design.
    if matches!(task, Task::Swe | Task::Generic) || cx.trajectory.format == Format::KnowAgent {
        return;
    }
    let turns = cx.turns();
    let mut prev: Option<&Turn> = None;
    for turn in turns.iter().filter(|t| t.role != Role::System) {
        let agent = turn.role == Role::Agent;
        match prev {
            None if agent => cx.report(
                "format/role-alternation",
                turn.index,
                (0, 0),
                "the first turn is the agent's, not the human's".into(),
            ),
            Some(p) if (p.role == Role::Agent) == agent => cx.report(
                "format/role-alternation",
                turn.index,
                (0, 0),
                format!(
                    "two {} turns in a row (turns {} and {})",
                    if agent { "agent" } else { "human" },
                    p.index,
                    turn.index
                ),
            ),
            _ => {}
        }
        prev = Some(turn);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::model::Task;

    #[test]
    fn empty_and_sentinel_turns() {
        let t = traj(
            Task::Generic,
            &[
                (I, "q"),
                (A, " \n"),
                (E, "x"),
                (A, "agent context limit"),
                (E, "y"),
                (A, "fine"),
            ],
        );
        let f = findings_of(&t, "empty-turn");
        assert_eq!(f.iter().map(|f| f.turn).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(spanned(&t, &f[1]), "agent context limit");
    }

    #[test]
    fn truncation_notices() {
        let t = traj(
            Task::Os,
            &[
                (I, "q"),
                (A, "Act: finish"),
                (E, "a b [truncated because the output is too long]"),
            ],
        );
        let f = findings_of(&t, "context/truncated");
        assert_eq!(
            spanned(&t, &f[0]),
            "[truncated because the output is too long]"
        );
    }

    #[test]
    fn the_agent_writing_the_observation() {
        let t = traj(
            Task::Kg,
            &[
                (I, "q"),
                (
                    A,
                    "Thought: x\nAction: get_relations(a)\nObservation: [b, c]",
                ),
                (E, "Observation: [b]"),
                (A, "Final Answer: #0"),
            ],
        );
        let f = findings_of(&t, "agent-hallucinated-observation");
        assert_eq!(f.len(), 1);
        assert_eq!(spanned(&t, &f[0]), "Observation: [b, c]");
        let db = traj(
            Task::Db,
            &[
                (I, "q"),
                (A, "Action: Operation\n```sql\nSELECT 1\n```\n[(1,)]"),
            ],
        );
        assert_eq!(
            spanned(&db, &findings_of(&db, "agent-hallucinated-observation")[0]),
            "[(1,)]"
        );
    }

    #[test]
    fn consecutive_same_role_turns() {
        let t = traj(
            Task::Os,
            &[(I, "q"), (A, "Act: finish"), (A, "Act: finish")],
        );
        assert_eq!(findings_of(&t, "format/role-alternation")[0].turn, 2);
        let ok = traj(Task::Os, &[(I, "q"), (A, "Act: finish")]);
        assert!(findings_of(&ok, "format/role-alternation").is_empty());
    }
}
