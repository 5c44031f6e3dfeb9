//! The write-behind queue between the notebook in memory and a backend.

use std::collections::{BTreeMap, BTreeSet};

use super::pages::{page_key, removed_marker, PageWriter, PACK_AT};
use super::{record_key, Op, StoreError, WriteOutcome};
use crate::crdt::id::RecordId;
use crate::formats::wire::encode_record;
use crate::notebook::Notebook;

/// One batch of writes on its way to a backend: records, then metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    ids: Vec<RecordId>,
    /// The metadata keys and the texts this batch writes, after the records.
    meta: Vec<(String, String)>,
    /// The writes: one per record in id order, then one per metadata key in key order. A batch of many
    /// records (an import) holds pages instead, once [`Batch::pack`] has made them.
    pub ops: Vec<Op>,
    /// Records still to pack into pages, and the page being filled.
    to_pack: std::collections::VecDeque<RecordId>,
    page: Option<PageWriter>,
    now_ms: u64,
    /// The pages this batch puts, by key, with the records each holds.
    written: Vec<(String, Vec<RecordId>)>,
    /// Pages written earlier in this session that this batch deletes, since it rewrites their records.
    drops: Vec<String>,
}

impl Batch {
    /// Packs up to `records` more of the batch's records into pages (`random` names each page), so that
    /// the caller can yield to the page between slices; true once every record is packed and the batch
    /// is ready to write. A record gone from memory meanwhile is written as removed.
    pub fn pack(&mut self, notebook: &Notebook, records: usize, mut random: impl FnMut() -> u64) -> bool {
        let mut at = 0;
        let mut pages = Vec::new();
        while at < records {
            let Some(id) = self.to_pack.pop_front() else { break };
            let Some(r) = notebook.record(id) else {
                self.ops.push(Op::Put(record_key(id), removed_marker(self.now_ms)));
                continue;
            };
            let page = self.page.get_or_insert_with(PageWriter::new);
            page.push(r);
            at += 1;
            if page.is_full() {
                pages.push(self.page.take().map(PageWriter::finish));
            }
        }
        if self.to_pack.is_empty() {
            pages.push(self.page.take().filter(|p| !p.is_empty()).map(PageWriter::finish));
        }
        // Pages go first: the metadata written with them (the import log) must not land without them.
        let is_page = |op: &Op| matches!(op, Op::Put(k, _) if k.starts_with(super::pages::PAGE_PREFIX));
        let at = self.ops.iter().take_while(|op| is_page(op)).count();
        let mut new = Vec::new();
        for (text, ids) in pages.into_iter().flatten() {
            let key = page_key(self.now_ms, random());
            self.written.push((key.clone(), ids));
            new.push(Op::Put(key, text));
        }
        self.ops.splice(at..at, new);
        self.to_pack.is_empty()
    }

    /// Whether every record of the batch is in its ops.
    pub fn is_packed(&self) -> bool {
        self.to_pack.is_empty() && self.page.is_none()
    }
}

/// What one write after a failure carries: the records that must land together, or one metadata key.
enum Unit {
    Records(Vec<RecordId>),
    Meta(String),
}

/// The write-behind queue: which records and metadata keys still have to reach storage, and why the
/// last try failed.
///
/// Backends write a batch whole or not at all. Normally one batch carries everything pending. After a
/// failure the queue writes one unit at a time, in order: the records of one import together (so an
/// import lands whole or not at all), every other record alone, each metadata key alone, and units
/// whose write failed last, so that one write that cannot succeed (a value larger than the store) never
/// holds back the others.
///
/// Metadata (the export state, the import log, device profiles) goes through the same queue as records
/// so that it is retried after a failure and the save indicator counts it: written once and forgotten,
/// a failed write of the export sequence would number the next bundle again.
#[derive(Clone, Debug, Default)]
pub struct WriteQueue {
    pending: BTreeSet<RecordId>,
    in_flight: bool,
    /// Records changed again after the batch under way took their state.
    touched_in_flight: BTreeSet<RecordId>,
    /// Records that must land together (the records of one import).
    groups: Vec<BTreeSet<RecordId>>,
    /// Records whose unit failed to land.
    stuck: BTreeSet<RecordId>,
    /// Metadata waiting to be written, by key; a newer text replaces an older one, since only the
    /// newest state of a key matters.
    meta: BTreeMap<String, String>,
    /// Metadata keys whose write failed.
    stuck_meta: BTreeSet<String>,
    /// Per metadata key, the text this tab last saw in storage (read, heard from another tab, or
    /// written): the common ancestor a three-way merge needs to tell a removal from an addition.
    stored_meta: BTreeMap<String, String>,
    last_error: Option<StoreError>,
    /// The pages this queue wrote, with the records each holds: what a replacement must delete.
    session_pages: Vec<(String, Vec<RecordId>)>,
    /// Records whose state in memory replaces what storage holds rather than adding to it (undoing an
    /// import), until the next batch finds the pages that hold them.
    replacing: BTreeSet<RecordId>,
    /// Pages to delete in the batch that rewrites all of their records.
    dropping: BTreeSet<String>,
}

