//! Proptest strategies for arbitrary records, reachable by any history or not: equal stamps with
//! different values, contexts ahead of their entries, and deletions with and without a context all come
//! out of them. The merge-law tests and the bundle-version tests draw from the same shapes, each with
//! its own devices and clock.

use std::collections::BTreeMap;

use liaison_core::crdt::clock::Stamp;
use liaison_core::crdt::record::{Entry, Record, Register};
use liaison_core::crdt::vv::VersionVector;
use liaison_core::schema::Value;
use liaison_core::{DeviceId, Kind, RecordId};
use proptest::prelude::*;

/// Where the arbitrary records' stamps come from.
#[derive(Clone, Copy)]
pub struct Arb {
    /// The device of stamp `n`, for `n` in 0..3.
    pub device: fn(u8) -> DeviceId,
    /// The wall time of step `w`, for `w` in 0..4.
    pub wall: fn(u64) -> u64,
    /// The fewest entries in a field's register (0 allows empty registers under a context).
    pub min_entries: usize,
}

impl Arb {
    /// A stamp from few devices, walls and counters, so that equal stamps come up often.
    pub fn stamp(self) -> impl Strategy<Value = Stamp> {
        (0u8..3, 0u64..4, 0u32..2).prop_map(move |(d, w, c)| Stamp {
            wall_ms: (self.wall)(w),
            counter: c,
            device: (self.device)(d),
        })
    }

    /// A version vector of up to two stamps.
    pub fn vv(self) -> impl Strategy<Value = VersionVector> {
        proptest::collection::vec(self.stamp(), 0..3).prop_map(|ss| {
            let mut v = VersionVector::new();
            for s in &ss {
                v.add(s);
            }
            v
        })
    }

    /// A text register holding some of `values`, under an arbitrary context.
    pub fn register(self, values: &'static [&'static str]) -> impl Strategy<Value = Register> {
        (proptest::collection::vec((self.stamp(), 0..values.len()), self.min_entries..3), self.vv()).prop_map(
            move |(es, seen)| {
                let entries = es
                    .into_iter()
                    .map(|(stamp, v)| Entry { value: Value::Text(values[v].into()), stamp, seen: None })
                    .collect();
                Register::with_context(entries, seen)
            },
        )
    }

    /// A life register: created, deleted (with or without what the deletion saw) or both at once.
    pub fn life(self) -> impl Strategy<Value = Register> {
        (proptest::collection::vec((self.stamp(), any::<bool>(), proptest::option::of(self.vv())), 1..3), self.vv())
            .prop_map(|(es, seen)| {
                let entries = es
                    .into_iter()
                    .map(|(stamp, deleted, ctx)| Entry {
                        value: Value::Bool(deleted),
                        stamp,
                        seen: ctx.filter(|_| deleted),
                    })
                    .collect();
                Register::with_context(entries, seen)
            })
    }

    /// A contact `id` with an optional name (one of `names`), optional notes and a life register.
    pub fn contact(self, id: RecordId, names: &'static [&'static str]) -> impl Strategy<Value = Record> {
        (proptest::option::of(self.register(names)), proptest::option::of(self.register(&["x", "y"])), self.life())
            .prop_map(move |(name, notes, life)| {
                let mut fields = BTreeMap::new();
                if let Some(r) = name {
                    fields.insert("name".to_string(), r);
                }
                if let Some(r) = notes {
                    fields.insert("notes".to_string(), r);
                }
                Record { id, kind: Kind::Contact, fields, life }
            })
    }
}
