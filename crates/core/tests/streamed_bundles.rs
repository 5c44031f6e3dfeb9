//! The streaming writer and the reader's fast path give what the whole-file writer and the careful
//! reader give.

use liaison_core::formats::bundle::{read_bundle, write_bundle, write_bundle_v3_to, ExportInput, Scope};
use liaison_testkit::bundles::{team, team_bundles, TeamFormat, TeamSpec};

const NOW: u64 = liaison_testkit::BASE_MS + 400 * 86_400_000;

#[test]
fn the_streaming_writer_writes_the_bytes_of_the_whole_file_writer() {
    let t = team(&TeamSpec { officers: 3, records: 30, shared: 6, seed: 5 });
    for (o, who) in t.officers.iter().enumerate() {
        let input = || ExportInput {
            bundle_id: uuid::Uuid::from_u128(o as u128 + 1),
            created_ms: t.exported_ms[o],
            device: who,
            sequence: 1,
            scope: Scope::All,
            devices: t.officers.clone(),
            records: t.held[o].iter().collect(),
        };
        let whole = write_bundle(input()).expect("within the limits");
        let mut streamed = Vec::new();
        let n = write_bundle_v3_to(input(), &mut streamed).expect("within the limits");
        assert_eq!(n as usize, streamed.len());
        assert_eq!(String::from_utf8(streamed).expect("UTF-8"), whole);
    }
}

#[test]
fn a_v1_bundle_reads_the_same_whether_its_format_and_version_come_first_or_not() {
    let t = team(&TeamSpec { officers: 2, records: 20, shared: 4, seed: 3 });
    for g in team_bundles(&t, TeamFormat::V1, 3) {
        assert!(g.text.starts_with("{\n  \"format\": \"liaison-bundle\",\n  \"version\": 1,"));
        let first = read_bundle(g.text.as_bytes(), NOW).expect("a generated bundle reads");
        // serde_json's own map sorts keys, so "bundle_id" comes first and the reader takes its careful way;
        // v1's checksum is over the content, not the file's bytes, so the bundle is still whole.
        let value: serde_json::Value = serde_json::from_str(&g.text).expect("JSON");
        let sorted = serde_json::to_string(&value).expect("JSON");
        assert!(sorted.starts_with("{\"bundle_id\""));
        assert_eq!(read_bundle(sorted.as_bytes(), NOW), Ok(first));
    }
}
