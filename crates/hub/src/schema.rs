//! The hub's tables, as numbered migrations that each store applies once, in order.
//!
//! The SQL keeps to what SQLite and PostgreSQL read alike: `TEXT` and `BIGINT` columns only (no
//! `BLOB`/`BYTEA`, no booleans, no auto-increment), hashes as lowercase hex, times as ms since the epoch.
//! So one list serves both, and a hub moves from one to the other by copying rows.
//!
//! A migration is never edited once released: a change is a new entry at the end.

/// One step of the schema: its number and the statements that take the previous version to it.
pub struct Migration {
    /// Applied in increasing order, each once; the highest applied is the schema's version.
    pub version: i64,
    /// Statements separated by `;`.
    pub sql: &'static str,
}

/// Every migration, oldest first.
pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    sql: "
CREATE TABLE teams (
    team TEXT PRIMARY KEY,
    head BIGINT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE TABLE invites (
    code_hash TEXT PRIMARY KEY,
    team TEXT NOT NULL REFERENCES teams (team),
    officer TEXT NOT NULL,
    role TEXT NOT NULL,
    ceiling TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_ms BIGINT,
    used_by TEXT
);
CREATE TABLE devices (
    device TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    team TEXT NOT NULL REFERENCES teams (team),
    officer TEXT NOT NULL,
    label TEXT NOT NULL,
    role TEXT NOT NULL,
    ceiling TEXT NOT NULL,
    enrolled_ms BIGINT NOT NULL,
    revoked_ms BIGINT
);
CREATE INDEX devices_by_team ON devices (team);
CREATE TABLE streams (
    device TEXT PRIMARY KEY,
    team TEXT NOT NULL REFERENCES teams (team),
    last_seq BIGINT NOT NULL
);
CREATE TABLE pushes (
    device TEXT NOT NULL,
    seq BIGINT NOT NULL,
    team TEXT NOT NULL,
    checksum TEXT NOT NULL,
    bundle_id TEXT NOT NULL,
    pos BIGINT NOT NULL,
    records BIGINT NOT NULL,
    changed BIGINT NOT NULL,
    via TEXT NOT NULL,
    received_ms BIGINT NOT NULL,
    PRIMARY KEY (device, seq)
);
CREATE TABLE records (
    team TEXT NOT NULL,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    level BIGINT NOT NULL,
    meeting TEXT,
    pos BIGINT NOT NULL,
    echo TEXT,
    PRIMARY KEY (team, id)
);
CREATE INDEX records_by_pos ON records (team, pos, id);
CREATE INDEX records_by_meeting ON records (team, meeting);
CREATE TABLE profiles (
    team TEXT NOT NULL,
    device TEXT NOT NULL,
    label TEXT NOT NULL,
    officer TEXT NOT NULL,
    PRIMARY KEY (team, device)
)",
}];

/// The table that records which migrations ran; created before any of them.
pub const MIGRATIONS_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_ms BIGINT NOT NULL)";

/// The schema version this build writes.
pub fn latest() -> i64 {
    MIGRATIONS.last().map(|m| m.version).unwrap_or(0)
}
