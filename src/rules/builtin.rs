//! The built-in rules: each one's typed id ([`RuleId`]) and the string id findings carry, its
//! default severity, its one-line explanation and the benchmark code it follows.
//!
//! A rule module names the rules it reports by [`RuleId`], so a misspelt rule is a compile
//! error; the string id (`invalid-action/os`) is written once, in [`RuleId::as_str`].

use crate::findings::Severity;

/// A built-in rule. Its discriminant is its index in the registry and in every rule set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleId {
    InvalidActionOs,
    InvalidActionDb,
    InvalidActionKg,
    InvalidActionAlfworld,
    InvalidActionWebshop,
    InvalidActionMind2web,
    InvalidActionReact,
    InvalidActionTool,
    EnvErrorDb,
    RepetitionExact,
    RepetitionLoop,
    RepetitionToolCall,
    RepetitionClosingLoop,
    FinalAnswerMissing,
    FinalAnswerMalformed,
    TerminalSignature,
    AgentHallucinatedObservation,
    FormatMultipleActions,
    FormatRoleAlternation,
    EmptyTurn,
    ContextTruncated,
    OutcomeFailed,
}

use RuleId::*;

impl RuleId {
    /// The id that findings carry and that `--only`, `--skip`, rules files and the JSON output
    /// use: a family and a name (`invalid-action/os`) or a name alone (`empty-turn`).
    pub const fn as_str(self) -> &'static str {
        match self {
            InvalidActionOs => "invalid-action/os",
            InvalidActionDb => "invalid-action/db",
            InvalidActionKg => "invalid-action/kg",
            InvalidActionAlfworld => "invalid-action/alfworld",
            InvalidActionWebshop => "invalid-action/webshop",
            InvalidActionMind2web => "invalid-action/mind2web",
            InvalidActionReact => "invalid-action/react",
            InvalidActionTool => "invalid-action/tool",
            EnvErrorDb => "env-error/db",
            RepetitionExact => "repetition/exact",
            RepetitionLoop => "repetition/loop",
            RepetitionToolCall => "repetition/tool-call",
            RepetitionClosingLoop => "repetition/closing-loop",
            FinalAnswerMissing => "final-answer/missing",
            FinalAnswerMalformed => "final-answer/malformed",
            TerminalSignature => "terminal-signature",
            AgentHallucinatedObservation => "agent-hallucinated-observation",
            FormatMultipleActions => "format/multiple-actions",
            FormatRoleAlternation => "format/role-alternation",
            EmptyTurn => "empty-turn",
            ContextTruncated => "context/truncated",
            OutcomeFailed => "outcome/failed",
        }
    }

    /// The rule's place in the registry and in a rule set's list.
    pub(super) const fn index(self) -> usize {
        self as usize
    }
}

/// A built-in rule as registered: id, default severity, one-line explanation, and the
/// benchmark code it follows (`research/rules.md` §0 gives the repositories and commits).
pub(super) struct Builtin {
    pub id: RuleId,
    pub severity: Severity,
    pub explanation: &'static str,
    pub source: &'static str,
}

const fn rule(
    id: RuleId,
    severity: Severity,
    explanation: &'static str,
    source: &'static str,
) -> Builtin {
    Builtin {
        id,
        severity,
        explanation,
        source,
    }
}

use Severity::{Error, Info, Warn};

