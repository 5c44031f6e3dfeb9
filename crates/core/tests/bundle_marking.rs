//! A bundle's overall marking: the highest marking of what it carries in its file name and header, the
//! ceiling and the number of records it left out, and the gap check treating a limited bundle of
//! everything as partial.

use std::collections::BTreeSet;

use liaison_core::crdt::id::DeviceId;
use liaison_core::date::Date;
use liaison_core::exchange::{self, Export, ExportRequest, ExportState, ImportLog, LogEntry};
use liaison_core::formats::bundle::{read_bundle, BundleMarking, Scope};
use liaison_core::formats::wire::DeviceV1;
use liaison_core::marking::Ceiling;
use liaison_core::schema::{Field, Kind, Value};
use liaison_core::Notebook;
use uuid::Uuid;

const T0: u64 = 1_780_000_000_000;
const DAY: u64 = 86_400_000;

fn officer_with(markings: &[&str]) -> (Notebook, DeviceV1) {
    let id = DeviceId::new_v7(T0, [7; 10]);
    let device = DeviceV1 { id, label: "Field laptop".into(), officer: "Lt Col Ana Ruiz".into() };
    let mut nb = Notebook::new(id);
    for (i, m) in markings.iter().enumerate() {
        let now = T0 + i as u64 * 1_000;
        let c = nb.create(Kind::Contact, now, [i as u8, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        nb.set(c, Field::Name, Value::Text(format!("Contact {i}")), now).unwrap();
        if !m.is_empty() {
            nb.set(c, Field::Marking, Value::Text(m.to_string()), now).unwrap();
        }
    }
    (nb, device)
}

fn export(nb: &Notebook, device: &DeviceV1, ceiling: Ceiling) -> Export {
    let replicas = BTreeSet::from([device.id]);
    let now = T0 + DAY;
    let request = ExportRequest {
        device,
        replicas: &replicas,
        scope: Scope::All,
        bundle_id: Uuid::from_u128(0x019c_eced_0000_7000_8000_0000_0000_0001),
        now_ms: now,
        today: Date::from_days_since_epoch((now / DAY) as i64),
        ceiling,
    };
    exchange::export(nb, &mut ExportState::default(), request).expect("within the limits")
}

#[test]
fn a_limited_export_names_its_highest_marking_and_records_the_ceiling_and_what_it_left_out() {
    let mut markings = vec!["UNCLASSIFIED"];
    markings.extend(std::iter::repeat_n("RESTRICTED", 9));
    let (nb, device) = officer_with(&markings);
    let e = export(&nb, &device, Ceiling::Open);
    assert_eq!((e.records, e.left_out, e.marking.as_str()), (1, 9, "UNCLASSIFIED"));
    assert!(e.file_name.ends_with("-all-unclassified.json"), "{}", e.file_name);
    assert!(e.left_out_message().unwrap().starts_with("9 records above UNCLASSIFIED were left out"));
    let bundle = read_bundle(e.text.as_bytes(), T0 + 2 * DAY).expect("reads back");
    let marking = bundle.marking.expect("the header carries the marking");
    assert_eq!(marking, BundleMarking { highest: "UNCLASSIFIED".into(), ceiling: Some("open".into()), left_out: 9 });
    assert!(marking.is_partial());
    let at = |key: &str| e.text.find(key).unwrap_or(usize::MAX);
    assert!(at("\"marking\":{") < at("\"devices\""), "the marking is in the header, before the records");
}

#[test]
fn a_full_export_names_the_highest_marking_it_carries_and_is_not_partial() {
    let (nb, device) = officer_with(&["UNCLASSIFIED", "NATO RESTRICTED", ""]);
    let e = export(&nb, &device, Ceiling::All);
    assert_eq!((e.left_out, e.marking.as_str()), (0, "NATO RESTRICTED"));
    assert!(e.file_name.ends_with("-all-nato-restricted.json"), "{}", e.file_name);
    let marking = read_bundle(e.text.as_bytes(), T0 + 2 * DAY).unwrap().marking.unwrap();
    assert_eq!(marking, BundleMarking { highest: "NATO RESTRICTED".into(), ceiling: None, left_out: 0 });
    assert!(!marking.is_partial());
}

#[test]
fn an_unmarked_unlimited_export_keeps_the_header_older_readers_know() {
    let (nb, device) = officer_with(&["", ""]);
    let e = export(&nb, &device, Ceiling::All);
    assert!(!e.text.contains("\"marking\":{"), "no marking object in the header");
    assert!(e.file_name.ends_with("-all.json"), "{}", e.file_name);
    assert_eq!(read_bundle(e.text.as_bytes(), T0 + 2 * DAY).unwrap().marking, None);
}

#[test]
fn a_header_marking_with_an_unknown_key_is_refused() {
    let (nb, device) = officer_with(&["RESTRICTED"]);
    let e = export(&nb, &device, Ceiling::All);
    let tampered = e.text.replacen("\"marking\":{", "\"marking\":{\"level\":1,", 1);
    assert!(read_bundle(tampered.as_bytes(), T0 + 2 * DAY).is_err());
}

fn entry(sequence: u64, scope: Scope, partial: bool) -> LogEntry {
    LogEntry {
        bundle_id: Uuid::from_u128(sequence as u128),
        device: DeviceId::new_v7(T0, [7; 10]),
        sequence,
        scope,
        created_ms: T0 + sequence,
        imported_ms: T0 + DAY + sequence,
        records: 1,
        checksum: format!("sum{sequence}"),
        partial,
    }
}

#[test]
fn a_limited_bundle_of_everything_does_not_close_the_gaps_before_it() {
    let full = ImportLog { entries: vec![entry(1, Scope::Changes, false), entry(3, Scope::All, false)] };
    assert!(full.gaps().is_empty(), "a full bundle of everything covers bundle 2");
    let limited = ImportLog { entries: vec![entry(1, Scope::Changes, false), entry(3, Scope::All, true)] };
    let gaps = limited.gaps();
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0].missing, vec![2]);
}

#[test]
fn an_import_log_saved_before_partial_bundles_reads_and_saves_the_same() {
    let old = r#"[{"bundle_id":"00000000-0000-0000-0000-000000000001","device":"0198e6de-a5ef-71d0-8d5b-010203040501","sequence":1,"scope":"all","created_ms":1,"imported_ms":2,"records":3,"checksum":"sum"}]"#;
    let log: ImportLog = serde_json::from_str(old).expect("reads");
    assert!(!log.entries[0].partial);
    assert_eq!(serde_json::to_string(&log).unwrap(), old);
}
