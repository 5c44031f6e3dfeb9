//! Reactive app state: plain core data in signals. Every change goes through a core command, then into
//! the write-behind queue, which persists through the platform backend and reports back here.

mod exchange;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use liaison_core::crdt::id::{DeviceId, RecordId};
use liaison_core::date::Date;
use liaison_core::exchange::{ExportState, ImportLog, Plan};
use liaison_core::formats::wire::decode_record;
use liaison_core::marking::Ceiling;
use liaison_core::model::DeviceProfile;
use liaison_core::queries::search::SearchIndex;
use liaison_core::schema::Value;
use liaison_core::schema::{Field, Kind};
use liaison_core::storage::{self, Backend, StoreError, WriteQueue, REPLICAS_KEY};
use liaison_core::Notebook;

pub use exchange::LastImport;

use crate::platform::{self, LocalStorageBackend, StorageChange};

/// How long the "Undo" offer stays on screen.
const UNDO_FOR: Duration = Duration::from_secs(8);
/// How often saving is retried after it failed (storage full, say).
const RETRY_EVERY: Duration = Duration::from_secs(5);
/// How often storage use and persistence are read again.
const HEALTH_EVERY: Duration = Duration::from_secs(30);
/// Unexported data older than this, in storage the browser may evict, earns a reminder.
pub const AT_RISK_AFTER_DAYS: u64 = 7;

/// Whether what the officer typed has reached storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveState {
    /// Everything is in storage.
    Saved,
    /// The last write failed; the edits are kept in memory and retried.
    Failed(StoreError),
    /// Storage cannot be used this session; nothing is written.
    Disabled(StoreError),
}

/// A message shown until dismissed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// For dismissing.
    pub id: u64,
    /// What happened.
    pub text: String,
}

/// What "Undo" puts back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UndoAction {
    /// Restore a deleted record.
    Restore(RecordId),
    /// Set an action's done flag back.
    SetDone(RecordId, bool),
}

/// The offer shown after a destructive or list-changing action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UndoOffer {
    /// Distinguishes offers, so an old timer does not hide a newer one.
    pub serial: u64,
    /// "Meeting deleted."
    pub message: String,
    /// What Undo does.
    pub action: UndoAction,
}

/// A question that must be answered before something destructive happens.
#[derive(Clone)]
pub struct ConfirmRequest {
    /// Dialog heading.
    pub title: String,
    /// What will happen.
    pub message: String,
    /// The confirming button's text.
    pub confirm_label: &'static str,
    /// Runs on confirmation.
    pub on_confirm: Callback<()>,
}

/// Everything the screens share. Copy: every part is an arena handle.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The records: the truth while the app runs.
    pub notebook: RwSignal<Notebook>,
    /// This device's profile.
    pub device: RwSignal<DeviceProfile>,
    /// Whether edits have reached storage.
    pub save_state: RwSignal<SaveState>,
    /// Messages to read once (unreadable stored entries, say).
    pub notices: RwSignal<Vec<Notice>>,
    /// Values a field refused (too large to keep), by record and field, shown under the field.
    pub field_errors: RwSignal<BTreeMap<(RecordId, Field), String>>,
    /// The current Undo offer.
    pub undo: RwSignal<Option<UndoOffer>>,
    /// The open confirmation dialog.
    pub confirm: RwSignal<Option<ConfirmRequest>>,
    /// What this device remembers of its exports.
    pub export_state: RwSignal<ExportState>,
    /// The marking limit of exports, chosen on the Export screen or beside the contacts list's export,
    /// and kept for the session so that one choice holds for every export.
    pub export_ceiling: RwSignal<Ceiling>,
    /// Every bundle imported here.
    pub import_log: RwSignal<ImportLog>,
    /// Contact pairs a person said are different people.
    pub not_duplicates: RwSignal<BTreeSet<(RecordId, RecordId)>>,
    /// The import being previewed, before the officer confirms it.
    pub import_plan: RwSignal<Option<Plan>>,
    /// The last import, while it can still be undone.
    pub last_import: RwSignal<Option<LastImport>>,
    /// What the browser says about storage (persistence, quota, use).
    pub health: RwSignal<platform::health::Health>,
    /// The search index, updated per changed record.
    pub search: StoredValue<SearchIndex>,
    /// Bumped whenever the index changes, so that open results refresh.
    pub search_version: RwSignal<u64>,
    /// Today, in the device's time zone, read at start-up.
    pub today: Date,
    /// The ids this device's tabs stamp edits with; this tab's is `notebook.device()`.
    pub replicas: StoredValue<BTreeSet<DeviceId>>,
    queue: StoredValue<WriteQueue>,
    serial: StoredValue<u64>,
    storage_enabled: bool,
}

