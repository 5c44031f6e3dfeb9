//! Browser tests of the platform layer, in headless Chromium (wasm-bindgen-test).
//!
//! The storage conformance suite from liaison-core runs here against the real LocalStorage, so the
//! browser backends are held to the same behaviour as the in-memory one, quota errors included: once
//! against localStorage and once against IndexedDB. Then the move from localStorage into IndexedDB,
//! cut short at each step.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;

use liaison::platform::{self, IndexedDbBackend, LocalStorageBackend};
use liaison_core::crdt::id::{DeviceId, RecordId};
use liaison_core::formats::wire::encode_record;
use liaison_core::schema::{Field, Kind, Value};
use liaison_core::storage::{self, conformance, load, move_store, Backend, Moved, Op, StoreError};
use liaison_core::Notebook;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Every test starts from an empty origin: the suite's fillers and Liaison's keys alike.
fn fresh() -> LocalStorageBackend {
    let b = LocalStorageBackend;
    b.clear_prefix("").expect("localStorage is available in the test browser");
    b
}

#[wasm_bindgen_test]
async fn empty_store_loads_and_gets_a_schema_version() {
    conformance::empty_store_loads_and_gets_a_schema_version(&fresh()).await;
}

#[wasm_bindgen_test]
async fn saved_records_load_back_whole() {
    conformance::saved_records_load_back_whole(&fresh()).await;
}

#[wasm_bindgen_test]
async fn a_corrupt_entry_is_quarantined_and_reported_once() {
    conformance::a_corrupt_entry_is_quarantined_and_reported_once(&fresh()).await;
}

#[wasm_bindgen_test]
async fn a_corrupt_schema_entry_is_quarantined_and_the_notebook_still_loads() {
    conformance::a_corrupt_schema_entry_is_quarantined_and_the_notebook_still_loads(&fresh()).await;
}

#[wasm_bindgen_test]
async fn an_unreadable_schema_over_unreadable_records_is_refused_and_left_untouched() {
    conformance::an_unreadable_schema_over_unreadable_records_is_refused_and_left_untouched(&fresh()).await;
}

#[wasm_bindgen_test]
async fn a_newer_layout_is_refused_and_left_untouched() {
    conformance::a_newer_layout_is_refused_and_left_untouched(&fresh()).await;
}

#[wasm_bindgen_test]
async fn a_full_store_keeps_the_edit_queued_until_space_is_freed() {
    let b = fresh();
    conformance::a_full_store_keeps_the_edit_queued_until_space_is_freed(&b).await;
    b.clear_prefix("").expect("clean up");
}

#[wasm_bindgen_test]
async fn a_real_quota_error_is_recognised_as_storage_full() {
    let b = fresh();
    let mut n = 0;
    let error = loop {
        let out = b.write(vec![Op::Put(format!("filler/{n}"), "x".repeat(1 << 20))]).await;
        n += 1;
        if let Some(e) = out.error {
            break e;
        }
        assert!(n < 200, "localStorage never filled up");
    };
    b.clear_prefix("").expect("clean up");
    assert_eq!(error, StoreError::QuotaExceeded);
}

#[wasm_bindgen_test]
async fn used_bytes_counts_what_was_stored() {
    let b = fresh();
    b.write(vec![Op::Put("liaison/v1/test".into(), "abcd".into())]).await;
    // Keys and values count as UTF-16, two bytes per unit.
    assert_eq!(b.used_bytes().expect("measure"), ("liaison/v1/test".len() + 4) * 2);
}

