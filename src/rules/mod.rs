//! The rule engine: the registry of built-in rules, user rules, selection (`--only`, `--skip`)
//! and [`RuleSet::check`], which turns one trajectory into its findings.
//!
//! Built-in rules follow what the benchmarks themselves count (`research/rules.md` §11). Each
//! module checks one task profile or one concern; all of them report through a `Checker`,
//! which drops findings of disabled rules, applies severity overrides and never reports on a
//! demo turn.

mod alfworld;
mod db;
mod generic;
mod kg;
mod mind2web;
mod os;
mod react;
mod repetition;
pub mod text;
mod tools;
pub mod user;
mod webshop;

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use crate::findings::{Finding, Severity};
use crate::model::{Role, Task, Trajectory, Turn};

pub use user::{RulesError, RulesFile};

/// A built-in rule as registered: id, default severity, one-line explanation, and the
/// benchmark code it follows (`research/rules.md` §0 gives the repositories and commits).
struct Builtin {
    id: &'static str,
    severity: Severity,
    explanation: &'static str,
    source: &'static str,
}

const fn rule(
    id: &'static str,
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
const BUILTIN: &[Builtin] = &[
    rule("invalid-action/os", Error, "OS agent turn without a usable `Act:` (bash, finish or answer(...))",
        "AgentBench v0.2 os_interaction/task.py L338-373, L492-495"),
    rule("invalid-action/db", Error, "DB agent turn that DBBench cannot parse (Operation without a ```sql block, or no Final Answer)",
        "AgentBench v0.2 dbbench/__init__.py L101-130"),
    rule("invalid-action/kg", Error, "KG call the environment rejected, or an agent turn without an `Action` line",
        "AgentBench v0.2 knowledgegraph/task.py L199-256"),
    rule("invalid-action/alfworld", Error, "ALFWorld turn without `ACTION:`, or an action the environment answered with `Nothing happens.`",
        "AgentBench v0.2 alfworld/utils.py L27, task.py L191-194; AgentBench fc task.py L192"),
    rule("invalid-action/webshop", Error, "WebShop turn without `search[...]`/`click[...]`, or a click that left the page unchanged",
        "AgentBench v0.2 webshop/__init__.py L83-88; web_agent_text_env.py L105-110"),
    rule("invalid-action/mind2web", Error, "Mind2Web answer outside the grammar: no `Answer: A-F`, a verb outside CLICK/SELECT/TYPE, or a letter beyond the choices",
        "AgentBench v0.2 mind2web/task.py L198-206, L231-237"),
    rule("invalid-action/react", Error, "ReAct turn with no parseable action and no final answer, or both",
        "LangChain react_single_input.py; AgentTuning hotpotQA/src/agent_arch.py L26-47, L218"),
    rule("invalid-action/tool", Error, "tool call to an undeclared tool, with arguments that are not JSON or lack required parameters, or answered by a call error",
        "OpenAI tools schema `required`; OpenHands `ERROR:` observations; Terminus parsing errors"),
    rule("env-error/db", Warn, "the database answered the agent's SQL with a MySQL error",
        "AgentBench v0.2 dbbench/Interaction.py L84-85"),
    rule("repetition/exact", Error, "the same agent output (or the same action) three times in a row",
        "AgentBench v0.2 alfworld/task.py L225-230 (AgentTuning L208-214); WebArena run.py L176-194"),
    rule("repetition/loop", Warn, "long-term repetition: an action re-issued across the episode, or a repeating cycle",
        "AgentTuning webarena/run.py L195-200; AgentTuning error analysis (Function Repetition)"),
    rule("repetition/tool-call", Warn, "the identical tool call (name and arguments) as in the agent's previous turn",
        "trev: the action-level repetition of research/rules.md §11 for tool calls"),
    rule("repetition/closing-loop", Warn, "consecutive agent turns that are only thanks, goodbyes or \"anything else?\"",
        "AgentBench v0.2 ltp/task.py L175-187, L317-318, L478-484"),
    rule("final-answer/missing", Error, "the episode ends without the task's terminal action",
        "AgentBench v0.2 os L517-521; dbbench L123-130; knowledgegraph L194, L257; webshop L105"),
    rule("final-answer/malformed", Warn, "a terminal action with a bad payload",
        "AgentBench v0.2 os L355-364; knowledgegraph L196-201; dbbench metrics L189-192"),
    rule("terminal-signature", Warn, "shell or TTY residue (escape sequences, prompts, BEL, CRLF) in an OS observation",
        "AgentBench v0.2 os_interaction/task.py L90-102 (commit 5c1c96e); AgentTuning L77-78"),
    rule("agent-hallucinated-observation", Error, "the agent writes the environment's part (an observation or an output)",
        "AgentBench v0.2 knowledgegraph/task.py L190; LangChain stop=[\"\\nObservation\"]"),
    rule("format/multiple-actions", Warn, "more than one action in one turn (only one runs)",
        "AgentBench v0.2 os L348, L368-370; dbbench prompt L19; knowledgegraph prompt L41, L252"),
    rule("format/role-alternation", Error, "turns do not strictly alternate between human and agent",
        "AgentTuning AgentBench.old/src/agent.py L94-108; AgentBench v0.2 server/task.py L113"),
    rule("empty-turn", Error, "an agent turn that is empty, whitespace, or a status sentinel",
        "AgentBench v0.2 server/task.py L150-154; AgentTuning agent.py L84-91"),
    rule("context/truncated", Info, "the history was cut or an output was truncated",
        "AgentBench v0.2 server/task.py L134-136; os L505-508; dbbench Interaction.py L86-87"),
];

/// One rule as the user sees it in listings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    pub id: Arc<str>,
    pub severity: Severity,
    pub explanation: String,
    /// Where the rule comes from: the benchmark code for built-in rules, `file:line:column`
    /// for user rules.
    pub source: String,
    pub enabled: bool,
    /// Built in, as opposed to defined in a rules file.
    pub builtin: bool,
    /// Set when a rules file changed the severity: every finding of the rule gets it.
    severity_override: Option<Severity>,
}

