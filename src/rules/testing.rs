//! Builders for the rules' unit tests.

use crate::findings::Finding;
use crate::model::{test_trajectory, Format, Role, Task, Trajectory, Turn};

pub use super::RuleId;
use super::RuleSet;

/// A trajectory of the given turns (none of them demo).
pub fn traj(task: Task, turns: &[(Role, &str)]) -> Trajectory {
    let turns = turns
        .iter()
        .enumerate()
        .map(|(i, (r, text))| Turn::new(i, *r, r.as_str(), text.to_string()))
        .collect();
    test_trajectory(task, Format::RoleContent, turns)
}

/// The findings of one rule.
pub fn findings_of(t: &Trajectory, rule: RuleId) -> Vec<Finding> {
    RuleSet::builtin()
        .check(t)
        .into_iter()
        .filter(|f| &*f.rule == rule.as_str())
        .collect()
}

/// The text a finding's span covers.
pub fn spanned<'a>(t: &'a Trajectory, f: &Finding) -> &'a str {
    &t.turns[f.turn].text[f.span.0..f.span.1]
}

pub use Role::{Agent as A, Environment as E, Instruction as I};

/// `count` random texts, each up to `max_pieces` of `pieces` end to end, from a fixed seed:
/// the hand-written matchers are compared on them with the regexes they stand for.
pub fn random_texts(seed: u64, pieces: &[&str], max_pieces: u64, count: usize) -> Vec<String> {
    let mut rng = crate::sample::Rng::new(seed);
    (0..count)
        .map(|_| {
            let len = rng.next_u64() % (max_pieces + 1);
            (0..len)
                .map(|_| pieces[(rng.next_u64() % pieces.len() as u64) as usize])
                .collect()
        })
        .collect()
}
