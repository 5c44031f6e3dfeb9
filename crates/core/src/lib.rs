//! liaison-core: the pure heart of Liaison.
//!
//! Everything here is deterministic: no I/O, no clock reads, no randomness. Time and random bytes come in
//! as arguments, so the same inputs always give the same state. The app (`liaison`) and the coordinator's
//! CLI (`liaison-cli`) both drive this crate.
//!
//! The layers, bottom up:
//! - [`id`], [`clock`], [`vv`]: identities, hybrid logical clock stamps and version vectors.
//! - [`record`]: a record is a set of multi-value registers plus a causal context; [`record::Record::merge`]
//!   is the state-based CRDT join that the merge contract in DESIGN.md asks for.
//! - [`model`]: typed read views (Contact, Meeting, Action) over records, and the field names.
//! - [`date`], [`validate`]: date parsing and the specific messages a form shows.
//! - [`notebook`]: one replica's state and the commands the app sends into it.
//! - [`wire`]: versioned serialisation types, kept apart from the domain types.
//! - [`storage`]: the key layout, the async backend trait, an in-memory backend and the repository that
//!   loads, quarantines and persists write-behind.

#![warn(missing_docs)]

pub mod bundle;
pub mod clock;
pub mod date;
pub mod duplicates;
pub mod exchange;
pub mod id;
pub mod interop;
pub mod model;
pub mod notebook;
pub mod query;
pub mod record;
pub mod search;
pub mod storage;
pub mod validate;
pub mod vv;
pub mod wire;

pub use clock::{Clock, Stamp};
pub use id::{DeviceId, RecordId};
pub use model::{Action, Contact, Field, Kind, Meeting};
pub use notebook::Notebook;
pub use record::{Record, Value};