/// Errors in choosing rules.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    #[error("unknown rule '{0}' (see the rule table in README.md)")]
    UnknownRule(String),
}

/// The rules to run, built in and user defined, with their settings.
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<RuleInfo>,
    user: Vec<user::UserRule>,
}

impl RuleSet {
    /// Every built-in rule, enabled, at its default severity.
    pub fn builtin() -> RuleSet {
        RuleSet {
            rules: BUILTIN
                .iter()
                .map(|b| RuleInfo {
                    id: b.id.into(),
                    severity: b.severity,
                    explanation: b.explanation.to_string(),
                    source: b.source.to_string(),
                    enabled: true,
                    builtin: true,
                    severity_override: None,
                })
                .collect(),
            user: Vec::new(),
        }
    }

    /// Add the rules of a rules file and apply its settings for built-in rules. A user rule
    /// with the id of an earlier user rule replaces it.
    pub fn with_user_rules(mut self, file: RulesFile) -> Result<RuleSet, RulesError> {
        for (id, setting, at) in file.builtin {
            let mut matched = false;
            for info in self
                .rules
                .iter_mut()
                .filter(|r| r.builtin && matches_name(&r.id, &id))
            {
                matched = true;
                match setting {
                    None => info.enabled = false,
                    Some(s) => {
                        info.enabled = true;
                        info.severity = s;
                        info.severity_override = Some(s);
                    }
                }
            }
            if !matched {
                return Err(at.error(format!(
                    "unknown built-in rule '{id}' (user rules go in [[rule]] tables)"
                )));
            }
        }
        for rule in file.rules {
            if let Some(b) = self.rules.iter().find(|r| r.builtin && *r.id == *rule.id) {
                return Err(rule.at.error(format!(
                    "rule id '{}' is a built-in rule; choose another id, or set its severity under [builtin]",
                    b.id
                )));
            }
            self.rules.retain(|r| *r.id != *rule.id);
            self.user.retain(|u| u.id != rule.id);
            self.rules.push(RuleInfo {
                id: rule.id.as_str().into(),
                severity: rule.severity,
                explanation: rule.message.clone(),
                source: rule.at.to_string(),
                enabled: true,
                builtin: false,
                severity_override: None,
            });
            self.user.push(rule);
        }
        Ok(self)
    }

    /// Read a rules file and add it (see [`RuleSet::with_user_rules`]).
    pub fn with_rules_file(self, path: &Path) -> Result<RuleSet, RulesError> {
        self.with_user_rules(RulesFile::read(path)?)
    }

    /// Keep only the rules named in `only` (when not empty), then turn off those in `skip`. A
    /// name matches a rule id exactly or is a family prefix (`invalid-action` matches
    /// `invalid-action/os`).
    pub fn select(&mut self, only: &[String], skip: &[String]) -> Result<(), SelectError> {
        for name in only.iter().chain(skip) {
            if !self.rules.iter().any(|r| matches_name(&r.id, name)) {
                return Err(SelectError::UnknownRule(name.clone()));
            }
        }
        for r in &mut self.rules {
            if !only.is_empty() && !only.iter().any(|n| matches_name(&r.id, n)) {
                r.enabled = false;
            }
            if skip.iter().any(|n| matches_name(&r.id, n)) {
                r.enabled = false;
            }
        }
        Ok(())
    }

    /// Every rule, built in first, with its current settings.
    pub fn rules(&self) -> &[RuleInfo] {
        &self.rules
    }