impl WriteQueue {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes records that changed in memory.
    pub fn enqueue(&mut self, ids: impl IntoIterator<Item = RecordId>) {
        for id in ids {
            if self.in_flight {
                self.touched_in_flight.insert(id);
            }
            self.pending.insert(id);
        }
    }

    /// Notes records that changed together and must reach storage together: an import.
    pub fn enqueue_together(&mut self, ids: impl IntoIterator<Item = RecordId>) {
        let group: BTreeSet<RecordId> = ids.into_iter().collect();
        self.enqueue(group.iter().copied());
        // A record belongs to one group at most: a later import takes it over with its own.
        for g in &mut self.groups {
            g.retain(|id| !group.contains(id));
        }
        self.groups.retain(|g| !g.is_empty());
        if !group.is_empty() {
            self.groups.push(group);
        }
    }

    /// Notes records whose state in memory replaces what storage holds, rather than adding to it: undoing
    /// an import puts their earlier state back. Storage joins every copy of a record it holds, so an
    /// earlier state written beside a page that holds the later one would lose to it at the next start.
    /// Each page this queue wrote that holds one of them is therefore deleted in the batch that writes
    /// them, with every other record it held rewritten from memory; they land together.
    pub fn enqueue_replacing(&mut self, ids: impl IntoIterator<Item = RecordId>) {
        let ids: Vec<RecordId> = ids.into_iter().collect();
        self.replacing.extend(ids.iter().copied());
        self.enqueue_together(ids);
    }

    /// Turns the records waiting to replace their stored state into pages to drop, and queues every
    /// record those pages hold to be rewritten with them. Done when no batch is under way, so that the
    /// pages of the batch that wrote the import are known.
    fn resolve_replacing(&mut self) {
        if self.replacing.is_empty() {
            return;
        }
        let replacing = std::mem::take(&mut self.replacing);
        let mut rewrite: BTreeSet<RecordId> = BTreeSet::new();
        for (key, ids) in &self.session_pages {
            if ids.iter().any(|id| replacing.contains(id)) {
                self.dropping.insert(key.clone());
            }
        }
        for (key, ids) in &self.session_pages {
            if self.dropping.contains(key) {
                rewrite.extend(ids.iter().copied());
            }
        }
        if !rewrite.is_empty() {
            rewrite.extend(replacing);
            // One group: a page is deleted only in the batch that writes every record it held.
            let joined: BTreeSet<RecordId> =
                self.groups.iter().filter(|g| g.iter().any(|id| rewrite.contains(id))).flatten().copied().collect();
            rewrite.extend(joined);
            self.enqueue_together(rewrite);
        }
    }

    /// Queues the JSON text of one metadata key. A text queued earlier for the key and not yet written
    /// is replaced; one under way is written, and this one after it.
    pub fn enqueue_meta(&mut self, key: &str, text: String) {
        self.meta.insert(key.to_string(), text);
    }

    /// The metadata keys waiting to be written, in key order.
    pub fn pending_meta_keys(&self) -> Vec<String> {
        self.meta.keys().cloned().collect()
    }

    /// The text waiting to be written for a metadata key, if one waits.
    pub fn pending_meta(&self, key: &str) -> Option<&str> {
        self.meta.get(key).map(String::as_str)
    }

    /// The text this tab last saw stored under a metadata key, if it saw one.
    pub fn stored_meta(&self, key: &str) -> Option<&str> {
        self.stored_meta.get(key).map(String::as_str)
    }

    /// Remembers what storage holds under a metadata key (read before a write, or written by another
    /// tab), as the ancestor of the next merge.
    pub fn note_stored_meta(&mut self, key: &str, text: String) {
        self.stored_meta.insert(key.to_string(), text);
    }

    /// Whether a batch is under way.
    pub fn is_in_flight(&self) -> bool {
        self.in_flight
    }

    /// How many records and metadata keys are not yet saved (waiting, or in the batch under way).
    pub fn unsaved(&self) -> usize {
        self.pending.len() + self.meta.len()
    }

    /// Why the last write failed, until a write succeeds.
    pub fn last_error(&self) -> Option<&StoreError> {
        self.last_error.as_ref()
    }

