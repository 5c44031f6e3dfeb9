//! The exporting officer, device label and sequence number of a bundle, read from the first bytes of
//! its file: what an import needs to plan many files in the order a person reads them (by officer,
//! then sequence) before it parses any of them whole.
//!
//! Decisions:
//! - **A prefix, not the file.** Every Liaison writes these keys before the device table and the
//!   records, so the head is found within [`HEAD_BYTES`]. A file written otherwise (keys in another
//!   order, or cut short), a compressed file and anything that is not a bundle give `None`; the caller
//!   then plans it in the order it was picked. Nothing here judges a file: [`super::read_bundle`] still
//!   reads every one in full, with every check.
//! - **Stops early.** The walk leaves the object as soon as it has the three values, or meets the
//!   records, and so never reads past the header however large the file.

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use super::shapes::FORMAT;

/// How many bytes from the start of a file [`peek_head`] needs: the header of any Liaison bundle fits
/// many times over (its longest values, the label and officer, are at most a few hundred bytes).
pub const HEAD_BYTES: usize = 16 * 1024;

/// Who exported a bundle and its place in that device's exports, as its first bytes say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleHead {
    /// The exporting officer.
    pub officer: String,
    /// The exporting device's label.
    pub label: String,
    /// The device's export counter.
    pub sequence: u64,
}

/// The head of a bundle from the first bytes of its file (at least [`HEAD_BYTES`] of them, or the
/// whole file); `None` when they do not start a Liaison bundle that names its device and sequence
/// before its records.
pub fn peek_head(prefix: &[u8]) -> Option<BundleHead> {
    let mut found = None;
    let mut de = serde_json::Deserializer::from_slice(prefix);
    // The walk stops inside the object on purpose, so serde_json reports the rest as unread (or the
    // prefix as cut short): only what the walk found counts.
    let _ = HeadSeed(&mut found).deserialize(&mut de);
    found
}

#[derive(Deserialize)]
struct Exporter {
    label: String,
    officer: String,
}

struct HeadSeed<'a>(&'a mut Option<BundleHead>);

impl<'de> DeserializeSeed<'de> for HeadSeed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for HeadSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a Liaison bundle")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (mut format, mut device, mut sequence) = (None::<String>, None::<Exporter>, None::<u64>);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => format = Some(map.next_value()?),
                "device" => device = Some(map.next_value()?),
                "sequence" => sequence = Some(map.next_value()?),
                "records" | "devices" => break,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            if format.is_some() && device.is_some() && sequence.is_some() {
                break;
            }
        }
        if let (Some(f), Some(d), Some(sequence)) = (format, device, sequence) {
            if f == FORMAT {
                *self.0 = Some(BundleHead { officer: d.officer, label: d.label, sequence });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::bundle::{write_bundle, write_bundle_v1, write_bundle_v3, ExportInput, Layout, Scope};
    use crate::formats::wire::DeviceV1;
    use crate::notebook::Notebook;
    use crate::schema::{Field, Kind, Value};
    use crate::DeviceId;

    fn write(nb: &Notebook, sequence: u64, how: impl Fn(ExportInput<'_>) -> String) -> String {
        let device = DeviceV1 { id: nb.device(), label: "Field laptop".into(), officer: "Maj Anna Berger".into() };
        how(ExportInput {
            bundle_id: uuid::Uuid::from_bytes([7; 16]),
            created_ms: 1_700_000_100_000,
            device: &device,
            sequence,
            scope: Scope::All,
            devices: vec![device.clone()],
            records: nb.records().collect(),
        })
    }

    fn notebook() -> Notebook {
        let mut nb = Notebook::new(DeviceId::new_v7(1_700_000_000_000, [1; 10]));
        let c = nb.create(Kind::Contact, 1_700_000_000_001, [2; 10]);
        nb.set(c, Field::Name, Value::Text("Luca Rossi".into()), 1_700_000_000_002).unwrap();
        nb
    }

    fn berger(sequence: u64) -> Option<BundleHead> {
        Some(BundleHead { officer: "Maj Anna Berger".into(), label: "Field laptop".into(), sequence })
    }

    #[test]
    fn the_head_of_every_written_version_is_read_from_its_first_bytes() {
        let nb = notebook();
        let compact = write(&nb, 4, |i| write_bundle(i).unwrap());
        let pretty = write(&nb, 5, |i| write_bundle_v3(i, Layout::Pretty).unwrap());
        let v1 = write(&nb, 6, write_bundle_v1);
        assert_eq!(peek_head(compact.as_bytes()), berger(4));
        assert_eq!(peek_head(pretty.as_bytes()), berger(5));
        assert_eq!(peek_head(v1.as_bytes()), berger(6));
    }

    #[test]
    fn a_head_is_found_in_a_prefix_that_cuts_the_records_short() {
        let nb = notebook();
        let text = write(&nb, 9, |i| write_bundle(i).unwrap());
        let cut = text.find("\"records\"").unwrap() + 12;
        assert_eq!(peek_head(&text.as_bytes()[..cut]), berger(9));
    }

    #[test]
    fn other_files_have_no_head() {
        for text in [
            "",
            "BEGIN:VCARD\r\nVERSION:4.0\r\nEND:VCARD\r\n",
            "Name,Email\nLuca,luca@example.org\n",
            "[1,2,3]",
            r#"{"format":"other","device":{"label":"a","officer":"b"},"sequence":1}"#,
            r#"{"format":"liaison-bundle","records":[],"device":{"label":"a","officer":"b"},"sequence":1}"#,
            r#"{"format":"liaison-bundle","device":{"label":"a","officer":"b"}"#,
        ] {
            assert_eq!(peek_head(text.as_bytes()), None, "{text}");
        }
    }
}
