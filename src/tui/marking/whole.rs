//! What the marking state knows of the whole data: the annotator's progress over it, and the
//! marks of renamed or moved files found again once every id is read.

use super::Marking;
use crate::load::Dataset;
use crate::sanitize::sanitize_line;
use crate::session;
use crate::tui::marks::Whole;

impl Marking {
    /// Count the annotator's progress over the whole data again if the marks changed.
    pub fn update_whole(&mut self, data: &Dataset, sample: Option<&[usize]>) {
        let Some(j) = &self.labels.journal else {
            return;
        };
        let key = (
            j.replay().marks().len(),
            self.labels.moved.len(),
            sample.map_or(usize::MAX, <[usize]>::len),
        );
        if self.whole.as_ref().is_some_and(|(k, _)| *k == key) {
            return;
        }
        self.whole = self.labels.whole(data, sample).map(|w| (key, w));
    }

    /// The annotator's progress over the whole data, once counted.
    pub fn whole(&self) -> Option<Whole> {
        self.whole.map(|(_, w)| w)
    }

    /// Once every id of `data` is final: find again the marks whose run is not loaded (the file
    /// was renamed or moved) by id, turn and text hash. A notice for the status bar when some
    /// were found; `None` otherwise, and while the ids are still being read.
    pub fn relocate(&mut self, data: &Dataset) -> Option<String> {
        if self.relocated || !data.ids_final() {
            return None;
        }
        self.relocated = true;
        let dir = self.labels.dir.clone()?;
        let found = session::marks::relocations(&dir, data)?;
        self.labels.set_moved(&found.relocated);
        found.notice().map(|n| sanitize_line(&n))
    }
}
