//! Records packed into pages: few large values that start-up reads in one request, with small
//! per-record values for recent edits folded over them.
//!
//! Layout 3 keeps every record either in a page (`liaison/v1/page/<time>-<random>`, up to
//! [`PAGE_RECORDS`] records or about [`PAGE_BYTES`]) or in its own key (`liaison/v1/record/<id>`), or
//! both. An edit writes the record's own key, a small value in one strict transaction, as before. Start-up
//! reads both and folds them: every copy of a record is joined by the merge contract, so a record stored
//! twice (a compaction cut short, two tabs packing at once) loads once and nothing is lost. A removal
//! (undoing an import) writes a [`removed_marker`] under the record's key; it removes the copies in pages
//! written before it, and a page written after it (a later import of the same record) keeps the record.
//!
//! Compaction folds the per-record values into pages a unit at a time: each unit is one batch that puts
//! a new page and deletes, by comparison, the per-record values it absorbed ([`super::Op::DeleteIf`]: a
//! newer edit written meanwhile has another text and stays), and deletes the old pages only in the batch
//! that wrote the last of their records. So a unit lands whole or not at all, and a stop between units
//! leaves copies that the next start joins.

mod codec;
mod compact;
mod fold;

pub use codec::{decode_page, encode_page, PageWriter};
pub use compact::{Compaction, CompactionPlan};
pub use fold::{fold, Folded, PageMap};

/// Keys of pages start with this.
pub const PAGE_PREFIX: &str = "liaison/v1/page/";
/// At most this many records go into one page: measured best for reading 100,000 records at start-up
/// (tests/bench/bench-idb-layout.mjs).
pub const PAGE_RECORDS: usize = 1_000;
/// A page is closed once its text passes this many bytes, so that large records make smaller pages.
pub const PAGE_BYTES: usize = 1 << 20;
/// A batch of at least this many records is written as pages rather than one value per record: an import.
pub const PACK_AT: usize = 500;
/// Compaction runs at start-up once this many per-record values wait, or pages are duplicated or damaged.
pub const COMPACT_AT: usize = 200;

const REMOVED: &str = "removed ";

/// The key of a new page written at `now_ms`: the time comes first so that key order is write order.
pub fn page_key(now_ms: u64, random: u64) -> String {
    format!("{PAGE_PREFIX}{now_ms:015}-{random:016x}")
}

/// When a page was written, from its key.
pub fn page_time(key: &str) -> Option<u64> {
    key.strip_prefix(PAGE_PREFIX)?.get(..15)?.parse().ok()
}

/// The value a record's own key holds once the record was removed from the notebook at `now_ms`.
pub fn removed_marker(now_ms: u64) -> String {
    format!("{REMOVED}{now_ms}")
}

/// When a record was removed, if `text` is a removal marker.
pub fn removed_at(text: &str) -> Option<u64> {
    text.strip_prefix(REMOVED)?.parse().ok()
}

#[cfg(test)]
mod tests;
