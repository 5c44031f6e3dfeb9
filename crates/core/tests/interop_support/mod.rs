//! Shared by the interop tests: the golden notebook, golden-file comparison, and a strict RFC 4180
//! reader to read exported CSV back with.

#![allow(dead_code)]

use std::path::PathBuf;

use liaison_core::formats::bundle::{self, Bundle};
use liaison_core::{DeviceId, Notebook};

/// Where golden and sample files live.
pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop_fixtures").join(name)
}

/// A sample or golden file's bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The golden bundle of one officer: five contacts in five scripts, two meetings, three actions.
pub fn one_officer_bundle() -> Bundle {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1-all-one-officer.json");
    let bytes = std::fs::read(path).expect("the golden bundle");
    bundle::read_bundle(&bytes, 1_800_000_000_000).expect("a valid bundle")
}

/// The golden bundle's records in a notebook of another device, with its clock at the bundle's time.
pub fn one_officer() -> (Notebook, u64) {
    let b = one_officer_bundle();
    (Notebook::from_records(DeviceId::new_v7(b.created_ms, [0x77; 10]), b.records, b.created_ms), b.created_ms)
}

/// An empty notebook of a device of its own.
pub fn empty(n: u8) -> Notebook {
    Notebook::new(DeviceId::new_v7(1_700_000_000_000, [n; 10]))
}

/// Random bytes for new records: a counter, so that tests are repeatable.
pub fn counter(seed: u8) -> impl FnMut() -> [u8; 10] {
    let mut n: u32 = 0;
    move || {
        n += 1;
        let mut r = [seed; 10];
        r[..4].copy_from_slice(&n.to_be_bytes());
        r
    }
}

/// Compares `actual` with a golden file byte for byte. A golden file is created once, from the first
/// run, and never rewritten: the run that creates it fails, so that a person looks at it before it
/// counts (and commits it).
pub fn golden(name: &str, actual: &[u8]) {
    let path = fixture_path(name);
    match std::fs::read(&path) {
        Ok(expected) => {
            if expected != actual {
                let at =
                    expected.iter().zip(actual).position(|(a, b)| a != b).unwrap_or(expected.len().min(actual.len()));
                let from = at.saturating_sub(80);
                panic!(
                    "{name} differs from its golden file at byte {at}:\n--- golden\n{}\n--- now\n{}",
                    String::from_utf8_lossy(&expected[from..(at + 80).min(expected.len())]),
                    String::from_utf8_lossy(&actual[from..(at + 80).min(actual.len())]),
                );
            }
        }
        Err(_) => {
            std::fs::write(&path, actual).expect("write golden file");
            panic!("created the golden file {name}: check it, add it to the repository, and run the tests again");
        }
    }
}

/// Reads CSV strictly by RFC 4180: CRLF between records, fields quoted with `"` and `""` inside.
/// Panics on anything else, since the exporter must write nothing else.
pub fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                    assert!(matches!(chars.peek(), None | Some(',') | Some('\r')), "text after a closing quote");
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            '"' => panic!("a quote inside an unquoted field"),
            ',' => {
                row.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF between records");
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                at_field_start = true;
            }
            '\n' => panic!("a bare LF outside quotes"),
            c => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    assert!(!quoted, "the file ends inside a quoted field");
    assert!(field.is_empty() && row.is_empty(), "the last record has no CRLF");
    rows
}
