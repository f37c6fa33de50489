//! `outcome/failed`: the run's own verdict. Where the source records that an episode failed
//! (AgentBench's `agent invalid action`, `agent validation failed`, `task limit reached`,
//! `agent context limit` or `completedIncorrect`; a SWE-agent exit status other than
//! `submitted`; an error; a reward or result of 0), one finding says so on the last agent turn,
//! so that `check`, `&rule:` and the estimate see it. The verdict itself is mapped per format
//! in `load::outcome`; this module only words it.

use serde_json::Value;

use super::{quote, Checker, RuleId};
use crate::findings::Severity;
use crate::model::{Format, Role, Verdict};

/// The rules this module reports: it runs when one of them is on.
pub const RULES: &[RuleId] = &[RuleId::OutcomeFailed];

/// The fields that can carry the verdict, the most telling first.
const FIELDS: &[&str] = &[
    "overall.status",
    "status",
    "exit_status",
    "error",
    "reward",
    "result",
    "resolved",
    "success",
    "target",
];

pub fn check(cx: &mut Checker) {
    let t = cx.trajectory;
    let verdict = t.outcome.verdict;
    if !matches!(verdict, Verdict::Fail | Verdict::Error) {
        return;
    }
    let live = || t.turns.iter().rev().filter(|x| !x.demo);
    let Some(turn) = live()
        .find(|x| x.role == Role::Agent)
        .or_else(|| live().next())
    else {
        return;
    };
    let field = FIELDS.iter().find_map(|&key| {
        let value = t.outcome.fields.iter().find(|(k, _)| k == key)?.1.clone();
        telling(t.format, key, &value).then_some((key, value))
    });
    let recorded = match &field {
        Some((key, value)) => describe(t.format, key, value),
        None => "the run recorded a failure".to_string(),
    };
    // A failure the benchmark counts against the agent is an error; an error of the run (the
    // harness, the API, an exception) says nothing of the agent's turns: a warning.
    let severity = match verdict {
        Verdict::Error => Severity::Warn,
        _ => Severity::Error,
    };
    cx.report_at(
        RuleId::OutcomeFailed,
        Some(severity),
        turn.index,
        (0, 0),
        recorded,
    );
}

/// Whether the field says something of a failed run (an AgentBench `status` of `completed`
/// does not: the results file's `overall.status` does).
fn telling(format: Format, key: &str, value: &Value) -> bool {
    match (key, value) {
        (_, Value::Null) => false,
        ("status" | "overall.status", Value::String(s)) if format == Format::AgentBench => {
            crate::load::outcome::agentbench_status(s) != Verdict::Unknown
                && s != "completedCorrect"
        }
        ("error", Value::String(s)) => !s.trim().is_empty(),
        ("error", Value::Bool(b)) => *b,
        ("error", Value::Object(_)) => true,
        ("exit_status", Value::String(s)) => {
            !s.trim().to_ascii_lowercase().starts_with("submitted")
        }
        ("reward" | "result" | "resolved" | "success" | "target", v) => {
            matches!(v, Value::Bool(false)) || v.as_f64() == Some(0.0)
        }
        _ => false,
    }
}

/// What the run recorded, in words that name only the format's own facts.
fn describe(format: Format, key: &str, value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        // Inspect's error is an object with a message.
        Value::Object(o) => match o.get("message") {
            Some(Value::String(m)) => m.clone(),
            _ => value.to_string(),
        },
        other => other.to_string(),
    };
    match key {
        "status" | "overall.status" => {
            let why = match text.as_str() {
                "agent invalid action" => "the output parsed but is not a legal action",
                "agent validation failed" => "the output could not be parsed",
                "task limit reached" => "the round limit ran out",
                "agent context limit" => "the history outgrew the model's context",
                "completedIncorrect" => "the episode finished with a wrong result",
                "task error" => "the task raised an error",
                _ => "the episode failed",
            };
            format!("AgentBench recorded the status `{text}`: {why}")
        }
        "exit_status" => {
            let agent = match format {
                Format::MiniSweAgent => "mini-swe-agent",
                Format::SweAgent | Format::SweAgentRows => "SWE-agent",
                _ => "the run",
            };
            format!("{agent} ended with the exit status `{text}`, not `submitted`")
        }
        "error" => format!("the run recorded an error: `{}`", quote(&text)),
        _ => format!("the run recorded `{key}: {text}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::findings::Severity;
    use crate::model::{Format, Outcome, Task, Verdict};
    use serde_json::json;

    fn with(verdict: Verdict, fields: &[(&str, serde_json::Value)]) -> crate::model::Trajectory {
        let mut t = traj(
            Task::Generic,
            &[(I, "q"), (A, "a"), (E, "o"), (A, "b"), (E, "done")],
        );
        t.format = Format::AgentBench;
        t.outcome = Outcome {
            verdict,
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        };
        t
    }

    #[test]
    fn a_recorded_failure_is_a_finding_on_the_last_agent_turn() {
        let t = with(Verdict::Fail, &[("status", json!("agent invalid action"))]);
        let f = findings_of(&t, RuleId::OutcomeFailed);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].turn, 3);
        assert_eq!(f[0].severity, Severity::Error);
        assert_eq!(
            f[0].message,
            "AgentBench recorded the status `agent invalid action`: the output parsed but is not a legal action"
        );
        let completed = with(
            Verdict::Fail,
            &[
                ("status", json!("completed")),
                ("overall.status", json!("completedIncorrect")),
            ],
        );
        assert!(findings_of(&completed, RuleId::OutcomeFailed)[0]
            .message
            .contains("`completedIncorrect`"));
    }

    #[test]
    fn passes_and_unknowns_say_nothing_and_errors_are_warnings() {
        assert!(findings_of(&with(Verdict::Pass, &[]), RuleId::OutcomeFailed).is_empty());
        assert!(findings_of(&with(Verdict::Unknown, &[]), RuleId::OutcomeFailed).is_empty());
        let mut t = with(Verdict::Error, &[("error", json!("ValueError: boom"))]);
        t.format = Format::Inspect;
        let f = findings_of(&t, RuleId::OutcomeFailed);
        assert_eq!(f[0].severity, Severity::Warn);
        assert_eq!(
            f[0].message,
            "the run recorded an error: `ValueError: boom`"
        );
        let mut r = with(Verdict::Fail, &[("reward", json!(0))]);
        r.format = Format::FireAct;
        assert_eq!(
            findings_of(&r, RuleId::OutcomeFailed)[0].message,
            "the run recorded `reward: 0`"
        );
    }
}
