//! From raw turns to the model: the task profile, which user turns are instructions and which
//! are environment replies, and which turns are in-context examples (demo).

use super::formats::{RawRecord, RawTurn, Speaker};
use crate::model::{Format, Role, Task, Turn};

/// The opening of the first user turn of each AgentBench / AgentInstruct task
/// (`research/rules.md` §11, note 2).
const PROMPT_PREFIXES: &[(&str, Task)] = &[
    (
        "You are an assistant that will act like a person, I'will play the role of linux",
        Task::Os,
    ),
    (
        "I will ask you a question, then you should help me operate a MySQL database",
        Task::Db,
    ),
    (
        "You are an agent that answers questions based on the knowledge stored",
        Task::Kg,
    ),
    ("Interact with a household to solve a task", Task::Alfworld),
    // ALFWorld's own opening observation, where the prompt was not kept (KnowAgent).
    ("You are in the middle of a room.", Task::Alfworld),
    ("You are web shopping.", Task::Webshop),
    ("'''\n<html>", Task::Mind2web),
];

/// The id prefixes AgentInstruct and AgentGym use (`os_42`, `webshop_5238`).
const ID_PREFIXES: &[(&str, Task)] = &[
    ("os_", Task::Os),
    ("db_", Task::Db),
    ("kg_", Task::Kg),
    ("alfworld_", Task::Alfworld),
    ("webshop_", Task::Webshop),
    ("mind2web_", Task::Mind2web),
];

/// The user turn that starts the real problem after a one-shot example (OS, KG).
const NEW_PROBLEM: &[&str] = &["Now, I will start a new problem", "A new question:"];

/// Work out the task profile of a record.
pub fn detect_task(id: Option<&str>, record: &RawRecord) -> Task {
    if let Some(id) = id {
        if let Some(&(_, task)) = ID_PREFIXES.iter().find(|(p, _)| id.starts_with(p)) {
            return task;
        }
    }
    let first_user = record
        .turns
        .iter()
        .find(|t| t.speaker == Speaker::User)
        .map(|t| t.text.trim_start());
    if let Some(text) = first_user {
        if let Some(&(_, task)) = PROMPT_PREFIXES.iter().find(|(p, _)| text.starts_with(p)) {
            return task;
        }
    }
    if matches!(
        record.format,
        Format::SweAgent | Format::SweAgentRows | Format::MiniSweAgent | Format::OpenHandsEval
    ) {
        return Task::Swe;
    }
    if looks_like_react(record) {
        return Task::React;
    }
    Task::Generic
}

/// Thought / Action / Observation markers in the first agent turns.
fn looks_like_react(record: &RawRecord) -> bool {
    record
        .turns
        .iter()
        .filter(|t| t.speaker == Speaker::Agent && t.tool_calls.is_empty())
        .take(3)
        .any(|t| {
            let text = t.text.trim_start();
            (text.starts_with("Thought") || text.contains("\nThought")) && text.contains("Action")
        })
}

/// Whether the task has AgentInstruct's layout: a prompt, an example or acknowledgement, and
/// then the real problem.
fn has_agentinstruct_layout(task: Task) -> bool {
    matches!(
        task,
        Task::Os | Task::Db | Task::Kg | Task::Alfworld | Task::Webshop | Task::Mind2web
    )
}

