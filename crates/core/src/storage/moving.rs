//! Moving a notebook from one store to another (localStorage to IndexedDB), so that no interruption
//! loses or doubles anything.
//!
//! The steps, each of which may be cut short by a closed tab or a killed browser:
//! 1. every entry of the old store is copied into the new one in one batch, together with
//!    [`MOVED_KEY`]; a batch lands whole or not at all, so the new store holds all of it or none;
//! 2. only then are the old store's entries removed.
//!
//! Starting again after step 1 failed copies again from scratch. Starting again after step 1 but before
//! step 2 finished finds entries in both: copying is a join, not an overwrite, so doing it twice gives
//! what doing it once gave. The same join keeps what a session that could not open the new store wrote
//! to the old one meanwhile.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    merge_device_profiles, merge_not_duplicates, Backend, Op, StoreError, DEVICES_KEY, NOT_DUPLICATES_KEY, PREFIX,
    RECORD_PREFIX, REPLICAS_KEY, SCHEMA_KEY, SCHEMA_VERSION,
};
use crate::crdt::id::{DeviceId, RecordId};
use crate::formats::wire::{decode_record, encode_record};
use crate::model::DeviceProfile;

/// Written into the new store with the copy: the move happened, the new store is the notebook.
pub const MOVED_KEY: &str = "liaison/v1/meta/moved-from-local-storage";

/// Where an old entry goes when the new store holds a different text under its key that it cannot be
/// joined with: set aside for a person, as an unreadable entry is.
pub const MOVED_ASIDE_PREFIX: &str = "liaison/v1/quarantine/local-storage/";

/// What [`move_store`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Moved {
    /// The old store held nothing of Liaison's.
    Nothing,
    /// This many entries were copied and the old store's entries removed.
    Done {
        /// Entries copied or joined.
        entries: usize,
        /// Whether removing them from the old store failed (the next start tries again).
        retire_failed: bool,
    },
    /// The old store holds a layout newer than this build's: it is left untouched, and the app should
    /// keep reading it, so that `load` refuses it as it would anyway.
    OldIsNewer(u32),
    /// The new store holds a layout newer than this build's: nothing is touched.
    NewIsNewer(u32),
}

fn newer_layout(text: Option<&str>) -> Option<u32> {
    text.and_then(|t| t.trim().parse::<u32>().ok()).filter(|v| *v > SCHEMA_VERSION)
}

/// Copies every entry of `from` into `to`, joined with what `to` holds, then removes them from `from`.
/// A failed copy returns its error and leaves both stores as they were; call again on the next start.
pub async fn move_store<F: Backend, T: Backend>(from: &F, to: &T) -> Result<Moved, StoreError> {
    let old = from.list(PREFIX).await?;
    if old.is_empty() {
        return Ok(Moved::Nothing);
    }
    let new: BTreeMap<String, String> = to.list(PREFIX).await?.into_iter().collect();
    if let Some(v) = newer_layout(new.get(SCHEMA_KEY).map(String::as_str)) {
        return Ok(Moved::NewIsNewer(v));
    }
    let old_schema = old.iter().find(|(k, _)| k == SCHEMA_KEY).map(|(_, v)| v.as_str());
    if let Some(v) = newer_layout(old_schema) {
        return Ok(Moved::OldIsNewer(v));
    }
    let mut ops: Vec<Op> = old.iter().filter_map(|(k, v)| join_entry(k, v, new.get(k))).collect();
    ops.push(Op::Put(MOVED_KEY.into(), "1".into()));
    if let Some(e) = to.write(ops).await.error {
        return Err(e);
    }
    let retire = from.write(old.iter().map(|(k, _)| Op::Delete(k.clone())).collect()).await;
    Ok(Moved::Done { entries: old.len(), retire_failed: retire.error.is_some() })
}

