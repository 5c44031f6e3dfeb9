//! `liaison convert`, `liaison import-vcf` and `liaison import-ics`: the files they write, what they print, exit codes.

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

fn one_officer() -> PathBuf {
    repo("crates/core/tests/fixtures/v1-all-one-officer.json")
}

fn golden(name: &str) -> Vec<u8> {
    std::fs::read(repo("crates/core/tests/interop_fixtures").join(name)).expect("a golden file of liaison-core")
}

fn run(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    liaison(args)
}

macro_rules! args {
    ($($a:expr),* $(,)?) => { &[$(std::ffi::OsStr::new(&$a)),*] };
}

#[test]
fn convert_to_vcf_writes_what_the_app_exports_and_says_so() {
    let dir = TempDir::new("convert-vcf");
    let out = dir.path().join("contacts.vcf");
    let bundle = one_officer();
    let (code, stdout, stderr) = run(args!(*"convert", *bundle.as_os_str(), *"--to", *"vcf", *"-o", *out.as_os_str()));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(std::fs::read(&out).unwrap(), golden("one-officer.vcf"), "byte for byte the core golden file");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            format!("{}: ok (10 records, device Field laptop / Lt Col Ana Ruiz, sequence 1, all)", p(&bundle)),
            format!("wrote {}: 5 contacts", p(&out)),
            "marking ceiling: all (Everything, whatever its marking)".to_string(),
            "markings written: NATO RESTRICTED 1, RESTRICTED 1, UNCLASSIFIED // REL TO AUT, CHE 1, UNCLASSIFIED 1, unmarked 1"
                .to_string(),
        ]
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    }
}

#[test]
fn convert_to_ics_gives_the_same_bytes_on_every_run() {
    let dir = TempDir::new("convert-ics");
    let a = dir.path().join("a.ics");
    let b = dir.path().join("b.ics");
    for out in [&a, &b] {
        let (code, stdout, _) =
            run(args!(*"convert", *one_officer().as_os_str(), *"--to", *"ics", *"-o", *out.as_os_str()));
        assert_eq!(code, 0, "{stdout}");
        assert!(stdout.contains("5 events and to-dos"), "{stdout}");
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert_eq!(std::fs::read(&a).unwrap(), golden("one-officer.ics"), "DTSTAMP is the bundle's time, not the clock's");
}

#[test]
fn convert_to_csv_writes_three_files_into_a_directory_and_excel_adds_the_bom() {
    let dir = TempDir::new("convert-csv");
    let plain = dir.path().join("report");
    let excel = dir.path().join("excel");
    let (code, stdout, _) =
        run(args!(*"convert", *one_officer().as_os_str(), *"--to", *"csv", *"-o", *plain.as_os_str()));
    assert_eq!(code, 0, "{stdout}");
    for (name, n) in [("contacts", "5 contacts"), ("meetings", "2 meetings"), ("actions", "3 actions")] {
        let file = plain.join(format!("{name}.csv"));
        assert_eq!(std::fs::read(&file).unwrap(), golden(&format!("one-officer-{name}.csv")), "{name}");
        assert!(stdout.contains(&format!("wrote {}: {n}", p(&file))), "{stdout}");
    }
    let (code, _, _) =
        run(args!(*"convert", *one_officer().as_os_str(), *"--to", *"csv", *"-o", *excel.as_os_str(), *"--excel"));
    assert_eq!(code, 0);
    let bytes = std::fs::read(excel.join("contacts.csv")).unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    assert_eq!(&bytes[3..], golden("one-officer-contacts.csv").as_slice());
}

#[test]
fn max_marking_leaves_out_records_above_it_and_says_how_many() {
    let dir = TempDir::new("convert-open");
    let out = dir.path().join("open.vcf");
    let (code, stdout, _) = run(args!(
        *"convert",
        *one_officer().as_os_str(),
        *"--to",
        *"vcf",
        *"-o",
        *out.as_os_str(),
        *"--max-marking",
        *"open"
    ));
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(std::fs::read(&out).unwrap(), golden("one-officer-open.vcf"));
    assert!(
        stdout.contains(&format!("wrote {}: 2 contacts (left out: 3 above the marking ceiling)", p(&out))),
        "{stdout}"
    );
    assert!(stdout.contains("marking ceiling: open (Unmarked and UNCLASSIFIED only)"), "{stdout}");
    assert!(stdout.contains("markings written: UNCLASSIFIED 1, unmarked 1"), "{stdout}");
    let (code, _, stderr) = run(args!(
        *"convert",
        *one_officer().as_os_str(),
        *"--to",
        *"vcf",
        *"-o",
        *out.as_os_str(),
        *"--max-marking",
        *"cosmic"
    ));
    assert_eq!(code, 2, "an unknown level is a usage error");
    assert!(stderr.contains("open, restricted, confidential, secret, all"), "{stderr}");
}

#[test]
fn an_invalid_bundle_is_refused_and_nothing_is_written() {
    let dir = TempDir::new("convert-invalid");
    let bad = dir.write("bad.json", "{\"format\": \"something else\"}");
    let out = dir.path().join("out.vcf");
    let (code, stdout, _) = run(args!(*"convert", *bad.as_os_str(), *"--to", *"vcf", *"-o", *out.as_os_str()));
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        format!("{}: not a Liaison bundle (its format is “something else”)\n{} was not written\n", p(&bad), p(&out))
    );
    assert!(!out.exists());
}

