//! Folding what start-up read, pages and per-record values, into one copy of each record.

use std::collections::{BTreeMap, BTreeSet};

use super::{decode_page, page_time, removed_at};
use crate::crdt::id::RecordId;
use crate::crdt::record::Record;
use crate::formats::wire::decode_record;
use crate::storage::record_id_of_key;

/// Where start-up found each record, which compaction needs to know what to rewrite.
#[derive(Clone, Debug, Default)]
pub struct PageMap {
    /// Every page read, in key order, with how many readable records it holds.
    pub pages: Vec<(String, usize)>,
    /// For each record found in a page, that page (an index into `pages`). A record found in several
    /// pages makes all of them dirty, so a clean page is the only one holding its records.
    pub(super) home: BTreeMap<RecordId, u32>,
    /// Pages to rewrite whatever else happens: they share a record with another page, or hold damage.
    pub(super) dirty: BTreeSet<u32>,
    /// How many per-record values were read.
    pub singles: usize,
}

impl PageMap {
    /// Whether start-up found enough to fold that compaction should run.
    pub fn wants_compaction(&self) -> bool {
        self.singles >= super::COMPACT_AT || !self.dirty.is_empty()
    }

    /// How many records the pages hold.
    pub fn paged(&self) -> usize {
        self.home.len()
    }
}

/// An entry start-up could not read, or could read only in part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable {
    /// The key.
    pub key: String,
    /// Why.
    pub reason: String,
    /// A page some of whose records could not be read: a copy is set aside and the page stays until
    /// compaction rewrites its readable records. Otherwise the entry is moved aside whole.
    pub partly: bool,
}

/// What folding found.
#[derive(Debug, Default)]
pub struct Folded {
    /// One copy of every readable record that was not removed.
    pub records: Vec<Record>,
    /// Where they were.
    pub map: PageMap,
    /// What could not be read.
    pub unreadable: Vec<Unreadable>,
}

/// Joins every stored copy of each record: the records of every page (in key order) and the
/// per-record values over them. Joining is idempotent, so a record stored twice loads once; a copy
/// that cannot be joined (a contradiction) gives way to the per-record value, the newer write. A removal
/// marker removes the record when no page holding it was written after the removal.
pub fn fold(pages: &[(String, String)], singles: &[(String, String)]) -> Folded {
    let mut out = Folded::default();
    let mut slots: Vec<Option<Record>> = Vec::new();
    let mut at: BTreeMap<RecordId, usize> = BTreeMap::new();
    for (n, (key, text)) in pages.iter().enumerate() {
        let n = n as u32;
        match decode_page(text) {
            Err(e) => {
                out.unreadable.push(Unreadable { key: key.clone(), reason: e.to_string(), partly: false });
                out.map.pages.push((key.clone(), 0));
                out.map.dirty.insert(n);
            }
            Ok((records, bad)) => {
                if let Some((_, reason)) = bad.first() {
                    let reason = format!("{} of its records cannot be read: {reason}", bad.len());
                    out.unreadable.push(Unreadable { key: key.clone(), reason, partly: true });
                    out.map.dirty.insert(n);
                }
                out.map.pages.push((key.clone(), records.len()));
                for r in records {
                    if let Some(other) = out.map.home.insert(r.id, n) {
                        out.map.dirty.extend([other, n]);
                    }
                    match at.get(&r.id) {
                        Some(&i) => join_into(&mut slots[i], r),
                        None => {
                            at.insert(r.id, slots.len());
                            slots.push(Some(r));
                        }
                    }
                }
            }
        }
    }
    out.map.singles = singles.len();
    for (key, text) in singles {
        let Some(id) = record_id_of_key(key) else {
            out.unreadable.push(Unreadable {
                key: key.clone(),
                reason: "its key names no record".into(),
                partly: false,
            });
            continue;
        };
        if let Some(removed) = removed_at(text) {
            let written = out.map.home.get(&id).and_then(|&p| page_time(&out.map.pages[p as usize].0));
            if written.is_none_or(|w| w <= removed) {
                if let Some(&i) = at.get(&id) {
                    slots[i] = None;
                }
            }
            continue;
        }
        match decode_record(text) {
            Ok(r) if r.id == id => match at.get(&id) {
                Some(&i) => {
                    // The per-record value is the newer write: it wins a join that cannot be made.
                    let slot = &mut slots[i];
                    match slot.as_mut().map(|old| old.merge_checked(&r)) {
                        Some(Ok(())) => {}
                        _ => *slot = Some(r),
                    }
                }
                None => {
                    at.insert(id, slots.len());
                    slots.push(Some(r));
                }
            },
            Ok(_) => out.unreadable.push(Unreadable {
                key: key.clone(),
                reason: crate::formats::wire::DecodeError::KeyMismatch.to_string(),
                partly: false,
            }),
            Err(e) => out.unreadable.push(Unreadable { key: key.clone(), reason: e.to_string(), partly: false }),
        }
    }
    out.records = slots.into_iter().flatten().collect();
    out
}

fn join_into(slot: &mut Option<Record>, r: Record) {
    if let Some(old) = slot {
        if *old != r && old.merge_checked(&r).is_err() {
            // Two page copies that contradict each other: the later page is the later write.
            *slot = Some(r);
        }
    }
}
