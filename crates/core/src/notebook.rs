//! One replica's state: every record this device holds, its clock, and the commands that change them.
//!
//! The app keeps a `Notebook` in a signal and sends every edit through it. Each command stamps the edit
//! and notes the record as changed; the storage queue then persists the changed records write-behind.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::crdt::clock::{Clock, Observed, Stamp, Tick};
use crate::crdt::id::{DeviceId, RecordId};
use crate::crdt::record::{Conflict, MergeError, Record};
use crate::crdt::vv::VersionVector;
use crate::date::Date;
use crate::model::{Action, Contact, DeviceProfile, Meeting};
use crate::schema::Value;
use crate::schema::{Field, Kind};

mod drafts;
mod follow_ups;
mod participants;
pub use participants::Suggestion;
mod trash;
mod welcome;

pub use drafts::draft_defaults;
pub use trash::{Deleted, TRASH_DAYS};
pub use welcome::suggested_device_label;

/// How many merge redirects are followed before giving up (a cycle from corrupt data, say).
const MAX_REDIRECTS: usize = 16;

/// An edit that could not be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// No record has this id.
    #[error("there is no record {0}")]
    NoSuchRecord(RecordId),
    /// The field does not belong to this kind of record.
    #[error("{} has no field “{field}”", kind.with_article())]
    WrongField {
        /// The record's kind.
        kind: Kind,
        /// The field asked for.
        field: &'static str,
    },
    /// The value's shape does not fit the field.
    #[error("“{0}” takes a different kind of value")]
    WrongShape(&'static str),
    /// The value is larger than any bundle may carry ([`crate::schema::MAX_VALUE_BYTES`]): kept, it could
    /// never leave the device, and one such value would fill browser storage by itself.
    #[error("this is {} MB; a field holds at most 1 MB, so it was not saved: shorten it, or keep the long text elsewhere", megabytes(*bytes))]
    TooLarge {
        /// The field.
        field: &'static str,
        /// The value's size in bytes.
        bytes: usize,
    },
}

fn megabytes(bytes: usize) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

/// The size a value takes in a bundle, as the bundle limit counts it.
pub fn value_bytes(v: &Value) -> usize {
    match v {
        Value::Text(s) => s.len(),
        Value::List(l) => l.iter().map(String::len).sum(),
        Value::Bool(_) => 1,
    }
}

/// What merging a record from elsewhere did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// The local state changed.
    pub changed: bool,
    /// The merged record differs from the one offered, so whoever offered it lacks something of ours.
    pub offered_is_behind: bool,
    /// Stamps in the offered record from more than the allowed skew ahead of local time.
    pub future_stamps: Vec<Stamp>,
}

/// An open follow-up action with what the Follow-ups screen shows beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUp {
    /// The action.
    pub action: Action,
    /// The meeting it belongs to.
    pub meeting: Meeting,
    /// Its due date has passed.
    pub overdue: bool,
}

/// Every meeting's follow-up actions, from [`Notebook::actions_by_meeting`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActionsByMeeting(HashMap<String, Vec<Action>>);

impl ActionsByMeeting {
    /// The actions of a meeting, in the order they were added: what [`Notebook::actions_of`] gives.
    pub fn of(&self, meeting: RecordId) -> &[Action] {
        self.0.get(&meeting.to_string()).map_or(&[], Vec::as_slice)
    }
}

/// One device's records and clock.
#[derive(Clone, Debug)]
pub struct Notebook {
    clock: Clock,
    /// Every replica id this device's tabs stamp with (this tab's included).
    own: BTreeSet<DeviceId>,
    records: BTreeMap<RecordId, Record>,
    changed: BTreeSet<RecordId>,
    devices: BTreeMap<DeviceId, DeviceProfile>,
    /// New records nobody has typed into yet: kept in memory only, left out of every list, export and
    /// write, and discarded when the officer leaves them (`notebook/drafts.rs`).
    drafts: BTreeSet<RecordId>,
}

