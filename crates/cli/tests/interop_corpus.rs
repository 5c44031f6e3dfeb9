//! Every real-world vCard and iCalendar file of `../shared/interop-corpus/` (other projects' test suites:
//! phones, Outlook, Google, Apple, Evolution, KDE, Thunderbird), read through core with the CLI's legacy
//! charsets, and compared with what
//! independent parsers (Python's vobject and icalendar) read in it, as its `manifest.json` records.
//!
//! The corpus is read in place and never copied into the repository. A clone without it skips this test
//! and says so; `LIAISON_INTEROP_CORPUS` points at it elsewhere.
//!
//! Where the independent parser refused a file ("unparseable by …"), a careful importer may still read it:
//! the manifest then gives the count of top-level `BEGIN:VCARD` / `BEGIN:VEVENT` lines, which is what
//! Liaison must read, or else refuse the file with a specific message.

use std::path::PathBuf;

use liaison_cli::{charsets, zones};
use liaison_core::formats::{ical, vcard, Problem};
use liaison_core::marking::Ceiling;
use liaison_core::{DeviceId, Notebook};
use serde_json::Value as Json;

fn corpus() -> Option<PathBuf> {
    let dir = match std::env::var_os("LIAISON_INTEROP_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/interop-corpus"),
    };
    dir.join("manifest.json").is_file().then_some(dir)
}

/// One way a file's reading differs from the manifest.
fn mismatch(out: &mut Vec<String>, file: &str, what: String) {
    out.push(format!("{file}: {what}"));
}

/// A value must not begin or end with a line break: iOS's `\r\r\n` once left one at the end of every
/// value. (A location may hold several lines, but not start or end with one.)
fn line_breaks_at_ends(what: &str, value: &str) -> Option<String> {
    let bad = |c: char| c == '\n' || c == '\r';
    (value.starts_with(bad) || value.ends_with(bad)).then(|| format!("{what} {value:?}"))
}

/// Files where the independent parser is wrong, with what a careful reader finds and why.
const MANIFEST_WRONG: &[(&str, &str, &str)] = &[(
    "vcf/aosp-v30_japanese.vcf",
    "伊能 圭一 伊予",
    // The FN ends in 予, whose Shift_JIS trail byte is 0x5C, the ASCII backslash. vobject took it for an
    // escape of the line end and read on into its own end-of-file marker ("eof"); the card's N, which
    // ends the same way inside a component, confirms the name.
    "a Shift_JIS trail byte 0x5C is not an escape",
)];

/// Random bytes for new records: a counter, so that the test is repeatable.
fn counter() -> impl FnMut() -> [u8; 10] {
    let mut n: u32 = 0;
    move || {
        n += 1;
        let mut r = [7; 10];
        r[..4].copy_from_slice(&n.to_be_bytes());
        r
    }
}

const NOW: u64 = 1_800_000_000_000;

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Imports what was read into an empty notebook, exports that, and reads the export back: the names
/// (or titles) must come back as they went in.
fn round_trip_vcards(file: &str, cards: &[vcard::Card], out: &mut Vec<String>) {
    let mut nb = Notebook::new(DeviceId::new_v7(NOW, [1; 10]));
    vcard::import(&mut nb, cards, NOW, &mut counter());
    let before = sorted(nb.contacts().into_iter().map(|c| c.name).collect());
    let exported = vcard::export_all(&nb, Ceiling::All);
    let back = vcard::parse(exported.text.as_bytes());
    let mut again = Notebook::new(DeviceId::new_v7(NOW, [2; 10]));
    vcard::import(&mut again, &back.cards, NOW + 1, &mut counter());
    let after = sorted(again.contacts().into_iter().map(|c| c.name).collect());
    if before != after {
        mismatch(out, file, format!("after export and import the names are {after:?}, not {before:?}"));
    }
}

