//! Marks on the review screen: the annotator's journal, what the marks of the trajectory on
//! screen look like (badges, notes, stale marks, others' marks and disagreements), and the
//! per-trajectory counts the list and its filter read.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use ratatui::text::Span;

use super::theme::Theme;
use crate::labels::categories::CategorySet;
use crate::labels::{self, Journal, Mark, MarkKey, Replay};
use crate::load::Dataset;
use crate::model::{Role, Trajectory};
use crate::sanitize::sanitize_line;
use crate::session;

/// Another annotator's mark: (turn, annotator, label).
pub type OtherMark = (Option<usize>, String, String);

/// A trajectory as journal lines name it: (run, if named; id).
pub type Named = (Option<String>, String);

/// The label state of the session.
#[derive(Default)]
pub struct Labels {
    /// Where the journals are kept (`--annotations`, else the user's data directory).
    pub dir: Option<PathBuf>,
    /// Whose marks these are; asked for on the screen when neither the command line nor the
    /// config file names one.
    pub annotator: Option<String>,
    /// The annotator's journal, once it could be opened.
    pub journal: Option<Journal>,
    /// Other annotators' marks in `dir`, by (run, trajectory): (turn, annotator, label). The
    /// run is `None` for lines that name none.
    pub others: HashMap<(Option<String>, String), Vec<OtherMark>>,
    /// Journal lines that name no run apply (the data is one run, so their ids are unique).
    /// With several runs they apply to none: they cannot say which run they meant.
    pub unnamed_apply: bool,
    /// Others' marks (and disagreements) are shown.
    pub reveal: bool,
    /// Marks go on the step's environment reply instead of its agent turn.
    pub target_env: bool,
    /// The last mark that could not be saved, with the error. Cleared by the next save.
    pub unsaved: Option<String>,
    /// The list is restricted to a sample of this many trajectories.
    pub sample: Option<usize>,
    /// Journal lines whose run is not loaded but whose trajectory was found again under another
    /// run (a renamed or moved file), by (run now, trajectory): the lines' keys.
    pub moved: HashMap<(String, String), Vec<MarkKey>>,
    /// The error categories the digit keys give (`categories.toml` beside the journals, the
    /// config's, or the default set).
    pub categories: CategorySet,
    /// Others' categories, by (run, trajectory): (turn, category).
    pub others_categories: HashMap<Named, Vec<(usize, String)>>,
    /// Categories read that the set does not name (another team's): kept and shown, with a
    /// warning naming where each was first seen.
    pub category_warnings: Vec<String>,
    /// Reviewing a turn sample blind: the judge's marks are never read with the others'.
    pub blind: Option<super::blind::Blind>,
}

/// One turn's marks, as drawn.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Badge {
    /// The annotator's own mark.
    pub mine: Option<Mark>,
    /// The turn text changed since the annotator's mark was made.
    pub stale: bool,
    /// Others' labels (only when revealed): (annotator, label).
    pub others: Vec<(String, String)>,
    /// Labels differ between annotators (only when revealed).
    pub disagree: bool,
}

/// The marks of the trajectory on screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TurnMarks {
    pub turns: HashMap<usize, Badge>,
    /// The annotator's verdict on the whole trajectory.
    pub verdict: Option<String>,
    /// Others' verdicts on it (only when revealed): (annotator, verdict), by annotator.
    pub others_verdicts: Vec<(String, String)>,
    /// Verdicts differ between annotators (only when revealed).
    pub verdicts_disagree: bool,
}

/// The annotator's progress over the whole of the loaded data (or the sample).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Whole {
    /// Agent turns the annotator marked, of `turns`.
    pub marked: usize,
    pub turns: usize,
    /// Trajectories with every agent turn marked, of `trajectories`.
    pub complete: usize,
    pub trajectories: usize,
}

/// The agent turns that count for progress: not demo.
pub fn agent_turns(t: &Trajectory) -> Vec<usize> {
    t.turns
        .iter()
        .filter(|x| x.role == Role::Agent && !x.demo)
        .map(|x| x.index)
        .collect()
}

impl Labels {
    pub fn new(dir: Option<PathBuf>, annotator: Option<String>) -> Labels {
        // The team's set; the front-end puts the configured one (config file included) here.
        let categories = dir
            .as_deref()
            .and_then(|d| session::categories::in_dir(d).ok().flatten())
            .unwrap_or_default();
        Labels {
            dir,
            annotator: annotator.filter(|a| !a.trim().is_empty()),
            unnamed_apply: true,
            categories,
            ..Labels::default()
        }
    }

