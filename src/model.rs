//! The core model: trajectories, turns, steps and turn keys, independent of any source format.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

/// What a turn is, whatever the source called it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A system prompt.
    System,
    /// The task prompt: the first user turn, and the turn that starts the real problem after an
    /// in-context example.
    Instruction,
    /// What the agent said or did.
    Agent,
    /// What the environment (a shell, a database, a tool, a web page…) answered.
    Environment,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::System,
        Role::Instruction,
        Role::Agent,
        Role::Environment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::Instruction => "instruction",
            Role::Agent => "agent",
            Role::Environment => "environment",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The task profile: decides which rules apply and how actions are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    Os,
    Db,
    Kg,
    Alfworld,
    Webshop,
    Mind2web,
    React,
    Swe,
    Generic,
}

impl Task {
    pub const ALL: [Task; 9] = [
        Task::Os,
        Task::Db,
        Task::Kg,
        Task::Alfworld,
        Task::Webshop,
        Task::Mind2web,
        Task::React,
        Task::Swe,
        Task::Generic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Task::Os => "os",
            Task::Db => "db",
            Task::Kg => "kg",
            Task::Alfworld => "alfworld",
            Task::Webshop => "webshop",
            Task::Mind2web => "mind2web",
            Task::React => "react",
            Task::Swe => "swe",
            Task::Generic => "generic",
        }
    }

    pub fn parse(name: &str) -> Option<Task> {
        Task::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The source formats trev reads. Detected per record, or forced with `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Format {
    /// ShareGPT `conversations` with `from`/`value` (AgentInstruct, AgentGym, ETO, glaive).
    ShareGpt,
    /// `conversations` with `role`/`content` (AgentInstruct re-serialised, CodeActInstruct).
    RoleContent,
    /// OpenAI chat `messages`, with or without tool calls.
    OpenAi,
    /// FireAct evaluation dump entries (`traj` of chat messages, `reward`/`em`/`f1`).
    FireAct,
    /// SWE-agent `.traj` files (`history` and/or `trajectory`).
    SweAgent,
    /// SWE-agent trajectories as dataset rows (`trajectory` of `{role, text, mask}`).
    SweAgentRows,
    /// mini-swe-agent native trajectories.
    MiniSweAgent,
    /// Agent Trajectory Interchange Format (Harbor, Terminal-Bench).
    Atif,
    /// AgentBench `runs.jsonl` lines.
    AgentBench,
    /// KnowAgent text trajectories (`traj` is one string of `> action` lines).
    KnowAgent,
    /// Claude Code session logs: JSON Lines of `user`/`assistant` records linked by
    /// `parentUuid`, one trajectory per `sessionId`.
    ClaudeCode,
    /// An OpenHands event stream: a JSON array of actions and observations.
    OpenHandsEvents,
    /// OpenHands evaluation `output.jsonl` lines (`history` of events, `test_result`).
    OpenHandsEval,
    /// Inspect AI eval logs: one trajectory per sample (`.json` logs, `.eval` archives).
    Inspect,
}

impl Format {
    pub const ALL: [Format; 14] = [
        Format::ShareGpt,
        Format::RoleContent,
        Format::OpenAi,
        Format::FireAct,
        Format::SweAgent,
        Format::SweAgentRows,
        Format::MiniSweAgent,
        Format::Atif,
        Format::AgentBench,
        Format::KnowAgent,
        Format::ClaudeCode,
        Format::OpenHandsEvents,
        Format::OpenHandsEval,
        Format::Inspect,
    ];

    /// The name used on the command line and in machine output.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::ShareGpt => "sharegpt",
            Format::RoleContent => "role-content",
            Format::OpenAi => "openai",
            Format::FireAct => "fireact",
            Format::SweAgent => "swe-agent",
            Format::SweAgentRows => "swe-agent-rows",
            Format::MiniSweAgent => "mini-swe-agent",
            Format::Atif => "atif",
            Format::AgentBench => "agentbench",
            Format::KnowAgent => "knowagent",
            Format::ClaudeCode => "claude-code",
            Format::OpenHandsEvents => "openhands-events",
            Format::OpenHandsEval => "openhands-eval",
            Format::Inspect => "inspect",
        }
    }

    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an episode ended, as far as the source says: `pass`/`fail` only where a field states
/// correctness (a result, a reward of 1/0, `resolved`), `error` where the harness failed,
/// `unknown` where the source says only that the episode finished (or nothing).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
    Error,
    #[default]
    Unknown,
}

impl Verdict {
    pub const ALL: [Verdict; 4] = [
        Verdict::Pass,
        Verdict::Fail,
        Verdict::Error,
        Verdict::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Error => "error",
            Verdict::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A trajectory's outcome: the verdict and the raw fields it was read from (keys as in
/// `meta`; `overall.status` for an AgentBench run's results file, `index` for the episode's
/// index it was matched by).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Outcome {
    pub verdict: Verdict,
    pub fields: Vec<(String, serde_json::Value)>,
}

/// A call the agent made to a declared tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolCall {
    pub id: Option<String>,
    pub name: String,
    /// The arguments exactly as the source gave them: a JSON-encoded string in OpenAI data, the
    /// serialised object where the source stored an object.
    pub arguments: String,
}

/// One message of a trajectory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Turn {
    /// 0-based position in the trajectory's turn list, stable across loads.
    pub index: usize,
    pub role: Role,
    /// The role name the source used (`human`, `gpt`, `tool`, `function_call`, …).
    pub source_role: Cow<'static, str>,
    pub text: String,
    pub tool_calls: Vec<ToolCall>,
    /// An in-context example turn: shown dimmed, never flagged.
    pub demo: bool,
    /// The id of the tool call this turn is the result of, where the source names it (OpenAI's
    /// `tool_call_id`, Claude Code's `tool_use_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answers: Option<String>,
}

