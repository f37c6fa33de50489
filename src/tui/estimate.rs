//! The estimate panel: from the reviewed part of the list (the sample, when there is one) to
//! the whole dataset, with 95 % Wilson intervals, as `trev stats --estimate` prints it.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::action::{Action, Keymap};
use super::agreement::read_journals;
use super::panel::{self, Data, Panel, Scroll};
use super::store::Store;
use super::theme::Theme;
use crate::estimate::{self, Population, Reviewed};
use crate::export::policy::{combine, Agree, Combined};
use crate::model::Task;

/// The estimate panel: its lines, computed when it opens.
pub struct EstimatePanel {
    lines: Vec<String>,
    scroll: Scroll,
}

impl Panel for EstimatePanel {
    /// Compute the estimate and show it in the panel.
    fn open(data: &mut Data) -> Result<EstimatePanel, String> {
        let replay = read_journals(data.labels)?;
        let votes = crate::export::votes(&replay, &BTreeSet::new());
        let len = data.store.len();
        let sampled: Vec<usize> = match data.sample {
            Some(s) => s.to_vec(),
            None => (0..len).collect(),
        };
        // Rows are read within a time budget; the dataset's size per task is scaled from them.
        let start = Instant::now();
        let budget = Duration::from_secs(2);
        let mut reviewed = Vec::new();
        let mut read = 0usize;
        for &i in &sampled {
            if data.store.known_row(i).is_none() && start.elapsed() > budget {
                break;
            }
            read += 1;
            let row = data.store.row(i);
            let Some(v) = votes.get(&row.id) else {
                continue;
            };
            let (mut judged, mut wrong) = (0, 0);
            for turn in &row.agent {
                match v.turns.get(turn).and_then(|m| combine(m, Agree::Majority)) {
                    Some(Combined::Wrong) => {
                        judged += 1;
                        wrong += 1;
                    }
                    Some(_) => judged += 1,
                    None => {}
                }
            }
            reviewed.push(Reviewed {
                task: row.task.unwrap_or(Task::Generic),
                judged_turns: judged,
                wrong_turns: wrong,
                flagged: row.counts[0] > 0,
            });
        }
        let (total, by_task, known) = EstimatePanel::population(data.store, start, budget);
        let report = estimate::estimate(&reviewed, total, &by_task);
        let done = reviewed.iter().filter(|r| r.judged_turns > 0).count();
        let mut lines = vec![
            format!(
                "{done} reviewed of {read} read ({} on the list); majority of annotators per turn",
                sampled.len()
            ),
            format!("dataset: {len} trajectories; sizes per task scaled from {known} read"),
            String::new(),
        ];
        let mut group = |name: &str, e: &estimate::Estimate| {
            lines.push(name.to_string());
            lines.push(format!(
                "  with a wrong agent turn: {}",
                estimate::describe(&e.trajectories_with_wrong, "trajectories")
            ));
            lines.push(format!(
                "  wrong agent turns: {}",
                estimate::describe(&e.wrong_turns, "agent turns")
            ));
        };
        group("all tasks", &report.overall);
        for (task, e) in &report.by_task {
            group(task, e);
        }
        let r = &report.rules;
        let pct = |x: Option<f64>| x.map_or("undefined".into(), |v| format!("{:.1} %", v * 100.0));
        lines.push(String::new());
        lines.push(format!(
            "rules (an error finding predicts a wrong turn): precision {}, recall {}",
            pct(r.precision),
            pct(r.recall)
        ));
        Ok(EstimatePanel {
            lines,
            scroll: Scroll::default(),
        })
    }

    fn mode(&self) -> &'static str {
        "ESTIMATE"
    }

    fn key(&mut self, action: Option<Action>) -> bool {
        self.scroll.key(action, self.lines.len())
    }

    fn draw(&self, buf: &mut Buffer, screen: Rect, theme: &Theme, _: &Keymap) {
        let title = " estimate (j/k scroll, any other key closes) ";
        panel::text_box(buf, screen, theme, title, &self.lines, self.scroll.first());
    }
}

impl EstimatePanel {
    /// The dataset's trajectories and agent turns, per task, from the rows read within the
    /// budget, scaled to the whole dataset.
    fn population(
        store: &mut Store,
        start: Instant,
        budget: Duration,
    ) -> (Population, BTreeMap<Task, Population>, usize) {
        let len = store.len();
        let mut by_task: BTreeMap<Task, Population> = BTreeMap::new();
        let mut known = 0usize;
        for i in 0..len {
            if store.known_row(i).is_none() && start.elapsed() > budget * 2 {
                break;
            }
            let row = store.row(i);
            let p = by_task
                .entry(row.task.unwrap_or(Task::Generic))
                .or_default();
            p.trajectories += 1;
            p.agent_turns += row.agent.len() as u64;
            known += 1;
        }
        let scale = |n: u64| {
            if known == 0 {
                0
            } else {
                (n as f64 * len as f64 / known as f64).round() as u64
            }
        };
        for p in by_task.values_mut() {
            p.trajectories = scale(p.trajectories);
            p.agent_turns = scale(p.agent_turns);
        }
        let total = Population {
            trajectories: len as u64,
            agent_turns: by_task.values().map(|p| p.agent_turns).sum(),
        };
        (total, by_task, known)
    }
}
