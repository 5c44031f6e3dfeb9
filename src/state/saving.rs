//! Saving: the write-behind queue that takes what commands changed to storage, retries after a failure,
//! and joins what other tabs write.

use std::collections::BTreeSet;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use liaison_core::crdt::id::RecordId;
use liaison_core::exchange::{ExportState, ImportLog};
use liaison_core::formats::wire::decode_record;
use liaison_core::model::DeviceProfile;
use liaison_core::storage::pages::{decode_page, CompactionPlan, PageMap, PAGE_PREFIX};
use liaison_core::storage::{self, Backend, StoreError, WriteQueue, RECORD_PREFIX};
use liaison_core::Notebook;

use super::AppState;
use crate::platform::{self, LocalStorageBackend, StorageChange};

/// How long one slice of packing an import into pages, or of reindexing it, may keep the main thread.
const SLICE_MS: f64 = 30.0;
/// Changed records reindexed at once; more are reindexed a slice at a time after the command returns.
const REINDEX_AT_ONCE: usize = 2_000;
/// The Web Lock under which one tab at a time compacts, so that two tabs never fold the same values.
const COMPACTION_LOCK: &str = "liaison-compaction";

thread_local! {
    /// Where start-up found the records, kept from `boot` until compaction takes it.
    static STARTUP_PAGES: std::cell::RefCell<Option<PageMap>> = const { std::cell::RefCell::new(None) };
}

/// Keeps what start-up learnt about the pages for the compaction that follows the first paint.
pub(super) fn keep_page_map(map: PageMap) {
    STARTUP_PAGES.with(|p| *p.borrow_mut() = Some(map));
}

fn random_u64() -> u64 {
    let b = platform::random_bytes();
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

/// How often saving is retried after it failed (storage full, say).
const RETRY_EVERY: Duration = Duration::from_secs(5);

/// Whether what the officer typed has reached storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveState {
    /// Everything is in storage.
    Saved,
    /// Edits are on their way to storage: "saved" is said only once the backend confirmed them (an
    /// IndexedDB transaction's commit completed).
    Saving,
    /// The last write failed; the edits are kept in memory and retried.
    Failed(StoreError),
    /// Storage cannot be used this session; nothing is written.
    Disabled(StoreError),
}

/// The write-behind queue and what it reports. Copy: every part is an arena handle.
#[derive(Clone, Copy)]
pub struct Saving {
    /// Whether edits have reached storage.
    pub state: RwSignal<SaveState>,
    queue: StoredValue<WriteQueue>,
    enabled: bool,
}

impl Saving {
    /// Saving as start-up left it: disabled when storage could not be read.
    pub(super) fn new(storage_error: Option<StoreError>) -> Self {
        Saving {
            enabled: storage_error.is_none(),
            state: RwSignal::new(match storage_error {
                Some(e) => SaveState::Disabled(e),
                None => SaveState::Saved,
            }),
            queue: StoredValue::new(WriteQueue::new()),
        }
    }

    /// How many changed records have not reached storage.
    pub fn unsaved(&self) -> usize {
        self.queue.with_value(WriteQueue::unsaved)
    }
}

impl AppState {
    /// Starts what keeps storage in step while the app runs: other tabs' writes come in, closing the tab
    /// with unsaved edits asks first, and a failed write is tried again.
    pub(super) fn start_saving(&self) {
        let state = *self;
        platform::on_storage_change(move |change| state.apply_storage_change(change));
        platform::confirm_unload_while(move || state.saving.unsaved() > 0);
        set_interval(
            move || {
                if matches!(state.saving.state.get_untracked(), SaveState::Failed(_)) {
                    state.flush();
                }
            },
            RETRY_EVERY,
        );
        self.compact_after_first_paint();
    }

