//! A small world of simulated devices, shared by the merge-law and convergence tests, and [`rewrite`],
//! shared by the tests that check bundles come out again byte for byte.
//!
//! Each device is a `Notebook` with its own (possibly wrong) clock offset, which only `Op::SetClock`
//! changes. Time and random bytes come from the caller, so a history is fully determined by its list of
//! [`Op`]s. Every write any device makes is logged together with the stamps it replaced, which is what the
//! "no edit is lost" check needs to build the supersession relation.

#![allow(dead_code)]

pub mod arb;

use std::collections::BTreeMap;

use liaison_core::formats::bundle::{write_bundle_v1, Bundle, ExportInput};
use liaison_core::formats::wire::encode_record;
use liaison_core::{DeviceId, Field, Kind, Notebook, Record, RecordId, Stamp, Value};

/// The pseudo-field name under which writes of the life register (create, delete, restore) are logged.
pub const LIFE: &str = "(life)";

/// The true time at which every history starts.
pub const EPOCH: u64 = 1_700_000_000_000;

/// A day, for a device whose date is wrong.
pub const DAY_MS: i64 = 86_400_000;

/// Whether histories that check "no edit is lost" may restart a device in a world where some clock is more
/// than the allowed skew off. This once lost edits (see the restart tests in merge_laws.rs); it stays a
/// switch so that the restriction can be put back to tell that bug from another.
pub const RESTARTS_WITH_WRONG_CLOCKS: bool = true;

/// Clock offsets within this distance of true time can never be refused as far-future by another device.
pub const TAME_OFFSET_MS: i64 = 5 * 60_000;

/// Only the first few fields of each kind are edited, so that edits collide often.
pub const FIELDS_USED: usize = 3;

/// Records of one replica, by id.
pub type State = BTreeMap<RecordId, Record>;

const TEXTS: [&str; 6] = ["", "Anna Berg", "Bo", "Ἀθηνᾶ <b>", "x", "Liaison \"HQ\"\n"];

/// The device id of simulated device `n`.
pub fn device_id(n: usize) -> DeviceId {
    DeviceId::new_v7(EPOCH - 10_000_000 + (n as u64 * 7919) % 1000, [n as u8 + 1; 10])
}

/// The kind numbered `k` (mod 3).
pub fn kind(k: usize) -> Kind {
    [Kind::Contact, Kind::Meeting, Kind::Action][k % 3]
}

/// The field numbered `pick` among the first [`FIELDS_USED`] fields of `kind`, always including a list
/// field or a flag where the kind has one nearby, so every value shape is exercised.
pub fn field(kind: Kind, pick: usize) -> Field {
    let all = Field::of(kind);
    // Contacts: name, title, emails. Meetings: title, date, participants. Actions: text, due, done.
    let chosen: [Field; FIELDS_USED] = match kind {
        Kind::Contact => [all[0], all[1], Field::Emails],
        Kind::Meeting => [all[0], all[1], Field::Participants],
        Kind::Action => [all[0], Field::Due, Field::Done],
    };
    chosen[pick % FIELDS_USED]
}

/// A value of the right shape for `field`, numbered `pick` in a small pool (so equal values recur).
pub fn value(field: Field, pick: usize) -> Value {
    match field.shape() {
        liaison_core::schema::Shape::Text => Value::Text(TEXTS[pick % TEXTS.len()].to_string()),
        liaison_core::schema::Shape::List => {
            let lists: [&[&str]; 4] = [&[], &["a@b.org"], &["a@b.org", "c@d.org"], &["c@d.org"]];
            Value::List(lists[pick % lists.len()].iter().map(|s| s.to_string()).collect())
        }
        liaison_core::schema::Shape::Flag => Value::Bool(pick % 2 == 1),
    }
}

/// One write some device made: the value, its stamp, and the stamps of the register it replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Write {
    /// The record written.
    pub id: RecordId,
    /// The field's key, or [`LIFE`].
    pub field: String,
    /// The value written.
    pub value: Value,
    /// The stamp of the write.
    pub stamp: Stamp,
    /// Every stamp the writing replica held in that register just before: what this write supersedes.
    pub replaced: Vec<Stamp>,
    /// The simulated device that wrote it.
    pub device: usize,
}

