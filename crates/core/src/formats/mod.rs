//! Records as bytes: Liaison's own versioned bundles ([`wire`] for the serialised types, [`bundle`] for
//! the file), and interchange with the formats the rest of an office already uses: vCard 4.0 address
//! books ([`vcard`]), iCalendar calendars ([`ical`]) and CSV spreadsheets ([`csv`]), with markings
//! honoured on every export ([`crate::marking`]).
//!
//! The codecs are written by hand rather than taken from crates. The formats are small, and owning
//! the code keeps core pure (no I/O: text and bytes in, text and records out), keeps the wasm app small,
//! and lets every rule that matters here be tested: folding that never splits a UTF-8 sequence, escaping,
//! vCard 2.1/3.0 from phones and Outlook (quoted-printable, legacy charsets), and readers that report
//! specific problems instead of panicking on garbage (docs/design.md, invariant 6).
//!
//! Imports are idempotent. A record's id is derived from the UID a file carries (the UID itself when it
//! is a UUID, which is what Liaison writes, otherwise a hash of it), or, for a vCard without a UID, from
//! a hash of the card. Importing the same file again therefore finds the same records and changes
//! nothing; a contact whose UID matches is updated, never duplicated.

pub mod bundle;
pub mod csv;
pub mod ical;
pub mod lines;
mod sniff;
pub mod vcard;
pub mod wire;

pub use sniff::{not_a_bundle, sniff};

use std::fmt;

use uuid::Uuid;

use crate::crdt::id::RecordId;
use crate::notebook::Notebook;
use crate::schema::Value;
use crate::schema::{Field, Kind};

/// Files larger than this are refused before they are read (a .vcf of 10,000 contacts with photos is
/// well under it; anything larger is not an address book or a calendar a person made).
pub const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;
/// At most this many problems are listed; the rest are counted in one last line, so that a file of
/// garbage cannot produce a million messages.
pub const MAX_PROBLEMS: usize = 100;

/// Items one card or event keeps in each of its lists (emails, phones, languages, notes, tags,
/// attendees, organisations, nations); the rest are reported and not read. A phone's card holds a
/// handful, an invitation to a whole headquarters a few thousand attendees.
pub const MAX_LIST_ITEMS: usize = 10_000;
/// List items one file keeps in all its cards or events. An item costs far more memory than the two
/// octets it can take in a file (`a,`), so a file of millions of one-letter tags would otherwise hold a
/// gigabyte; 50,000 cards of ten items each fit.
pub const MAX_FILE_ITEMS: usize = 500_000;

/// The `PRODID` of every address book and calendar Liaison writes.
pub(crate) const PRODID: &str = "-//Liaison//Liaison field notebook//EN";

/// What Liaison appends to a record id to make an iCalendar UID (which should be globally unique, and
/// by convention names its origin after an `@`).
pub(crate) const UID_SUFFIX: &str = "@liaison";

/// The first line of a note that carries the marking, before the label.
const NOTE_MARKING_PREFIX: &str = "Marking: ";

/// The file formats besides bundles: what the app and the CLI export and import (CSV: contacts only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    /// vCard (`.vcf`): contacts.
    VCard,
    /// iCalendar (`.ics`): meetings as events, their follow-ups as to-dos.
    ICal,
    /// CSV (`.csv`): contacts, meetings and actions, a file each.
    Csv,
}

impl FileFormat {
    /// Every format, in the order choices list them.
    pub const EVERY: [FileFormat; 3] = [FileFormat::VCard, FileFormat::ICal, FileFormat::Csv];

    /// The format's name as the screens write it.
    pub fn name(self) -> &'static str {
        match self {
            FileFormat::VCard => "vCard",
            FileFormat::ICal => "iCalendar",
            FileFormat::Csv => "CSV",
        }
    }

    /// The file name extension, without the dot, which is also the word the CLI's `--to` takes.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::VCard => "vcf",
            FileFormat::ICal => "ics",
            FileFormat::Csv => "csv",
        }
    }
}

/// One thing wrong with an imported file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The line of the file it concerns, from 1; 0 when it concerns the whole file.
    pub line: usize,
    /// What is wrong, in words a person can act on.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

/// A bounded list of problems: past [`MAX_PROBLEMS`], they are only counted.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    list: Vec<Problem>,
    more: usize,
    /// What [`Problems::push_once`] has said, listed or only counted.
    said_once: Vec<&'static str>,
}

