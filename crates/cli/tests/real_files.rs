//! Golden files for each way that real address books and calendars went wrong (issue "Real files"): a
//! small file made for each class, in `tests/real_files/`, imported by the `liaison import-*` commands,
//! and what came out written next to it as `<file>.expected`: the command's report and every record of
//! the bundle, field by field.
//!
//! The classes: iOS's CR CR LF line ends; a value folded in the middle of a UTF-8 letter; a charset per
//! value (Shift_JIS, EUC-KR, Big5, ISO-8859-1 and UTF-8 in one file); a changed occurrence of a repeating
//! meeting (RECURRENCE-ID); time zones (Outlook's own zone name with its VTIMEZONE, an IANA name, UTC,
//! floating and all-day times), read for an officer in Vienna; and the contacts exports of German
//! Outlook (Windows-1252, semicolons) and of Google.
//!
//! A missing `.expected` file is written and the test fails, so that a person reads it before it is
//! added. Record ids are left out (those of records without a UID carry the import's time); links
//! between records are shown by the title they point to.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::{liaison, TempDir};
use liaison_core::formats::bundle::read_bundle;
use liaison_core::{Record, RecordId, Value};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/real_files")
}

fn title(r: &Record) -> String {
    ["name", "title", "text"].iter().find_map(|f| r.get(f).map(|v| v.as_text().to_string())).unwrap_or_default()
}

fn shown(v: &Value, titles: &BTreeMap<RecordId, String>) -> String {
    let one = |s: &str| match s.parse::<RecordId>().ok().and_then(|id| titles.get(&id)) {
        Some(t) => format!("→ {t:?}"),
        None => format!("{s:?}"),
    };
    match v {
        Value::Text(s) => one(s),
        Value::List(l) => format!("[{}]", l.iter().map(|s| one(s)).collect::<Vec<_>>().join(", ")),
        Value::Bool(b) => b.to_string(),
    }
}

/// Runs `liaison <command> FILE -o out.json [extra…]` in a directory of its own and describes what came
/// out.
fn import(command: &str, file: &str, extra: &[&str]) -> String {
    let dir = TempDir::new("real-files");
    let bytes = std::fs::read(fixtures().join(file)).expect("the fixture is in the repository");
    dir.write(file, &bytes);
    let mut args = vec![command, file, "-o", "out.json"];
    args.extend_from_slice(extra);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_liaison"))
        .args(&args)
        .current_dir(dir.path())
        .output()
        .expect("the binary runs");
    let mut text = format!("$ liaison {}\nexit {}\n", args.join(" "), out.status.code().unwrap_or(-1));
    text.push_str(&String::from_utf8_lossy(&out.stdout));
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    let written = std::fs::read(dir.path().join("out.json")).expect("the command wrote its bundle");
    let bundle = read_bundle(&written, u64::MAX / 2).expect("the written bundle reads back");
    let titles: BTreeMap<RecordId, String> = bundle.records.iter().map(|r| (r.id, title(r))).collect();
    let mut records: Vec<&Record> = bundle.records.iter().collect();
    records.sort_by_key(|r| (r.kind, title(r)));
    for r in records {
        text.push_str(&format!("\n{} {:?}\n", r.kind, title(r)));
        for (name, reg) in &r.fields {
            if let Some(e) = reg.winner() {
                text.push_str(&format!("  {name}: {}\n", shown(&e.value, &titles)));
            }
        }
    }
    text
}

fn golden(file: &str, actual: &str) {
    let path = fixtures().join(format!("{file}.expected"));
    match std::fs::read_to_string(&path) {
        Ok(expected) => {
            if expected != actual {
                panic!(
                    "{file} no longer imports as {file}.expected says:\n--- expected\n{expected}\n--- now\n{actual}"
                );
            }
        }
        Err(_) => {
            std::fs::write(&path, actual).expect("write the expected file");
            panic!("wrote {file}.expected: read it, add it to the repository, and run the tests again");
        }
    }
}

/// No one-line value may begin or end with a line break (iOS's `\r\r\n` once left one in every value).
fn no_line_breaks_at_the_ends(text: &str) {
    for line in text.lines().filter(|l| l.starts_with("  ")) {
        assert!(!line.contains("\\r\"") && !line.contains("\\n\"") && !line.contains("\"\\n"), "{line}");
    }
}

#[test]
fn ios_cr_cr_lf_line_ends_leave_no_line_break_in_any_value() {
    let text = import("import-vcf", "ios-cr-cr-lf.vcf", &[]);
    no_line_breaks_at_the_ends(&text);
    golden("ios-cr-cr-lf.vcf", &text);
}

#[test]
fn a_value_folded_inside_a_utf8_letter_keeps_the_whole_file_utf8() {
    let text = import("import-vcf", "folded-mid-letter.vcf", &[]);
    assert!(text.contains("Αθανάσιος Παπαδόπουλος") && text.contains("в Вене"), "{text}");
    golden("folded-mid-letter.vcf", &text);
}

#[test]
fn every_value_is_read_in_its_own_charset() {
    let text = import("import-vcf", "charset-per-value.vcf", &[]);
    for name in ["山田 太郎", "김민준", "陳大文", "Jürgen Müller", "Łukasz Wróbel"] {
        assert!(text.contains(name), "{name} is read in its charset:\n{text}");
    }
    assert!(!text.contains('\u{FFFD}'), "no replacement characters:\n{text}");
    golden("charset-per-value.vcf", &text);
}

#[test]
fn a_changed_occurrence_of_a_series_imports_as_its_own_meeting_linked_to_the_series() {
    let text = import("import-ics", "google-series-override.ics", &["--zone", "Europe/Vienna"]);
    assert!(text.contains("Liaison jour fixe (moved: holiday)"), "{text}");
    assert!(text.contains("series: → \"Liaison jour fixe\""), "the occurrence names its series:\n{text}");
    golden("google-series-override.ics", &text);
}

#[test]
fn zoned_utc_floating_and_all_day_times_land_at_the_officers_local_time() {
    let text = import("import-ics", "outlook-zones.ics", &["--zone", "Europe/Vienna"]);
    golden("outlook-zones.ics", &text);
}

#[test]
fn a_german_outlook_export_in_windows_1252_with_semicolons_imports() {
    let text = import("import-csv", "outlook-de.csv", &[]);
    assert!(text.contains("Dr. Jürgen Wöber") && text.contains("Grete Maria Strauß MSc"), "{text}");
    assert!(text.contains("Geburtstag (1)"), "the filled Geburtstag cell is named as not kept:\n{text}");
    golden("outlook-de.csv", &text);
}

#[test]
fn a_google_contacts_export_imports_its_numbered_columns() {
    let text = import("import-csv", "google-contacts.csv", &[]);
    assert!(text.contains("o.kovalenko@example.ua") && !text.contains("myContacts"), "{text}");
    golden("google-contacts.csv", &text);
}

#[test]
fn a_csv_file_that_is_not_a_contacts_file_is_refused_with_what_was_expected() {
    let dir = TempDir::new("real-files");
    let file = dir.write("budget.csv", "Item,Amount\r\nFuel,120\r\n");
    let out = dir.path().join("out.json");
    let (code, stdout, _) = liaison(&["import-csv".as_ref(), file.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stdout.contains("no column holds names or emails"), "{stdout}");
    assert!(!out.exists(), "nothing is written");
}