/// As [`round_trip_vcards`], for meetings: date, start and title. A meeting without a date has no
/// iCalendar form; the export counts it as undated instead.
fn round_trip_events(file: &str, cal: &ical::Calendar, out: &mut Vec<String>) {
    let mut nb = Notebook::new(DeviceId::new_v7(NOW, [1; 10]));
    ical::import(&mut nb, cal, NOW, &mut counter());
    let dated = |nb: &Notebook| {
        sorted(
            nb.meetings()
                .into_iter()
                .filter(|m| !m.date.is_empty())
                .map(|m| format!("{} {} {}", m.date, m.start, m.title))
                .collect(),
        )
    };
    let before = dated(&nb);
    let undated = nb.meetings().len() - before.len();
    let exported = ical::export_all(&nb, Ceiling::All, NOW);
    if exported.undated != undated {
        mismatch(out, file, format!("{} meetings counted undated, not {undated}", exported.undated));
    }
    let back = ical::parse(exported.text.as_bytes());
    let mut again = Notebook::new(DeviceId::new_v7(NOW, [2; 10]));
    ical::import(&mut again, &back, NOW + 1, &mut counter());
    let after = dated(&again);
    if before != after {
        mismatch(out, file, format!("after export and import the meetings are {after:?}, not {before:?}"));
    }
}

fn messages(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("line {}: {}", p.line, p.message)).collect::<Vec<_>>().join("; ")
}

/// What vobject's FN is for a card: `fn_full` where vobject cut the name at a comma, else `fn`.
fn expected_names(expected: &Json) -> Vec<Option<String>> {
    let cut = expected["fn"].as_array().cloned().unwrap_or_default();
    let full = expected["fn_full"].as_array().cloned();
    cut.iter()
        .enumerate()
        .map(|(i, v)| {
            let v = full.as_ref().and_then(|f| f.get(i)).unwrap_or(v);
            v.as_str().map(str::to_string)
        })
        .collect()
}

fn check_vcards(file: &str, bytes: &[u8], expected: &Json, out: &mut Vec<String>) {
    let parsed = vcard::parse_with(bytes, charsets::legacy);
    let ok = expected["status"] == "ok";
    let want = if ok { expected["vcards"].as_u64() } else { expected["top_level_begin_vcard"].as_u64() };
    let want = want.unwrap_or(0) as usize;
    if parsed.cards.len() != want {
        if !ok && parsed.cards.is_empty() && !parsed.problems.is_empty() {
            return; // refused, with what it said
        }
        mismatch(out, file, format!("{} cards, expected {want} ({})", parsed.cards.len(), messages(&parsed.problems)));
        return;
    }
    for card in &parsed.cards {
        let c = &card.contact;
        for (what, v) in [("name", &c.name), ("role", &c.role), ("organisation", &c.organisation)] {
            if let Some(m) = line_breaks_at_ends(what, v) {
                mismatch(out, file, m);
            }
        }
        for e in c.emails.iter().chain(&c.phones) {
            if let Some(m) = line_breaks_at_ends("email or phone", e) {
                mismatch(out, file, m);
            }
        }
    }
    round_trip_vcards(file, &parsed.cards, out);
    if !ok {
        return;
    }
    for (i, (card, name)) in parsed.cards.iter().zip(expected_names(expected)).enumerate() {
        let corrected = MANIFEST_WRONG.iter().find(|(f, _, _)| *f == file).map(|(_, n, _)| n.to_string());
        if let Some(name) = corrected.or(name) {
            if card.contact.name.trim() != name.trim() {
                mismatch(out, file, format!("card {}: name {:?}, expected {name:?}", i + 1, card.contact.name));
            }
        }
    }
}

fn check_events(file: &str, bytes: &[u8], expected: &Json, out: &mut Vec<String>) {
    let cal = ical::parse_with(bytes, charsets::legacy, None);
    let ok = expected["status"] == "ok";
    let (events, todos) = if ok {
        (expected["vevents"].as_u64().unwrap_or(0), expected["vtodos"].as_u64().unwrap_or(0))
    } else {
        (expected["begin_vevent_lines"].as_u64().unwrap_or(0), expected["begin_vtodo_lines"].as_u64().unwrap_or(0))
    };
    if (cal.events.len() as u64, cal.todos.len() as u64) != (events, todos) {
        if !ok && cal.events.is_empty() && cal.todos.is_empty() && !cal.problems.is_empty() {
            return;
        }
        mismatch(
            out,
            file,
            format!(
                "{} events and {} to-dos, expected {events} and {todos} ({})",
                cal.events.len(),
                cal.todos.len(),
                messages(&cal.problems)
            ),
        );
        return;
    }
    for e in &cal.events {
        for (what, v) in [("title", &e.meeting.title), ("location", &e.meeting.location)] {
            if let Some(m) = line_breaks_at_ends(what, v) {
                mismatch(out, file, m);
            }
        }
    }
    round_trip_events(file, &cal, out);
    if !ok {
        return;
    }
    let wanted = expected["events"].as_array().cloned().unwrap_or_default();
    for (i, w) in wanted.iter().enumerate() {
        check_start(file, bytes, i, &w["dtstart"], out);
    }
    for (i, (e, w)) in cal.events.iter().zip(&wanted).enumerate() {
        let summary = w["summary"].as_str().unwrap_or("");
        if e.meeting.title.trim() != summary.trim() {
            mismatch(out, file, format!("event {}: title {:?}, expected {summary:?}", i + 1, e.meeting.title));
        }
        if let Some(uid) = w["uid"].as_str() {
            if e.uid.as_deref().map(str::trim) != Some(uid.trim()) {
                mismatch(out, file, format!("event {}: UID {:?}, expected {uid:?}", i + 1, e.uid));
            }
        }
    }
}

