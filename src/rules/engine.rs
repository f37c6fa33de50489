//! The trigger engine: rule modules declare the literals they look for ([`Triggers`]); for
//! each task profile the engine compiles the triggers of the modules that run there into one
//! aho-corasick automaton per side (agent turns, other turns), runs it once over each checked
//! turn, and hands each module only its own hits, by turn ([`Checker::hits`]). A module reads
//! the turn only from its hits (the line after an `Act:`, the block a ```` ```sql ```` opens);
//! where its benchmark's parser is a regex, it runs it from its first hit. A literal that
//! several modules declare is searched once and handed to each. User rules' regexes go
//! through one [`RegexSet`] per trajectory turn the same way: a rule runs only on the turns
//! the set says it matches.
//!
//! Modules without triggers: `tools` (it reads tool calls and the start of each reply),
//! `repetition` (it compares turns, and runs its pleasantry regex only on short turns without
//! an action) and `outcome` (it reads the record). Other reads of a turn's text outside the
//! hits: ALFWorld's demo turns (not scanned) when a turn lacks `ACTION:`, and WebShop's
//! previous page for a click target when the click changed nothing.
//!
//! Adding a rule module is one [`Module`] line (its rules, its check, its triggers); a module
//! whose rules are all off (`--only`, `--skip`, `[builtin]`) contributes no trigger. Outside a
//! check (repetition reading the action of a turn whose module is off, the tests), a module's
//! parsers search its own literals alone with [`Own`], which finds the same hits.

use std::fmt;
use std::sync::{Arc, OnceLock};

use aho_corasick::{AhoCorasick, MatchKind};
use regex::RegexSet;

use super::{builtin::RuleId, Checker, RuleInfo};
use crate::model::{Role, Task, Trajectory};

/// What a module looks for: literals in agent turns, and literals in the other turns
/// (environment, instruction, system). Every occurrence is a hit: no two triggers of a profile
/// may overlap (no end of one begins another, none holds another; two modules may declare the
/// same literal of two bytes or more), so the one leftmost-first pass (aho-corasick's packed
/// SIMD search) finds every occurrence of each; tests check it, and that each module gets what
/// searching its literals alone finds. A literal that would overlap another is declared
/// shorter and its neighbour checked at the hit (`Final Answer:` for DBBench's `\nFinal
/// Answer:`).
#[derive(Debug, Clone, Copy)]
pub struct Triggers {
    pub agent: &'static [&'static str],
    pub other: &'static [&'static str],
}

impl Triggers {
    /// No literal: the module reads the turns it needs itself.
    pub const NONE: Triggers = Triggers {
        agent: &[],
        other: &[],
    };
}

/// A rule module: the rules it reports (it runs when one of them is on), its check, and its
/// triggers.
pub type Module = (&'static [RuleId], fn(&mut Checker), Triggers);

/// One occurrence of a trigger: the module slot it belongs to (its place in the profile's
/// module list), the trigger's index in that module's list, and its start in the turn text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub slot: u8,
    pub trigger: u8,
    pub start: u32,
}

/// The compiled triggers of one profile, per side: the one-byte triggers found by memchr,
/// three at a time (an automaton pays a call per match, and bytes like CR or `@` match
/// often), the longer ones by one packed (Teddy) searcher, or an aho-corasick automaton where
/// the CPU has no Teddy.
struct Automaton {
    search: Option<Search>,
    /// By pattern id: its first owner (module slot, trigger index), and where its other
    /// owners are in `shared` (a literal several modules declare is searched once).
    owners: Vec<((u8, u8), (u32, u32))>,
    /// The owners after the first of the literals several modules declare.
    shared: Vec<(u8, u8)>,
    /// The one-byte triggers, with their owners.
    bytes: Vec<(u8, (u8, u8))>,
}

