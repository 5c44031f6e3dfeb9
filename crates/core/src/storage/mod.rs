//! Persistence, without I/O of its own.
//!
//! The in-memory [`Notebook`] is the truth while the app runs. Storage is read once at start-up by
//! [`load`] and written write-behind: commands note changed records, the [`WriteQueue`] turns them into
//! one batch at a time, and the outcome of each batch comes back to the queue, which keeps whatever did
//! not land for the next try and tells the UI why.
//!
//! Backends are async so that IndexedDB can join LocalStorage behind the same trait. The app provides the
//! LocalStorage backend; [`MemoryBackend`] serves native tests and simulates a full disk.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

use crate::crdt::id::{DeviceId, RecordId};
use crate::crdt::record::Record;
use crate::formats::wire::{decode_record, encode_record, DecodeError};
use crate::model::DeviceProfile;
use crate::notebook::Notebook;

/// Every key Liaison writes starts with this; the version in it changes only with an incompatible layout.
pub const PREFIX: &str = "liaison/v1/";
/// One key per record: this prefix and the record id.
pub const RECORD_PREFIX: &str = "liaison/v1/record/";
/// Entries that could not be read are moved here, under their original suffix, and left for a person.
pub const QUARANTINE_PREFIX: &str = "liaison/v1/quarantine/";
/// The schema version of the stored layout.
pub const SCHEMA_KEY: &str = "liaison/v1/meta/schema";
/// This device's id, label and officer.
pub const DEVICE_KEY: &str = "liaison/v1/meta/device";
/// What this device remembers about its exports (`exchange::ExportState`).
pub const EXPORT_KEY: &str = "liaison/v1/meta/export";
/// Every bundle imported here (`exchange::ImportLog`).
pub const IMPORTS_KEY: &str = "liaison/v1/meta/imports";
/// Profiles of other officers' devices, learnt from bundles.
pub const DEVICES_KEY: &str = "liaison/v1/meta/devices";
/// Contact pairs a person said are different people.
pub const NOT_DUPLICATES_KEY: &str = "liaison/v1/meta/not-duplicates";
/// The ids this device's tabs stamp edits with: each open tab is its own replica (see ARCHITECTURE.md).
pub const REPLICAS_KEY: &str = "liaison/v1/meta/replicas";
/// The schema version this build writes. Layout 2 stores records in format v2 (a causal context per
/// register); an older Liaison sees the newer layout and leaves it untouched instead of misreading it.
pub const SCHEMA_VERSION: u32 = 2;

/// A migration rewrites the entries of one schema version into the next. Index `n` migrates from `n` to
/// `n + 1`; layouts older than every migration are refused rather than guessed.
type Migration = fn(&[(String, String)]) -> Vec<Op>;
const MIGRATIONS: &[(u32, Migration)] = &[(1, records_to_v2)];

/// Layout 1 to 2: every readable record is rewritten in format v2, with the record's context on each of
/// its registers (what v1 meant). An unreadable one is left as it is, for `load` to set aside.
fn records_to_v2(entries: &[(String, String)]) -> Vec<Op> {
    entries
        .iter()
        .filter(|(k, _)| k.starts_with(RECORD_PREFIX))
        .filter_map(|(k, text)| decode_record(text).ok().map(|r| Op::Put(k.clone(), encode_record(&r))))
        .collect()
}

/// Why storage could not do what was asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The browser's storage is full.
    #[error("browser storage is full")]
    QuotaExceeded,
    /// Storage cannot be used at all (disabled, blocked, or it throws when touched).
    #[error("browser storage cannot be used: {0}")]
    Unavailable(String),
    /// The stored data was written by a newer version of Liaison.
    #[error("the stored data was written by a newer version of Liaison (layout {0}); this version will not change it")]
    NewerSchema(u32),
    /// The stored layout version cannot be read or migrated.
    #[error("the stored data has an unknown layout ({0}); this version will not change it")]
    UnknownSchema(String),
    /// Any other failure, with the browser's words.
    #[error("saving failed: {0}")]
    Failed(String),
}

/// One change to storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Set a key.
    Put(String, String),
    /// Remove a key.
    Delete(String),
}

/// How a batch of writes went. Ops are applied in order; `applied` of them landed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteOutcome {
    /// How many ops landed: all of them (any number at least the batch's length) or, on an error, none,
    /// since every backend writes a batch whole or not at all.
    pub applied: usize,
    /// Why the rest did not, if any did not.
    pub error: Option<StoreError>,
}

/// A key-value store behind an async interface.
#[allow(async_fn_in_trait)]
pub trait Backend {
    /// The value of one key.
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// Every key and value under a prefix, in key order.
    async fn list(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError>;
    /// Applies ops in order, whole or not at all: on a failure, what the batch changed is put back.
    async fn write(&self, ops: Vec<Op>) -> WriteOutcome;
}

/// An in-memory backend. Its size limit counts UTF-16 code units of keys and values, as browsers do.
#[derive(Debug, Default)]
pub struct MemoryBackend {
    map: RefCell<BTreeMap<String, String>>,
    capacity: Cell<Option<usize>>,
}

fn units(s: &str) -> usize {
    s.encode_utf16().count()
}

impl MemoryBackend {
    /// An empty, unlimited store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Limits the store's size, like a browser quota. `None` lifts the limit.
    pub fn set_capacity(&self, units: Option<usize>) {
        self.capacity.set(units);
    }

