//! Versioned serialisation types, kept apart from the domain types.
//!
//! Domain types may change shape freely; these may not. Every decode validates fully and returns a
//! specific error rather than a half-built record.
//!
//! Record format v1 carries one causal context per record; v2 carries one per register (see
//! `record.rs` for why). v1 is read forever: each of its registers gets the record's context, which is
//! what v1 meant. A v1 field with no entries claims nothing. v3 ([`RecordV3`], in `v3.rs`) is v2 made compact, and is what
//! this version writes inside a bundle; local storage keeps v2.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::crdt::clock::{Stamp, Tick};
use crate::crdt::id::{DeviceId, RecordId};
use crate::crdt::record::{Entry, Record, Register};
use crate::crdt::vv::VersionVector;
use crate::model::DeviceProfile;
use crate::schema::Value;
use crate::schema::{Field, Kind};

mod v3;
pub use v3::{devices_of, record_v2_to_v3, record_v3_to_v2, EntryV3, RecordV3, RecordV3Error, TickV3};

/// The largest wall time accepted: the last millisecond of the year 9999.
pub const MAX_WALL_MS: u64 = 253_402_300_799_999;
/// The longest field name accepted. Names of fields from newer versions are kept, so they must be bounded.
pub const MAX_FIELD_NAME: usize = 64;

/// A JSON object read into a sorted map that refuses repeated keys. serde's own maps keep the last of
/// two equal keys silently, which would let a hostile file hide a value behind another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct UniqueMap<K: Ord, V>(pub BTreeMap<K, V>);

impl<K: Ord, V> Default for UniqueMap<K, V> {
    fn default() -> Self {
        UniqueMap(BTreeMap::new())
    }
}

impl<'de, K, V> Deserialize<'de> for UniqueMap<K, V>
where
    K: Ord + Deserialize<'de> + fmt::Display,
    V: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V2<K, V>(PhantomData<(K, V)>);
        impl<'de, K, V> Visitor<'de> for V2<K, V>
        where
            K: Ord + Deserialize<'de> + fmt::Display,
            V: Deserialize<'de>,
        {
            type Value = UniqueMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object with no repeated keys")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((k, v)) = map.next_entry::<K, V>()? {
                    if out.contains_key(&k) {
                        let shown: String = k.to_string().chars().take(60).collect();
                        return Err(serde::de::Error::custom(format_args!("the key “{shown}” appears twice")));
                    }
                    out.insert(k, v);
                }
                Ok(UniqueMap(out))
            }
        }
        d.deserialize_map(V2(PhantomData))
    }
}

/// A record as stored and as carried in bundles, format v1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordV1 {
    /// The record's id.
    pub id: RecordId,
    /// `contact`, `meeting` or `action`.
    pub kind: Kind,
    /// Life register entries (`false` alive, `true` deleted).
    pub life: Vec<EntryV1>,
    /// Field name to register entries.
    #[serde(default)]
    pub fields: UniqueMap<String, Vec<EntryV1>>,
    /// Causal context: per device, the newest (wall ms, counter) seen.
    pub seen: UniqueMap<DeviceId, (u64, u32)>,
}

/// One register entry, format v1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryV1 {
    /// The value.
    pub v: ValueV1,
    /// The stamp: `[wall ms, counter, device id]`.
    pub t: (u64, u32, DeviceId),
    /// For deletions: the causal context at the time of deletion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<UniqueMap<DeviceId, (u64, u32)>>,
}

/// The most items one list value may hold (emails, phones, tags, participants). Checked while the list
/// is read, so that a hostile file cannot make the reader hold millions of strings.
pub const MAX_LIST_ITEMS: usize = 10_000;

/// A value, format v1: a JSON string, array of strings, or boolean.
///
/// Read by hand rather than with `#[serde(untagged)]`, which buffers every value as a generic tree
/// before choosing a variant: for a file of millions of tiny strings that tree took many times the
/// file's size. The reader also refuses empty list items (no Liaison list holds one) and lists longer
/// than [`MAX_LIST_ITEMS`] as it meets them.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ValueV1 {
    /// A flag.
    Bool(bool),
    /// Text.
    Text(String),
    /// A list of strings.
    List(Vec<String>),
}

