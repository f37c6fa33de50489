//! The trajectory as a document of blocks (prompts, the instruction, the demo, one block per
//! step) laid out for a width: which turns go where, and how tall each block is.

use std::collections::{HashMap, HashSet};

use super::store::Entry;
use crate::model::Role;

/// Rows shown of a folded step turn, of a folded instruction, of a folded system prompt.
pub const FOLD_ROWS: usize = 10;
pub const INSTRUCTION_ROWS: usize = 4;
pub const PROMPT_ROWS: usize = 2;
/// Columns of the gutter (cursor and finding marks) left of the document.
pub const GUTTER: u16 = 2;

/// A search hit: a byte range of a turn's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub turn: usize,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// A system prompt or an instruction that is not the task (folded short).
    Prompt(usize),
    /// The task as posed.
    Instruction(usize),
    /// The user speaking again after the task (a follow-up in a chat): an instruction turn
    /// after the task's.
    User(usize),
    /// The in-context demo turns, hidden behind one row.
    Demo { turns: usize },
    /// An agent turn and the environment turns `[start, end)` answering it.
    Step {
        agent: Option<usize>,
        env: (usize, usize),
    },
}

impl BlockKind {
    /// What the block is, as the status bar says it (`step` for a step, which it numbers).
    pub fn name(self) -> &'static str {
        match self {
            BlockKind::Prompt(_) => "prompt",
            BlockKind::Instruction(_) => "instruction",
            BlockKind::User(_) => "user",
            BlockKind::Demo { .. } => "demo",
            BlockKind::Step { .. } => "step",
        }
    }
}

/// `1 step`, `4 steps`.
pub fn steps_text(n: usize) -> String {
    match n {
        1 => "1 step".to_string(),
        n => format!("{n} steps"),
    }
}

#[derive(Debug, Clone)]
pub struct Block {
    pub kind: BlockKind,
    /// First row of the block in the document.
    pub top: usize,
    /// Rows, including the blank row after it.
    pub height: usize,
}

impl Block {
    /// The turns the block shows, in order.
    pub fn turns(&self) -> Vec<usize> {
        match self.kind {
            BlockKind::Prompt(t) | BlockKind::Instruction(t) | BlockKind::User(t) => vec![t],
            BlockKind::Demo { .. } => Vec::new(),
            BlockKind::Step { agent, env } => agent.into_iter().chain(env.0..env.1).collect(),
        }
    }
}

/// What is folded.
#[derive(Debug, Clone, Default)]
pub struct Folds {
    pub unfolded: HashSet<usize>,
    pub instruction_open: bool,
    pub demo_open: bool,
}

/// How wide the document is and how it is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Geometry {
    /// Width of the document area, gutter included.
    pub width: u16,
    pub stacked: bool,
}

impl Geometry {
    /// Widths of the agent and environment columns (equal to the full width when stacked).
    pub fn columns(self) -> (usize, usize) {
        let inner = self.width.saturating_sub(GUTTER) as usize;
        if self.stacked {
            (inner.max(1), inner.max(1))
        } else {
            let left = inner.saturating_sub(1) / 2;
            (left.max(1), inner.saturating_sub(left + 1).max(1))
        }
    }

    pub fn full(self) -> usize {
        (self.width.saturating_sub(GUTTER) as usize).max(1)
    }
}

/// The key of one rendered turn: turn, width, row limit.
pub type TurnKey = (usize, usize, Option<usize>);

/// The laid-out document.
#[derive(Debug, Clone)]
pub struct Doc {
    pub blocks: Vec<Block>,
    pub rows: usize,
    pub geometry: Geometry,
}

