//! Bundle formats v1, v2 and v3: how an officer's notes travel to a coordinator.
//!
//! A bundle is one UTF-8 JSON object: a format name and version, a bundle id, its creation time, the
//! exporting device and its per-device sequence number, whether it holds everything or the changes
//! since the device's previous export, a directory of device profiles (provenance), the records with
//! their stamps and causal context, and a SHA-256 checksum of all of that.
//!
//! Reading is defensive: size and record-count limits come before parsing, the version comes before the
//! body, and every record is validated fully. The result is either a whole bundle or a list of specific
//! problems, never a part.
//!
//! v2 differs from v1 only in its records ([`RecordV2`]: a causal context per register instead of one
//! per record). v3 carries what v2 carries, compactly: a device table names every device once, stamps
//! and contexts refer to it by index ([`RecordV3`]), keys are short, and nothing is indented unless asked
//! ([`Layout::Pretty`]). Its checksum covers the file's own bytes before the checksum, so it is checked
//! without serialising the bundle again. This version writes v3 and reads all three.
//!
//! Limits are per value ([`MAX_VALUE_BYTES`]), per record ([`MAX_RECORD_BYTES`]) and per file
//! ([`MAX_RECORDS`]); the whole-file size follows from them. The writer refuses what the reader would
//! refuse, so a coordinator's own merged output always reads back.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::crdt::clock::MAX_FUTURE_SKEW_MS;
use crate::crdt::id::{DeviceId, RecordId};
use crate::crdt::record::Record;
use crate::formats::wire::{
    devices_of, record_v2_to_v3, record_v3_to_v2, with_list_budget, DecodeError, DeviceV1, EntryV1, RecordV1, RecordV2,
    RecordV3,
};
use crate::schema::{Field, Kind, MAX_VALUE_BYTES};

/// The `format` every Liaison bundle names.
pub const FORMAT: &str = "liaison-bundle";
/// The newest bundle version this build reads, and the one it writes.
pub const VERSION: u32 = 3;
/// The largest file a reader loads into memory. Not a limit of its own: [`MAX_RECORDS`] records within
/// [`MAX_RECORD_BYTES`] that were worth writing fit, and the writer refuses a larger file. It only keeps a
/// reader from loading, or inflating, an arbitrarily large file before the per-record limits can apply.
pub const MAX_BUNDLE_BYTES: usize = 2 * 1024 * 1024 * 1024 - 1;
/// Bundles with more records than this are refused while they are read, and never written.
pub const MAX_RECORDS: usize = 1_000_000;
/// The most bytes of values one record may hold, over all its fields and entries: a register with many
/// conflicting values of up to [`MAX_VALUE_BYTES`] each is allowed, an unbounded one is not.
pub const MAX_RECORD_BYTES: usize = 16 * MAX_VALUE_BYTES;
/// Stamps further ahead than this are impossible, not merely a wrong date: the bundle is refused.
pub const MAX_PLAUSIBLE_AHEAD_MS: u64 = 366 * 24 * 60 * 60 * 1000;
/// The highest export sequence number accepted (a device exporting every second for 30,000 years).
pub const MAX_SEQUENCE: u64 = 1_000_000_000_000;
/// The longest device label or officer name accepted, in characters.
pub const MAX_PROFILE_CHARS: usize = 200;
/// How much of a message taken from the parser is shown: hostile names must not make megabyte messages.
const MAX_MESSAGE_CHARS: usize = 240;
const MB: usize = 1024 * 1024;
/// The checksum the v3 writer serialises first and then fills in: same length as the real one.
const PLACEHOLDER: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// Whether bytes are gzip-compressed (they start with gzip's magic bytes), whatever the file is called.
/// Core reads only plain bundles; this lets a caller that can decompress tell which it holds.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Whether a bundle holds every record or only those changed since the device's previous export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Every record the device holds.
    All,
    /// Records the device changed since its previous export.
    Changes,
}

