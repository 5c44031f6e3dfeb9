//! `liaison merge`: determinism, validity of the output, and what happens to bad inputs.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use liaison_core::{Field, Kind};

fn merge(dir: &TempDir, name: &str, inputs: &[&PathBuf], extra: &[&str]) -> (i32, String, PathBuf) {
    let out = dir.path().join(name);
    let mut args: Vec<String> = vec!["merge".into()];
    args.extend(inputs.iter().map(|i| p(i)));
    args.push("-o".into());
    args.push(p(&out));
    args.extend(extra.iter().map(|s| s.to_string()));
    let (code, stdout, stderr) = liaison(&args);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (code, stdout, out)
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("the merged bundle was written")
}

#[test]
fn the_output_is_byte_identical_for_every_order_of_three_inputs() {
    let dir = TempDir::new("merge-orders");
    let [a, b, c] = World::new().write(&dir);
    let orders = [[&a, &b, &c], [&a, &c, &b], [&b, &a, &c], [&b, &c, &a], [&c, &a, &b], [&c, &b, &a]];
    let mut outputs = Vec::new();
    for (n, order) in orders.iter().enumerate() {
        let (code, out, path) = merge(&dir, &format!("out{n}.json"), order, &[]);
        assert_eq!(code, 0, "{out}");
        outputs.push(bytes(&path));
    }
    for o in &outputs[1..] {
        assert!(o == &outputs[0], "outputs differ between input orders");
    }
}

#[test]
fn duplicated_inputs_give_the_same_bytes_as_each_input_once() {
    let dir = TempDir::new("merge-dups");
    let [a, b, c] = World::new().write(&dir);
    let (_, _, once) = merge(&dir, "once.json", &[&a, &b, &c], &[]);
    let (code, out, twice) = merge(&dir, "twice.json", &[&c, &a, &c, &b, &a, &a], &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(bytes(&once), bytes(&twice));
}

#[test]
fn the_merged_output_validates_and_merging_it_again_changes_nothing() {
    let dir = TempDir::new("merge-validate");
    let [a, b, c] = World::new().write(&dir);
    let (code, out, merged) = merge(&dir, "merged.json", &[&a, &b, &c], &[]);
    assert_eq!(code, 0, "{out}");
    assert!(!dir.path().join("merged.json.tmp").exists());
    let (code, vout, _) = liaison(&["validate".as_ref(), merged.as_os_str()]);
    assert_eq!(code, 0, "{vout}");
    assert_eq!(vout, format!("{}: ok (3 records, device liaison merge / coordinator, sequence 1, all)\n", p(&merged)));
    // The output is a join of its inputs, so joining it with any of them again is a no-op.
    let (code, _, again) = merge(&dir, "again.json", &[&merged, &b], &[]);
    assert_eq!(code, 0);
    assert_eq!(bytes(&merged), bytes(&again));
}

#[test]
fn the_summary_counts_records_and_conflicts_and_verbose_lists_them() {
    let dir = TempDir::new("merge-summary");
    let world = &mut World::new();
    let [a, b, c] = world.write(&dir);
    let (code, out, merged) = merge(&dir, "merged.json", &[&a, &b, &c], &["--verbose"]);
    assert_eq!(code, 0, "{out}");
    let size = bytes(&merged).len();
    assert!(out.contains(&format!("merged 3 inputs into {}: {size} bytes\n", p(&merged))), "{out}");
    assert!(out.contains("3 records: 1 contact, 1 meeting, 1 action; 0 deleted\n"), "{out}");
    assert!(
        out.contains("open conflicts in 1 record: 1 field with concurrent values, 0 records edited after deletion\n"),
        "{out}"
    );
    assert!(
        out.contains(&format!("  meeting {} “Staff talks”: field “notes” has 2 concurrent values\n", world.meeting)),
        "{out}"
    );
    assert!(
        out.contains("      shown “Notes by Chiara” by Capt Chiara Bianchi (Office PC), 2026-01-01T03:00:00Z\n"),
        "{out}"
    );
    assert!(out.contains("      also  “Notes by Bo” by Maj Bo Lind (Tablet), 2026-01-01T02:00:00Z\n"), "{out}");
    assert!(out.contains("dropped records: 0\nrejected inputs: 0\n"), "{out}");
    let (_, quiet, _) = merge(&dir, "quiet.json", &[&a, &b, &c], &[]);
    assert!(!quiet.contains("Notes by Bo"), "{quiet}");
}

#[test]
fn a_rejected_input_is_listed_and_skipped_and_the_rest_is_still_written_with_exit_1() {
    let dir = TempDir::new("merge-rejected");
    let [a, b, _] = World::new().write(&dir);
    let bad = dir.write("bad.json", "{\"format\": \"liaison-bundle\", \"version\": 1, ");
    let (code, out, merged) = merge(&dir, "merged.json", &[&a, &bad, &b], &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("{}: the file ends too early (is it truncated?)\n", p(&bad))), "{out}");
    assert!(out.contains(&format!("rejected inputs: 1: {}\n", p(&bad))), "{out}");
    let (_, _, good) = merge(&dir, "good.json", &[&b, &a], &[]);
    assert_eq!(bytes(&merged), bytes(&good), "the rejected input changes nothing");
    let (code, _, _) = liaison(&["validate".as_ref(), merged.as_os_str()]);
    assert_eq!(code, 0);
}

