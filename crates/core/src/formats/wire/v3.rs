//! Record format v3: v2's content with devices named by their index in the bundle's device table and
//! wall times after a per-record base, so that a realistic contact takes under 700 bytes.

use super::*;
use crate::crdt::id::{DeviceId, RecordId};
use crate::schema::Kind;
use serde::de::Visitor;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// One device's position in a v3 version vector: `[device index, wall ms after the record's base, counter]`,
/// the index into the bundle's device table.
pub type TickV3 = (u32, u64, u32);

/// One register entry, format v3: `[value, wall ms after the record's base, counter, device index]`, and
/// for a deletion a fifth element, what it had seen. An array because a contact holds a dozen entries and
/// key names would be a third of its bytes; the wall time is relative to the record's base because one
/// record's edits are mostly made within minutes of each other.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryV3 {
    /// The value.
    pub v: ValueV1,
    /// Wall ms after the record's base.
    pub w: u64,
    /// The stamp's counter.
    pub c: u32,
    /// The stamp's device, as its index in the device table.
    pub d: u32,
    /// For deletions: what the deletion had seen.
    pub s: Option<Vec<TickV3>>,
}

impl Serialize for EntryV3 {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = ser.serialize_seq(Some(4 + usize::from(self.s.is_some())))?;
        seq.serialize_element(&self.v)?;
        seq.serialize_element(&self.w)?;
        seq.serialize_element(&self.c)?;
        seq.serialize_element(&self.d)?;
        if let Some(s) = &self.s {
            seq.serialize_element(s)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for EntryV3 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = EntryV3;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an entry [value, wall ms, counter, device index] or, for a deletion, [..., seen]")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<EntryV3, A::Error> {
                use serde::de::Error;
                let v = seq.next_element()?.ok_or_else(|| A::Error::invalid_length(0, &self))?;
                let w = seq.next_element()?.ok_or_else(|| A::Error::invalid_length(1, &self))?;
                let c = seq.next_element()?.ok_or_else(|| A::Error::invalid_length(2, &self))?;
                let d = seq.next_element()?.ok_or_else(|| A::Error::invalid_length(3, &self))?;
                let s = seq.next_element()?;
                if seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    return Err(A::Error::invalid_length(6, &self));
                }
                Ok(EntryV3 { v, w, c, d, s })
            }
        }
        d.deserialize_seq(V)
    }
}

/// A record as carried in bundles, format v3: [`RecordV2`] with short keys, device indices, wall times
/// after a base, and registers as bare lists of entries, their contexts beside them only when they say
/// more than the entries. It has no meaning outside its bundle, whose device table the indices name, so
/// it is never stored on its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordV3 {
    /// The record's id.
    pub id: RecordId,
    /// `contact`, `meeting` or `action`.
    pub k: Kind,
    /// The base every wall time in the record counts from: the earliest of them.
    pub w: u64,
    /// The life register's entries (`false` alive, `true` deleted).
    pub l: Vec<EntryV3>,
    /// The life register's context, when it has seen more than its entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ls: Option<Vec<TickV3>>,
    /// Field name to its entries; left out when the record has no field.
    #[serde(default, skip_serializing_if = "unique_map_is_empty")]
    pub f: UniqueMap<String, Vec<EntryV3>>,
    /// Field name to its register's context, for the registers that have seen more than their entries.
    #[serde(default, skip_serializing_if = "unique_map_is_empty")]
    pub s: UniqueMap<String, Vec<TickV3>>,
}

fn unique_map_is_empty<K: Ord, V>(m: &UniqueMap<K, V>) -> bool {
    m.0.is_empty()
}

/// Why a v3 record could not be read back as the record it stands for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecordV3Error {
    /// An index past the end of the device table.
    #[error("device index {index} is not in the device table, which has {len} devices")]
    Missing {
        /// The index the record named.
        index: u32,
        /// How many devices the table holds.
        len: usize,
    },
    /// One version vector naming a device twice: which of the two positions would count is unclear.
    #[error("a history (“s”) names device {0} twice")]
    Repeated(u32),
    /// A wall time past the year 9999 once the base is added.
    #[error("a stamp lies beyond the year 9999")]
    StampRange,
    /// A context for a field the record does not hold: it would claim history with no value.
    #[error("field “{0}” has a history but no entries")]
    ContextWithoutField(String),
}

