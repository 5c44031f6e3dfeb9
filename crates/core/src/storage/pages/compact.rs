//! Compaction: folding per-record values, damaged, duplicated and small pages into full pages, one
//! batch at a time, each of which lands whole or not at all.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::{page_key, page_time, removed_at, PageMap, PageWriter, PAGE_RECORDS};
use crate::crdt::id::RecordId;
use crate::crdt::record::Record;
use crate::formats::wire::decode_record;
use crate::storage::{record_id_of_key, Op};

/// One batch of compaction: the records it packs, the per-record values it absorbs, and the pages it
/// retires, all of whose records this batch or an earlier one packed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Unit {
    ids: Vec<RecordId>,
    retire: Vec<String>,
    /// Removal markers to delete: their record is in no page left standing.
    markers: Vec<RecordId>,
}

/// The plan of a compaction, made from the start-up map and the per-record values read again just
/// before it starts. Each [`CompactionPlan::next_batch`] is one batch.
#[derive(Clone, Debug, Default)]
pub struct CompactionPlan {
    units: VecDeque<Unit>,
    /// The per-record values read just before, by record: key and text.
    singles: BTreeMap<RecordId, (String, String)>,
}

/// One batch of a compaction, to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compaction {
    /// The writes, whole or not at all.
    pub ops: Vec<Op>,
    /// How many records it packed.
    pub records: usize,
}

impl CompactionPlan {
    /// Plans a compaction. `singles` is every per-record value as stored now, and `pages_now` every
    /// page key stored now: a page written since start-up (by another tab) is left alone, and a page
    /// retired since is not rewritten.
    pub fn new(map: &PageMap, singles: Vec<(String, String)>, pages_now: &[String]) -> Self {
        let stored: BTreeSet<&str> = pages_now.iter().map(String::as_str).collect();
        let known: BTreeSet<&str> = map.pages.iter().map(|(k, _)| k.as_str()).collect();
        let singles: BTreeMap<RecordId, (String, String)> =
            singles.into_iter().filter_map(|(k, t)| record_id_of_key(&k).map(|id| (id, (k, t)))).collect();
        let mut rewrite: BTreeSet<u32> = map.dirty.clone();
        rewrite.extend(singles.keys().filter_map(|id| map.home.get(id)).copied());
        let small: Vec<u32> = (0..map.pages.len() as u32)
            .filter(|p| map.pages[*p as usize].1 < PAGE_RECORDS / 2 && !rewrite.contains(p))
            .collect();
        let loose = singles.keys().any(|id| !map.home.contains_key(id));
        if small.len() >= 2 || (!small.is_empty() && (loose || !rewrite.is_empty())) {
            rewrite.extend(small);
        }
        rewrite.retain(|p| stored.contains(map.pages[*p as usize].0.as_str()));
        let mut members: BTreeMap<u32, Vec<RecordId>> = rewrite.iter().map(|p| (*p, Vec::new())).collect();
        for (id, p) in &map.home {
            if let Some(m) = members.get_mut(p) {
                m.push(*id);
            }
        }
        let mut units = VecDeque::new();
        let mut unit = Unit::default();
        let mut packed: BTreeSet<RecordId> = BTreeSet::new();
        for (p, ids) in members {
            for id in ids {
                if packed.insert(id) {
                    unit.ids.push(id);
                }
                if unit.ids.len() >= PAGE_RECORDS {
                    units.push_back(std::mem::take(&mut unit));
                }
            }
            // Retired with the batch that packs its last record, or after it when that batch is closed.
            match units.back_mut().filter(|_| unit.ids.is_empty()) {
                Some(last) => last.retire.push(map.pages[p as usize].0.clone()),
                None => unit.retire.push(map.pages[p as usize].0.clone()),
            }
        }
        for (id, (_, text)) in &singles {
            match removed_at(text) {
                Some(removed) => {
                    // A page this tab has not read may hold the record still: keep the marker for it.
                    let unread_older = pages_now
                        .iter()
                        .any(|k| !known.contains(k.as_str()) && page_time(k).is_none_or(|w| w <= removed));
                    let home_stays = map
                        .home
                        .get(id)
                        .is_some_and(|p| !rewrite.contains(p) && stored.contains(map.pages[*p as usize].0.as_str()));
                    if !unread_older && !home_stays {
                        unit.markers.push(*id);
                    }
                }
                None if packed.insert(*id) => {
                    unit.ids.push(*id);
                    if unit.ids.len() >= PAGE_RECORDS {
                        units.push_back(std::mem::take(&mut unit));
                    }
                }
                None => {}
            }
        }
        if unit != Unit::default() {
            units.push_back(unit);
        }
        CompactionPlan { units, singles }
    }

    /// Whether nothing is left to do.
    pub fn is_done(&self) -> bool {
        self.units.is_empty()
    }

    /// How many records the batches left will pack.
    pub fn records_left(&self) -> usize {
        self.units.iter().map(|u| u.ids.len()).sum()
    }

    /// The next batch, packing each record as `lookup` has it (the notebook in memory, which holds
    /// everything start-up read), joined with its per-record value. A record `lookup` does not know was
    /// removed here and is left out; a per-record value that cannot be read is left where it is.
    pub fn next_batch<'a>(
        &mut self,
        lookup: impl Fn(RecordId) -> Option<&'a Record>,
        now_ms: u64,
        mut random: impl FnMut() -> u64,
    ) -> Option<Compaction> {
        let unit = self.units.pop_front()?;
        let mut ops = Vec::new();
        let mut absorbed = Vec::new();
        let mut writer = PageWriter::new();
        let mut records = 0;
        for id in &unit.ids {
            let single = self.singles.get(id);
            let from_single = single.and_then(|(_, t)| decode_record(t).ok()).filter(|r| r.id == *id);
            let record = match (lookup(*id), from_single) {
                (Some(r), None) => std::borrow::Cow::Borrowed(r),
                (Some(r), Some(s)) => {
                    let mut joined = r.clone();
                    if joined.merge_checked(&s).is_err() {
                        joined = s;
                    }
                    std::borrow::Cow::Owned(joined)
                }
                (None, Some(s)) if single.is_some_and(|(_, t)| removed_at(t).is_none()) => std::borrow::Cow::Owned(s),
                _ => continue,
            };
            if let Some((key, text)) = single {
                absorbed.push(Op::DeleteIf(key.clone(), text.clone()));
            }
            writer.push(&record);
            records += 1;
            if writer.is_full() {
                let (text, _) = std::mem::take(&mut writer).finish();
                ops.push(Op::Put(page_key(now_ms, random()), text));
            }
        }
        if !writer.is_empty() {
            ops.push(Op::Put(page_key(now_ms, random()), writer.finish().0));
        }
        for id in &unit.markers {
            if let Some((key, text)) = self.singles.get(id) {
                absorbed.push(Op::DeleteIf(key.clone(), text.clone()));
            }
        }
        ops.extend(absorbed);
        ops.extend(unit.retire.into_iter().map(Op::Delete));
        Some(Compaction { ops, records })
    }
}