#[test]
fn csv_into_a_path_that_is_a_file_is_refused() {
    let dir = TempDir::new("convert-csv-file");
    let file = dir.write("taken", "x");
    let (code, stdout, _) =
        run(args!(*"convert", *one_officer().as_os_str(), *"--to", *"csv", *"-o", *file.as_os_str()));
    assert_eq!(code, 2);
    assert!(stdout.contains("is a file; for CSV, name a directory"), "{stdout}");
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

fn record_ids(bundle: &Path) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(bundle).unwrap()).unwrap();
    v["records"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn import_vcf_of_a_liaison_export_keeps_the_record_ids_and_gives_the_same_ids_again() {
    let dir = TempDir::new("import-vcf");
    let vcf = dir.write("contacts.vcf", golden("one-officer.vcf"));
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    let (code, stdout, _) = run(args!(*"import-vcf", *vcf.as_os_str(), *"-o", *a.as_os_str()));
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(stdout, format!("{}: 5 cards read; wrote {}: 5 contacts\n", p(&vcf), p(&a)));
    let (code, _, _) = run(args!(*"import-vcf", *vcf.as_os_str(), *"-o", *b.as_os_str()));
    assert_eq!(code, 0);
    let ids = record_ids(&a);
    assert_eq!(ids, record_ids(&b), "the same ids on every run");
    let mut want: Vec<String> = record_ids(&one_officer())
        .into_iter()
        .filter(|id| golden("one-officer.vcf").windows(36).any(|w| w == id.as_bytes()))
        .collect();
    want.sort();
    assert_eq!(ids, want, "a Liaison UID is the record id");
    let (code, stdout, _) = liaison(&["validate".as_ref(), a.as_os_str()]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("ok (5 records, device liaison import-vcf / coordinator, sequence 1, all)"), "{stdout}");
}

#[test]
fn import_vcf_from_a_phone_lists_what_it_did_not_keep() {
    let dir = TempDir::new("import-vcf-phone");
    let vcf = dir.write("phone.vcf", std::fs::read(repo("crates/core/tests/interop_fixtures/iphone-3.0.vcf")).unwrap());
    let out = dir.path().join("phone.json");
    let (code, stdout, _) =
        run(args!(*"import-vcf", *vcf.as_os_str(), *"-o", *out.as_os_str(), *"--label", *"Coordinator laptop"));
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("not kept (Liaison has no field for them): ADR (1), BDAY (1), PHOTO (1)"), "{stdout}");
    assert_eq!(record_ids(&out), ["7a1e3f0c-5b2d-4c8e-9f10-2b3c4d5e6f70"], "the phone's UUID UID is the id");
}

