//! Nothing lost, even to a bad file: one regression test per way a merge or an import could lose a value
//! (issue "Nothing lost, even to a bad file"), and the merge laws over arbitrary records, reachable or not.

use std::collections::BTreeMap;

use liaison_core::crdt::clock::Stamp;
use liaison_core::crdt::record::{Conflict, Entry, Record, Register};
use liaison_core::crdt::vv::VersionVector;
use liaison_core::exchange::{self, FileVerdict, ImportLog};
use liaison_core::formats::bundle::{read_bundle, write_bundle, ExportInput, Scope};
use liaison_core::formats::wire::{DeviceV1, RecordV1};
use liaison_core::schema::Value;
use liaison_core::{DeviceId, Field, Kind, Notebook, RecordId};
use proptest::prelude::*;

mod common;
use common::arb::Arb;

const NOW: u64 = 1_780_000_000_000;
const DAY: u64 = 86_400_000;

fn dev(n: u8) -> DeviceId {
    DeviceId::new_v7(1_700_000_000_000, [n; 10])
}

fn profile(id: DeviceId) -> DeviceV1 {
    DeviceV1 { id, label: format!("laptop {id}"), officer: "Maj Test".into() }
}

fn bundle_of(from: &DeviceV1, records: Vec<&Record>, now: u64) -> Vec<u8> {
    write_bundle(ExportInput {
        bundle_id: uuid::Uuid::from_u128(u128::from(now) << 20 | u128::from(records.len() as u64)),
        created_ms: now,
        device: from,
        sequence: 1,
        scope: Scope::All,
        devices: vec![from.clone()],
        records,
    })
    .expect("within the limits")
    .into_bytes()
}

fn officer_with_contact() -> (Notebook, RecordId) {
    let mut a = Notebook::new(dev(1));
    let id = a.create(Kind::Contact, NOW - DAY, [7; 10]);
    a.set(id, Field::Name, Value::Text("Anna Wöber".into()), NOW - DAY + 1).unwrap();
    a.set(id, Field::Emails, Value::List(vec!["anna@example.org".into()]), NOW - DAY + 2).unwrap();
    a.set(id, Field::Notes, Value::Text("Met at the HQ".into()), NOW - DAY + 3).unwrap();
    (a, id)
}

#[test]
fn a_record_that_claims_to_have_seen_values_it_does_not_hold_erases_nothing() {
    let (a, id) = officer_with_contact();
    let legit = a.record(id).unwrap().clone();
    // The forged v1 record keeps the legit history (`seen`) but drops every value.
    let mut forged = RecordV1::from_record(&legit);
    forged.fields.0.clear();
    let forged = forged.into_record().expect("a v1 record without fields is readable");
    let mut merged = legit.clone();
    merged.merge(&forged).unwrap();
    assert_eq!(merged.text("name"), "Anna Wöber");
    assert_eq!(merged.list("emails"), ["anna@example.org"]);
    assert_eq!(merged.text("notes"), "Met at the HQ");
    let mut other_way = forged.clone();
    other_way.merge(&legit).unwrap();
    assert_eq!(other_way, merged);
}