    /// A copy of everything stored, to compare before and after.
    pub fn snapshot(&self) -> BTreeMap<String, String> {
        self.map.borrow().clone()
    }

    /// Sets a key directly, as another program (or corruption) would.
    pub fn poke(&self, key: &str, value: &str) {
        self.map.borrow_mut().insert(key.into(), value.into());
    }

    fn used_without(&self, key: &str) -> usize {
        self.map.borrow().iter().filter(|(k, _)| *k != key).map(|(k, v)| units(k) + units(v)).sum()
    }
}

impl Backend for MemoryBackend {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.map.borrow().get(key).cloned())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        let map = self.map.borrow();
        Ok(map
            .range(prefix.to_string()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    async fn write(&self, ops: Vec<Op>) -> WriteOutcome {
        let before = self.map.borrow().clone();
        for op in ops {
            match op {
                Op::Put(k, v) => {
                    if let Some(cap) = self.capacity.get() {
                        if self.used_without(&k) + units(&k) + units(&v) > cap {
                            // Whole or not at all, like the browser backend.
                            *self.map.borrow_mut() = before;
                            return WriteOutcome { applied: 0, error: Some(StoreError::QuotaExceeded) };
                        }
                    }
                    self.map.borrow_mut().insert(k, v);
                }
                Op::Delete(k) => {
                    self.map.borrow_mut().remove(&k);
                }
            }
        }
        WriteOutcome { applied: usize::MAX, error: None }
    }
}

/// Something found while loading that a person should hear about once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadProblem {
    /// An entry could not be read and was moved aside, under `moved_to`.
    Quarantined {
        /// Where it was.
        key: String,
        /// Where it is now.
        moved_to: String,
        /// Why it could not be read.
        reason: String,
    },
    /// An entry could not be read, and moving it aside failed too; it was left where it was.
    Unreadable {
        /// The key.
        key: String,
        /// Why it could not be read.
        reason: String,
    },
}

impl LoadProblem {
    /// A sentence for the notice the app shows.
    pub fn message(&self) -> String {
        match self {
            LoadProblem::Quarantined { key, moved_to, reason } => {
                format!("A stored entry ({key}) could not be read ({reason}). It was set aside as {moved_to}; everything else loaded.")
            }
            LoadProblem::Unreadable { key, reason } => {
                format!("A stored entry ({key}) could not be read ({reason}), and could not be set aside; everything else loaded.")
            }
        }
    }
}

/// What start-up found in storage.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    /// Every readable record.
    pub records: Vec<Record>,
    /// The device profile, if one was saved.
    pub device: Option<DeviceProfile>,
    /// Entries that could not be read.
    pub problems: Vec<LoadProblem>,
    /// The export state (default when never exported).
    pub export: crate::exchange::ExportState,
    /// The import log.
    pub imports: crate::exchange::ImportLog,
    /// Known device profiles of other officers.
    pub devices: Vec<DeviceProfile>,
    /// Contact pairs marked as different people.
    pub not_duplicates: BTreeSet<(RecordId, RecordId)>,
    /// This device's replica ids, the first being the device id itself.
    pub replicas: Vec<DeviceId>,
}

/// Reads everything at start-up: checks the layout version, runs migrations, and moves unreadable
/// entries aside so that one bad entry never keeps the rest from loading.
pub async fn load<B: Backend>(backend: &B) -> Result<Loaded, StoreError> {
    let mut schema_problem = None;
    match backend.get(SCHEMA_KEY).await? {
        None => {
            let out = backend.write(vec![Op::Put(SCHEMA_KEY.into(), SCHEMA_VERSION.to_string())]).await;
            // A full store still loads; the schema key is written with the next successful save.
            if let Some(e) = out.error.filter(|e| *e != StoreError::QuotaExceeded) {
                return Err(e);
            }
        }
        Some(text) => {
            let version: u32 = match text.trim().parse() {
                Ok(v) => v,
                Err(_) => {
                    schema_problem = Some(recover_schema(backend, &text).await?);
                    SCHEMA_VERSION
                }
            };
            if version > SCHEMA_VERSION {
                return Err(StoreError::NewerSchema(version));
            }
            let mut v = version;
            while v < SCHEMA_VERSION {
                let Some((_, migrate)) = MIGRATIONS.iter().find(|(from, _)| *from == v) else {
                    return Err(StoreError::UnknownSchema(v.to_string()));
                };
                let entries = backend.list(PREFIX).await?;
                let mut ops = migrate(&entries);
                ops.push(Op::Put(SCHEMA_KEY.into(), (v + 1).to_string()));
                if let Some(e) = backend.write(ops).await.error {
                    return Err(e);
                }
                v += 1;
            }
        }
    }
    let raw_records = backend.list(RECORD_PREFIX).await?;
    let mut loaded = Loaded::default();
    loaded.problems.extend(schema_problem);
    for (key, text) in raw_records {
        let suffix = &key[RECORD_PREFIX.len()..];
        let decoded = decode_record(&text).and_then(|r| {
            if r.id.to_string() == suffix {
                Ok(r)
            } else {
                Err(DecodeError::KeyMismatch)
            }
        });
        match decoded {
            Ok(r) => loaded.records.push(r),
            Err(e) => loaded.problems.push(quarantine(backend, &key, &text, &e.to_string()).await),
        }
    }
    loaded.device = load_meta(backend, DEVICE_KEY, &mut loaded.problems).await?;
    loaded.export = load_meta(backend, EXPORT_KEY, &mut loaded.problems).await?.unwrap_or_default();
    loaded.imports = load_meta(backend, IMPORTS_KEY, &mut loaded.problems).await?.unwrap_or_default();
    loaded.devices = load_meta(backend, DEVICES_KEY, &mut loaded.problems).await?.unwrap_or_default();
    loaded.not_duplicates = load_meta(backend, NOT_DUPLICATES_KEY, &mut loaded.problems).await?.unwrap_or_default();
    loaded.replicas = load_meta(backend, REPLICAS_KEY, &mut loaded.problems).await?.unwrap_or_default();
    Ok(loaded)
}