impl Problems {
    pub(crate) fn push(&mut self, line: usize, message: impl Into<String>) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(Problem { line, message: message.into() });
        } else {
            self.more += 1;
        }
    }

    /// Pushes a problem that concerns the whole file, at the first line it is seen on, only once.
    pub(crate) fn push_once(&mut self, line: usize, message: &'static str) {
        if !self.said_once.contains(&message) {
            self.said_once.push(message);
            self.push(line, message);
        }
    }

    pub(crate) fn finish(mut self) -> Vec<Problem> {
        if self.more > 0 {
            let n = self.more;
            self.list.push(Problem { line: 0, message: format!("and {n} more problems not listed") });
        }
        self.list
    }
}

/// How many list items a file may still keep ([`MAX_FILE_ITEMS`]), shared by all its cards or events.
#[derive(Debug)]
pub(crate) struct Budget {
    left: usize,
    reported: bool,
}

impl Budget {
    pub(crate) fn new() -> Budget {
        Budget { left: MAX_FILE_ITEMS, reported: false }
    }
}

/// One list field of a card or event being read, within [`MAX_LIST_ITEMS`] and the file's [`Budget`].
/// Preferred items (vCard's `PREF`) are kept apart and go first: inserting each at the front of one
/// list made a card of many preferred phones quadratic.
#[derive(Debug)]
pub(crate) struct List<T> {
    present: bool,
    preferred: Vec<T>,
    others: Vec<T>,
    cut: bool,
}

impl<T> Default for List<T> {
    fn default() -> Self {
        List { present: false, preferred: Vec::new(), others: Vec::new(), cut: false }
    }
}

impl<T> List<T> {
    /// Notes that the file carried the field, so that it is written even when it holds no item.
    pub(crate) fn touch(&mut self) {
        self.present = true;
    }

    pub(crate) fn len(&self) -> usize {
        self.preferred.len() + self.others.len()
    }

    /// Whether one more item may be kept, asked before the work of reading it. When not, it says so
    /// once per list (`what` names the items and their holder: "phones on one card"), and once per file.
    pub(crate) fn room(&mut self, budget: &mut Budget, line: usize, what: &str, problems: &mut Problems) -> bool {
        if self.len() >= MAX_LIST_ITEMS {
            if !self.cut {
                self.cut = true;
                problems.push(line, format!("more than {MAX_LIST_ITEMS} {what}; the rest were not read"));
            }
            return false;
        }
        if budget.left == 0 {
            if !budget.reported {
                budget.reported = true;
                problems.push(line, format!("the file holds more than {MAX_FILE_ITEMS} emails, phones, tags, attendees and other list items; the rest were not read"));
            }
            return false;
        }
        true
    }

    /// Keeps an item [`List::room`] made room for.
    pub(crate) fn push(&mut self, item: T, preferred: bool, budget: &mut Budget) {
        self.present = true;
        budget.left = budget.left.saturating_sub(1);
        if preferred {
            self.preferred.push(item);
        } else {
            self.others.push(item);
        }
    }

    /// The items, preferred ones first and each group in file order; `None` when the file did not carry
    /// the field.
    pub(crate) fn finish(self) -> Option<Vec<T>> {
        let List { present, mut preferred, others, .. } = self;
        present.then(|| {
            preferred.extend(others);
            preferred
        })
    }
}

/// Text from a file, shortened for a message: hostile files must not make megabyte messages.
pub(crate) fn shown(s: &str) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// The note a card or event carries: the marking as its first line when the record is marked, then the
/// notes, so that the marking travels where people read.
pub(crate) fn note_with_marking(marking: &str, notes: &str) -> String {
    if marking.is_empty() {
        notes.to_string()
    } else if notes.is_empty() {
        format!("{NOTE_MARKING_PREFIX}{marking}")
    } else {
        format!("{NOTE_MARKING_PREFIX}{marking}\n{notes}")
    }
}

/// Undoes [`note_with_marking`] when the note starts with exactly that marking line.
pub(crate) fn note_without_marking(marking: &str, note: &str) -> String {
    if marking.is_empty() {
        return note.to_string();
    }
    let first = format!("{NOTE_MARKING_PREFIX}{marking}");
    match note.strip_prefix(&first) {
        Some("") => String::new(),
        Some(rest) => match rest.strip_prefix('\n') {
            Some(notes) => notes.to_string(),
            None => note.to_string(),
        },
        None => note.to_string(),
    }
}

