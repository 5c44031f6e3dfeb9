//! Building the index a slice at a time, so that the first screen of a large notebook does not wait
//! for it.

use super::index::SearchIndex;
use crate::crdt::id::RecordId;
use crate::notebook::Notebook;

/// A [`SearchIndex`] under construction: the records still to index, taken a few at a time by
/// [`IndexBuild::step`]. The app runs one step per task, so the browser paints and handles input
/// between them; [`SearchIndex::build`] runs it in one go.
///
/// The notebook may change between steps, as long as every change also reaches the index through
/// [`SearchIndex::update`] (as it must anyway): a record is indexed as it is when its step comes, one
/// deleted meanwhile is left out, and one created meanwhile was indexed by its update. The finished
/// index therefore equals a fresh build of the notebook as it is then.
#[derive(Clone, Debug, Default)]
pub struct IndexBuild {
    ids: Vec<RecordId>,
    next: usize,
}

impl IndexBuild {
    /// Starts building the index of every live record `nb` holds now.
    pub fn new(nb: &Notebook) -> Self {
        IndexBuild { ids: nb.records().filter(|r| !r.is_deleted()).map(|r| r.id).collect(), next: 0 }
    }

    /// Indexes up to `n` more records into `index`, which must be the one this build started into,
    /// and says whether the build is complete. Completing shrinks the index's buffers to their size.
    pub fn step(&mut self, index: &mut SearchIndex, nb: &Notebook, n: usize) -> bool {
        let end = self.next.saturating_add(n).min(self.ids.len());
        for &id in &self.ids[self.next..end] {
            index.refresh(nb, id);
        }
        self.next = end;
        if self.is_complete() {
            index.shrink();
            self.ids = Vec::new();
            self.next = 0;
        }
        self.is_complete()
    }

    /// Whether every record has been indexed.
    pub fn is_complete(&self) -> bool {
        self.next >= self.ids.len()
    }

    /// How many records are still to be indexed.
    pub fn remaining(&self) -> usize {
        self.ids.len() - self.next
    }
}

impl SearchIndex {
    /// The index of every live record in a notebook, in one go.
    pub fn build(nb: &Notebook) -> Self {
        let mut index = SearchIndex::new();
        IndexBuild::new(nb).step(&mut index, nb, usize::MAX);
        index
    }
}
