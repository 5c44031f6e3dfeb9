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

mod check;
mod head;
mod read;
mod shapes;
mod write;

pub use check::{devices_in, file_name, file_name_marked, future_stamps, link_target, links_of};
pub use head::{peek_head, BundleHead, HEAD_BYTES};
pub use read::read_bundle;
pub use shapes::{
    is_gzip, Bundle, BundleDto, BundleMarking, BundleV1, BundleV2, Problem, Scope, WireRecord, FORMAT,
    MAX_BUNDLE_BYTES, MAX_PLAUSIBLE_AHEAD_MS, MAX_PROFILE_CHARS, MAX_RECORDS, MAX_RECORD_BYTES, MAX_SEQUENCE, VERSION,
};
pub use write::{
    write_bundle, write_bundle_marked, write_bundle_v1, write_bundle_v2, write_bundle_v3, write_bundle_v3_to, BundleV3,
    DeviceEntryV3, ExportInput, ExporterV3, Layout,
};
