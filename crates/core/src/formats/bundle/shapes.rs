//! A bundle's shapes and limits, the problems reading reports, and the checksum of v1 and v2.

use std::fmt;

use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::crdt::id::RecordId;
use crate::crdt::record::Record;
use crate::formats::wire::{DecodeError, DeviceV1, EntryV1, RecordV1, RecordV2};
use crate::schema::{Kind, MAX_VALUE_BYTES};

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
pub(super) const MAX_MESSAGE_CHARS: usize = 240;
pub(super) const MB: usize = 1024 * 1024;
/// The checksum the v3 writer serialises first and then fills in: same length as the real one.
pub(super) const PLACEHOLDER: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

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

pub(super) fn limited_records<'de, D: Deserializer<'de>, R: Deserialize<'de>>(d: D) -> Result<Vec<R>, D::Error> {
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
pub(super) struct Header {
    pub(super) format: Option<serde_json::Value>,
    pub(super) version: Option<serde_json::Value>,
}

/// The overall marking a bundle carries in its header (v3, optional, so that bundles without it, the
/// golden fixtures included, read as before): the highest marking of the records it holds, and, for an
/// export limited by a marking ceiling, the ceiling and how many records it left out. A bundle with a
/// ceiling is partial: it does not stand for everything its device held.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleMarking {
    /// The highest marking of the records carried ([`crate::marking::highest_marking_of`]); empty when
    /// none is marked.
    pub highest: String,
    /// The export's marking ceiling by name ([`crate::marking::Ceiling::name`]), when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ceiling: Option<String>,
    /// How many records the ceiling left out.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub left_out: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl BundleMarking {
    /// Whether the bundle was limited by a marking ceiling, so that it may not hold everything.
    pub fn is_partial(&self) -> bool {
        self.ceiling.is_some() || self.left_out > 0
    }
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
    /// The overall marking its header carries, if it carries one.
    pub marking: Option<BundleMarking>,
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
    pub(super) fn file(message: impl Into<String>) -> Self {
        Problem { record: None, message: message.into() }
    }

    pub(super) fn record(id: impl fmt::Display, message: impl Into<String>) -> Self {
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
pub(super) struct Digesting(Sha256);

impl std::io::Write for Digesting {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub(super) fn hex_sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256:");
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// The bytes a value takes, for the per-record limit.
pub(super) fn value_bytes(v: &crate::formats::wire::ValueV1) -> usize {
    match v {
        crate::formats::wire::ValueV1::Bool(_) => 1,
        crate::formats::wire::ValueV1::Text(s) => s.len(),
        crate::formats::wire::ValueV1::List(l) => l.iter().map(String::len).fold(0usize, usize::saturating_add),
    }
}

pub(super) fn checksum_of<R: WireRecord>(dto: &mut BundleDto<R>) -> String {
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

pub(super) fn shorten(message: &str) -> String {
    if message.chars().count() <= MAX_MESSAGE_CHARS {
        return message.to_string();
    }
    let position = message.rfind(" at line ").map(|i| &message[i..]).unwrap_or("");
    let head: String = message.chars().take(MAX_MESSAGE_CHARS - 40).collect();
    format!("{head}…{position}")
}

pub(super) fn json_problem(e: &serde_json::Error) -> Problem {
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

pub(super) fn top_level_kind(text: &str) -> Option<&'static str> {
    match text.trim_start().chars().next()? {
        '{' => None,
        '[' => Some("a list"),
        '"' => Some("a string"),
        'n' => Some("null"),
        't' | 'f' => Some("true or false"),
        _ => Some("a number"),
    }
}

pub(super) fn thousands(n: usize) -> String {
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

pub(super) fn year_of(ms: u64) -> i64 {
    crate::date::Date::from_days_since_epoch((ms / 86_400_000) as i64).year as i64
}
