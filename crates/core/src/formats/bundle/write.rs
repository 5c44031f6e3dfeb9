//! Writing bundles: v3 as this version does, and the frozen v1 and v2 writers the fixtures keep.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write as _;
use uuid::Uuid;

use crate::crdt::id::DeviceId;
use crate::crdt::record::Record;
use crate::formats::wire::{devices_of, record_v2_to_v3, DeviceV1, RecordV1, RecordV2, RecordV3};

use super::shapes::*;

/// What an export is made from.
pub struct ExportInput<'a> {
    /// A fresh id for the bundle.
    pub bundle_id: Uuid,
    /// Now.
    pub created_ms: u64,
    /// The exporting device.
    pub device: &'a DeviceV1,
    /// Its export counter for this bundle.
    pub sequence: u64,
    /// Everything, or changes.
    pub scope: Scope,
    /// Known device profiles.
    pub devices: Vec<DeviceV1>,
    /// The records to carry, in any order.
    pub records: Vec<&'a Record>,
}

/// How a written bundle is laid out. Both hold the same content and read the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// No whitespace: what the app and the CLI write.
    Compact,
    /// Indented by two spaces, for people reading it.
    Pretty,
}

/// The exporting device in v3: its index in the device table, and its profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExporterV3 {
    /// Its index in the device table.
    pub d: u32,
    /// A label people recognise.
    pub label: String,
    /// The officer who uses the device.
    pub officer: String,
}

/// One device of a v3 device table: its id, and its profile when the bundle carries one (label and
/// officer both, or neither).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceEntryV3 {
    /// The device id.
    pub id: DeviceId,
    /// Its label, when the bundle carries its profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Its officer, when the bundle carries its profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub officer: Option<String>,
}

/// Bundle format v3: compact, with a device table that stamps and contexts name by index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleV3 {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always 3.
    pub version: u32,
    /// A unique id per bundle: importing the same id twice is a repeat.
    pub bundle_id: Uuid,
    /// When it was made, ms since the epoch.
    pub created_ms: u64,
    /// The exporting device.
    pub device: ExporterV3,
    /// The exporting device's export counter, from 1.
    pub sequence: u64,
    /// Everything, or changes since the previous export.
    pub scope: Scope,
    /// The overall marking, and what a marking ceiling left out; absent in bundles written before
    /// there was one and in unmarked, unlimited bundles, which older readers then read unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marking: Option<BundleMarking>,
    /// The device table: every device the file names (the exporter, every stamp and context, every
    /// profile), sorted by id, each once. It comes before the records, which refer to it.
    pub devices: Vec<DeviceEntryV3>,
    /// The records, sorted by id.
    #[serde(deserialize_with = "limited_records")]
    pub records: Vec<RecordV3>,
    /// `sha256:` and the hex digest of the file's bytes before the `"checksum"` key; always the last key.
    pub checksum: String,
}

/// The problem with a bundle of `n` records, if the reader would refuse it for holding too many.
fn too_many_records(n: usize) -> Option<Problem> {
    (n > MAX_RECORDS).then(|| {
        Problem::file(format!(
            "{} records are more than a bundle may hold ({}); split the export",
            thousands(n),
            thousands(MAX_RECORDS)
        ))
    })
}

/// The problem with a record, if its values are more than the reader loads for one record.
fn too_large(r: &RecordV2) -> Option<Problem> {
    let total =
        r.fields.0.values().flat_map(|reg| &reg.e).map(|e| value_bytes(&e.v)).fold(0usize, usize::saturating_add);
    (total > MAX_RECORD_BYTES).then(|| {
        Problem::record(
            r.id,
            format!("its values hold {} bytes; the limit per record is {} MB", thousands(total), MAX_RECORD_BYTES / MB),
        )
    })
}

/// Writes a bundle in format v3, compact: canonical JSON (records by id, keys sorted, devices by id) with
/// its checksum. Deleted records travel as tombstones ([`Record::for_export`]). Refuses, with every
/// reason, a bundle the reader would refuse for its size: too many records, a record over
/// [`MAX_RECORD_BYTES`], or a file over [`MAX_BUNDLE_BYTES`].
pub fn write_bundle(input: ExportInput<'_>) -> Result<String, Vec<Problem>> {
    write_bundle_v3(input, Layout::Compact)
}

/// Writes a bundle in format v3 in the given layout (see [`write_bundle`]).
pub fn write_bundle_v3(input: ExportInput<'_>, layout: Layout) -> Result<String, Vec<Problem>> {
    write_bundle_v3_marked(input, layout, None)
}

