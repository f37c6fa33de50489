//! trev: a terminal reviewer for LLM-agent trajectories.
//!
//! Layers, top to bottom (arrows point down only): the front-ends — [`cli`] (arguments, human
//! and JSON output) and [`tui`] (the review screen, the only module that knows terminals); the
//! use-cases both call ([`session`], and [`report`], the error-analysis report); the core — [`model`], [`load`], [`rules`], [`labels`],
//! [`agree`], [`compare`], [`export`], [`sample`], [`estimate`], [`sanitize`], the parallel [`scan`] and
//! [`safe_write`] (every whole file trev writes).

#![forbid(unsafe_code)]

pub mod agree;
pub mod cli;
pub mod compare;
pub mod diag;
pub mod estimate;
pub mod export;
pub mod findings;
pub mod json_text;
pub mod labels;
pub mod load;
pub mod model;
pub mod numbers;
pub mod parallel;
pub mod report;
pub mod rules;
pub mod safe_write;
pub mod sample;
pub mod sanitize;
pub mod scan;
pub mod session;
pub mod stats;
pub mod tui;
