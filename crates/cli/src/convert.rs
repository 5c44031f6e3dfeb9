//! `liaison convert`, `liaison import-vcf` and `liaison import-ics`: bundles to vCard, iCalendar and CSV,
//! and a .vcf or .ics file to a bundle, with core's codecs in `formats` (the very code the app runs).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use liaison_core::crdt::id::hashed_uuid;
use liaison_core::formats::bundle::{self, Bundle, ExportInput, Layout, Scope};
use liaison_core::formats::csv::{self as csv_out, CsvOptions};
use liaison_core::formats::wire::DeviceV1;
use liaison_core::formats::{self, ical, vcard, ExportText, FileFormat};
use liaison_core::marking::Ceiling;
use liaison_core::marking::{marking_level, MarkingLevel};
use liaison_core::{DeviceId, Notebook, Record};
use sha2::{Digest, Sha256};

use crate::files::{shown, write_atomically};
use crate::text::{clean, MESSAGE_CHARS, NAME_CHARS};
use liaison_core::text::plural;

/// The default label of the device that `import-vcf` writes its bundle as.
pub const IMPORT_LABEL: &str = "liaison import-vcf";
/// The default label of the device that `import-ics` writes its bundle as.
pub const IMPORT_ICS_LABEL: &str = "liaison import-ics";
/// The default label of the device that `import-csv` writes its bundle as.
pub const IMPORT_CSV_LABEL: &str = "liaison import-csv";
/// The default officer name of that device.
pub const IMPORT_OFFICER: &str = "coordinator";

/// A bundle's live records in a notebook. The notebook's device never writes: conversion only reads.
pub fn notebook_of(b: &Bundle) -> Notebook {
    Notebook::from_records(b.device.id, b.records.clone(), b.created_ms)
}

/// One file to write: where, and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// Where it goes.
    pub path: PathBuf,
    /// What it holds.
    pub text: ExportText,
    /// What it counts, singular and plural ("contact", "contacts"), for the summary.
    pub what: (&'static str, &'static str),
}

/// The files a conversion makes, not yet written. The output depends only on the bundle: the
/// iCalendar `DTSTAMP` is the bundle's creation time, not the clock's.
pub fn convert(b: &Bundle, format: FileFormat, out: &Path, ceiling: Ceiling, excel: bool) -> Vec<Output> {
    let nb = notebook_of(b);
    match format {
        FileFormat::VCard => vec![Output {
            path: out.to_path_buf(),
            text: vcard::export_all(&nb, ceiling),
            what: ("contact", "contacts"),
        }],
        FileFormat::ICal => vec![Output {
            path: out.to_path_buf(),
            text: ical::export_all(&nb, ceiling, b.created_ms),
            what: ("event or to-do", "events and to-dos"),
        }],
        FileFormat::Csv => {
            let whats = [("contact", "contacts"), ("meeting", "meetings"), ("action", "actions")];
            csv_out::export_all(&nb, ceiling, CsvOptions { excel })
                .into_iter()
                .zip(whats)
                .map(|((name, text), what)| Output { path: out.join(name), text, what })
                .collect()
        }
    }
}

/// The markings of the records a conversion writes, counted, for the summary: the coordinator sees what
/// the file carries before passing it on.
pub fn markings_written(b: &Bundle, format: FileFormat, ceiling: Ceiling) -> String {
    let nb = notebook_of(b);
    // Keyed by (how sensitive, label), so that the most sensitive come first: that is what a person
    // must notice before passing the file on.
    let mut counts: BTreeMap<(std::cmp::Reverse<u8>, String), usize> = BTreeMap::new();
    let mut count = |m: &str| {
        let rank = match marking_level(m) {
            MarkingLevel::Other => 5,
            MarkingLevel::Secret => 4,
            MarkingLevel::Confidential => 3,
            MarkingLevel::Restricted => 2,
            MarkingLevel::Open => 1,
            MarkingLevel::None => 0,
        };
        let label = if m.trim().is_empty() { "unmarked".to_string() } else { clean(m.trim(), NAME_CHARS) };
        *counts.entry((std::cmp::Reverse(rank), label)).or_default() += 1;
    };
    let within = |id: Option<liaison_core::RecordId>| {
        id.and_then(|id| nb.record(id)).is_some_and(|r| liaison_core::marking::record_within(&nb, r, ceiling))
    };
    if format != FileFormat::ICal {
        for c in nb.contacts().iter().filter(|c| within(c.id)) {
            count(&c.marking);
        }
    }
    if format != FileFormat::VCard {
        for m in nb.meetings().iter().filter(|m| within(m.id)) {
            if format == FileFormat::Csv || liaison_core::date::Date::parse(&m.date).is_ok() {
                count(&m.marking);
            }
        }
    }
    if counts.is_empty() {
        return "none".into();
    }
    counts.into_iter().map(|((_, m), n)| format!("{m} {n}")).collect::<Vec<_>>().join(", ")
}

/// Writes the outputs of a conversion; for CSV, the directory is made first. Each file is written
/// atomically and readable by its owner only.
pub fn write_outputs(format: FileFormat, out: &Path, outputs: &[Output]) -> Result<(), String> {
    if format == FileFormat::Csv {
        if out.exists() && !out.is_dir() {
            return Err(format!("{} is a file; for CSV, name a directory (it is made if missing)", shown(out)));
        }
        fs::create_dir_all(out).map_err(|e| format!("cannot make the directory {}: {e}", shown(out)))?;
    }
    for o in outputs {
        write_atomically(&o.path, &o.text.text)?;
    }
    Ok(())
}

