//! What every record of a bundle must satisfy, whatever its version: stamps, sizes, links; and the
//! questions import asks of a whole bundle.

use std::collections::{BTreeMap, BTreeSet};

use crate::crdt::clock::MAX_FUTURE_SKEW_MS;
use crate::crdt::id::{DeviceId, RecordId};
use crate::crdt::record::Record;
use crate::schema::{Field, Kind, MAX_VALUE_BYTES};

use super::shapes::*;

/// Checks a bundle in any record format. `checksum_ok` is `None` when the checksum is the serialised
/// DTO's (v1, v2) and is worked out here; v3 checks its checksum on the file's bytes and passes the
/// answer. `problems` holds what the caller already found.
pub(super) fn validate<R: WireRecord>(
    mut dto: BundleDto<R>,
    now_ms: u64,
    checksum_ok: Option<bool>,
    mut problems: Vec<Problem>,
) -> Result<Bundle, Vec<Problem>> {
    let checksum_ok = checksum_ok.unwrap_or_else(|| checksum_of(&mut dto) == dto.checksum);
    if !checksum_ok {
        problems.push(Problem::file(
            "the checksum does not match the content: the file was changed or damaged after it was exported",
        ));
    }
    if dto.sequence == 0 {
        problems.push(Problem::file("the sequence number must start at 1"));
    }
    if dto.sequence > MAX_SEQUENCE {
        problems.push(Problem::file(format!("the sequence number {} is implausibly large", dto.sequence)));
    }
    let horizon = now_ms.saturating_add(MAX_PLAUSIBLE_AHEAD_MS);
    if dto.created_ms > horizon {
        problems.push(Problem::file(format!(
            "the bundle says it was made in the year {}, more than a year ahead of this device's clock",
            year_of(dto.created_ms.min(crate::formats::wire::MAX_WALL_MS))
        )));
    }
    let mut profiles = BTreeSet::new();
    for d in std::iter::once(&dto.device).chain(&dto.devices) {
        for (what, text) in [("device label", &d.label), ("officer name", &d.officer)] {
            let n = text.chars().count();
            if n > MAX_PROFILE_CHARS {
                problems
                    .push(Problem::file(format!("a {what} is {n} characters long; the limit is {MAX_PROFILE_CHARS}")));
            }
        }
    }
    for d in &dto.devices {
        if !profiles.insert(d.id) {
            problems.push(Problem::file(format!("device {} is described twice in “devices”", d.id)));
        }
    }
    let mut kinds: BTreeMap<RecordId, Kind> = BTreeMap::new();
    for r in &dto.records {
        if kinds.insert(r.id(), r.kind()).is_some() {
            problems.push(Problem::record(r.id(), "appears more than once in the bundle"));
        }
    }
    let mut records = Vec::with_capacity(dto.records.len());
    for r in dto.records {
        let id = r.id();
        let kind = r.kind();
        // Value limits are checked on the wire form, before any domain value is built.
        let entries = r.field_entries();
        let total = entries.iter().map(|(_, e)| value_bytes(&e.v)).fold(0usize, usize::saturating_add);
        if total > MAX_RECORD_BYTES {
            problems.push(Problem::record(
                id,
                format!(
                    "its values hold {} bytes; the limit per record is {} MB",
                    thousands(total),
                    MAX_RECORD_BYTES / MB
                ),
            ));
        }
        for (name, e) in entries {
            if let crate::formats::wire::ValueV1::Text(s) = &e.v {
                if s.len() > MAX_VALUE_BYTES {
                    problems.push(Problem::record(
                        id,
                        format!("field “{name}” holds {} bytes; the limit is 1 MB", s.len()),
                    ));
                }
            }
            if let crate::formats::wire::ValueV1::List(l) = &e.v {
                if l.iter().map(String::len).sum::<usize>() > MAX_VALUE_BYTES {
                    problems.push(Problem::record(id, format!("field “{name}” holds more than 1 MB")));
                }
            }
        }
        match r.into_record() {
            Ok(rec) => {
                if let Some(s) = rec.stamps().find(|s| s.wall_ms > horizon) {
                    problems.push(Problem::record(
                        id,
                        format!(
                            "an edit is stamped in the year {}, more than a year ahead of this device's clock",
                            year_of(s.wall_ms)
                        ),
                    ));
                } else if let Some(t) = contexts(&rec).find(|t| t.wall_ms > horizon) {
                    // A context "seen" in the future would count every later real edit as already seen.
                    problems.push(Problem::record(
                        id,
                        format!(
                            "its history claims edits from the year {}, more than a year ahead of this device's clock",
                            year_of(t.wall_ms)
                        ),
                    ));
                }
                link_problems(&rec, &kinds, &mut problems);
                records.push(rec);
            }
            Err(e) => problems.push(Problem::record(id, format!("{kind}: {}", shorten(&e.to_string())))),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let BundleDto { bundle_id, created_ms, device, sequence, scope, devices, checksum, .. } = dto;
    Ok(Bundle {
        id: bundle_id,
        created_ms,
        device,
        sequence,
        scope,
        devices,
        records,
        checksum,
        notes: Vec::new(),
        format: None,
        marking: None,
    })
}

/// Every tick of a record's causal contexts: the record's own and its deletions'.
pub(super) fn contexts(rec: &Record) -> impl Iterator<Item = crate::crdt::clock::Tick> + '_ {
    rec.context_ticks().map(|(_, t)| *t)
}

/// The field a link lives in and the kind it must point at.
pub(super) const LINKS: [(Kind, Field, Kind); 4] = [
    (Kind::Meeting, Field::Participants, Kind::Contact),
    (Kind::Action, Field::Meeting, Kind::Meeting),
    (Kind::Action, Field::Contact, Kind::Contact),
    (Kind::Contact, Field::MergedInto, Kind::Contact),
];

pub(super) fn link_problems(rec: &Record, kinds: &BTreeMap<RecordId, Kind>, problems: &mut Vec<Problem>) {
    for (kind, field, target) in LINKS {
        if rec.kind != kind {
            continue;
        }
        let Some(reg) = rec.fields.get(field.key()) else { continue };
        for e in reg.entries() {
            let texts: Vec<&str> = match &e.value {
                crate::schema::Value::Text(s) if s.is_empty() => vec![],
                crate::schema::Value::Text(s) => vec![s.as_str()],
                crate::schema::Value::List(l) => l.iter().map(String::as_str).collect(),
                crate::schema::Value::Bool(_) => vec![],
            };
            for t in texts {
                match t.parse::<RecordId>() {
                    Err(_) => problems.push(Problem::record(
                        rec.id,
                        format!("“{}” in {} is not a record id", t.chars().take(40).collect::<String>(), field.key()),
                    )),
                    Ok(other) => {
                        if let Some(k) = kinds.get(&other) {
                            if *k != target {
                                problems.push(Problem::record(
                                    rec.id,
                                    format!(
                                        "{} points at {other}, which is {}, not {}",
                                        field.key(),
                                        k.with_article(),
                                        target.with_article()
                                    ),
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Ids a bundle's records link to (participants, an action's meeting and contact, merge redirects).
pub fn links_of(rec: &Record) -> Vec<(Field, RecordId)> {
    let mut out = Vec::new();
    for (kind, field, _) in LINKS {
        if rec.kind != kind {
            continue;
        }
        if let Some(v) = rec.get(field.key()) {
            match v {
                crate::schema::Value::Text(s) => out.extend(s.parse().ok().map(|id| (field, id))),
                crate::schema::Value::List(l) => {
                    out.extend(l.iter().filter_map(|s| s.parse().ok()).map(|id| (field, id)))
                }
                crate::schema::Value::Bool(_) => {}
            }
        }
    }
    out
}

/// The target kind of a link field.
pub fn link_target(kind: Kind, field: Field) -> Option<Kind> {
    LINKS.iter().find(|(k, f, _)| *k == kind && *f == field).map(|(_, _, t)| *t)
}

/// A file name for a bundle: device label, date and sequence, and nothing personal beyond the label.
pub fn file_name(device_label: &str, date: &crate::date::Date, sequence: u64, scope: Scope) -> String {
    file_name_marked(device_label, date, sequence, scope, "")
}

/// The file name with the bundle's highest marking in it, so that a file limited to UNCLASSIFIED is
/// told from a full one before it is opened: "liaison-field-laptop-2026-03-14-0002-changes-restricted.json".
/// Nothing is added for an unmarked bundle.
pub fn file_name_marked(
    device_label: &str,
    date: &crate::date::Date,
    sequence: u64,
    scope: Scope,
    marking: &str,
) -> String {
    let mut slug = String::new();
    for c in device_label.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug: String = if slug.is_empty() { "device".into() } else { slug.chars().take(40).collect() };
    let scope = match scope {
        Scope::All => "all",
        Scope::Changes => "changes",
    };
    let mut mark = String::new();
    for c in marking.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            mark.push(c);
        } else if !mark.ends_with('-') {
            mark.push('-');
        }
    }
    let mark: String = mark.trim_matches('-').chars().take(60).collect();
    let mark = mark.trim_end_matches('-');
    if mark.is_empty() {
        format!("liaison-{slug}-{date}-{sequence:04}-{scope}.json")
    } else {
        format!("liaison-{slug}-{date}-{sequence:04}-{scope}-{mark}.json")
    }
}

/// Edits (and claims of having seen edits) that lie ahead of `now_ms` by more than the clock's skew
/// allowance, for the import preview: the sign of a device with a wrong date.
pub fn future_stamps(bundle: &Bundle, now_ms: u64) -> usize {
    let limit = now_ms.saturating_add(MAX_FUTURE_SKEW_MS);
    bundle
        .records
        .iter()
        .map(|r| {
            let stamps = r.stamps().filter(|s| s.wall_ms > limit).count();
            if stamps > 0 {
                stamps
            } else {
                usize::from(contexts(r).any(|t| t.wall_ms > limit))
            }
        })
        .sum()
}

/// Devices whose edits a bundle carries.
pub fn devices_in(bundle: &Bundle) -> BTreeSet<DeviceId> {
    bundle.records.iter().flat_map(|r| r.stamps().map(|s| s.device)).collect()
}
