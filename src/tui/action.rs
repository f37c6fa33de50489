//! The one table of actions: each has a name (used by the config file), a help line (used by
//! the help overlay) and default keys (used by the keymap). Nothing else lists keys.

mod key;

use std::collections::HashMap;

use ratatui::crossterm::event::KeyEvent;

pub use key::Key;

/// Everything a key can do on the review screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    NextStep,
    PrevStep,
    PageDown,
    PageUp,
    Top,
    Bottom,
    NextTrajectory,
    PrevTrajectory,
    ToggleFold,
    ToggleInstruction,
    ToggleDemo,
    ToggleStack,
    ToggleList,
    ToggleFindings,
    Search,
    NextHit,
    PrevHit,
    NextFinding,
    PrevFinding,
    Filter,
    Sort,
    OpenPager,
    OpenEditor,
    JumpToId,
    MarkRight,
    MarkWrong,
    /// Mark the turn wrong with the category of this digit key (1…9, then 0 for the tenth).
    Category(u8),
    Severity,
    Decisive,
    ClearMark,
    EditNote,
    Accept,
    Reject,
    Undo,
    NextUnmarked,
    ToggleTarget,
    RevealOthers,
    Agreement,
    Estimate,
    Overview,
    Cancel,
}

/// One row of the table.
pub struct ActionInfo {
    pub action: Action,
    pub name: &'static str,
    pub help: &'static str,
    pub keys: &'static [&'static str],
}

/// The table: the keymap, the help overlay and the config file's `[keys]` all derive from it.
pub const ACTIONS: &[ActionInfo] = &[
    info(
        Action::NextStep,
        "next_step",
        "next step (turn row)",
        &["j", "down"],
    ),
    info(Action::PrevStep, "prev_step", "previous step", &["k", "up"]),
    info(
        Action::PageDown,
        "page_down",
        "page down",
        &["pagedown", "ctrl-d", "space"],
    ),
    info(Action::PageUp, "page_up", "page up", &["pageup", "ctrl-u"]),
    info(Action::Top, "top", "first step", &["g", "home"]),
    info(Action::Bottom, "bottom", "last step", &["G", "end"]),
    info(
        Action::NextTrajectory,
        "next_trajectory",
        "next trajectory in the list",
        &["J", "ctrl-n", "right"],
    ),
    info(
        Action::PrevTrajectory,
        "prev_trajectory",
        "previous trajectory in the list",
        &["K", "ctrl-p", "left"],
    ),
    info(
        Action::ToggleFold,
        "toggle_fold",
        "fold / unfold the long turns of this step",
        &["enter", "z"],
    ),
    info(
        Action::ToggleInstruction,
        "toggle_instruction",
        "fold / unfold the instruction",
        &["i"],
    ),
    info(
        Action::ToggleDemo,
        "toggle_demo",
        "show / hide the in-context demo turns",
        &["d"],
    ),
    info(
        Action::ToggleStack,
        "toggle_stack",
        "side by side / stacked",
        &["s"],
    ),
    info(
        Action::ToggleList,
        "toggle_list",
        "show / hide the trajectory list",
        &["b"],
    ),
    info(
        Action::ToggleFindings,
        "toggle_findings",
        "show / hide the findings pane",
        &["p"],
    ),
    info(
        Action::Search,
        "search",
        "search this trajectory (regex, smart case)",
        &["/"],
    ),
    info(Action::NextHit, "next_hit", "next search hit", &["n"]),
    info(Action::PrevHit, "prev_hit", "previous search hit", &["N"]),
    info(
        Action::NextFinding,
        "next_finding",
        "next finding (across trajectories)",
        &["f"],
    ),
    info(
        Action::PrevFinding,
        "prev_finding",
        "previous finding (across trajectories)",
        &["F"],
    ),
    info(
        Action::Filter,
        "filter",
        "filter: sev: rule: task: cat: outcome: status: marked disagree text",
        &["&"],
    ),
    info(
        Action::OpenPager,
        "open_pager",
        "the turn under the cursor in $PAGER (less)",
        &["O"],
    ),
    info(
        Action::OpenEditor,
        "open_editor",
        "the turn under the cursor in $EDITOR, read-only",
        &["V"],
    ),
    info(
        Action::Sort,
        "sort",
        "sort the list: file order, id, outcome, turns, findings, marked (round)",
        &["S"],
    ),
    info(
        Action::JumpToId,
        "jump_to_id",
        "jump to a trajectory by id (type ahead)",
        &[":"],
    ),
    info(
        Action::MarkRight,
        "mark_right",
        "mark the turn right",
        &["y"],
    ),
    info(
        Action::MarkWrong,
        "mark_wrong",
        "mark the turn wrong",
        &["x"],
    ),
    info(
        Action::Category(1),
        "category_1",
        "mark wrong with that category (listed below)",
        &["1"],
    ),
    info(
        Action::Category(2),
        "category_2",
        "mark wrong with that category (listed below)",
        &["2"],
    ),
    info(
        Action::Category(3),
        "category_3",
        "mark wrong with that category (listed below)",
        &["3"],
    ),
    info(
        Action::Category(4),
        "category_4",
        "mark wrong with that category (listed below)",
        &["4"],
    ),
    info(
        Action::Category(5),
        "category_5",
        "mark wrong with that category (listed below)",
        &["5"],
    ),
    info(
        Action::Category(6),
        "category_6",
        "mark wrong with that category (listed below)",
        &["6"],
    ),
    info(
        Action::Category(7),
        "category_7",
        "mark wrong with that category (listed below)",
        &["7"],
    ),
    info(
        Action::Category(8),
        "category_8",
        "mark wrong with that category (listed below)",
        &["8"],
    ),
    info(
        Action::Category(9),
        "category_9",
        "mark wrong with that category (listed below)",
        &["9"],
    ),
    info(
        Action::Category(0),
        "category_10",
        "mark wrong with that category (listed below)",
        &["0"],
    ),
    info(
        Action::Severity,
        "severity",
        "the wrong turn's severity: minor, major, critical, none",
        &["v"],
    ),
    info(
        Action::Decisive,
        "decisive",
        "the wrong turn is the decisive error (again: not)",
        &["D"],
    ),
    info(
        Action::ClearMark,
        "clear_mark",
        "clear the turn's mark",
        &["c"],
    ),
    info(
        Action::EditNote,
        "note",
        "add / edit the note on the marked turn",
        &["e"],
    ),
    info(
        Action::Accept,
        "accept",
        "accept the whole trajectory (again: clear)",
        &["A"],
    ),
    info(
        Action::Reject,
        "reject",
        "reject the whole trajectory (again: clear)",
        &["R"],
    ),
    info(Action::Undo, "undo", "undo the last mark", &["u"]),
    info(
        Action::NextUnmarked,
        "next_unmarked",
        "next agent turn without a mark (across trajectories)",
        &["m", "tab"],
    ),
    info(
        Action::ToggleTarget,
        "toggle_target",
        "marks go on the agent turn / the environment reply",
        &["t"],
    ),
    info(
        Action::RevealOthers,
        "reveal_others",
        "show / hide other annotators' marks",
        &["o"],
    ),
    info(
        Action::Agreement,
        "agreement",
        "agreement between the annotators (κ, α, confusion)",
        &["a"],
    ),
    info(
        Action::Estimate,
        "estimate",
        "the dataset's defect rate estimated from the reviewed sample",
        &["E"],
    ),
    info(
        Action::Overview,
        "overview",
        "overview: charts of findings by rule, outcomes, progress, categories",
        &["C"],
    ),
    info(Action::Help, "help", "show / hide this help", &["?", "f1"]),
    info(
        Action::Cancel,
        "cancel",
        "close the overlay, clear the search",
        &["esc"],
    ),
    info(Action::Quit, "quit", "quit", &["q", "ctrl-c"]),
];