/// Handles a layout version that is not a number (a corrupt entry), so that one bad entry does not
/// hide the whole notebook. The records say which layout they are in: when one of them decodes as this
/// build's layout, or there are none, the entry is set aside like any unreadable entry and this build's
/// version written in its place. When none decodes, the data may be from a layout this build does not
/// know, and it is refused untouched, as an unknown layout always is.
async fn recover_schema<B: Backend>(backend: &B, text: &str) -> Result<LoadProblem, StoreError> {
    let records = backend.list(RECORD_PREFIX).await?;
    if !records.is_empty() && !records.iter().any(|(_, t)| decode_record(t).is_ok()) {
        return Err(StoreError::UnknownSchema(text.chars().take(20).collect()));
    }
    let problem = quarantine(backend, SCHEMA_KEY, text, "it is not a layout version").await;
    let out = backend.write(vec![Op::Put(SCHEMA_KEY.into(), SCHEMA_VERSION.to_string())]).await;
    // As for a fresh store: a full one still loads, and the next load sees the entry again.
    if let Some(e) = out.error.filter(|e| *e != StoreError::QuotaExceeded) {
        return Err(e);
    }
    Ok(problem)
}

/// Reads one metadata key; an unreadable value is quarantined and treated as absent.
async fn load_meta<B: Backend, T: serde::de::DeserializeOwned>(
    backend: &B,
    key: &str,
    problems: &mut Vec<LoadProblem>,
) -> Result<Option<T>, StoreError> {
    let Some(text) = backend.get(key).await? else { return Ok(None) };
    match serde_json::from_str::<T>(&text) {
        Ok(v) => Ok(Some(v)),
        Err(e) => {
            problems.push(quarantine(backend, key, &text, &e.to_string()).await);
            Ok(None)
        }
    }
}

/// Writes one metadata key as JSON.
pub async fn save_meta<B: Backend, T: serde::Serialize>(backend: &B, key: &str, value: &T) -> Result<(), StoreError> {
    let text = serde_json::to_string(value).map_err(|e| StoreError::Failed(e.to_string()))?;
    match backend.write(vec![Op::Put(key.into(), text)]).await.error {
        None => Ok(()),
        Some(e) => Err(e),
    }
}

async fn quarantine<B: Backend>(backend: &B, key: &str, text: &str, reason: &str) -> LoadProblem {
    let moved_to = format!("{QUARANTINE_PREFIX}{}", &key[PREFIX.len().min(key.len())..]);
    let out = backend.write(vec![Op::Put(moved_to.clone(), text.into()), Op::Delete(key.into())]).await;
    match out.error {
        None => LoadProblem::Quarantined { key: key.into(), moved_to, reason: reason.into() },
        Some(_) => LoadProblem::Unreadable { key: key.into(), reason: reason.into() },
    }
}

/// Saves the device profile.
pub async fn save_device<B: Backend>(backend: &B, device: &DeviceProfile) -> Result<(), StoreError> {
    save_meta(backend, DEVICE_KEY, device).await
}

/// A new device profile with no label yet.
pub fn new_device(id: DeviceId) -> DeviceProfile {
    DeviceProfile { id, label: String::new(), officer: String::new() }
}

/// The storage key of a record.
pub fn record_key(id: RecordId) -> String {
    format!("{RECORD_PREFIX}{id}")
}

/// The record id a storage key names, if it names one.
pub fn record_id_of_key(key: &str) -> Option<RecordId> {
    key.strip_prefix(RECORD_PREFIX)?.parse().ok()
}

