//! The merge contract: identities, hybrid logical clocks, version vectors and records as state-based CRDTs.
//!
//! Nothing here knows what a contact or a meeting is; a record is a map from field key to register, and
//! [`record::Record::merge`] is the join that every replica, file and tab goes through.

pub mod clock;
pub mod id;
pub mod record;
pub mod vv;