impl Doc {
    /// Lay out `entry` with these folds; `height_of` renders (or remembers) a turn's height.
    pub fn build(
        entry: &Entry,
        folds: &Folds,
        geometry: Geometry,
        mut height_of: impl FnMut(TurnKey) -> usize,
    ) -> Doc {
        let t = &entry.trajectory;
        let main = t.instruction().map(|i| i.index);
        let mut kinds = Vec::new();
        for turn in t.turns.iter().take(t.preamble_len()) {
            if Some(turn.index) != main {
                kinds.push(BlockKind::Prompt(turn.index));
            }
        }
        if let Some(i) = main {
            kinds.push(BlockKind::Instruction(i));
        }
        let demo_turns = t.turns.iter().filter(|x| x.demo).count();
        if demo_turns > 0 && !folds.demo_open {
            kinds.push(BlockKind::Demo { turns: demo_turns });
        }
        let mut i = t.preamble_len();
        let n = t.turns.len();
        while i < n {
            let turn = &t.turns[i];
            if turn.demo && !folds.demo_open {
                i += 1;
                continue;
            }
            match turn.role {
                // After the task, the user speaking again.
                Role::Instruction if main.is_some_and(|m| i > m) => {
                    kinds.push(BlockKind::User(i));
                    i += 1;
                }
                Role::Instruction | Role::System => {
                    if Some(i) != main {
                        kinds.push(BlockKind::Prompt(i));
                    }
                    i += 1;
                }
                role => {
                    let agent = (role == Role::Agent).then_some(i);
                    if agent.is_some() {
                        i += 1;
                    }
                    let start = i;
                    while i < n
                        && t.turns[i].role == Role::Environment
                        && (folds.demo_open || !t.turns[i].demo)
                    {
                        i += 1;
                    }
                    kinds.push(BlockKind::Step {
                        agent,
                        env: (start, i),
                    });
                }
            }
        }
        let mut blocks = Vec::with_capacity(kinds.len());
        let mut top = 0;
        let (left, right) = geometry.columns();
        for kind in kinds {
            let body = match kind {
                BlockKind::Prompt(t) | BlockKind::Instruction(t) | BlockKind::User(t) => {
                    height_of((t, geometry.full(), limit(kind, t, folds)))
                }
                BlockKind::Demo { .. } => 1,
                BlockKind::Step { agent, env } => {
                    let a = agent.map_or(1, |t| height_of((t, left, limit(kind, t, folds))));
                    let e: usize = (env.0..env.1)
                        .map(|t| height_of((t, right, limit(kind, t, folds))))
                        .sum::<usize>()
                        .max(1);
                    if geometry.stacked {
                        a + e
                    } else {
                        a.max(e)
                    }
                }
            };
            blocks.push(Block {
                kind,
                top,
                height: body + 1,
            });
            top += body + 1;
        }
        Doc {
            blocks,
            rows: top,
            geometry,
        }
    }

    /// The block holding document row `row`.
    pub fn block_at(&self, row: usize) -> usize {
        self.blocks
            .partition_point(|b| b.top + b.height <= row)
            .min(self.blocks.len().saturating_sub(1))
    }

    /// The block showing `turn`, if it is shown.
    pub fn block_of_turn(&self, turn: usize) -> Option<usize> {
        self.blocks.iter().position(|b| b.turns().contains(&turn))
    }
}

/// The row limit of `turn` in a block of this kind (`None`: unfolded).
pub fn limit(kind: BlockKind, turn: usize, folds: &Folds) -> Option<usize> {
    if folds.unfolded.contains(&turn) {
        return None;
    }
    match kind {
        BlockKind::Instruction(_) if folds.instruction_open => None,
        BlockKind::Instruction(_) => Some(INSTRUCTION_ROWS),
        BlockKind::Prompt(_) => Some(PROMPT_ROWS),
        _ => Some(FOLD_ROWS),
    }
}

/// Where a turn sits in its block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub turn: usize,
    /// 0: the agent (left) column or the full width; 1: the environment column.
    pub column: u8,
    /// Row of the turn's label, from the top of the block.
    pub row: usize,
    pub key: TurnKey,
}

/// The turns of `block` and where they go, using the heights remembered in `heights`.
pub fn place(
    block: &Block,
    geometry: Geometry,
    folds: &Folds,
    heights: &HashMap<TurnKey, usize>,
) -> Vec<Placed> {
    let (left, right) = geometry.columns();
    let height = |key: &TurnKey| heights.get(key).copied().unwrap_or(1);
    match block.kind {
        BlockKind::Prompt(t) | BlockKind::Instruction(t) | BlockKind::User(t) => vec![Placed {
            turn: t,
            column: 0,
            row: 0,
            key: (t, geometry.full(), limit(block.kind, t, folds)),
        }],
        BlockKind::Demo { .. } => Vec::new(),
        BlockKind::Step { agent, env } => {
            let mut out = Vec::new();
            let mut row = 0;
            if let Some(t) = agent {
                let key = (t, left, limit(block.kind, t, folds));
                out.push(Placed {
                    turn: t,
                    column: 0,
                    row: 0,
                    key,
                });
                if geometry.stacked {
                    row = height(&key);
                }
            } else if geometry.stacked {
                row = 1;
            }
            for t in env.0..env.1 {
                let key = (t, right, limit(block.kind, t, folds));
                let column = if geometry.stacked { 0 } else { 1 };
                out.push(Placed {
                    turn: t,
                    column,
                    row,
                    key,
                });
                row += height(&key);
            }
            out
        }
    }
}