#[test]
fn with_no_readable_input_nothing_is_written_and_the_exit_code_is_2() {
    let dir = TempDir::new("merge-none");
    let bad = dir.write("bad.json", "not json");
    let missing = dir.path().join("missing.json");
    let (code, out, merged) = merge(&dir, "merged.json", &[&bad, &missing], &[]);
    assert_eq!(code, 2, "{out}");
    assert!(!merged.exists());
    assert!(out.contains(&format!("{}: cannot read it: there is no such file\n", p(&missing))), "{out}");
    assert!(out.contains("nothing merged: none of the 2 inputs could be read"), "{out}");
}

#[test]
fn an_id_that_is_another_kind_in_another_input_is_dropped_from_the_output_whatever_the_order() {
    let dir = TempDir::new("merge-kinds");
    let [a, _, _] = World::new().write(&dir);
    // Same time and same random bytes: two devices make the same id, one as a contact, one as a meeting.
    let mut x = Officer::new(7, "X", "Officer X");
    let mut y = Officer::new(8, "Y", "Officer Y");
    let cx = x.create(Kind::Contact, T0 + 9 * HOUR, 9);
    x.set(cx, Field::Name, "Clash", T0 + 9 * HOUR);
    let keep = x.create(Kind::Contact, T0 + 9 * HOUR, 10);
    let my = y.create(Kind::Meeting, T0 + 9 * HOUR, 9);
    assert_eq!(cx, my);
    let xp = dir.write("x.json", x.export(T0 + 10 * HOUR));
    let yp = dir.write("y.json", y.export(T0 + 10 * HOUR));
    let (code, out, first) = merge(&dir, "first.json", &[&a, &xp, &yp], &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "merge: record {cx}: dropped from the output: it is a contact in {} but a meeting in {}\n",
            p(&xp),
            p(&yp)
        )),
        "{out}"
    );
    assert!(out.contains("dropped records: 1\n"), "{out}");
    let (code, _, second) = merge(&dir, "second.json", &[&yp, &a, &xp, &yp], &[]);
    assert_eq!(code, 1);
    assert_eq!(bytes(&first), bytes(&second));
    let text = String::from_utf8(bytes(&first)).expect("utf-8");
    assert!(!text.contains(&cx.to_string()), "the colliding record is gone");
    assert!(text.contains(&keep.to_string()), "the rest of that input is kept");
    let (code, _, _) = liaison(&["validate".as_ref(), first.as_os_str()]);
    assert_eq!(code, 0);
}

#[test]
fn the_label_names_the_merging_device_and_changes_its_id() {
    let dir = TempDir::new("merge-label");
    let [a, b, _] = World::new().write(&dir);
    let (_, _, one) = merge(&dir, "one.json", &[&a, &b], &["--label", "HQ desk", "--officer", "Maj Eva Novak"]);
    let (_, _, two) = merge(&dir, "two.json", &[&a, &b], &[]);
    let (code, out, _) = liaison(&["validate".as_ref(), one.as_os_str()]);
    assert_eq!(code, 0);
    assert!(out.contains("device HQ desk / Maj Eva Novak, sequence 1, all"), "{out}");
    assert_ne!(bytes(&one), bytes(&two));
}

#[test]
fn merge_help_explains_the_exit_codes_and_the_atomic_write() {
    let (code, out, _) = liaison(&["merge", "--help"]);
    assert_eq!(code, 0);
    for needle in ["OUT.tmp", "Exit status", "1 when an input was rejected", "any order", "--label", "--verbose"] {
        assert!(out.contains(needle), "{needle}: {out}");
    }
}

#[test]
fn a_device_renamed_between_exports_gets_its_newest_own_name_whatever_the_order() {
    let dir = TempDir::new("merge-rename");
    let mut world = World::new();
    let [a, b, _] = world.write(&dir);
    world.bo.profile.label = "Bo's new tablet".into();
    let b2 = dir.write("b2.json", world.bo.export(T0 + 6 * HOUR));
    let (_, _, one) = merge(&dir, "one.json", &[&a, &b, &b2], &[]);
    let (_, _, two) = merge(&dir, "two.json", &[&b2, &b, &a], &[]);
    assert_eq!(bytes(&one), bytes(&two));
    let (_, out, _) = liaison(&["inspect".as_ref(), one.as_os_str()]);
    assert!(out.contains("Maj Bo Lind (Bo's new tablet), device id"), "{out}");
    assert!(!out.contains("(Tablet)"), "{out}");
}

#[test]
fn a_record_linking_to_a_record_of_the_wrong_kind_from_another_input_is_dropped() {
    let dir = TempDir::new("merge-links");
    // X's meeting lists a participant id X does not hold; in Y, that id is a meeting.
    let mut y = Officer::new(8, "Y", "Officer Y");
    let other_meeting = y.create(Kind::Meeting, T0, 4);
    let mut x = Officer::new(7, "X", "Officer X");
    let m = x.create(Kind::Meeting, T0, 5);
    x.nb.set(m, Field::Participants, liaison_core::Value::List(vec![other_meeting.to_string()]), T0).expect("edit");
    let kept = x.create(Kind::Contact, T0, 6);
    let xp = dir.write("x.json", x.export(T0 + HOUR));
    let yp = dir.write("y.json", y.export(T0 + HOUR));
    let (code, out, merged) = merge(&dir, "merged.json", &[&xp, &yp], &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "merge: record {m}: dropped from the output: its field “participants” points at {other_meeting}, which is a meeting, not a contact\n"
        )),
        "{out}"
    );
    let text = String::from_utf8(bytes(&merged)).expect("utf-8");
    assert!(!text.contains(&format!("\"id\": \"{m}\"")) && text.contains(&kept.to_string()));
    let (code, _, _) = liaison(&["validate".as_ref(), merged.as_os_str()]);
    assert_eq!(code, 0);
}
