//! What a planned import brings, across all its files, for the preview: which records are new, updated,
//! conflicted or deleted (with their titles), how many of them carry each marking, the files in the
//! order a person reads them (by officer, then sequence), and the bundles still missing once it is in.
//!
//! The totals count records, not files: a record that one file creates and a later one changes is one
//! new record. They are read from the plan's overlay, which holds each record as the whole import leaves
//! it, against the notebook as it is now.

use std::collections::{BTreeMap, BTreeSet};

use super::{FileVerdict, ImportLog, Plan, Preview};
use crate::crdt::id::{DeviceId, RecordId};
use crate::crdt::record::Record;
use crate::marking::{highest_marking_of, marking_level, MarkingLevel};
use crate::model::{Action, Contact, Meeting};
use crate::notebook::Notebook;
use crate::schema::{Field, Kind};
use crate::text;

/// How many titles a category lists; the rest are counted. A team's import brings a hundred thousand
/// records, more than anyone reads in a preview.
pub const LISTED_TITLES: usize = 50;

/// Sorts files that have no device of their own (other programs' files, refused files) among themselves.
const NO_DEVICE: DeviceId = DeviceId(uuid::Uuid::nil());

/// What an import does to a record, as the preview groups them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    /// Not on this device yet.
    New,
    /// Here, and the import changes it.
    Updated,
    /// Shows a conflict after the import that it did not show before.
    Conflict,
    /// The import deletes it.
    Deleted,
}

impl Change {
    /// Every category, in the order the preview lists them.
    pub const EVERY: [Change; 4] = [Change::New, Change::Updated, Change::Conflict, Change::Deleted];

    /// The category's name on screen.
    pub fn label(self) -> &'static str {
        match self {
            Change::New => "New",
            Change::Updated => "Updated",
            Change::Conflict => "Conflicts",
            Change::Deleted => "Deleted",
        }
    }
}

/// One record in a category: enough to name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Titled {
    /// The record.
    pub id: RecordId,
    /// Contact, meeting or action.
    pub kind: Kind,
    /// Its name or title as the import leaves it, never blank.
    pub title: String,
}

/// The records of one category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    /// Which category.
    pub change: Change,
    /// How many records are in it.
    pub count: usize,
    /// The first [`LISTED_TITLES`] of them, meetings then contacts then actions, each by title.
    pub listed: Vec<Titled>,
}

/// How many of the records an import brings carry one marking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkingCount {
    /// The marking as first spelled among them; empty for unmarked records.
    pub marking: String,
    /// Its grade, for the colour of its tag.
    pub level: MarkingLevel,
    /// Records carrying it.
    pub records: usize,
}

/// Everything an import brings, across its files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportSummary {
    /// Files that can be imported (repeats included).
    pub ready: usize,
    /// Files refused.
    pub rejected: usize,
    /// Files imported before, which change nothing.
    pub repeats: usize,
    /// Records the readable files carry, counted per file.
    pub carried: usize,
    /// Records the import adds or changes: what a person confirms.
    pub changed: usize,
    /// Each category in [`Change::EVERY`]'s order, empty ones included.
    pub categories: Vec<Category>,
    /// The markings of the records the import adds or changes, most restrictive first, unmarked last.
    /// An action carries its meeting's marking; one whose meeting is nowhere is counted under
    /// [`MarkingLevel::Other`], as exports grade it.
    pub markings: Vec<MarkingCount>,
    /// Bundles of the officers in these files that will still be missing once they are imported, as
    /// sentences: "Bundle 2 from Hptm Reto Caflisch (Caflisch laptop) is missing."
    pub gaps: Vec<String>,
}