/// A register, format v2: its entries and, when it has seen more than them, its causal context.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterV2 {
    /// The entries, winner first.
    pub e: Vec<EntryV1>,
    /// Every edit of this register its replica had seen, when that is more than the entries themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<UniqueMap<DeviceId, (u64, u32)>>,
}

/// A record as stored and as carried in bundles, format v2: a causal context per register.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordV2 {
    /// Always 2: tells a stored v2 record from a v1 one before it is parsed.
    pub v: u32,
    /// The record's id.
    pub id: RecordId,
    /// `contact`, `meeting` or `action`.
    pub kind: Kind,
    /// The life register (`false` alive, `true` deleted).
    pub life: RegisterV2,
    /// Field name to register.
    #[serde(default)]
    pub fields: UniqueMap<String, RegisterV2>,
}

thread_local! {
    /// How many more list items the file being read may hold. serde's derived readers cannot carry a
    /// budget down to the values, so the bundle reader sets it around one parse ([`with_list_budget`]).
    static LIST_BUDGET: std::cell::Cell<usize> = const { std::cell::Cell::new(usize::MAX) };
}

/// Runs `read` with at most `items` list items allowed in everything it parses, so that memory stays a
/// small multiple of the input: an item costs a few dozen bytes in memory, however short it is in the
/// file.
pub fn with_list_budget<T>(items: usize, read: impl FnOnce() -> T) -> T {
    let before = LIST_BUDGET.with(|b| b.replace(items));
    let out = read();
    LIST_BUDGET.with(|b| b.set(before));
    out
}

/// One item of a list value: text only, with the same message as a value of the wrong shape.
struct ListItem(String);

impl<'de> Deserialize<'de> for ListItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ListItem;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("each value must be text, a list of texts, or true/false")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<ListItem, E> {
                Ok(ListItem(s.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, s: String) -> Result<ListItem, E> {
                Ok(ListItem(s))
            }
        }
        d.deserialize_string(V)
    }
}