/// Every built-in rule, in the order of `research/rules.md` §11.
pub(super) const BUILTIN: &[Builtin] = &[
    rule(InvalidActionOs, Error, "OS agent turn without a usable `Act:` (bash, finish or answer(...))",
        "AgentBench v0.2 os_interaction/task.py L338-373, L492-495"),
    rule(InvalidActionDb, Error, "DB agent turn that DBBench cannot parse (Operation without a ```sql block, or no Final Answer)",
        "AgentBench v0.2 dbbench/__init__.py L101-130"),
    rule(InvalidActionKg, Error, "KG call the environment rejected, or an agent turn without an `Action` line",
        "AgentBench v0.2 knowledgegraph/task.py L199-256"),
    rule(InvalidActionAlfworld, Error, "ALFWorld turn without `ACTION:`, or an action the environment answered with `Nothing happens.`",
        "AgentBench v0.2 alfworld/utils.py L27, task.py L191-194; AgentBench fc task.py L192"),
    rule(InvalidActionWebshop, Error, "WebShop turn without `search[...]`/`click[...]`, or a click that left the page unchanged",
        "AgentBench v0.2 webshop/__init__.py L83-88; web_agent_text_env.py L105-110"),
    rule(InvalidActionMind2web, Error, "Mind2Web answer outside the grammar: no `Answer: A-F`, a verb outside CLICK/SELECT/TYPE, or a letter beyond the choices",
        "AgentBench v0.2 mind2web/task.py L198-206, L231-237"),
    rule(InvalidActionReact, Error, "ReAct turn with no parseable action and no final answer, or both",
        "LangChain react_single_input.py; AgentTuning hotpotQA/src/agent_arch.py L26-47, L218"),
    rule(InvalidActionTool, Error, "tool call to an undeclared tool, with arguments that are not JSON or lack required parameters, or answered by a call error",
        "OpenAI tools schema `required`; OpenHands `ERROR:` observations; Terminus parsing errors"),
    rule(EnvErrorDb, Warn, "the database answered the agent's SQL with a MySQL error",
        "AgentBench v0.2 dbbench/Interaction.py L84-85"),
    rule(RepetitionExact, Error, "the same agent output (or the same action) three times in a row, answered the same way each time (on ALFWorld, whatever the answers)",
        "AgentBench v0.2 alfworld/task.py L225-230 (AgentTuning L208-214); WebArena run.py L176-194"),
    rule(RepetitionLoop, Warn, "long-term repetition: an action re-issued across the episode and answered as before, or a repeating cycle",
        "AgentTuning webarena/run.py L195-200; AgentTuning error analysis (Function Repetition)"),
    rule(RepetitionToolCall, Warn, "the identical tool call (name and arguments) as in the agent's previous turn, answered the same way",
        "trev: the action-level repetition of research/rules.md §11 for tool calls"),
    rule(RepetitionClosingLoop, Warn, "consecutive agent turns that are only thanks, goodbyes or \"anything else?\"",
        "AgentBench v0.2 ltp/task.py L175-187, L317-318, L478-484"),
    rule(FinalAnswerMissing, Error, "the episode ends without the task's terminal action",
        "AgentBench v0.2 os L517-521; dbbench L123-130; knowledgegraph L194, L257; webshop L105"),
    rule(FinalAnswerMalformed, Warn, "a terminal action with a bad payload",
        "AgentBench v0.2 os L355-364; knowledgegraph L196-201; dbbench metrics L189-192"),
    rule(TerminalSignature, Warn, "shell or TTY residue (escape sequences, prompts, BEL, CRLF) in an OS observation, one finding per observation",
        "AgentBench v0.2 os_interaction/task.py L90-102 (commit 5c1c96e); AgentTuning L77-78"),
    rule(AgentHallucinatedObservation, Error, "the agent writes the environment's part (an observation or an output)",
        "AgentBench v0.2 knowledgegraph/task.py L190; LangChain stop=[\"\\nObservation\"]"),
    rule(FormatMultipleActions, Warn, "more than one action in one turn (only one runs)",
        "AgentBench v0.2 os L348, L368-370; dbbench prompt L19; knowledgegraph prompt L41, L252"),
    rule(FormatRoleAlternation, Error, "turns do not strictly alternate between human and agent",
        "AgentTuning AgentBench.old/src/agent.py L94-108; AgentBench v0.2 server/task.py L113"),
    rule(EmptyTurn, Error, "an agent turn that is empty, whitespace, or a status sentinel",
        "AgentBench v0.2 server/task.py L150-154; AgentTuning agent.py L84-91"),
    rule(ContextTruncated, Info, "the history was cut or an output was truncated",
        "AgentBench v0.2 server/task.py L134-136; os L505-508; dbbench Interaction.py L86-87"),
    rule(OutcomeFailed, Error, "the run itself recorded a failure (AgentBench status, SWE-agent exit status, an error, a reward of 0), on the last agent turn; a recorded error of the run is a warning",
        "AgentBench v0.2 src/typings/status.py L4-12; SWE-agent exit_status; load/outcome.rs"),
];

// Each rule once, in the order of its variant: [`RuleId::index`] finds it.
const _: () = {
    let mut i = 0;
    while i < BUILTIN.len() {
        assert!(
            BUILTIN[i].id.index() == i,
            "BUILTIN lists the rules in RuleId order"
        );
        i += 1;
    }
};
