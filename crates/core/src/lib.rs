//! liaison-core: the pure heart of Liaison.
//!
//! Everything here is deterministic: no I/O, no clock reads, no randomness. Time and random bytes come in
//! as arguments, so the same inputs always give the same state. The app (`liaison`) and the coordinator's
//! CLI (`liaison-cli`) both drive this crate.
//!
//! The layers, bottom up. A module uses only the ones above it in this list (`scripts/check_layers.py`
//! checks it, and that no modules import each other in a cycle):
//! - [`translit`]: Cyrillic and Greek letters in Latin (BGN/PCGN and ELOT 743), for folding.
//! - [`text`]: folding for comparison, percent-encoding and the fast hasher: the leaf utilities.
//! - [`diff`]: a word-level difference of two texts, for the Conflicts screen.
//! - [`date`]: calendar dates and times of day, parsed strictly.
//! - [`schema`]: kinds, fields and the shapes of their values.
//! - [`crdt`]: identities, hybrid logical clocks, version vectors and records as state-based CRDTs; the
//!   merge contract of `docs/design.md` lives in [`crdt::record::Record::merge`].
//! - [`model`]: typed read views (Contact, Meeting, Action) over records, and the words that stand in for
//!   missing titles.
//! - [`validate`]: the specific messages a form shows.
//! - [`notebook`]: one replica's state and the commands the app sends into it.
//! - [`marking`]: marking grades, the highest marking of several records, and export ceilings.
//! - [`formats`]: the versioned bundle wire format ([`formats::wire`], [`formats::bundle`]) and the codecs
//!   for vCard, iCalendar and CSV.
//! - [`exchange`]: import planning, apply and undo, and export, for every file kind.
//! - [`queries`]: list filters and the dashboard, duplicate suggestions, and search.
//! - [`storage`]: the key layout, the async backend trait, an in-memory backend and the repository that
//!   loads, quarantines and persists write-behind.

#![warn(missing_docs)]

pub mod translit;

pub mod text;

pub mod diff;

pub mod date;

pub mod schema;

pub mod crdt;

pub mod model;

pub mod validate;

pub mod notebook;

pub mod marking;

pub mod formats;

pub mod exchange;

pub mod queries;

pub mod storage;

pub use crdt::clock::{Clock, Stamp};
pub use crdt::id::{DeviceId, RecordId};
pub use crdt::record::Record;
pub use model::{Action, Contact, Meeting};
pub use notebook::Notebook;
pub use schema::{Field, Kind, Value};
