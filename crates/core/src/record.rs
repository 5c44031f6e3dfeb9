//! Records as state-based CRDTs.
//!
//! A record is a map from field name to a multi-value register, a life register (alive or deleted), and a
//! causal context: the version vector of every edit this replica has seen of the record. A local edit
//! replaces every value it has seen. A merge keeps a value unless the other side has seen it and replaced
//! it. Two values that survive in one register did not see each other: that is a conflict, the higher
//! stamp is shown, and the other stays until a person resolves it with an edit that has seen both.
//!
//! The join is commutative, associative and idempotent because it is built from set operations on
//! (stamp, value) pairs and a pointwise maximum, and every collection is kept in a canonical order.

use std::collections::BTreeMap;

use crate::clock::Stamp;
use crate::id::RecordId;
use crate::model::Kind;
use crate::vv::VersionVector;

/// The value of one field.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    /// Free text, a date (`YYYY-MM-DD`), a time (`HH:MM`) or an id, depending on the field.
    Text(String),
    /// Several strings: emails, phones, tags, participant ids.
    List(Vec<String>),
    /// A flag: an action's done state, a record's deleted state.
    Bool(bool),
}

impl Value {
    /// The text, or "" when the value is not text.
    pub fn as_text(&self) -> &str {
        match self {
            Value::Text(s) => s,
            _ => "",
        }
    }

    /// The list, or an empty slice when the value is not a list.
    pub fn as_list(&self) -> &[String] {
        match self {
            Value::List(v) => v,
            _ => &[],
        }
    }

    /// The flag, or false when the value is not a flag.
    pub fn as_bool(&self) -> bool {
        matches!(self, Value::Bool(true))
    }

    /// A short human rendering, for conflict lists and provenance.
    pub fn display(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::List(v) => v.join(", "),
            Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        }
    }
}

/// One value of a register, with the stamp of the edit that wrote it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    /// What was written.
    pub value: Value,
    /// When and by which device: the value's provenance.
    pub stamp: Stamp,
    /// For deletions only: what the deleting replica had seen, so that edits it had not seen can be told
    /// apart and surfaced instead of vanishing with the record.
    pub seen: Option<VersionVector>,
}

/// A multi-value register. Normally one entry; more than one means concurrent edits (a conflict).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Register {
    entries: Vec<Entry>,
}

fn canonical(entries: &mut Vec<Entry>) {
    entries.sort_by(|a, b| b.stamp.cmp(&a.stamp).then_with(|| b.value.cmp(&a.value)));
    entries.dedup_by(|a, b| a.stamp == b.stamp && a.value == b.value);
}

impl Register {
    /// A register holding one freshly written value.
    pub fn single(entry: Entry) -> Self {
        Register { entries: vec![entry] }
    }

    /// A register from entries in any order (as decoded from storage or a bundle).
    pub fn from_entries(mut entries: Vec<Entry>) -> Self {
        canonical(&mut entries);
        Register { entries }
    }

    /// All entries, the winner (highest stamp) first.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The value shown: the entry with the highest stamp.
    pub fn winner(&self) -> Option<&Entry> {
        self.entries.first()
    }

    /// Whether concurrent values are waiting for a person to choose. Concurrent edits that wrote the same
    /// value (both officers marked an action done, say) leave nothing to choose.
    pub fn is_conflict(&self) -> bool {
        self.entries.iter().skip(1).any(|e| e.value != self.entries[0].value)
    }

    fn contains(&self, e: &Entry) -> bool {
        self.entries.iter().any(|x| x.stamp == e.stamp && x.value == e.value)
    }

    /// The join of two registers, given what each side's replica had seen.
    fn merged(a: &Register, a_seen: &VersionVector, b: &Register, b_seen: &VersionVector) -> Register {
        let keep_a = a.entries.iter().filter(|e| b.contains(e) || !b_seen.covers(&e.stamp));
        let keep_b = b.entries.iter().filter(|e| !a_seen.covers(&e.stamp));
        let mut entries: Vec<Entry> = keep_a.chain(keep_b).cloned().collect();
        canonical(&mut entries);
        Register { entries }
    }
}

/// Two records could not be merged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// The same id names records of different kinds: one side is corrupt or hostile.
    #[error("record {id} is {} on one side and {} on the other", left.with_article(), right.with_article())]
    KindMismatch {
        /// The colliding id.
        id: RecordId,
        /// The kind already held.
        left: Kind,
        /// The kind offered.
        right: Kind,
    },
    /// Merge was asked to join two different records.
    #[error("cannot merge record {0} into record {1}")]
    DifferentIds(RecordId, RecordId),
}

/// Something a person has to look at before the record is settled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// Concurrent edits of one field. `entries[0]` is shown until someone chooses.
    Field {
        /// The field's name.
        field: String,
        /// Every surviving value, winner first.
        entries: Vec<Entry>,
    },
    /// The record was deleted on one device while another device, not knowing, edited it.
    EditedAfterDelete {
        /// The deletion.
        deletion: Entry,
        /// The edits the deleting device had not seen: (field, entry).
        edits: Vec<(String, Entry)>,
    },
}