    /// The units of what is pending, in the order they are written after a failure.
    fn units(&self) -> Vec<Unit> {
        let mut grouped = BTreeSet::new();
        let mut units: Vec<Vec<RecordId>> = Vec::new();
        for g in &self.groups {
            let unit: Vec<RecordId> = g.iter().copied().filter(|id| self.pending.contains(id)).collect();
            grouped.extend(unit.iter().copied());
            if !unit.is_empty() {
                units.push(unit);
            }
        }
        units.extend(self.pending.iter().filter(|id| !grouped.contains(*id)).map(|id| vec![*id]));
        let (stuck, free): (Vec<Vec<RecordId>>, Vec<Vec<RecordId>>) =
            units.into_iter().partition(|u| u.iter().any(|id| self.stuck.contains(id)));
        let (stuck_meta, free_meta): (Vec<&String>, Vec<&String>) =
            self.meta.keys().partition(|k| self.stuck_meta.contains(*k));
        let meta = |keys: Vec<&String>| keys.into_iter().map(|k| Unit::Meta(k.clone())).collect::<Vec<_>>();
        free.into_iter()
            .map(Unit::Records)
            .chain(meta(free_meta))
            .chain(stuck.into_iter().map(Unit::Records))
            .chain(meta(stuck_meta))
            .collect()
    }

    /// The next batch to write, if nothing is under way and something waits. A batch of at least
    /// [`PACK_AT`] records writes them as pages, which [`Batch::pack`] makes; a record gone from memory is
    /// written as removed at `now_ms`.
    pub fn take_batch(&mut self, notebook: &Notebook, now_ms: u64) -> Option<Batch> {
        if self.in_flight {
            return None;
        }
        self.resolve_replacing();
        if self.pending.is_empty() && self.meta.is_empty() {
            return None;
        }
        // Something that failed to land waits still: write unit by unit, so that it cannot hold back the rest.
        let split = !self.stuck.is_empty() || !self.stuck_meta.is_empty();
        let (ids, meta): (Vec<RecordId>, Vec<(String, String)>) = if split {
            match self.units().into_iter().next() {
                Some(Unit::Records(ids)) => (ids, Vec::new()),
                Some(Unit::Meta(key)) => {
                    let text = self.meta.get(&key).cloned().unwrap_or_default();
                    (Vec::new(), vec![(key, text)])
                }
                None => (Vec::new(), Vec::new()),
            }
        } else {
            (self.pending.iter().copied().collect(), self.meta.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        };
        // A queued record that is gone from memory was removed by undoing an import: it is marked removed,
        // since a page may hold it too.
        let pack = ids.len() >= PACK_AT;
        let mut to_pack = std::collections::VecDeque::new();
        let mut ops = Vec::new();
        for id in &ids {
            match notebook.record(*id) {
                Some(_) if pack => to_pack.push_back(*id),
                Some(r) => ops.push(Op::Put(record_key(r.id), encode_record(r))),
                None => ops.push(Op::Put(record_key(*id), removed_marker(now_ms))),
            }
        }
        ops.extend(meta.iter().map(|(k, v)| Op::Put(k.clone(), v.clone())));
        let in_batch: BTreeSet<RecordId> = ids.iter().copied().collect();
        let drops: Vec<String> = self
            .session_pages
            .iter()
            .filter(|(key, held)| self.dropping.contains(key) && held.iter().all(|id| in_batch.contains(id)))
            .map(|(key, _)| key.clone())
            .collect();
        ops.extend(drops.iter().map(|key| Op::Delete(key.clone())));
        self.in_flight = true;
        Some(Batch { ids, meta, ops, to_pack, page: None, now_ms, written: Vec::new(), drops })
    }

    /// Takes the outcome of a batch. Records and metadata whose write did not land stay queued. Records
    /// edited again while the batch was under way stay queued too, since the batch wrote their older
    /// state, and so does a metadata key queued again with another text.
    pub fn finish(&mut self, batch: Batch, outcome: WriteOutcome) {
        self.in_flight = false;
        let landed = outcome.applied.min(batch.ids.len());
        for id in &batch.ids[..landed] {
            self.stuck.remove(id);
            if !self.touched_in_flight.contains(id) {
                self.pending.remove(id);
            }
        }
        let meta_landed = outcome.applied.saturating_sub(batch.ids.len()).min(batch.meta.len());
        for (key, text) in &batch.meta[..meta_landed] {
            self.stuck_meta.remove(key);
            if self.meta.get(key) == Some(text) {
                self.meta.remove(key);
            }
            self.stored_meta.insert(key.clone(), text.clone());
        }
        if outcome.error.is_none() {
            self.session_pages.retain(|(key, _)| !batch.drops.contains(key));
            for key in &batch.drops {
                self.dropping.remove(key);
            }
            self.session_pages.extend(batch.written);
        }
        if outcome.error.is_some() {
            self.stuck.extend(batch.ids[landed..].iter().copied());
            self.stuck_meta.extend(batch.meta[meta_landed..].iter().map(|(k, _)| k.clone()));
        }
        let pending = &self.pending;
        for g in &mut self.groups {
            g.retain(|id| pending.contains(id));
        }
        self.groups.retain(|g| !g.is_empty());
        self.touched_in_flight.clear();
        self.last_error = outcome.error;
    }
}