/// The text of one export, and what went into it, so that the app can say "12 contacts exported,
/// 3 left out above RESTRICTED".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportText {
    /// The file's text.
    pub text: String,
    /// How many records (contacts, meetings or actions) it holds.
    pub written: usize,
    /// How many were left out because their marking is above the ceiling.
    pub above_ceiling: usize,
    /// How many were left out because the format cannot hold them (a meeting without a date in a
    /// calendar).
    pub undated: usize,
}

/// What an import did to the notebook.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    /// Records made new, by id, in file order. Duplicate suggestions
    /// ([`crate::queries::duplicates::candidates`]) are worth showing when contacts are among them.
    pub created: Vec<RecordId>,
    /// Existing records that changed (a matching UID), in file order.
    pub updated: Vec<RecordId>,
    /// Existing records the file matched but did not change.
    pub unchanged: Vec<RecordId>,
    /// What was read from the file but could not be imported, and why (a to-do with no meeting, say).
    pub not_imported: Vec<Problem>,
}

/// The id a UID stands for, for records of `kind`. A UUID (bare, `urn:uuid:…`, or `…@liaison` as
/// Liaison writes iCalendar UIDs) is taken as it is, so that Liaison's own exports come back to their
/// records; any other UID is hashed into a UUID (v8), so that the same foreign UID always gives the same
/// record and a second import updates instead of duplicating.
pub fn id_for_uid(kind: Kind, uid: &str) -> RecordId {
    let t = uid.trim();
    let bare = t.strip_suffix(UID_SUFFIX).unwrap_or(t);
    let bare = match bare.get(..9) {
        Some(p) if p.eq_ignore_ascii_case("urn:uuid:") => &bare[9..],
        _ => bare,
    };
    match Uuid::try_parse(bare) {
        Ok(u) if !u.is_nil() && !u.is_max() => RecordId(u),
        _ => RecordId::from_hash(format!("liaison uid\n{kind}\n{t}").as_bytes()),
    }
}

/// How one imported record landed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Landed {
    Created(RecordId),
    Updated(RecordId),
    Unchanged(RecordId),
}

impl Landed {
    pub(crate) fn id(self) -> RecordId {
        match self {
            Landed::Created(id) | Landed::Updated(id) | Landed::Unchanged(id) => id,
        }
    }

    pub(crate) fn record_in(self, out: &mut ImportOutcome) {
        match self {
            Landed::Created(id) => out.created.push(id),
            Landed::Updated(id) => out.updated.push(id),
            Landed::Unchanged(id) => out.unchanged.push(id),
        }
    }
}

/// Writes `values` into the record `wanted` of `kind`: updates it when it exists (restoring it when it
/// was deleted: the file says the person or meeting is wanted), creates it under that id otherwise.
/// Only the fields a file carried are written, so that importing a phone's card never blanks the
/// nation or notes kept in Liaison. An id held by a record of another kind (a hostile or unlucky UID)
/// is never touched: the record goes under an id derived from the wanted one instead. A value larger
/// than a bundle may carry is left out and named in `refused`, as typing it would be refused.
pub(crate) fn upsert(
    nb: &mut Notebook,
    kind: Kind,
    wanted: RecordId,
    values: &[(Field, Value)],
    now_ms: u64,
    random: &mut dyn FnMut() -> [u8; 10],
    refused: &mut Vec<Problem>,
) -> Landed {
    let (fit, too_large): (Vec<_>, Vec<_>) =
        values.iter().partition(|(_, v)| crate::notebook::value_bytes(v) <= crate::schema::MAX_VALUE_BYTES);
    for (field, v) in too_large {
        refused.push(Problem {
            line: 0,
            message: format!(
                "a {} of {} bytes was left out: a field holds at most 1 MB",
                field.label().to_lowercase(),
                crate::notebook::value_bytes(v)
            ),
        });
    }
    let fit: Vec<(Field, Value)> = fit.into_iter().cloned().collect();
    let (mut wanted, mut displaced) = (wanted, 0);
    loop {
        let target = if kind == Kind::Contact { nb.resolve_contact(wanted) } else { wanted };
        let existing = nb.record(target).map(|r| (r.kind, r.clone()));
        match existing {
            Some((k, before)) if k == kind => {
                if before.is_deleted() {
                    let _ = nb.restore(target, now_ms);
                }
                write_all(nb, target, &fit, now_ms);
                return if nb.record(target) == Some(&before) {
                    Landed::Unchanged(target)
                } else {
                    Landed::Updated(target)
                };
            }
            // A record of another kind holds the id. The record is made under an id derived from the
            // wanted one instead, so that importing the same file again still finds it.
            Some(_) if displaced < 2 => {
                wanted = RecordId::from_hash(format!("liaison displaced\n{kind}\n{wanted}").as_bytes());
                displaced += 1;
            }
            Some(_) => {
                let id = nb.create(kind, now_ms, random());
                write_all(nb, id, &fit, now_ms);
                return Landed::Created(id);
            }
            None => {
                nb.create_with_id(kind, wanted, now_ms);
                write_all(nb, wanted, &fit, now_ms);
                return Landed::Created(wanted);
            }
        }
    }
}