/// One contact, meeting or action, with its full edit state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The record's id.
    pub id: RecordId,
    /// What the record is; fixed at creation.
    pub kind: Kind,
    /// Field name to register. Names this version does not know are kept, so newer data survives.
    pub fields: BTreeMap<String, Register>,
    /// Alive (`false`) or deleted (`true`), as a register so that delete and restore merge like edits.
    pub life: Register,
    /// Every edit of this record that this replica has seen.
    pub seen: VersionVector,
}

impl Record {
    /// A new, empty, alive record. The creation itself is an edit with a stamp.
    pub fn new(id: RecordId, kind: Kind, stamp: Stamp) -> Self {
        let mut seen = VersionVector::new();
        seen.add(&stamp);
        Record {
            id,
            kind,
            fields: BTreeMap::new(),
            life: Register::single(Entry { value: Value::Bool(false), stamp, seen: None }),
            seen,
        }
    }

    /// The value shown for a field, if it has one.
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field).and_then(Register::winner).map(|e| &e.value)
    }

    /// The shown text of a field, or "".
    pub fn text(&self, field: &str) -> &str {
        self.get(field).map(Value::as_text).unwrap_or("")
    }

    /// The shown list of a field, or an empty slice.
    pub fn list(&self, field: &str) -> &[String] {
        self.get(field).map(Value::as_list).unwrap_or(&[])
    }

    /// The shown flag of a field, or false.
    pub fn flag(&self, field: &str) -> bool {
        self.get(field).is_some_and(Value::as_bool)
    }

    /// Whether the record is deleted (the winning life value).
    pub fn is_deleted(&self) -> bool {
        self.life.winner().is_some_and(|e| e.value.as_bool())
    }

    /// The stamp of the creation or of the newest life change.
    pub fn created(&self) -> Option<&Stamp> {
        self.life.entries().iter().map(|e| &e.stamp).min()
    }

    /// The newest stamp anywhere in the record.
    pub fn last_changed(&self) -> Option<&Stamp> {
        self.fields
            .values()
            .chain(std::iter::once(&self.life))
            .flat_map(|r| r.entries().iter().map(|e| &e.stamp))
            .max()
    }

    /// Every stamp in the record, for the clock to observe.
    pub fn stamps(&self) -> impl Iterator<Item = &Stamp> {
        self.fields
            .values()
            .chain(std::iter::once(&self.life))
            .flat_map(|r| r.entries().iter().map(|e| &e.stamp))
    }

    /// A local edit: the value replaces every value of the field this replica has seen, which, locally,
    /// is all of them. This is also how a conflict is resolved.
    pub fn write(&mut self, field: &str, value: Value, stamp: Stamp) {
        self.seen.add(&stamp);
        self.fields.insert(field.to_string(), Register::single(Entry { value, stamp, seen: None }));
    }

    /// Deletes the record, remembering what the deletion had seen.
    pub fn delete(&mut self, stamp: Stamp) {
        self.seen.add(&stamp);
        let seen = Some(self.seen.clone());
        self.life = Register::single(Entry { value: Value::Bool(true), stamp, seen });
    }

    /// Brings a deleted record back. Every edit seen so far stays.
    pub fn restore(&mut self, stamp: Stamp) {
        self.seen.add(&stamp);
        self.life = Register::single(Entry { value: Value::Bool(false), stamp, seen: None });
    }

    /// The CRDT join: afterwards this record holds everything both sides knew.
    pub fn merge(&mut self, other: &Record) -> Result<(), MergeError> {
        if self.id != other.id {
            return Err(MergeError::DifferentIds(other.id, self.id));
        }
        if self.kind != other.kind {
            return Err(MergeError::KindMismatch { id: self.id, left: self.kind, right: other.kind });
        }
        let empty = Register::default();
        let mut names: Vec<&String> = self.fields.keys().chain(other.fields.keys()).collect();
        names.sort();
        names.dedup();
        let mut fields = BTreeMap::new();
        for name in names {
            let a = self.fields.get(name).unwrap_or(&empty);
            let b = other.fields.get(name).unwrap_or(&empty);
            let r = Register::merged(a, &self.seen, b, &other.seen);
            if !r.entries.is_empty() {
                fields.insert(name.clone(), r);
            }
        }
        self.life = Register::merged(&self.life, &self.seen, &other.life, &other.seen);
        self.fields = fields;
        self.seen.join(&other.seen);
        Ok(())
    }

    /// Everything about this record that waits for a person.
    pub fn conflicts(&self) -> Vec<Conflict> {
        let mut out: Vec<Conflict> = self
            .fields
            .iter()
            .filter(|(_, r)| r.is_conflict())
            .map(|(f, r)| Conflict::Field { field: f.clone(), entries: r.entries().to_vec() })
            .collect();
        if self.life.is_conflict() {
            out.push(Conflict::Field { field: "deleted".into(), entries: self.life.entries().to_vec() });
        }
        if let Some(del) = self.life.winner().filter(|e| e.value.as_bool()) {
            let seen = del.seen.clone().unwrap_or_default();
            let edits: Vec<(String, Entry)> = self
                .fields
                .iter()
                .flat_map(|(f, r)| r.entries().iter().map(move |e| (f, e)))
                .filter(|(_, e)| !seen.covers(&e.stamp))
                .map(|(f, e)| (f.clone(), e.clone()))
                .collect();
            if !edits.is_empty() {
                out.push(Conflict::EditedAfterDelete { deletion: del.clone(), edits });
            }
        }
        out
    }
}
