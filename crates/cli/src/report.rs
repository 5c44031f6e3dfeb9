//! What the commands print about bundles, records and conflicts.

use std::collections::BTreeMap;

use liaison_core::crdt::record::{Conflict, Entry, Record};
use liaison_core::date::UtcDateTime;
use liaison_core::formats::bundle::{Bundle, Problem, Scope};
use liaison_core::formats::wire::DeviceV1;
use liaison_core::model::DeviceProfile;
use liaison_core::{DeviceId, Kind};

use crate::merge::Summary;
use crate::text::{clean, MESSAGE_CHARS, NAME_CHARS, VALUE_CHARS};
use liaison_core::text::plural;

/// Device profiles by id, to name the officer behind each edit.
#[derive(Clone, Debug, Default)]
pub struct Directory(BTreeMap<DeviceId, DeviceProfile>);

impl Directory {
    /// A directory from profiles; for an id given twice, the later profile's non-blank parts win.
    pub fn new<'a>(profiles: impl IntoIterator<Item = &'a DeviceV1>) -> Self {
        let mut map: BTreeMap<DeviceId, DeviceProfile> = BTreeMap::new();
        for p in profiles.into_iter().cloned().map(DeviceProfile::from) {
            match map.get_mut(&p.id) {
                Some(known) => known.learn(p),
                None => {
                    map.insert(p.id, p);
                }
            }
        }
        Directory(map)
    }

    /// The directory of a bundle: its device list and its exporter.
    pub fn of_bundle(b: &Bundle) -> Self {
        Self::new(b.devices.iter().chain(std::iter::once(&b.device)))
    }

    /// "Lt Col Ana Ruiz (Field laptop)", or "unknown device 0190a1b2" when the bundle does not name it.
    pub fn author(&self, id: DeviceId) -> String {
        match self.0.get(&id) {
            // Each part is made safe for one line first, so that the name is shown exactly as core names
            // devices, only escaped.
            Some(d) => DeviceProfile {
                id: d.id,
                label: clean(d.label.trim(), NAME_CHARS),
                officer: clean(d.officer.trim(), NAME_CHARS),
            }
            .display_name(),
            None => format!("unknown device {}", &id.to_string()[..8]),
        }
    }
}

/// A bundle problem as a line (as `validate` prints them).
pub fn bundle_problem_line(file: &str, p: &Problem) -> String {
    match &p.record {
        Some(id) => format!("{file}: record {}: {}", clean(id, 80), clean(&p.message, MESSAGE_CHARS)),
        None => format!("{file}: {}", clean(&p.message, MESSAGE_CHARS)),
    }
}

/// `all` or `changes`.
pub fn scope_word(scope: Scope) -> &'static str {
    match scope {
        Scope::All => "all",
        Scope::Changes => "changes",
    }
}

/// The line `validate` prints for a valid bundle (after `FILE: `).
pub fn ok_line(b: &Bundle) -> String {
    format!(
        "ok ({}, device {} / {}, sequence {}, {})",
        plural(b.records.len(), "record", "records"),
        clean(&b.device.label, NAME_CHARS),
        clean(&b.device.officer, NAME_CHARS),
        b.sequence,
        scope_word(b.scope)
    )
}

/// `meeting 0190…-… “Staff talks”`: what a person needs to find the record.
pub fn record_heading(r: &Record) -> String {
    let (field, blank) = match r.kind {
        Kind::Contact => ("name", "unnamed contact"),
        Kind::Meeting => ("title", "untitled meeting"),
        Kind::Action => ("text", "action with no text"),
    };
    let title = r.text(field).trim();
    if title.is_empty() {
        format!("{} {} ({blank})", r.kind, r.id)
    } else {
        format!("{} {} “{}”", r.kind, r.id, clean(title, NAME_CHARS))
    }
}

fn value_text(e: &Entry) -> String {
    format!("“{}”", clean(&e.value.display(), VALUE_CHARS))
}

fn provenance(e: &Entry, dir: &Directory) -> String {
    format!("by {}, {}", dir.author(e.stamp.device), UtcDateTime::from_ms(e.stamp.wall_ms))
}