fn write_all(nb: &mut Notebook, id: RecordId, values: &[(Field, Value)], now_ms: u64) {
    for (field, value) in values {
        // The values are built per field from its shape, for fields of this kind, so `set` cannot refuse
        // them; an error here would be a bug in this module, and the field is then left as it was.
        let _ = nb.set(id, *field, value.clone(), now_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crdt::id::DeviceId;

    #[test]
    fn the_marking_line_comes_off_the_note_exactly() {
        for (m, n) in
            [("", ""), ("", "x"), ("SECRET", ""), ("SECRET", "x\ny"), ("SECRET", "\nstarts blank"), ("R", "Marking: R")]
        {
            assert_eq!(note_without_marking(m, &note_with_marking(m, n)), n, "{m:?} {n:?}");
        }
        assert_eq!(note_without_marking("SECRET", "Marking: SECRETS are fun"), "Marking: SECRETS are fun");
    }

    #[test]
    fn uuid_uids_are_taken_as_they_are_and_others_are_hashed_stably() {
        let id = "019cecd7-5160-7100-9122-334455a53d77";
        let want: RecordId = id.parse().unwrap();
        assert_eq!(id_for_uid(Kind::Contact, id), want);
        assert_eq!(id_for_uid(Kind::Contact, &format!("urn:uuid:{id}")), want);
        assert_eq!(id_for_uid(Kind::Contact, &format!("URN:UUID:{}", id.to_uppercase())), want);
        assert_eq!(id_for_uid(Kind::Meeting, &format!("{id}@liaison")), want);
        let outlook = "040000008200E00074C5B7101A82E00800000000D0C5F1A1C0B4DC01000000000000000010000000";
        let a = id_for_uid(Kind::Contact, outlook);
        assert_eq!(a, id_for_uid(Kind::Contact, outlook));
        assert_ne!(a, id_for_uid(Kind::Meeting, outlook));
        assert_ne!(id_for_uid(Kind::Contact, "00000000-0000-0000-0000-000000000000").0, Uuid::nil());
    }

    #[test]
    fn upsert_creates_under_the_wanted_id_then_updates_and_leaves_same_values_alone() {
        let mut nb = Notebook::new(DeviceId::new_v7(0, [1; 10]));
        let want = id_for_uid(Kind::Contact, "phone-uid-1");
        let mut n = 0u8;
        let mut random = || {
            n += 1;
            [n; 10]
        };
        let values = vec![(Field::Name, Value::Text("Anna Berg".into()))];
        let mut refused = Vec::new();
        assert_eq!(
            upsert(&mut nb, Kind::Contact, want, &values, 1_000, &mut random, &mut refused),
            Landed::Created(want)
        );
        assert_eq!(nb.records().count(), 1, "the temporary record is gone");
        assert_eq!(
            upsert(&mut nb, Kind::Contact, want, &values, 2_000, &mut random, &mut refused),
            Landed::Unchanged(want)
        );
        let changed = vec![(Field::Name, Value::Text("Anna Berg-Lund".into()))];
        assert_eq!(
            upsert(&mut nb, Kind::Contact, want, &changed, 3_000, &mut random, &mut refused),
            Landed::Updated(want)
        );
        assert_eq!(nb.contact(want).unwrap().name, "Anna Berg-Lund");
    }

    #[test]
    fn an_id_held_by_another_kind_is_never_touched() {
        let mut nb = Notebook::new(DeviceId::new_v7(0, [1; 10]));
        let meeting = nb.create(Kind::Meeting, 1_000, [1; 10]);
        let values = vec![(Field::Name, Value::Text("Intruder".into()))];
        let landed = upsert(&mut nb, Kind::Contact, meeting, &values, 2_000, &mut || [2; 10], &mut Vec::new());
        assert!(matches!(landed, Landed::Created(id) if id != meeting));
        assert!(nb.meeting(meeting).is_some());
        let again = upsert(&mut nb, Kind::Contact, meeting, &values, 3_000, &mut || [3; 10], &mut Vec::new());
        assert_eq!(again, Landed::Unchanged(landed.id()), "the same file again finds the same record");
    }
}