#[test]
fn import_vcf_reports_problems_with_line_numbers_and_still_writes_the_cards() {
    let dir = TempDir::new("import-vcf-problems");
    let vcf = dir.write(
        "odd.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Anna Berg\r\nthis is not a property\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bo Lind\r\n",
    );
    let out = dir.path().join("odd.json");
    let (code, stdout, _) = run(args!(*"import-vcf", *vcf.as_os_str(), *"-o", *out.as_os_str()));
    assert_eq!(code, 1, "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], format!("{}: line 4: “this is not a property” is not a content line (NAME:value)", p(&vcf)));
    assert!(lines[1].starts_with(&format!("{}: line 6: the card starting here has no END:VCARD", p(&vcf))), "{stdout}");
    assert_eq!(lines[2], format!("{}: 2 cards read; wrote {}: 2 contacts", p(&vcf), p(&out)));
    assert_eq!(record_ids(&out).len(), 2);
}

#[test]
fn import_vcf_of_something_that_is_not_a_vcard_writes_nothing() {
    let dir = TempDir::new("import-vcf-garbage");
    let junk = dir.write("junk.vcf", [0u8, 159, 146, 150, 10, 13]);
    let out = dir.path().join("junk.json");
    let (code, stdout, _) = run(args!(*"import-vcf", *junk.as_os_str(), *"-o", *out.as_os_str()));
    assert_eq!(code, 2, "{stdout}");
    assert!(stdout.contains("no vCard found"), "{stdout}");
    assert!(stdout.ends_with(&format!("no card could be read, so {} was not written\n", p(&out))), "{stdout}");
    assert!(!out.exists());
    let missing = dir.path().join("missing.vcf");
    let (code, stdout, _) = run(args!(*"import-vcf", *missing.as_os_str(), *"-o", *out.as_os_str()));
    assert_eq!(code, 2);
    assert!(stdout.starts_with(&format!("{}: cannot read it: there is no such file", p(&missing))), "{stdout}");
}

#[test]
fn import_ics_of_a_liaison_export_keeps_the_record_ids_and_brings_the_follow_ups_with_their_meetings() {
    let dir = TempDir::new("import-ics");
    let ics = dir.write("meetings.ics", golden("one-officer.ics"));
    let a = dir.path().join("a.json");
    let (code, stdout, _) = run(args!(*"import-ics", *ics.as_os_str(), *"-o", *a.as_os_str()));
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(stdout, format!("{}: 5 events and to-dos read; wrote {}: 5 meetings and actions\n", p(&ics), p(&a)));
    // The file names the meetings' participants too, whose contacts it does not carry.
    let named: Vec<String> = record_ids(&one_officer())
        .into_iter()
        .filter(|id| golden("one-officer.ics").windows(36).any(|w| w == id.as_bytes()))
        .collect();
    let ids = record_ids(&a);
    assert_eq!(ids.len(), 5);
    assert!(ids.iter().all(|id| named.contains(id)), "a Liaison UID is the record id: {ids:?} of {named:?}");
    let b = dir.path().join("b.json");
    run(args!(*"import-ics", *ics.as_os_str(), *"-o", *b.as_os_str()));
    assert_eq!(record_ids(&a), record_ids(&b), "the same ids on every run");
    let (code, stdout, _) = liaison(&["validate".as_ref(), a.as_os_str()]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("device liaison import-ics / coordinator"), "{stdout}");
}

#[test]
fn import_ics_of_a_google_series_with_a_moved_meeting_writes_both_meetings() {
    let dir = TempDir::new("import-ics-series");
    let ics = dir.write(
        "series.ics",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:s@google.com\r\nDTSTART:20260302T090000\r\nRRULE:FREQ=WEEKLY\r\n\
         SUMMARY:Sync\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:s@google.com\r\nRECURRENCE-ID:20260309T090000\r\n\
         DTSTART:20260310T090000\r\nSUMMARY:Sync (moved)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    let out = dir.path().join("series.json");
    let (code, stdout, _) = run(args!(*"import-ics", *ics.as_os_str(), *"-o", *out.as_os_str()));
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("line 2: the meeting repeats; only its first occurrence is read"), "{stdout}");
    assert!(stdout.contains("2 events and to-dos read; wrote"), "{stdout}");
    assert_eq!(record_ids(&out).len(), 2);
}

#[test]
fn import_ics_of_something_that_is_not_a_calendar_writes_nothing() {
    let dir = TempDir::new("import-ics-garbage");
    let junk = dir.write("junk.ics", "BEGIN:VCARD\r\nFN:Anna\r\nEND:VCARD\r\n");
    let out = dir.path().join("junk.json");
    let (code, stdout, _) = run(args!(*"import-ics", *junk.as_os_str(), *"-o", *out.as_os_str()));
    assert_eq!(code, 2, "{stdout}");
    assert!(stdout.contains("not look like an iCalendar"), "{stdout}");
    assert!(
        stdout.ends_with(&format!("no event or to-do could be read, so {} was not written\n", p(&out))),
        "{stdout}"
    );
    assert!(!out.exists());
}

#[test]
fn help_names_the_conversion_commands() {
    let (code, out, _) = liaison(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("convert"), "{out}");
    assert!(out.contains("import-vcf"), "{out}");
    assert!(out.contains("import-ics"), "{out}");
    let (code, out, _) = liaison(&["convert", "--help"]);
    assert_eq!(code, 0);
    for word in ["--to", "--max-marking", "--excel", "contacts.csv", "X-LIAISON-MARKING"] {
        assert!(out.contains(word), "{word}: {out}");
    }
}