/// Writes a bundle in format v3 whose header carries its overall marking (see [`BundleMarking`]):
/// what an export of this device writes.
pub fn write_bundle_marked(input: ExportInput<'_>, marking: Option<BundleMarking>) -> Result<String, Vec<Problem>> {
    write_bundle_v3_marked(input, Layout::Compact, marking)
}

fn write_bundle_v3_marked(
    input: ExportInput<'_>,
    layout: Layout,
    marking: Option<BundleMarking>,
) -> Result<String, Vec<Problem>> {
    let mut problems = Vec::new();
    problems.extend(too_many_records(input.records.len()));
    let mut records: Vec<RecordV2> = input.records.iter().map(|r| RecordV2::from_record(&r.for_export())).collect();
    records.sort_by_key(|r| r.id);
    problems.extend(records.iter().filter_map(too_large));
    if !problems.is_empty() {
        return Err(problems);
    }
    let (mut dto, index) = head_v3(&input, records.iter().flat_map(devices_of).collect());
    dto.marking = marking;
    dto.records = records.into_iter().map(|r| record_v2_to_v3(r, &index)).collect();
    // Plain structs, strings and integers always serialise.
    let mut text = match layout {
        Layout::Compact => serde_json::to_string(&dto),
        Layout::Pretty => serde_json::to_string_pretty(&dto),
    }
    .unwrap_or_default();
    drop(dto);
    // The checksum is the last key, so its last mention is the key itself, whatever the values hold.
    let (Some(key), Some(value)) = (text.rfind("\"checksum\""), text.rfind(PLACEHOLDER)) else {
        return Err(vec![Problem::file("the bundle could not be written")]);
    };
    let sum = hex_sha256(&text.as_bytes()[..key]);
    text.replace_range(value..value + PLACEHOLDER.len(), &sum);
    if text.len() > MAX_BUNDLE_BYTES {
        return Err(vec![Problem::file(format!(
            "the bundle would be {} bytes, more than a reader loads ({}); split the export",
            thousands(text.len()),
            thousands(MAX_BUNDLE_BYTES)
        ))]);
    }
    Ok(text)
}

