//! liaison-hub: the team hub. Officers' devices push their bundles to it and pull the team's merged
//! picture from it; `liaison hub serve` runs it (docs/hub-api.md is the protocol).
//!
//! - [`schema`]: the tables, as numbered migrations that read alike on SQLite and PostgreSQL.
//! - [`store`]: the [`store::Store`] and [`store::Tx`] traits the protocol runs on, SQLite's and
//!   PostgreSQL's.
//! - [`secret`]: enrolment codes and device tokens, hashed and compared in constant time.
//! - [`sync`]: the protocol itself (enrol, authenticate, push, pull, invite, revoke), over any store,
//!   with every rule about bundles and records taken from liaison-core.
//! - [`server`]: the HTTP API (axum), its limits and headers, and the graceful stop.
//! - [`client`]: the blocking client `liaison enrol`, `push` and `pull` use.

#![warn(missing_docs)]

pub mod client;
pub mod schema;
pub mod secret;
pub mod server;
pub mod store;
pub mod sync;

/// Opens the hub database `db` names: a `postgres://` URL for PostgreSQL, otherwise a SQLite file path.
pub fn open(db: &str) -> Result<store::AnyStore, String> {
    store::AnyStore::open(db).map_err(|e| e.to_string())
}

/// Sends the hub's logs to standard error, one JSON object a line, at info and above.
pub fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::INFO)
        .with_writer(std::io::stderr)
        .with_current_span(false)
        .try_init();
}
