//! Bundle v3 against v1 and v2, over arbitrary records: a file read in any version gives the same
//! records, merging v3 inputs gives the state that merging v1/v2 inputs gives, and v1 → v3 → v1 keeps
//! every entry byte for byte. Also: the writer refuses what the reader would refuse.

use std::collections::BTreeMap;

use liaison_core::crdt::clock::Stamp;
use liaison_core::crdt::record::Record;
use liaison_core::formats::bundle::{
    read_bundle, write_bundle, write_bundle_v1, write_bundle_v2, write_bundle_v3, Bundle, ExportInput, Layout, Scope,
    MAX_RECORD_BYTES,
};
use liaison_core::formats::wire::DeviceV1;
use liaison_core::schema::Value;
use liaison_core::{DeviceId, Kind, RecordId};
use proptest::prelude::*;

mod common;
use common::arb::Arb;

const NOW: u64 = 1_773_500_000_000;

fn dev(n: u8) -> DeviceId {
    DeviceId::new_v7(1_700_000_000_000 + u64::from(n), [n; 10])
}

fn profile() -> DeviceV1 {
    DeviceV1 { id: dev(0), label: "Field laptop".into(), officer: "Lt Col Ana Ruiz".into() }
}

fn input(records: Vec<&Record>) -> ExportInput<'_> {
    // A leaked profile keeps the helper's signature simple; tests make a handful of them.
    let device: &'static DeviceV1 = Box::leak(Box::new(profile()));
    ExportInput {
        bundle_id: uuid::Uuid::from_u128(0x019c_eced_0000_7000_8000_0000_0000_0001),
        created_ms: NOW,
        device,
        sequence: 1,
        scope: Scope::All,
        devices: vec![profile(), DeviceV1 { id: dev(1), label: "Tablet".into(), officer: "Maj Bo Lind".into() }],
        records,
    }
}

const ARB: Arb = Arb { device: dev, wall: |w| 1_773_400_000_000 + w * 60_000, min_entries: 1 };

fn arb_record(n: u8) -> impl Strategy<Value = Record> {
    ARB.contact(RecordId::new_v7(1_773_000_000_000, [n; 10]), &["Anna", "Ána", "Bo"])
}

/// A few records with distinct ids, as they leave a device: a deleted record as its tombstone
/// ([`Record::for_export`]), which the v2 and v3 writers apply and the frozen v1 writer does not.
fn arb_records() -> impl Strategy<Value = Vec<Record>> {
    (arb_record(1), proptest::option::of(arb_record(2)), proptest::option::of(arb_record(3)))
        .prop_map(|(a, b, c)| std::iter::once(a).chain(b).chain(c).map(|r| r.for_export()).collect())
}

fn read(text: &str) -> Option<Bundle> {
    read_bundle(text.as_bytes(), NOW).ok()
}