/// Indices of the demo turns and of the user turn that starts the real problem.
fn demo_range(task: Task, turns: &[RawTurn]) -> Option<(usize, usize)> {
    if !has_agentinstruct_layout(task) || turns.first()?.speaker != Speaker::User {
        return None;
    }
    // By the source's own flag: the example is the run of `loss: false` agent turns before the
    // first trained one (`loss: false` later on is a masked turn, not an example), and the
    // problem starts at the user turn just before that trained turn.
    let agent = |t: &RawTurn| t.speaker == Speaker::Agent;
    if let Some(trained) = turns.iter().position(|t| agent(t) && t.loss == Some(true)) {
        if turns[..trained]
            .iter()
            .any(|t| agent(t) && t.loss == Some(false))
        {
            let start = turns[..trained]
                .iter()
                .rposition(|t| t.speaker == Speaker::User)?;
            return (start > 0).then_some((1, start));
        }
    }
    // By structure: the OS one-shot ends where the new problem starts.
    if let Some(start) = turns.iter().skip(1).position(|t| {
        t.speaker == Speaker::User
            && NEW_PROBLEM
                .iter()
                .any(|p| t.text.trim_start().starts_with(p))
    }) {
        return Some((1, start + 1));
    }
    // Otherwise the prompt is answered by an acknowledgement ("Ok.") before the task comes
    // (Mind2Web has none: each of its turns is a question and an answer). That is a guess the
    // record's own flags overrule: where its agent turns carry `loss`, a first agent turn that
    // is trained is the agent's first step, not an example.
    let flagged = turns.iter().any(|t| agent(t) && t.loss.is_some());
    if task != Task::Mind2web
        && !flagged
        && turns.len() >= 3
        && turns[1].speaker == Speaker::Agent
        && turns[2].speaker == Speaker::User
    {
        return Some((1, 2));
    }
    None
}

/// Whether the environment answers in turns of its own role (`tool`, `observation`,
/// `tool_result`, …) or the record declares tools to call: then a user turn after the task is
/// the user speaking again, not an observation (AgentInstruct, AgentBench and FireAct put the
/// environment's replies in user turns, and have neither). Formats that name who speaks
/// (OpenHands' `source`, ATIF's step `source`, Claude Code's `tool_result` blocks) always
/// keep the user apart, even in a chat without a tool call.
pub fn environment_has_its_own_role(record: &RawRecord) -> bool {
    if matches!(
        record.format,
        Format::OpenHandsEvents | Format::OpenHandsEval | Format::Atif | Format::ClaudeCode
    ) {
        return true;
    }
    let declared = match &record.tools {
        None | Some(serde_json::Value::Null) => false,
        Some(serde_json::Value::Array(list)) => !list.is_empty(),
        Some(serde_json::Value::Object(map)) => !map.is_empty(),
        Some(serde_json::Value::String(s)) => !s.trim().is_empty() && s.trim() != "[]",
        Some(_) => true,
    };
    declared || record.turns.iter().any(|t| t.speaker == Speaker::Tool)
}

