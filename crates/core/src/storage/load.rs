//! Reading a notebook at start-up, and setting aside whatever cannot be read.

use std::collections::BTreeSet;

use super::layout::MIGRATIONS;
use super::pages::{decode_page, fold, removed_at, PageMap, PAGE_PREFIX};
use super::{
    Backend, DeviceProfile, Op, StoreError, DEVICES_KEY, DEVICE_KEY, EXPORT_KEY, IMPORTS_KEY, NOT_DUPLICATES_KEY,
    PREFIX, QUARANTINE_PREFIX, RECORD_PREFIX, REPLICAS_KEY, SCHEMA_KEY, SCHEMA_VERSION,
};
use crate::crdt::id::{DeviceId, RecordId};
use crate::crdt::record::Record;
use crate::formats::wire::decode_record;

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
    /// Where the records were: what compaction rewrites.
    pub pages: PageMap,
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
                let mut ops = match migrate {
                    Some(migrate) => migrate(&backend.list(PREFIX).await?),
                    None => Vec::new(),
                };
                ops.push(Op::Put(SCHEMA_KEY.into(), (v + 1).to_string()));
                if let Some(e) = backend.write(ops).await.error {
                    return Err(e);
                }
                v += 1;
            }
        }
    }
    // Pages first, then the per-record values folded over them (`storage::pages`).
    let pages = backend.list(PAGE_PREFIX).await?;
    let singles = backend.list(RECORD_PREFIX).await?;
    let folded = fold(&pages, &singles);
    let mut loaded = Loaded { records: folded.records, pages: folded.map, ..Loaded::default() };
    loaded.problems.extend(schema_problem);
    for bad in folded.unreadable {
        let Some((_, text)) = pages.iter().chain(&singles).find(|(k, _)| *k == bad.key) else { continue };
        let problem = if bad.partly {
            set_aside_copy(backend, &bad.key, text, &bad.reason).await
        } else {
            quarantine(backend, &bad.key, text, &bad.reason).await
        };
        loaded.problems.push(problem);
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
    let pages = backend.list(PAGE_PREFIX).await?;
    let readable = records.iter().any(|(_, t)| decode_record(t).is_ok() || removed_at(t).is_some())
        || pages.iter().any(|(_, t)| decode_page(t).is_ok());
    if !(readable || records.is_empty() && pages.is_empty()) {
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

/// Sets a copy of a partly readable page aside for a person; the page itself stays until compaction
/// rewrites its readable records.
async fn set_aside_copy<B: Backend>(backend: &B, key: &str, text: &str, reason: &str) -> LoadProblem {
    let moved_to = format!("{QUARANTINE_PREFIX}{}", &key[PREFIX.len().min(key.len())..]);
    match backend.write(vec![Op::Put(moved_to.clone(), text.into())]).await.error {
        None => LoadProblem::Quarantined { key: key.into(), moved_to, reason: reason.into() },
        Some(_) => LoadProblem::Unreadable { key: key.into(), reason: reason.into() },
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