/// One line per output: `wrote OUT: 5 contacts (left out above the ceiling: 2)`.
pub fn output_line(o: &Output) -> String {
    let mut line = format!("wrote {}: {}", shown(&o.path), plural(o.text.written, o.what.0, o.what.1));
    let mut left = Vec::new();
    if o.text.above_ceiling > 0 {
        left.push(format!("{} above the marking ceiling", o.text.above_ceiling));
    }
    if o.text.undated > 0 {
        left.push(format!("{} without a date", plural(o.text.undated, "meeting", "meetings")));
    }
    if !left.is_empty() {
        line.push_str(&format!(" (left out: {})", left.join(", ")));
    }
    line
}

/// The device an `import-vcf` bundle is written by. Its id is derived from the label and the file's
/// content: the same file always gives the same device, and two different files never share one, so
/// that the stamps of two imports can never collide (a device must never stamp two different edits
/// alike, or a merge would lose one).
pub fn import_device(label: &str, officer: &str, file: &[u8]) -> DeviceV1 {
    let described = [b"liaison-cli import-vcf device\n", label.as_bytes(), b"\n", &Sha256::digest(file)].concat();
    DeviceV1 { id: DeviceId::from_hash(&described), label: label.into(), officer: officer.into() }
}

/// What `import-vcf` or `import-ics` made.
#[derive(Clone, Debug)]
pub struct FileBundle {
    /// The bundle's JSON text.
    pub text: String,
    /// The cards, or events and to-dos, read.
    pub read: usize,
    /// Records in the bundle: contacts, or meetings and actions.
    pub records: usize,
    /// Items that repeated an earlier one's UID (or content) and updated it.
    pub repeats: usize,
    /// Properties not kept, with how many cards had them.
    pub skipped: BTreeMap<String, usize>,
    /// Problems with the file, with line numbers, then what was read but could not be imported.
    pub problems: Vec<formats::Problem>,
}

/// Makes a bundle from a .vcf or .ics file's bytes, with core's import into an empty notebook (the very
/// import the app runs; legacy charsets through [`crate::charsets`]). Record ids come from the file (a
/// Liaison UID is the record id; other UIDs, or the content, are hashed), so importing the same file
/// again gives the same records; the stamps carry `now_ms`. Meeting times land in the officer's `zone`
/// (this machine's when `None`). `Err` when nothing could be read.
#[allow(clippy::too_many_arguments)]
pub fn bundle_from_file(
    format: FileFormat,
    bytes: &[u8],
    label: &str,
    officer: &str,
    zone: Option<&jiff::tz::TimeZone>,
    now_ms: u64,
    layout: Layout,
) -> Result<FileBundle, Vec<formats::Problem>> {
    let device = import_device(label, officer, bytes);
    let mut nb = Notebook::new(device.id);
    let seed = Sha256::digest(bytes);
    let mut n: u32 = 0;
    // Only the temporary records of core's import draw on this; deriving it from the file keeps the
    // whole run repeatable.
    let mut random = || {
        n += 1;
        let mut r = [0u8; 10];
        r[..6].copy_from_slice(&seed[..6]);
        r[6..].copy_from_slice(&n.to_be_bytes());
        r
    };
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let (read, outcome, mut problems) = match format {
        FileFormat::VCard => {
            let parsed = vcard::parse_with(bytes, crate::charsets::legacy);
            if parsed.cards.is_empty() {
                return Err(parsed.problems);
            }
            for c in &parsed.cards {
                for s in &c.skipped {
                    *skipped.entry(s.clone()).or_default() += 1;
                }
            }
            (parsed.cards.len(), vcard::import(&mut nb, &parsed.cards, now_ms, &mut random), parsed.problems)
        }
        FileFormat::ICal => {
            let system = crate::zones::officer(None).unwrap_or(jiff::tz::TimeZone::UTC);
            let zone = zone.unwrap_or(&system);
            let officer_offset = |utc: i64| crate::zones::offset_minutes(zone, utc);
            let zones = ical::Zones { officer: &officer_offset, named: &crate::zones::named };
            let cal = ical::parse_with(bytes, crate::charsets::legacy, Some(&zones));
            if cal.events.is_empty() && cal.todos.is_empty() {
                return Err(cal.problems);
            }
            (cal.events.len() + cal.todos.len(), ical::import(&mut nb, &cal, now_ms, &mut random), cal.problems)
        }
        FileFormat::Csv => {
            let parsed = formats::csv::parse_contacts(bytes);
            if parsed.cards.is_empty() {
                return Err(parsed.problems);
            }
            for c in &parsed.cards {
                for s in &c.skipped {
                    *skipped.entry(s.clone()).or_default() += 1;
                }
            }
            (parsed.cards.len(), vcard::import(&mut nb, &parsed.cards, now_ms, &mut random), parsed.problems)
        }
    };
    problems.extend(outcome.not_imported.iter().cloned());
    let records: Vec<&Record> = nb.records().collect();
    let count = records.len();
    let text = bundle::write_bundle_v3(
        ExportInput {
            bundle_id: hashed_uuid(&[device.id.0.as_bytes().as_slice(), &now_ms.to_be_bytes()].concat()),
            created_ms: now_ms,
            device: &device,
            sequence: 1,
            scope: Scope::All,
            devices: vec![device.clone()],
            records,
        },
        layout,
    )
    .map_err(|problems| {
        problems.iter().map(|p| formats::Problem { line: 0, message: p.to_string() }).collect::<Vec<_>>()
    })?;
    Ok(FileBundle {
        text,
        read,
        records: count,
        repeats: outcome.updated.len() + outcome.unchanged.len(),
        skipped,
        problems,
    })
}

/// A problem line for a .vcf or .ics file.
pub fn problem_line(file: &str, p: &formats::Problem) -> String {
    format!("{file}: {}", clean(&p.to_string(), MESSAGE_CHARS))
}