impl Notebook {
    /// An empty notebook for a device.
    pub fn new(device: DeviceId) -> Self {
        Notebook {
            clock: Clock::new(device),
            own: BTreeSet::from([device]),
            records: BTreeMap::new(),
            changed: BTreeSet::new(),
            devices: BTreeMap::new(),
            drafts: BTreeSet::new(),
        }
    }

    /// Tells the notebook every replica id of this device (its tabs), so that imports claiming edits by
    /// any of them can be checked against this device's clock.
    pub fn set_own_replicas(&mut self, ids: impl IntoIterator<Item = DeviceId>) {
        self.own = ids.into_iter().chain([self.device()]).collect();
    }

    /// Every replica id of this device.
    pub fn own_replicas(&self) -> &BTreeSet<DeviceId> {
        &self.own
    }

    /// The newest tick this device's clock has made or accepted: imports may not claim this device's
    /// own edits beyond it by more than the clock's skew allowance.
    pub fn clock_last(&self) -> Tick {
        self.clock.last()
    }

    /// A notebook from records loaded from storage. The clock is moved past every stamp within reach of
    /// `now_ms`, so that new edits sort after what is already there.
    pub fn from_records(device: DeviceId, records: Vec<Record>, now_ms: u64) -> Self {
        let mut nb = Notebook::new(device);
        for r in records {
            nb.observe_stored(&r, now_ms);
            match nb.records.get_mut(&r.id) {
                // Storage has one key per id, so a repeat can only come from a caller merging sources.
                Some(existing) => {
                    let _ = existing.merge(&r);
                }
                None => {
                    nb.records.insert(r.id, r);
                }
            }
        }
        nb
    }

    /// Moves the clock past every stamp of a record from this device's own storage, and past this
    /// device's own newest tick in the record's context, which may belong to a value since replaced by
    /// another device. This device's own stamps are followed however far ahead (see [`Clock::observe_own`]).
    fn observe_stored(&mut self, r: &Record, now_ms: u64) {
        for s in r.stamps() {
            self.clock.observe_own(s, now_ms);
        }
        if let Some(s) = self.own_context(r) {
            self.clock.observe_own(&s, now_ms);
        }
    }

    /// Moves the clock past every stamp of a record from elsewhere (another tab, an import) that lies
    /// within reach of `now_ms`; stamps beyond it, this device's own included, are returned instead.
    fn observe_record(&mut self, r: &Record, now_ms: u64) -> Vec<Stamp> {
        let mut far = Vec::new();
        for s in r.stamps().copied().chain(self.own_context(r)) {
            if let Observed::FarFuture { .. } = self.clock.observe(&s, now_ms) {
                far.push(s);
            }
        }
        far
    }

    fn own_context(&self, r: &Record) -> Option<Stamp> {
        let me = self.device();
        r.seen().get(&me).map(|t| Stamp { wall_ms: t.wall_ms, counter: t.counter, device: me })
    }

    /// This device's id.
    pub fn device(&self) -> DeviceId {
        self.clock.device()
    }

    /// A record by id, deleted or not.
    pub fn record(&self, id: RecordId) -> Option<&Record> {
        self.records.get(&id)
    }