impl Automaton {
    fn build(modules: &[Module], side: fn(&Triggers) -> &'static [&'static str]) -> Option<Self> {
        let mut literals: Vec<&str> = Vec::new();
        // By pattern id: every owner of the literal.
        let mut all_owners: Vec<Vec<(u8, u8)>> = Vec::new();
        let mut bytes = Vec::new();
        for (slot, (_, _, triggers)) in modules.iter().enumerate() {
            for (i, literal) in side(triggers).iter().enumerate() {
                let owner = (slot as u8, i as u8);
                match literal.as_bytes() {
                    &[b] => bytes.push((b, owner)),
                    _ => match literals.iter().position(|l| l == literal) {
                        Some(k) => all_owners[k].push(owner),
                        None => {
                            literals.push(literal);
                            all_owners.push(vec![owner]);
                        }
                    },
                }
            }
        }
        let mut shared = Vec::new();
        let owners = all_owners
            .into_iter()
            .map(|o| {
                let from = shared.len() as u32;
                shared.extend_from_slice(&o[1..]);
                (o[0], (from, shared.len() as u32))
            })
            .collect();
        if literals.is_empty() && bytes.is_empty() {
            return None;
        }
        let search = (!literals.is_empty()).then(|| Search::build(&literals));
        Some(Automaton {
            search,
            owners,
            shared,
            bytes,
        })
    }

    /// Every trigger occurrence in `text`, appended to `hits` in order of start.
    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        let first = hits.len();
        let hit = |(slot, trigger): (u8, u8), start: usize| Hit {
            slot,
            trigger,
            start: start as u32,
        };
        if let Some(search) = &self.search {
            // As no two triggers overlap, these are all their occurrences.
            search.each(text, |pattern, start| {
                let (first, (from, to)) = self.owners[pattern];
                hits.push(hit(first, start));
                for &owner in &self.shared[from as usize..to as usize] {
                    hits.push(hit(owner, start));
                }
            });
        }
        if self.bytes.is_empty() {
            return;
        }
        let haystack = text.as_bytes();
        let mut passes = 0;
        for group in self.bytes.chunks(3) {
            let owner = |b: u8| group.iter().find(|(x, _)| *x == b).map(|(_, o)| *o);
            let b = |k: usize| group.get(k).map_or(group[0].0, |(b, _)| *b);
            let before = hits.len();
            let mut push = |at: usize| {
                if let Some(o) = owner(haystack[at]) {
                    hits.push(hit(o, at));
                }
            };
            match group.len() {
                1 => memchr::memchr_iter(b(0), haystack).for_each(&mut push),
                2 => memchr::memchr2_iter(b(0), b(1), haystack).for_each(&mut push),
                _ => memchr::memchr3_iter(b(0), b(1), b(2), haystack).for_each(&mut push),
            }
            passes += usize::from(hits.len() > before);
        }
        // Merge the runs (each in order of start) when more than one found something.
        if passes + usize::from(self.search.is_some()) > 1 {
            hits[first..].sort_unstable_by_key(|h| h.start);
        }
    }
}

/// One module's own literals, searched alone: how a module's parsers read a text outside a
/// check (repetition compares the actions of a profile whose module is off, the tests), with
/// the hits the engine would hand the module. Built on first use.
pub struct Own {
    literals: &'static [&'static str],
    search: OnceLock<AhoCorasick>,
}

impl Own {
    pub const fn new(literals: &'static [&'static str]) -> Own {
        Own {
            literals,
            search: OnceLock::new(),
        }
    }

    /// Every occurrence of each literal in `text`: `(index of the literal, start)`, in order
    /// of start.
    pub fn hits(&self, text: &str) -> Vec<(usize, usize)> {
        let search = self.search.get_or_init(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(self.literals)
                .expect("the built-in triggers compile")
        });
        let mut hits: Vec<(usize, usize)> = search
            .find_overlapping_iter(text)
            .map(|m| (m.pattern().as_usize(), m.start()))
            .collect();
        hits.sort_unstable_by_key(|&(p, at)| (at, p));
        hits
    }
}

/// A leftmost-first search for several literals. Teddy is asked for directly: an automaton
/// would choose a one-byte prefilter where all literals start with one byte (`[` for the
/// truncation notices), which stops at every `[` of a page full of `[SEP]`, where Teddy's
/// fingerprint of the first three bytes does not.
enum Search {
    Packed(aho_corasick::packed::Searcher),
    Automaton(AhoCorasick),
}