#[test]
fn two_values_with_one_stamp_are_both_kept_as_a_conflict_and_the_shared_id_is_reported() {
    let (a, id) = officer_with_contact();
    let mut copy = a.record(id).unwrap().clone();
    let stamp = copy.fields["name"].entries()[0].stamp;
    // A cloned profile writes another value under the very same stamp.
    copy.fields
        .insert("name".into(), Register::single(Entry { value: Value::Text("Anna Woeber".into()), stamp, seen: None }));
    let mut merged = a.record(id).unwrap().clone();
    merged.merge(&copy).unwrap();
    let names: Vec<String> = merged.fields["name"].entries().iter().map(|e| e.value.display()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(merged.conflicts().iter().any(|c| matches!(c, Conflict::Field { field, .. } if field == "name")));
    assert_eq!(merged.shared_stamps(), vec![stamp]);

    let mut coordinator = Notebook::new(dev(9));
    let files = vec![
        ("a.json".to_string(), read_bundle(&bundle_of(&profile(dev(1)), vec![a.record(id).unwrap()], NOW), NOW)),
        ("b.json".to_string(), read_bundle(&bundle_of(&profile(dev(1)), vec![&copy], NOW + 1), NOW)),
    ];
    let plan = exchange::plan(&coordinator, &ImportLog::default(), files, NOW);
    let shared: Vec<DeviceId> = plan.ready().flat_map(|p| p.shared_ids.clone()).collect();
    assert_eq!(shared, vec![dev(1)]);
    exchange::apply(&mut coordinator, &mut ImportLog::default(), plan, NOW).unwrap();
    assert_eq!(coordinator.record(id).unwrap().fields["name"].entries().len(), 2);
}

#[test]
fn one_deletion_seen_with_two_contexts_merges_to_the_same_bytes_in_either_order() {
    let (mut a, id) = officer_with_contact();
    a.delete(id, NOW).unwrap();
    let deleted = a.record(id).unwrap().clone();
    let mut narrower = deleted.clone();
    let del = narrower.life.entries()[0].clone();
    let mut seen = VersionVector::new();
    seen.add(&del.stamp);
    narrower.life = Register::single(Entry { seen: Some(seen), ..del });
    let mut ab = deleted.clone();
    ab.merge(&narrower).unwrap();
    let mut ba = narrower.clone();
    ba.merge(&deleted).unwrap();
    assert_eq!(ab, ba);
    assert_eq!(liaison_core::formats::wire::encode_record(&ab), liaison_core::formats::wire::encode_record(&ba));
    // The deletion counts as having seen what both copies agree on.
    assert_eq!(ab.life.entries().len(), 1);
    assert_eq!(ab.life.entries()[0].seen, narrower.life.entries()[0].seen);
}

#[test]
fn a_bundle_naming_this_device_far_ahead_is_refused_and_does_not_move_its_clock() {
    let mut me = Notebook::new(dev(1));
    let mut forger = Notebook::new(dev(1));
    let id = forger.create(Kind::Contact, NOW + 360 * DAY, [3; 10]);
    forger.set(id, Field::Name, Value::Text("From the future".into()), NOW + 360 * DAY).unwrap();
    let bytes = bundle_of(&profile(dev(2)), vec![forger.record(id).unwrap()], NOW);
    let plan = exchange::plan(&me, &ImportLog::default(), vec![("f.json".into(), read_bundle(&bytes, NOW))], NOW);
    let FileVerdict::Rejected { problems, .. } = &plan.files[0] else { panic!("accepted: {:?}", plan.files) };
    assert!(problems[0].message.contains("claims edits by this device"), "{problems:?}");
    exchange::apply(&mut me, &mut ImportLog::default(), plan, NOW).unwrap();
    let next = me.create(Kind::Meeting, NOW, [4; 10]);
    let stamp = me.record(next).unwrap().life.entries()[0].stamp;
    assert!(stamp.wall_ms < NOW + DAY, "the clock moved to {}", stamp.wall_ms);

    // A tab's replica id counts as this device too.
    let mut tabbed = Notebook::new(dev(5));
    tabbed.set_own_replicas([dev(1)]);
    let plan = exchange::plan(&tabbed, &ImportLog::default(), vec![("f.json".into(), read_bundle(&bytes, NOW))], NOW);
    assert!(matches!(plan.files[0], FileVerdict::Rejected { .. }));
}

#[test]
fn an_edit_typed_between_the_preview_and_import_is_kept() {
    let (a, id) = officer_with_contact();
    let mut b = Notebook::new(dev(2));
    let bytes = bundle_of(&profile(dev(1)), vec![a.record(id).unwrap()], NOW);
    let read = vec![("a.json".to_string(), read_bundle(&bytes, NOW))];
    let plan = exchange::plan(&b, &ImportLog::default(), read.clone(), NOW);
    exchange::apply(&mut b, &mut ImportLog::default(), plan, NOW).unwrap();
    // A second bundle from A is previewed; meanwhile B types a note.
    let mut a2 = a.clone();
    a2.set(id, Field::Role, Value::Text("Deputy".into()), NOW + 10).unwrap();
    let bytes2 = bundle_of(&profile(dev(1)), vec![a2.record(id).unwrap()], NOW + 20);
    let plan =
        exchange::plan(&b, &ImportLog::default(), vec![("a2.json".into(), read_bundle(&bytes2, NOW + 30))], NOW + 30);
    b.set(id, Field::Notes, Value::Text("Typed while the preview was open".into()), NOW + 40).unwrap();
    exchange::apply(&mut b, &mut ImportLog::default(), plan, NOW + 50).unwrap();
    let r = b.record(id).unwrap();
    assert_eq!(r.text("notes"), "Typed while the preview was open");
    assert_eq!(r.text("role"), "Deputy");
}

#[test]
fn contradictory_histories_are_refused_rather_than_leaving_a_field_empty() {
    let (a, id) = officer_with_contact();
    let base = a.record(id).unwrap().clone();
    let stamp = |n: u8, w: u64| Stamp { wall_ms: w, counter: 0, device: dev(n) };
    let (s2, s3) = (stamp(2, NOW), stamp(3, NOW));
    let mut both = VersionVector::new();
    both.add(&s2);
    both.add(&s3);
    let mut x = base.clone();
    x.fields.insert(
        "role".into(),
        Register::with_context(vec![Entry { value: Value::Text("X".into()), stamp: s2, seen: None }], both.clone()),
    );
    let mut y = base.clone();
    y.fields.insert(
        "role".into(),
        Register::with_context(vec![Entry { value: Value::Text("Y".into()), stamp: s3, seen: None }], both),
    );
    let mut joined = x.clone();
    assert!(matches!(joined.merge_checked(&y), Err(liaison_core::crdt::record::MergeError::Contradiction { .. })));
    assert_eq!(joined, x, "a refused merge changes nothing");

    let mut nb = Notebook::new(dev(9));
    nb.merge_record(&x, NOW).unwrap();
    let plan = exchange::plan(
        &nb,
        &ImportLog::default(),
        vec![("y.json".into(), read_bundle(&bundle_of(&profile(dev(3)), vec![&y], NOW), NOW))],
        NOW,
    );
    let FileVerdict::Rejected { problems, .. } = &plan.files[0] else { panic!("accepted") };
    assert!(problems[0].message.contains("each claim to have replaced"), "{problems:?}");
}

#[test]
fn a_deleted_record_leaves_as_a_tombstone_and_unseen_edits_still_surface() {
    let (a, id) = officer_with_contact();
    let mut b = Notebook::new(dev(2));
    b.merge_record(a.record(id).unwrap(), NOW).unwrap();
    let mut a = a;
    a.delete(id, NOW + 100).unwrap();
    b.set(id, Field::Role, Value::Text("Edited on B, not knowing".into()), NOW + 200).unwrap();
    let text = String::from_utf8(bundle_of(&profile(dev(1)), vec![a.record(id).unwrap()], NOW + 300)).unwrap();
    assert!(
        !text.contains("Anna Wöber") && !text.contains("anna@example.org") && !text.contains("Met at the HQ"),
        "{text}"
    );
    let tomb = read_bundle(text.as_bytes(), NOW + 300).unwrap().records.remove(0);
    assert!(tomb.is_deleted() && tomb.fields.is_empty());
    b.merge_record(&tomb, NOW + 400).unwrap();
    let r = b.record(id).unwrap();
    assert!(r.is_deleted());
    let edits: Vec<String> = r
        .conflicts()
        .into_iter()
        .filter_map(|c| match c {
            Conflict::EditedAfterDelete { edits, .. } => Some(edits.into_iter().map(|(f, _)| f).collect::<Vec<_>>()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(edits, ["role"]);
    // The deleting device keeps the values for Undo.
    a.restore(id, NOW + 500).unwrap();
    assert_eq!(a.record(id).unwrap().text("name"), "Anna Wöber");
}

#[test]
fn a_merged_away_contact_keeps_its_redirect_in_the_tombstone() {
    let (mut a, dup) = officer_with_contact();
    let survivor = a.create(Kind::Contact, NOW, [8; 10]);
    a.set(survivor, Field::Name, Value::Text("Anna Woeber".into()), NOW + 1).unwrap();
    a.merge_contacts(survivor, dup, vec![], NOW + 2).unwrap();
    let tomb = a.record(dup).unwrap().for_export();
    assert_eq!(tomb.text("merged_into"), survivor.to_string());
    assert!(tomb.get("name").is_none());
}

// ---- The merge laws over arbitrary records, reachable or not ----

const ARB: Arb = Arb { device: dev, wall: |w| w + 1, min_entries: 0 };

fn arb_record() -> impl Strategy<Value = Record> {
    ARB.contact(RecordId::new_v7(1, [1; 10]), &["a", "b", "c"])
}

fn join(a: &Record, b: &Record) -> Record {
    let mut m = a.clone();
    m.merge(b).unwrap();
    m
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000)))]

    #[test]
    fn the_join_of_arbitrary_records_is_commutative(a in arb_record(), b in arb_record()) {
        prop_assert_eq!(join(&a, &b), join(&b, &a));
    }

    #[test]
    fn the_join_of_arbitrary_records_is_associative(a in arb_record(), b in arb_record(), c in arb_record()) {
        prop_assert_eq!(join(&join(&a, &b), &c), join(&a, &join(&b, &c)));
    }

    #[test]
    fn the_join_of_arbitrary_records_is_idempotent(a in arb_record(), b in arb_record()) {
        prop_assert_eq!(join(&a, &a), a.clone());
        let ab = join(&a, &b);
        prop_assert_eq!(join(&ab, &b), ab);
    }

    /// A value leaves only when the other side holds the same field with a context that saw it, and a
    /// field never comes out empty unnoticed: `emptied_fields` names it, and every caller refuses it.
    #[test]
    fn no_value_disappears_unless_a_value_that_saw_it_is_present(a in arb_record(), b in arb_record()) {
        let r = join(&a, &b);
        for (mine, theirs) in [(&a, &b), (&b, &a)] {
            for (name, reg) in &mine.fields {
                let out = r.fields.get(name).map(|x| x.entries()).unwrap_or(&[]);
                for e in reg.entries() {
                    if out.iter().any(|x| x.stamp == e.stamp && x.value == e.value) {
                        continue;
                    }
                    let witness = theirs.fields.get(name);
                    prop_assert!(witness.is_some_and(|w| w.seen().covers(&e.stamp)), "{name}: {e:?} left without a context that saw it");
                    prop_assert!(!out.is_empty() || r.emptied_fields().contains(&name.as_str()), "{name} emptied unnoticed");
                }
            }
        }
        let mut checked = a.clone();
        if checked.merge_checked(&b).is_ok() {
            prop_assert!(checked.emptied_fields().len() <= a.emptied_fields().len() + b.emptied_fields().len());
        }
    }

    #[test]
    fn arbitrary_records_survive_the_v2_wire_format(a in arb_record()) {
        // Records with an empty register are never stored (every caller refuses to make one); the decoder
        // refuses them, or drops a register that holds and claims nothing. Every other record round-trips.
        let mut a = a;
        a.fields.retain(|_, r| !r.entries().is_empty());
        let text = liaison_core::formats::wire::encode_record(&a);
        prop_assert_eq!(liaison_core::formats::wire::decode_record(&text), Ok(a));
    }
}