impl Turn {
    pub fn new(index: usize, role: Role, source_role: &str, text: String) -> Turn {
        Turn {
            index,
            role,
            source_role: role_name(source_role),
            text,
            tool_calls: Vec::new(),
            demo: false,
            answers: None,
        }
    }

    /// The call this turn answers, found among the tool calls of the turns before it: the
    /// turn that made it and the call.
    pub fn answered<'t>(&self, turns: &'t [Turn]) -> Option<(usize, &'t ToolCall)> {
        let id = self.answers.as_deref()?;
        turns[..self.index.min(turns.len())]
            .iter()
            .rev()
            .find_map(|t| {
                let call = t.tool_calls.iter().find(|c| c.id.as_deref() == Some(id))?;
                Some((t.index, call))
            })
    }
}

/// A source's role name, the usual ones shared rather than allocated for every turn.
pub fn role_name(name: &str) -> Cow<'static, str> {
    Cow::Borrowed(match name {
        "human" => "human",
        "gpt" => "gpt",
        "user" => "user",
        "assistant" => "assistant",
        "system" => "system",
        "tool" => "tool",
        "function" => "function",
        "function_call" => "function_call",
        "observation" => "observation",
        "agent" => "agent",
        "environment" => "environment",
        "ai" => "ai",
        "model" => "model",
        "bot" => "bot",
        "tool_call" => "tool_call",
        "ipython" => "ipython",
        "tool_response" => "tool_response",
        _ => return Cow::Owned(name.to_string()),
    })
}

/// Where a trajectory came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    pub file: Arc<Path>,
    /// 0-based index of the record within its file.
    pub record: usize,
    /// Byte range of the record in the (decompressed) file.
    pub start: u64,
    pub end: u64,
    /// 1-based line on which the record starts.
    pub line: u32,
}

/// A whole trajectory: an episode of an agent in an environment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trajectory {
    pub id: String,
    /// The run the trajectory's file belongs to: with the id, the trajectory's key (two runs
    /// of one benchmark share ids by design).
    pub run: Arc<str>,
    pub source: SourceRef,
    pub format: Format,
    pub task: Task,
    /// Outcome fields the source carries (AgentBench status, reward, exit status, resolved…).
    pub meta: Vec<(String, serde_json::Value)>,
    /// What the outcome fields say of the result, mapped per format (`load::outcome`).
    pub outcome: Outcome,
    /// The declared tool list (OpenAI `tools`, glaive `tools`, ATIF tool definitions), as given.
    pub tools: Option<serde_json::Value>,
    pub turns: Vec<Turn>,
}

/// The identity of a turn across loads: labels, findings and exports all use it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct TurnKey {
    pub trajectory: String,
    pub turn: usize,
}

/// An agent turn and the environment turns that answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// The agent turn, or `None` for environment turns that answer nothing (after the preamble).
    pub agent: Option<usize>,
    /// Turn indices `[start, end)` of the environment replies.
    pub environment: (usize, usize),
}

impl Trajectory {
    pub fn key(&self, turn: usize) -> TurnKey {
        TurnKey {
            trajectory: self.id.clone(),
            turn,
        }
    }

    /// The number of turns with each role, in [`Role::ALL`] order.
    pub fn role_counts(&self) -> [usize; 4] {
        let mut counts = [0; 4];
        for turn in &self.turns {
            counts[turn.role as usize] += 1;
        }
        counts
    }

    /// The agent turns that are reviewed and counted (not in-context examples), in order.
    pub fn agent_turns(&self) -> impl Iterator<Item = &Turn> {
        self.turns
            .iter()
            .filter(|t| t.role == Role::Agent && !t.demo)
    }