/// The records of every bundle, joined by id.
fn merged(bundles: &[&Bundle]) -> BTreeMap<RecordId, Record> {
    let mut out: BTreeMap<RecordId, Record> = BTreeMap::new();
    for b in bundles {
        for r in &b.records {
            match out.get_mut(&r.id) {
                Some(m) => {
                    let _ = m.merge(r);
                }
                None => {
                    out.insert(r.id, r.clone());
                }
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000)))]

    #[test]
    fn a_bundle_read_as_v3_holds_the_records_it_holds_as_v2(rs in arb_records()) {
        let v2 = read(&write_bundle_v2(input(rs.iter().collect())));
        let v3 = read(&write_bundle(input(rs.iter().collect())).expect("within the limits"));
        prop_assert_eq!(v2.as_ref().map(|b| &b.records), v3.as_ref().map(|b| &b.records));
        if let (Some(v2), Some(v3)) = (v2, v3) {
            prop_assert_eq!((&v2.device, &v2.devices, v2.scope, v2.sequence), (&v3.device, &v3.devices, v3.scope, v3.sequence));
        }
    }

    #[test]
    fn merging_v3_inputs_gives_the_state_that_merging_v1_and_v2_inputs_gives(a in arb_records(), b in arb_records()) {
        // One officer sends v1, another v2; the same files written again as v3 must merge to the same.
        let (Some(a1), Some(b2)) = (read(&write_bundle_v1(input(a.iter().collect()))), read(&write_bundle_v2(input(b.iter().collect())))) else {
            return Ok(());
        };
        let a3 = read(&write_bundle(input(a1.records.iter().collect())).expect("within the limits"));
        let b3 = read(&write_bundle(input(b2.records.iter().collect())).expect("within the limits"));
        let (Some(a3), Some(b3)) = (a3, b3) else {
            return Err(TestCaseError::fail("a bundle that read as v1 or v2 does not read as v3"));
        };
        prop_assert_eq!(merged(&[&a1, &b2]), merged(&[&a3, &b3]));
        prop_assert_eq!(merged(&[&b2, &a1]), merged(&[&a3, &b3]));
        // Mixed: one file in the old format, one in the new.
        prop_assert_eq!(merged(&[&a1, &b3]), merged(&[&a3, &b2]));
    }

    #[test]
    fn v1_written_as_v3_and_back_as_v1_keeps_every_entry_byte_for_byte(rs in arb_records()) {
        let v1 = write_bundle_v1(input(rs.iter().collect()));
        let Some(b1) = read(&v1) else { return Ok(()) };
        let pretty = write_bundle_v3(input(b1.records.iter().collect()), Layout::Pretty).expect("within the limits");
        let v3 = write_bundle(input(b1.records.iter().collect())).expect("within the limits");
        let b3 = read(&v3).expect("v3 reads");
        prop_assert_eq!(&read(&pretty).expect("pretty v3 reads").records, &b3.records, "--pretty holds the same content");
        prop_assert_eq!(&b3.records, &b1.records);
        prop_assert_eq!(write_bundle_v1(input(b3.records.iter().collect())), v1);
    }
}

#[test]
fn the_writer_refuses_a_record_the_reader_would_refuse_for_its_size() {
    let d = dev(0);
    let at = |w: u64| Stamp { wall_ms: NOW - 1_000 + w, counter: 0, device: d };
    let mut r = Record::new(RecordId::new_v7(NOW, [9; 10]), Kind::Contact, at(0));
    // Values of 1 MB each are allowed one by one; a record that holds more than the per-record limit of
    // them (concurrent values a merge kept) is not.
    let mb = "a".repeat(1024 * 1024);
    let fields = MAX_RECORD_BYTES / mb.len() + 1;
    for i in 0..fields {
        r.write(&format!("x-field-{i:02}"), Value::Text(mb.clone()), at(1 + i as u64));
    }
    let refused = write_bundle(input(vec![&r])).expect_err("the writer must refuse it");
    assert!(refused.iter().any(|p| p.to_string().contains("the limit per record")), "{refused:?}");
    // The same record written by the frozen v2 writer, which knew no such limit, is refused on reading.
    let read = read_bundle(write_bundle_v2(input(vec![&r])).as_bytes(), NOW).expect_err("the reader must refuse it");
    assert!(read.iter().any(|p| p.message.contains("the limit per record")), "{read:?}");
    // One field fewer is within the limit, and reads back.
    r.fields.remove(&format!("x-field-{:02}", fields - 1));
    let text = write_bundle(input(vec![&r])).expect("within the limit");
    assert!(read_bundle(text.as_bytes(), NOW).is_ok());
}

#[test]
fn a_v3_bundle_pretty_printed_reads_and_carries_the_same_content() {
    let d = dev(1);
    let mut r =
        Record::new(RecordId::new_v7(NOW, [7; 10]), Kind::Contact, Stamp { wall_ms: NOW - 10, counter: 0, device: d });
    r.write(
        "name",
        Value::Text("Ἀθηνᾶ \"checksum\": \"x\"}".into()),
        Stamp { wall_ms: NOW - 5, counter: 0, device: d },
    );
    let compact = write_bundle(input(vec![&r])).expect("within the limits");
    let pretty = write_bundle_v3(input(vec![&r]), Layout::Pretty).expect("within the limits");
    assert!(!compact.contains('\n') && pretty.contains("\n  \"records\""));
    let (a, b) =
        (read_bundle(compact.as_bytes(), NOW).expect("compact"), read_bundle(pretty.as_bytes(), NOW).expect("pretty"));
    assert_eq!(a.records, b.records);
    assert_eq!(a.records, vec![r]);
}