/// What start-up read from storage.
pub struct Boot {
    notebook: Notebook,
    device: DeviceProfile,
    problems: Vec<String>,
    storage_error: Option<StoreError>,
    export: ExportState,
    imports: ImportLog,
    not_duplicates: BTreeSet<(RecordId, RecordId)>,
    replicas: Vec<DeviceId>,
}

/// Picks this tab's replica id: the first of the device's replica ids that no other open tab holds, or a
/// new one. Each tab must stamp with its own id, because a version vector says "everything this id wrote
/// up to here has been seen", which two tabs writing under one id would make untrue. The pool is written
/// here; the flag says it still needs saving because that write failed.
async fn claim_replica(device: DeviceId, loaded: Vec<DeviceId>, now: u64) -> (DeviceId, Vec<DeviceId>, bool) {
    const REPLICA_LOCK: &str = "liaison/v1/replica/";
    const POOL_LOCK: &str = "liaison-replica-pool";
    let backend = LocalStorageBackend;
    // Tabs starting together each read the pool, mint an id and write the pool back, and the last write
    // drops the others' ids, and with them those tabs' edits from every later "changes" export. Taking
    // turns under one lock, each tab reads the pool after the previous one wrote it.
    let turn = backend.exclusive(POOL_LOCK).await;
    let stored: Vec<DeviceId> = match backend.get(REPLICAS_KEY).await {
        Ok(Some(text)) => serde_json::from_str(&text).unwrap_or_default(),
        _ => Vec::new(),
    };
    // A tab's localStorage copy can lag another tab's write by a moment, but the lock manager knows at
    // once every replica id an open tab holds.
    let held: Vec<DeviceId> = match &turn {
        Ok(_) => {
            backend.held_locks(REPLICA_LOCK).await.unwrap_or_default().iter().filter_map(|n| n.parse().ok()).collect()
        }
        Err(platform::NoLocks) => Vec::new(),
    };
    let mut pool = vec![device];
    for id in loaded.into_iter().chain(stored.iter().copied()).chain(held) {
        if !pool.contains(&id) {
            pool.push(id);
        }
    }
    let mut claimed = None;
    for id in &pool {
        match platform::hold_for_page(&format!("{REPLICA_LOCK}{id}")).await {
            Ok(true) => {
                claimed = Some(*id);
                break;
            }
            Ok(false) => continue,
            // Without Web Locks, tabs cannot tell each other apart: one id it is (see ARCHITECTURE.md).
            Err(platform::NoLocks) => return (device, pool, false),
        }
    }
    let replica = match claimed {
        Some(id) => id,
        None => {
            let fresh = DeviceId::new_v7(now, platform::random_bytes());
            let _ = platform::hold_for_page(&format!("{REPLICA_LOCK}{fresh}")).await;
            pool.push(fresh);
            fresh
        }
    };
    // The pool only ever grows: it is the union of what was stored and what this tab knows.
    let unsaved = pool.iter().any(|id| *id != device && !stored.contains(id))
        && storage::save_meta(&backend, REPLICAS_KEY, &pool).await.is_err();
    drop(turn);
    (replica, pool, unsaved)
}

