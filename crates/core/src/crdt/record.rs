//! Records as state-based CRDTs.
//!
//! A record is a map from field name to a multi-value register, and a life register (alive or deleted).
//! Every register carries its own causal context: the version vector of every edit *of that register*
//! this replica has seen. A local edit replaces every value of the field it has seen. A merge keeps a
//! value unless the other side's context for the same field has seen it and the other side does not
//! hold it. Two values that survive in one register did not see each other: that is a conflict, the
//! higher stamp is shown, and the other stays until a person resolves it with an edit that has seen both.
//!
//! Contexts are per register, not per record, so that a claim can only remove a value through the field
//! it is about: a record that says it has seen an edit of "Name" but carries no name claims nothing about
//! the name (docs/design.md, invariant 7). A stamp is the identity of an edit (a dot): two entries with
//! one stamp and different values (a copied browser profile, a restored backup) are both kept.
//!
//! The join is commutative, associative and idempotent for *any* pair of records, reachable or not,
//! because per register it is the standard causal join on dots ((A ∩ B) ∪ (A \ ctx B) ∪ (B \ ctx A),
//! contexts joined pointwise), values are unioned per dot, deletion contexts of one deletion are met, and
//! every collection is kept in a canonical order. What it cannot do is tell which of two contradictory
//! histories is true (each claims to have replaced the other's value); then a register comes out empty,
//! and [`Record::emptied_fields`] names it so that callers refuse the input instead of storing the loss.

use std::collections::BTreeMap;

use crate::crdt::clock::Stamp;
use crate::crdt::id::RecordId;
use crate::crdt::vv::VersionVector;
use crate::schema::Kind;
use crate::schema::Value;

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
    /// Every edit of this register the replica has seen; always covers `entries`.
    seen: VersionVector,
}

/// The meet (pointwise minimum, over the devices both name) of two deletion contexts. One deletion seen
/// with two different contexts (a damaged or altered copy) counts as having seen only what both agree on,
/// so an edit either copy had not seen still surfaces as "edited after it was deleted elsewhere".
fn meet(a: &Option<VersionVector>, b: &Option<VersionVector>) -> Option<VersionVector> {
    let (a, b) = (a.as_ref()?, b.as_ref()?);
    let mut out = VersionVector::new();
    for (d, t) in a.iter() {
        if let Some(u) = b.get(d) {
            out.raise(*d, (*t).min(*u));
        }
    }
    Some(out)
}

fn canonical(entries: &mut Vec<Entry>) {
    entries.sort_by(|a, b| b.stamp.cmp(&a.stamp).then_with(|| b.value.cmp(&a.value)));
    // `dedup_by` hands the later element first; the kept one is `b`.
    entries.dedup_by(|later, kept| {
        let same = later.stamp == kept.stamp && later.value == kept.value;
        if same {
            kept.seen = meet(&kept.seen, &later.seen);
        }
        same
    });
    // Collected entries come with room for four: a team's records hold a million registers, nearly all of
    // one entry, and the spare room was a quarter of the memory a merge of them took.
    entries.shrink_to_fit();
}

impl Register {
    /// A register holding one freshly written value, with no history before it.
    pub fn single(entry: Entry) -> Self {
        let mut seen = VersionVector::new();
        seen.add(&entry.stamp);
        Register { entries: vec![entry], seen }
    }

    /// A register from entries in any order, whose context is just those entries.
    pub fn from_entries(entries: Vec<Entry>) -> Self {
        Self::with_context(entries, VersionVector::new())
    }

    /// A register from entries in any order and the context it was stored with (as decoded from storage
    /// or a bundle). The context is widened to cover the entries, which every register's context does.
    pub fn with_context(mut entries: Vec<Entry>, mut seen: VersionVector) -> Self {
        canonical(&mut entries);
        for e in &entries {
            seen.add(&e.stamp);
        }
        Register { entries, seen }
    }

    /// All entries, the winner (highest stamp) first.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Every edit of this register the replica has seen.
    pub fn seen(&self) -> &VersionVector {
        &self.seen
    }

    /// A local write: one value that replaces everything this register has seen.
    fn replaced_by(&self, entry: Entry) -> Register {
        let mut seen = self.seen.clone();
        seen.add(&entry.stamp);
        Register { entries: vec![entry], seen }
    }

