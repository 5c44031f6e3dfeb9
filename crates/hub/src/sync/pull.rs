//! Pull: the records changed after a cursor, within the device's ceiling, as pages that core writes.

use std::collections::BTreeMap;

use liaison_core::crdt::id::hashed_uuid;
use liaison_core::crdt::record::Record;
use liaison_core::formats::bundle::{self, ExportInput, Scope};
use liaison_core::formats::wire::{decode_record, DeviceV1};
use liaison_core::marking::Ceiling;
use liaison_core::{DeviceId, RecordId};

use super::{forbidden, Refusal, PAGE_BYTES, PAGE_RECORDS};
use crate::store::{Cursor, DeviceRow, Store, StoreError};

impl Cursor {
    /// The start: everything.
    pub fn start() -> Cursor {
        Cursor { pos: 0, id: String::new() }
    }

    /// After every record up to and including position `pos`.
    pub fn through(pos: i64) -> Cursor {
        Cursor { pos: pos + 1, id: String::new() }
    }

    /// The cursor as a client sends it back: `POS` or `POS.ID`.
    pub fn encode(&self) -> String {
        if self.id.is_empty() {
            self.pos.to_string()
        } else {
            format!("{}.{}", self.pos, self.id)
        }
    }

    /// Reads what [`Cursor::encode`] wrote; `None` for anything else.
    pub fn decode(text: &str) -> Option<Cursor> {
        let (pos, id) = match text.split_once('.') {
            Some((p, id)) => (p, id.parse::<RecordId>().ok()?.to_string()),
            None => (text, String::new()),
        };
        let pos: i64 = pos.parse().ok().filter(|p| *p >= 0)?;
        Some(Cursor { pos, id })
    }
}

/// One page of a pull.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// A bundle (v3, changes) of the page's records, exported by the hub; `None` when there are none.
    pub bundle: Option<String>,
    /// Records in it.
    pub records: usize,
    /// Where the next pull goes on from.
    pub cursor: Cursor,
    /// Whether more records wait after this page.
    pub more: bool,
}

/// How big pages may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageLimits {
    /// The most bytes of bundle (one larger record still goes alone).
    pub bytes: usize,
    /// The most records.
    pub records: usize,
}

impl Default for PageLimits {
    fn default() -> Self {
        PageLimits { bytes: PAGE_BYTES, records: PAGE_RECORDS }
    }
}

/// The device that exports a team's pages.
pub fn hub_device(team: &str) -> DeviceV1 {
    DeviceV1 {
        id: DeviceId::from_hash(format!("liaison hub\n{team}").as_bytes()),
        label: "Liaison hub".into(),
        officer: team.to_string(),
    }
}

/// `GET /v1/teams/TEAM/pull?cursor=C`: the records changed after `after` that this device did not push
/// itself in that state and that its marking ceiling lets through, as one page.
pub fn pull<S: Store>(
    store: &S,
    who: &DeviceRow,
    team: &str,
    after: &Cursor,
    limits: PageLimits,
) -> Result<Page, Refusal> {
    if who.team != team {
        return Err(forbidden("this device belongs to another team; it may pull only its own"));
    }
    let ceiling = Ceiling::EVERY
        .iter()
        .position(|c| c.name() == who.ceiling)
        .ok_or_else(|| StoreError(format!("device {} has an unknown ceiling", who.device)))? as i64;
    let want = limits.records.max(1);
    let (head, rows, profiles) = store.read(|tx| {
        let head = tx.head(team)?.unwrap_or(0);
        // A cursor from beyond the head (a hub restored from a backup) starts over rather than miss what
        // is written at the positions it claims to have seen.
        let from = if after.pos > head + 1 { Cursor::start() } else { after.clone() };
        let rows = tx.feed(team, &from, &who.device, ceiling, want as i64 + 1)?;
        Ok::<_, Refusal>((head, rows, tx.profiles(team)?))
    })?;
    let mut records = Vec::with_capacity(rows.len().min(want));
    let mut bytes = 0usize;
    for row in rows.iter().take(want) {
        if !records.is_empty() && bytes + row.body.len() > limits.bytes {
            break;
        }
        bytes += row.body.len();
        let rec = decode_record(&row.body)
            .map_err(|e| StoreError(format!("record {} in the database cannot be read: {e}", row.id)))?;
        records.push(rec);
    }
    let profiles: BTreeMap<String, DeviceV1> = profiles
        .into_iter()
        .filter_map(|(d, label, officer)| Some((d.clone(), DeviceV1 { id: d.parse().ok()?, label, officer })))
        .collect();
    loop {
        let n = records.len();
        let (cursor, more) = if n < rows.len() {
            let last = &rows[n - 1];
            (Cursor { pos: last.pos, id: last.id.clone() }, true)
        } else {
            (Cursor::through(head), false)
        };
        if n == 0 {
            return Ok(Page { bundle: None, records: 0, cursor, more });
        }
        let text = page_bundle(team, who, after, &cursor, &records, &profiles)?;
        if text.len() <= limits.bytes || n == 1 {
            return Ok(Page { bundle: Some(text), records: n, cursor, more });
        }
        records.truncate(n / 2);
    }
}

fn page_bundle(
    team: &str,
    who: &DeviceRow,
    from: &Cursor,
    to: &Cursor,
    records: &[Record],
    profiles: &BTreeMap<String, DeviceV1>,
) -> Result<String, Refusal> {
    let device = hub_device(team);
    let mut named: Vec<DeviceV1> = Vec::new();
    for r in records {
        for s in r.stamps() {
            if let Some(p) = profiles.get(&s.device.to_string()) {
                if !named.iter().any(|n| n.id == p.id) {
                    named.push(p.clone());
                }
            }
        }
    }
    let id = hashed_uuid(
        format!("liaison hub page\n{team}\n{}\n{}\n{}\n{}", who.device, who.ceiling, from.encode(), to.encode())
            .as_bytes(),
    );
    let created_ms = records.iter().flat_map(|r| r.stamps().map(|s| s.wall_ms)).max().unwrap_or(0);
    bundle::write_bundle(ExportInput {
        bundle_id: id,
        created_ms,
        device: &device,
        sequence: (to.pos.max(1)) as u64,
        scope: Scope::Changes,
        devices: named,
        records: records.iter().collect(),
    })
    .map_err(|problems| {
        let text: Vec<String> = problems.into_iter().map(|p| p.message).collect();
        StoreError(format!("a page could not be written: {}", text.join("; "))).into()
    })
}