const fn info(
    action: Action,
    name: &'static str,
    help: &'static str,
    keys: &'static [&'static str],
) -> ActionInfo {
    ActionInfo {
        action,
        name,
        help,
        keys,
    }
}

impl Action {
    pub fn info(self) -> &'static ActionInfo {
        ACTIONS
            .iter()
            .find(|i| i.action == self)
            .expect("every action is in the table")
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn from_name(name: &str) -> Option<Action> {
        ACTIONS.iter().find(|i| i.name == name).map(|i| i.action)
    }
}

/// Keys to actions: the defaults from [`ACTIONS`], with the config file's overrides.
#[derive(Debug, Clone)]
pub struct Keymap {
    map: HashMap<Key, Action>,
    keys: HashMap<Action, Vec<Key>>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        let mut k = Keymap {
            map: HashMap::new(),
            keys: HashMap::new(),
        };
        for info in ACTIONS {
            let keys = info
                .keys
                .iter()
                .map(|s| Key::parse(s).expect("valid default key"));
            k.set(info.action, keys.collect());
        }
        k
    }
}

impl Keymap {
    /// Give `action` exactly these keys (taking them from any other action).
    pub fn set(&mut self, action: Action, keys: Vec<Key>) {
        if let Some(old) = self.keys.remove(&action) {
            for key in old {
                self.map.remove(&key);
            }
        }
        for key in &keys {
            if let Some(previous) = self.map.insert(*key, action) {
                if let Some(list) = self.keys.get_mut(&previous) {
                    list.retain(|k| k != key);
                }
            }
        }
        self.keys.insert(action, keys);
    }

    /// The action of a key press. Shift is not part of a key: `G` is shift-g already.
    pub fn action(&self, e: &KeyEvent) -> Option<Action> {
        self.map.get(&Key::from_event(e)).copied()
    }

    pub fn keys(&self, action: Action) -> &[Key] {
        self.keys.get(&action).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The keys of an action as shown in help and hints: `j/down`.
    pub fn describe(&self, action: Action) -> String {
        let keys: Vec<String> = self.keys(action).iter().map(Key::to_string).collect();
        keys.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    #[test]
    fn every_action_has_a_unique_name_and_valid_keys() {
        let mut names = std::collections::HashSet::new();
        for info in ACTIONS {
            assert!(names.insert(info.name), "{} twice", info.name);
            for k in info.keys {
                Key::parse(k).unwrap();
            }
        }
    }

    #[test]
    fn no_default_key_is_bound_twice() {
        let mut seen = std::collections::HashSet::new();
        for info in ACTIONS {
            for k in info.keys {
                assert!(seen.insert(Key::parse(k).unwrap()), "{k} bound twice");
            }
        }
    }

    #[test]
    fn overrides_take_the_key_from_its_old_action() {
        let mut map = Keymap::default();
        map.set(
            Action::Quit,
            vec![Key::parse("x").unwrap(), Key::parse("j").unwrap()],
        );
        let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(map.action(&j), Some(Action::Quit));
        assert_eq!(map.describe(Action::NextStep), "down");
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(map.action(&q), None);
    }

    #[test]
    fn shifted_letters_match() {
        let map = Keymap::default();
        let g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(map.action(&g), Some(Action::Bottom));
        let c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(map.action(&c), Some(Action::Quit));
    }
}