impl<'de> Deserialize<'de> for ValueV1 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ValueV1;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("each value must be text, a list of texts, or true/false")
            }
            fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<ValueV1, E> {
                Ok(ValueV1::Bool(b))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<ValueV1, E> {
                Ok(ValueV1::Text(s.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, s: String) -> Result<ValueV1, E> {
                Ok(ValueV1::Text(s))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<ValueV1, A::Error> {
                let mut out: Vec<String> = Vec::new();
                while let Some(ListItem(item)) = seq.next_element::<ListItem>()? {
                    if item.is_empty() {
                        return Err(serde::de::Error::custom("a list holds an empty item"));
                    }
                    if out.len() == MAX_LIST_ITEMS {
                        return Err(serde::de::Error::custom(format_args!(
                            "a list holds more than {MAX_LIST_ITEMS} items"
                        )));
                    }
                    let left = LIST_BUDGET.with(|b| {
                        let left = b.get();
                        b.set(left.saturating_sub(1));
                        left
                    });
                    if left == 0 {
                        return Err(serde::de::Error::custom(
                            "the file holds more list items (emails, phones, tags, participants) than a file of its size can",
                        ));
                    }
                    out.push(item);
                }
                out.shrink_to_fit();
                Ok(ValueV1::List(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// This device's profile, format v1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceV1 {
    /// The device id, made on first start.
    pub id: DeviceId,
    /// A label people recognise ("Anna's laptop").
    pub label: String,
    /// The officer who uses the device.
    pub officer: String,
}

impl From<DeviceV1> for DeviceProfile {
    fn from(d: DeviceV1) -> Self {
        DeviceProfile { id: d.id, label: d.label, officer: d.officer }
    }
}

impl From<DeviceProfile> for DeviceV1 {
    fn from(d: DeviceProfile) -> Self {
        DeviceV1 { id: d.id, label: d.label, officer: d.officer }
    }
}

/// Why stored or received data could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Not JSON, or JSON of the wrong shape. Carries serde's message with line and column.
    #[error("not a readable record: {0}")]
    Json(String),
    /// A known field holds a value of the wrong shape.
    #[error("field “{field}” holds the wrong kind of value")]
    FieldShape {
        /// The field.
        field: String,
    },
    /// A field that does not belong to this kind.
    #[error("{} cannot have the field “{field}”", kind.with_article())]
    ForeignField {
        /// The record kind.
        kind: Kind,
        /// The field.
        field: String,
    },
    /// The life register is empty or holds something other than true/false.
    #[error("the record's deleted/alive state is missing or malformed")]
    Life,
    /// A stamp outside the years 1970 to 9999.
    #[error("a stamp lies beyond the year 9999")]
    StampRange,
    /// A value whose stamp the record's causal context does not cover: the metadata is inconsistent.
    #[error("the record's history (“seen”) does not include the edit of “{field}” by device {device}")]
    Uncovered {
        /// The field whose value is unaccounted for ("life" for the deleted/alive state).
        field: String,
        /// The device that wrote it.
        device: DeviceId,
    },
    /// A field name longer than [`MAX_FIELD_NAME`].
    #[error("a field name is {0} characters long; the limit is {MAX_FIELD_NAME}")]
    FieldName(usize),
    /// The key it was stored under names another record.
    #[error("stored under the id of another record")]
    KeyMismatch,
    /// A register whose context says it has seen edits but which holds no value: Liaison never writes
    /// one (an edit always leaves a value), so the claim cannot be trusted to remove anybody's values.
    #[error("field “{0}” claims to have replaced earlier values but holds none")]
    EmptyRegister(String),
    /// A record version this build does not know.
    #[error("record format {0} is not one this version reads")]
    Version(u32),
}

fn vv_from(m: &UniqueMap<DeviceId, (u64, u32)>) -> Result<VersionVector, DecodeError> {
    let mut v = VersionVector::new();
    for (d, (w, c)) in &m.0 {
        if *w > MAX_WALL_MS {
            return Err(DecodeError::StampRange);
        }
        v.raise(*d, Tick { wall_ms: *w, counter: *c });
    }
    Ok(v)
}

fn vv_to(v: &VersionVector) -> UniqueMap<DeviceId, (u64, u32)> {
    UniqueMap(v.iter().map(|(d, t)| (*d, (t.wall_ms, t.counter))).collect())
}

/// Takes the wire entry apart rather than copying it: a bundle's values are held once, not twice.
fn entry_from(e: EntryV1) -> Result<Entry, DecodeError> {
    let (wall_ms, counter, device) = e.t;
    if wall_ms > MAX_WALL_MS {
        return Err(DecodeError::StampRange);
    }
    let value = match e.v {
        ValueV1::Bool(b) => Value::Bool(b),
        ValueV1::Text(s) => Value::Text(s),
        ValueV1::List(l) => Value::List(l),
    };
    // Only deletions carry what they had seen; a context on any other entry means nothing and is dropped,
    // so that it cannot make two copies of one edit differ.
    let seen = match value {
        Value::Bool(true) => e.seen.as_ref().map(vv_from).transpose()?,
        _ => None,
    };
    Ok(Entry { value, stamp: Stamp { wall_ms, counter, device }, seen })
}

/// Checks a field name and its values against the kind, as every record format must.
fn check_field(kind: Kind, name: &str, entries: &[EntryV1]) -> Result<(), DecodeError> {
    if name.chars().count() > MAX_FIELD_NAME {
        return Err(DecodeError::FieldName(name.chars().count()));
    }
    if let Some(f) = Field::from_key(name) {
        if !Field::of(kind).contains(&f) {
            return Err(DecodeError::ForeignField { kind, field: name.to_string() });
        }
        if entries.iter().any(|e| !f.accepts(&entry_from_value(&e.v))) {
            return Err(DecodeError::FieldShape { field: name.to_string() });
        }
    }
    Ok(())
}

fn life_from(entries: Vec<EntryV1>) -> Result<Vec<Entry>, DecodeError> {
    let life: Vec<Entry> = entries.into_iter().map(entry_from).collect::<Result<_, _>>()?;
    if life.is_empty() || life.iter().any(|e| !matches!(e.value, Value::Bool(_))) {
        return Err(DecodeError::Life);
    }
    Ok(life)
}

fn register_to(r: &Register) -> RegisterV2 {
    let mut own = VersionVector::new();
    for e in r.entries() {
        own.add(&e.stamp);
    }
    RegisterV2 { e: r.entries().iter().map(entry_to).collect(), seen: (own != *r.seen()).then(|| vv_to(r.seen())) }
}

fn register_from(
    name: &str,
    seen: Option<&UniqueMap<DeviceId, (u64, u32)>>,
    entries: Vec<Entry>,
) -> Result<Register, DecodeError> {
    let seen = seen.map(vv_from).transpose()?.unwrap_or_default();
    if entries.is_empty() && !seen.is_empty() {
        return Err(DecodeError::EmptyRegister(name.to_string()));
    }
    Ok(Register::with_context(entries, seen))
}

impl RecordV2 {
    /// The wire form of a record.
    pub fn from_record(r: &Record) -> Self {
        RecordV2 {
            v: 2,
            id: r.id,
            kind: r.kind,
            life: register_to(&r.life),
            fields: UniqueMap(r.fields.iter().map(|(k, reg)| (k.clone(), register_to(reg))).collect()),
        }
    }

    /// The record, after checking everything a corrupt or hostile source could get wrong.
    pub fn into_record(self) -> Result<Record, DecodeError> {
        if self.v != 2 {
            return Err(DecodeError::Version(self.v));
        }
        let life = register_from("deleted", self.life.seen.as_ref(), life_from(self.life.e)?)?;
        let mut fields = BTreeMap::new();
        for (name, RegisterV2 { e, seen }) in self.fields.0 {
            check_field(self.kind, &name, &e)?;
            let entries: Vec<Entry> = e.into_iter().map(entry_from).collect::<Result<_, _>>()?;
            if entries.is_empty() && seen.is_none() {
                continue;
            }
            let reg = register_from(&name, seen.as_ref(), entries)?;
            fields.insert(name, reg);
        }
        Ok(Record { id: self.id, kind: self.kind, fields, life })
    }
}

fn entry_to(e: &Entry) -> EntryV1 {
    let v = match &e.value {
        Value::Bool(b) => ValueV1::Bool(*b),
        Value::Text(s) => ValueV1::Text(s.clone()),
        Value::List(l) => ValueV1::List(l.clone()),
    };
    EntryV1 { v, t: (e.stamp.wall_ms, e.stamp.counter, e.stamp.device), seen: e.seen.as_ref().map(vv_to) }
}

impl RecordV1 {
    /// The wire form of a record.
    pub fn from_record(r: &Record) -> Self {
        RecordV1 {
            id: r.id,
            kind: r.kind,
            life: r.life.entries().iter().map(entry_to).collect(),
            fields: UniqueMap(
                r.fields.iter().map(|(k, reg)| (k.clone(), reg.entries().iter().map(entry_to).collect())).collect(),
            ),
            seen: vv_to(&r.seen()),
        }
    }

    /// The record, after checking everything a corrupt or hostile source could get wrong. Every register
    /// gets the record's context, as v1 meant; a field without entries claims nothing and is left out.
    pub fn into_record(self) -> Result<Record, DecodeError> {
        let seen = vv_from(&self.seen)?;
        let life = life_from(self.life)?;
        let mut regs: Vec<(String, Vec<Entry>)> = Vec::new();
        for (name, entries) in self.fields.0 {
            check_field(self.kind, &name, &entries)?;
            let entries: Vec<Entry> = entries.into_iter().map(entry_from).collect::<Result<_, _>>()?;
            if !entries.is_empty() {
                regs.push((name, entries));
            }
        }
        let uncovered = std::iter::once(("life", &life))
            .chain(regs.iter().map(|(k, r)| (k.as_str(), r)))
            .flat_map(|(k, r)| r.iter().map(move |e| (k, e)))
            .find(|(_, e)| !seen.covers(&e.stamp));
        if let Some((field, e)) = uncovered {
            return Err(DecodeError::Uncovered { field: field.to_string(), device: e.stamp.device });
        }
        let fields = regs.into_iter().map(|(k, e)| (k, Register::with_context(e, seen.clone()))).collect();
        Ok(Record { id: self.id, kind: self.kind, fields, life: Register::with_context(life, seen) })
    }
}

fn entry_from_value(v: &ValueV1) -> Value {
    match v {
        ValueV1::Bool(b) => Value::Bool(*b),
        ValueV1::Text(_) => Value::Text(String::new()),
        ValueV1::List(_) => Value::List(Vec::new()),
    }
}

/// A record as one compact JSON text, format v2.
pub fn encode_record(r: &Record) -> String {
    // Serialising plain strings, numbers and maps with string keys cannot fail.
    serde_json::to_string(&RecordV2::from_record(r)).unwrap_or_default()
}

/// A record from JSON text in format v2 (which [`encode_record`] writes, `{"v":2,` first) or v1, fully
/// validated.
pub fn decode_record(text: &str) -> Result<Record, DecodeError> {
    if text.starts_with(r#"{"v":"#) {
        let dto: RecordV2 = serde_json::from_str(text).map_err(|e| DecodeError::Json(e.to_string()))?;
        return dto.into_record();
    }
    let dto: RecordV1 = serde_json::from_str(text).map_err(|e| DecodeError::Json(e.to_string()))?;
    dto.into_record()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(n: u8) -> DeviceId {
        DeviceId::new_v7(0, [n; 10])
    }

    fn sample() -> Record {
        let s = |w| Stamp { wall_ms: w, counter: 0, device: dev(1) };
        let mut r = Record::new(RecordId::new_v7(1, [3; 10]), Kind::Contact, s(1));
        r.write("name", Value::Text("Ἀθηνᾶ <b>".into()), s(2));
        r.write("emails", Value::List(vec!["a@b.org".into()]), s(3));
        r.write("x-future-field", Value::Text("kept".into()), s(4));
        r.delete(s(5));
        r
    }

    #[test]
    fn records_round_trip_through_json() {
        let r = sample();
        assert_eq!(decode_record(&encode_record(&r)), Ok(r));
    }

    #[test]
    fn a_value_of_the_wrong_shape_is_refused() {
        let text = encode_record(&sample()).replace(r#"["a@b.org"]"#, r#""a@b.org""#);
        assert_eq!(decode_record(&text), Err(DecodeError::FieldShape { field: "emails".into() }));
    }

    #[test]
    fn truncated_json_is_refused_with_a_position() {
        let text = encode_record(&sample());
        let err = decode_record(&text[..text.len() / 2]).unwrap_err();
        assert!(matches!(&err, DecodeError::Json(m) if m.contains("column")), "{err}");
    }

    #[test]
    fn v1_records_still_read_with_the_record_context_on_every_register() {
        let r = sample();
        let v1 = serde_json::to_string(&RecordV1::from_record(&r)).unwrap();
        let back = decode_record(&v1).unwrap();
        assert_eq!(back.seen(), r.seen());
        assert!(back.fields.values().all(|reg| *reg.seen() == r.seen()));
    }

    #[test]
    fn a_v2_register_that_claims_history_but_holds_nothing_is_refused() {
        let mut dto = RecordV2::from_record(&sample());
        let name = dto.fields.0.get_mut("name").unwrap();
        name.seen = Some(vv_to(&sample().seen()));
        name.e.clear();
        assert_eq!(dto.into_record(), Err(DecodeError::EmptyRegister("name".into())));
    }

    #[test]
    fn a_context_on_an_entry_that_is_not_a_deletion_is_dropped() {
        let mut dto = RecordV2::from_record(&sample());
        dto.fields.0.get_mut("name").unwrap().e[0].seen = Some(UniqueMap::default());
        assert_eq!(dto.into_record(), Ok(sample()));
    }

    #[test]
    fn a_value_the_context_does_not_cover_is_refused() {
        let mut dto = RecordV1::from_record(&sample());
        dto.seen.0.clear();
        assert!(matches!(dto.into_record(), Err(DecodeError::Uncovered { .. })));
    }

    #[test]
    fn a_repeated_key_is_refused_rather_than_silently_overwritten() {
        let text = encode_record(&sample());
        let twice = text.replacen(r#""fields":{"#, r#""fields":{"name":{"e":[]},"#, 1);
        let err = decode_record(&twice).unwrap_err();
        assert!(err.to_string().contains("appears twice"), "{err}");
    }

    #[test]
    fn a_stamp_past_the_year_9999_is_refused() {
        let mut dto = RecordV1::from_record(&sample());
        dto.life[0].t.0 = MAX_WALL_MS + 1;
        assert_eq!(dto.into_record(), Err(DecodeError::StampRange));
    }
}