/// The summary of a planned import (see the module documentation).
pub fn summarize(nb: &Notebook, log: &ImportLog, plan: &Plan) -> ImportSummary {
    let ready: Vec<&Preview> = plan.ready().collect();
    let mut found: BTreeMap<Change, Vec<(Kind, String, RecordId)>> = BTreeMap::new();
    let mut markings: BTreeMap<String, (String, MarkingLevel, usize)> = BTreeMap::new();
    for (id, after) in &plan.merged {
        let before = nb.record(*id);
        let changes = changes_of(before, after);
        if !changes.is_empty() {
            // Sorted by the title as typed; the stand-in of a blank one is only made for those listed.
            let key = text::key(after.text(title_field(after.kind).key()));
            for change in changes {
                found.entry(change).or_default().push((after.kind, key.clone(), *id));
            }
        }
        let (marking, level) = marking_of(nb, plan, after);
        let e = markings.entry(marking.to_uppercase()).or_insert((marking, level, 0));
        e.2 += 1;
    }
    let categories = Change::EVERY
        .iter()
        .map(|&change| {
            let mut all = found.remove(&change).unwrap_or_default();
            let count = all.len();
            let order = |a: &(Kind, String, RecordId), b: &(Kind, String, RecordId)| {
                (kind_rank(a.0), &a.1, a.2).cmp(&(kind_rank(b.0), &b.1, b.2))
            };
            if all.len() > LISTED_TITLES {
                all.select_nth_unstable_by(LISTED_TITLES - 1, order);
                all.truncate(LISTED_TITLES);
            }
            all.sort_by(order);
            let listed = all
                .into_iter()
                .filter_map(|(kind, _, id)| plan.merged.get(&id).map(|r| Titled { id, kind, title: title_of(r) }))
                .collect();
            Category { change, count, listed }
        })
        .collect();
    let mut markings: Vec<MarkingCount> =
        markings.into_values().map(|(marking, level, records)| MarkingCount { marking, level, records }).collect();
    markings.sort_by(|a, b| (b.level, &a.marking).cmp(&(a.level, &b.marking)));
    ImportSummary {
        ready: ready.len(),
        rejected: plan.files.len() - ready.len(),
        repeats: ready.iter().filter(|p| p.repeat_of.is_some()).count(),
        carried: ready.iter().map(|p| p.records).sum(),
        changed: plan.merged.len(),
        categories,
        markings,
        gaps: gaps_after(nb, log, plan),
    }
}

/// Where a file goes in the order a person reads an import: bundles by officer (then device label and
/// id) and sequence, then files from other programs by name, then refused files by name. Before
/// planning, [`FileOrder::of_head`] places a file by its first bytes alone, so that files are read and
/// planned one at a time in that order: a bundle whose head cannot be peeked (a compressed one, say)
/// comes after the bundles that could.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileOrder(u8, String, String, DeviceId, u64, String);

impl FileOrder {
    /// A bundle from `device` with this sequence number, read from `file`.
    fn bundle(device: &crate::model::DeviceProfile, sequence: u64, file: &str) -> Self {
        FileOrder(1, text::key(&device.officer), text::key(&device.label), device.id, sequence, file.to_string())
    }

    /// A file whose first bytes said nothing of where it goes.
    fn unknown(file: &str) -> Self {
        FileOrder(2, String::new(), String::new(), NO_DEVICE, 0, file.to_string())
    }

    /// A file from another program.
    fn other(file: &str) -> Self {
        FileOrder(3, String::new(), String::new(), NO_DEVICE, 0, file.to_string())
    }

    /// A file that cannot be imported.
    fn refused(file: &str) -> Self {
        FileOrder(4, String::new(), String::new(), NO_DEVICE, 0, file.to_string())
    }

    /// The place of a file before it is read, from its first [`crate::formats::bundle::HEAD_BYTES`]:
    /// planning files in this order gives each its share of the counts in the order they are shown (an
    /// officer's first bundle brings the records new, the later ones update them) while only one file at
    /// a time is held parsed. `other_program` is whether the file is a vCard, iCalendar or CSV file
    /// (`pipeline::detect`). The device id is not in a bundle's first bytes (v3 keeps it in the device
    /// table), so two devices of one officer with one label are planned by sequence together.
    pub fn of_head(file: &str, prefix: &[u8], other_program: bool) -> Self {
        if other_program {
            return FileOrder::other(file);
        }
        match crate::formats::bundle::peek_head(prefix) {
            Some(h) => {
                FileOrder(1, text::key(&h.officer), text::key(&h.label), NO_DEVICE, h.sequence, file.to_string())
            }
            None => FileOrder::unknown(file),
        }
    }

