//! vCard, iCalendar and CSV contact files enter through the same import pipeline as bundles.
//!
//! A file from another program is turned into a bundle of *proposals*: for every record the file names,
//! the values it holds that differ from what the notebook shows, stamped by a device that stands for the
//! file and that has seen nothing on this device. [`crate::exchange::plan`] then previews it like any
//! bundle (new, updated, unchanged, conflicts, refused), `apply` joins it, and Undo takes it back.
//!
//! Because the proposals have seen nothing, they never replace what was typed here: where a value
//! differs, both are kept and a person chooses (a conflict). Values for records that already exist are
//! stamped at the start of time, so what the notebook shows stays as it is until that choice; only
//! records the notebook does not have show the file's values at once. So re-importing an older file
//! never reverts newer work, and a deleted or merged-away record is not brought back: the file's values
//! wait beside the deletion as "edited after it was deleted elsewhere". A marking is never lowered: a
//! file's marking below the one shown is left out, and the preview says so.

use sha2::{Digest, Sha256};

use crate::crdt::clock::Stamp;
use crate::crdt::id::{uuid_from_digest, DeviceId};
use crate::crdt::record::Record;
use crate::formats::bundle::{Bundle, Scope};
use crate::formats::wire::DeviceV1;
use crate::marking::marking_level;
use crate::notebook::Notebook;
use crate::schema::Field;
use crate::schema::Value;

use crate::formats::lines::{built_in_charsets, LegacyCharsets};
use crate::formats::{csv, ical, vcard, FileFormat, ImportOutcome};

/// What the app or the CLI brings to reading files that core carries no tables for.
#[derive(Clone, Copy)]
pub struct FileContext<'a> {
    /// Legacy charsets (`CHARSET=SHIFT_JIS` and the like): the browser's `TextDecoder`, or encoding_rs.
    pub charsets: LegacyCharsets,
    /// The officer's zone and the zone database, so that invitation times land at local time; without
    /// them, times are kept as written.
    pub zones: Option<&'a ical::Zones<'a>>,
}

impl FileContext<'static> {
    /// Only what core knows itself: UTF-8, ISO-8859-1 and Windows-1252, and times as written.
    pub const BUILT_IN: FileContext<'static> = FileContext { charsets: built_in_charsets, zones: None };
}

/// The format of a picked file. Its extension decides; only a file without a known one is judged by its
/// content ([`crate::formats::sniff`]: a `BEGIN` line, or a spreadsheet's header of contact columns). A `.json` file is always a bundle (`None`), so a bundle that is not one is refused as
/// such, never re-read as something else.
pub fn detect(name: &str, bytes: &[u8]) -> Option<FileFormat> {
    let name = name.to_lowercase();
    if name.ends_with(".vcf") {
        return Some(FileFormat::VCard);
    }
    if name.ends_with(".ics") {
        return Some(FileFormat::ICal);
    }
    if name.ends_with(".csv") {
        return Some(FileFormat::Csv);
    }
    if name.ends_with(".json") {
        return None;
    }
    crate::formats::sniff(bytes)
}

/// The label of the device that stands for a file from another program: "vCard file contacts.vcf".
fn file_device_label(format: FileFormat, name: &str) -> String {
    format!("{} file {}", format.name(), name.chars().take(120).collect::<String>())
}

/// Whether a device the notebook knows stands for a file from another program (see [`read_file`]) rather
/// than for an officer's device: such a device has no officer, and its label is the one `read_file` gives.
pub fn is_file_device(device: &crate::model::DeviceProfile) -> bool {
    device.officer.trim().is_empty()
        && [FileFormat::VCard, FileFormat::ICal, FileFormat::Csv]
            .iter()
            .any(|f| device.label.strip_prefix(f.name()).is_some_and(|rest| rest.starts_with(" file ")))
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"liaison interop file\n");
    h.update(bytes);
    h.finalize().into()
}