/// The wire form of a bundle, generic over its record format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "R: WireRecord + Deserialize<'de>"))]
pub struct BundleDto<R> {
    /// Always [`FORMAT`].
    pub format: String,
    /// 1 for [`BundleV1`], 2 for [`BundleV2`].
    pub version: u32,
    /// A unique id per bundle: importing the same id twice is a repeat.
    pub bundle_id: Uuid,
    /// When it was made, ms since the epoch.
    pub created_ms: u64,
    /// The exporting device.
    pub device: DeviceV1,
    /// The exporting device's export counter, from 1.
    pub sequence: u64,
    /// Everything, or changes since the previous export.
    pub scope: Scope,
    /// Profiles of every device whose edits the records carry, so that provenance names officers.
    pub devices: Vec<DeviceV1>,
    /// The records, sorted by id.
    #[serde(deserialize_with = "limited_records")]
    pub records: Vec<R>,
    /// `sha256:` and the hex digest of this object serialised with an empty checksum.
    pub checksum: String,
}

/// Bundle format v1: one causal context per record.
pub type BundleV1 = BundleDto<RecordV1>;
/// Bundle format v2: one causal context per register.
pub type BundleV2 = BundleDto<RecordV2>;

/// What the reader needs of a record format before and while turning it into a domain record.
pub trait WireRecord: Serialize + Clone {
    /// The record's id.
    fn id(&self) -> RecordId;
    /// The record's kind.
    fn kind(&self) -> Kind;
    /// Every field entry, for value limits checked before anything is built.
    fn field_entries(&self) -> Vec<(&str, &EntryV1)>;
    /// The validated domain record.
    fn into_record(self) -> Result<Record, DecodeError>;
}

impl WireRecord for RecordV1 {
    fn id(&self) -> RecordId {
        self.id
    }
    fn kind(&self) -> Kind {
        self.kind
    }
    fn field_entries(&self) -> Vec<(&str, &EntryV1)> {
        self.fields.0.iter().flat_map(|(k, es)| es.iter().map(move |e| (k.as_str(), e))).collect()
    }
    fn into_record(self) -> Result<Record, DecodeError> {
        RecordV1::into_record(self)
    }
}

impl WireRecord for RecordV2 {
    fn id(&self) -> RecordId {
        self.id
    }
    fn kind(&self) -> Kind {
        self.kind
    }
    fn field_entries(&self) -> Vec<(&str, &EntryV1)> {
        self.fields.0.iter().flat_map(|(k, r)| r.e.iter().map(move |e| (k.as_str(), e))).collect()
    }
    fn into_record(self) -> Result<Record, DecodeError> {
        RecordV2::into_record(self)
    }
}

fn limited_records<'de, D: Deserializer<'de>, R: Deserialize<'de>>(d: D) -> Result<Vec<R>, D::Error> {
    struct Limited<R>(std::marker::PhantomData<R>);
    impl<'de, R: Deserialize<'de>> Visitor<'de> for Limited<R> {
        type Value = Vec<R>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a list of at most {MAX_RECORDS} records")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(r) = seq.next_element::<R>()? {
                if out.len() == MAX_RECORDS {
                    return Err(serde::de::Error::custom(format_args!(
                        "more than {MAX_RECORDS} records; split the export"
                    )));
                }
                out.push(r);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Limited(std::marker::PhantomData))
}

/// The first look at a file: enough to refuse other formats and newer versions before reading the body.
#[derive(Deserialize)]
struct Header {
    format: Option<serde_json::Value>,
    version: Option<serde_json::Value>,
}

/// A bundle, read and validated, in domain types.
#[derive(Clone, Debug, PartialEq)]
pub struct Bundle {
    /// Its unique id.
    pub id: Uuid,
    /// When it was made.
    pub created_ms: u64,
    /// The exporting device.
    pub device: DeviceV1,
    /// The exporting device's export counter.
    pub sequence: u64,
    /// Everything, or changes.
    pub scope: Scope,
    /// Device profiles for provenance.
    pub devices: Vec<DeviceV1>,
    /// The records, sorted by id.
    pub records: Vec<Record>,
    /// The checksum it carried, which tells two bundles with one id apart.
    pub checksum: String,
    /// What a file from another program held that could not be imported, as sentences; empty for
    /// Liaison bundles.
    pub notes: Vec<String>,
    /// The format of a file from another program read as a bundle ([`crate::exchange::pipeline`]);
    /// `None` for a Liaison bundle.
    pub format: Option<crate::formats::FileFormat>,
}