/// Turns a v3 record back into the v2 record it stands for, with every device index looked up in
/// `table`. Moves the values rather than copying them, and leaves every other check to
/// [`RecordV2::into_record`], so that v2 and v3 records are held to exactly the same rules.
pub fn record_v3_to_v2(r: RecordV3, table: &[DeviceId]) -> Result<RecordV2, RecordV3Error> {
    let base = r.w;
    let device = |i: u32| table.get(i as usize).copied().ok_or(RecordV3Error::Missing { index: i, len: table.len() });
    let wall = |w: u64| base.checked_add(w).filter(|w| *w <= MAX_WALL_MS).ok_or(RecordV3Error::StampRange);
    let vv = |ticks: Vec<TickV3>| -> Result<UniqueMap<DeviceId, (u64, u32)>, RecordV3Error> {
        let mut out = BTreeMap::new();
        for (i, w, c) in ticks {
            if out.insert(device(i)?, (wall(w)?, c)).is_some() {
                return Err(RecordV3Error::Repeated(i));
            }
        }
        Ok(UniqueMap(out))
    };
    let entries = |es: Vec<EntryV3>| -> Result<Vec<EntryV1>, RecordV3Error> {
        es.into_iter()
            .map(|e| Ok(EntryV1 { v: e.v, t: (wall(e.w)?, e.c, device(e.d)?), seen: e.s.map(vv).transpose()? }))
            .collect()
    };
    let mut contexts = r.s.0;
    let mut fields = BTreeMap::new();
    for (k, es) in r.f.0 {
        let seen = contexts.remove(&k).map(vv).transpose()?;
        fields.insert(k, RegisterV2 { e: entries(es)?, seen });
    }
    if let Some(k) = contexts.into_keys().next() {
        return Err(RecordV3Error::ContextWithoutField(k));
    }
    let life = RegisterV2 { e: entries(r.l)?, seen: r.ls.map(vv).transpose()? };
    Ok(RecordV2 { v: 2, id: r.id, kind: r.k, life, fields: UniqueMap(fields) })
}

/// The v3 form of a v2 record, with every device written as its index in `index`. A device missing from
/// `index` is a bug in the writer, which builds the table from the same records; it is written as
/// `u32::MAX`, which the reader refuses, rather than as another device.
pub fn record_v2_to_v3(r: RecordV2, index: &BTreeMap<DeviceId, u32>) -> RecordV3 {
    let mut base = u64::MAX;
    {
        let mut see = |m: &Option<UniqueMap<DeviceId, (u64, u32)>>| {
            for (w, _) in m.iter().flat_map(|m| m.0.values()) {
                base = base.min(*w);
            }
        };
        for reg in std::iter::once(&r.life).chain(r.fields.0.values()) {
            see(&reg.seen);
            for e in &reg.e {
                see(&e.seen);
            }
        }
    }
    for e in std::iter::once(&r.life).chain(r.fields.0.values()).flat_map(|reg| &reg.e) {
        base = base.min(e.t.0);
    }
    if base == u64::MAX {
        base = 0;
    }
    let at = |d: &DeviceId| index.get(d).copied().unwrap_or(u32::MAX);
    let vv = |m: UniqueMap<DeviceId, (u64, u32)>| -> Vec<TickV3> {
        let mut out: Vec<TickV3> = m.0.iter().map(|(d, (w, c))| (at(d), w - base, *c)).collect();
        out.sort_unstable();
        out
    };
    let entries = |es: Vec<EntryV1>| -> Vec<EntryV3> {
        es.into_iter()
            .map(|e| EntryV3 { v: e.v, w: e.t.0 - base, c: e.t.1, d: at(&e.t.2), s: e.seen.map(vv) })
            .collect()
    };
    let mut f = BTreeMap::new();
    let mut s = BTreeMap::new();
    for (k, reg) in r.fields.0 {
        if let Some(seen) = reg.seen {
            s.insert(k.clone(), vv(seen));
        }
        f.insert(k, entries(reg.e));
    }
    RecordV3 {
        id: r.id,
        k: r.kind,
        w: base,
        l: entries(r.life.e),
        ls: r.life.seen.map(vv),
        f: UniqueMap(f),
        s: UniqueMap(s),
    }
}

/// Every device a v2 record names: in its stamps and in its contexts.
pub fn devices_of(r: &RecordV2) -> impl Iterator<Item = DeviceId> + '_ {
    let vv =
        |m: &Option<UniqueMap<DeviceId, (u64, u32)>>| m.iter().flat_map(|m| m.0.keys().copied()).collect::<Vec<_>>();
    std::iter::once(&r.life).chain(r.fields.0.values()).flat_map(move |reg| {
        let mut out = vv(&reg.seen);
        for e in &reg.e {
            out.push(e.t.2);
            out.extend(vv(&e.seen));
        }
        out
    })
}