    /// The findings of every enabled rule on one trajectory, ordered by turn and span.
    pub fn check(&self, trajectory: &Trajectory) -> Vec<Finding> {
        self.check_indexed(trajectory)
            .into_iter()
            .map(|(_, f)| f)
            .collect()
    }

    /// [`RuleSet::check`], each finding with the index of its rule in [`RuleSet::rules`].
    pub fn check_indexed(&self, trajectory: &Trajectory) -> Vec<(usize, Finding)> {
        let mut cx = Checker::new(trajectory, &self.rules);
        // A module runs only when one of its rules is on: `--only` costs what it runs.
        let module: Option<Module> = match trajectory.task {
            Task::Os => Some((os::RULES, os::check)),
            Task::Db => Some((db::RULES, db::check)),
            Task::Kg => Some((kg::RULES, kg::check)),
            Task::Alfworld => Some((alfworld::RULES, alfworld::check)),
            Task::Webshop => Some((webshop::RULES, webshop::check)),
            Task::Mind2web => Some((mind2web::RULES, mind2web::check)),
            Task::React => Some((react::RULES, react::check)),
            Task::Swe | Task::Generic => None,
        };
        let generic: [Module; 3] = [
            (tools::RULES, tools::check),
            (repetition::RULES, repetition::check),
            (generic::RULES, generic::check),
        ];
        for (rules, check) in module.into_iter().chain(generic) {
            if rules.iter().any(|id| cx.on(id)) {
                check(&mut cx);
            }
        }
        for rule in &self.user {
            if cx.on(&rule.id) {
                rule.check(&mut cx);
            }
        }
        let mut findings = cx.findings;
        findings
            .sort_by(|(_, a), (_, b)| (a.turn, a.span, &a.rule).cmp(&(b.turn, b.span, &b.rule)));
        findings
    }
}

/// A rule module: the rules it reports and its check.
type Module = (&'static [&'static str], fn(&mut Checker));

fn matches_name(id: &str, name: &str) -> bool {
    id == name
        || id
            .strip_prefix(name.trim_end_matches('/'))
            .is_some_and(|rest| rest.starts_with('/'))
}

/// What the rule modules see: the trajectory and a sink for findings.
pub(crate) struct Checker<'a> {
    pub trajectory: &'a Trajectory,
    rules: &'a [RuleInfo],
    /// Each finding with the index of its rule.
    findings: Vec<(usize, Finding)>,
    /// The trajectory's id, made once for all its findings.
    trajectory_id: Option<Arc<str>>,
    /// By turn index: the action a task's rules read from an agent turn, kept for
    /// [`repetition`] (which compares actions) so that each turn is read once.
    actions: Vec<Option<Option<Cow<'a, str>>>>,
    /// The index of the rule last reported: a module reports runs of one rule.
    last_rule: Option<usize>,
}