/// One step of a history. Indices are taken modulo what exists, so any list of ops is valid.
#[derive(Clone, Debug)]
pub enum Op {
    /// True time moves on.
    Wait(u32),
    /// A device creates a record.
    Create { dev: usize, kind: usize, random: [u8; 10] },
    /// A device writes one field of one of its records.
    Set { dev: usize, rec: usize, field: usize, value: usize },
    /// A device deletes one of its records.
    Delete { dev: usize, rec: usize },
    /// A device restores one of its records.
    Restore { dev: usize, rec: usize },
    /// One record (`Some`) or every record (`None`) travels from one device to another.
    Send { from: usize, to: usize, rec: Option<usize> },
    /// A device exports a snapshot of all its records.
    Export { dev: usize },
    /// A device restarts: its notebook is rebuilt from its records, as after loading from storage.
    Restart { dev: usize },
    /// A device's wall clock is set to a new offset from true time (someone fixes a wrong date).
    SetClock { dev: usize, offset_ms: i64 },
}

/// One simulated device.
#[derive(Clone, Debug)]
pub struct Replica {
    /// Its state.
    pub nb: Notebook,
    /// How far its wall clock is off true time.
    pub offset_ms: i64,
    /// Whether it exchanges records at the moment.
    pub online: bool,
}

/// Several devices, true time, and the log of everything they did.
#[derive(Clone, Debug)]
pub struct World {
    /// The devices.
    pub replicas: Vec<Replica>,
    /// True time.
    pub now: u64,
    /// Every write ever made, in order.
    pub writes: Vec<Write>,
    /// Every export: (device, all its records at that moment).
    pub exports: Vec<(usize, Vec<Record>)>,
    /// Every record id ever created, in creation order.
    pub ids: Vec<RecordId>,
}

impl World {
    /// Devices with these clock offsets, all empty.
    pub fn new(offsets: &[i64]) -> Self {
        let replicas = offsets
            .iter()
            .enumerate()
            .map(|(n, &offset_ms)| Replica { nb: Notebook::new(device_id(n)), offset_ms, online: true })
            .collect();
        World { replicas, now: EPOCH, writes: Vec::new(), exports: Vec::new(), ids: Vec::new() }
    }

    /// Runs a whole history.
    pub fn run(offsets: &[i64], ops: &[Op]) -> Self {
        let mut w = World::new(offsets);
        for op in ops {
            w.apply(op);
        }
        w
    }

    /// The number of devices.
    pub fn len(&self) -> usize {
        self.replicas.len()
    }

    /// What device `d`'s wall clock says.
    pub fn device_now(&self, d: usize) -> u64 {
        self.now.saturating_add_signed(self.replicas[d].offset_ms)
    }

    /// True time moves on.
    pub fn wait(&mut self, ms: u64) {
        self.now += ms;
    }

    /// The ids device `d` holds, in id order.
    pub fn held(&self, d: usize) -> Vec<RecordId> {
        self.replicas[d].nb.records().map(|r| r.id).collect()
    }

    /// The `pick`-th record device `d` holds (mod how many it holds).
    pub fn pick_held(&self, d: usize, pick: usize) -> Option<RecordId> {
        let held = self.held(d);
        (!held.is_empty()).then(|| held[pick % held.len()])
    }

    /// Device `d`'s records.
    pub fn state(&self, d: usize) -> State {
        self.replicas[d].nb.records().map(|r| (r.id, r.clone())).collect()
    }

    fn life_stamps(&self, d: usize, id: RecordId) -> Vec<Stamp> {
        self.replicas[d].nb.record(id).map(|r| r.life.entries().iter().map(|e| e.stamp).collect()).unwrap_or_default()
    }

    fn log_life(&mut self, d: usize, id: RecordId, replaced: Vec<Stamp>) {
        let e = self.replicas[d].nb.record(id).and_then(|r| r.life.winner()).cloned().expect("a life entry");
        assert!(!replaced.contains(&e.stamp), "a life change always makes a new stamp");
        self.writes.push(Write { id, field: LIFE.into(), value: e.value, stamp: e.stamp, replaced, device: d });
    }

    /// Device `d` creates a record. The id is unique across the world whatever `random` holds.
    pub fn create(&mut self, d: usize, kind: Kind, mut random: [u8; 10]) -> RecordId {
        let n = self.ids.len() as u16;
        random[7] = (n >> 8) as u8;
        random[8] = n as u8;
        random[9] = d as u8;
        let now = self.device_now(d);
        let id = self.replicas[d].nb.create(kind, now, random);
        assert!(!self.ids.contains(&id), "record ids are unique");
        self.ids.push(id);
        self.log_life(d, id, Vec::new());
        id
    }