#[wasm_bindgen_test]
async fn a_batch_that_does_not_fit_leaves_real_local_storage_as_it_was() {
    let b = fresh();
    b.write(vec![Op::Put("liaison/v1/record/kept".into(), "before".into())]).await;
    let mut n = 0;
    // Fill up to about 1 MiB from the limit, in 1 MiB blocks.
    while b.write(vec![Op::Put(format!("filler/{n}"), "x".repeat(1 << 19))]).await.error.is_none() {
        n += 1;
        assert!(n < 400, "localStorage never filled up");
    }
    let before = b.list("liaison/").await.expect("list");
    let out = b
        .write(vec![
            Op::Put("liaison/v1/record/kept".into(), "after".into()),
            Op::Put("liaison/v1/record/new".into(), "small".into()),
            Op::Put("liaison/v1/record/huge".into(), "y".repeat(4 << 20)),
        ])
        .await;
    let after = b.list("liaison/").await.expect("list");
    b.clear_prefix("").expect("clean up");
    assert_eq!(out.error, Some(StoreError::QuotaExceeded));
    assert_eq!(out.applied, 0);
    assert_eq!(after, before, "the batch left nothing behind");
}

thread_local! {
    static DB_COUNT: Cell<u32> = const { Cell::new(0) };
}

/// A database of its own for each test, so that none sees another's data.
async fn fresh_idb() -> IndexedDbBackend {
    let n = DB_COUNT.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    let name = format!("liaison-test-{}-{n}", js_sys::Date::now());
    IndexedDbBackend::open(&name).await.expect("IndexedDB opens in the test browser")
}

#[wasm_bindgen_test]
async fn indexed_db_empty_store_loads_and_gets_a_schema_version() {
    conformance::empty_store_loads_and_gets_a_schema_version(&fresh_idb().await).await;
}

#[wasm_bindgen_test]
async fn indexed_db_saved_records_load_back_whole() {
    conformance::saved_records_load_back_whole(&fresh_idb().await).await;
}

#[wasm_bindgen_test]
async fn indexed_db_a_corrupt_entry_is_quarantined_and_reported_once() {
    conformance::a_corrupt_entry_is_quarantined_and_reported_once(&fresh_idb().await).await;
}

#[wasm_bindgen_test]
async fn indexed_db_a_corrupt_schema_entry_is_quarantined_and_the_notebook_still_loads() {
    conformance::a_corrupt_schema_entry_is_quarantined_and_the_notebook_still_loads(&fresh_idb().await).await;
}

#[wasm_bindgen_test]
async fn indexed_db_an_unreadable_schema_over_unreadable_records_is_refused_and_left_untouched() {
    conformance::an_unreadable_schema_over_unreadable_records_is_refused_and_left_untouched(&fresh_idb().await).await;
}

#[wasm_bindgen_test]
async fn indexed_db_a_newer_layout_is_refused_and_left_untouched() {
    conformance::a_newer_layout_is_refused_and_left_untouched(&fresh_idb().await).await;
}

#[wasm_bindgen_test]
async fn indexed_db_a_layout_1_notebook_is_migrated_and_loads_the_same() {
    conformance::a_layout_1_notebook_is_migrated_and_loads_the_same(&fresh_idb().await).await;
}

#[wasm_bindgen_test]
async fn indexed_db_an_import_reaches_storage_whole_or_not_at_all() {
    let b = fresh_idb().await;
    conformance::an_import_reaches_storage_whole_or_not_at_all(&b, |c| b.set_capacity(c)).await;
}

#[wasm_bindgen_test]
async fn indexed_db_a_write_that_cannot_succeed_does_not_hold_back_the_others() {
    let b = fresh_idb().await;
    conformance::a_write_that_cannot_succeed_does_not_hold_back_the_others(&b, |c| b.set_capacity(c)).await;
}

#[wasm_bindgen_test]
async fn indexed_db_a_full_store_keeps_the_edit_queued_until_space_is_freed() {
    let b = fresh_idb().await;
    b.set_capacity(Some(200_000));
    conformance::a_full_store_keeps_the_edit_queued_until_space_is_freed(&b).await;
}

#[wasm_bindgen_test]
async fn indexed_db_compaction_cut_short_anywhere_loses_nothing_and_doubles_nothing() {
    let b = fresh_idb().await;
    conformance::compaction_cut_short_anywhere_loses_nothing_and_doubles_nothing(&b, |n| b.fail_writes_after(n)).await;
}

#[wasm_bindgen_test]
async fn indexed_db_an_edit_written_during_compaction_is_kept() {
    conformance::an_edit_written_during_compaction_is_kept(&fresh_idb().await).await;
}