/// Loads storage, making the device profile on first start.
pub async fn boot() -> Boot {
    let backend = LocalStorageBackend;
    let now = platform::now_ms();
    match storage::load(&backend).await {
        Ok(loaded) => {
            let mut problems: Vec<String> = loaded.problems.iter().map(|p| p.message()).collect();
            let device = match loaded.device {
                Some(d) => d,
                None => {
                    let d = storage::new_device(DeviceId::new_v7(now, platform::random_bytes()));
                    if let Err(e) = storage::save_device(&backend, &d).await {
                        problems.push(format!("This device's identity could not be saved: {e}."));
                    }
                    d
                }
            };
            let (replica, replicas, grown) = claim_replica(device.id, loaded.replicas, now).await;
            if grown {
                if let Err(e) = storage::save_meta(&backend, REPLICAS_KEY, &replicas).await {
                    problems.push(format!("This tab's identity could not be saved: {e}."));
                }
            }
            let mut notebook = Notebook::from_records(replica, loaded.records, now);
            notebook.set_own_replicas(replicas.iter().copied());
            notebook.learn_devices(loaded.devices);
            notebook.learn_devices(replicas.iter().map(|id| DeviceProfile { id: *id, ..device.clone() }));
            Boot {
                notebook,
                device,
                problems,
                storage_error: None,
                export: loaded.export,
                imports: loaded.imports,
                not_duplicates: loaded.not_duplicates,
                replicas,
            }
        }
        Err(e) => {
            let device = storage::new_device(DeviceId::new_v7(now, platform::random_bytes()));
            Boot {
                notebook: Notebook::new(device.id),
                device,
                problems: Vec::new(),
                storage_error: Some(e),
                export: ExportState::default(),
                imports: ImportLog::default(),
                not_duplicates: BTreeSet::new(),
                replicas: Vec::new(),
            }
        }
    }
}

impl AppState {
    /// Builds the state from what start-up found and starts listening to other tabs.
    pub fn new(boot: Boot) -> Self {
        let Boot { notebook, device, problems, storage_error, export, imports, not_duplicates, replicas } = boot;
        let this_tab = notebook.device();
        let storage_enabled = storage_error.is_none();
        let notices = problems.into_iter().enumerate().map(|(i, text)| Notice { id: i as u64, text }).collect();
        let state = AppState {
            notebook: RwSignal::new(notebook),
            device: RwSignal::new(device),
            save_state: RwSignal::new(match storage_error {
                Some(e) => SaveState::Disabled(e),
                None => SaveState::Saved,
            }),
            notices: RwSignal::new(notices),
            field_errors: RwSignal::new(BTreeMap::new()),
            undo: RwSignal::new(None),
            confirm: RwSignal::new(None),
            export_state: RwSignal::new(export),
            export_ceiling: RwSignal::new(Ceiling::All),
            import_log: RwSignal::new(imports),
            not_duplicates: RwSignal::new(not_duplicates),
            import_plan: RwSignal::new(None),
            last_import: RwSignal::new(None),
            health: RwSignal::new(platform::health::Health::default()),
            search: StoredValue::new(SearchIndex::new()),
            search_version: RwSignal::new(0),
            today: platform::today(),
            replicas: StoredValue::new(replicas.into_iter().chain([this_tab]).collect()),
            queue: StoredValue::new(WriteQueue::new()),
            serial: StoredValue::new(1_000),
            storage_enabled,
        };
        state.search.set_value(state.notebook.with_untracked(SearchIndex::build));
        if storage_enabled {
            state.refresh_health();
            set_interval(move || state.refresh_health(), HEALTH_EVERY);
            if state.notebook.with_untracked(|nb| nb.records().next().is_some()) {
                // There is data to keep: ask once per start. Chromium answers without asking the user.
                state.request_persistence();
            }
            platform::on_storage_change(move |change| state.apply_storage_change(change));
            platform::confirm_unload_while(move || state.unsaved() > 0);
            set_interval(
                move || {
                    if matches!(state.save_state.get_untracked(), SaveState::Failed(_)) {
                        state.flush();
                    }
                },
                RETRY_EVERY,
            );
        }
        state
    }

    fn next_serial(&self) -> u64 {
        self.serial
            .try_update_value(|s| {
                *s += 1;
                *s
            })
            .unwrap_or_default()
    }

    /// Reads storage use and persistence again.
    pub fn refresh_health(&self) {
        let health = self.health;
        spawn_local(async move {
            let units = LocalStorageBackend.used_units().unwrap_or(0);
            let h = platform::health::read(units).await;
            if health.try_get_untracked() != Some(h) {
                health.set(h);
            }
        });
    }

