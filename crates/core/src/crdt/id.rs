//! Record and device identities.
//!
//! Both are UUIDs. Record ids are v7 so that they sort by creation time; the random part comes in as an
//! argument because core never draws randomness itself. Ids derived from content (an imported file, a
//! foreign UID, a pseudo-device's label) are v8, made of a SHA-256 of that content.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The id of one contact, meeting or action. Stable forever, the same on every device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecordId(pub Uuid);

/// The id of one device (one browser profile). Made once on first start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeviceId(pub Uuid);

/// A string that is not a UUID was given where an id was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}” is not a valid id")]
pub struct BadId(pub String);

fn v7(unix_ms: u64, random: [u8; 10]) -> Uuid {
    uuid::Builder::from_unix_timestamp_millis(unix_ms, &random).into_uuid()
}

/// A UUID (v8) of the first 16 bytes of `digest` (a SHA-256, or any hash at least that long; a shorter
/// one is padded with zeros). A hash is spread like random bytes, so such ids never cluster.
pub fn uuid_from_digest(digest: &[u8]) -> Uuid {
    let mut bytes = [0u8; 16];
    for (b, d) in bytes.iter_mut().zip(digest) {
        *b = *d;
    }
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// The SHA-256 of `data` as a UUID (v8): the same data always gives the same id.
pub fn hashed_uuid(data: &[u8]) -> Uuid {
    uuid_from_digest(&Sha256::digest(data))
}

impl RecordId {
    /// A new time-ordered id from the current time and ten random bytes.
    pub fn new_v7(unix_ms: u64, random: [u8; 10]) -> Self {
        RecordId(v7(unix_ms, random))
    }

    /// The id derived from `data` (see [`hashed_uuid`]), so that importing the same thing twice finds the
    /// same record.
    pub fn from_hash(data: &[u8]) -> Self {
        RecordId(hashed_uuid(data))
    }
}

impl DeviceId {
    /// A new device id from the current time and ten random bytes.
    pub fn new_v7(unix_ms: u64, random: [u8; 10]) -> Self {
        DeviceId(v7(unix_ms, random))
    }

    /// The id of a pseudo-device derived from `data` (see [`hashed_uuid`]): the same description always
    /// gives the same device.
    pub fn from_hash(data: &[u8]) -> Self {
        DeviceId(hashed_uuid(data))
    }
}

macro_rules! id_text {
    ($t:ident) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
        impl FromStr for $t {
            type Err = BadId;
            fn from_str(s: &str) -> Result<Self, BadId> {
                Uuid::try_parse(s).map($t).map_err(|_| BadId(s.chars().take(60).collect()))
            }
        }
    };
}
id_text!(RecordId);
id_text!(DeviceId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v7_ids_sort_by_creation_time() {
        let a = RecordId::new_v7(1_000, [0xff; 10]);
        let b = RecordId::new_v7(2_000, [0x00; 10]);
        assert!(a < b);
        assert_eq!(a.0.get_version_num(), 7);
    }

    #[test]
    fn ids_round_trip_through_text() {
        let a = RecordId::new_v7(1_700_000_000_000, [7; 10]);
        assert_eq!(a.to_string().parse::<RecordId>(), Ok(a));
    }

    #[test]
    fn ids_from_a_hash_are_v8_and_the_same_for_the_same_data() {
        let a = RecordId::from_hash(b"liaison uid\ncontact\nabc");
        assert_eq!(a, RecordId::from_hash(b"liaison uid\ncontact\nabc"));
        assert_ne!(a, RecordId::from_hash(b"liaison uid\ncontact\nabd"));
        assert_eq!(a.0.get_version_num(), 8);
        assert_eq!(DeviceId::from_hash(b"x").0, hashed_uuid(b"x"));
    }

    #[test]
    fn parsing_garbage_is_an_error_not_a_panic() {
        assert!("not-an-id".parse::<RecordId>().is_err());
        assert!("".parse::<DeviceId>().is_err());
    }
}
