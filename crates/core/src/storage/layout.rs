//! Where everything is stored: the key layout, its version, and the migrations between versions.

use super::Op;
use crate::crdt::id::RecordId;
use crate::formats::wire::{decode_record, encode_record};

/// Every key Liaison writes starts with this; the version in it changes only with an incompatible layout.
pub const PREFIX: &str = "liaison/v1/";
/// One key per record: this prefix and the record id.
pub const RECORD_PREFIX: &str = "liaison/v1/record/";
/// Entries that could not be read are moved here, under their original suffix, and left for a person.
pub const QUARANTINE_PREFIX: &str = "liaison/v1/quarantine/";
/// The schema version of the stored layout.
pub const SCHEMA_KEY: &str = "liaison/v1/meta/schema";
/// This device's id, label and officer.
pub const DEVICE_KEY: &str = "liaison/v1/meta/device";
/// What this device remembers about its exports (`exchange::ExportState`).
pub const EXPORT_KEY: &str = "liaison/v1/meta/export";
/// Every bundle imported here (`exchange::ImportLog`).
pub const IMPORTS_KEY: &str = "liaison/v1/meta/imports";
/// Profiles of other officers' devices, learnt from bundles.
pub const DEVICES_KEY: &str = "liaison/v1/meta/devices";
/// Contact pairs a person said are different people.
pub const NOT_DUPLICATES_KEY: &str = "liaison/v1/meta/not-duplicates";
/// The ids this device's tabs stamp edits with: each open tab is its own replica (see ARCHITECTURE.md).
pub const REPLICAS_KEY: &str = "liaison/v1/meta/replicas";
/// The schema version this build writes. Layout 2 stores records in format v2 (a causal context per
/// register); layout 3 adds pages of records (`storage::pages`) beside the per-record keys. An older
/// Liaison sees the newer layout and leaves it untouched instead of misreading it.
pub const SCHEMA_VERSION: u32 = 3;

/// A migration rewrites the entries of one schema version into the next (`None`: the entries stay as
/// they are, only the version changes). Index `n` migrates from `n` to `n + 1`; layouts older than every
/// migration are refused rather than guessed.
type Migration = Option<fn(&[(String, String)]) -> Vec<Op>>;
/// Layout 2 to 3 rewrites nothing: a layout 2 notebook is a layout 3 one whose records are all in their
/// own keys, and compaction packs them into pages afterwards, a batch at a time, so the move is
/// resumable wherever it stops.
pub(super) const MIGRATIONS: &[(u32, Migration)] = &[(1, Some(records_to_v2)), (2, None)];

/// Layout 1 to 2: every readable record is rewritten in format v2, with the record's context on each of
/// its registers (what v1 meant). An unreadable one is left as it is, for `load` to set aside.
fn records_to_v2(entries: &[(String, String)]) -> Vec<Op> {
    entries
        .iter()
        .filter(|(k, _)| k.starts_with(RECORD_PREFIX))
        .filter_map(|(k, text)| decode_record(text).ok().map(|r| Op::Put(k.clone(), encode_record(&r))))
        .collect()
}

/// The storage key of a record.
pub fn record_key(id: RecordId) -> String {
    format!("{RECORD_PREFIX}{id}")
}

/// The record id a storage key names, if it names one.
pub fn record_id_of_key(key: &str) -> Option<RecordId> {
    key.strip_prefix(RECORD_PREFIX)?.parse().ok()
}
