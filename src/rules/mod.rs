//! The rule engine: the registry of built-in rules, user rules, selection (`--only`, `--skip`)
//! and [`RuleSet::check`], which turns one trajectory into its findings.
//!
//! Built-in rules follow what the benchmarks themselves count (`research/rules.md` §11). Each
//! module checks one task profile or one concern; all of them report through a `Checker`,
//! which drops findings of disabled rules, applies severity overrides and never reports on a
//! demo turn.

mod alfworld;
mod builtin;
mod by_task;
mod db;
mod engine;
mod generic;
mod kg;
mod mind2web;
mod os;
mod outcome;
mod react;
mod repetition;
mod residue;
pub mod text;
mod tools;
pub mod user;
mod webshop;

use std::borrow::Cow;
use std::cell::Cell;
use std::path::Path;
use std::sync::Arc;

use crate::findings::{Finding, Severity};
use crate::model::{Role, Task, Trajectory, Turn};

pub use builtin::RuleId;
use builtin::BUILTIN;
use by_task::modules;
use engine::{Engine, Hit};
pub use repetition::action_key;
pub use user::{RulesError, RulesFile};

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
    /// The built-in rules first, each at its [`RuleId`]'s index, then the user rules.
    rules: Vec<RuleInfo>,
    user: Vec<user::UserRule>,
    /// The triggers of the enabled rules, compiled per profile on first use.
    engine: Engine,
}

impl RuleSet {
    /// Every built-in rule, enabled, at its default severity.
    pub fn builtin() -> RuleSet {
        RuleSet {
            rules: BUILTIN
                .iter()
                .map(|b| RuleInfo {
                    id: b.id.as_str().into(),
                    severity: b.severity,
                    explanation: b.explanation.to_string(),
                    source: b.source.to_string(),
                    enabled: true,
                    builtin: true,
                    severity_override: None,
                })
                .collect(),
            user: Vec::new(),
            engine: Engine::default(),
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
        self.engine = Engine::default();
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
        self.engine = Engine::default();
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
        // One pass of the profile's triggers over each turn, then each module whose rules
        // are on, with its hits: `--only` costs what it runs.
        self.engine.run(&mut cx, modules);
        // User rules run only on the turns their regex set matched.
        for (turn, index) in self
            .engine
            .user_matches(trajectory, &self.rules, &self.user)
        {
            if let Some(rule) = self.user.iter().find(|u| *u.id == *self.rules[index].id) {
                rule.check_turn(&mut cx, index, turn);
            }
        }
        let Checker {
            mut findings,
            hits,
            hit_ranges,
            ..
        } = cx;
        // Unless one huge trajectory grew them.
        if hits.capacity() <= HITS_KEPT && hit_ranges.capacity() <= HITS_KEPT {
            HIT_BUFFERS.set((hits, hit_ranges));
        }
        findings
            .sort_by(|(_, a), (_, b)| (a.turn, a.span, &a.rule).cmp(&(b.turn, b.span, &b.rule)));
        findings
    }
}

fn matches_name(id: &str, name: &str) -> bool {
    id == name
        || id
            .strip_prefix(name.trim_end_matches('/'))
            .is_some_and(|rest| rest.starts_with('/'))
}

thread_local! {
    /// The buffers of the trigger hits of the trajectory last checked on this thread, which
    /// the next one fills: they grow to their size a few times in a scan, not for every
    /// trajectory.
    static HIT_BUFFERS: Cell<HitBuffers> = const { Cell::new((Vec::new(), Vec::new())) };
}

/// A [`Checker`]'s `hits` and `hit_ranges`.
type HitBuffers = (Vec<Hit>, Vec<(u32, u32)>);

/// The most hits (or turns) whose buffers are kept between trajectories (half a megabyte).
const HITS_KEPT: usize = 1 << 16;

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
    /// The rules of the module running, which are all it may report (checked in debug
    /// builds), and its slot in the profile's module list (whose hits it reads).
    module: Option<(&'static [RuleId], u8)>,
    /// Every trigger occurrence of the checked turns ([`engine`]), by turn; `hit_ranges[i]`
    /// is where the hits of the turn at index `i` are.
    hits: Vec<Hit>,
    hit_ranges: Vec<(u32, u32)>,
}

impl<'a> Checker<'a> {
    fn new(trajectory: &'a Trajectory, rules: &'a [RuleInfo]) -> Checker<'a> {
        // The last trajectory's buffers, emptied: a checker starts with no hits whether or
        // not the engine's scan runs.
        let (mut hits, mut hit_ranges) = HIT_BUFFERS.take();
        hits.clear();
        hit_ranges.clear();
        Checker {
            trajectory,
            rules,
            findings: Vec::new(),
            trajectory_id: None,
            actions: Vec::new(),
            module: None,
            hits,
            hit_ranges,
        }
    }

