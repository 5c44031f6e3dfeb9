//! Persistence, without I/O of its own.
//!
//! The in-memory [`Notebook`](crate::notebook::Notebook) is the truth while the app runs. Storage is read
//! once at start-up by [`load`] and written write-behind: commands note changed records, the
//! [`WriteQueue`] turns them into one batch at a time, and the outcome of each batch comes back to the
//! queue, which keeps whatever did not land for the next try and tells the UI why.
//!
//! Backends are async so that IndexedDB can join LocalStorage behind the same trait. The app provides the
//! LocalStorage backend; [`MemoryBackend`] serves native tests and simulates a full disk.

mod backend;
#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
mod layout;
mod load;
mod merge;
mod moving;
pub mod pages;
mod queue;

pub use backend::{Backend, MemoryBackend, Op, StoreError, WriteOutcome};
pub use layout::{
    record_id_of_key, record_key, DEVICES_KEY, DEVICE_KEY, EXPORT_KEY, IMPORTS_KEY, NOT_DUPLICATES_KEY, PREFIX,
    QUARANTINE_PREFIX, RECORD_PREFIX, REPLICAS_KEY, SCHEMA_KEY, SCHEMA_VERSION,
};
pub use load::{load, save_meta, LoadProblem, Loaded};
pub use merge::{merge_device_profiles, merge_not_duplicates};
pub use moving::{move_store, Moved, MOVED_ASIDE_PREFIX, MOVED_KEY};
pub use queue::{Batch, WriteQueue};

use crate::crdt::id::DeviceId;
use crate::model::DeviceProfile;

/// Saves the device profile.
pub async fn save_device<B: Backend>(backend: &B, device: &DeviceProfile) -> Result<(), StoreError> {
    save_meta(backend, DEVICE_KEY, device).await
}

/// A new device profile with no label yet.
pub fn new_device(id: DeviceId) -> DeviceProfile {
    DeviceProfile { id, label: String::new(), officer: String::new() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liaison_testkit::block_on;

    use crate::crdt::id::RecordId;
    use crate::formats::wire::encode_record;
    use crate::notebook::Notebook;

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
    fn compaction_cut_short_anywhere_loses_nothing_and_doubles_nothing() {
        let b = MemoryBackend::new();
        block_on(conformance::compaction_cut_short_anywhere_loses_nothing_and_doubles_nothing(&b, |n| {
            b.fail_writes_after(n)
        }));
    }

    #[test]
    fn an_edit_written_during_compaction_is_kept() {
        block_on(conformance::an_edit_written_during_compaction_is_kept(&MemoryBackend::new()));
    }

    #[test]
    fn a_removal_outlives_older_pages_and_gives_way_to_newer_ones() {
        block_on(conformance::a_removal_outlives_older_pages_and_gives_way_to_newer_ones(&MemoryBackend::new()));
    }

    #[test]
    fn an_undone_import_stored_as_pages_loads_as_before_it() {
        block_on(conformance::an_undone_import_stored_as_pages_loads_as_before_it(&MemoryBackend::new(), false));
    }

    #[test]
    fn an_import_undone_while_its_pages_are_written_loads_as_before_it() {
        block_on(conformance::an_undone_import_stored_as_pages_loads_as_before_it(&MemoryBackend::new(), true));
    }

    #[test]
    fn delete_if_removes_only_the_text_it_names() {
        block_on(conformance::delete_if_removes_only_the_text_it_names(&MemoryBackend::new()));
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
        let batch = q.take_batch(&nb, 1).unwrap();
        assert!(q.take_batch(&nb, 1).is_none(), "one batch at a time");
        q.enqueue([id]);
        q.finish(batch, WriteOutcome { applied: usize::MAX, error: None });
        assert_eq!(q.unsaved(), 1);
    }

    fn write<B: Backend>(b: &B, q: &mut WriteQueue, nb: &Notebook) {
        if let Some(batch) = q.take_batch(nb, 1) {
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
        let batch = q.take_batch(&nb, 1).expect("batch");
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