    /// Asks the browser to keep this site's data, then shows the answer.
    pub fn request_persistence(&self) {
        let state = *self;
        spawn_local(async move {
            let _ = platform::health::request_persistence().await;
            state.refresh_health();
        });
    }

    /// Days since the last export, or since the oldest record when nothing was ever exported; `None`
    /// when there is nothing to export.
    pub fn days_unexported(&self, now_ms: u64) -> Option<u64> {
        let since = self
            .export_state
            .with(|s| s.last_ms)
            .or_else(|| self.notebook.with(|nb| nb.records().filter_map(|r| r.created()).map(|s| s.wall_ms).min()))?;
        Some(now_ms.saturating_sub(since) / 86_400_000)
    }

    /// Whether the officer still has to name this device.
    pub fn needs_setup(&self) -> bool {
        self.device.with(|d| d.officer.trim().is_empty() || d.label.trim().is_empty())
    }

    /// Creates a record.
    pub fn create(&self, kind: Kind) -> Option<RecordId> {
        let id = self.notebook.try_update(|nb| nb.create(kind, platform::now_ms(), platform::random_bytes()));
        self.persist();
        id
    }

    /// Writes one field (as the officer types).
    pub fn set(&self, id: RecordId, field: Field, value: Value) {
        let mut changed = false;
        let mut refused = None;
        self.notebook.maybe_update(|nb| {
            let before = nb.record(id).cloned();
            // The forms only offer fields of the record's kind with values of the right shape; what can
            // still be refused is a value too large to keep, which the field then says.
            if let Err(e @ liaison_core::notebook::EditError::TooLarge { .. }) =
                nb.set(id, field, value, platform::now_ms())
            {
                refused = Some(e.to_string());
            }
            changed = nb.record(id) != before.as_ref();
            changed
        });
        let had = self.field_errors.with_untracked(|m| m.contains_key(&(id, field)));
        match refused {
            Some(message) => self.field_errors.update(|m| {
                m.insert((id, field), message);
            }),
            None if had => self.field_errors.update(|m| {
                m.remove(&(id, field));
            }),
            None => {}
        }
        if changed {
            self.persist();
        }
    }

    /// Creates a contact with a name, for the meeting editor's inline "create contact".
    pub fn create_contact_named(&self, name: &str) -> Option<RecordId> {
        let id = self.create(Kind::Contact)?;
        self.set(id, Field::Name, Value::Text(name.trim().to_string()));
        Some(id)
    }

    /// Adds a follow-up action to a meeting.
    pub fn add_action(&self, meeting: RecordId) -> Option<RecordId> {
        let id = self.create(Kind::Action)?;
        self.set(id, Field::Meeting, Value::Text(meeting.to_string()));
        Some(id)
    }

    /// Marks an action done or open, offering Undo when `offer_undo`.
    pub fn set_done(&self, id: RecordId, done: bool, offer_undo: bool) {
        self.set(id, Field::Done, Value::Bool(done));
        if offer_undo {
            let what = if done { "Follow-up marked done." } else { "Follow-up reopened." };
            self.offer_undo(what, UndoAction::SetDone(id, !done));
        }
    }

    /// Asks first, then deletes, then offers Undo.
    pub fn confirm_delete(
        &self,
        id: RecordId,
        noun: &'static str,
        name: String,
        after: impl Fn() + Send + Sync + 'static,
    ) {
        let state = *self;
        self.confirm.set(Some(ConfirmRequest {
            title: format!("Delete this {noun}?"),
            message: format!("“{name}” will be removed from this device. You can undo this for a few seconds."),
            confirm_label: "Delete",
            on_confirm: Callback::new(move |_| {
                state.delete(id, noun);
                after();
            }),
        }));
    }

    /// Deletes a record at once and offers Undo.
    pub fn delete(&self, id: RecordId, noun: &str) {
        self.notebook.update(|nb| {
            let _ = nb.delete(id, platform::now_ms());
        });
        self.persist();
        let mut noun = noun.to_string();
        if let Some(first) = noun.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        self.offer_undo(&format!("{noun} deleted."), UndoAction::Restore(id));
    }