    /// Device `d` writes `value` into `field` of record `id`, logging the write if one was made.
    pub fn set(&mut self, d: usize, id: RecordId, field: Field, value: Value) {
        let now = self.device_now(d);
        let key = field.key();
        let nb = &mut self.replicas[d].nb;
        let before: Vec<Stamp> = nb
            .record(id)
            .and_then(|r| r.fields.get(key))
            .map(|r| r.entries().iter().map(|e| e.stamp).collect())
            .unwrap_or_default();
        nb.set(id, field, value.clone(), now).expect("a valid edit");
        let after = nb.record(id).and_then(|r| r.fields.get(key)).and_then(|r| r.winner()).cloned();
        if let Some(e) = after {
            if !before.contains(&e.stamp) {
                assert_eq!(e.value, value, "a write shows the value written");
                let w = Write { id, field: key.into(), value, stamp: e.stamp, replaced: before, device: d };
                self.writes.push(w);
            }
        }
    }

    /// Device `d` writes field number `field` of record `id` with pool value number `value`.
    pub fn set_pick(&mut self, d: usize, id: RecordId, field: usize, value: usize) {
        let kind = self.replicas[d].nb.record(id).expect("held").kind;
        let f = self::field(kind, field);
        self.set(d, id, f, self::value(f, value));
    }

    /// Device `d` deletes record `id`.
    pub fn delete(&mut self, d: usize, id: RecordId) {
        let before = self.life_stamps(d, id);
        let now = self.device_now(d);
        self.replicas[d].nb.delete(id, now).expect("held");
        self.log_life(d, id, before);
    }

    /// Device `d` restores record `id`.
    pub fn restore(&mut self, d: usize, id: RecordId) {
        let before = self.life_stamps(d, id);
        let now = self.device_now(d);
        self.replicas[d].nb.restore(id, now).expect("held");
        self.log_life(d, id, before);
    }

    /// Record `id` (or every record) travels from `from` to `to`.
    pub fn send(&mut self, from: usize, to: usize, id: Option<RecordId>) {
        if from == to {
            return;
        }
        let records: Vec<Record> = match id {
            Some(id) => self.replicas[from].nb.record(id).cloned().into_iter().collect(),
            None => self.replicas[from].nb.records().cloned().collect(),
        };
        let now = self.device_now(to);
        for r in &records {
            self.replicas[to].nb.merge_record(r, now).expect("records of one world merge");
        }
    }

    /// Device `d` exports a snapshot of every record it holds.
    pub fn export(&mut self, d: usize) {
        let records = self.replicas[d].nb.records().cloned().collect();
        self.exports.push((d, records));
    }

    /// Device `d` restarts, reloading its notebook from its records.
    pub fn restart(&mut self, d: usize) {
        let now = self.device_now(d);
        let records: Vec<Record> = self.replicas[d].nb.records().cloned().collect();
        self.replicas[d].nb = Notebook::from_records(device_id(d), records, now);
    }

    /// Applies one op; ops that name nothing that exists do nothing.
    pub fn apply(&mut self, op: &Op) {
        let n = self.len();
        match *op {
            Op::Wait(ms) => self.wait(u64::from(ms)),
            Op::Create { dev, kind, random } => {
                self.create(dev % n, self::kind(kind), random);
            }
            Op::Set { dev, rec, field, value } => {
                if let Some(id) = self.pick_held(dev % n, rec) {
                    self.set_pick(dev % n, id, field, value);
                }
            }
            Op::Delete { dev, rec } => {
                if let Some(id) = self.pick_held(dev % n, rec) {
                    self.delete(dev % n, id);
                }
            }
            Op::Restore { dev, rec } => {
                if let Some(id) = self.pick_held(dev % n, rec) {
                    self.restore(dev % n, id);
                }
            }
            Op::Send { from, to, rec } => {
                let id = match rec {
                    Some(pick) => match self.pick_held(from % n, pick) {
                        Some(id) => Some(id),
                        None => return,
                    },
                    None => None,
                };
                self.send(from % n, to % n, id);
            }
            Op::Export { dev } => self.export(dev % n),
            Op::Restart { dev } => self.restart(dev % n),
            Op::SetClock { dev, offset_ms } => self.replicas[dev % n].offset_ms = offset_ms,
        }
    }
}

