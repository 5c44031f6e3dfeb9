//! `liaison validate`: exit codes and line formats.

mod common;

use common::*;
use liaison_core::{Field, Kind, Value};

#[test]
fn valid_bundles_exit_0_with_one_ok_line_each() {
    let dir = TempDir::new("validate-ok");
    let [a, b, c] = World::new().write(&dir);
    let (code, out, _) = liaison(&[&a, &b, &c]);
    assert_eq!(code, 2, "no subcommand given means a usage error: {out}");
    let (code, out, err) = liaison(&["validate".as_ref(), a.as_os_str(), b.as_os_str(), c.as_os_str()]);
    assert_eq!(code, 0, "{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            format!("{}: ok (2 records, device Field laptop / Lt Col Ana Ruiz, sequence 1, all)", p(&a)),
            format!("{}: ok (2 records, device Tablet / Maj Bo Lind, sequence 1, all)", p(&b)),
            format!("{}: ok (3 records, device Office PC / Capt Chiara Bianchi, sequence 1, all)", p(&c)),
        ]
    );
}

#[test]
fn a_bad_record_is_reported_with_the_file_and_the_record_id() {
    let dir = TempDir::new("validate-bad-record");
    let mut ana = Officer::new(1, "Field laptop", "Lt Col Ana Ruiz");
    let m = ana.create(Kind::Meeting, T0, 1);
    // A participant that is the meeting itself: a link to the wrong kind of record.
    ana.nb.set(m, Field::Participants, Value::List(vec![m.to_string()]), T0).expect("edit");
    let bad = dir.write("bad.json", ana.export(T0 + HOUR));
    let (code, out, _) = liaison(&["validate".as_ref(), bad.as_os_str()]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        format!("{}: record {m}: participants points at {m}, which is a meeting, not a contact\n", p(&bad))
    );
}

#[test]
fn a_mix_of_good_and_bad_files_exits_1_and_names_every_problem() {
    let dir = TempDir::new("validate-mixed");
    let [a, _, _] = World::new().write(&dir);
    let text = std::fs::read_to_string(&a).expect("read");
    let truncated = dir.write("truncated.json", &text[..text.len() / 2]);
    let tampered = dir.write("tampered.json", text.replace("Anna Berg", "Anna Borg"));
    let newer = dir.write("newer.json", r#"{"format":"liaison-bundle","version":4}"#);
    let other = dir.write("other.json", r#"{"format":"vcard","version":1}"#);
    let empty = dir.write("empty.json", "");
    let missing = dir.path().join("missing.json");
    let folder = dir.path().join("folder.json");
    std::fs::create_dir(&folder).expect("mkdir");
    let args = [
        "validate".into(),
        p(&a),
        p(&truncated),
        p(&tampered),
        p(&newer),
        p(&other),
        p(&empty),
        p(&missing),
        p(&folder),
    ];
    let (code, out, err) = liaison(&args);
    assert_eq!(code, 1, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 8, "{out}");
    assert!(lines[0].starts_with(&format!("{}: ok (2 records", p(&a))), "{out}");
    assert_eq!(lines[1], format!("{}: the file ends too early (is it truncated?)", p(&truncated)));
    assert_eq!(
        lines[2],
        format!(
            "{}: the checksum does not match the content: the file was changed or damaged after it was exported",
            p(&tampered)
        )
    );
    assert!(lines[3].starts_with(&format!("{}: this bundle needs a newer version of Liaison", p(&newer))), "{out}");
    assert_eq!(lines[4], format!("{}: not a Liaison bundle (its format is “vcard”)", p(&other)));
    assert_eq!(lines[5], format!("{}: the file is empty", p(&empty)));
    assert_eq!(lines[6], format!("{}: cannot read it: there is no such file", p(&missing)));
    assert_eq!(lines[7], format!("{}: it is a directory, not a bundle file", p(&folder)));
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn text_from_a_hostile_file_cannot_drive_the_terminal() {
    let dir = TempDir::new("validate-escape");
    let evil = dir.write("evil.json", "{\"format\":\"x\\u001b[2J\\u202e\\nforged: ok\",\"version\":1}");
    let (code, out, _) = liaison(&["validate".as_ref(), evil.as_os_str()]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{202e}'), "{out:?}");
    assert!(out.contains("\\u{1b}[2J\\u{202e}\\nforged: ok"), "{out}");
}

#[test]
fn validate_needs_at_least_one_file() {
    let (code, _, err) = liaison(&["validate"]);
    assert_eq!(code, 2);
    assert!(err.contains("Usage: liaison validate"), "{err}");
}
