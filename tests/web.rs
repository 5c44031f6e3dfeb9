//! Browser tests of the platform layer, in headless Chromium (wasm-bindgen-test).
//!
//! The storage conformance suite from liaison-core runs here against the real LocalStorage, so the
//! browser backend is held to the same behaviour as the in-memory one, quota errors included.
#![cfg(target_arch = "wasm32")]

use liaison::platform::LocalStorageBackend;
use liaison_core::storage::{conformance, Backend, Op, StoreError};
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