/// One batch of writes on its way to a backend: records, then metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    ids: Vec<RecordId>,
    /// The metadata keys and the texts this batch writes, after the records.
    meta: Vec<(String, String)>,
    /// The writes: one per record in id order, then one per metadata key in key order.
    pub ops: Vec<Op>,
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

    /// The next batch to write, if nothing is under way and something waits.
    pub fn take_batch(&mut self, notebook: &Notebook) -> Option<Batch> {
        if self.in_flight || (self.pending.is_empty() && self.meta.is_empty()) {
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
        // A queued record that is gone from memory was removed by undoing an import: remove it here too.
        let ops = ids
            .iter()
            .map(|id| match notebook.record(*id) {
                Some(r) => Op::Put(record_key(r.id), encode_record(r)),
                None => Op::Delete(record_key(*id)),
            })
            .chain(meta.iter().map(|(k, v)| Op::Put(k.clone(), v.clone())))
            .collect();
        self.in_flight = true;
        Some(Batch { ids, meta, ops })
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

/// Joins two lists of device profiles learnt from bundles (two tabs' copies of `meta/devices`): every
/// device either knows, once, in id order. For a device both know with different profiles, each field
/// takes a filled value over a blank one (as [`Notebook::learn_devices`] does), and of two filled values
/// the greater text: a profile carries no time, so neither can be called newer, and a fixed choice makes
/// every tab settle on the same profile whichever copy it heard first.
pub fn merge_device_profiles(ours: &[DeviceProfile], theirs: &[DeviceProfile]) -> Vec<DeviceProfile> {
    fn pick(a: &str, b: &str) -> String {
        match (a.trim().is_empty(), b.trim().is_empty()) {
            (false, true) => a.to_string(),
            (true, false) => b.to_string(),
            _ => a.max(b).to_string(),
        }
    }
    let mut by_id: BTreeMap<DeviceId, DeviceProfile> = BTreeMap::new();
    for d in ours.iter().chain(theirs) {
        match by_id.get_mut(&d.id) {
            Some(known) => {
                known.label = pick(&known.label, &d.label);
                known.officer = pick(&known.officer, &d.officer);
            }
            None => {
                by_id.insert(d.id, d.clone());
            }
        }
    }
    by_id.into_values().collect()
}

/// Joins two tabs' sets of contact pairs a person said are different people: a pair either tab was
/// told about stays told. Nothing ever takes a pair back, so the union loses nothing.
pub fn merge_not_duplicates(
    ours: &BTreeSet<(RecordId, RecordId)>,
    theirs: &BTreeSet<(RecordId, RecordId)>,
) -> BTreeSet<(RecordId, RecordId)> {
    ours.union(theirs).copied().collect()
}

/// The storage conformance suite, run natively against [`MemoryBackend`] and in the browser against
/// LocalStorage, so both backends are held to the same behaviour.
#[cfg(any(test, feature = "conformance"))]
pub mod conformance {
    use super::*;
    use crate::schema::Value;
    use crate::schema::{Field, Kind};

    const NOW: u64 = 1_780_000_000_000;

    fn device() -> DeviceId {
        DeviceId::new_v7(NOW, [9; 10])
    }

    async fn save_all<B: Backend>(backend: &B, nb: &mut Notebook, queue: &mut WriteQueue) -> Option<StoreError> {
        queue.enqueue(nb.take_changed());
        let batch = queue.take_batch(nb)?;
        let outcome = backend.write(batch.ops.clone()).await;
        queue.finish(batch, outcome);
        queue.last_error().cloned()
    }

    fn sample(nb: &mut Notebook, n: u8) -> RecordId {
        let id = nb.create(Kind::Contact, NOW + u64::from(n), [n; 10]);
        nb.set(id, Field::Name, Value::Text(format!("Contact {n} — Ωμέγα")), NOW + 100).ok();
        id
    }

    /// A fresh store loads empty and gets its layout version written.
    pub async fn empty_store_loads_and_gets_a_schema_version<B: Backend>(b: &B) {
        let loaded = load(b).await.expect("load");
        assert!(loaded.records.is_empty() && loaded.problems.is_empty() && loaded.device.is_none());
        assert_eq!(b.get(SCHEMA_KEY).await.expect("get"), Some(SCHEMA_VERSION.to_string()));
    }

    /// Saved records and the device profile come back whole.
    pub async fn saved_records_load_back_whole<B: Backend>(b: &B) {
        load(b).await.expect("load");
        let mut nb = Notebook::new(device());
        let mut q = WriteQueue::new();
        let ids: Vec<RecordId> = (1..=5).map(|n| sample(&mut nb, n)).collect();
        nb.delete(ids[0], NOW + 200).expect("delete");
        assert_eq!(save_all(b, &mut nb, &mut q).await, None);
        assert_eq!(q.unsaved(), 0);
        let profile = DeviceProfile { id: device(), label: "Tablet".into(), officer: "Lt Col Ana Ruiz".into() };
        save_device(b, &profile).await.expect("save device");
        let loaded = load(b).await.expect("load");
        assert_eq!(loaded.records.len(), 5);
        for r in &loaded.records {
            assert_eq!(Some(r), nb.record(r.id));
        }
        assert_eq!(loaded.device, Some(profile));
    }

    /// A corrupt entry is set aside under the quarantine prefix, reported once, and the rest loads.
    pub async fn a_corrupt_entry_is_quarantined_and_reported_once<B: Backend>(b: &B) {
        load(b).await.expect("load");
        let mut nb = Notebook::new(device());
        let mut q = WriteQueue::new();
        sample(&mut nb, 1);
        save_all(b, &mut nb, &mut q).await;
        let bad_key = format!("{RECORD_PREFIX}0190aaaa-0000-7000-8000-000000000000");
        b.write(vec![Op::Put(bad_key.clone(), "{\"id\": tru".into())]).await;
        let first = load(b).await.expect("load");
        assert_eq!(first.records.len(), 1);
        assert_eq!(first.problems.len(), 1);
        let LoadProblem::Quarantined { key, moved_to, .. } = &first.problems[0] else {
            panic!("expected quarantine, got {:?}", first.problems)
        };
        assert_eq!(key, &bad_key);
        assert_eq!(b.get(moved_to).await.expect("get").as_deref(), Some("{\"id\": tru"));
        assert_eq!(b.get(&bad_key).await.expect("get"), None);
        let second = load(b).await.expect("load");
        assert!(second.problems.is_empty());
        assert_eq!(second.records.len(), 1);
    }

    /// Data from a newer version is refused and left byte-identical.
    pub async fn a_newer_layout_is_refused_and_left_untouched<B: Backend>(b: &B) {
        b.write(vec![Op::Put(SCHEMA_KEY.into(), "7".into()), Op::Put(format!("{RECORD_PREFIX}x"), "future".into())])
            .await;
        let before = b.list(PREFIX).await.expect("list");
        assert_eq!(load(b).await.err(), Some(StoreError::NewerSchema(7)));
        assert_eq!(b.list(PREFIX).await.expect("list"), before);
    }

    /// A layout version that cannot be read is set aside and reported like any unreadable entry, and the
    /// notebook loads as this build's layout because its records decode as such.
    pub async fn a_corrupt_schema_entry_is_quarantined_and_the_notebook_still_loads<B: Backend>(b: &B) {
        load(b).await.expect("load");
        let mut nb = Notebook::new(device());
        let mut q = WriteQueue::new();
        let ids: Vec<RecordId> = (1..=3).map(|n| sample(&mut nb, n)).collect();
        save_all(b, &mut nb, &mut q).await;
        b.write(vec![Op::Put(SCHEMA_KEY.into(), "\u{0}garbled".into())]).await;
        let first = load(b).await.expect("a corrupt layout version does not hide the notebook");
        assert_eq!(first.records.len(), ids.len());
        assert_eq!(first.problems.len(), 1, "{:?}", first.problems);
        let LoadProblem::Quarantined { key, moved_to, .. } = &first.problems[0] else {
            panic!("expected quarantine, got {:?}", first.problems)
        };
        assert_eq!(key, SCHEMA_KEY);
        assert_eq!(b.get(moved_to).await.expect("get").as_deref(), Some("\u{0}garbled"));
        assert_eq!(b.get(SCHEMA_KEY).await.expect("get"), Some(SCHEMA_VERSION.to_string()));
        let second = load(b).await.expect("load");
        assert!(second.problems.is_empty(), "reported once: {:?}", second.problems);
        assert_eq!(second.records.len(), ids.len());
    }

    /// A layout version that cannot be read, over records that do not decode either, may be a layout
    /// this build does not know: it is refused and left byte-identical.
    pub async fn an_unreadable_schema_over_unreadable_records_is_refused_and_left_untouched<B: Backend>(b: &B) {
        b.write(vec![
            Op::Put(SCHEMA_KEY.into(), "v9-beta".into()),
            Op::Put(format!("{RECORD_PREFIX}x"), "future".into()),
        ])
        .await;
        let before = b.list(PREFIX).await.expect("list");
        assert_eq!(load(b).await.err(), Some(StoreError::UnknownSchema("v9-beta".into())));
        assert_eq!(b.list(PREFIX).await.expect("list"), before);
    }

    /// A notebook stored in layout 1 (records in format v1) is migrated to layout 2 and loads the same.
    pub async fn a_layout_1_notebook_is_migrated_and_loads_the_same<B: Backend>(b: &B) {
        let mut nb = Notebook::new(device());
        let ids: Vec<RecordId> = (1..=3).map(|n| sample(&mut nb, n)).collect();
        let mut ops = vec![Op::Put(SCHEMA_KEY.into(), "1".into())];
        for id in &ids {
            let r = nb.record(*id).expect("sample");
            ops.push(Op::Put(
                record_key(*id),
                serde_json::to_string(&crate::formats::wire::RecordV1::from_record(r)).expect("v1"),
            ));
        }
        b.write(ops).await;
        let loaded = load(b).await.expect("layout 1 loads");
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let mut got: Vec<Record> = loaded.records;
        got.sort_by_key(|r| r.id);
        let want: Vec<Record> = ids.iter().map(|id| nb.record(*id).expect("sample").clone()).collect();
        assert_eq!(got.iter().map(|r| r.seen()).collect::<Vec<_>>(), want.iter().map(|r| r.seen()).collect::<Vec<_>>());
        assert_eq!(
            got.iter().map(|r| r.fields.keys().cloned().collect::<Vec<_>>()).collect::<Vec<_>>(),
            want.iter().map(|r| r.fields.keys().cloned().collect::<Vec<_>>()).collect::<Vec<_>>()
        );
        assert_eq!(b.get(SCHEMA_KEY).await.expect("get"), Some(SCHEMA_VERSION.to_string()));
        for id in &ids {
            let text = b.get(&record_key(*id)).await.expect("get").expect("record");
            assert!(text.starts_with(r#"{"v":2,"#), "{text}");
        }
    }

    /// A record whose write cannot succeed (larger than what is left of the store) does not hold back
    /// records edited after it: the next batch writes them first.
    pub async fn a_write_that_cannot_succeed_does_not_hold_back_the_others<B: Backend>(
        b: &B,
        capacity: impl Fn(Option<usize>),
    ) {
        load(b).await.expect("load");
        let mut nb = Notebook::new(device());
        let mut q = WriteQueue::new();
        let big = sample(&mut nb, 1);
        nb.set(big, Field::Notes, Value::Text("x".repeat(600 * 1024)), NOW + 50).expect("set");
        let used: usize = b.list(PREFIX).await.expect("list").iter().map(|(k, v)| k.len() + v.len()).sum();
        capacity(Some(used + 200 * 1024));
        assert!(save_all(b, &mut nb, &mut q).await.is_some(), "the big record cannot be written");
        let small: Vec<RecordId> = (2..=4).map(|n| sample(&mut nb, n)).collect();
        for _ in 0..3 {
            q.enqueue(nb.take_changed());
            if let Some(batch) = q.take_batch(&nb) {
                let outcome = b.write(batch.ops.clone()).await;
                q.finish(batch, outcome);
            }
        }
        for id in &small {
            assert!(b.get(&record_key(*id)).await.expect("get").is_some(), "record {id} was held back");
        }
        assert_eq!(q.unsaved(), 1, "only the big record waits");
        capacity(None);
        q.enqueue([]);
        if let Some(batch) = q.take_batch(&nb) {
            let outcome = b.write(batch.ops.clone()).await;
            q.finish(batch, outcome);
        }
        assert_eq!(q.unsaved(), 0);
    }

    /// A batch lands whole or not at all, and an import's records reach storage together even when
    /// other records are written one by one after a failure.
    pub async fn an_import_reaches_storage_whole_or_not_at_all<B: Backend>(b: &B, capacity: impl Fn(Option<usize>)) {
        load(b).await.expect("load");
        let before = b.list(PREFIX).await.expect("list");
        let mut nb = Notebook::new(device());
        let mut q = WriteQueue::new();
        let imported: Vec<RecordId> = (1..=3).map(|n| sample(&mut nb, n)).collect();
        for id in &imported {
            nb.set(*id, Field::Notes, Value::Text("y".repeat(100 * 1024)), NOW + 60).expect("set");
        }
        let used: usize = before.iter().map(|(k, v)| k.len() + v.len()).sum();
        capacity(Some(used + 250 * 1024));
        let _ = nb.take_changed();
        q.enqueue_together(imported.iter().copied());
        let batch = q.take_batch(&nb).expect("batch");
        let outcome = b.write(batch.ops.clone()).await;
        assert!(outcome.error.is_some(), "three records of 100 KB do not fit in 250 KB");
        q.finish(batch, outcome);
        assert_eq!(b.list(PREFIX).await.expect("list"), before, "nothing of the import landed");
        let typed = sample(&mut nb, 9);
        q.enqueue(nb.take_changed());
        for _ in 0..4 {
            if let Some(batch) = q.take_batch(&nb) {
                let outcome = b.write(batch.ops.clone()).await;
                q.finish(batch, outcome);
            }
        }
        assert!(b.get(&record_key(typed)).await.expect("get").is_some(), "a record typed afterwards is not held back");
        for id in &imported {
            assert!(b.get(&record_key(*id)).await.expect("get").is_none(), "the import stays whole: {id} landed alone");
        }
        capacity(None);
        for _ in 0..4 {
            if let Some(batch) = q.take_batch(&nb) {
                let outcome = b.write(batch.ops.clone()).await;
                q.finish(batch, outcome);
            }
        }
        for id in &imported {
            assert!(b.get(&record_key(*id)).await.expect("get").is_some(), "the import landed once there was room");
        }
        assert_eq!(q.unsaved(), 0);
    }

    /// When storage is full, the edit stays in memory and queued, stored data stays readable, and the
    /// edit saves once space is freed.
    pub async fn a_full_store_keeps_the_edit_queued_until_space_is_freed<B: Backend>(b: &B) {
        load(b).await.expect("load");
        let mut nb = Notebook::new(device());
        let mut q = WriteQueue::new();
        let kept = sample(&mut nb, 1);
        assert_eq!(save_all(b, &mut nb, &mut q).await, None);
        // Fill the store to the brim with ever smaller chunks.
        let mut fillers = Vec::new();
        let mut size = 1 << 20;
        while size >= 16 {
            let key = format!("filler/{}", fillers.len());
            let out = b.write(vec![Op::Put(key.clone(), "x".repeat(size))]).await;
            match out.error {
                None => fillers.push(key),
                Some(StoreError::QuotaExceeded) => size /= 2,
                Some(e) => panic!("unexpected error while filling: {e}"),
            }
            assert!(fillers.len() < 100_000, "the store never filled up");
        }
        let note = "A half-typed note that must not be lost ".repeat(20);
        nb.set(kept, Field::Notes, Value::Text(note.clone()), NOW + 300).expect("set");
        assert_eq!(save_all(b, &mut nb, &mut q).await, Some(StoreError::QuotaExceeded));
        assert_eq!(q.unsaved(), 1);
        assert_eq!(nb.contact(kept).expect("in memory").notes, note);
        let loaded = load(b).await.expect("stored data still loads");
        assert_eq!(loaded.records.len(), 1);
        assert!(loaded.problems.is_empty());
        b.write(fillers.into_iter().map(Op::Delete).collect()).await;
        assert_eq!(save_all(b, &mut nb, &mut q).await, None);
        assert_eq!(q.unsaved(), 0);
        let loaded = load(b).await.expect("load");
        assert_eq!(loaded.records[0].text("notes"), note);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        // Every MemoryBackend future is ready at once, so one poll with a no-op waker drives it to the end.
        let mut f = std::pin::pin!(f);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("memory backend futures never wait"),
        }
    }

    #[test]
    fn empty_store_loads_and_gets_a_schema_version() {
        block_on(conformance::empty_store_loads_and_gets_a_schema_version(&MemoryBackend::new()));
    }

    #[test]
    fn saved_records_load_back_whole() {
        block_on(conformance::saved_records_load_back_whole(&MemoryBackend::new()));
    }

    #[test]
    fn a_corrupt_entry_is_quarantined_and_reported_once() {
        block_on(conformance::a_corrupt_entry_is_quarantined_and_reported_once(&MemoryBackend::new()));
    }

    #[test]
    fn a_newer_layout_is_refused_and_left_untouched() {
        block_on(conformance::a_newer_layout_is_refused_and_left_untouched(&MemoryBackend::new()));
    }

    #[test]
    fn an_import_reaches_storage_whole_or_not_at_all() {
        let b = MemoryBackend::new();
        block_on(conformance::an_import_reaches_storage_whole_or_not_at_all(&b, |c| b.set_capacity(c)));
    }

    #[test]
    fn a_write_that_cannot_succeed_does_not_hold_back_the_others() {
        let b = MemoryBackend::new();
        block_on(conformance::a_write_that_cannot_succeed_does_not_hold_back_the_others(&b, |c| b.set_capacity(c)));
    }

    #[test]
    fn a_layout_1_notebook_is_migrated_and_loads_the_same() {
        block_on(conformance::a_layout_1_notebook_is_migrated_and_loads_the_same(&MemoryBackend::new()));
    }

    #[test]
    fn a_corrupt_schema_entry_is_quarantined_and_the_notebook_still_loads() {
        block_on(
            conformance::a_corrupt_schema_entry_is_quarantined_and_the_notebook_still_loads(&MemoryBackend::new()),
        );
    }

    #[test]
    fn an_unreadable_schema_over_unreadable_records_is_refused_and_left_untouched() {
        block_on(conformance::an_unreadable_schema_over_unreadable_records_is_refused_and_left_untouched(
            &MemoryBackend::new(),
        ));
    }

    #[test]
    fn a_full_store_keeps_the_edit_queued_until_space_is_freed() {
        let b = MemoryBackend::new();
        b.set_capacity(Some(200_000));
        block_on(conformance::a_full_store_keeps_the_edit_queued_until_space_is_freed(&b));
    }

    #[test]
    fn a_record_edited_while_its_batch_was_under_way_stays_queued() {
        let mut nb = Notebook::new(DeviceId::new_v7(1, [1; 10]));
        let id = nb.create(crate::Kind::Contact, 1, [2; 10]);
        let mut q = WriteQueue::new();
        q.enqueue(nb.take_changed());
        let batch = q.take_batch(&nb).unwrap();
        assert!(q.take_batch(&nb).is_none(), "one batch at a time");
        q.enqueue([id]);
        q.finish(batch, WriteOutcome { applied: usize::MAX, error: None });
        assert_eq!(q.unsaved(), 1);
    }

    fn write<B: Backend>(b: &B, q: &mut WriteQueue, nb: &Notebook) {
        if let Some(batch) = q.take_batch(nb) {
            let outcome = block_on(b.write(batch.ops.clone()));
            q.finish(batch, outcome);
        }
    }

    #[test]
    fn waiting_metadata_counts_as_unsaved_until_it_lands() {
        let b = MemoryBackend::new();
        let nb = Notebook::new(DeviceId::new_v7(1, [1; 10]));
        let mut q = WriteQueue::new();
        q.enqueue_meta(EXPORT_KEY, r#"{"sequence":1}"#.into());
        assert_eq!(q.unsaved(), 1, "the save indicator must not say everything is saved");
        write(&b, &mut q, &nb);
        assert_eq!(q.unsaved(), 0);
        assert_eq!(b.snapshot().get(EXPORT_KEY).map(String::as_str), Some(r#"{"sequence":1}"#));
        assert_eq!(q.stored_meta(EXPORT_KEY), Some(r#"{"sequence":1}"#));
    }

    #[test]
    fn a_metadata_write_that_fails_stays_queued_and_is_retried() {
        let b = MemoryBackend::new();
        let mut nb = Notebook::new(DeviceId::new_v7(1, [1; 10]));
        let mut q = WriteQueue::new();
        b.set_capacity(Some(10));
        let id = nb.create(crate::Kind::Contact, 1, [2; 10]);
        q.enqueue(nb.take_changed());
        q.enqueue_meta(IMPORTS_KEY, "[]".into());
        write(&b, &mut q, &nb);
        assert!(q.last_error().is_some());
        assert_eq!(q.unsaved(), 2, "the record and the import log both wait");
        assert_eq!(q.stored_meta(IMPORTS_KEY), None);
        b.set_capacity(None);
        for _ in 0..3 {
            write(&b, &mut q, &nb);
        }
        assert_eq!(q.unsaved(), 0);
        assert!(q.last_error().is_none());
        let stored = b.snapshot();
        assert_eq!(stored.get(IMPORTS_KEY).map(String::as_str), Some("[]"));
        assert!(stored.contains_key(&record_key(id)));
    }

    #[test]
    fn the_newest_text_of_a_metadata_key_is_the_one_written() {
        let b = MemoryBackend::new();
        let nb = Notebook::new(DeviceId::new_v7(1, [1; 10]));
        let mut q = WriteQueue::new();
        q.enqueue_meta(NOT_DUPLICATES_KEY, "[1]".into());
        q.enqueue_meta(NOT_DUPLICATES_KEY, "[2]".into());
        assert_eq!(q.unsaved(), 1);
        write(&b, &mut q, &nb);
        assert_eq!(b.snapshot().get(NOT_DUPLICATES_KEY).map(String::as_str), Some("[2]"));
    }

    #[test]
    fn metadata_queued_again_while_its_batch_was_under_way_stays_queued() {
        let b = MemoryBackend::new();
        let nb = Notebook::new(DeviceId::new_v7(1, [1; 10]));
        let mut q = WriteQueue::new();
        q.enqueue_meta(EXPORT_KEY, "1".into());
        let batch = q.take_batch(&nb).expect("batch");
        q.enqueue_meta(EXPORT_KEY, "2".into());
        let outcome = block_on(b.write(batch.ops.clone()));
        q.finish(batch, outcome);
        assert_eq!(q.unsaved(), 1, "the newer text still waits");
        write(&b, &mut q, &nb);
        assert_eq!(b.snapshot().get(EXPORT_KEY).map(String::as_str), Some("2"));
        assert_eq!(q.unsaved(), 0);
    }

    #[test]
    fn a_metadata_write_that_cannot_succeed_does_not_hold_back_records() {
        let b = MemoryBackend::new();
        let mut nb = Notebook::new(DeviceId::new_v7(1, [1; 10]));
        let mut q = WriteQueue::new();
        b.set_capacity(Some(2_000));
        q.enqueue_meta(DEVICES_KEY, "x".repeat(5_000));
        write(&b, &mut q, &nb);
        assert!(q.last_error().is_some());
        let id = nb.create(crate::Kind::Contact, 1, [2; 10]);
        q.enqueue(nb.take_changed());
        for _ in 0..3 {
            write(&b, &mut q, &nb);
        }
        assert!(b.snapshot().contains_key(&record_key(id)), "the record was held back by the metadata");
        assert_eq!(q.unsaved(), 1, "only the metadata waits");
    }

    #[test]
    fn a_key_that_names_another_record_is_quarantined() {
        let b = MemoryBackend::new();
        let mut nb = Notebook::new(DeviceId::new_v7(1, [1; 10]));
        let id = nb.create(crate::Kind::Contact, 1, [2; 10]);
        let other = RecordId::new_v7(5, [5; 10]);
        b.poke(&record_key(other), &encode_record(nb.record(id).unwrap()));
        let loaded = block_on(load(&b)).unwrap();
        assert!(loaded.records.is_empty());
        assert!(
            matches!(&loaded.problems[0], LoadProblem::Quarantined { reason, .. } if reason.contains("another record"))
        );
    }
}