    /// Folds the per-record values start-up found (and damaged or duplicated pages) into pages, after
    /// the first screen is painted, one batch and one slice at a time. Each batch lands whole or not at
    /// all and deletes a per-record value only if it still holds the text that was folded, so closing
    /// the tab at any point loses nothing (see `storage::pages`).
    fn compact_after_first_paint(&self) {
        let Some(map) = STARTUP_PAGES.with(|p| p.borrow_mut().take()) else { return };
        if !map.wants_compaction() {
            platform::mark("liaison:compacted");
            return;
        }
        let state = *self;
        spawn_local(async move {
            platform::after_next_paint().await;
            let backend = platform::backend();
            // Without Web Locks, tabs may compact at once: that stores some records twice, which the next
            // start joins and folds.
            let _turn = LocalStorageBackend.exclusive(COMPACTION_LOCK).await;
            let (Ok(singles), Ok(pages_now)) = (backend.list(RECORD_PREFIX).await, backend.keys(PAGE_PREFIX).await)
            else {
                return;
            };
            let mut plan = CompactionPlan::new(&map, singles, &pages_now);
            drop(map);
            loop {
                let now = platform::now_ms();
                let next = state
                    .notebook
                    .try_with_untracked(|nb| plan.next_batch(|id| nb.record(id), now, random_u64))
                    .flatten();
                let Some(batch) = next else { break };
                if backend.write_unannounced(batch.ops).await.error.is_some() {
                    // The next start plans again from what landed.
                    return;
                }
                platform::yield_to_browser().await;
            }
            platform::mark("liaison:compacted");
        });
    }

