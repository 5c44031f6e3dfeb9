//! A page's text: the records of bundle v3's compact form under one device table, so that a page of a
//! thousand records names each device once instead of in every stamp.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{PAGE_BYTES, PAGE_RECORDS};
use crate::crdt::id::{DeviceId, RecordId};
use crate::crdt::record::Record;
use crate::formats::wire::{devices_of, record_v2_to_v3, record_v3_to_v2, DecodeError, RecordV2, RecordV3};

/// The page format this build writes; a page of another format is set aside, not guessed at.
const PAGE_FORMAT: u32 = 1;

/// Builds one page a record at a time. The device table only grows, so a record's indices stay right
/// as later records add devices.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageWriter {
    index: BTreeMap<DeviceId, u32>,
    table: Vec<DeviceId>,
    body: String,
    ids: Vec<RecordId>,
}

impl PageWriter {
    /// An empty page.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a record.
    pub fn push(&mut self, r: &Record) {
        let v2 = RecordV2::from_record(r);
        for d in devices_of(&v2) {
            if !self.index.contains_key(&d) {
                self.index.insert(d, self.table.len() as u32);
                self.table.push(d);
            }
        }
        if !self.body.is_empty() {
            self.body.push(',');
        }
        // Plain strings, numbers and arrays always serialise.
        self.body.push_str(&serde_json::to_string(&record_v2_to_v3(v2, &self.index)).unwrap_or_default());
        self.ids.push(r.id);
    }

    /// Whether the page holds as much as a page should.
    pub fn is_full(&self) -> bool {
        self.ids.len() >= PAGE_RECORDS || self.body.len() >= PAGE_BYTES
    }

    /// How many records the page holds.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the page holds no record.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The page's text and the ids it holds, in the order pushed.
    pub fn finish(self) -> (String, Vec<RecordId>) {
        let table = serde_json::to_string(&self.table).unwrap_or_default();
        (format!(r#"{{"page":{PAGE_FORMAT},"d":{table},"r":[{}]}}"#, self.body), self.ids)
    }
}

/// One page's text holding `records`.
pub fn encode_page<'a>(records: impl IntoIterator<Item = &'a Record>) -> String {
    let mut w = PageWriter::new();
    for r in records {
        w.push(r);
    }
    w.finish().0
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageIn<R> {
    page: u32,
    d: Vec<DeviceId>,
    r: Vec<R>,
}

fn record_of(r: RecordV3, table: &[DeviceId]) -> Result<Record, DecodeError> {
    record_v3_to_v2(r, table).map_err(|e| DecodeError::Json(e.to_string()))?.into_record()
}

/// The records of a page, and for each record that cannot be read its id (when it has one) and why.
/// A text that is not a page at all is an error: the caller sets it aside whole.
#[allow(clippy::type_complexity)]
pub fn decode_page(text: &str) -> Result<(Vec<Record>, Vec<(Option<RecordId>, String)>), DecodeError> {
    let json = |e: serde_json::Error| DecodeError::Json(e.to_string());
    let mut records = Vec::new();
    let mut bad = Vec::new();
    // The fast path reads the page in one pass; a page with one damaged record is read again record by
    // record, so that the damage costs that record only.
    match serde_json::from_str::<PageIn<RecordV3>>(text) {
        Ok(page) if page.page == PAGE_FORMAT => {
            records.reserve(page.r.len());
            for r in page.r {
                let id = r.id;
                match record_of(r, &page.d) {
                    Ok(rec) => records.push(rec),
                    Err(e) => bad.push((Some(id), e.to_string())),
                }
            }
        }
        Ok(page) => return Err(DecodeError::Version(page.page)),
        Err(_) => {
            let page: PageIn<serde_json::Value> = serde_json::from_str(text).map_err(json)?;
            if page.page != PAGE_FORMAT {
                return Err(DecodeError::Version(page.page));
            }
            for value in page.r {
                let id = value.get("id").and_then(|v| v.as_str()).and_then(|s| s.parse().ok());
                match serde_json::from_value::<RecordV3>(value).map_err(json).and_then(|r| record_of(r, &page.d)) {
                    Ok(rec) => records.push(rec),
                    Err(e) => bad.push((id, e.to_string())),
                }
            }
        }
    }
    Ok((records, bad))
}
