//! Bundle formats v1 and v2: how an officer's notes travel to a coordinator.
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
//! per record). This version writes v2 and reads both.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::crdt::clock::MAX_FUTURE_SKEW_MS;
use crate::crdt::id::{DeviceId, RecordId};
use crate::crdt::record::Record;
use crate::formats::wire::{with_list_budget, DecodeError, DeviceV1, EntryV1, RecordV1, RecordV2};
use crate::schema::{Field, Kind, MAX_VALUE_BYTES};

/// The `format` every Liaison bundle names.
pub const FORMAT: &str = "liaison-bundle";
/// The newest bundle version this build reads, and the one it writes.
pub const VERSION: u32 = 2;
/// Files larger than this are refused before they are read.
pub const MAX_BUNDLE_BYTES: usize = 64 * 1024 * 1024;
/// Bundles with more records than this are refused while they are read.
pub const MAX_RECORDS: usize = 250_000;
/// Stamps further ahead than this are impossible, not merely a wrong date: the bundle is refused.
pub const MAX_PLAUSIBLE_AHEAD_MS: u64 = 366 * 24 * 60 * 60 * 1000;
/// The highest export sequence number accepted (a device exporting every second for 30,000 years).
pub const MAX_SEQUENCE: u64 = 1_000_000_000_000;
/// The longest device label or officer name accepted, in characters.
pub const MAX_PROFILE_CHARS: usize = 200;
/// How much of a message taken from the parser is shown: hostile names must not make megabyte messages.
const MAX_MESSAGE_CHARS: usize = 240;

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

/// Writes a bundle in format v2: canonical JSON (records by id, keys sorted), pretty-printed so that
/// people can read it, with its checksum. Deleted records travel as tombstones ([`Record::for_export`]).
pub fn write_bundle(input: ExportInput<'_>) -> String {
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
                return validate(dto, now_ms);
            }
            Some(2) => {}
            _ => return Err(vec![Problem::file("unknown bundle version: expected a whole number from 1")]),
        },
    }
    let dto: BundleV2 = with_list_budget(list_budget(bytes.len()), || serde_json::from_str(text))
        .map_err(|e| vec![json_problem(&e)])?;
    validate(dto, now_ms)
}

/// List items a bundle of `bytes` may hold. A real item takes far more than 16 bytes of its file once its
/// entry's stamp and the record around it are counted; in memory each costs about 50 bytes.
fn list_budget(bytes: usize) -> usize {
    bytes / 16 + 1_000
}

fn validate<R: WireRecord>(mut dto: BundleDto<R>, now_ms: u64) -> Result<Bundle, Vec<Problem>> {
    let mut problems = Vec::new();
    if checksum_of(&mut dto) != dto.checksum {
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
        for (name, e) in r.field_entries() {
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