    /// Whether two entries hold one stamp with different values: two devices stamped with one id.
    pub fn shared_stamps(&self) -> impl Iterator<Item = &Stamp> {
        self.entries.windows(2).filter(|w| w[0].stamp == w[1].stamp).map(|w| &w[0].stamp)
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

    fn holds(&self, stamp: &Stamp) -> bool {
        self.entries.iter().any(|x| x.stamp == *stamp)
    }

    /// The causal join of two registers: an entry leaves only when the other side's context for this
    /// register has seen its edit and the other side holds nothing with that stamp.
    fn merged(a: &Register, b: &Register) -> Register {
        let keep_a = a.entries.iter().filter(|e| b.holds(&e.stamp) || !b.seen.covers(&e.stamp));
        let keep_b = b.entries.iter().filter(|e| a.holds(&e.stamp) || !a.seen.covers(&e.stamp));
        let mut entries: Vec<Entry> = keep_a.chain(keep_b).cloned().collect();
        canonical(&mut entries);
        let mut seen = a.seen.clone();
        seen.join(&b.seen);
        Register { entries, seen }
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
    /// The two sides' histories contradict each other: each claims to have replaced the other's value of
    /// a field, so the join would hold no value at all. Liaison never makes such a pair; one side was
    /// altered or damaged. The merge is refused so that neither value is lost.
    #[error("record {id}: each version claims to have replaced the other's “{field}”, so merging them would leave it empty; one of them was altered or damaged")]
    Contradiction {
        /// The record.
        id: RecordId,
        /// The field that would come out empty ("deleted" for the life register).
        field: String,
    },
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
    /// Concurrent deletes and restores of the record. `entries[0]` (deleted when its value is true) holds
    /// until someone chooses.
    Life {
        /// Every surviving deleted-or-not flag, winner first.
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
}

impl Record {
    /// A new, empty, alive record. The creation itself is an edit with a stamp.
    pub fn new(id: RecordId, kind: Kind, stamp: Stamp) -> Self {
        Record {
            id,
            kind,
            fields: BTreeMap::new(),
            life: Register::single(Entry { value: Value::Bool(false), stamp, seen: None }),
        }
    }

    /// Every edit of this record this replica has seen: the join of its registers' contexts.
    pub fn seen(&self) -> VersionVector {
        let mut v = self.life.seen.clone();
        for r in self.fields.values() {
            v.join(&r.seen);
        }
        v
    }

    /// Every tick the record's contexts name (registers and deletions), for limits on claimed history.
    pub fn context_ticks(&self) -> impl Iterator<Item = (&crate::crdt::id::DeviceId, &crate::crdt::clock::Tick)> {
        std::iter::once(&self.life)
            .chain(self.fields.values())
            .flat_map(|r| r.seen.iter().chain(r.entries.iter().filter_map(|e| e.seen.as_ref()).flat_map(|v| v.iter())))
    }

    /// Fields whose register holds no value: only the join of two contradictory histories (each claiming
    /// to have replaced the other's value) makes one. Callers refuse such a merge instead of keeping it.
    pub fn emptied_fields(&self) -> Vec<&str> {
        let mut out: Vec<&str> =
            self.fields.iter().filter(|(_, r)| r.entries.is_empty()).map(|(k, _)| k.as_str()).collect();
        if self.life.entries.is_empty() {
            out.push("deleted");
        }
        out
    }

    /// Every stamp that two entries of one register share with different values.
    pub fn shared_stamps(&self) -> Vec<Stamp> {
        let mut out: Vec<Stamp> =
            std::iter::once(&self.life).chain(self.fields.values()).flat_map(|r| r.shared_stamps().copied()).collect();
        out.sort();
        out.dedup();
        out
    }

    /// What leaves the device: a deleted record travels as its id, kind, life register and whatever its
    /// deletion had not seen. Values the deletion had seen are dead by the merge's own rules (nobody can
    /// show them without a restore that has seen the deletion); the device keeps them for Undo and
    /// "Recently deleted". The merge redirect of a merged-away contact always travels, so links to the
    /// duplicate keep leading to the survivor everywhere.
    pub fn for_export(&self) -> Record {
        let Some(deletion) = self.life.winner().filter(|e| e.value.as_bool()) else { return self.clone() };
        let seen = deletion.seen.clone().unwrap_or_default();
        let mut out = self.clone();
        out.fields.retain(|name, reg| {
            if name == crate::schema::Field::MergedInto.key() {
                return true;
            }
            reg.entries.retain(|e| !seen.covers(&e.stamp));
            !reg.entries.is_empty()
        });
        out
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
        self.fields.values().chain(std::iter::once(&self.life)).flat_map(|r| r.entries().iter().map(|e| &e.stamp)).max()
    }

    /// Every stamp in the record, for the clock to observe.
    pub fn stamps(&self) -> impl Iterator<Item = &Stamp> {
        self.fields.values().chain(std::iter::once(&self.life)).flat_map(|r| r.entries().iter().map(|e| &e.stamp))
    }

    /// A local edit: the value replaces every value of the field this replica has seen, which, locally,
    /// is all of them. This is also how a conflict is resolved.
    pub fn write(&mut self, field: &str, value: Value, stamp: Stamp) {
        let entry = Entry { value, stamp, seen: None };
        let reg = match self.fields.get(field) {
            Some(r) => r.replaced_by(entry),
            None => Register::single(entry),
        };
        self.fields.insert(field.to_string(), reg);
    }

    /// Deletes the record, remembering what the deletion had seen.
    pub fn delete(&mut self, stamp: Stamp) {
        let mut seen = self.seen();
        seen.add(&stamp);
        self.life = self.life.replaced_by(Entry { value: Value::Bool(true), stamp, seen: Some(seen) });
    }

    /// Brings a deleted record back. Every edit seen so far stays.
    pub fn restore(&mut self, stamp: Stamp) {
        self.life = self.life.replaced_by(Entry { value: Value::Bool(false), stamp, seen: None });
    }

    /// The CRDT join: afterwards this record holds everything both sides knew.
    pub fn merge(&mut self, other: &Record) -> Result<(), MergeError> {
        if self.id != other.id {
            return Err(MergeError::DifferentIds(other.id, self.id));
        }
        if self.kind != other.kind {
            return Err(MergeError::KindMismatch { id: self.id, left: self.kind, right: other.kind });
        }
        for (name, theirs) in &other.fields {
            match self.fields.get_mut(name) {
                Some(mine) => *mine = Register::merged(mine, theirs),
                None => {
                    self.fields.insert(name.clone(), theirs.clone());
                }
            }
        }
        self.life = Register::merged(&self.life, &other.life);
        Ok(())
    }

    /// The join, refused when it would leave a register empty that was not empty before: the one way
    /// two contradictory histories can make a value vanish. `self` is unchanged on error.
    pub fn merge_checked(&mut self, other: &Record) -> Result<(), MergeError> {
        let mut joined = self.clone();
        joined.merge(other)?;
        let before: Vec<&str> = self.emptied_fields().into_iter().chain(other.emptied_fields()).collect();
        if let Some(field) = joined.emptied_fields().into_iter().find(|f| !before.contains(f)) {
            return Err(MergeError::Contradiction { id: self.id, field: field.to_string() });
        }
        *self = joined;
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
            out.push(Conflict::Life { entries: self.life.entries().to_vec() });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crdt::id::DeviceId;

    fn stamp(wall_ms: u64, device: u8) -> Stamp {
        Stamp { wall_ms, counter: 0, device: DeviceId::new_v7(0, [device; 10]) }
    }

    #[test]
    fn a_delete_and_a_restore_that_did_not_see_each_other_are_a_life_conflict_with_the_newer_shown() {
        let mut a = Record::new(RecordId::new_v7(1_000, [1; 10]), Kind::Contact, stamp(1_000, 1));
        let mut b = a.clone();
        a.delete(stamp(2_000, 1));
        b.restore(stamp(3_000, 2));
        a.merge(&b).unwrap();
        let conflicts = a.conflicts();
        let [Conflict::Life { entries }] = conflicts.as_slice() else { panic!("{conflicts:?}") };
        let values: Vec<&Value> = entries.iter().map(|e| &e.value).collect();
        assert_eq!(values, [&Value::Bool(false), &Value::Bool(true)]);
        assert!(!a.is_deleted());
    }
}