impl<'a> Checker<'a> {
    fn new(trajectory: &'a Trajectory, rules: &'a [RuleInfo]) -> Checker<'a> {
        Checker {
            trajectory,
            rules,
            findings: Vec::new(),
            trajectory_id: None,
            actions: Vec::new(),
            last_rule: None,
        }
    }

    /// Whether the rule runs.
    pub fn on(&self, id: &str) -> bool {
        self.rules.iter().any(|r| r.enabled && &*r.id == id)
    }

    pub fn task(&self) -> Task {
        self.trajectory.task
    }

    pub fn turns(&self) -> &'a [Turn] {
        &self.trajectory.turns
    }

    /// `final-answer/missing` on the last agent turn, noting a reached round limit (the
    /// benchmark's `TASK_LIMIT_REACHED`): `benchmark` names it, `wanted` is the terminal action.
    pub fn missing_final(
        &mut self,
        last: usize,
        rounds: usize,
        limit: usize,
        benchmark: &str,
        wanted: &str,
    ) {
        let after = if rounds >= limit {
            format!(" after {rounds} rounds (the {benchmark} round limit is {limit})")
        } else {
            String::new()
        };
        self.report(
            "final-answer/missing",
            last,
            (0, 0),
            format!("the episode ends{after} without {wanted}"),
        );
    }

    /// Report at the rule's severity.
    pub fn report(&mut self, id: &str, turn: usize, span: (usize, usize), message: String) {
        self.report_at(id, None, turn, span, message);
    }

    /// Report at `severity` instead of the rule's default (a rules file's setting still wins).
    /// Findings on demo turns and of disabled rules are dropped.
    pub fn report_at(
        &mut self,
        id: &str,
        severity: Option<Severity>,
        turn: usize,
        span: (usize, usize),
        message: String,
    ) {
        let Some(rule) = self.rule_index(id) else {
            debug_assert!(false, "unregistered rule {id}");
            return;
        };
        let info = &self.rules[rule];
        let Some(t) = self.trajectory.turns.get(turn) else {
            return;
        };
        if !info.enabled || t.demo {
            return;
        }
        let valid =
            span.0 <= span.1 && t.text.is_char_boundary(span.0) && t.text.is_char_boundary(span.1);
        debug_assert!(valid, "{id}: bad span {span:?}");
        let span = if valid { span } else { (0, 0) };
        let severity = info.severity_override.or(severity).unwrap_or(info.severity);
        self.findings.push((
            rule,
            Finding {
                rule: info.id.clone(),
                severity,
                trajectory: self
                    .trajectory_id
                    .get_or_insert_with(|| self.trajectory.id.as_str().into())
                    .clone(),
                turn: t.index,
                span,
                message,
            },
        ));
    }

    /// The index of the rule `id` in the rule list.
    fn rule_index(&mut self, id: &str) -> Option<usize> {
        if let Some(rule) = self.last_rule.filter(|&r| *self.rules[r].id == *id) {
            return Some(rule);
        }
        let rule = self.rules.iter().position(|r| &*r.id == id)?;
        self.last_rule = Some(rule);
        Some(rule)
    }

    /// Keep the action `turn` takes (its key as [`repetition`] compares actions) when the
    /// task's rules have read it anyway. Turns with tool calls are keyed by their calls.
    pub fn remember_action(&mut self, turn: &Turn, key: Option<Cow<'a, str>>) {
        if !turn.tool_calls.is_empty() {
            return;
        }
        if self.actions.len() <= turn.index {
            self.actions
                .resize(self.trajectory.turns.len().max(turn.index + 1), None);
        }
        self.actions[turn.index] = Some(key);
    }

    /// The action kept for the turn at `index`, if the task's rules kept one.
    pub fn remembered_action(&mut self, index: usize) -> Option<Option<Cow<'a, str>>> {
        self.actions.get_mut(index)?.take()
    }

    /// The checked (non-demo) turns.
    pub fn live(&self) -> impl Iterator<Item = &'a Turn> + 'a {
        self.trajectory.turns.iter().filter(|t| !t.demo)
    }

    /// The checked agent turns.
    pub fn agent_turns(&self) -> impl Iterator<Item = &'a Turn> + 'a {
        self.live().filter(|t| t.role == Role::Agent)
    }

    /// The checked environment turns, each with the agent turn it answers (the nearest
    /// earlier checked agent turn, when there is one since the last instruction).
    pub fn replies(&self) -> impl Iterator<Item = (&'a Turn, Option<&'a Turn>)> + 'a {
        let turns = self.turns();
        turns
            .iter()
            .filter(|t| t.role == Role::Environment && !t.demo)
            .map(move |env| {
                let agent = turns[..env.index.min(turns.len())]
                    .iter()
                    .rev()
                    .take_while(|t| t.role != Role::Instruction && !t.demo)
                    .find(|t| t.role == Role::Agent);
                (env, agent)
            })
    }

    /// The environment reply right after an agent turn, if the next turn is one.
    pub fn reply_to(&self, agent: &Turn) -> Option<&'a Turn> {
        self.turns()
            .get(agent.index + 1)
            .filter(|t| t.role == Role::Environment && !t.demo)
    }
}

/// A short, one-line quotation of a turn's text for messages.
pub(crate) fn quote(s: &str) -> String {
    text::quote(s, 80)
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn every_builtin_rule_is_listed_once() {
        let set = RuleSet::builtin();
        let mut ids: Vec<&str> = set.rules().iter().map(|r| &*r.id).collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert!(set.rules().iter().all(|r| r.enabled && r.builtin));
    }

    #[test]
    fn select_matches_ids_and_families() {
        let mut set = RuleSet::builtin();
        set.select(&["invalid-action".into()], &["invalid-action/os".into()])
            .unwrap();
        let on: Vec<&str> = set
            .rules()
            .iter()
            .filter(|r| r.enabled)
            .map(|r| &*r.id)
            .collect();
        assert!(on.contains(&"invalid-action/db"));
        assert!(!on.contains(&"invalid-action/os"));
        assert!(!on.contains(&"empty-turn"));
        assert!(RuleSet::builtin().select(&["nope".into()], &[]).is_err());
        assert!(RuleSet::builtin().select(&["invalid".into()], &[]).is_err());
    }

    #[test]
    fn demo_turns_are_never_reported() {
        let mut t = traj(
            Task::Generic,
            &[
                (Role::Instruction, "hi"),
                (Role::Agent, "  "),
                (Role::Agent, ""),
            ],
        );
        t.turns[1].demo = true;
        let f = RuleSet::builtin().check(&t);
        assert!(f.iter().all(|f| f.turn == 2), "{f:?}");
        assert!(f.iter().any(|f| &*f.rule == "empty-turn"));
    }
}