// ---- vCard and iCalendar files through the same pipeline ----

fn import_file(
    nb: &mut Notebook,
    log: &mut ImportLog,
    name: &str,
    bytes: &[u8],
    now: u64,
) -> (exchange::Preview, exchange::ImportUndo) {
    use liaison_core::exchange::pipeline;
    let format = pipeline::detect(name, bytes).expect("a vCard or iCalendar file");
    let mut n = 0u8;
    let mut random = || {
        n = n.wrapping_add(1);
        [n; 10]
    };
    let b = pipeline::read_file(nb, format, name, bytes, pipeline::FileContext::BUILT_IN, now, &mut random);
    let plan = exchange::plan(nb, log, vec![(name.to_string(), Ok(b))], now);
    let preview = plan.ready().next().cloned().unwrap_or_else(|| panic!("refused: {:?}", plan.files));
    let undo = exchange::apply(nb, log, plan, now).expect("applies");
    (preview, undo)
}

fn shown_fields(r: &Record) -> BTreeMap<String, String> {
    r.fields.iter().filter_map(|(k, reg)| Some((k.clone(), reg.winner()?.value.display()))).collect()
}

#[test]
fn reimporting_an_older_icalendar_file_loses_nothing_newer_and_undo_puts_everything_back() {
    use liaison_core::formats::ical;
    use liaison_core::marking::Ceiling;
    let mut nb = Notebook::new(dev(1));
    let anna = nb.create(Kind::Contact, NOW, [1; 10]);
    nb.set(anna, Field::Name, Value::Text("Anna Wöber".into()), NOW + 1).unwrap();
    nb.set(anna, Field::Emails, Value::List(vec!["anna@example.org".into()]), NOW + 2).unwrap();
    let m = nb.create(Kind::Meeting, NOW, [2; 10]);
    nb.set(m, Field::Title, Value::Text("Liaison sync".into()), NOW + 3).unwrap();
    nb.set(m, Field::Date, Value::Text("2026-06-01".into()), NOW + 4).unwrap();
    nb.set(m, Field::Start, Value::Text("10:00".into()), NOW + 5).unwrap();
    nb.set(m, Field::Notes, Value::Text("First notes".into()), NOW + 6).unwrap();
    let old_ics = ical::export_all(&nb, Ceiling::All, NOW + 7).text;
    // Newer work after the export: a marking, notes, a participant.
    nb.set(m, Field::Marking, Value::Text("NATO SECRET".into()), NOW + 10).unwrap();
    nb.set(m, Field::Notes, Value::Text("Newer notes".into()), NOW + 11).unwrap();
    nb.set(m, Field::Participants, Value::List(vec![anna.to_string()]), NOW + 12).unwrap();
    let before = shown_fields(nb.record(m).unwrap());
    let mut log = ImportLog::default();
    let (preview, undo) = import_file(&mut nb, &mut log, "old.ics", old_ics.as_bytes(), NOW + 20);
    assert_eq!(preview.new, 0, "{preview:?}");
    assert!(preview.updated >= 1 && preview.conflicts >= 1, "the older notes wait as a conflict: {preview:?}");
    assert!(preview.notes.iter().any(|n| n.contains("lower than its marking here")), "{:?}", preview.notes);
    let notes: Vec<String> =
        nb.record(m).unwrap().fields["notes"].entries().iter().map(|e| e.value.display()).collect();
    assert_eq!(notes, ["Newer notes", "First notes"]);
    assert_eq!(shown_fields(nb.record(m).unwrap()), before, "what is shown stays as it was");
    assert_eq!(nb.record(m).unwrap().text("marking"), "NATO SECRET");
    let before_undo: Vec<Record> = nb.records().cloned().collect();
    exchange::undo(&mut nb, &mut log, undo, NOW + 30).expect("undo");
    assert!(nb.record(m).unwrap().conflicts().is_empty());
    assert_eq!(shown_fields(nb.record(m).unwrap()), before);
    assert!(before_undo.len() >= nb.records().count());
}