#[wasm_bindgen_test]
async fn indexed_db_a_removal_outlives_older_pages_and_gives_way_to_newer_ones() {
    conformance::a_removal_outlives_older_pages_and_gives_way_to_newer_ones(&fresh_idb().await).await;
}

#[wasm_bindgen_test]
async fn indexed_db_an_undone_import_stored_as_pages_loads_as_before_it() {
    conformance::an_undone_import_stored_as_pages_loads_as_before_it(&fresh_idb().await, false).await;
    conformance::an_undone_import_stored_as_pages_loads_as_before_it(&fresh_idb().await, true).await;
}

#[wasm_bindgen_test]
async fn indexed_db_delete_if_removes_only_the_text_it_names() {
    conformance::delete_if_removes_only_the_text_it_names(&fresh_idb().await).await;
}

#[wasm_bindgen_test]
async fn local_storage_delete_if_removes_only_the_text_it_names() {
    conformance::delete_if_removes_only_the_text_it_names(&fresh()).await;
}

#[wasm_bindgen_test]
async fn indexed_db_lists_only_the_keys_under_a_prefix_in_key_order() {
    let b = fresh_idb().await;
    b.write(vec![
        Op::Put("liaison/v1/b".into(), "2".into()),
        Op::Put("liaison/v1/a".into(), "1".into()),
        Op::Put("liaison/v10".into(), "other".into()),
        Op::Put("filler/0".into(), "x".into()),
    ])
    .await;
    let listed = b.list("liaison/v1/").await.expect("list");
    assert_eq!(listed, vec![("liaison/v1/a".into(), "1".into()), ("liaison/v1/b".into(), "2".into())]);
}

#[wasm_bindgen_test]
async fn a_batch_that_fails_part_way_leaves_indexed_db_as_it_was() {
    let b = fresh_idb().await;
    b.write(vec![Op::Put("liaison/v1/record/kept".into(), "before".into())]).await;
    let before = b.list("").await.expect("list");
    b.fail_writes_after(Some(2));
    let out = b
        .write(vec![
            Op::Put("liaison/v1/record/kept".into(), "after".into()),
            Op::Delete("liaison/v1/record/kept".into()),
            Op::Put("liaison/v1/record/new".into(), "small".into()),
        ])
        .await;
    b.fail_writes_after(None);
    assert!(out.error.is_some());
    assert_eq!(out.applied, 0);
    assert_eq!(b.list("").await.expect("list"), before, "the aborted transaction left nothing behind");
}

#[wasm_bindgen_test]
async fn a_write_reports_done_only_once_another_connection_can_read_it() {
    let b = fresh_idb().await;
    assert_eq!(b.write(vec![Op::Put("liaison/v1/meta/x".into(), "1".into())]).await.error, None);
    // A committed transaction is visible to every later transaction, the next start's included.
    assert_eq!(b.get("liaison/v1/meta/x").await.expect("get").as_deref(), Some("1"));
}

/// A layout-2 notebook of `n` contacts written into real localStorage, as this app left it before.
fn seed_local_storage(n: u8) -> (Notebook, Vec<RecordId>) {
    let ls = LocalStorageBackend;
    ls.clear_prefix("").expect("localStorage is available in the test browser");
    let mut nb = Notebook::new(DeviceId::new_v7(1_780_000_000_000, [7; 10]));
    let ids: Vec<RecordId> = (1..=n)
        .map(|i| {
            let id = nb.create(Kind::Meeting, 1_780_000_000_000 + u64::from(i), [i; 10]);
            nb.set(id, Field::Title, Value::Text(format!("Meeting {i} — Ωμέγα")), 1_780_000_000_100).ok();
            id
        })
        .collect();
    let mut ops = vec![Op::Put(storage::SCHEMA_KEY.into(), "2".into())];
    ops.extend(ids.iter().map(|id| Op::Put(storage::record_key(*id), encode_record(nb.record(*id).expect("seeded")))));
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten()).expect("localStorage");
    for op in ops {
        if let Op::Put(k, v) = op {
            storage.set_item(&k, &v).expect("seed");
        }
    }
    (nb, ids)
}