    /// Every record, deleted ones included.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.records.values().filter(|r| !self.drafts.contains(&r.id))
    }

    /// The records of `kind` that are not deleted.
    pub(crate) fn alive(&self, kind: Kind) -> impl Iterator<Item = &Record> {
        self.records().filter(move |r| r.kind == kind && !r.is_deleted())
    }

    /// Learns device profiles (from this device's settings or from bundles), so provenance can name
    /// officers. A profile with a blank label or officer never replaces a filled one.
    pub fn learn_devices(&mut self, profiles: impl IntoIterator<Item = impl Into<DeviceProfile>>) {
        for p in profiles.into_iter().map(Into::into) {
            match self.devices.get_mut(&p.id) {
                Some(known) => known.learn(p),
                None => {
                    self.devices.insert(p.id, p);
                }
            }
        }
    }

    /// Every device profile known.
    pub fn devices(&self) -> &BTreeMap<DeviceId, DeviceProfile> {
        &self.devices
    }

    /// Who wrote with a device: "Lt Col Ana Ruiz (Field laptop)", or a short id when unknown.
    pub fn author(&self, device: DeviceId) -> String {
        match self.devices.get(&device) {
            Some(d) => d.display_name(),
            None => format!("device {}", &device.to_string()[..8]),
        }
    }

    /// The contact an id stands for now: itself, or the survivor it was merged into.
    pub fn resolve_contact(&self, id: RecordId) -> RecordId {
        match self.redirect_chain(id).enumerate().last() {
            Some((redirects, survivor)) if redirects < MAX_REDIRECTS => survivor,
            _ => id,
        }
    }

    /// The ids that `id`'s merge redirects pass through, `id` first and the contact it stands for now
    /// last. The walk stops after `MAX_REDIRECTS` redirects: a chain that long (a cycle from corrupt
    /// data, say) resolves to `id` itself.
    pub fn redirect_chain(&self, id: RecordId) -> impl Iterator<Item = RecordId> + '_ {
        std::iter::successors(Some(id), |&current| {
            let next = self.records.get(&current)?.text(Field::MergedInto.key()).parse::<RecordId>().ok()?;
            (next != current).then_some(next)
        })
        .take(MAX_REDIRECTS + 1)
    }

    /// A meeting's participants as contacts that exist now, redirects followed, each once.
    pub fn participants(&self, meeting: &Meeting) -> Vec<Contact> {
        let mut seen = BTreeSet::new();
        meeting
            .participants
            .iter()
            .map(|p| self.resolve_contact(*p))
            .filter(|p| seen.insert(*p))
            .filter_map(|p| self.contact(p))
            .collect()
    }

    /// Records that any of `replicas` (this device's tabs) edited in a way `since` has not seen: what a
    /// "changes" export carries.
    pub fn changed_here_since(&self, replicas: &BTreeSet<DeviceId>, since: &VersionVector) -> Vec<&Record> {
        self.records().filter(|r| r.stamps().any(|s| replicas.contains(&s.device) && !since.covers(s))).collect()
    }

    /// The newest edit of each of `replicas` anywhere in the notebook: what a "changes" export is measured
    /// from next time.
    pub fn newest_of(&self, replicas: &BTreeSet<DeviceId>) -> VersionVector {
        let mut v = VersionVector::new();
        for s in self.records().flat_map(Record::stamps).filter(|s| replicas.contains(&s.device)) {
            v.add(s);
        }
        let own = self.clock.last();
        if own != Tick::default() {
            v.add(&Stamp { wall_ms: own.wall_ms, counter: own.counter, device: self.device() });
        }
        v
    }

    /// Replaces records wholesale and returns what they were before. Only for applying and undoing an
    /// import, whose records were merged beforehand, and for the Undo of a conflict resolved moments ago
    /// (a resolution is an edit that has seen every value, so no edit can bring the conflict back): every
    /// other change goes through a command.
    pub fn replace_records(
        &mut self,
        records: BTreeMap<RecordId, Option<Record>>,
        now_ms: u64,
    ) -> BTreeMap<RecordId, Option<Record>> {
        let mut before = BTreeMap::new();
        for (id, rec) in records {
            let old = match rec {
                Some(r) => {
                    // Stamps too far ahead were counted in the import preview; here they stay unfollowed.
                    let _ = self.observe_record(&r, now_ms);
                    self.records.insert(id, r)
                }
                None => self.records.remove(&id),
            };
            before.insert(id, old);
            self.changed.insert(id);
        }
        before
    }

    /// Merges a duplicate contact into a survivor: the chosen values are written to the survivor, and the
    /// duplicate is deleted with a redirect, so links to it (here, and on every device that imports this)
    /// lead to the survivor.
    pub fn merge_contacts(
        &mut self,
        survivor: RecordId,
        duplicate: RecordId,
        values: Vec<(Field, Value)>,
        now_ms: u64,
    ) -> Result<(), EditError> {
        for id in [survivor, duplicate] {
            match self.records.get(&id) {
                Some(r) if r.kind == Kind::Contact => {}
                Some(r) => return Err(EditError::WrongField { kind: r.kind, field: Field::MergedInto.key() }),
                None => return Err(EditError::NoSuchRecord(id)),
            }
        }
        for (field, value) in values {
            if field != Field::MergedInto {
                self.set(survivor, field, value, now_ms)?;
            }
        }
        self.set(duplicate, Field::MergedInto, Value::Text(survivor.to_string()), now_ms)?;
        self.delete(duplicate, now_ms)
    }

    /// Takes a merge of contacts back: the duplicate returns without its redirect, and the survivor's
    /// fields get `before` back, the values they held before the merge. These are edits like any other, so
    /// a device that already has the merge follows the Undo too.
    pub fn unmerge_contacts(
        &mut self,
        survivor: RecordId,
        duplicate: RecordId,
        before: Vec<(Field, Value)>,
        now_ms: u64,
    ) -> Result<(), EditError> {
        self.restore(duplicate, now_ms)?;
        self.set(duplicate, Field::MergedInto, Value::Text(String::new()), now_ms)?;
        for (field, value) in before {
            self.set(survivor, field, value, now_ms)?;
        }
        Ok(())
    }

    /// Ids changed since the last call: what the storage queue must write.
    pub fn take_changed(&mut self) -> BTreeSet<RecordId> {
        std::mem::take(&mut self.changed)
    }

    /// Creates an empty record and returns its id.
    pub fn create(&mut self, kind: Kind, now_ms: u64, random: [u8; 10]) -> RecordId {
        let mut id = RecordId::new_v7(now_ms, random);
        // A repeat means the caller's randomness is broken; never let it overwrite a record.
        let mut bump = 0u8;
        while self.records.contains_key(&id) {
            bump = bump.wrapping_add(1);
            let mut r = random;
            r[9] ^= bump;
            r[0] = r[0].wrapping_add(bump);
            id = RecordId::new_v7(now_ms, r);
        }
        let stamp = self.clock.tick(now_ms);
        self.records.insert(id, Record::new(id, kind, stamp));
        self.changed.insert(id);
        id
    }

    /// Creates an empty record under a given id: one that another system already knows it by (a vCard's
    /// UID, say), so that importing the same file again finds it. Returns false when the id is taken.
    pub fn create_with_id(&mut self, kind: Kind, id: RecordId, now_ms: u64) -> bool {
        if self.records.contains_key(&id) {
            return false;
        }
        let stamp = self.clock.tick(now_ms);
        self.records.insert(id, Record::new(id, kind, stamp));
        self.changed.insert(id);
        true
    }

    /// Writes one field. Writing the value already shown, with no conflict pending, changes nothing.
    pub fn set(&mut self, id: RecordId, field: Field, value: Value, now_ms: u64) -> Result<(), EditError> {
        let rec = self.records.get(&id).ok_or(EditError::NoSuchRecord(id))?;
        if !Field::of(rec.kind).contains(&field) {
            return Err(EditError::WrongField { kind: rec.kind, field: field.key() });
        }
        if !field.accepts(&value) {
            return Err(EditError::WrongShape(field.key()));
        }
        let bytes = value_bytes(&value);
        if bytes > crate::schema::MAX_VALUE_BYTES {
            return Err(EditError::TooLarge { field: field.key(), bytes });
        }
        let unchanged = rec
            .fields
            .get(field.key())
            .is_some_and(|r| !r.is_conflict() && r.winner().is_some_and(|e| e.value == value));
        let unset_and_empty = !rec.fields.contains_key(field.key()) && is_empty(&value);
        if unchanged || unset_and_empty {
            return Ok(());
        }
        let stamp = self.clock.tick(now_ms);
        if let Some(rec) = self.records.get_mut(&id) {
            rec.write(field.key(), value, stamp);
        }
        self.drafts.remove(&id);
        self.changed.insert(id);
        Ok(())
    }

    /// Deletes a record (a tombstone: it can be restored, and merges like any edit). A draft nobody
    /// typed into is discarded instead ([`Notebook::discard_draft`]): it was never stored, so a
    /// tombstone would only leave an empty record behind.
    pub fn delete(&mut self, id: RecordId, now_ms: u64) -> Result<(), EditError> {
        if self.discard_draft(id) {
            return Ok(());
        }
        let stamp = self.clock.tick(now_ms);
        self.records.get_mut(&id).ok_or(EditError::NoSuchRecord(id))?.delete(stamp);
        self.changed.insert(id);
        Ok(())
    }

    /// Restores a deleted record.
    pub fn restore(&mut self, id: RecordId, now_ms: u64) -> Result<(), EditError> {
        let stamp = self.clock.tick(now_ms);
        self.records.get_mut(&id).ok_or(EditError::NoSuchRecord(id))?.restore(stamp);
        self.changed.insert(id);
        Ok(())
    }

    /// Merges a record from another replica (another tab, or later a bundle).
    pub fn merge_record(&mut self, offered: &Record, now_ms: u64) -> Result<MergeReport, MergeError> {
        let mut report = MergeReport::default();
        // Joined before the clock sees anything, so that a refused record leaves no trace.
        let merged = match self.records.get(&offered.id) {
            Some(mine) => {
                let mut merged = mine.clone();
                merged.merge_checked(offered)?;
                report.changed = merged != *mine;
                report.offered_is_behind = merged != *offered;
                merged
            }
            None => {
                if let Some(field) = offered.emptied_fields().first() {
                    return Err(MergeError::Contradiction { id: offered.id, field: field.to_string() });
                }
                report.changed = true;
                offered.clone()
            }
        };
        report.future_stamps = self.observe_record(offered, now_ms);
        self.records.insert(offered.id, merged);
        Ok(report)
    }

    /// A contact by id, unless deleted.
    pub fn contact(&self, id: RecordId) -> Option<Contact> {
        self.records.get(&id).filter(|r| r.kind == Kind::Contact && !r.is_deleted()).map(Contact::from_record)
    }

    /// A meeting by id, unless deleted.
    pub fn meeting(&self, id: RecordId) -> Option<Meeting> {
        self.records.get(&id).filter(|r| r.kind == Kind::Meeting && !r.is_deleted()).map(Meeting::from_record)
    }

    /// An action by id, unless deleted.
    pub fn action(&self, id: RecordId) -> Option<Action> {
        self.records.get(&id).filter(|r| r.kind == Kind::Action && !r.is_deleted()).map(Action::from_record)
    }

    /// All contacts, by name (case ignored).
    pub fn contacts(&self) -> Vec<Contact> {
        let mut v: Vec<Contact> = self.alive(Kind::Contact).map(Contact::from_record).collect();
        v.sort_by_cached_key(Contact::sort_key);
        v
    }

    /// All meetings, newest first.
    pub fn meetings(&self) -> Vec<Meeting> {
        let mut v: Vec<Meeting> = self.alive(Kind::Meeting).map(Meeting::from_record).collect();
        v.sort_by_cached_key(|m| std::cmp::Reverse(m.chronology()));
        v
    }

    /// Meetings a contact took part in (also under the ids of duplicates merged into it), newest first.
    pub fn meetings_with(&self, contact: RecordId) -> Vec<Meeting> {
        let mut v: Vec<Meeting> = self
            .alive(Kind::Meeting)
            .filter(|r| {
                r.list(Field::Participants.key())
                    .iter()
                    .filter_map(|p| p.parse::<RecordId>().ok())
                    .any(|p| p == contact || self.resolve_contact(p) == contact)
            })
            .map(Meeting::from_record)
            .collect();
        v.sort_by_cached_key(|m| std::cmp::Reverse(m.chronology()));
        v
    }

    /// The date of the newest dated meeting with this contact, on or before `today`.
    pub fn last_met(&self, contact: RecordId, today: Date) -> Option<Date> {
        self.meetings_with(contact).iter().filter_map(|m| Date::parse(&m.date).ok()).filter(|d| *d <= today).max()
    }

    /// The actions of a meeting, in the order they were added. For many meetings at once use
    /// [`Notebook::actions_by_meeting`]: this reads every record.
    pub fn actions_of(&self, meeting: RecordId) -> Vec<Action> {
        let key = meeting.to_string();
        // Record ids are v7, so id order is creation order.
        self.alive(Kind::Action).filter(|r| r.text(Field::Meeting.key()) == key).map(Action::from_record).collect()
    }

    /// The actions of every meeting, grouped in one pass over the records: what a view of many
    /// meetings (an export, a report) asks of [`Notebook::actions_of`] for each, without reading every
    /// record once per meeting.
    pub fn actions_by_meeting(&self) -> ActionsByMeeting {
        let mut by_meeting: HashMap<&str, Vec<Action>> = HashMap::new();
        for r in self.alive(Kind::Action) {
            by_meeting.entry(r.text(Field::Meeting.key())).or_default().push(Action::from_record(r));
        }
        // Keyed by the text of the link, as `actions_of` compares it, so both always agree.
        ActionsByMeeting(by_meeting.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    /// Every open conflict, by record.
    pub fn conflicts(&self) -> Vec<(RecordId, Conflict)> {
        self.records.values().flat_map(|r| r.conflicts().into_iter().map(move |c| (r.id, c))).collect()
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Text(s) => s.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Bool(b) => !b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(n: u8) -> DeviceId {
        DeviceId::new_v7(0, [n; 10])
    }

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    fn today() -> Date {
        Date::parse("2026-11-28").unwrap()
    }

    #[test]
    fn an_edit_is_stamped_with_this_device_and_marks_the_record_changed() {
        let mut nb = Notebook::new(dev(1));
        let id = nb.create(Kind::Contact, 1_000, [1; 10]);
        nb.take_changed();
        nb.set(id, Field::Name, text("Anna Berg"), 2_000).unwrap();
        let entry = nb.record(id).unwrap().fields["name"].winner().unwrap().clone();
        assert_eq!(entry.stamp.device, dev(1));
        assert_eq!(entry.stamp.wall_ms, 2_000);
        assert_eq!(nb.take_changed().into_iter().collect::<Vec<_>>(), vec![id]);
    }

    #[test]
    fn writing_the_shown_value_again_makes_no_new_edit() {
        let mut nb = Notebook::new(dev(1));
        let id = nb.create(Kind::Contact, 1_000, [1; 10]);
        nb.set(id, Field::Name, text("A"), 2_000).unwrap();
        nb.take_changed();
        nb.set(id, Field::Name, text("A"), 3_000).unwrap();
        nb.set(id, Field::Notes, text(""), 3_000).unwrap();
        assert!(nb.take_changed().is_empty());
    }

    #[test]
    fn fields_of_another_kind_and_wrong_shapes_are_refused() {
        let mut nb = Notebook::new(dev(1));
        let id = nb.create(Kind::Contact, 1_000, [1; 10]);
        assert!(matches!(nb.set(id, Field::Agenda, text("x"), 1), Err(EditError::WrongField { .. })));
        assert_eq!(nb.set(id, Field::Emails, text("x"), 1), Err(EditError::WrongShape("emails")));
    }

    #[test]
    fn meetings_list_newest_first() {
        let mut nb = Notebook::new(dev(1));
        for (i, date) in ["2026-01-05", "2026-03-01", "2025-12-24"].iter().enumerate() {
            let id = nb.create(Kind::Meeting, 1_000 + i as u64, [i as u8; 10]);
            nb.set(id, Field::Title, text(date), 2_000).unwrap();
            nb.set(id, Field::Date, text(date), 2_000).unwrap();
        }
        let dates: Vec<String> = nb.meetings().into_iter().map(|m| m.date).collect();
        assert_eq!(dates, ["2026-03-01", "2026-01-05", "2025-12-24"]);
    }

    #[test]
    fn a_deleted_meeting_disappears_and_comes_back_on_restore() {
        let mut nb = Notebook::new(dev(1));
        let id = nb.create(Kind::Meeting, 1_000, [1; 10]);
        nb.set(id, Field::Title, text("Staff talks"), 1_001).unwrap();
        nb.delete(id, 1_002).unwrap();
        assert!(nb.meetings().is_empty());
        nb.restore(id, 1_003).unwrap();
        assert_eq!(nb.meetings()[0].title, "Staff talks");
    }

    #[test]
    fn follow_ups_show_overdue_first_then_by_due_date_and_hide_done_ones() {
        let mut nb = Notebook::new(dev(1));
        let m = nb.create(Kind::Meeting, 1_000, [1; 10]);
        let mut add = |n: u8, due: &str, done: bool| {
            let a = nb.create(Kind::Action, 1_000 + u64::from(n), [n + 10; 10]);
            nb.set(a, Field::Meeting, text(&m.to_string()), 2_000).unwrap();
            nb.set(a, Field::Text, text(&format!("a{n}")), 2_000).unwrap();
            nb.set(a, Field::Due, text(due), 2_000).unwrap();
            nb.set(a, Field::Done, Value::Bool(done), 2_000).unwrap();
        };
        add(1, "", false);
        add(2, "2026-12-10", false);
        add(3, "2026-11-01", false);
        add(4, "2026-12-01", false);
        add(5, "2026-10-01", true);
        let order: Vec<(String, bool)> =
            nb.open_follow_ups(today()).into_iter().map(|f| (f.action.text, f.overdue)).collect();
        assert_eq!(order, [("a3".into(), true), ("a4".into(), false), ("a2".into(), false), ("a1".into(), false)]);
    }

    #[test]
    fn a_contact_page_knows_every_meeting_and_when_they_last_met() {
        let mut nb = Notebook::new(dev(1));
        let c = nb.create(Kind::Contact, 1_000, [1; 10]);
        for (i, date) in ["2026-05-01", "2026-09-15", "2027-01-01"].iter().enumerate() {
            let m = nb.create(Kind::Meeting, 2_000 + i as u64, [i as u8 + 5; 10]);
            nb.set(m, Field::Date, text(date), 3_000).unwrap();
            nb.set(m, Field::Participants, Value::List(vec![c.to_string()]), 3_000).unwrap();
        }
        assert_eq!(nb.meetings_with(c).len(), 3);
        assert_eq!(nb.last_met(c, today()), Date::parse("2026-09-15").ok());
    }

    #[test]
    fn concurrent_edits_that_wrote_the_same_value_are_not_a_conflict() {
        let now = 1_700_000_000_000;
        let mut a = Notebook::new(dev(1));
        let id = a.create(Kind::Action, now, [1; 10]);
        let mut b = Notebook::from_records(dev(2), vec![a.record(id).unwrap().clone()], now);
        a.set(id, Field::Done, Value::Bool(true), now + 1).unwrap();
        b.set(id, Field::Done, Value::Bool(true), now + 2).unwrap();
        b.set(id, Field::Owner, Value::Text("Ben".into()), now + 3).unwrap();
        a.set(id, Field::Owner, Value::Text("Ana".into()), now + 4).unwrap();
        a.merge_record(b.record(id).unwrap(), now + 5).unwrap();
        let fields: Vec<String> = a
            .conflicts()
            .into_iter()
            .map(|(_, c)| match c {
                Conflict::Field { field, .. } => field,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(fields, ["owner"]);
    }

    #[test]
    fn a_record_from_another_tab_merges_in_and_far_future_stamps_are_reported() {
        let now = 1_700_000_000_000;
        let mut a = Notebook::new(dev(1));
        let id = a.create(Kind::Contact, now, [1; 10]);
        let mut b = Notebook::from_records(dev(2), vec![a.record(id).unwrap().clone()], now);
        b.set(id, Field::Name, text("From B"), now + 86_400_000).unwrap();
        let report = a.merge_record(b.record(id).unwrap(), now).unwrap();
        assert!(report.changed && !report.offered_is_behind);
        assert_eq!(report.future_stamps.len(), 1);
        assert_eq!(a.contact(id).unwrap().name, "From B");
    }
}