#[test]
fn reimporting_an_older_vcard_keeps_a_merge_and_does_not_bring_back_a_deleted_contact() {
    use liaison_core::formats::vcard;
    use liaison_core::marking::Ceiling;
    let mut nb = Notebook::new(dev(1));
    let a = nb.create(Kind::Contact, NOW, [1; 10]);
    nb.set(a, Field::Name, Value::Text("Anna Wöber".into()), NOW + 1).unwrap();
    nb.set(a, Field::Marking, Value::Text("RESTRICTED".into()), NOW + 2).unwrap();
    let dup = nb.create(Kind::Contact, NOW, [2; 10]);
    nb.set(dup, Field::Name, Value::Text("Anna Woeber".into()), NOW + 3).unwrap();
    nb.set(dup, Field::Phones, Value::List(vec!["+43 1 234".into()]), NOW + 4).unwrap();
    let gone = nb.create(Kind::Contact, NOW, [3; 10]);
    nb.set(gone, Field::Name, Value::Text("Old Contact".into()), NOW + 5).unwrap();
    let old_vcf = vcard::export_all(&nb, Ceiling::All).text;
    nb.merge_contacts(a, dup, vec![(Field::Phones, Value::List(vec!["+43 1 234".into()]))], NOW + 10).unwrap();
    nb.set(a, Field::Marking, Value::Text("SECRET".into()), NOW + 11).unwrap();
    nb.delete(gone, NOW + 12).unwrap();
    let survivor = shown_fields(nb.record(a).unwrap());
    let mut log = ImportLog::default();
    let (preview, _) = import_file(&mut nb, &mut log, "old.vcf", old_vcf.as_bytes(), NOW + 20);
    assert_eq!(shown_fields(nb.record(a).unwrap()), survivor);
    assert_eq!(nb.record(a).unwrap().text("marking"), "SECRET");
    assert!(nb.record(dup).unwrap().is_deleted(), "the merged-away duplicate stays merged");
    assert!(nb.record(gone).unwrap().is_deleted(), "the deleted contact is not brought back");
    assert!(preview.notes.iter().any(|n| n.contains("the marking here was kept")), "{:?}", preview.notes);
    // Importing the same file again is a repeat and changes nothing.
    let snapshot: Vec<Record> = nb.records().cloned().collect();
    let (again, _) = import_file(&mut nb, &mut log, "old.vcf", old_vcf.as_bytes(), NOW + 30);
    assert!(again.repeat_of.is_some());
    assert_eq!(nb.records().cloned().collect::<Vec<_>>(), snapshot);
}

