//! `liaison inspect`: what a coordinator learns about one bundle.

mod common;

use common::*;

#[test]
fn inspect_shows_a_conflict_made_by_two_replicas_editing_one_field() {
    let dir = TempDir::new("inspect-conflict");
    let world = &mut World::new();
    let [a, b, c] = world.write(&dir);
    let merged = dir.path().join("merged.json");
    let (code, out, _) = liaison(&["merge".into(), p(&a), p(&b), p(&c), "-o".into(), p(&merged)]);
    assert_eq!(code, 0, "{out}");
    let (code, out, err) = liaison(&["inspect".as_ref(), merged.as_os_str()]);
    assert_eq!(code, 0, "{err}");
    let expected = format!(
        "  meeting {} “Staff talks”: field “notes” has 2 concurrent values\n\
         \x20     shown “Notes by Chiara” by Capt Chiara Bianchi (Office PC), 2026-01-01T03:00:00Z\n\
         \x20     also  “Notes by Bo” by Maj Bo Lind (Tablet), 2026-01-01T02:00:00Z\n",
        world.meeting
    );
    assert!(out.contains(&expected), "{out}");
    assert!(
        out.contains("open conflicts in 1 record: 1 field with concurrent values, 0 records edited after deletion\n"),
        "{out}"
    );
}

#[test]
fn inspect_shows_the_exporter_counts_and_who_wrote_the_edits() {
    let dir = TempDir::new("inspect-summary");
    let mut world = World::new();
    world.chiara.nb.delete(world.action, T0 + 4 * HOUR).expect("delete");
    let [_, _, c] = world.write(&dir);
    let (code, out, _) = liaison(&["inspect".as_ref(), c.as_os_str()]);
    assert_eq!(code, 0, "{out}");
    let chiara = world.chiara.profile.id;
    let ana = world.ana.profile.id;
    for line in [
        format!("{}: ok (3 records, device Office PC / Capt Chiara Bianchi, sequence 1, all)", p(&c)),
        format!("exported by: device “Office PC”, officer “Capt Chiara Bianchi”, device id {chiara}"),
        "sequence:    1".to_string(),
        "scope:       all".to_string(),
        "created:     2026-01-01T05:00:00Z".to_string(),
        "records:     3".to_string(),
        "  contacts   1 alive, 0 deleted".to_string(),
        "  meetings   1 alive, 0 deleted".to_string(),
        "  actions    0 alive, 1 deleted".to_string(),
        // Ana: contact create + name, meeting create + title + participants. Chiara: notes, and the
        // action's deletion: a deleted record travels as a tombstone, without the values its deletion saw.
        format!("  Lt Col Ana Ruiz (Field laptop), device id {ana}: 5 edits"),
        format!("  Capt Chiara Bianchi (Office PC), device id {chiara}: 2 edits"),
    ] {
        assert!(out.lines().any(|l| l == line), "missing “{line}” in:\n{out}");
    }
}

#[test]
fn inspect_shows_a_record_edited_after_it_was_deleted_elsewhere() {
    let dir = TempDir::new("inspect-deleted");
    let mut world = World::new();
    // Bo deletes the contact while Ana, not knowing, changes its title (at T0 + 4 h, in World::new). The
    // merged output carries the tombstone without the name the deletion had seen, and Ana's title.
    world.bo.nb.delete(world.contact, T0 + 5 * HOUR).expect("delete");
    let [a, b, _] = world.write(&dir);
    let merged = dir.path().join("merged.json");
    let (code, out, _) = liaison(&["merge".into(), p(&a), p(&b), "-o".into(), p(&merged)]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = liaison(&["inspect".as_ref(), merged.as_os_str()]);
    assert_eq!(code, 0);
    let expected = format!(
        "  contact {} (unnamed contact): edited after it was deleted elsewhere\n\
         \x20     deleted by Maj Bo Lind (Tablet), 2026-01-01T05:00:00Z\n\
         \x20     edit of “title”: “Col” by Lt Col Ana Ruiz (Field laptop), 2026-01-01T04:00:00Z\n",
        world.contact
    );
    assert!(out.contains(&expected), "{out}");
}

#[test]
fn inspecting_something_that_is_not_a_bundle_exits_1_with_its_problems() {
    let dir = TempDir::new("inspect-bad");
    let bad = dir.write("notes.txt", "meeting notes");
    let (code, out, err) = liaison(&["inspect".as_ref(), bad.as_os_str()]);
    assert_eq!(code, 1, "{err}");
    assert!(out.starts_with(&format!("{}: not valid JSON", p(&bad))), "{out}");
}

#[test]
fn inspect_warns_about_edits_from_a_device_with_a_wrong_date() {
    let dir = TempDir::new("inspect-ahead");
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
    let mut eva = Officer::new(5, "Tablet", "Ms Eva Novak");
    // A device whose date is two days ahead: plausible enough to import, but flagged.
    let c = eva.create(liaison_core::Kind::Contact, now + 48 * HOUR, 5);
    eva.set(c, liaison_core::Field::Name, "Farid Haddad", now + 48 * HOUR);
    let path = dir.write("eva.json", eva.export(now + 48 * HOUR));
    let (code, out, _) = liaison(&["inspect".as_ref(), path.as_os_str()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("warning: 2 edits are stamped more than 10 minutes ahead of this computer's clock (a device with a wrong date?)\n"),
        "{out}"
    );
}