/// Every open conflict of a record, as lines indented by `indent`: one heading per conflict, then
/// one line per value with its author and time, the value shown now first.
pub fn conflict_lines(r: &Record, dir: &Directory, indent: &str) -> Vec<String> {
    let mut out = Vec::new();
    for c in r.conflicts() {
        match c {
            Conflict::Field { field, entries } => {
                out.push(format!(
                    "{indent}{}: field “{}” has {} concurrent values",
                    record_heading(r),
                    clean(&field, NAME_CHARS),
                    entries.len()
                ));
                for (n, e) in entries.iter().enumerate() {
                    let tag = if n == 0 { "shown" } else { "also " };
                    out.push(format!("{indent}    {tag} {} {}", value_text(e), provenance(e, dir)));
                }
            }
            Conflict::Life { entries } => {
                out.push(format!(
                    "{indent}{}: field “deleted” has {} concurrent values",
                    record_heading(r),
                    entries.len()
                ));
                for (n, e) in entries.iter().enumerate() {
                    let tag = if n == 0 { "shown" } else { "also " };
                    let life = if e.value.as_bool() { "deleted" } else { "alive" };
                    out.push(format!("{indent}    {tag} {life} {}", provenance(e, dir)));
                }
            }
            Conflict::EditedAfterDelete { deletion, edits } => {
                out.push(format!("{indent}{}: edited after it was deleted elsewhere", record_heading(r)));
                out.push(format!("{indent}    deleted {}", provenance(&deletion, dir)));
                for (field, e) in edits {
                    out.push(format!(
                        "{indent}    edit of “{}”: {} {}",
                        clean(&field, NAME_CHARS),
                        value_text(&e),
                        provenance(&e, dir)
                    ));
                }
            }
        }
    }
    out
}

/// The record counts line: `5000 records: 1750 contacts, 2000 meetings, 1250 actions; 12 deleted`.
pub fn counts_line(s: &Summary) -> String {
    format!(
        "{}: {}, {}, {}; {} deleted",
        plural(s.total(), "record", "records"),
        plural(s.of_kind(Kind::Contact), "contact", "contacts"),
        plural(s.of_kind(Kind::Meeting), "meeting", "meetings"),
        plural(s.of_kind(Kind::Action), "action", "actions"),
        s.deleted()
    )
}

/// The open conflicts line:
/// `open conflicts in 3 records: 2 fields with concurrent values, 1 record edited after deletion`.
pub fn conflicts_line(s: &Summary) -> String {
    format!(
        "open conflicts in {}: {} with concurrent values, {} edited after deletion",
        plural(s.records_in_conflict, "record", "records"),
        plural(s.conflicting_fields, "field", "fields"),
        plural(s.edited_after_delete, "record", "records")
    )
}

/// Edits stamped further ahead of `now_ms` than the clock allows: made on a device with a wrong date.
pub fn ahead_line<'a>(records: impl IntoIterator<Item = &'a Record>, now_ms: u64) -> Option<String> {
    let limit = now_ms.saturating_add(liaison_core::crdt::clock::MAX_FUTURE_SKEW_MS);
    let n = records.into_iter().flat_map(|r| r.stamps()).filter(|s| s.wall_ms > limit).count();
    (n > 0).then(|| {
        format!(
            "warning: {} stamped more than 10 minutes ahead of this computer's clock (a device with a wrong date?)",
            plural(n, "edit is", "edits are")
        )
    })
}

/// Everything `inspect` prints about a valid bundle; `now_ms` is this computer's clock.
pub fn inspect(b: &Bundle, now_ms: u64) -> Vec<String> {
    let dir = Directory::of_bundle(b);
    let summary = Summary::of(&b.records);
    let mut out = vec![
        format!("bundle:      {}", b.id),
        format!(
            "exported by: device “{}”, officer “{}”, device id {}",
            clean(&b.device.label, NAME_CHARS),
            clean(&b.device.officer, NAME_CHARS),
            b.device.id
        ),
        format!("sequence:    {}", b.sequence),
        format!("scope:       {}", scope_word(b.scope)),
        format!("created:     {}", UtcDateTime::from_ms(b.created_ms)),
        format!("records:     {}", b.records.len()),
    ];
    for kind in [Kind::Contact, Kind::Meeting, Kind::Action] {
        let (alive, deleted) = summary.by_kind.get(&kind).copied().unwrap_or((0, 0));
        out.push(format!("  {:<9}  {alive} alive, {deleted} deleted", format!("{kind}s")));
    }
    let mut edits: BTreeMap<DeviceId, usize> = BTreeMap::new();
    for r in &b.records {
        for s in r.stamps() {
            *edits.entry(s.device).or_default() += 1;
        }
    }
    let mut edits: Vec<(DeviceId, usize)> = edits.into_iter().collect();
    edits.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out.push(format!("edits by device (values this bundle holds, by the device that wrote them): {}", edits.len()));
    for (id, n) in edits {
        out.push(format!("  {}, device id {id}: {}", dir.author(id), plural(n, "edit", "edits")));
    }
    out.extend(ahead_line(&b.records, now_ms));
    out.push(conflicts_line(&summary));
    for r in &b.records {
        out.extend(conflict_lines(r, &dir, "  "));
    }
    out
}