    /// The place of a planned file's verdict.
    pub fn of_verdict(verdict: &FileVerdict) -> Self {
        match verdict {
            FileVerdict::Ready(p) if p.format.is_none() => FileOrder::bundle(&p.device, p.sequence, &p.file),
            FileVerdict::Ready(p) => FileOrder::other(&p.file),
            FileVerdict::Rejected { file, .. } => FileOrder::refused(file),
        }
    }
}

/// The plan's files in the order a person reads them ([`FileOrder`]), as indexes into `plan.files`,
/// which stay in the order they were planned.
pub fn files_in_order(plan: &Plan) -> Vec<usize> {
    let mut order: Vec<usize> = (0..plan.files.len()).collect();
    order.sort_by_cached_key(|&i| FileOrder::of_verdict(&plan.files[i]));
    order
}

/// What the import does to one record, as the preview's counts judge it: a record new here is new (and
/// conflicted or deleted if it arrives so); one here is updated when it changes, conflicted when it
/// shows more conflicts than before, deleted when it was alive before.
fn changes_of(before: Option<&Record>, after: &Record) -> Vec<Change> {
    let mut out = Vec::new();
    match before {
        None => {
            out.push(Change::New);
            if !after.conflicts().is_empty() {
                out.push(Change::Conflict);
            }
            if after.is_deleted() {
                out.push(Change::Deleted);
            }
        }
        Some(before) if before == after => {}
        Some(before) => {
            out.push(Change::Updated);
            if after.conflicts().len() > before.conflicts().len() {
                out.push(Change::Conflict);
            }
            if after.is_deleted() && !before.is_deleted() {
                out.push(Change::Deleted);
            }
        }
    }
    out
}

fn kind_rank(kind: Kind) -> u8 {
    match kind {
        Kind::Meeting => 0,
        Kind::Contact => 1,
        Kind::Action => 2,
    }
}

/// The field a record is named by.
fn title_field(kind: Kind) -> Field {
    match kind {
        Kind::Contact => Field::Name,
        Kind::Meeting => Field::Title,
        Kind::Action => Field::Text,
    }
}

/// The name a list shows for a record, never blank.
fn title_of(r: &Record) -> String {
    match r.kind {
        Kind::Contact => Contact::from_record(r).display_name(),
        Kind::Meeting => Meeting::from_record(r).display_title(),
        Kind::Action => Action::from_record(r).display_text(),
    }
}

/// A record's marking after the import, as exports grade it: an action carries its meeting's (from the
/// import, else from here).
fn marking_of(nb: &Notebook, plan: &Plan, r: &Record) -> (String, MarkingLevel) {
    let marked = match r.kind {
        Kind::Contact | Kind::Meeting => Some(r),
        Kind::Action => r
            .text(Field::Meeting.key())
            .parse()
            .ok()
            .and_then(|id: RecordId| plan.merged.get(&id).or_else(|| nb.record(id)))
            .filter(|m| m.kind == Kind::Meeting),
    };
    match marked {
        Some(m) => {
            let marking = highest_marking_of([m]);
            let level = marking_level(&marking);
            (marking, level)
        }
        None => (NOT_GRADED.to_string(), MarkingLevel::Other),
    }
}

/// What the marking summary calls an action whose meeting is on neither side.
pub const NOT_GRADED: &str = "Not graded: its meeting is not here";