/// Turn raw turns into model turns for a record whose task is known. `follow_ups`: a user turn
/// after the task is the user's (an instruction), not the environment's (see
/// [`environment_has_its_own_role`]).
pub fn assign_roles(task: Task, raw: Vec<RawTurn>, follow_ups: bool) -> Vec<Turn> {
    let demo = demo_range(task, &raw);
    let mut seen_user = false;
    raw.into_iter()
        .enumerate()
        .map(|(index, t)| {
            let in_demo = demo.is_some_and(|(a, b)| index >= a && index < b);
            let starts_problem = demo.is_some_and(|(_, b)| index == b);
            let demo = t.demo || in_demo;
            let role = match t.speaker {
                Speaker::System => Role::System,
                Speaker::Agent => Role::Agent,
                Speaker::Tool => Role::Environment,
                Speaker::User if starts_problem => Role::Instruction,
                // The task prompt is the first user turn that is not part of an example.
                Speaker::User if !seen_user && !t.demo => Role::Instruction,
                // The user speaking again, where the environment has a role of its own.
                Speaker::User if follow_ups && !t.demo => Role::Instruction,
                Speaker::User => Role::Environment,
            };
            if t.speaker == Speaker::User && !t.demo {
                seen_user = true;
            }
            Turn {
                index,
                role,
                source_role: t.source_role,
                text: t.text,
                tool_calls: t.tool_calls,
                demo,
                answers: t.answers,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(turns: &[(Speaker, &str)]) -> Vec<RawTurn> {
        turns
            .iter()
            .map(|(s, text)| RawTurn {
                speaker: *s,
                source_role: "".into(),
                text: text.to_string(),
                tool_calls: Vec::new(),
                loss: None,
                demo: false,
                answers: None,
            })
            .collect()
    }

    fn record(turns: Vec<RawTurn>) -> RawRecord {
        RawRecord {
            format: Format::RoleContent,
            id: None,
            meta: Vec::new(),
            tools: None,
            episode: None,
            turns,
            notes: Vec::new(),
        }
    }

    use Speaker::{Agent, User};

    #[test]
    fn the_os_one_shot_is_demo_until_the_new_problem() {
        let turns = raw(&[
            (
                User,
                "You are an assistant that will act like a person, I'will play the role of linux",
            ),
            (Agent, "Act: bash"),
            (User, "The output of the OS:\n220"),
            (Agent, "Act: answer(220)"),
            (
                User,
                "Now, I will start a new problem in a new OS. My problem is:",
            ),
            (Agent, "Act: bash"),
            (User, "The output of the OS:"),
        ]);
        let task = detect_task(None, &record(turns.clone()));
        assert_eq!(task, Task::Os);
        let turns = assign_roles(task, turns, false);
        let got: Vec<(Role, bool)> = turns.iter().map(|t| (t.role, t.demo)).collect();
        assert_eq!(
            got,
            vec![
                (Role::Instruction, false),
                (Role::Agent, true),
                (Role::Environment, true),
                (Role::Agent, true),
                (Role::Instruction, false),
                (Role::Agent, false),
                (Role::Environment, false),
            ]
        );
    }

    #[test]
    fn the_kg_one_shot_is_demo_until_a_new_question() {
        let turns = raw(&[
            (
                User,
                "You are an agent that answers questions based on the knowledge stored",
            ),
            (Agent, "I've understood your instruction, start please."),
            (User, "Question: example?"),
            (Agent, "Final Answer: #0"),
            (User, "A new question: real?"),
            (Agent, "Action: get_relations(x)"),
        ]);
        let task = detect_task(None, &record(turns.clone()));
        assert_eq!(task, Task::Kg);
        let turns = assign_roles(task, turns, false);
        let demo: Vec<bool> = turns.iter().map(|t| t.demo).collect();
        assert_eq!(demo, [false, true, true, true, false, false]);
        assert_eq!(turns[4].role, Role::Instruction);
    }

    #[test]
    fn loss_false_marks_the_demo_where_present() {
        let mut turns = raw(&[
            (
                User,
                "I will ask you a question, then you should help me operate a MySQL database",
            ),
            (Agent, "Ok."),
            (User, "question"),
            (Agent, "Action: Operation"),
        ]);
        turns[1].loss = Some(false);
        turns[3].loss = Some(true);
        let turns = assign_roles(Task::Db, turns, false);
        assert!(turns[1].demo);
        assert_eq!(turns[2].role, Role::Instruction);
        assert!(!turns[3].demo);
    }

    #[test]
    fn masked_turns_are_not_taken_for_an_example() {
        let mut turns = raw(&[
            (
                User,
                "You are an assistant that will act like a person, I'will play the role of linux",
            ),
            (Agent, "Act: bash"),
            (User, "The output of the OS:\n220"),
            (User, "Now, I will start a new problem in a new OS."),
            (Agent, "Act: bash"),
            (User, "out"),
            (Agent, "Act: answer(1)"),
        ]);
        // Exported with the example trained and the last turn masked.
        turns[1].loss = Some(true);
        turns[4].loss = Some(true);
        turns[6].loss = Some(false);
        let turns = assign_roles(Task::Os, turns, false);
        assert!(turns[1].demo, "found by structure");
        assert_eq!(turns[3].role, Role::Instruction);
        assert!(!turns[6].demo);
    }

    #[test]
    fn loss_flags_overrule_the_acknowledgement_guess() {
        // An OS record without the usual one-shot example: the first agent turn is trained.
        let mut turns = raw(&[
            (
                User,
                "You are an assistant that will act like a person, I'will play the role of linux",
            ),
            (Agent, "Think: look.\n\nAct: bash\n\n```bash\nls\n```"),
            (User, "The output of the OS:\nfile"),
            (Agent, "Act: answer(file)"),
        ]);
        turns[1].loss = Some(true);
        turns[3].loss = Some(true);
        let task = detect_task(Some("os_7"), &record(turns.clone()));
        let turns = assign_roles(task, turns, false);
        let got: Vec<(Role, bool)> = turns.iter().map(|t| (t.role, t.demo)).collect();
        assert_eq!(
            got,
            [
                (Role::Instruction, false),
                (Role::Agent, false),
                (Role::Environment, false),
                (Role::Agent, false),
            ]
        );
    }

    #[test]
    fn the_acknowledgement_is_demo_when_the_flag_was_dropped() {
        let turns = raw(&[
            (User, "Interact with a household to solve a task."),
            (Agent, "OK."),
            (User, "Here is your task."),
            (Agent, "ACTION: go to desk 1"),
            (User, "On the desk 1, you see a pen."),
        ]);
        let task = detect_task(Some("alfworld_3"), &record(turns.clone()));
        assert_eq!(task, Task::Alfworld);
        let turns = assign_roles(task, turns, false);
        assert!(turns[1].demo);
        assert_eq!(turns[2].role, Role::Instruction);
        assert_eq!(turns[4].role, Role::Environment);
        assert!(!turns[3].demo && !turns[4].demo);
    }

    #[test]
    fn generic_chats_have_no_demo_and_later_users_are_environment() {
        let turns = raw(&[(User, "hi"), (Agent, "hello"), (User, "more")]);
        let task = detect_task(None, &record(turns.clone()));
        assert_eq!(task, Task::Generic);
        let turns = assign_roles(task, turns, false);
        assert!(turns.iter().all(|t| !t.demo));
        assert_eq!(turns[2].role, Role::Environment);
    }

    #[test]
    fn source_demo_turns_do_not_take_the_instruction() {
        let mut turns = raw(&[
            (User, "demo task"),
            (Agent, "demo"),
            (User, "real task"),
            (Agent, "x"),
        ]);
        turns[0].demo = true;
        turns[1].demo = true;
        let turns = assign_roles(Task::Swe, turns, false);
        assert_eq!(turns[0].role, Role::Environment);
        assert_eq!(turns[2].role, Role::Instruction);
        assert!(!turns[2].demo);
    }

    #[test]
    fn react_markers_give_the_react_profile() {
        let turns = raw(&[
            (User, "Question: who?"),
            (Agent, "Thought: I should search.\nAction: search[x]"),
        ]);
        assert_eq!(detect_task(None, &record(turns)), Task::React);
    }

    #[test]
    fn a_later_user_turn_is_the_users_where_the_environment_has_its_own_role() {
        use Speaker::Tool;
        let chat = || {
            raw(&[
                (User, "find it"),
                (Agent, "{\"name\": \"search\"}"),
                (Tool, "found"),
                (Agent, "here it is"),
                (User, "thanks, and the other one?"),
            ])
        };
        let rec = record(chat());
        assert!(environment_has_its_own_role(&rec));
        let roles: Vec<Role> = assign_roles(Task::Generic, chat(), true)
            .iter()
            .map(|t| t.role)
            .collect();
        use Role::{Agent as A, Environment as E, Instruction as I};
        assert_eq!(roles, [I, A, E, A, I]);
        // Observations in user turns (AgentInstruct): no tool turn, no tools declared.
        let plain = record(raw(&[(User, "task"), (Agent, "ls"), (User, "out")]));
        assert!(!environment_has_its_own_role(&plain));
        // Declared tools say the same, even before any call; an empty list says nothing.
        let mut declared = record(raw(&[(User, "hi"), (Agent, "hello"), (User, "more")]));
        declared.tools = Some(serde_json::json!([{"name": "search"}]));
        assert!(environment_has_its_own_role(&declared));
        declared.tools = Some(serde_json::json!([]));
        assert!(!environment_has_its_own_role(&declared));
        // A demo user turn stays the environment's.
        let mut turns = chat();
        turns[4].demo = true;
        assert_eq!(
            assign_roles(Task::Generic, turns, true)[4].role,
            Role::Environment
        );
    }
}