    /// Open the annotator's journal (and read the others') unless it is open. The error is a
    /// message for the screen.
    pub fn open(&mut self) -> Result<&mut Journal, String> {
        if self.journal.is_none() {
            let annotator = self
                .annotator
                .clone()
                .ok_or("no annotator: give --annotator or set `annotator` in the config")?;
            let dir = self.dir.clone().ok_or(
                "no annotations directory: give --annotations DIR (no user data directory found)",
            )?;
            let journal = Journal::open(&dir, &annotator).map_err(|e| e.to_string())?;
            self.read_others(&dir, journal.path());
            let set = &self.categories;
            let known = |c: &str| set.contains(c);
            let unknown = journal.replay().unknown_categories(&known, &set.tag());
            self.category_warnings
                .extend(unknown.iter().map(ToString::to_string));
            self.journal = Some(journal);
        }
        Ok(self.journal.as_mut().expect("opened above"))
    }

    /// Read every other journal in `dir` (unreadable ones are skipped).
    pub fn read_others(&mut self, dir: &Path, own: &Path) {
        let mut replay = Replay::new();
        for file in labels::replay::journal_files(dir).unwrap_or_default() {
            if file != own {
                let _ = replay.read_file(&file);
            }
        }
        let me = self.annotator.as_deref().unwrap_or("");
        self.others.clear();
        self.others_categories.clear();
        let set = &self.categories;
        let known = |c: &str| set.contains(c);
        self.category_warnings = replay
            .unknown_categories(&known, &set.tag())
            .iter()
            .map(ToString::to_string)
            .collect();
        for (key, mark) in replay.marks() {
            if key.annotator == me || self.blind.as_ref().is_some_and(|b| b.hides(&key.annotator)) {
                continue;
            }
            if let (Some(turn), Some(c)) = (key.turn, &mark.category) {
                self.others_categories
                    .entry((key.run.clone(), key.trajectory.clone()))
                    .or_default()
                    .push((turn, c.clone()));
            }
            self.others
                .entry((key.run.clone(), key.trajectory.clone()))
                .or_default()
                .push((key.turn, key.annotator.clone(), mark.label.clone()));
        }
    }

    /// The annotator's progress over `data` (the records of `sample`, when given), once every
    /// id is read: `None` before, and without a journal.
    pub fn whole(&self, data: &Dataset, sample: Option<&[usize]>) -> Option<Whole> {
        let j = self.journal.as_ref()?;
        if !data.ids_final() {
            return None;
        }
        let (trajectories, turns) = data.agent_total(sample);
        let mut ids: BTreeSet<&str> = j
            .replay()
            .marks()
            .keys()
            .filter(|k| k.annotator == j.annotator() && k.turn.is_some())
            .map(|k| k.trajectory.as_str())
            .collect();
        ids.extend(self.moved.keys().map(|(_, id)| id.as_str()));
        let mut whole = Whole {
            turns,
            trajectories,
            ..Whole::default()
        };
        for id in ids {
            for i in data.indices_of(id)? {
                if sample.is_some_and(|s| s.binary_search(&i).is_err()) {
                    continue;
                }
                let (Some(agent), Some(run)) = (data.agent_turns(i), data.run_of(i)) else {
                    continue;
                };
                let done = self.marked(&run, id, &agent);
                whole.marked += done;
                whole.complete += usize::from(done == agent.len() && !agent.is_empty());
            }
        }
        Some(whole)
    }

    /// Take the lines found again under another run (see [`crate::session::marks::relocations`]).
    pub fn set_moved(&mut self, relocated: &[(MarkKey, std::sync::Arc<str>)]) {
        self.moved.clear();
        for (key, now) in relocated {
            self.moved
                .entry((now.to_string(), key.trajectory.clone()))
                .or_default()
                .push(key.clone());
        }
    }

    /// Re-read the others' journals (they may have marked since).
    pub fn reread_others(&mut self) {
        if let (Some(dir), Some(j)) = (self.dir.clone(), &self.journal) {
            let own = j.path().to_path_buf();
            self.read_others(&dir, &own);
        }
    }

