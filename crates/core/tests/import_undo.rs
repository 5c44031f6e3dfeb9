//! "Undo last import" puts back exactly what the import changed, and refuses when a record it changed
//! was edited since, here or by another tab (docs/design.md, M9 and invariant 4).

use liaison_core::exchange::{self, ImportLog, ImportUndo, UndoRefused};
use liaison_core::formats::bundle::read_bundle;
use liaison_core::{DeviceId, Field, Kind, Notebook, Record, RecordId, Value};
use liaison_testkit::bundles::{generate, Spec};

const NOW: u64 = 1_790_000_000_000;

/// A device with one contact of its own, before and after importing a small team's bundles.
struct Imported {
    nb: Notebook,
    log: ImportLog,
    undo: ImportUndo,
    own: RecordId,
    before: Vec<Record>,
}

fn imported() -> Imported {
    let mut nb = Notebook::new(DeviceId::new_v7(NOW - 60_000, [0x42; 10]));
    let own = nb.create(Kind::Contact, NOW - 50_000, [7; 10]);
    nb.set(own, Field::Name, Value::Text("Own Contact".into()), NOW - 50_000).expect("a name");
    let before: Vec<Record> = nb.records().cloned().collect();
    let mut log = ImportLog::default();
    let spec = Spec { officers: 3, records: 40, edit_percent: 30, seed: 5 };
    let files = generate(&spec).into_iter().map(|g| (g.file_name, read_bundle(g.text.as_bytes(), NOW))).collect();
    let plan = exchange::plan(&nb, &log, files, NOW);
    let undo = exchange::apply(&mut nb, &mut log, plan, NOW).expect("the plan applies");
    assert_eq!(undo.records(), 40);
    Imported { nb, log, undo, own, before }
}

fn an_imported_contact(i: &Imported) -> RecordId {
    i.nb.records()
        .find(|r| r.id != i.own && r.kind == Kind::Contact && !r.is_deleted())
        .map(|r| r.id)
        .expect("a contact")
}

#[test]
fn undo_puts_back_exactly_the_records_before_the_import() {
    let Imported { mut nb, mut log, undo, before, .. } = imported();
    exchange::undo(&mut nb, &mut log, undo, NOW + 1_000).expect("nothing was edited");
    assert_eq!(nb.records().cloned().collect::<Vec<_>>(), before);
    assert!(log.entries.is_empty());
}

#[test]
fn undo_is_refused_once_a_record_the_import_changed_was_edited_here() {
    let i = imported();
    let contact = an_imported_contact(&i);
    let Imported { mut nb, mut log, undo, .. } = i;
    nb.set(contact, Field::Role, Value::Text("Typed after the import".into()), NOW + 500).expect("an edit");
    let kept: Vec<Record> = nb.records().cloned().collect();
    assert_eq!(exchange::undo(&mut nb, &mut log, undo, NOW + 1_000), Err(UndoRefused(1)));
    assert_eq!(nb.records().cloned().collect::<Vec<_>>(), kept, "a refused undo changes nothing");
}

#[test]
fn undo_is_refused_once_another_tab_merged_an_edit_into_an_imported_record() {
    let i = imported();
    let contact = an_imported_contact(&i);
    let Imported { mut nb, mut log, undo, .. } = i;
    let mut other_tab = nb.clone();
    other_tab.set(contact, Field::Notes, Value::Text("From the other tab".into()), NOW + 400).expect("an edit");
    let offered = other_tab.record(contact).cloned().expect("the record");
    nb.merge_record(&offered, NOW + 500).expect("the other tab's record joins");
    assert_eq!(exchange::undo(&mut nb, &mut log, undo, NOW + 1_000), Err(UndoRefused(1)));
}

#[test]
fn undo_keeps_an_edit_of_a_record_the_import_did_not_touch() {
    let Imported { mut nb, mut log, undo, own, .. } = imported();
    nb.set(own, Field::Role, Value::Text("Edited after the import".into()), NOW + 500).expect("an edit");
    exchange::undo(&mut nb, &mut log, undo, NOW + 1_000).expect("the import's records are as it left them");
    assert_eq!(nb.records().count(), 1);
    assert_eq!(nb.record(own).map(|r| r.text(Field::Role.key())), Some("Edited after the import"));
}