/// The zone database's name for a Windows or home-made `TZID` of the corpus, whose `VTIMEZONE` in the
/// file describes that zone.
const ZONE_NAMES: &[(&str, &str)] = &[
    ("US-Eastern", "America/New_York"),
    ("Eastern Standard Time", "America/New_York"),
    ("Eastern", "America/New_York"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Canberra, Melbourne, Sydney", "Australia/Sydney"),
    ("GMT +0100 (Standard) / GMT +0200 (Daylight)", "Europe/Paris"),
    ("Екатеринбург", "Asia/Yekaterinburg"),
];

/// An event's start must land at the time the file wrote when the officer is in the event's own zone
/// (so the file's `VTIMEZONE`, or the zone database for a `TZID` it does not define, was read right),
/// and a UTC time at the written time for an officer in UTC. All-day events stay all-day.
fn check_start(file: &str, bytes: &[u8], i: usize, dtstart: &Json, out: &mut Vec<String>) {
    let Some(value) = dtstart["value"].as_str() else { return };
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    // A DTSTART that is no date (`INVALID-DATE`) leaves the meeting without one.
    let date = match (digits.get(0..4), digits.get(4..6), digits.get(6..8)) {
        (Some(y), Some(mo), Some(d)) => format!("{y}-{mo}-{d}"),
        _ => String::new(),
    };
    let start = match (digits.get(8..10), digits.get(10..12)) {
        (Some(h), Some(m)) => format!("{h}:{m}"),
        _ => String::new(),
    };
    let zone = match dtstart["tzid"].as_str() {
        Some(tzid) => {
            let name = ZONE_NAMES.iter().find(|(t, _)| *t == tzid).map_or(tzid, |(_, n)| n);
            match zones::officer(Some(name)) {
                Ok(z) => z,
                Err(e) => return mismatch(out, file, format!("event {}: {e}", i + 1)),
            }
        }
        None => jiff::tz::TimeZone::UTC,
    };
    let officer = |utc: i64| zones::offset_minutes(&zone, utc);
    let known = ical::Zones { officer: &officer, named: &zones::named };
    let cal = ical::parse_with(bytes, charsets::legacy, Some(&known));
    let Some(e) = cal.events.get(i) else { return };
    let got = (e.meeting.date.as_str(), e.meeting.start.as_str());
    if got != (date.as_str(), start.as_str()) {
        mismatch(
            out,
            file,
            format!("event {}: starts {got:?} for an officer in its zone, expected ({date:?}, {start:?})", i + 1),
        );
    }
}

#[test]
fn every_corpus_file_reads_as_the_independent_parsers_read_it() {
    let Some(dir) = corpus() else {
        eprintln!(
            "SKIPPED: no interop corpus at ../shared/interop-corpus (set LIAISON_INTEROP_CORPUS to its folder); \
             a clone outside the team's machines has none"
        );
        return;
    };
    let manifest: Json = serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).expect("manifest.json"))
        .expect("manifest.json is JSON");
    let mut failures = Vec::new();
    let mut files = 0;
    for (file, entry) in manifest.as_object().expect("manifest is an object") {
        if file.starts_with('_') {
            continue;
        }
        let bytes = std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        files += 1;
        if file.ends_with(".vcf") {
            check_vcards(file, &bytes, &entry["expected"], &mut failures);
        } else if file.ends_with(".ics") {
            check_events(file, &bytes, &entry["expected"], &mut failures);
        }
    }
    eprintln!("{files} corpus files, {} differences", failures.len());
    assert!(failures.is_empty(), "{} differences:\n  {}", failures.len(), failures.join("\n  "));
}