/// A state from a list of records.
pub fn state_of(records: &[Record]) -> State {
    records.iter().map(|r| (r.id, r.clone())).collect()
}

/// Joins `b` into `a`, record by record.
pub fn join_into(a: &mut State, b: &State) {
    for (id, r) in b {
        match a.get_mut(id) {
            Some(mine) => mine.merge(r).expect("records of one world merge"),
            None => {
                a.insert(*id, r.clone());
            }
        }
    }
}

/// The join of two states.
pub fn joined(a: &State, b: &State) -> State {
    let mut out = a.clone();
    join_into(&mut out, b);
    out
}

/// Every record's wire form, in id order, one per line: a byte-exact picture of a state.
pub fn encode_all(s: &State) -> String {
    s.values().map(encode_record).collect::<Vec<_>>().join("\n")
}

/// Whether any record of the state has an open conflict of the given sort.
pub fn has_conflict(s: &State, edited_after_delete: bool) -> bool {
    s.values()
        .flat_map(|r| r.conflicts())
        .any(|c| matches!(c, liaison_core::crdt::record::Conflict::EditedAfterDelete { .. }) == edited_after_delete)
}

/// Checks `state` against the log of writes, exactly.
///
/// A write is *known* to the state when the record's causal context covers its stamp. A known write `w` is
/// *superseded* when some known write of the same field replaced it (had it in its register when it was
/// made). The registers of the state must hold exactly the known writes that are not superseded: nothing
/// known is lost, nothing superseded lingers, nothing appears that nobody wrote. Returns every violation
/// found, as text.
pub fn check_against_log(state: &State, writes: &[Write]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut by_id: BTreeMap<RecordId, Vec<&Write>> = BTreeMap::new();
    for w in writes {
        by_id.entry(w.id).or_default().push(w);
    }
    for (id, rec) in state {
        let Some(log) = by_id.get(id) else {
            problems.push(format!("record {id} was never created"));
            continue;
        };
        let known: Vec<&&Write> = log.iter().filter(|w| rec.seen().covers(&w.stamp)).collect();
        let superseded = |w: &Write| known.iter().any(|k| k.field == w.field && k.replaced.contains(&w.stamp));
        // Every register of the record, life included, as (field, [(stamp, value)]).
        let mut present: BTreeMap<&str, Vec<(Stamp, Value)>> = BTreeMap::new();
        present.insert(LIFE, rec.life.entries().iter().map(|e| (e.stamp, e.value.clone())).collect());
        for (f, reg) in &rec.fields {
            present.insert(f, reg.entries().iter().map(|e| (e.stamp, e.value.clone())).collect());
        }
        for w in &known {
            let here = present.get(w.field.as_str()).is_some_and(|es| es.contains(&(w.stamp, w.value.clone())));
            if !here && !superseded(w) {
                problems.push(format!("lost: {w:?}"));
            }
            if here && superseded(w) {
                problems.push(format!("superseded but still present: {w:?}"));
            }
        }
        for (f, entries) in &present {
            for (stamp, value) in entries {
                let written = log.iter().any(|w| w.field == *f && w.stamp == *stamp && w.value == *value);
                if !written {
                    problems.push(format!("record {id} field {f} holds {value:?} at {stamp:?}, which no one wrote"));
                }
                if !rec.seen().covers(stamp) {
                    problems.push(format!("record {id} field {f} holds {stamp:?}, which its context does not cover"));
                }
            }
        }
    }
    problems
}

/// What a bundle that was read carries, as the writers take it.
fn export_input(b: &Bundle) -> ExportInput<'_> {
    ExportInput {
        bundle_id: b.id,
        created_ms: b.created_ms,
        device: &b.device,
        sequence: b.sequence,
        scope: b.scope,
        devices: b.devices.clone(),
        records: b.records.iter().collect(),
    }
}

/// The bundle written again in format v3, from what it carries: the bytes it was read from, if v3 is
/// frozen as it must be.
pub fn rewrite_v3(b: &Bundle) -> String {
    liaison_core::formats::bundle::write_bundle(export_input(b)).expect("a bundle that was read is within the limits")
}

/// A bundle written again in the frozen format v1, as Liaison wrote it then.
pub fn rewrite(b: &Bundle) -> String {
    write_bundle_v1(export_input(b))
}
