use super::*;
use crate::crdt::id::DeviceId;
use crate::crdt::record::Record;
use crate::formats::wire::encode_record;
use crate::notebook::Notebook;
use crate::schema::{Field, Kind, Value};
use crate::storage::record_key;

const NOW: u64 = 1_780_000_000_000;

fn notebook(n: usize) -> Notebook {
    let mut nb = Notebook::new(DeviceId::new_v7(NOW, [3; 10]));
    for i in 0..n {
        let b = (i as u32).to_le_bytes();
        let id = nb.create(Kind::Meeting, NOW + i as u64, [b[0], b[1], b[2], b[3], 1, 2, 3, 4, 5, 6]);
        nb.set(id, Field::Title, Value::Text(format!("Staff talks {i}")), NOW + i as u64).ok();
        nb.set(id, Field::Notes, Value::Text("Host-nation support, rotation. ".repeat(30)), NOW + i as u64).ok();
    }
    nb
}

fn records(nb: &Notebook) -> Vec<Record> {
    nb.records().cloned().collect()
}

#[test]
fn a_page_reads_back_every_record_it_holds() {
    let nb = notebook(50);
    let (records, bad) = decode_page(&encode_page(nb.records())).expect("a page");
    assert!(bad.is_empty());
    assert_eq!(records, self::records(&nb));
}

#[test]
fn a_page_is_smaller_than_its_records_stored_one_by_one() {
    let nb = notebook(200);
    let page = encode_page(nb.records()).len();
    let single: usize = nb.records().map(|r| encode_record(r).len()).sum();
    // Each device is named once per page instead of in every stamp.
    assert!(page < single, "page {page} bytes, records alone {single}");
}

#[test]
fn a_damaged_record_in_a_page_costs_that_record_only() {
    let nb = notebook(3);
    let text = encode_page(nb.records());
    let victim = nb.records().nth(1).expect("a record").id.to_string();
    // The victim's kind becomes one that does not exist.
    let at = text.find(&victim).expect("the id is in the page");
    let damaged = format!(
        "{}{}",
        &text[..at + victim.len()],
        text[at + victim.len()..].replacen("\"meeting\"", "\"spaceship\"", 1)
    );
    let (records, bad) = decode_page(&damaged).expect("still a page");
    assert_eq!(records.len(), 2);
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].0.map(|id| id.to_string()), Some(victim));
}

#[test]
fn a_page_of_another_format_is_not_guessed_at() {
    assert!(decode_page(r#"{"page":2,"d":[],"r":[]}"#).is_err());
    assert!(decode_page("not json").is_err());
}

#[test]
fn a_record_in_a_page_and_in_its_own_key_loads_once_with_both_edits() {
    let mut nb = notebook(2);
    let page = (page_key(NOW, 1), encode_page(nb.records()));
    let id = nb.records().next().expect("a record").id;
    nb.set(id, Field::Notes, Value::Text("newer".into()), NOW + 10_000).expect("set");
    let single = (record_key(id), encode_record(nb.record(id).expect("record")));
    let folded = fold(&[page.clone(), page], &[single]);
    assert_eq!(folded.records.len(), 2);
    assert_eq!(folded.records.iter().find(|r| r.id == id), nb.record(id));
    assert!(folded.map.wants_compaction(), "a record in two pages is folded");
}

#[test]
fn a_removal_removes_older_copies_and_not_newer_ones() {
    let nb = notebook(2);
    let id = nb.records().next().expect("a record").id;
    let removed = (record_key(id), removed_marker(NOW + 50));
    let older = (page_key(NOW + 40, 1), encode_page(nb.records()));
    assert_eq!(fold(&[older], std::slice::from_ref(&removed)).records.len(), 1);
    let newer = (page_key(NOW + 60, 1), encode_page(nb.records()));
    assert_eq!(fold(&[newer], &[removed]).records.len(), 2);
}

#[test]
fn page_keys_sort_in_the_order_they_were_written() {
    let a = page_key(999, u64::MAX);
    let b = page_key(1_000, 0);
    assert!(a < b);
    assert_eq!(page_time(&b), Some(1_000));
}

#[test]
fn a_big_batch_packs_into_full_pages() {
    let nb = notebook(2_500);
    let mut pages = Vec::new();
    let mut w = PageWriter::new();
    for r in nb.records() {
        w.push(r);
        if w.is_full() {
            pages.push(std::mem::take(&mut w).finish());
        }
    }
    pages.push(w.finish());
    assert_eq!(pages.iter().map(|(_, ids)| ids.len()).sum::<usize>(), 2_500);
    assert!(pages.iter().all(|(t, ids)| ids.len() <= PAGE_RECORDS && t.len() < PAGE_BYTES + 64 * 1024));
}