/// The op that brings one old entry into the new store, if any is needed.
fn join_entry(key: &str, old: &str, new: Option<&String>) -> Option<Op> {
    let Some(new) = new else { return Some(Op::Put(key.into(), old.into())) };
    if new == old {
        return None;
    }
    let joined = if key.starts_with(RECORD_PREFIX) {
        join_records(old, new)
    } else {
        match key {
            // The new store's layout version is the one its records are in.
            SCHEMA_KEY => return None,
            REPLICAS_KEY => join_json(old, new, |a: Vec<DeviceId>, b: Vec<DeviceId>| {
                let mut pool = b;
                pool.extend(a.into_iter().filter(|id| !pool.contains(id)).collect::<Vec<_>>());
                pool
            }),
            DEVICES_KEY => join_json(old, new, |a: Vec<DeviceProfile>, b| merge_device_profiles(&b, &a)),
            NOT_DUPLICATES_KEY => {
                join_json(old, new, |a: BTreeSet<(RecordId, RecordId)>, b| merge_not_duplicates(&b, &a))
            }
            _ => None,
        }
    };
    match joined {
        Some(text) if text == *new => None,
        Some(text) => Some(Op::Put(key.into(), text)),
        // Kept for a person rather than dropped: the new store's text stays in use.
        None => Some(Op::Put(format!("{MOVED_ASIDE_PREFIX}{}", &key[PREFIX.len().min(key.len())..]), old.into())),
    }
}

/// Two copies of one record, joined by the merge contract; `None` when either cannot be read or they
/// contradict each other.
fn join_records(old: &str, new: &str) -> Option<String> {
    let old = decode_record(old).ok()?;
    let mut joined = decode_record(new).ok()?;
    joined.merge_checked(&old).ok()?;
    Some(encode_record(&joined))
}

