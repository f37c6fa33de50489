//! trev: a terminal reviewer for LLM-agent trajectories.
//!
//! The library holds everything but the terminal: loading ([`load`]), the model ([`model`]),
//! the parallel scan ([`scan`]) and the headless commands ([`cli`]). Only `tui` (the review
//! screen) knows about terminals.

pub mod agree;
pub mod cli;
pub mod diag;
pub mod estimate;
pub mod export;
pub mod findings;
pub mod labels;
pub mod load;
pub mod model;
pub mod numbers;
pub mod parallel;
pub mod rules;
pub mod sample;
pub mod sanitize;
pub mod scan;
pub mod stats;
pub mod tui;