fn local_liaison_keys() -> usize {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten()).expect("localStorage");
    let len = storage.length().unwrap_or(0);
    (0..len).filter_map(|i| storage.key(i).ok().flatten()).filter(|k| k.starts_with(storage::PREFIX)).count()
}

#[wasm_bindgen_test]
async fn every_record_of_the_local_storage_layout_is_in_indexed_db_after_the_move() {
    let (nb, ids) = seed_local_storage(50);
    let idb = fresh_idb().await;
    let moved = move_store(&LocalStorageBackend, &idb).await.expect("move");
    assert!(matches!(moved, Moved::Done { retire_failed: false, .. }), "{moved:?}");
    assert_eq!(local_liaison_keys(), 0, "localStorage no longer holds the notebook");
    let loaded = load(&idb).await.expect("load");
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    assert_eq!(loaded.records.len(), ids.len());
    for r in &loaded.records {
        assert_eq!(Some(r), nb.record(r.id));
    }
}

#[wasm_bindgen_test]
async fn a_move_whose_copy_fails_loses_nothing_and_the_next_start_finishes_it() {
    let (_, ids) = seed_local_storage(20);
    let before = LocalStorageBackend.list("").await.expect("list");
    let idb = fresh_idb().await;
    idb.fail_writes_after(Some(5));
    assert!(move_store(&LocalStorageBackend, &idb).await.is_err());
    assert_eq!(LocalStorageBackend.list("").await.expect("list"), before, "localStorage is untouched");
    assert!(idb.list("").await.expect("list").is_empty(), "nothing half-copied");
    idb.fail_writes_after(None);
    move_store(&LocalStorageBackend, &idb).await.expect("the next start moves it");
    assert_eq!(load(&idb).await.expect("load").records.len(), ids.len());
    assert_eq!(local_liaison_keys(), 0);
}

#[wasm_bindgen_test]
async fn a_move_cut_short_before_local_storage_was_cleared_resumes_without_doubling() {
    let (_, ids) = seed_local_storage(20);
    let idb = fresh_idb().await;
    move_store(&LocalStorageBackend, &idb).await.expect("move");
    let copied = idb.list("").await.expect("list");
    // As if the browser died after the copy committed and before localStorage was cleared.
    seed_local_storage(20);
    move_store(&LocalStorageBackend, &idb).await.expect("resume");
    assert_eq!(idb.list("").await.expect("list"), copied, "nothing doubled or changed");
    assert_eq!(local_liaison_keys(), 0);
    assert_eq!(load(&idb).await.expect("load").records.len(), ids.len());
}

#[wasm_bindgen_test]
async fn a_newer_layout_in_local_storage_is_left_untouched_by_the_move() {
    let ls = LocalStorageBackend;
    ls.clear_prefix("").expect("clear");
    ls.write(vec![
        Op::Put(storage::SCHEMA_KEY.into(), "9".into()),
        Op::Put(format!("{}x", storage::RECORD_PREFIX), "future".into()),
    ])
    .await;
    let before = ls.list("").await.expect("list");
    let idb = fresh_idb().await;
    assert_eq!(move_store(&ls, &idb).await.expect("move"), Moved::OldIsNewer(9));
    assert_eq!(ls.list("").await.expect("list"), before);
    assert!(idb.list("").await.expect("list").is_empty());
    ls.clear_prefix("").expect("clean up");
}

#[wasm_bindgen_test]
async fn start_up_moves_the_notebook_into_indexed_db_and_saves_there() {
    let (_, ids) = seed_local_storage(10);
    let app_db = IndexedDbBackend::open(platform::DB_NAME).await.expect("open");
    app_db.clear_prefix("").await.expect("clear");
    assert_eq!(platform::open_storage().await, None, "no notice: IndexedDB works here");
    let backend = platform::backend();
    assert!(backend.is_indexed_db());
    assert_eq!(load(&backend).await.expect("load").records.len(), ids.len());
    assert_eq!(local_liaison_keys(), 0);
    app_db.clear_prefix("").await.expect("clean up");
}