fn join_json<V: serde::de::DeserializeOwned + serde::Serialize>(
    old: &str,
    new: &str,
    join: impl FnOnce(V, V) -> V,
) -> Option<String> {
    let old: V = serde_json::from_str(old).ok()?;
    let new: V = serde_json::from_str(new).ok()?;
    serde_json::to_string(&join(old, new)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crdt::id::RecordId;
    use crate::schema::{Field, Kind, Value};
    use crate::storage::{load, record_key, MemoryBackend, DEVICE_KEY, QUARANTINE_PREFIX};
    use crate::Notebook;
    use liaison_testkit::block_on;

    const NOW: u64 = 1_780_000_000_000;

    /// A layout-2 notebook of `n` contacts in `b`, as the localStorage backend leaves it.
    fn seed(b: &MemoryBackend, n: u8) -> (Notebook, Vec<RecordId>) {
        let mut nb = Notebook::new(DeviceId::new_v7(NOW, [7; 10]));
        let ids: Vec<RecordId> = (1..=n)
            .map(|i| {
                let id = nb.create(Kind::Contact, NOW + u64::from(i), [i; 10]);
                nb.set(id, Field::Name, Value::Text(format!("Contact {i}")), NOW + 100).ok();
                id
            })
            .collect();
        b.poke(SCHEMA_KEY, "2");
        b.poke(DEVICE_KEY, r#"{"id":"0190aaaa-0000-7000-8000-000000000001","label":"Tablet","officer":"Ana"}"#);
        for id in &ids {
            b.poke(&record_key(*id), &encode_record(nb.record(*id).expect("seeded")));
        }
        (nb, ids)
    }

    fn liaison_entries(b: &MemoryBackend) -> BTreeMap<String, String> {
        b.snapshot().into_iter().filter(|(k, _)| k.starts_with(PREFIX)).collect()
    }

    #[test]
    fn every_record_of_the_old_store_loads_from_the_new_one_and_the_old_is_emptied() {
        let (old, new) = (MemoryBackend::new(), MemoryBackend::new());
        let (nb, ids) = seed(&old, 20);
        let moved = block_on(move_store(&old, &new)).expect("move");
        assert_eq!(moved, Moved::Done { entries: 22, retire_failed: false });
        assert!(liaison_entries(&old).is_empty());
        let loaded = block_on(load(&new)).expect("load");
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        assert_eq!(loaded.records.len(), ids.len());
        for r in &loaded.records {
            assert_eq!(Some(r), nb.record(r.id));
        }
        assert!(loaded.device.is_some());
    }

    #[test]
    fn a_copy_that_fails_leaves_both_stores_as_they_were_and_the_next_start_moves_everything() {
        let (old, new) = (MemoryBackend::new(), MemoryBackend::new());
        let (_, ids) = seed(&old, 5);
        let before = old.snapshot();
        new.set_capacity(Some(10));
        assert!(block_on(move_store(&old, &new)).is_err());
        assert_eq!(old.snapshot(), before, "the old store is untouched");
        assert!(new.snapshot().is_empty(), "nothing half-copied");
        new.set_capacity(None);
        block_on(move_store(&old, &new)).expect("move");
        assert_eq!(block_on(load(&new)).expect("load").records.len(), ids.len());
    }

    #[test]
    fn a_move_cut_short_before_the_old_store_was_emptied_resumes_without_doubling() {
        let (old, new) = (MemoryBackend::new(), MemoryBackend::new());
        let (_, ids) = seed(&old, 5);
        block_on(move_store(&old, &new)).expect("move");
        let after_first = new.snapshot();
        // As if the browser died between the copy and the removal: the old entries are all still there.
        seed(&old, 5);
        block_on(move_store(&old, &new)).expect("resume");
        assert_eq!(new.snapshot(), after_first, "joining the same copy again changes nothing");
        assert!(liaison_entries(&old).is_empty());
        assert_eq!(block_on(load(&new)).expect("load").records.len(), ids.len());
    }

    #[test]
    fn an_edit_written_to_the_old_store_after_the_move_is_joined_not_lost() {
        let (old, new) = (MemoryBackend::new(), MemoryBackend::new());
        let (mut nb, ids) = seed(&old, 2);
        block_on(move_store(&old, &new)).expect("move");
        // A later session could not open the new store and saved an edit in the old one.
        nb.set(ids[0], Field::Notes, Value::Text("typed while IndexedDB was blocked".into()), NOW + 500).expect("set");
        old.poke(&record_key(ids[0]), &encode_record(nb.record(ids[0]).expect("edited")));
        block_on(move_store(&old, &new)).expect("move");
        let loaded = block_on(load(&new)).expect("load");
        let r = loaded.records.iter().find(|r| r.id == ids[0]).expect("record");
        assert_eq!(r.text("notes"), "typed while IndexedDB was blocked");
    }

    #[test]
    fn an_old_entry_that_cannot_be_joined_is_set_aside_not_dropped() {
        let (old, new) = (MemoryBackend::new(), MemoryBackend::new());
        new.poke(crate::storage::EXPORT_KEY, r#"{"sequence":2}"#);
        old.poke(crate::storage::EXPORT_KEY, r#"{"sequence":1}"#);
        block_on(move_store(&old, &new)).expect("move");
        let stored = new.snapshot();
        assert_eq!(stored.get(crate::storage::EXPORT_KEY).map(String::as_str), Some(r#"{"sequence":2}"#));
        assert_eq!(
            stored.get(&format!("{QUARANTINE_PREFIX}local-storage/meta/export")).map(String::as_str),
            Some(r#"{"sequence":1}"#)
        );
    }

    #[test]
    fn a_newer_layout_in_the_old_store_is_left_untouched() {
        let (old, new) = (MemoryBackend::new(), MemoryBackend::new());
        old.poke(SCHEMA_KEY, "9");
        old.poke(&format!("{RECORD_PREFIX}x"), "future");
        let before = old.snapshot();
        assert_eq!(block_on(move_store(&old, &new)).expect("move"), Moved::OldIsNewer(9));
        assert_eq!(old.snapshot(), before);
        assert!(new.snapshot().is_empty());
    }

    #[test]
    fn a_newer_layout_in_the_new_store_leaves_both_untouched() {
        let (old, new) = (MemoryBackend::new(), MemoryBackend::new());
        seed(&old, 2);
        new.poke(SCHEMA_KEY, "9");
        let (old_before, new_before) = (old.snapshot(), new.snapshot());
        assert_eq!(block_on(move_store(&old, &new)).expect("move"), Moved::NewIsNewer(9));
        assert_eq!((old.snapshot(), new.snapshot()), (old_before, new_before));
    }

    #[test]
    fn a_layout_1_notebook_is_moved_then_migrated_by_load() {
        let (old, new) = (MemoryBackend::new(), MemoryBackend::new());
        let (nb, ids) = seed(&old, 3);
        old.poke(SCHEMA_KEY, "1");
        for id in &ids {
            let v1 = crate::formats::wire::RecordV1::from_record(nb.record(*id).expect("seeded"));
            old.poke(&record_key(*id), &serde_json::to_string(&v1).expect("v1"));
        }
        block_on(move_store(&old, &new)).expect("move");
        let loaded = block_on(load(&new)).expect("load");
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        assert_eq!(loaded.records.len(), ids.len());
        assert_eq!(new.snapshot().get(SCHEMA_KEY).map(String::as_str), Some(SCHEMA_VERSION.to_string().as_str()));
    }
}
