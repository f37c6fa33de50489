//! The use-cases: what a user asks trev for, as plain functions both front-ends call — the
//! command line (`cli/`) prints their results, the review screen (`tui/`) shows them. Neither
//! front-end computes any of this itself, so the two always say the same thing.
//!
//! - [`rules`]: the rules a command runs (built in, the config directory's file, `--rules`).
//! - [`annotations`]: where the journals are.
//! - [`sample`]: the sample to work on, drawn and recorded beside the journals, or read back.
//! - [`estimate`]: from the reviewed sample to the whole dataset.
//! - [`corrected`]: a judge's (or the rules') defect rate corrected for its errors.
//! - [`agreement`]: the ratings that agreement statistics are computed over.
//! - [`judge`]: the rules as one more annotator, and each rule's precision against people.
//! - [`categories`]: the error categories in use (the team's, the config's or the default).
//! - [`adjudicate`]: the queue of disagreements to settle, and the gold answers so far.
//! - [`compare`]: two runs of the same tasks, paired by task, step by step.
//! - [`turns`]: a turn sample stratified by a judge's labels, for blind review, and the judge
//!   against each person on it.
//! - [`marks`]: the journals' marks resolved to the loaded trajectories (run and id).
//! - [`readable`]: whether the data has a trajectory to show at all.

pub mod adjudicate;
pub mod agreement;
pub mod annotations;
pub mod categories;
pub mod compare;
pub mod corrected;
pub mod estimate;
pub mod judge;
pub mod marks;
pub mod readable;
pub mod rules;
pub mod sample;
pub mod turns;
