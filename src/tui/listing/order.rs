//! The list sorted by something other than file order (`S` cycles): every row is read first,
//! a slice at a time between keys, then the shown rows (all, the sample, or the filter's
//! matches) are sorted once; file order breaks ties. The order is taken when the sort is asked
//! for (like a spreadsheet's), not kept up as marks change: `S` round again sorts afresh.

use super::super::marks::Labels;
use super::super::store::{Row, Store};
use crate::model::Verdict;

/// What the list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    #[default]
    File,
    /// A → Z.
    Id,
    /// Failed first: fail, error, unknown, pass (then unreadable records).
    Outcome,
    /// Most turns first.
    Turns,
    /// Most findings first: errors, then warnings, then infos.
    Findings,
    /// Fewest of the annotator's marks first (the share of agent turns marked).
    Marked,
}

impl SortBy {
    pub const ALL: [SortBy; 6] = [
        SortBy::File,
        SortBy::Id,
        SortBy::Outcome,
        SortBy::Turns,
        SortBy::Findings,
        SortBy::Marked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortBy::File => "file order",
            SortBy::Id => "id",
            SortBy::Outcome => "outcome",
            SortBy::Turns => "turns",
            SortBy::Findings => "findings",
            SortBy::Marked => "marked",
        }
    }

    /// The next in `S`'s round.
    pub fn next(self) -> SortBy {
        let at = SortBy::ALL.iter().position(|s| *s == self).unwrap_or(0);
        SortBy::ALL[(at + 1) % SortBy::ALL.len()]
    }
}

/// A row's place under a sort: smaller comes first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Number(u64),
    Counts([std::cmp::Reverse<usize>; 3]),
    Text(String),
}

fn key(by: SortBy, row: &Row, labels: &Labels) -> Key {
    match by {
        SortBy::File => Key::Number(0),
        SortBy::Id => Key::Text(row.id.to_lowercase()),
        SortBy::Outcome => Key::Number(match row.verdict {
            Some(Verdict::Fail) => 0,
            Some(Verdict::Error) => 1,
            Some(Verdict::Unknown) => 2,
            Some(Verdict::Pass) => 3,
            None => 4,
        }),
        SortBy::Turns => Key::Number(u64::MAX - row.turns as u64),
        SortBy::Findings => Key::Counts(row.counts.map(std::cmp::Reverse)),
        SortBy::Marked => {
            let done = labels.marked(&row.run, &row.id, &row.agent);
            // The share marked, in millionths; a trajectory without agent turns goes last.
            let share = (done * 1_000_000)
                .checked_div(row.agent.len())
                .unwrap_or(u64::MAX as usize);
            Key::Number(share as u64)
        }
    }
}

/// A sort in progress or done.
#[derive(Debug, Clone, Default)]
pub struct Order {
    pub by: SortBy,
    /// Rows read so far for it.
    pub read: usize,
    /// The sorted rows, once every row is read, and where each trajectory is among them
    /// (`u32::MAX`: not shown).
    sorted: Option<(Vec<usize>, Vec<u32>)>,
}

impl Order {
    pub fn new(by: SortBy) -> Order {
        Order {
            by,
            ..Order::default()
        }
    }

    /// The sorted rows, once there are.
    pub fn rows(&self) -> Option<&[usize]> {
        self.sorted.as_ref().map(|(rows, _)| rows.as_slice())
    }

    /// Where trajectory `i` is among the sorted rows.
    pub fn position(&self, i: usize) -> Option<usize> {
        let (_, pos) = self.sorted.as_ref()?;
        pos.get(i).filter(|p| **p != u32::MAX).map(|p| *p as usize)
    }

    /// Forget the sorted rows (the rows shown changed): they are sorted again from the rows
    /// already read.
    pub fn invalidate(&mut self) {
        self.sorted = None;
    }

    /// Whether every row is read and the rows are sorted.
    pub fn done(&self) -> bool {
        self.sorted.is_some()
    }

    /// Read more rows for the sort, and sort `shown` (the rows to show, in file order) once
    /// every one of the `len` trajectories is read and `complete` says no more will come.
    pub fn advance(
        &mut self,
        store: &mut Store,
        labels: &Labels,
        shown: Option<&[usize]>,
        complete: bool,
        within: impl Fn() -> bool,
    ) {
        if self.sorted.is_some() {
            return;
        }
        let len = store.len();
        while self.read < len && within() {
            store.row(self.read);
            self.read += 1;
        }
        if self.read < len || !complete {
            return;
        }
        let mut rows: Vec<usize> = shown.map_or_else(|| (0..len).collect(), <[usize]>::to_vec);
        let keys: Vec<Key> = rows
            .iter()
            .map(|&i| key(self.by, store.row(i), labels))
            .collect();
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| keys[a].cmp(&keys[b]).then(rows[a].cmp(&rows[b])));
        rows = order.into_iter().map(|k| rows[k]).collect();
        let mut pos = vec![u32::MAX; len];
        for (p, &i) in rows.iter().enumerate() {
            pos[i] = p as u32;
        }
        self.sorted = Some((rows, pos));
    }
}