    /// Whether the built-in rule runs.
    pub fn on(&self, id: RuleId) -> bool {
        self.rules[id.index()].enabled
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
            RuleId::FinalAnswerMissing,
            last,
            (0, 0),
            format!("the episode ends{after} without {wanted}"),
        );
    }

    /// Report at the rule's severity.
    pub fn report(&mut self, id: RuleId, turn: usize, span: (usize, usize), message: String) {
        self.report_at(id, None, turn, span, message);
    }

    /// Report at `severity` instead of the rule's default (a rules file's setting still wins).
    /// Findings on demo turns and of disabled rules are dropped.
    pub fn report_at(
        &mut self,
        id: RuleId,
        severity: Option<Severity>,
        turn: usize,
        span: (usize, usize),
        message: String,
    ) {
        debug_assert!(
            self.module.is_none_or(|(rules, _)| rules.contains(&id)),
            "{} is reported by a module that does not list it",
            id.as_str()
        );
        self.report_rule(id.index(), severity, turn, span, message);
    }

    /// Report one finding that highlights several ranges of the turn (the first is its
    /// `span`; at least one is needed).
    pub fn report_spans(
        &mut self,
        id: RuleId,
        turn: usize,
        spans: &[(usize, usize)],
        message: String,
    ) {
        let Some((&first, rest)) = spans.split_first() else {
            return;
        };
        let before = self.findings.len();
        self.report(id, turn, first, message);
        if let Some((_, f)) = self.findings.get_mut(before) {
            let text = &self.trajectory.turns[turn].text;
            let mut extra = Vec::with_capacity(rest.len());
            extra.extend(rest.iter().copied().filter(|s| {
                s.0 <= s.1 && text.is_char_boundary(s.0) && text.is_char_boundary(s.1)
            }));
            f.extra_spans = extra;
        }
    }

    /// Report a finding of the rule at `rule` in the rule list (a user rule reports by its
    /// index, as it has no [`RuleId`]).
    pub fn report_rule(
        &mut self,
        rule: usize,
        severity: Option<Severity>,
        turn: usize,
        span: (usize, usize),
        message: String,
    ) {
        let info = &self.rules[rule];
        let Some(t) = self.trajectory.turns.get(turn) else {
            return;
        };
        if !info.enabled || t.demo {
            return;
        }
        let valid =
            span.0 <= span.1 && t.text.is_char_boundary(span.0) && t.text.is_char_boundary(span.1);
        debug_assert!(valid, "{}: bad span {span:?}", info.id);
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
                extra_spans: Vec::new(),
                message,
            },
        ));
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

    /// The running module's trigger hits in the turn at `index`, in order of start: `(index
    /// of the trigger in the module's list, start in the turn text)`.
    pub fn hits(&self, index: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        let slot = self.module.map_or(u8::MAX, |(_, slot)| slot);
        let (start, end) = self.hit_ranges.get(index).copied().unwrap_or((0, 0));
        self.hits[start as usize..end as usize]
            .iter()
            .filter(move |h| h.slot == slot)
            .map(|h| (usize::from(h.trigger), h.start as usize))
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
    fn every_rule_id_is_unique_and_registered_at_its_index() {
        let mut ids: Vec<&str> = BUILTIN.iter().map(|b| b.id.as_str()).collect();
        let set = RuleSet::builtin();
        let registered: Vec<&str> = set.rules().iter().map(|r| &*r.id).collect();
        assert_eq!(registered, ids);
        assert!(set.rules().iter().all(|r| r.enabled && r.builtin));
        for (i, b) in BUILTIN.iter().enumerate() {
            assert_eq!(b.id.index(), i, "{}", b.id.as_str());
        }
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "two rules share an id");
    }

    /// `--only`, `--skip` and `[builtin]` take a family for all its rules: the families are
    /// the ones the README documents, and none of them is also a rule's id.
    #[test]
    fn families_are_the_documented_ones() {
        let mut families: Vec<&str> = BUILTIN
            .iter()
            .filter_map(|b| b.id.as_str().split_once('/').map(|(family, _)| family))
            .collect();
        families.dedup();
        assert_eq!(
            families,
            [
                "invalid-action",
                "env-error",
                "repetition",
                "final-answer",
                "format",
                "context",
                "outcome"
            ]
        );
        for family in families {
            assert!(BUILTIN.iter().all(|b| b.id.as_str() != family), "{family}");
            let mut set = RuleSet::builtin();
            set.select(&[family.to_string()], &[]).unwrap();
            for (r, b) in set.rules().iter().zip(BUILTIN) {
                let member = b.id.as_str().starts_with(&format!("{family}/"));
                assert_eq!(r.enabled, member, "--only {family}: {}", r.id);
            }
        }
    }

    /// A module runs only when one of the rules it lists is on (and may report only those):
    /// every rule is listed by a module, and on each task profile by one module at most, so
    /// `--only RULE` runs the one module that reports it.
    #[test]
    fn every_rule_is_listed_by_one_module_of_each_task() {
        let mut listed = vec![false; BUILTIN.len()];
        for task in Task::ALL {
            let mut on_task = vec![0; BUILTIN.len()];
            for (rules, _, _) in modules(task) {
                for id in rules {
                    on_task[id.index()] += 1;
                    listed[id.index()] = true;
                }
            }
            for (b, n) in BUILTIN.iter().zip(on_task) {
                assert!(
                    n <= 1,
                    "{task:?}: {} is listed by {n} modules",
                    b.id.as_str()
                );
            }
        }
        for (b, listed) in BUILTIN.iter().zip(listed) {
            assert!(listed, "no module reports {}", b.id.as_str());
        }
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
