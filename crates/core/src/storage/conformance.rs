//! The storage conformance suite, run natively against [`MemoryBackend`] and in the browser against
//! LocalStorage, so both backends are held to the same behaviour.

use super::*;
use crate::crdt::id::{DeviceId, RecordId};
use crate::crdt::record::Record;
use crate::formats::wire::encode_record;
use crate::notebook::Notebook;
use crate::schema::Value;
use crate::schema::{Field, Kind};
use crate::storage::pages::{removed_marker, CompactionPlan, PAGE_PREFIX, PAGE_RECORDS};
use std::collections::BTreeMap;

const NOW: u64 = 1_780_000_000_000;

fn device() -> DeviceId {
    DeviceId::new_v7(NOW, [9; 10])
}

async fn save_all<B: Backend>(backend: &B, nb: &mut Notebook, queue: &mut WriteQueue) -> Option<StoreError> {
    queue.enqueue(nb.take_changed());
    let batch = queue.take_batch(nb, NOW)?;
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
    b.write(vec![Op::Put(SCHEMA_KEY.into(), "7".into()), Op::Put(format!("{RECORD_PREFIX}x"), "future".into())]).await;
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
    b.write(vec![Op::Put(SCHEMA_KEY.into(), "v9-beta".into()), Op::Put(format!("{RECORD_PREFIX}x"), "future".into())])
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
        if let Some(batch) = q.take_batch(&nb, NOW) {
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
    if let Some(batch) = q.take_batch(&nb, NOW) {
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
    let batch = q.take_batch(&nb, NOW).expect("batch");
    let outcome = b.write(batch.ops.clone()).await;
    assert!(outcome.error.is_some(), "three records of 100 KB do not fit in 250 KB");
    q.finish(batch, outcome);
    assert_eq!(b.list(PREFIX).await.expect("list"), before, "nothing of the import landed");
    let typed = sample(&mut nb, 9);
    q.enqueue(nb.take_changed());
    for _ in 0..4 {
        if let Some(batch) = q.take_batch(&nb, NOW) {
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
        if let Some(batch) = q.take_batch(&nb, NOW) {
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

/// A notebook of `n` contacts, each with a name.
fn many(n: usize) -> Notebook {
    let mut nb = Notebook::new(device());
    for i in 0..n {
        let b = (i as u64).to_le_bytes();
        let id = nb.create(Kind::Contact, NOW + i as u64, [b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], 7, 7]);
        nb.set(id, Field::Name, Value::Text(format!("Contact {i} — Ωμέγα")), NOW + i as u64).ok();
    }
    let _ = nb.take_changed();
    nb
}

/// Writes `ids` (or everything queued) through the queue, packing big batches into pages, until
/// nothing waits.
async fn write_through_queue<B: Backend>(b: &B, nb: &Notebook, q: &mut WriteQueue, now: u64) {
    let mut page = 0;
    while let Some(mut batch) = q.take_batch(nb, now) {
        while !batch.pack(nb, 300, || {
            page += 1;
            page
        }) {}
        let outcome = b.write(batch.ops.clone()).await;
        q.finish(batch, outcome);
        assert_eq!(q.last_error(), None);
    }
}

async fn assert_loads_as<B: Backend>(b: &B, expected: &BTreeMap<RecordId, Record>, when: &str) -> Loaded {
    let loaded = load(b).await.expect("load");
    assert!(loaded.problems.is_empty(), "{when}: {:?}", loaded.problems);
    assert_eq!(loaded.records.len(), expected.len(), "{when}: every record, once");
    for r in &loaded.records {
        assert_eq!(Some(r), expected.get(&r.id), "{when}: {} as saved", r.id);
    }
    loaded
}

/// A layout 2 notebook, one value per record, loads under layout 3 and is packed into pages by
/// compaction. Each batch cut short part-way leaves the store as it was, and a start after any number
/// of batches loads every record once, as saved.
pub async fn compaction_cut_short_anywhere_loses_nothing_and_doubles_nothing<B: Backend>(
    b: &B,
    fail_after: impl Fn(Option<usize>),
) {
    let nb = many(PAGE_RECORDS + 300);
    let mut ops = vec![Op::Put(SCHEMA_KEY.into(), "2".into())];
    ops.extend(nb.records().map(|r| Op::Put(record_key(r.id), encode_record(r))));
    assert_eq!(b.write(ops).await.error, None);
    let expected: BTreeMap<RecordId, Record> = nb.records().map(|r| (r.id, r.clone())).collect();
    let mut cut = 1;
    let mut rounds = 0;
    loop {
        let loaded = assert_loads_as(b, &expected, &format!("start {rounds}")).await;
        assert_eq!(b.get(SCHEMA_KEY).await.expect("get"), Some(SCHEMA_VERSION.to_string()));
        if !loaded.pages.wants_compaction() {
            break;
        }
        let memory = Notebook::from_records(device(), loaded.records, NOW);
        let singles = b.list(RECORD_PREFIX).await.expect("list");
        let pages = b.keys(PAGE_PREFIX).await.expect("keys");
        let mut plan = CompactionPlan::new(&loaded.pages, singles, &pages);
        let mut n = 0;
        let batch = plan
            .next_batch(
                |id| memory.record(id),
                NOW + rounds,
                || {
                    n += 1;
                    n
                },
            )
            .expect("a batch to write");
        let before = b.list(PREFIX).await.expect("list");
        fail_after(Some(cut % batch.ops.len()));
        let outcome = b.write(batch.ops.clone()).await;
        fail_after(None);
        assert!(outcome.error.is_some());
        assert_eq!(b.list(PREFIX).await.expect("list"), before, "a batch cut short changes nothing");
        cut += 7;
        assert_eq!(b.write(batch.ops).await.error, None);
        // The tab closes here, before the next batch.
        rounds += 1;
        assert!(rounds < 10, "compaction never finished");
    }
    assert!(b.keys(RECORD_PREFIX).await.expect("keys").is_empty(), "every record is in a page");
    assert_eq!(b.keys(PAGE_PREFIX).await.expect("keys").len(), 2);
}

/// An edit written to a record's own key while compaction was folding the older text is kept.
pub async fn an_edit_written_during_compaction_is_kept<B: Backend>(b: &B) {
    load(b).await.expect("load");
    let mut nb = many(300);
    let ops: Vec<Op> = nb.records().map(|r| Op::Put(record_key(r.id), encode_record(r))).collect();
    assert_eq!(b.write(ops).await.error, None);
    let loaded = load(b).await.expect("load");
    let memory = Notebook::from_records(device(), loaded.records, NOW);
    let mut plan = CompactionPlan::new(
        &loaded.pages,
        b.list(RECORD_PREFIX).await.expect("list"),
        &b.keys(PAGE_PREFIX).await.expect("keys"),
    );
    let edited = nb.records().next().map(|r| r.id).expect("a record");
    nb.set(edited, Field::Notes, Value::Text("typed while the pages were written".into()), NOW + 5_000).expect("set");
    let mut q = WriteQueue::new();
    q.enqueue(nb.take_changed());
    write_through_queue(b, &nb, &mut q, NOW + 5_000).await;
    while let Some(batch) = plan.next_batch(|id| memory.record(id), NOW + 6_000, || 1) {
        assert_eq!(b.write(batch.ops).await.error, None);
    }
    let expected: BTreeMap<RecordId, Record> = nb.records().map(|r| (r.id, r.clone())).collect();
    assert_loads_as(b, &expected, "after compaction").await;
    assert!(b.get(&record_key(edited)).await.expect("get").is_some(), "the newer edit keeps its own key");
}

/// An import of many records is written as pages; a record removed later (undoing it) stays removed
/// through compaction, and a later import of it brings it back.
pub async fn a_removal_outlives_older_pages_and_gives_way_to_newer_ones<B: Backend>(b: &B) {
    load(b).await.expect("load");
    let nb = many(600);
    let mut q = WriteQueue::new();
    q.enqueue_together(nb.records().map(|r| r.id).collect::<Vec<_>>());
    write_through_queue(b, &nb, &mut q, NOW + 10).await;
    assert!(b.keys(RECORD_PREFIX).await.expect("keys").is_empty(), "written as pages");
    assert!(!b.keys(PAGE_PREFIX).await.expect("keys").is_empty());
    let mut expected: BTreeMap<RecordId, Record> = nb.records().map(|r| (r.id, r.clone())).collect();
    assert_loads_as(b, &expected, "after the import").await;
    let removed = *expected.keys().next().expect("a record");
    expected.remove(&removed);
    assert_eq!(b.write(vec![Op::Put(record_key(removed), removed_marker(NOW + 20))]).await.error, None);
    let loaded = assert_loads_as(b, &expected, "after the removal").await;
    let memory = Notebook::from_records(device(), loaded.records, NOW);
    let mut plan = CompactionPlan::new(
        &loaded.pages,
        b.list(RECORD_PREFIX).await.expect("list"),
        &b.keys(PAGE_PREFIX).await.expect("keys"),
    );
    while let Some(batch) = plan.next_batch(|id| memory.record(id), NOW + 30, || 99) {
        assert_eq!(b.write(batch.ops).await.error, None);
    }
    assert_loads_as(b, &expected, "after compaction").await;
    let mut q = WriteQueue::new();
    q.enqueue_together(nb.records().map(|r| r.id).collect::<Vec<_>>());
    write_through_queue(b, &nb, &mut q, NOW + 40).await;
    let all: BTreeMap<RecordId, Record> = nb.records().map(|r| (r.id, r.clone())).collect();
    assert_loads_as(b, &all, "after importing it again").await;
}

/// Undoing an import that was written as pages puts the earlier state back for good, whether the undo
/// comes after the import's pages landed or while they were being written: the next start loads every
/// record as it was before the import, without the records it added, and keeps a record of this
/// device's own that was written in the same pages.
pub async fn an_undone_import_stored_as_pages_loads_as_before_it<B: Backend>(b: &B, undo_while_writing: bool) {
    load(b).await.expect("load");
    let mut nb = many(600);
    let mut earlier = WriteQueue::new();
    earlier.enqueue_together(nb.records().map(|r| r.id).collect::<Vec<_>>());
    write_through_queue(b, &nb, &mut earlier, NOW + 10).await;
    let mut q = WriteQueue::new();
    let own = sample(&mut nb, 200);
    q.enqueue(nb.take_changed());
    let mut before: BTreeMap<RecordId, Option<Record>> = nb.records().map(|r| (r.id, Some(r.clone()))).collect();
    let ids: Vec<RecordId> = before.keys().copied().filter(|id| *id != own).collect();
    for id in &ids {
        nb.set(*id, Field::Notes, Value::Text("brought by the import".into()), NOW + 100).expect("set");
    }
    for i in 0..50u8 {
        let id = nb.create(Kind::Contact, NOW + 100, [i, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
        nb.set(id, Field::Name, Value::Text(format!("Imported {i}")), NOW + 100).expect("set");
        before.insert(id, None);
    }
    before.remove(&own);
    q.enqueue_together(nb.take_changed());
    let expected: BTreeMap<RecordId, Record> =
        before.values().flatten().chain(nb.record(own)).map(|r| (r.id, r.clone())).collect();
    if undo_while_writing {
        let mut batch = q.take_batch(&nb, NOW + 100).expect("the import's batch");
        while !batch.pack(&nb, 300, || 7) {}
        nb.replace_records(before, NOW + 200);
        q.enqueue_replacing(nb.take_changed());
        let outcome = b.write(batch.ops.clone()).await;
        q.finish(batch, outcome);
    } else {
        write_through_queue(b, &nb, &mut q, NOW + 100).await;
        nb.replace_records(before, NOW + 200);
        q.enqueue_replacing(nb.take_changed());
    }
    write_through_queue(b, &nb, &mut q, NOW + 200).await;
    assert_loads_as(b, &expected, "after the undo").await;
}

/// A compare-and-delete removes a key only while it holds the text named.
pub async fn delete_if_removes_only_the_text_it_names<B: Backend>(b: &B) {
    let (k1, k2) = ("liaison/v1/test/one".to_string(), "liaison/v1/test/two".to_string());
    assert_eq!(b.write(vec![Op::Put(k1.clone(), "old".into()), Op::Put(k2.clone(), "new".into())]).await.error, None);
    let out = b.write(vec![Op::DeleteIf(k1.clone(), "old".into()), Op::DeleteIf(k2.clone(), "old".into())]).await;
    assert_eq!(out.error, None);
    assert_eq!(b.get(&k1).await.expect("get"), None);
    assert_eq!(b.get(&k2).await.expect("get"), Some("new".into()));
}