/// Reads a vCard or iCalendar file as a bundle of proposals for this notebook. The same file always
/// gives the same bundle id and device, so importing it twice is a repeat. `random` feeds the ids of
/// records the file creates (contacts and meetings without a UID). The bundle's `notes` carry what the
/// file held that could not be imported, and the markings left out.
pub fn read_file(
    nb: &Notebook,
    format: FileFormat,
    name: &str,
    bytes: &[u8],
    cx: FileContext<'_>,
    now_ms: u64,
    random: &mut dyn FnMut() -> [u8; 10],
) -> Bundle {
    let hash = digest(bytes);
    let device = DeviceV1 {
        id: DeviceId(uuid_from_digest(&hash[16..])),
        label: file_device_label(format, name),
        officer: String::new(),
    };
    // The importer's rules (UIDs, attendee matching, folding) run on a copy; what it wrote is then taken
    // apart into proposals, so that the rules live once, in the importer.
    let mut scratch = nb.clone();
    let mut notes: Vec<String> = Vec::new();
    let outcome: ImportOutcome = match format {
        FileFormat::VCard => {
            let parsed = vcard::parse_with(bytes, cx.charsets);
            notes.extend(parsed.problems.iter().map(ToString::to_string));
            notes.extend(not_kept(&parsed.cards));
            vcard::import(&mut scratch, &parsed.cards, now_ms, random)
        }
        FileFormat::ICal => {
            let cal = ical::parse_with(bytes, cx.charsets, cx.zones);
            notes.extend(cal.problems.iter().map(ToString::to_string));
            ical::import(&mut scratch, &cal, now_ms, random)
        }
        // A spreadsheet of contacts (Outlook, Google, Liaison's own contacts.csv): its rows are cards.
        FileFormat::Csv => {
            let parsed = csv::parse_contacts(bytes);
            notes.extend(parsed.problems.iter().map(ToString::to_string));
            notes.extend(not_kept(&parsed.cards));
            vcard::import(&mut scratch, &parsed.cards, now_ms, random)
        }
    };
    notes.extend(outcome.not_imported.iter().map(ToString::to_string));
    let mut counter = 0u32;
    let mut next = |wall_ms: u64| {
        counter = counter.saturating_add(1);
        Stamp { wall_ms, counter, device: device.id }
    };
    let mut records = Vec::new();
    for id in outcome.created.iter().chain(&outcome.updated).chain(&outcome.unchanged) {
        let Some(imported) = scratch.record(*id) else { continue };
        records.push(proposal(nb.record(*id), imported, now_ms, &mut next, &mut notes));
    }
    records.sort_by_key(|r| r.id);
    records.dedup_by_key(|r| r.id);
    Bundle {
        id: uuid_from_digest(&hash),
        created_ms: now_ms,
        device: device.clone(),
        sequence: 1,
        scope: Scope::Changes,
        devices: vec![device],
        records,
        checksum: format!("sha256-file:{}", hash.iter().map(|b| format!("{b:02x}")).collect::<String>()),
        notes,
        format: Some(format),
        marking: None,
    }
}

/// What the cards held that Liaison has no field for (a vCard's `BDAY`, a spreadsheet's "Birthday"
/// column), each with the number of cards that held it, as one note.
fn not_kept(cards: &[vcard::Card]) -> Option<String> {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for s in cards.iter().flat_map(|c| &c.skipped) {
        *counts.entry(s).or_default() += 1;
    }
    if counts.is_empty() {
        return None;
    }
    let list: Vec<String> = counts.iter().take(20).map(|(s, n)| format!("{s} ({n})")).collect();
    let more = counts.len().saturating_sub(20);
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    Some(format!("Liaison has no field for these, so they were not kept: {}{more}", list.join(", ")))
}

/// The proposal for one record: the file's values that differ from what `local` shows.
fn proposal(
    local: Option<&Record>,
    imported: &Record,
    now_ms: u64,
    next: &mut dyn FnMut(u64) -> Stamp,
    notes: &mut Vec<String>,
) -> Record {
    // New records show the file's values at once; values for a record that exists wait beside its own.
    let wall = if local.is_some() { 0 } else { now_ms };
    let mut out = match local {
        Some(l) => Record { id: l.id, kind: l.kind, fields: Default::default(), life: l.life.clone() },
        None => Record::new(imported.id, imported.kind, next(wall)),
    };
    for (name, reg) in &imported.fields {
        let Some(value) = reg.winner().map(|e| &e.value) else { continue };
        let shown = local.and_then(|l| l.get(name));
        if shown == Some(value) || (shown.is_none() && is_blank(value)) {
            continue;
        }
        if name == Field::Marking.key() {
            if let Some(Value::Text(current)) = shown {
                if marking_level(value.as_text()) < marking_level(current) {
                    notes.push(format!(
                        "The file marks {} “{}” {}, lower than its marking here ({current}); the marking here was kept.",
                        imported.kind.with_article(),
                        title_of(imported),
                        if value.as_text().is_empty() { "with no marking".to_string() } else { value.as_text().to_string() }
                    ));
                    continue;
                }
            }
        }
        out.write(name, value.clone(), next(wall));
    }
    // A record the file matches and leaves as it is still travels, bare, so the preview counts it as
    // unchanged.
    out
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Text(s) => s.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Bool(b) => !b,
    }
}

fn title_of(r: &Record) -> String {
    let t = if r.text("name").is_empty() { r.text("title") } else { r.text("name") };
    t.chars().take(60).collect()
}