    /// The runs a journal line may name to be on `(run, trajectory)`: the run, and no run
    /// when such lines apply.
    fn named(&self, run: &str) -> impl Iterator<Item = Option<String>> {
        std::iter::once(Some(run.to_string())).chain(self.unnamed_apply.then_some(None))
    }

    /// The annotator's mark on `(run, trajectory, turn)`; of a line that names the run and one
    /// that names none, the later.
    pub fn mine(&self, run: &str, trajectory: &str, turn: Option<usize>) -> Option<&Mark> {
        let j = self.journal.as_ref()?;
        let moved = self
            .moved_to(run, trajectory)
            .filter(|k| k.annotator == j.annotator() && k.turn == turn)
            .cloned();
        self.named(run)
            .map(|run| MarkKey {
                annotator: j.annotator().to_string(),
                run,
                trajectory: trajectory.to_string(),
                turn,
            })
            .chain(moved)
            .filter_map(|key| j.replay().get(&key))
            .max_by(|a, b| a.at.cmp(&b.at))
    }

    /// The keys of the lines found again on `(run, trajectory)` from a run not loaded.
    fn moved_to(&self, run: &str, trajectory: &str) -> impl Iterator<Item = &MarkKey> {
        self.moved
            .get(&(run.to_string(), trajectory.to_string()))
            .into_iter()
            .flatten()
    }

    /// The annotator's marks on the turns of one trajectory.
    pub fn mine_in(&self, run: &str, trajectory: &str) -> BTreeMap<usize, &Mark> {
        let Some(j) = &self.journal else {
            return BTreeMap::new();
        };
        let mut out: BTreeMap<usize, &Mark> = BTreeMap::new();
        for run in self.named(run) {
            let key = |turn| MarkKey {
                annotator: j.annotator().to_string(),
                run: run.clone(),
                trajectory: trajectory.to_string(),
                turn,
            };
            for (k, m) in j
                .replay()
                .marks()
                .range(key(Some(0))..=key(Some(usize::MAX)))
            {
                let Some(turn) = k.turn else { continue };
                if out.get(&turn).is_none_or(|old| old.at < m.at) {
                    out.insert(turn, m);
                }
            }
        }
        for k in self.moved_to(run, trajectory) {
            let (Some(turn), true) = (k.turn, k.annotator == j.annotator()) else {
                continue;
            };
            if let Some(m) = j.replay().get(k) {
                if out.get(&turn).is_none_or(|old| old.at < m.at) {
                    out.insert(turn, m);
                }
            }
        }
        out
    }

    /// Agent turns marked of `agent` (the trajectory's agent turns).
    pub fn marked(&self, run: &str, trajectory: &str, agent: &[usize]) -> usize {
        let mine = self.mine_in(run, trajectory);
        agent.iter().filter(|t| mine.contains_key(t)).count()
    }