/// One thing wrong with a bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The record it concerns, when it concerns one.
    pub record: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    fn file(message: impl Into<String>) -> Self {
        Problem { record: None, message: message.into() }
    }

    fn record(id: impl fmt::Display, message: impl Into<String>) -> Self {
        Problem { record: Some(id.to_string()), message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.record {
            Some(id) => write!(f, "record {id}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Feeds serialised bytes straight into the digest, so that checking a bundle holds no second copy of it.
struct Digesting(Sha256);

impl std::io::Write for Digesting {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256:");
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// The bytes a value takes, for the per-record limit.
fn value_bytes(v: &crate::formats::wire::ValueV1) -> usize {
    match v {
        crate::formats::wire::ValueV1::Bool(_) => 1,
        crate::formats::wire::ValueV1::Text(s) => s.len(),
        crate::formats::wire::ValueV1::List(l) => l.iter().map(String::len).fold(0usize, usize::saturating_add),
    }
}

/// Where a v3 file's `"checksum"` key starts and the checksum it carries, read from the end of the file:
/// `"checksum"`, a colon, a string without quotes and the closing brace, with any whitespace between.
/// `None` when the file does not end that way.
fn tail_checksum(bytes: &[u8]) -> Option<(usize, &str)> {
    let ws = |b: &u8| matches!(b, b' ' | b'\n' | b'\r' | b'\t');
    let mut end = bytes.len();
    while end > 0 && ws(&bytes[end - 1]) {
        end -= 1;
    }
    end = end.checked_sub(1).filter(|&i| bytes[i] == b'}')?;
    while end > 0 && ws(&bytes[end - 1]) {
        end -= 1;
    }
    let close = end.checked_sub(1).filter(|&i| bytes[i] == b'"')?;
    let open = bytes[..close].iter().rposition(|b| *b == b'"')?;
    let value = std::str::from_utf8(&bytes[open + 1..close]).ok()?;
    let mut at = open;
    while at > 0 && ws(&bytes[at - 1]) {
        at -= 1;
    }
    at = at.checked_sub(1).filter(|&i| bytes[i] == b':')?;
    while at > 0 && ws(&bytes[at - 1]) {
        at -= 1;
    }
    let key = at.checked_sub(b"\"checksum\"".len())?;
    (&bytes[key..at] == b"\"checksum\"").then_some((key, value))
}

/// Reads a v3 bundle: parses it, checks its checksum on the bytes, looks every device index up in its
/// table, and hands the records, now v2 records, to the same validation as v1 and v2.
fn read_v3(bytes: &[u8], text: &str, now_ms: u64) -> Result<Bundle, Vec<Problem>> {
    let dto: BundleV3 = with_list_budget(list_budget(bytes.len()), || serde_json::from_str(text))
        .map_err(|e| vec![json_problem(&e)])?;
    let mut problems = Vec::new();
    let checksum_ok = match tail_checksum(bytes) {
        Some((key, carried)) => carried == dto.checksum && hex_sha256(&bytes[..key]) == dto.checksum,
        None => {
            problems.push(Problem::file("the checksum must be the bundle's last key"));
            true
        }
    };
    let BundleV3 { bundle_id, created_ms, device, sequence, scope, devices: entries, records, checksum, .. } = dto;
    let table: Vec<DeviceId> = entries.iter().map(|d| d.id).collect();
    let mut seen = BTreeSet::new();
    let mut profiles = Vec::new();
    for d in entries {
        if !seen.insert(d.id) {
            problems.push(Problem::file(format!("device {} appears twice in the device table", d.id)));
        }
        match (d.label, d.officer) {
            (Some(label), Some(officer)) => profiles.push(DeviceV1 { id: d.id, label, officer }),
            (None, None) => {}
            _ => problems.push(Problem::file(format!(
                "device {} has a label or an officer but not both; a profile needs both",
                d.id
            ))),
        }
    }
    let exporter = match table.get(device.d as usize) {
        Some(id) => *id,
        None => {
            problems.push(Problem::file(format!(
                "the exporting device is number {} of a device table of {}",
                device.d,
                table.len()
            )));
            DeviceId(Uuid::nil())
        }
    };
    let mut v2 = Vec::with_capacity(records.len());
    for r in records {
        let id = r.id;
        match record_v3_to_v2(r, &table) {
            Ok(r) => v2.push(r),
            Err(e) => problems.push(Problem::record(id, e.to_string())),
        }
    }
    let dto = BundleDto {
        format: FORMAT.into(),
        version: 3,
        bundle_id,
        created_ms,
        device: DeviceV1 { id: exporter, label: device.label, officer: device.officer },
        sequence,
        scope,
        devices: profiles,
        records: v2,
        checksum,
    };
    validate(dto, now_ms, Some(checksum_ok), problems)
}

fn checksum_of<R: WireRecord>(dto: &mut BundleDto<R>) -> String {
    let carried = std::mem::take(&mut dto.checksum);
    let mut sink = Digesting(Sha256::new());
    // Plain structs, strings and integers always serialise.
    let _ = serde_json::to_writer(&mut sink, &*dto);
    dto.checksum = carried;
    let digest = sink.0.finalize();
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256:");
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

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
    /// The device table: every device the file names (the exporter, every stamp and context, every
    /// profile), sorted by id, each once. It comes before the records, which refer to it.
    pub devices: Vec<DeviceEntryV3>,
    /// The records, sorted by id.
    #[serde(deserialize_with = "limited_records")]
    pub records: Vec<RecordV3>,
    /// `sha256:` and the hex digest of the file's bytes before the `"checksum"` key; always the last key.
    pub checksum: String,
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
    let mut problems = Vec::new();
    if input.records.len() > MAX_RECORDS {
        problems.push(Problem::file(format!(
            "{} records are more than a bundle may hold ({}); split the export",
            thousands(input.records.len()),
            thousands(MAX_RECORDS)
        )));
    }
    let mut records: Vec<RecordV2> = input.records.iter().map(|r| RecordV2::from_record(&r.for_export())).collect();
    records.sort_by_key(|r| r.id);
    for r in &records {
        let total =
            r.fields.0.values().flat_map(|reg| &reg.e).map(|e| value_bytes(&e.v)).fold(0usize, usize::saturating_add);
        if total > MAX_RECORD_BYTES {
            problems.push(Problem::record(
                r.id,
                format!(
                    "its values hold {} bytes; the limit per record is {} MB",
                    thousands(total),
                    MAX_RECORD_BYTES / MB
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut profiles: BTreeMap<DeviceId, &DeviceV1> = input.devices.iter().map(|d| (d.id, d)).collect();
    profiles.insert(input.device.id, input.device);
    let mut ids: BTreeSet<DeviceId> = records.iter().flat_map(devices_of).collect();
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
    let dto = BundleV3 {
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
        devices,
        records: records.into_iter().map(|r| record_v2_to_v3(r, &index)).collect(),
        checksum: PLACEHOLDER.into(),
    };
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

fn write_as<R: WireRecord>(input: ExportInput<'_>, version: u32, wire: impl Fn(&Record) -> R) -> String {
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

fn shorten(message: &str) -> String {
    if message.chars().count() <= MAX_MESSAGE_CHARS {
        return message.to_string();
    }
    let position = message.rfind(" at line ").map(|i| &message[i..]).unwrap_or("");
    let head: String = message.chars().take(MAX_MESSAGE_CHARS - 40).collect();
    format!("{head}…{position}")
}

fn json_problem(e: &serde_json::Error) -> Problem {
    let text = e.to_string();
    let at = format!("at line {} column {}", e.line(), e.column());
    let what = if text.starts_with("recursion limit exceeded") {
        format!("the file is nested more than 128 levels deep ({at})")
    } else if text.starts_with("number out of range") {
        format!("a number is too large ({at})")
    } else if let Some(rest) = text.strip_prefix("duplicate field `") {
        let name: String = rest.split('`').next().unwrap_or("").chars().take(60).collect();
        format!("the key “{name}” appears twice ({at})")
    } else {
        match e.classify() {
            serde_json::error::Category::Eof => "the file ends too early (is it truncated?)".to_string(),
            serde_json::error::Category::Syntax => format!("not valid JSON: {}", shorten(&text)),
            _ => format!("not a valid bundle: {}", shorten(&text)),
        }
    };
    Problem::file(what)
}

fn top_level_kind(text: &str) -> Option<&'static str> {
    match text.trim_start().chars().next()? {
        '{' => None,
        '[' => Some("a list"),
        '"' => Some("a string"),
        'n' => Some("null"),
        't' | 'f' => Some("true or false"),
        _ => Some("a number"),
    }
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn year_of(ms: u64) -> i64 {
    crate::date::Date::from_days_since_epoch((ms / 86_400_000) as i64).year as i64
}

/// Reads and validates a bundle file. `now_ms` is the importing device's clock: stamps implausibly far
/// ahead of it are refused.
pub fn read_bundle(bytes: &[u8], now_ms: u64) -> Result<Bundle, Vec<Problem>> {
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(vec![Problem::file(format!(
            "the file is larger than {} MB ({} bytes); bundles may be at most {} MB",
            MAX_BUNDLE_BYTES / (1024 * 1024),
            thousands(bytes.len()),
            MAX_BUNDLE_BYTES / (1024 * 1024)
        ))]);
    }
    if bytes.is_empty() {
        return Err(vec![Problem::file("the file is empty")]);
    }
    if is_gzip(bytes) {
        return Err(vec![Problem::file(
            "the file is compressed (gzip): decompress it first, or open it with a Liaison that reads .json.gz",
        )]);
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(vec![Problem::file(
            "the file starts with a byte-order mark: it was re-saved by another program, and Liaison bundles have none",
        )]);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(vec![Problem::file(
            "the file is UTF-16 text; Liaison bundles are UTF-8 (was it re-saved by another program?)",
        )]);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        vec![Problem::file(format!("the file is not UTF-8 text (invalid byte at offset {})", e.valid_up_to()))]
    })?;
    // Only a large file costs anything to walk; a small one is parsed and refused where serde_json
    // finds it wrong, with its more specific message.
    if let Some(at) = too_deep(bytes).filter(|_| bytes.len() > MB) {
        return Err(vec![Problem::file(format!(
            "the file is nested more than {MAX_DEPTH} levels deep (at byte {})",
            thousands(at)
        ))]);
    }
    let header: Header = serde_json::from_str(text).map_err(|e| match (e.classify(), top_level_kind(text)) {
        (serde_json::error::Category::Data, Some(kind)) => {
            vec![Problem::file(format!("not a Liaison bundle: the file holds {kind}, not a JSON object"))]
        }
        _ => vec![json_problem(&e)],
    })?;
    match &header.format {
        Some(serde_json::Value::String(f)) if f == FORMAT => {}
        Some(serde_json::Value::String(other)) => {
            let shown: String = other.chars().take(40).collect();
            return Err(vec![Problem::file(format!("not a Liaison bundle (its format is “{shown}”)"))]);
        }
        Some(_) => return Err(vec![Problem::file("not a Liaison bundle (its “format” is not text)")]),
        None => return Err(vec![Problem::file("not a Liaison bundle (it names no format)")]),
    }
    match &header.version {
        None => return Err(vec![Problem::file("the bundle names no version")]),
        Some(v) => match v.as_u64() {
            Some(v) if v > u64::from(VERSION) => {
                return Err(vec![Problem::file(format!(
                    "this bundle needs a newer version of Liaison (it is bundle version {v}; this version reads up to {VERSION})"
                ))])
            }
            Some(1) => {
                let dto: BundleV1 = with_list_budget(list_budget(bytes.len()), || serde_json::from_str(text)).map_err(|e| vec![json_problem(&e)])?;
                return validate(dto, now_ms, None, Vec::new());
            }
            Some(2) => {}
            Some(3) => return read_v3(bytes, text, now_ms),
            _ => return Err(vec![Problem::file("unknown bundle version: expected a whole number from 1")]),
        },
    }
    let dto: BundleV2 = with_list_budget(list_budget(bytes.len()), || serde_json::from_str(text))
        .map_err(|e| vec![json_problem(&e)])?;
    validate(dto, now_ms, None, Vec::new())
}

/// The deepest nesting of arrays and objects serde_json parses, and so the deepest a bundle may be.
const MAX_DEPTH: usize = 128;

/// Where a file first nests deeper than [`MAX_DEPTH`], outside strings. The header is read by skipping
/// everything else, and serde_json skips without a depth limit: without this scan, a large file of
/// brackets that never close is walked to its end before it is refused.
fn too_deep(bytes: &[u8]) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// List items a bundle of `bytes` may hold. A real item takes far more than 16 bytes of its file once its
/// entry's stamp and the record around it are counted; in memory each costs about 50 bytes.
fn list_budget(bytes: usize) -> usize {
    bytes / 16 + 1_000
}

/// Checks a bundle in any record format. `checksum_ok` is `None` when the checksum is the serialised
/// DTO's (v1, v2) and is worked out here; v3 checks its checksum on the file's bytes and passes the
/// answer. `problems` holds what the caller already found.
fn validate<R: WireRecord>(
    mut dto: BundleDto<R>,
    now_ms: u64,
    checksum_ok: Option<bool>,
    mut problems: Vec<Problem>,
) -> Result<Bundle, Vec<Problem>> {
    let checksum_ok = checksum_ok.unwrap_or_else(|| checksum_of(&mut dto) == dto.checksum);
    if !checksum_ok {
        problems.push(Problem::file(
            "the checksum does not match the content: the file was changed or damaged after it was exported",
        ));
    }
    if dto.sequence == 0 {
        problems.push(Problem::file("the sequence number must start at 1"));
    }
    if dto.sequence > MAX_SEQUENCE {
        problems.push(Problem::file(format!("the sequence number {} is implausibly large", dto.sequence)));
    }
    let horizon = now_ms.saturating_add(MAX_PLAUSIBLE_AHEAD_MS);
    if dto.created_ms > horizon {
        problems.push(Problem::file(format!(
            "the bundle says it was made in the year {}, more than a year ahead of this device's clock",
            year_of(dto.created_ms.min(crate::formats::wire::MAX_WALL_MS))
        )));
    }
    let mut profiles = BTreeSet::new();
    for d in std::iter::once(&dto.device).chain(&dto.devices) {
        for (what, text) in [("device label", &d.label), ("officer name", &d.officer)] {
            let n = text.chars().count();
            if n > MAX_PROFILE_CHARS {
                problems
                    .push(Problem::file(format!("a {what} is {n} characters long; the limit is {MAX_PROFILE_CHARS}")));
            }
        }
    }
    for d in &dto.devices {
        if !profiles.insert(d.id) {
            problems.push(Problem::file(format!("device {} is described twice in “devices”", d.id)));
        }
    }
    let mut kinds: BTreeMap<RecordId, Kind> = BTreeMap::new();
    for r in &dto.records {
        if kinds.insert(r.id(), r.kind()).is_some() {
            problems.push(Problem::record(r.id(), "appears more than once in the bundle"));
        }
    }
    let mut records = Vec::with_capacity(dto.records.len());
    for r in dto.records {
        let id = r.id();
        let kind = r.kind();
        // Value limits are checked on the wire form, before any domain value is built.
        let entries = r.field_entries();
        let total = entries.iter().map(|(_, e)| value_bytes(&e.v)).fold(0usize, usize::saturating_add);
        if total > MAX_RECORD_BYTES {
            problems.push(Problem::record(
                id,
                format!(
                    "its values hold {} bytes; the limit per record is {} MB",
                    thousands(total),
                    MAX_RECORD_BYTES / MB
                ),
            ));
        }
        for (name, e) in entries {
            if let crate::formats::wire::ValueV1::Text(s) = &e.v {
                if s.len() > MAX_VALUE_BYTES {
                    problems.push(Problem::record(
                        id,
                        format!("field “{name}” holds {} bytes; the limit is 1 MB", s.len()),
                    ));
                }
            }
            if let crate::formats::wire::ValueV1::List(l) = &e.v {
                if l.iter().map(String::len).sum::<usize>() > MAX_VALUE_BYTES {
                    problems.push(Problem::record(id, format!("field “{name}” holds more than 1 MB")));
                }
            }
        }
        match r.into_record() {
            Ok(rec) => {
                if let Some(s) = rec.stamps().find(|s| s.wall_ms > horizon) {
                    problems.push(Problem::record(
                        id,
                        format!(
                            "an edit is stamped in the year {}, more than a year ahead of this device's clock",
                            year_of(s.wall_ms)
                        ),
                    ));
                } else if let Some(t) = contexts(&rec).find(|t| t.wall_ms > horizon) {
                    // A context "seen" in the future would count every later real edit as already seen.
                    problems.push(Problem::record(
                        id,
                        format!(
                            "its history claims edits from the year {}, more than a year ahead of this device's clock",
                            year_of(t.wall_ms)
                        ),
                    ));
                }
                link_problems(&rec, &kinds, &mut problems);
                records.push(rec);
            }
            Err(e) => problems.push(Problem::record(id, format!("{kind}: {}", shorten(&e.to_string())))),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let BundleDto { bundle_id, created_ms, device, sequence, scope, devices, checksum, .. } = dto;
    Ok(Bundle {
        id: bundle_id,
        created_ms,
        device,
        sequence,
        scope,
        devices,
        records,
        checksum,
        notes: Vec::new(),
        format: None,
    })
}

/// Every tick of a record's causal contexts: the record's own and its deletions'.
fn contexts(rec: &Record) -> impl Iterator<Item = crate::crdt::clock::Tick> + '_ {
    rec.context_ticks().map(|(_, t)| *t)
}

/// The field a link lives in and the kind it must point at.
const LINKS: [(Kind, Field, Kind); 4] = [
    (Kind::Meeting, Field::Participants, Kind::Contact),
    (Kind::Action, Field::Meeting, Kind::Meeting),
    (Kind::Action, Field::Contact, Kind::Contact),
    (Kind::Contact, Field::MergedInto, Kind::Contact),
];

fn link_problems(rec: &Record, kinds: &BTreeMap<RecordId, Kind>, problems: &mut Vec<Problem>) {
    for (kind, field, target) in LINKS {
        if rec.kind != kind {
            continue;
        }
        let Some(reg) = rec.fields.get(field.key()) else { continue };
        for e in reg.entries() {
            let texts: Vec<&str> = match &e.value {
                crate::schema::Value::Text(s) if s.is_empty() => vec![],
                crate::schema::Value::Text(s) => vec![s.as_str()],
                crate::schema::Value::List(l) => l.iter().map(String::as_str).collect(),
                crate::schema::Value::Bool(_) => vec![],
            };
            for t in texts {
                match t.parse::<RecordId>() {
                    Err(_) => problems.push(Problem::record(
                        rec.id,
                        format!("“{}” in {} is not a record id", t.chars().take(40).collect::<String>(), field.key()),
                    )),
                    Ok(other) => {
                        if let Some(k) = kinds.get(&other) {
                            if *k != target {
                                problems.push(Problem::record(
                                    rec.id,
                                    format!(
                                        "{} points at {other}, which is {}, not {}",
                                        field.key(),
                                        k.with_article(),
                                        target.with_article()
                                    ),
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Ids a bundle's records link to (participants, an action's meeting and contact, merge redirects).
pub fn links_of(rec: &Record) -> Vec<(Field, RecordId)> {
    let mut out = Vec::new();
    for (kind, field, _) in LINKS {
        if rec.kind != kind {
            continue;
        }
        if let Some(v) = rec.get(field.key()) {
            match v {
                crate::schema::Value::Text(s) => out.extend(s.parse().ok().map(|id| (field, id))),
                crate::schema::Value::List(l) => {
                    out.extend(l.iter().filter_map(|s| s.parse().ok()).map(|id| (field, id)))
                }
                crate::schema::Value::Bool(_) => {}
            }
        }
    }
    out
}

/// The target kind of a link field.
pub fn link_target(kind: Kind, field: Field) -> Option<Kind> {
    LINKS.iter().find(|(k, f, _)| *k == kind && *f == field).map(|(_, _, t)| *t)
}

/// A file name for a bundle: device label, date and sequence, and nothing personal beyond the label.
pub fn file_name(device_label: &str, date: &crate::date::Date, sequence: u64, scope: Scope) -> String {
    let mut slug = String::new();
    for c in device_label.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug: String = if slug.is_empty() { "device".into() } else { slug.chars().take(40).collect() };
    let scope = match scope {
        Scope::All => "all",
        Scope::Changes => "changes",
    };
    format!("liaison-{slug}-{date}-{sequence:04}-{scope}.json")
}

/// Edits (and claims of having seen edits) that lie ahead of `now_ms` by more than the clock's skew
/// allowance, for the import preview: the sign of a device with a wrong date.
pub fn future_stamps(bundle: &Bundle, now_ms: u64) -> usize {
    let limit = now_ms.saturating_add(MAX_FUTURE_SKEW_MS);
    bundle
        .records
        .iter()
        .map(|r| {
            let stamps = r.stamps().filter(|s| s.wall_ms > limit).count();
            if stamps > 0 {
                stamps
            } else {
                usize::from(contexts(r).any(|t| t.wall_ms > limit))
            }
        })
        .sum()
}

/// Devices whose edits a bundle carries.
pub fn devices_in(bundle: &Bundle) -> BTreeSet<DeviceId> {
    bundle.records.iter().flat_map(|r| r.stamps().map(|s| s.device)).collect()
}
