//! Bytes per record in each bundle format, for the testkit's realistic records: the table in the v3
//! design notes comes from here.
//!
//! ```text
//! cargo test -p liaison-testkit --test bundle_sizes -- --nocapture
//! ```

use liaison_core::crdt::record::Record;
use liaison_core::formats::bundle::{read_bundle, write_bundle, write_bundle_v1, write_bundle_v2, ExportInput, Scope};
use liaison_core::Kind;
use liaison_testkit::bundles::{generate, Spec};

/// The most bytes a realistic contact may take in v3 (issue "Team scale").
const MAX_V3_CONTACT_BYTES: usize = 700;

fn input<'a>(b: &'a liaison_core::formats::bundle::Bundle, records: Vec<&'a Record>) -> ExportInput<'a> {
    ExportInput {
        bundle_id: b.id,
        created_ms: b.created_ms,
        device: &b.device,
        sequence: b.sequence,
        scope: Scope::All,
        devices: b.devices.clone(),
        records,
    }
}

/// Bytes per record of `records` in one format: the bundle's size less that of the same bundle empty.
fn per_record(records: &[&Record], write: &dyn Fn(Vec<&Record>) -> String) -> usize {
    let full = write(records.to_vec()).len();
    let empty = write(Vec::new()).len();
    (full - empty) / records.len().max(1)
}

#[test]
fn a_realistic_contact_takes_at_most_700_bytes_in_v3_and_the_table_is_printed() {
    // Officers' bundles after a round of edits: records with conflicts, deletions and many devices.
    let spec = Spec { officers: 20, records: 2_000, edit_percent: 10, seed: Spec::default().seed };
    let generated = generate(&spec);
    let last = generated.last().expect("bundles");
    let b = read_bundle(last.text.as_bytes(), u64::MAX / 2).expect("the generated bundle reads");
    println!(
        "{} records from bundle {} of {} officers (seed {:#x})",
        b.records.len(),
        last.file_name,
        spec.officers,
        spec.seed
    );
    println!("| kind | records | v1 bytes/record | v2 bytes/record | v3 bytes/record |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let mut contact_v3 = 0;
    for kind in [Kind::Contact, Kind::Meeting, Kind::Action] {
        let records: Vec<&Record> = b.records.iter().filter(|r| r.kind == kind).collect();
        let v1 = per_record(&records, &|rs| write_bundle_v1(input(&b, rs)));
        let v2 = per_record(&records, &|rs| write_bundle_v2(input(&b, rs)));
        let v3 = per_record(&records, &|rs| write_bundle(input(&b, rs)).expect("within the limits"));
        println!("| {kind} | {} | {v1} | {v2} | {v3} |", records.len());
        if kind == Kind::Contact {
            contact_v3 = v3;
        }
    }
    let whole = |f: &dyn Fn(Vec<&Record>) -> String| f(b.records.iter().collect()).len();
    println!(
        "whole bundle: v1 {} bytes, v2 {} bytes, v3 {} bytes",
        whole(&|rs| write_bundle_v1(input(&b, rs))),
        whole(&|rs| write_bundle_v2(input(&b, rs))),
        whole(&|rs| write_bundle(input(&b, rs)).expect("within the limits"))
    );
    assert!(contact_v3 <= MAX_V3_CONTACT_BYTES, "a contact takes {contact_v3} bytes in v3");
}