    /// The task as posed: the first instruction turn between the in-context example and the
    /// agent's first turn (AgentInstruct states the real problem after the example; the user's
    /// follow-ups in a chat come after the agent's first answer), else the first instruction
    /// that is not part of an example.
    pub fn instruction(&self) -> Option<&Turn> {
        let live = |t: &&Turn| t.role == Role::Instruction && !t.demo;
        let first_agent = self
            .agent_turns()
            .next()
            .map_or(self.turns.len(), |t| t.index)
            .min(self.turns.len());
        let after_example = self.turns[..first_agent]
            .iter()
            .rposition(|t| t.demo)
            .map_or(0, |i| i + 1);
        self.turns[after_example..first_agent]
            .iter()
            .find(live)
            .or_else(|| self.turns.iter().find(live))
    }

    /// Index of the first turn after the preamble (system prompt and instruction).
    pub fn preamble_len(&self) -> usize {
        self.turns
            .iter()
            .position(|t| t.role == Role::Agent || t.role == Role::Environment)
            .unwrap_or(self.turns.len())
    }

    /// Group the turns after the preamble into steps. Instruction turns in the middle of a
    /// trajectory (the start of the real problem after a demo) end the current step and are
    /// not part of any step.
    pub fn steps(&self) -> Vec<Step> {
        let mut steps = Vec::new();
        let mut i = self.preamble_len();
        let n = self.turns.len();
        while i < n {
            let role = self.turns[i].role;
            if role == Role::Instruction || role == Role::System {
                i += 1;
                continue;
            }
            let agent = (role == Role::Agent).then_some(i);
            if agent.is_some() {
                i += 1;
            }
            let env_start = i;
            while i < n && self.turns[i].role == Role::Environment {
                i += 1;
            }
            steps.push(Step {
                agent,
                environment: (env_start, i),
            });
        }
        steps
    }

    pub fn meta(&self, key: &str) -> Option<&serde_json::Value> {
        self.meta.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// A trajectory of the given turns, id `t`, from `f.jsonl`, for unit tests.
#[cfg(test)]
pub(crate) fn test_trajectory(task: Task, format: Format, turns: Vec<Turn>) -> Trajectory {
    Trajectory {
        id: "t".into(),
        run: Arc::from("f"),
        source: SourceRef {
            file: Arc::from(Path::new("f.jsonl")),
            record: 0,
            start: 0,
            end: 0,
            line: 1,
        },
        format,
        task,
        meta: Vec::new(),
        outcome: Outcome::default(),
        tools: None,
        turns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn traj(roles: &[Role]) -> Trajectory {
        let turns = roles
            .iter()
            .enumerate()
            .map(|(i, r)| Turn::new(i, *r, r.as_str(), String::new()))
            .collect();
        test_trajectory(Task::Generic, Format::OpenAi, turns)
    }

    #[test]
    fn steps_pair_agent_with_following_environment_turns() {
        use Role::*;
        let t = traj(&[
            System,
            Instruction,
            Agent,
            Environment,
            Environment,
            Agent,
            Agent,
            Environment,
        ]);
        let steps = t.steps();
        assert_eq!(
            steps,
            vec![
                Step {
                    agent: Some(2),
                    environment: (3, 5)
                },
                Step {
                    agent: Some(5),
                    environment: (6, 6)
                },
                Step {
                    agent: Some(6),
                    environment: (7, 8)
                },
            ]
        );
        assert_eq!(t.role_counts(), [1, 1, 3, 3]);
    }

    #[test]
    fn steps_skip_a_mid_trajectory_instruction() {
        use Role::*;
        let t = traj(&[Instruction, Agent, Environment, Instruction, Agent]);
        let steps = t.steps();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[1].agent, Some(4));
    }

    #[test]
    fn the_task_is_the_first_instruction_after_the_example_not_a_follow_up() {
        use Role::*;
        // A chat: the task, an answer, the user's follow-up.
        let t = traj(&[Instruction, Agent, Environment, Agent, Instruction, Agent]);
        assert_eq!(t.instruction().map(|x| x.index), Some(0));
        // AgentInstruct: the prompt, the example (demo), the real problem.
        let mut t = traj(&[Instruction, Agent, Environment, Agent, Instruction, Agent]);
        for i in 1..4 {
            t.turns[i].demo = true;
        }
        assert_eq!(t.instruction().map(|x| x.index), Some(4));
        // An example between the task and the agent (a thinking block): the task stays.
        let mut t = traj(&[Instruction, Agent, Agent]);
        t.turns[1].demo = true;
        assert_eq!(t.instruction().map(|x| x.index), Some(0));
        // No agent turn at all: the first instruction after the example.
        let mut t = traj(&[Instruction, Agent, Instruction, Instruction]);
        t.turns[1].demo = true;
        assert_eq!(t.instruction().map(|x| x.index), Some(2));
    }

    #[test]
    fn environment_without_agent_is_its_own_step() {
        use Role::*;
        let t = traj(&[Instruction, Environment, Agent]);
        let steps = t.steps();
        assert_eq!(steps[0].agent, None);
        assert_eq!(steps[0].environment, (1, 2));
    }
}
