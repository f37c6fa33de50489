//! What the census knows of the records: whether an id is final, where an id is, each
//! record's run and reviewed agent turns.

use std::sync::Arc;

use super::{read, Dataset};

impl Dataset {
    /// The census has seen every record before `i`: its id is final.
    pub fn id_settled(&self, i: usize) -> bool {
        self.shared.ledger.settled(i)
    }

    /// Every record's id is final: the census is over.
    pub fn ids_final(&self) -> bool {
        self.shared.ledger.finished()
    }

    /// The records with the id `id` (one per run that has it), once every id is final.
    pub fn indices_of(&self, id: &str) -> Option<Vec<usize>> {
        self.shared.ledger.indices_of(id)
    }

    /// The run of record `i`.
    pub fn run_of(&self, i: usize) -> Option<Arc<str>> {
        let file = read(&self.shared.records).get(i)?.file as usize;
        read(&self.shared.files).get(file).map(|f| f.run.clone())
    }

    /// The reviewed agent turns of record `i` (not in-context examples), once the census has
    /// read it.
    pub fn agent_turns(&self, i: usize) -> Option<Vec<usize>> {
        self.shared.ledger.agent_turns(i)
    }

    /// Of the records the census has read (those in `only`, when given): how many, and their
    /// reviewed agent turns in all.
    pub fn agent_total(&self, only: Option<&[usize]>) -> (usize, usize) {
        self.shared.ledger.agent_total(only)
    }

    /// The runs of the input files.
    pub fn runs(&self) -> &[Arc<str>] {
        &self.runs
    }
}