    fn offer_undo(&self, message: &str, action: UndoAction) {
        let serial = self.next_serial();
        self.undo.set(Some(UndoOffer { serial, message: message.into(), action }));
        let undo = self.undo;
        set_timeout(
            move || {
                if undo.try_with_untracked(|u| u.as_ref().is_some_and(|u| u.serial == serial)) == Some(true) {
                    undo.set(None);
                }
            },
            UNDO_FOR,
        );
    }

    /// Carries out the current Undo offer.
    pub fn run_undo(&self) {
        let Some(offer) = self.undo.get_untracked() else { return };
        self.undo.set(None);
        match offer.action {
            UndoAction::Restore(id) => {
                self.notebook.update(|nb| {
                    let _ = nb.restore(id, platform::now_ms());
                });
                self.persist();
            }
            UndoAction::SetDone(id, done) => self.set(id, Field::Done, Value::Bool(done)),
        }
    }

    /// Saves the device profile.
    pub fn save_device(&self, device: DeviceProfile) {
        self.device.set(device.clone());
        let replicas = self.replicas.get_value();
        self.notebook
            .update(|nb| nb.learn_devices(replicas.iter().map(|id| DeviceProfile { id: *id, ..device.clone() })));
        self.save_meta(storage::DEVICE_KEY, device);
    }

    /// Shows a notice until dismissed.
    pub fn notify(&self, text: String) {
        let id = self.next_serial();
        self.notices.update(|n| n.push(Notice { id, text }));
    }

