//! Which rule modules run on each task profile, in order, with the triggers each declares to
//! the engine.

use super::engine::{Module, Triggers};
use super::{alfworld, db, generic, kg, mind2web, os, outcome, react, repetition, residue};
use super::{tools, webshop};
use crate::model::Task;

/// The modules of a task profile's own rules.
pub(super) fn task_modules(task: Task) -> &'static [Module] {
    match task {
        Task::Os => &[
            (os::RULES, os::check, os::TRIGGERS),
            (residue::RULES, residue::check, residue::TRIGGERS),
        ],
        Task::Db => &[(db::RULES, db::check, db::TRIGGERS)],
        Task::Kg => &[(kg::RULES, kg::check, kg::TRIGGERS)],
        Task::Alfworld => &[(alfworld::RULES, alfworld::check, alfworld::TRIGGERS)],
        Task::Webshop => &[(webshop::RULES, webshop::check, webshop::TRIGGERS)],
        Task::Mind2web => &[(mind2web::RULES, mind2web::check, mind2web::TRIGGERS)],
        Task::React => &[(react::RULES, react::check, react::TRIGGERS)],
        Task::Swe | Task::Generic => &[],
    }
}

/// The modules that run on every task profile, after its own. `tools` reads tool calls and
/// the start of each reply, `repetition` compares turns (and looks for pleasantries in short
/// ones), `outcome` reads the record: they declare no trigger.
const EVERY_TASK: [Module; 4] = [
    (tools::RULES, tools::check, Triggers::NONE),
    (repetition::RULES, repetition::check, Triggers::NONE),
    (generic::RULES, generic::check, generic::TRIGGERS),
    (outcome::RULES, outcome::check, Triggers::NONE),
];

/// Every module that runs on a profile, in order: its own, then those of every task (the
/// generic rules with the profile's triggers).
pub(super) fn modules(task: Task) -> Vec<Module> {
    task_modules(task)
        .iter()
        .copied()
        .chain(EVERY_TASK.map(|(rules, check, triggers)| {
            let triggers = if rules == generic::RULES {
                generic::triggers(task)
            } else {
                triggers
            };
            (rules, check, triggers)
        }))
        .collect()
}