#[test]
fn a_new_contact_from_a_phone_vcard_shows_its_values_at_once() {
    let card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jan Novák\r\nEMAIL:jan@example.cz\r\nEND:VCARD\r\n";
    let mut nb = Notebook::new(dev(1));
    let (preview, _) = import_file(&mut nb, &mut ImportLog::default(), "phone.vcf", card.as_bytes(), NOW);
    assert_eq!((preview.new, preview.conflicts), (1, 0), "{preview:?}");
    let c = nb.contacts();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].name, "Jan Novák");
}

#[test]
fn a_value_over_1_mb_is_refused_where_it_is_typed_and_where_it_is_imported() {
    let mut nb = Notebook::new(dev(1));
    let id = nb.create(Kind::Contact, NOW, [1; 10]);
    let huge = "x".repeat(liaison_core::schema::MAX_VALUE_BYTES + 1);
    let typed = nb.set(id, Field::Notes, Value::Text(huge.clone()), NOW + 1);
    assert!(matches!(typed, Err(liaison_core::notebook::EditError::TooLarge { .. })), "{typed:?}");
    assert_eq!(nb.record(id).unwrap().text("notes"), "");

    let card = format!("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Jan Novák\r\nNOTE:{huge}\r\nEND:VCARD\r\n");
    let (preview, _) = import_file(&mut nb, &mut ImportLog::default(), "big.vcf", card.as_bytes(), NOW + 2);
    assert_eq!(preview.new, 1);
    assert!(preview.notes.iter().any(|n| n.contains("left out: a field holds at most 1 MB")), "{:?}", preview.notes);
    let jan = nb.contacts().into_iter().find(|c| c.name == "Jan Novák").expect("imported");
    assert!(jan.notes.is_empty());
}