impl Search {
    fn build(literals: &[&str]) -> Search {
        let packed = aho_corasick::packed::Config::new()
            .match_kind(aho_corasick::packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(literals)
            .build();
        match packed {
            Some(p) => Search::Packed(p),
            None => Search::Automaton(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(literals)
                    .expect("the built-in triggers compile"),
            ),
        }
    }

    /// Every leftmost-first match in `text`: `(pattern, start)`.
    fn each(&self, text: &str, mut f: impl FnMut(usize, usize)) {
        match self {
            Search::Packed(p) => p
                .find_iter(text)
                .for_each(|m| f(m.pattern().as_usize(), m.start())),
            Search::Automaton(a) => a
                .find_iter(text)
                .for_each(|m| f(m.pattern().as_usize(), m.start())),
        }
    }
}

/// The modules and automata of one task profile, for one rule selection.
struct Profile {
    modules: Vec<Module>,
    agent: Option<Automaton>,
    other: Option<Automaton>,
}

/// Compiled lazily per profile, once per rule selection (a new selection gets a new engine).
#[derive(Default, Clone)]
pub(super) struct Engine {
    profiles: Arc<[OnceLock<Profile>; Task::ALL.len()]>,
    /// The enabled user rules' regexes, with each one's index in the rule list.
    user: Arc<OnceLock<Option<UserSet>>>,
}

/// The enabled user rules' regexes as one set, and each one's index in the rule list.
type UserSet = (RegexSet, Vec<usize>);

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Engine")
    }
}

impl Engine {
    /// Scan every checked turn of the trajectory once with the profile's automata, then run
    /// each enabled module with its hits.
    pub fn run(&self, cx: &mut Checker, all: impl Fn(Task) -> Vec<Module>) {
        let task = cx.task();
        let profile = self.profiles[task as usize].get_or_init(|| {
            let modules: Vec<Module> = all(task)
                .into_iter()
                .filter(|(rules, _, _)| rules.iter().any(|&id| cx.on(id)))
                .collect();
            Profile {
                agent: Automaton::build(&modules, |t| t.agent),
                other: Automaton::build(&modules, |t| t.other),
                modules,
            }
        });
        scan(cx, profile);
        for (slot, &(rules, check, _)) in profile.modules.iter().enumerate() {
            cx.module = Some((rules, slot as u8));
            check(cx);
        }
        cx.module = None;
    }

    /// The enabled user rules that match somewhere in each turn, by one regex set: `(turn
    /// index, rule index)` pairs, in turn order.
    pub fn user_matches(
        &self,
        trajectory: &Trajectory,
        rules: &[RuleInfo],
        user: &[super::user::UserRule],
    ) -> Vec<(usize, usize)> {
        let compiled = self.user.get_or_init(|| {
            let on: Vec<(usize, &super::user::UserRule)> = user
                .iter()
                .filter_map(|u| {
                    let i = rules.iter().position(|r| *r.id == *u.id)?;
                    rules[i].enabled.then_some((i, u))
                })
                .collect();
            if on.is_empty() {
                return None;
            }
            let set = RegexSet::new(on.iter().map(|(_, u)| u.regex.as_str()))
                .expect("each user regex compiled alone");
            Some((set, on.into_iter().map(|(i, _)| i).collect()))
        });
        let Some((set, index)) = compiled else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for turn in trajectory.turns.iter().filter(|t| !t.demo) {
            for k in set.matches(&turn.text).iter() {
                out.push((turn.index, index[k]));
            }
        }
        out
    }
}

/// Run one module alone, with its own triggers (the tests' way to call a module's check).
#[cfg(test)]
pub fn run_module(cx: &mut Checker, module: Module) {
    let profile = Profile {
        agent: Automaton::build(&[module], |t| t.agent),
        other: Automaton::build(&[module], |t| t.other),
        modules: vec![module],
    };
    scan(cx, &profile);
    cx.module = Some((module.0, 0));
    (module.1)(cx);
    cx.module = None;
}