/// Writes a bundle in format v3, compact, into `out` record by record, with the same bytes as
/// [`write_bundle`] gives for the same input but without holding the file, or a wire copy of every record,
/// in memory: each record is converted and written in turn while the checksum is computed over what
/// passes. Returns the bytes written. On a problem (the limits [`write_bundle`] refuses, or an error of
/// `out`) what was written so far is not a bundle, and the caller discards it.
pub fn write_bundle_v3_to<W: std::io::Write>(mut input: ExportInput<'_>, out: W) -> Result<u64, Vec<Problem>> {
    if let Some(p) = too_many_records(input.records.len()) {
        return Err(vec![p]);
    }
    let mut problems = Vec::new();
    let mut records = std::mem::take(&mut input.records);
    records.sort_by_key(|r| r.id);
    let mut ids: BTreeSet<DeviceId> = BTreeSet::new();
    for r in &records {
        // Only a deleted record travels other than as it is (a tombstone); the others are not copied.
        let exported = r.is_deleted().then(|| r.for_export());
        let e = exported.as_ref().unwrap_or(r);
        ids.extend(e.stamps().map(|s| s.device).chain(e.context_ticks().map(|(d, _)| *d)));
    }
    let (head, index) = head_v3(&input, ids);
    // The file is this with the records between the brackets: everything up to the records' closing
    // bracket and the comma after it is what the checksum covers.
    let shell = serde_json::to_string(&head).unwrap_or_default();
    let marker = "\"records\":[]";
    let Some(at) = shell.rfind(marker) else {
        return Err(vec![Problem::file("the bundle could not be written")]);
    };
    let (before, after) = (&shell[..at + marker.len() - 1], &shell[at + marker.len() - 1..]);
    let Some(after) = after.strip_prefix("],") else {
        return Err(vec![Problem::file("the bundle could not be written")]);
    };
    let mut sink = Summed { out, digest: Sha256::new(), written: 0 };
    let io = |e: std::io::Error| vec![Problem::file(format!("the bundle could not be written: {e}"))];
    sink.write_all(before.as_bytes()).map_err(io)?;
    for (n, r) in records.iter().enumerate() {
        let wire = RecordV2::from_record(&r.for_export());
        if let Some(p) = too_large(&wire) {
            problems.push(p);
            continue;
        }
        if n > 0 {
            sink.write_all(b",").map_err(io)?;
        }
        serde_json::to_writer(&mut sink, &record_v2_to_v3(wire, &index)).map_err(|e| io(e.into()))?;
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    sink.write_all(b"],").map_err(io)?;
    let sum = {
        let digest = std::mem::take(&mut sink.digest).finalize();
        let mut hex = String::with_capacity(7 + 64);
        hex.push_str("sha256:");
        for b in digest {
            hex.push_str(&format!("{b:02x}"));
        }
        hex
    };
    sink.write_all(after.replacen(PLACEHOLDER, &sum, 1).as_bytes()).map_err(io)?;
    sink.flush().map_err(io)?;
    if sink.written > MAX_BUNDLE_BYTES as u64 {
        return Err(vec![Problem::file(format!(
            "the bundle would be {} bytes, more than a reader loads ({}); split the export",
            thousands(sink.written as usize),
            thousands(MAX_BUNDLE_BYTES)
        ))]);
    }
    Ok(sink.written)
}

/// A writer that passes bytes on, counts them and digests them.
struct Summed<W> {
    out: W,
    digest: Sha256,
    written: u64,
}

impl<W: std::io::Write> std::io::Write for Summed<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(bytes)?;
        self.digest.update(&bytes[..n]);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Writes a bundle in the frozen format v2, byte for byte as Liaison wrote it before v3 (pretty-printed,
/// checksum over the serialised content): for an officer whose Liaison reads only up to v2, and to prove
/// that v2 files still read and write back unchanged.
pub fn write_bundle_v2(input: ExportInput<'_>) -> String {
    write_as(input, 2, |r| RecordV2::from_record(&r.for_export()))
}

/// Writes a bundle in the frozen format v1, byte for byte as Liaison wrote it before v2: for an officer
/// whose Liaison reads only v1, and to prove that v1 files still read and write back unchanged.
pub fn write_bundle_v1(input: ExportInput<'_>) -> String {
    write_as(input, 1, RecordV1::from_record)
}

pub(super) fn write_as<R: WireRecord>(input: ExportInput<'_>, version: u32, wire: impl Fn(&Record) -> R) -> String {
    let mut records = input.records;
    records.sort_by_key(|r| r.id);
    let mut devices = input.devices;
    devices.sort_by_key(|d| d.id);
    devices.dedup_by_key(|d| d.id);
    let mut dto = BundleDto {
        format: FORMAT.into(),
        version,
        bundle_id: input.bundle_id,
        created_ms: input.created_ms,
        device: input.device.clone(),
        sequence: input.sequence,
        scope: input.scope,
        devices,
        records: records.into_iter().map(wire).collect(),
        checksum: String::new(),
    };
    dto.checksum = checksum_of(&mut dto);
    serde_json::to_string_pretty(&dto).unwrap_or_default()
}
/// A v3 bundle without its records: the exporter and the device table, which holds every device the
/// records name (`ids`) and every profile given, each profile's label and officer beside its id; and
/// each device's index in that table.
fn head_v3(input: &ExportInput<'_>, mut ids: BTreeSet<DeviceId>) -> (BundleV3, BTreeMap<DeviceId, u32>) {
    let mut profiles: BTreeMap<DeviceId, &DeviceV1> = input.devices.iter().map(|d| (d.id, d)).collect();
    profiles.insert(input.device.id, input.device);
    ids.extend(profiles.keys().copied());
    let index: BTreeMap<DeviceId, u32> = ids.iter().enumerate().map(|(i, d)| (*d, i as u32)).collect();
    let devices = ids
        .iter()
        .map(|id| DeviceEntryV3 {
            id: *id,
            label: profiles.get(id).map(|p| p.label.clone()),
            officer: profiles.get(id).map(|p| p.officer.clone()),
        })
        .collect();
    let head = BundleV3 {
        format: FORMAT.into(),
        version: 3,
        bundle_id: input.bundle_id,
        created_ms: input.created_ms,
        device: ExporterV3 {
            d: index.get(&input.device.id).copied().unwrap_or(0),
            label: input.device.label.clone(),
            officer: input.device.officer.clone(),
        },
        sequence: input.sequence,
        scope: input.scope,
        marking: None,
        devices,
        records: Vec::new(),
        checksum: PLACEHOLDER.into(),
    };
    (head, index)
}
