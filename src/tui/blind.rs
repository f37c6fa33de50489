//! Blind review of a turn sample (verifying a judge, `--sample-turns N --by JUDGE`): which turns
//! are sampled, how much of a sampled trajectory may be seen (the turns up to its first sampled
//! turn the annotator has not marked, none after), whose marks stay hidden (the judge's), and
//! the status line `blind: turn sample of N by JUDGE, k/N marked`.

/// A sampled turn on the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampledAt {
    /// The trajectory's record (global index in the data).
    pub record: usize,
    pub run: String,
    pub trajectory: String,
    pub turn: usize,
}

/// The turn sample under blind review.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blind {
    /// The annotator whose labels the sample was drawn by; its marks are never shown.
    pub judge: String,
    /// The sampled turns found in the data, in review order.
    pub turns: Vec<SampledAt>,
}

impl Blind {
    /// The sampled trajectories' records, increasing (what the list shows).
    pub fn records(&self) -> Vec<usize> {
        let mut out: Vec<usize> = self.turns.iter().map(|t| t.record).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The sampled turns of `record`, increasing.
    pub fn sampled(&self, record: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .turns
            .iter()
            .filter(|t| t.record == record)
            .map(|t| t.turn)
            .collect();
        out.sort_unstable();
        out
    }

    /// The last turn of `record` to show: its first sampled turn without a mark of the
    /// annotator's (`marked`), else its last sampled turn; `None` when it has none.
    pub fn cut(&self, record: usize, marked: impl Fn(usize) -> bool) -> Option<usize> {
        let turns = self.sampled(record);
        turns
            .iter()
            .copied()
            .find(|&t| !marked(t))
            .or(turns.last().copied())
    }

    /// Whether `annotator`'s marks are hidden (the judge's).
    pub fn hides(&self, annotator: &str) -> bool {
        annotator == self.judge
    }

    /// The status line, `k` of the sampled turns marked.
    pub fn status(&self, k: usize) -> String {
        format!(
            "blind: turn sample of {} by {}, {k}/{} marked",
            self.turns.len(),
            self.judge,
            self.turns.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trajectory_shows_up_to_its_first_unmarked_sampled_turn() {
        let at = |record, turn| SampledAt {
            record,
            run: "r".into(),
            trajectory: format!("t{record}"),
            turn,
        };
        let b = Blind {
            judge: "gpt4".into(),
            turns: vec![at(4, 3), at(4, 7), at(1, 5)],
        };
        assert_eq!(b.records(), [1, 4]);
        assert_eq!(b.cut(4, |_| false), Some(3));
        assert_eq!(b.cut(4, |t| t == 3), Some(7));
        assert_eq!(b.cut(4, |_| true), Some(7));
        assert_eq!(b.cut(2, |_| false), None);
        assert!(b.hides("gpt4") && !b.hides("alice"));
        assert_eq!(b.status(1), "blind: turn sample of 3 by gpt4, 1/3 marked");
    }
}
