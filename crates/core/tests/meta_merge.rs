//! Merge rules for metadata two tabs keep (ARCHITECTURE.md, "Two tabs"): every rule is checked to keep
//! what either tab wrote and to give the same result in either order.

use std::collections::BTreeSet;

use liaison_core::crdt::id::{DeviceId, RecordId};
use liaison_core::exchange::{ExportState, ImportLog, LogEntry};
use liaison_core::formats::bundle::Scope;
use liaison_core::formats::wire::UniqueMap;
use liaison_core::model::DeviceProfile;
use liaison_core::storage::{merge_device_profiles, merge_not_duplicates};
use uuid::Uuid;

fn dev(n: u8) -> DeviceId {
    DeviceId::new_v7(1_700_000_000_000 + u64::from(n), [n; 10])
}

fn rec(n: u8) -> RecordId {
    RecordId::new_v7(1_700_000_000_000 + u64::from(n), [n; 10])
}

fn entry(n: u8, imported_ms: u64) -> LogEntry {
    LogEntry {
        bundle_id: Uuid::from_bytes([n; 16]),
        device: dev(n),
        sequence: u64::from(n),
        scope: Scope::Changes,
        created_ms: 1,
        imported_ms,
        records: 3,
        checksum: format!("sum{n}"),
        partial: false,
    }
}

fn log(entries: &[LogEntry]) -> ImportLog {
    ImportLog { entries: entries.to_vec() }
}

fn ids(l: &ImportLog) -> Vec<Uuid> {
    l.entries.iter().map(|e| e.bundle_id).collect()
}

#[test]
fn two_tabs_import_logs_merge_to_the_union_of_their_bundles() {
    let shared = entry(1, 10);
    let a = log(&[shared.clone(), entry(2, 20)]);
    let b = log(&[shared.clone(), entry(3, 15)]);
    let base = log(std::slice::from_ref(&shared));
    let ab = ImportLog::merge(&base, &a, &b);
    assert_eq!(ids(&ab), ids(&log(&[entry(1, 10), entry(3, 15), entry(2, 20)])), "in import order");
    assert_eq!(ab, ImportLog::merge(&base, &b, &a), "the same whichever tab merges");
    assert_eq!(ab, ImportLog::merge(&ImportLog::default(), &a, &b), "without a common copy it is the union");
}

#[test]
fn an_import_undone_in_this_tab_stays_out_of_the_merged_log() {
    let kept = entry(1, 10);
    let undone = entry(2, 20);
    let stored = log(&[kept.clone(), undone.clone()]);
    let ours = log(std::slice::from_ref(&kept));
    assert_eq!(ImportLog::merge(&stored, &ours, &stored), ours);
}

#[test]
fn an_import_undone_in_another_tab_leaves_this_tabs_log_too() {
    let kept = entry(1, 10);
    let base = log(&[kept.clone(), entry(2, 20)]);
    let theirs = log(std::slice::from_ref(&kept));
    let ours = log(&[kept.clone(), entry(2, 20), entry(3, 30)]);
    assert_eq!(ids(&ImportLog::merge(&base, &ours, &theirs)), ids(&log(&[kept, entry(3, 30)])));
}

#[test]
fn a_bundle_both_tabs_imported_is_logged_once_with_the_earlier_import() {
    let a = log(&[entry(1, 50)]);
    let b = log(&[entry(1, 40)]);
    let merged = ImportLog::merge(&ImportLog::default(), &a, &b);
    assert_eq!(merged, log(&[entry(1, 40)]));
    assert_eq!(merged, ImportLog::merge(&ImportLog::default(), &b, &a));
}

fn export(sequence: u64, last_ms: u64, seen: &[(u8, u64)], held: &[u8], scope: Scope) -> ExportState {
    ExportState {
        sequence,
        last_ms: Some(last_ms),
        last_seen: UniqueMap(seen.iter().map(|(d, t)| (dev(*d), (*t, 0))).collect()),
        last_scope: Some(scope),
        held_back: held.iter().map(|n| rec(*n)).collect(),
    }
}

#[test]
fn the_export_state_with_the_higher_sequence_wins_whole() {
    let older = export(4, 100, &[(1, 50)], &[7], Scope::Changes);
    let newer = export(5, 200, &[(1, 90)], &[], Scope::All);
    assert_eq!(older.merge(&newer), newer, "the newer export already carried or held back what the older held back");
    assert_eq!(newer.merge(&older), newer);
}

#[test]
fn two_exports_made_at_once_join_their_ticks_and_held_back_records() {
    let a = export(5, 200, &[(1, 90), (2, 40)], &[7], Scope::Changes);
    let b = export(5, 210, &[(1, 80), (2, 60)], &[8], Scope::All);
    let merged = a.merge(&b);
    assert_eq!(merged, export(5, 210, &[(1, 90), (2, 60)], &[7, 8], Scope::All));
    assert_eq!(merged, b.merge(&a), "the same whichever tab merges");
    assert_eq!(merged.merge(&merged), merged);
    let c = export(5, 150, &[(3, 10)], &[9], Scope::Changes);
    assert_eq!(a.merge(&b).merge(&c), a.merge(&b.merge(&c)), "grouping does not matter");
}

#[test]
fn two_tabs_device_lists_merge_to_every_device_once() {
    let p =
        |n: u8, label: &str, officer: &str| DeviceProfile { id: dev(n), label: label.into(), officer: officer.into() };
    let ours = vec![p(1, "Laptop", ""), p(2, "Tablet", "Maj Lee")];
    let theirs = vec![p(3, "Phone", "Capt Obi"), p(1, "", "Lt Col Ana Ruiz")];
    let merged = merge_device_profiles(&ours, &theirs);
    assert_eq!(merged, vec![p(1, "Laptop", "Lt Col Ana Ruiz"), p(2, "Tablet", "Maj Lee"), p(3, "Phone", "Capt Obi")]);
    assert_eq!(merged, merge_device_profiles(&theirs, &ours), "the same whichever tab merges");
    let clash = vec![p(2, "Tablet 2", "Maj Lee")];
    assert_eq!(
        merge_device_profiles(&ours, &clash),
        merge_device_profiles(&clash, &ours),
        "a clash settles the same way in every tab"
    );
}

#[test]
fn pairs_marked_not_duplicates_in_either_tab_stay_marked() {
    let a: BTreeSet<(RecordId, RecordId)> = [(rec(1), rec(2))].into();
    let b: BTreeSet<(RecordId, RecordId)> = [(rec(3), rec(4)), (rec(1), rec(2))].into();
    let merged = merge_not_duplicates(&a, &b);
    assert_eq!(merged, [(rec(1), rec(2)), (rec(3), rec(4))].into());
    assert_eq!(merged, merge_not_duplicates(&b, &a));
}