    /// Queues one metadata key for the write-behind loop, which retries it after a failure like any
    /// record and, before writing, joins it with what another tab may have stored meanwhile.
    pub(super) fn save_meta<T: serde::Serialize + 'static>(&self, key: &'static str, value: T) {
        if !self.saving.enabled {
            return;
        }
        match serde_json::to_string(&value) {
            Ok(text) => self.saving.queue.update_value(|q| q.enqueue_meta(key, text)),
            // Plain core data always serialises; say so rather than pretend it was saved.
            Err(e) => self.saving.state.set(SaveState::Failed(StoreError::Failed(e.to_string()))),
        }
        self.flush();
    }

    /// Joins another copy of a metadata key (`theirs`, the text storage holds now) into this tab's
    /// state with core's merge rule for the key, and returns the merged text when it holds more than
    /// `theirs`, so that it is written back and storage converges on the union, as for records
    /// (`Some(None)`: storage holds everything already). Keys without a merge rule, and copies that
    /// cannot be read (a newer version's, say), leave this tab's state alone: `None`.
    fn join_meta(&self, key: &str, theirs: &str) -> Option<Option<String>> {
        fn parse<T: serde::de::DeserializeOwned>(text: Option<&str>) -> Option<T> {
            text.and_then(|t| serde_json::from_str(t).ok())
        }
        let base = self.saving.queue.with_value(|q| q.stored_meta(key).map(str::to_string));
        let base = base.as_deref();
        let merged = match key {
            storage::EXPORT_KEY => {
                let theirs: ExportState = parse(Some(theirs))?;
                let merged = self.exchange.export_state.with_untracked(|ours| ours.merge(&theirs));
                if self.exchange.export_state.with_untracked(|ours| *ours != merged) {
                    self.exchange.export_state.set(merged.clone());
                }
                (merged != theirs).then(|| serde_json::to_string(&merged).ok()).flatten()
            }
            storage::IMPORTS_KEY => {
                let theirs: ImportLog = parse(Some(theirs))?;
                let base: ImportLog = parse(base).unwrap_or_default();
                let merged = self.exchange.import_log.with_untracked(|ours| ImportLog::merge(&base, ours, &theirs));
                if self.exchange.import_log.with_untracked(|ours| *ours != merged) {
                    self.exchange.import_log.set(merged.clone());
                }
                (merged != theirs).then(|| serde_json::to_string(&merged).ok()).flatten()
            }
            storage::DEVICES_KEY => {
                let theirs: Vec<DeviceProfile> = parse(Some(theirs))?;
                // This device's own profile comes from its settings, never from another copy of the list.
                let own = self.notebook.with_untracked(|nb| nb.own_replicas().clone());
                let foreign: Vec<DeviceProfile> = theirs.iter().filter(|d| !own.contains(&d.id)).cloned().collect();
                let ours: Vec<DeviceProfile> =
                    self.notebook.with_untracked(|nb| nb.devices().values().cloned().collect());
                let merged = storage::merge_device_profiles(&ours, &foreign);
                if merged != ours {
                    self.notebook.update(|nb| nb.learn_devices(merged.iter().cloned()));
                }
                // Compared without this device's own ids, which two tabs may hold with different
                // labels for a moment: writing back over them would only bounce between the tabs.
                let others: Vec<&DeviceProfile> = merged.iter().filter(|d| !own.contains(&d.id)).collect();
                (others != foreign.iter().collect::<Vec<_>>()).then(|| serde_json::to_string(&merged).ok()).flatten()
            }
            storage::NOT_DUPLICATES_KEY => {
                let theirs: BTreeSet<(RecordId, RecordId)> = parse(Some(theirs))?;
                let merged = self.not_duplicates.with_untracked(|ours| storage::merge_not_duplicates(ours, &theirs));
                if self.not_duplicates.with_untracked(|ours| *ours != merged) {
                    self.not_duplicates.set(merged.clone());
                }
                (merged != theirs).then(|| serde_json::to_string(&merged).ok()).flatten()
            }
            _ => return None,
        };
        self.saving.queue.update_value(|q| q.note_stored_meta(key, theirs.to_string()));
        Some(merged)
    }

    /// Brings the search index up to date for records that changed: at once for an edit, a slice at a
    /// time for an import, so that the page answers meanwhile. A record edited before its slice comes
    /// is indexed as it is then, which is what the edit's own reindex did too.
    fn reindex(&self, ids: impl IntoIterator<Item = RecordId>) {
        let notebook = self.notebook;
        let mut ids: Vec<RecordId> = ids.into_iter().collect();
        if ids.len() <= REINDEX_AT_ONCE {
            self.search.index.update_value(|index| notebook.with_untracked(|nb| index.update_all(nb, ids)));
            self.search.version.update(|v| *v += 1);
            return;
        }
        let search = self.search;
        spawn_local(async move {
            let mut step = 500usize;
            while !ids.is_empty() {
                let started = platform::page_ms();
                let rest = ids.split_off(ids.len().saturating_sub(step));
                let done = search
                    .index
                    .try_update_value(|index| notebook.try_with_untracked(|nb| index.update_all(nb, rest)))
                    .flatten();
                if done.is_none() {
                    return;
                }
                search.version.update(|v| *v += 1);
                let took = (platform::page_ms() - started).max(1.0);
                step = ((step as f64 * SLICE_MS / took) as usize).clamp(100, 20_000);
                platform::yield_to_browser().await;
            }
        });
    }

    /// Queues the records the last command changed and brings search up to date with them.
    pub(super) fn persist(&self) {
        let changed = self.notebook.try_update_untracked(Notebook::take_changed).unwrap_or_default();
        self.reindex(changed.iter().copied());
        self.saving.queue.update_value(|q| q.enqueue(changed));
        self.flush();
    }

    /// Like [`AppState::persist`], for changes that must reach storage whole or not at all (an import,
    /// or undoing one).
    pub(super) fn persist_together(&self) {
        let changed = self.notebook.try_update_untracked(Notebook::take_changed).unwrap_or_default();
        self.reindex(changed.iter().copied());
        self.saving.queue.update_value(|q| q.enqueue_together(changed));
        self.flush();
    }

    /// Saves the records that changed, together, as states that replace what storage holds rather than
    /// add to it: undoing an import puts earlier states back (see `WriteQueue::enqueue_replacing`).
    pub(super) fn persist_replacing(&self) {
        let changed = self.notebook.try_update_untracked(Notebook::take_changed).unwrap_or_default();
        self.reindex(changed.iter().copied());
        self.saving.queue.update_value(|q| q.enqueue_replacing(changed));
        self.flush();
    }

    /// Writes queued records and metadata, one batch at a time, and reports the result in
    /// `saving.state`. Queued metadata is first joined with what storage holds, so that a write never
    /// overwrites what another tab stored since this tab last looked.
    pub fn flush(&self) {
        if !self.saving.enabled {
            return;
        }
        let state = *self;
        // Said at once, not when the task below first runs: until then the indicator would still say
        // "saved" over an edit or import that is only queued.
        if state.saving.queue.with_value(|q| q.unsaved() > 0) && state.saving.state.get_untracked() == SaveState::Saved
        {
            state.saving.state.set(SaveState::Saving);
        }
        spawn_local(async move {
            loop {
                if state.saving.queue.with_value(WriteQueue::is_in_flight) {
                    break;
                }
                for key in state.saving.queue.with_value(WriteQueue::pending_meta_keys) {
                    let stored = platform::backend().get(&key).await;
                    // A read that fails is retried with the write; one that finds nothing has nothing to join.
                    if let Ok(Some(stored)) = stored {
                        if state.saving.queue.with_value(|q| q.stored_meta(&key) != Some(stored.as_str())) {
                            // Unreadable there: ours is written over it, as a record would be.
                            if let Some(merged) = state.join_meta(&key, &stored) {
                                let text = merged.unwrap_or(stored);
                                state.saving.queue.update_value(|q| q.enqueue_meta(&key, text));
                            }
                        }
                    }
                }
                let now = platform::now_ms();
                let batch = state
                    .saving
                    .queue
                    .try_update_value(|q| state.notebook.with_untracked(|nb| q.take_batch(nb, now)))
                    .flatten();
                let Some(mut batch) = batch else { break };
                if state.saving.state.get_untracked() == SaveState::Saved {
                    state.saving.state.set(SaveState::Saving);
                }
                // An import is packed into pages a slice at a time, the page answering in between.
                let mut step = 500usize;
                while !batch.is_packed() {
                    let started = platform::page_ms();
                    let Some(done) = state.notebook.try_with_untracked(|nb| batch.pack(nb, step, random_u64)) else {
                        return;
                    };
                    if done {
                        break;
                    }
                    let took = (platform::page_ms() - started).max(1.0);
                    step = ((step as f64 * SLICE_MS / took) as usize).clamp(100, 20_000);
                    platform::yield_to_browser().await;
                }
                let ops = std::mem::take(&mut batch.ops);
                // The indicator turns to "saved" only after this: the IndexedDB backend answers once its
                // transaction's commit completed.
                let outcome = platform::backend().write(ops).await;
                let failed = outcome.error.clone();
                state.saving.queue.update_value(|q| q.finish(batch, outcome));
                if let Some(e) = failed {
                    state.saving.state.set(SaveState::Failed(e));
                    return;
                }
            }
            let idle = state.saving.queue.with_value(|q| q.unsaved() == 0 && !q.is_in_flight());
            if idle && state.saving.state.get_untracked() != SaveState::Saved {
                state.saving.state.set(SaveState::Saved);
            }
        });
    }

    /// Joins one record another tab stored, and writes the union back when this tab holds more.
    fn take_record(&self, record: &liaison_core::crdt::record::Record) -> bool {
        let mut behind = false;
        self.notebook.maybe_update(|nb| match nb.merge_record(record, platform::now_ms()) {
            Ok(report) => {
                behind = report.offered_is_behind;
                report.changed
            }
            Err(_) => false,
        });
        behind
    }

    fn apply_storage_change(&self, change: StorageChange) {
        if change.key.starts_with(PAGE_PREFIX) {
            // Another tab's import, written as pages: each record is joined like one from its own key.
            let Some(Ok((records, _))) = change.new_value.as_deref().map(decode_page) else { return };
            let behind: Vec<RecordId> = records.iter().filter(|r| self.take_record(r)).map(|r| r.id).collect();
            self.reindex(records.iter().map(|r| r.id));
            if !behind.is_empty() {
                self.saving.queue.update_value(|q| q.enqueue(behind));
                self.flush();
            }
        } else if let Some(id) = storage::record_id_of_key(&change.key) {
            let Some(text) = change.new_value else { return };
            // Another tab (maybe a newer version) wrote something unreadable: keep ours, it will be written
            // back with our next edit of the record.
            let Ok(record) = decode_record(&text) else { return };
            if record.id != id {
                return;
            }
            let behind = self.take_record(&record);
            self.reindex([id]);
            if behind {
                // The other tab overwrote edits only this tab has: write the union back.
                self.saving.queue.update_value(|q| q.enqueue([id]));
                self.flush();
            }
        } else if change.key == storage::DEVICE_KEY {
            let Some(text) = change.new_value else { return };
            if let Ok(device) = serde_json::from_str::<DeviceProfile>(&text) {
                if device.id == self.device.with_untracked(|d| d.id) {
                    // Last writer wins: a person edited the profile in the other tab's Settings. A write of
                    // this tab's older profile still queued would undo that, so it is replaced.
                    self.adopt_device(device);
                    self.saving.queue.update_value(|q| {
                        if q.pending_meta(storage::DEVICE_KEY).is_some() {
                            q.enqueue_meta(storage::DEVICE_KEY, text.clone());
                        }
                        q.note_stored_meta(storage::DEVICE_KEY, text);
                    });
                }
            }
        } else if let Some(text) = change.new_value {
            if let Some(Some(merged)) = self.join_meta(&change.key, &text) {
                self.saving.queue.update_value(|q| q.enqueue_meta(&change.key, merged));
                self.flush();
            }
        }
    }
}