    /// Others' marks on `(run, trajectory)`: (turn, annotator, label).
    fn others_on<'a>(&'a self, run: &str, trajectory: &str) -> impl Iterator<Item = &'a OtherMark> {
        let keys: Vec<_> = self
            .named(run)
            .map(|run| (run, trajectory.to_string()))
            .collect();
        let moved: Vec<&'a MarkKey> = self
            .moved
            .get(&(run.to_string(), trajectory.to_string()))
            .into_iter()
            .flatten()
            .collect();
        let found_again = moved.into_iter().flat_map(move |k| {
            self.others
                .get(&(k.run.clone(), k.trajectory.clone()))
                .into_iter()
                .flatten()
                .filter(move |(turn, annotator, _)| *turn == k.turn && *annotator == k.annotator)
        });
        keys.into_iter()
            .filter_map(|k| self.others.get(&k))
            .flatten()
            .chain(found_again)
    }

    /// Some item of the trajectory — a turn, or the trajectory itself (the verdicts) — has
    /// different labels from different annotators.
    pub fn disagrees(&self, run: &str, trajectory: &str) -> bool {
        let mut labels: HashMap<Option<usize>, BTreeSet<&str>> = HashMap::new();
        for (turn, _, label) in self.others_on(run, trajectory) {
            labels.entry(*turn).or_default().insert(label);
        }
        for (turn, set) in labels.iter_mut() {
            if let Some(m) = self.mine(run, trajectory, *turn) {
                set.insert(&m.label);
            }
        }
        labels.values().any(|s| s.len() > 1)
    }

    /// A category name the filter may use: the set's, or one read in a journal.
    pub fn knows_category(&self, name: &str) -> bool {
        self.categories.contains(name)
            || self
                .others_categories
                .values()
                .flatten()
                .any(|(_, c)| c == name)
            || self.journal.as_ref().is_some_and(|j| {
                j.replay()
                    .marks()
                    .values()
                    .any(|m| m.category.as_deref() == Some(name))
            })
    }

    /// Some turn of `(run, trajectory)` has a mark (anyone's) with category `name`.
    pub fn has_category(&self, run: &str, trajectory: &str, name: &str) -> bool {
        let mine = self
            .mine_in(run, trajectory)
            .values()
            .any(|m| m.label == "wrong" && m.category.as_deref() == Some(name));
        mine || self
            .named(run)
            .filter_map(|r| self.others_categories.get(&(r, trajectory.to_string())))
            .flatten()
            .any(|(_, c)| c == name)
    }

    /// The marks of `t` as drawn.
    pub fn turn_marks(&self, t: &Trajectory) -> TurnMarks {
        let mut out = TurnMarks {
            verdict: self.mine(&t.run, &t.id, None).map(|m| m.label.clone()),
            ..TurnMarks::default()
        };
        for (turn, mark) in self.mine_in(&t.run, &t.id) {
            let stale = t
                .turns
                .get(turn)
                .is_some_and(|x| mark.is_stale(&labels::text_hash(&x.text)));
            out.turns.insert(
                turn,
                Badge {
                    mine: Some(mark.clone()),
                    stale,
                    ..Badge::default()
                },
            );
        }
        if self.reveal {
            let mut verdicts = BTreeSet::new();
            for (turn, annotator, label) in self.others_on(&t.run, &t.id) {
                let Some(turn) = turn else {
                    verdicts.insert((annotator.clone(), label.clone()));
                    continue;
                };
                let badge = out.turns.entry(*turn).or_default();
                badge.others.push((annotator.clone(), label.clone()));
            }
            for badge in out.turns.values_mut() {
                let mut labels: BTreeSet<&str> =
                    badge.others.iter().map(|(_, l)| l.as_str()).collect();
                if let Some(m) = &badge.mine {
                    labels.insert(&m.label);
                }
                badge.disagree = labels.len() > 1;
            }
            out.others_verdicts = verdicts.into_iter().collect();
            let mut labels: BTreeSet<&str> = out
                .others_verdicts
                .iter()
                .map(|(_, l)| l.as_str())
                .collect();
            labels.extend(out.verdict.as_deref());
            out.verdicts_disagree = labels.len() > 1;
        }
        out
    }
}

/// A turn's marks in its label row: `✓ right` / `✗ wrong` in the theme's label colours, `stale`
/// when the text changed since, and (revealed) others' labels with `≠` where they disagree.
pub fn badge_spans(badge: &Badge, theme: &Theme) -> Vec<Span<'static>> {
    let glyph = |label: &str| match label {
        "right" => ("✓", theme.label_right),
        "wrong" => ("✗", theme.label_wrong),
        _ => ("•", theme.muted),
    };
    let mut spans = Vec::new();
    if let Some(mark) = &badge.mine {
        let (g, style) = glyph(&mark.label);
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            format!("{g} {}", sanitize_line(&mark.label)),
            style,
        ));
        if mark.label == "wrong" {
            if let Some(c) = &mark.category {
                spans.push(Span::styled(format!(" · {}", sanitize_line(c)), style));
            }
            if let Some(s) = &mark.severity {
                spans.push(Span::styled(
                    format!(" ({})", sanitize_line(s)),
                    theme.muted,
                ));
            }
            if mark.decisive {
                spans.push(Span::styled(" ◆ decisive", theme.finding_error));
            }
        }
        if badge.stale {
            spans.push(Span::styled(" (stale: text changed)", theme.finding_warn));
        }
    }
    if badge.disagree {
        spans.push(Span::styled("  ≠", theme.finding_error));
    }
    for (annotator, label) in &badge.others {
        let (g, style) = glyph(label);
        spans.push(Span::styled(
            format!(" {}:", sanitize_line(annotator)),
            theme.muted,
        ));
        spans.push(Span::styled(g.to_string(), style));
    }
    spans
}