/// The gaps of the devices whose bundles the plan imports, as they will be once it is imported.
fn gaps_after(nb: &Notebook, log: &ImportLog, plan: &Plan) -> Vec<String> {
    let devices: BTreeSet<DeviceId> = plan.log.iter().map(|e| e.device).collect();
    if devices.is_empty() {
        return Vec::new();
    }
    let mut after = log.clone();
    after.entries.extend(plan.log.iter().cloned());
    let named = |d: DeviceId| {
        plan.devices
            .iter()
            .rev()
            .find(|p| p.id == d)
            .and_then(|p| crate::model::DeviceProfile::from(p.clone()).name())
            .unwrap_or_else(|| nb.author(d))
    };
    after
        .gaps()
        .into_iter()
        .filter(|g| devices.contains(&g.device))
        .map(|g| {
            let who = named(g.device);
            match g.missing.as_slice() {
                [one] => format!("Bundle {one} from {who} is missing."),
                many => format!(
                    "Bundles {} from {who} are missing.",
                    many.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
                ),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::{export, plan, ExportRequest, ExportState};
    use crate::formats::bundle::{read_bundle, Scope};
    use crate::formats::wire::DeviceV1;
    use crate::marking::Ceiling;
    use crate::schema::Value;

    const NOW: u64 = 1_790_000_000_000;

    /// An officer's device: its notebook, its profile and what it remembers of its exports.
    struct Officer {
        nb: Notebook,
        device: DeviceV1,
        state: ExportState,
        tick: u64,
    }

    impl Officer {
        fn new(seed: u8, officer: &str, label: &str) -> Self {
            let id = DeviceId::new_v7(NOW - 1_000_000 + u64::from(seed), [seed; 10]);
            let device = DeviceV1 { id, label: label.into(), officer: officer.into() };
            Officer { nb: Notebook::new(id), device, state: ExportState::default(), tick: 0 }
        }

        fn now(&mut self) -> u64 {
            self.tick += 1;
            NOW - 500_000 + self.tick * 10
        }

        fn record(&mut self, kind: Kind, fields: &[(Field, &str)]) -> RecordId {
            let now = self.now();
            let id = self.nb.create(kind, now, [self.tick as u8; 10]);
            for (f, v) in fields {
                self.set(id, *f, v);
            }
            id
        }

        fn set(&mut self, id: RecordId, field: Field, value: &str) {
            let now = self.now();
            self.nb.set(id, field, Value::Text(value.into()), now).expect("an edit");
        }

        /// A bundle of what changed since the last export, as a picked file.
        fn export(
            &mut self,
            name: &str,
        ) -> (String, Result<crate::formats::bundle::Bundle, Vec<crate::formats::bundle::Problem>>) {
            let (name, text) = self.export_text(name);
            (name, read_bundle(text.as_bytes(), NOW))
        }

        /// The file an export writes, unread.
        fn export_text(&mut self, name: &str) -> (String, String) {
            let now = self.now();
            let replicas = self.nb.own_replicas().clone();
            let req = ExportRequest {
                device: &self.device,
                replicas: &replicas,
                scope: Scope::Changes,
                bundle_id: uuid::Uuid::from_u128(u128::from(self.device.id.0.as_u128() as u64) << 64 | u128::from(now)),
                now_ms: now,
                today: crate::date::Date::parse("2026-12-01").expect("a date"),
                ceiling: Ceiling::All,
            };
            let text = export(&self.nb, &mut self.state, req).expect("an export").text;
            (name.to_string(), text)
        }
    }

    fn coordinator() -> Notebook {
        Notebook::new(DeviceId::new_v7(NOW - 2_000_000, [0xC0; 10]))
    }

    fn titles(c: &Category) -> Vec<&str> {
        c.listed.iter().map(|t| t.title.as_str()).collect()
    }

    fn category(s: &ImportSummary, change: Change) -> &Category {
        s.categories.iter().find(|c| c.change == change).expect("every category is there")
    }

    #[test]
    fn a_record_one_file_creates_and_a_later_one_changes_counts_once_as_new() {
        let mut reto = Officer::new(1, "Hptm Reto Caflisch", "Caflisch laptop");
        let m = reto.record(Kind::Meeting, &[(Field::Title, "Border liaison Spielfeld")]);
        let first = reto.export("reto-1.json");
        reto.set(m, Field::Decisions, "Joint patrols from March");
        let second = reto.export("reto-2.json");
        let nb = coordinator();
        let log = ImportLog::default();
        let p = plan(&nb, &log, vec![first, second], NOW);
        let s = summarize(&nb, &log, &p);
        assert_eq!(category(&s, Change::New).count, 1);
        assert_eq!(titles(category(&s, Change::New)), ["Border liaison Spielfeld"]);
        assert_eq!(category(&s, Change::Updated).count, 0);
        assert_eq!((s.ready, s.rejected, s.changed), (2, 0, 1));
    }

    #[test]
    fn records_here_that_a_file_changes_are_listed_as_updated_and_new_ones_meetings_first_by_title() {
        let mut reto = Officer::new(1, "Hptm Reto Caflisch", "Caflisch laptop");
        let c = reto.record(Kind::Contact, &[(Field::Name, "Anna Wöber")]);
        let first = reto.export("reto-1.json");
        let mut nb = coordinator();
        let mut log = ImportLog::default();
        let p = plan(&nb, &log, vec![first], NOW);
        crate::exchange::apply(&mut nb, &mut log, p, NOW).expect("the plan applies");
        reto.set(c, Field::Notes, "Prefers mornings");
        reto.record(Kind::Meeting, &[(Field::Title, "Weekly sync")]);
        reto.record(Kind::Contact, &[(Field::Name, "Boris Kovalenko")]);
        reto.record(Kind::Meeting, &[(Field::Title, "Airport handover")]);
        let p = plan(&nb, &log, vec![reto.export("reto-2.json")], NOW);
        let s = summarize(&nb, &log, &p);
        assert_eq!(titles(category(&s, Change::New)), ["Airport handover", "Weekly sync", "Boris Kovalenko"]);
        assert_eq!(titles(category(&s, Change::Updated)), ["Anna Wöber"]);
        assert_eq!(category(&s, Change::Conflict).count, 0);
    }

    #[test]
    fn a_field_both_sides_edited_is_listed_under_conflicts() {
        let mut reto = Officer::new(1, "Hptm Reto Caflisch", "Caflisch laptop");
        let m = reto.record(Kind::Meeting, &[(Field::Title, "Border liaison")]);
        let mut nb = coordinator();
        let mut log = ImportLog::default();
        let p = plan(&nb, &log, vec![reto.export("reto-1.json")], NOW);
        crate::exchange::apply(&mut nb, &mut log, p, NOW).expect("the plan applies");
        nb.set(m, Field::Decisions, Value::Text("Ours".into()), NOW - 100).expect("an edit here");
        reto.set(m, Field::Decisions, "Theirs");
        let p = plan(&nb, &log, vec![reto.export("reto-2.json")], NOW);
        let s = summarize(&nb, &log, &p);
        assert_eq!(titles(category(&s, Change::Conflict)), ["Border liaison"]);
        assert_eq!(titles(category(&s, Change::Updated)), ["Border liaison"]);
    }

    #[test]
    fn the_marking_summary_counts_records_per_marking_most_restrictive_first_and_actions_under_their_meeting() {
        let mut reto = Officer::new(1, "Hptm Reto Caflisch", "Caflisch laptop");
        let m = reto.record(Kind::Meeting, &[(Field::Title, "Restricted talk"), (Field::Marking, "RESTRICTED")]);
        reto.record(Kind::Action, &[(Field::Text, "Send the minutes"), (Field::Meeting, &m.to_string())]);
        reto.record(Kind::Meeting, &[(Field::Title, "Open talk"), (Field::Marking, "UNCLASSIFIED")]);
        reto.record(Kind::Contact, &[(Field::Name, "Anna Wöber"), (Field::Marking, "restricted")]);
        reto.record(Kind::Contact, &[(Field::Name, "Boris Kovalenko")]);
        let nb = coordinator();
        let log = ImportLog::default();
        let p = plan(&nb, &log, vec![reto.export("reto-1.json")], NOW);
        let s = summarize(&nb, &log, &p);
        let got: Vec<(&str, usize)> = s.markings.iter().map(|m| (m.marking.as_str(), m.records)).collect();
        assert_eq!(got, [("RESTRICTED", 3), ("UNCLASSIFIED", 1), ("", 1)]);
    }

    #[test]
    fn a_bundle_missing_between_two_being_imported_is_warned_of_before_the_import() {
        let mut reto = Officer::new(1, "Hptm Reto Caflisch", "Caflisch laptop");
        reto.record(Kind::Contact, &[(Field::Name, "Anna Wöber")]);
        let first = reto.export("reto-1.json");
        reto.record(Kind::Contact, &[(Field::Name, "Boris Kovalenko")]);
        let _second = reto.export("reto-2.json");
        reto.record(Kind::Contact, &[(Field::Name, "Clara Weiss")]);
        let third = reto.export("reto-3.json");
        let nb = coordinator();
        let log = ImportLog::default();
        let p = plan(&nb, &log, vec![first, third], NOW);
        let s = summarize(&nb, &log, &p);
        assert_eq!(s.gaps, ["Bundle 2 from Hptm Reto Caflisch (Caflisch laptop) is missing."]);
        assert!(log.entries.is_empty(), "planning records nothing");
    }

    #[test]
    fn no_gap_is_warned_of_when_the_files_hold_every_bundle_in_sequence() {
        let mut reto = Officer::new(1, "Hptm Reto Caflisch", "Caflisch laptop");
        reto.record(Kind::Contact, &[(Field::Name, "Anna Wöber")]);
        let first = reto.export("reto-1.json");
        reto.record(Kind::Contact, &[(Field::Name, "Boris Kovalenko")]);
        let second = reto.export("reto-2.json");
        let nb = coordinator();
        let log = ImportLog::default();
        let s = summarize(&nb, &log, &plan(&nb, &log, vec![second, first], NOW));
        assert!(s.gaps.is_empty(), "{:?}", s.gaps);
    }

    #[test]
    fn files_are_shown_by_officer_then_sequence_whatever_order_they_were_picked_in() {
        let mut reto = Officer::new(1, "Hptm Reto Caflisch", "Caflisch laptop");
        let mut karin = Officer::new(2, "Maj Karin Huber", "Huber tablet");
        reto.record(Kind::Contact, &[(Field::Name, "Anna Wöber")]);
        let r1 = reto.export("r1.json");
        reto.record(Kind::Contact, &[(Field::Name, "Boris Kovalenko")]);
        let r2 = reto.export("r2.json");
        karin.record(Kind::Contact, &[(Field::Name, "Clara Weiss")]);
        let k1 = karin.export("k1.json");
        let broken = ("broken.json".to_string(), read_bundle(b"{", NOW));
        let nb = coordinator();
        let log = ImportLog::default();
        let p = plan(&nb, &log, vec![broken, k1, r2, r1], NOW);
        let names: Vec<&str> = files_in_order(&p)
            .into_iter()
            .map(|i| match &p.files[i] {
                FileVerdict::Ready(p) => p.file.as_str(),
                FileVerdict::Rejected { file, .. } => file.as_str(),
            })
            .collect();
        assert_eq!(names, ["r1.json", "r2.json", "k1.json", "broken.json"]);
    }

    #[test]
    fn files_read_in_any_order_are_planned_by_officer_and_sequence_so_the_first_bundle_brings_the_new_records() {
        let mut reto = Officer::new(1, "Hptm Reto Caflisch", "Caflisch laptop");
        let m = reto.record(Kind::Meeting, &[(Field::Title, "Border liaison")]);
        let r1 = reto.export_text("r1.json");
        reto.set(m, Field::Decisions, "Joint patrols");
        let r2 = reto.export_text("r2.json");
        let mut picked = vec![("broken.json".to_string(), "{".to_string()), r2, r1];
        picked.sort_by_cached_key(|(name, text)| FileOrder::of_head(name, text.as_bytes(), false));
        let files = picked.into_iter().map(|(name, text)| (name, read_bundle(text.as_bytes(), NOW))).collect();
        let nb = coordinator();
        let p = plan(&nb, &ImportLog::default(), files, NOW);
        let counts: Vec<(&str, usize, usize)> = p.ready().map(|p| (p.file.as_str(), p.new, p.updated)).collect();
        assert_eq!(counts, [("r1.json", 1, 0), ("r2.json", 0, 1)]);
        assert!(matches!(p.files.last(), Some(FileVerdict::Rejected { file, .. }) if file == "broken.json"));
    }

    #[test]
    fn a_long_category_lists_its_first_titles_and_counts_them_all() {
        let mut reto = Officer::new(1, "Hptm Reto Caflisch", "Caflisch laptop");
        for i in 0..LISTED_TITLES + 7 {
            reto.record(Kind::Contact, &[(Field::Name, &format!("Contact {i:03}"))]);
        }
        let nb = coordinator();
        let log = ImportLog::default();
        let s = summarize(&nb, &log, &plan(&nb, &log, vec![reto.export("reto-1.json")], NOW));
        let new = category(&s, Change::New);
        assert_eq!(new.count, LISTED_TITLES + 7);
        assert_eq!(new.listed.len(), LISTED_TITLES);
        assert_eq!(new.listed.first().map(|t| t.title.as_str()), Some("Contact 000"));
    }
}