    /// Queues one metadata key for the write-behind loop, which retries it after a failure like any
    /// record and, before writing, joins it with what another tab may have stored meanwhile.
    fn save_meta<T: serde::Serialize + 'static>(&self, key: &'static str, value: T) {
        if !self.storage_enabled {
            return;
        }
        match serde_json::to_string(&value) {
            Ok(text) => self.queue.update_value(|q| q.enqueue_meta(key, text)),
            // Plain core data always serialises; say so rather than pretend it was saved.
            Err(e) => self.save_state.set(SaveState::Failed(StoreError::Failed(e.to_string()))),
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
        let base = self.queue.with_value(|q| q.stored_meta(key).map(str::to_string));
        let base = base.as_deref();
        let merged = match key {
            storage::EXPORT_KEY => {
                let theirs: ExportState = parse(Some(theirs))?;
                let merged = self.export_state.with_untracked(|ours| ours.merge(&theirs));
                if self.export_state.with_untracked(|ours| *ours != merged) {
                    self.export_state.set(merged.clone());
                }
                (merged != theirs).then(|| serde_json::to_string(&merged).ok()).flatten()
            }
            storage::IMPORTS_KEY => {
                let theirs: ImportLog = parse(Some(theirs))?;
                let base: ImportLog = parse(base).unwrap_or_default();
                let merged = self.import_log.with_untracked(|ours| ImportLog::merge(&base, ours, &theirs));
                if self.import_log.with_untracked(|ours| *ours != merged) {
                    self.import_log.set(merged.clone());
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
        self.queue.update_value(|q| q.note_stored_meta(key, theirs.to_string()));
        Some(merged)
    }

    /// Dismisses a notice.
    pub fn dismiss(&self, id: u64) {
        self.notices.update(|n| n.retain(|x| x.id != id));
    }

    /// How many changed records have not reached storage.
    pub fn unsaved(&self) -> usize {
        self.queue.with_value(WriteQueue::unsaved)
    }

    /// Brings the search index up to date for records that changed.
    fn reindex(&self, ids: impl IntoIterator<Item = RecordId>) {
        let notebook = self.notebook;
        self.search.update_value(|index| notebook.with_untracked(|nb| index.update_all(nb, ids)));
        self.search_version.update(|v| *v += 1);
    }

    fn persist(&self) {
        let changed = self.notebook.try_update_untracked(Notebook::take_changed).unwrap_or_default();
        self.reindex(changed.iter().copied());
        self.queue.update_value(|q| q.enqueue(changed));
        self.flush();
    }

    /// Like [`AppState::persist`], for changes that must reach storage whole or not at all (an import,
    /// or undoing one).
    fn persist_together(&self) {
        let changed = self.notebook.try_update_untracked(Notebook::take_changed).unwrap_or_default();
        self.reindex(changed.iter().copied());
        self.queue.update_value(|q| q.enqueue_together(changed));
        self.flush();
    }

    /// Writes queued records and metadata, one batch at a time, and reports the result in
    /// `save_state`. Queued metadata is first joined with what storage holds, so that a write never
    /// overwrites what another tab stored since this tab last looked.
    pub fn flush(&self) {
        if !self.storage_enabled {
            return;
        }
        let state = *self;
        spawn_local(async move {
            loop {
                if state.queue.with_value(WriteQueue::is_in_flight) {
                    break;
                }
                for key in state.queue.with_value(WriteQueue::pending_meta_keys) {
                    let stored = LocalStorageBackend.get(&key).await;
                    // A read that fails is retried with the write; one that finds nothing has nothing to join.
                    if let Ok(Some(stored)) = stored {
                        if state.queue.with_value(|q| q.stored_meta(&key) != Some(stored.as_str())) {
                            // Unreadable there: ours is written over it, as a record would be.
                            if let Some(merged) = state.join_meta(&key, &stored) {
                                let text = merged.unwrap_or(stored);
                                state.queue.update_value(|q| q.enqueue_meta(&key, text));
                            }
                        }
                    }
                }
                let batch =
                    state.queue.try_update_value(|q| state.notebook.with_untracked(|nb| q.take_batch(nb))).flatten();
                let Some(mut batch) = batch else { break };
                let ops = std::mem::take(&mut batch.ops);
                let outcome = LocalStorageBackend.write(ops).await;
                let failed = outcome.error.clone();
                state.queue.update_value(|q| q.finish(batch, outcome));
                if let Some(e) = failed {
                    state.save_state.set(SaveState::Failed(e));
                    return;
                }
            }
            let idle = state.queue.with_value(|q| q.unsaved() == 0 && !q.is_in_flight());
            if idle && state.save_state.get_untracked() != SaveState::Saved {
                state.save_state.set(SaveState::Saved);
            }
        });
    }

    fn apply_storage_change(&self, change: StorageChange) {
        if let Some(id) = storage::record_id_of_key(&change.key) {
            let Some(text) = change.new_value else { return };
            // Another tab (maybe a newer version) wrote something unreadable: keep ours, it will be written
            // back with our next edit of the record.
            let Ok(record) = decode_record(&text) else { return };
            if record.id != id {
                return;
            }
            let mut behind = false;
            self.notebook.maybe_update(|nb| match nb.merge_record(&record, platform::now_ms()) {
                Ok(report) => {
                    behind = report.offered_is_behind;
                    report.changed
                }
                Err(_) => false,
            });
            self.reindex([id]);
            if behind {
                // The other tab overwrote edits only this tab has: write the union back.
                self.queue.update_value(|q| q.enqueue([id]));
                self.flush();
            }
        } else if change.key == storage::DEVICE_KEY {
            let Some(text) = change.new_value else { return };
            if let Ok(device) = serde_json::from_str::<DeviceProfile>(&text) {
                if device.id == self.device.with_untracked(|d| d.id) {
                    // Last writer wins: a person edited the profile in the other tab's Settings. A write of
                    // this tab's older profile still queued would undo that, so it is replaced.
                    let replicas = self.replicas.get_value();
                    self.notebook.update(|nb| {
                        nb.learn_devices(replicas.iter().map(|id| DeviceProfile { id: *id, ..device.clone() }))
                    });
                    self.device.set(device);
                    self.queue.update_value(|q| {
                        if q.pending_meta(storage::DEVICE_KEY).is_some() {
                            q.enqueue_meta(storage::DEVICE_KEY, text.clone());
                        }
                        q.note_stored_meta(storage::DEVICE_KEY, text);
                    });
                }
            }
        } else if let Some(text) = change.new_value {
            if let Some(Some(merged)) = self.join_meta(&change.key, &text) {
                self.queue.update_value(|q| q.enqueue_meta(&change.key, merged));
                self.flush();
            }
        }
    }
}

/// The app state from context.
pub fn use_app() -> AppState {
    // Provided by `App` before any screen renders; a screen rendered without it is a programming error.
    use_context::<AppState>().expect("AppState is provided by App")
}