/// Every trigger occurrence of every checked turn, into the checker (by turn).
fn scan(cx: &mut Checker, profile: &Profile) {
    let turns = cx.trajectory.turns.as_slice();
    cx.hits.clear();
    cx.hit_ranges.clear();
    cx.hit_ranges.resize(turns.len(), (0, 0));
    for turn in turns.iter().filter(|t| !t.demo) {
        let automaton = match turn.role {
            Role::Agent => &profile.agent,
            _ => &profile.other,
        };
        let Some(a) = automaton else { continue };
        let start = cx.hits.len() as u32;
        a.find(&turn.text, &mut cx.hits);
        if let Some(range) = cx.hit_ranges.get_mut(turn.index) {
            *range = (start, cx.hits.len() as u32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::modules;
    use super::super::testing::random_texts;
    use super::{Automaton, Own, Triggers};
    use crate::model::Task;

    /// Two triggers overlap when an end of one (or all of it) begins the other, or one holds
    /// the other: then a leftmost-first pass could hide an occurrence.
    fn overlap(a: &str, b: &str) -> bool {
        (a != b && (a.contains(b) || b.contains(a)))
            || (1..a.len()).any(|k| a.is_char_boundary(k) && b.starts_with(&a[k..]))
    }

    #[test]
    fn no_two_triggers_of_a_profile_overlap() {
        for task in Task::ALL {
            let modules = modules(task);
            for side in [0, 1] {
                let literals: Vec<&str> = modules
                    .iter()
                    .flat_map(|(_, _, t)| if side == 0 { t.agent } else { t.other }.iter())
                    .copied()
                    .collect();
                for a in &literals {
                    for b in &literals {
                        assert!(!overlap(a, b), "{task:?}: {a:?} and {b:?} overlap");
                    }
                }
            }
        }
        assert!(overlap("abc", "bcd") && overlap("ab", "xaby") && !overlap("ab", "cd"));
    }

    /// The one pass over a turn hands each module exactly the occurrences of its own
    /// literals: what searching them alone finds ([`Own`]), on texts made of every literal of
    /// the profile (a literal several modules declare goes to each of them).
    #[test]
    fn each_module_gets_what_its_own_search_finds() {
        for task in Task::ALL {
            let modules = modules(task);
            for side in [0, 1] {
                let of: fn(&Triggers) -> &'static [&'static str] =
                    if side == 0 { |t| t.agent } else { |t| t.other };
                let automaton = Automaton::build(&modules, of);
                let mut pieces: Vec<&str> = modules
                    .iter()
                    .flat_map(|m| of(&m.2).iter().copied())
                    .collect();
                if pieces.is_empty() {
                    assert!(automaton.is_none());
                    continue;
                }
                pieces.extend(["x", " ", "\n", "é", ":", "["]);
                let own: Vec<Own> = modules.iter().map(|m| Own::new(of(&m.2))).collect();
                for text in random_texts(task as u64, &pieces, 12, 2_000) {
                    let mut hits = Vec::new();
                    automaton.as_ref().unwrap().find(&text, &mut hits);
                    assert!(hits.windows(2).all(|w| w[0].start <= w[1].start));
                    for (slot, own) in own.iter().enumerate() {
                        let got: Vec<(usize, usize)> = hits
                            .iter()
                            .filter(|h| usize::from(h.slot) == slot)
                            .map(|h| (usize::from(h.trigger), h.start as usize))
                            .collect();
                        assert_eq!(got, own.hits(&text), "{task:?} slot {slot}: {text:?}");
                    }
                }
            }
        }
    }

    /// A one-byte trigger is searched by memchr for one owner: no two modules share one.
    #[test]
    fn no_one_byte_trigger_is_shared() {
        for task in Task::ALL {
            let modules = modules(task);
            for side in [0, 1] {
                let mut bytes: Vec<&str> = modules
                    .iter()
                    .flat_map(|(_, _, t)| if side == 0 { t.agent } else { t.other }.iter())
                    .copied()
                    .filter(|l| l.len() == 1)
                    .collect();
                let n = bytes.len();
                bytes.sort_unstable();
                bytes.dedup();
                assert_eq!(bytes.len(), n, "{task:?}");
            }
        }
    }
}
