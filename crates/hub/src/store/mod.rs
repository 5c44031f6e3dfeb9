//! Where the hub keeps its state: a [`Store`] opens transactions, and a [`Tx`] is the handful of row
//! operations the protocol ([`crate::sync`]) is written against. The protocol never sees SQL, so a
//! second database is one more implementation of these two traits over the same schema
//! ([`crate::schema`]).

mod postgres;
mod sqlite;

use std::collections::BTreeSet;
use std::path::Path;

pub use self::postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// A failure of the database itself (not of the request): the disk, a lock, a broken file.
#[derive(Debug, thiserror::Error)]
#[error("the hub's database failed: {0}")]
pub struct StoreError(pub String);

/// An enrolment code waiting to be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InviteRow {
    /// SHA-256 of the normalised code, hex.
    pub code_hash: String,
    /// The team the device joins.
    pub team: String,
    /// The officer it is for.
    pub officer: String,
    /// `officer` or `coordinator`.
    pub role: String,
    /// The marking ceiling's name (core's `Ceiling::name`).
    pub ceiling: String,
    /// When it was made.
    pub created_ms: i64,
    /// After this it is refused.
    pub expires_ms: i64,
    /// When it was used, if it was.
    pub used_ms: Option<i64>,
}

/// An enrolled device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRow {
    /// Its Liaison device id (the id its bundles are exported by).
    pub device: String,
    /// SHA-256 of its token, hex.
    pub token_hash: String,
    /// Its team.
    pub team: String,
    /// The officer, from the invite.
    pub officer: String,
    /// The device's own label.
    pub label: String,
    /// `officer` or `coordinator`.
    pub role: String,
    /// The marking ceiling's name.
    pub ceiling: String,
    /// When it enrolled.
    pub enrolled_ms: i64,
    /// When it was revoked, if it was.
    pub revoked_ms: Option<i64>,
}

/// One accepted push: a device's bundle at one sequence number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushRow {
    /// The exporting device.
    pub device: String,
    /// Its sequence number.
    pub seq: i64,
    /// The team.
    pub team: String,
    /// The bundle's checksum: what tells a repeat from another bundle at the same sequence.
    pub checksum: String,
    /// The bundle's id.
    pub bundle_id: String,
    /// The team position it was applied at.
    pub pos: i64,
    /// Records it carried.
    pub records: i64,
    /// Records it changed.
    pub changed: i64,
    /// The device whose token pushed it (itself, or a coordinator relaying it).
    pub via: String,
    /// When it arrived.
    pub received_ms: i64,
}

/// A record of the team's merged picture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordRow {
    /// The record id.
    pub id: String,
    /// `contact`, `meeting` or `action`.
    pub kind: String,
    /// The record, as core's `encode_record` writes it.
    pub body: String,
    /// The lowest marking ceiling that lets it through, as an index into core's `Ceiling::EVERY`
    /// (for an action, its meeting's decides; see [`Tx::feed`]).
    pub level: i64,
    /// An action's meeting id.
    pub meeting: Option<String>,
    /// The team position of its last change.
    pub pos: i64,
    /// The device that pushed exactly this state, so it need not be sent back to it.
    pub echo: Option<String>,
}

/// Where a pull goes on from: rows after `(pos, id)` in that order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cursor {
    /// A team position.
    pub pos: i64,
    /// A record id within it ("" for the start of the position).
    pub id: String,
}

/// The row operations of one transaction. Every method works within it; nothing is visible to others
/// until the store commits it.
pub trait Tx {
    /// Locks the team for the rest of the transaction (pushes to one team are applied one at a time, so
    /// positions commit in order) and gives its head position; `None` if there is no such team.
    fn lock_team(&mut self, team: &str) -> Result<Option<i64>, StoreError>;
    /// The team's head position without locking it.
    fn head(&mut self, team: &str) -> Result<Option<i64>, StoreError>;
    /// Makes the team if it does not exist.
    fn ensure_team(&mut self, team: &str, now_ms: i64) -> Result<(), StoreError>;
    /// Moves the team's head.
    fn set_head(&mut self, team: &str, head: i64) -> Result<(), StoreError>;
    /// Stores a new invite.
    fn insert_invite(&mut self, invite: &InviteRow) -> Result<(), StoreError>;
    /// The invite with this code hash.
    fn invite(&mut self, code_hash: &str) -> Result<Option<InviteRow>, StoreError>;
    /// Marks it used, if nobody used it first: whether this call did.
    fn use_invite(&mut self, code_hash: &str, now_ms: i64, device: &str) -> Result<bool, StoreError>;
    /// The enrolled device with this id.
    fn device(&mut self, device: &str) -> Result<Option<DeviceRow>, StoreError>;
    /// The enrolled device whose token hashes to this.
    fn device_by_token(&mut self, token_hash: &str) -> Result<Option<DeviceRow>, StoreError>;
    /// Stores a device, replacing one with the same id.
    fn put_device(&mut self, device: &DeviceRow) -> Result<(), StoreError>;
    /// Every device of a team, enrolled first first.
    fn devices(&mut self, team: &str) -> Result<Vec<DeviceRow>, StoreError>;
    /// Revokes a device: whether it was enrolled and not yet revoked.
    fn revoke(&mut self, device: &str, now_ms: i64) -> Result<bool, StoreError>;
    /// A device's stream: its team and the highest sequence accepted.
    fn stream(&mut self, device: &str) -> Result<Option<(String, i64)>, StoreError>;
    /// Stores a device's stream.
    fn put_stream(&mut self, device: &str, team: &str, last_seq: i64) -> Result<(), StoreError>;
    /// The push accepted at this sequence.
    fn push(&mut self, device: &str, seq: i64) -> Result<Option<PushRow>, StoreError>;
    /// Stores an accepted push.
    fn insert_push(&mut self, push: &PushRow) -> Result<(), StoreError>;
    /// A record of the team.
    fn record(&mut self, team: &str, id: &str) -> Result<Option<RecordRow>, StoreError>;
    /// Stores a record, replacing the one with the same id.
    fn put_record(&mut self, team: &str, record: &RecordRow) -> Result<(), StoreError>;
    /// Whether an action of the team names `id` as its meeting.
    fn named_as_meeting(&mut self, team: &str, id: &str) -> Result<bool, StoreError>;
    /// Which of `ids` an action of the team names as its meeting; one round trip where the database is
    /// across a network.
    fn named_as_meetings(&mut self, team: &str, ids: &[String]) -> Result<BTreeSet<String>, StoreError> {
        let mut out = BTreeSet::new();
        for id in ids {
            if self.named_as_meeting(team, id)? {
                out.insert(id.clone());
            }
        }
        Ok(out)
    }
    /// The team's records with these ids (those it holds), in any order; one round trip where the
    /// database is across a network.
    fn records(&mut self, team: &str, ids: &[String]) -> Result<Vec<RecordRow>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.record(team, id)?);
        }
        Ok(out)
    }
    /// Stores records, each replacing the one with its id.
    fn put_records(&mut self, team: &str, rows: &[RecordRow]) -> Result<(), StoreError> {
        for r in rows {
            self.put_record(team, r)?;
        }
        Ok(())
    }
    /// Moves the actions of a meeting to `pos` (their visibility follows the meeting's marking, so they
    /// must be offered again): how many.
    fn touch_actions(&mut self, team: &str, meeting: &str, pos: i64) -> Result<u64, StoreError>;
    /// Up to `limit` records after `after`, in `(pos, id)` order, leaving out those `viewer` pushed
    /// itself in exactly that state and those above `ceiling` (an action by its meeting's level, and
    /// above every ceiling but the last when its meeting is unknown).
    fn feed(
        &mut self,
        team: &str,
        after: &Cursor,
        viewer: &str,
        ceiling: i64,
        limit: i64,
    ) -> Result<Vec<RecordRow>, StoreError>;
    /// Stores a device profile: `own` (from the device's own bundle) replaces, otherwise only fills in.
    fn put_profile(
        &mut self,
        team: &str,
        device: &str,
        label: &str,
        officer: &str,
        own: bool,
    ) -> Result<(), StoreError>;
    /// Every device profile of a team: (device, label, officer).
    fn profiles(&mut self, team: &str) -> Result<Vec<(String, String, String)>, StoreError>;
}

/// A database the hub runs on. Transactions are closures: committed when they return `Ok`, rolled back
/// otherwise, so no path leaves half a push behind.
pub trait Store: Send + Sync + 'static {
    /// Runs `f` in a transaction that may write.
    fn write<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E>;
    /// Runs `f` in a transaction that only reads, on one consistent snapshot.
    fn read<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E>;
    /// Writes a consistent copy of the whole database to `to`, while the hub runs.
    fn backup(&self, to: &Path) -> Result<(), StoreError>;
    /// The schema version the database is at.
    fn version(&self) -> Result<i64, StoreError>;
}

/// The store `--db` names: a SQLite file, or a PostgreSQL database by its `postgres://` URL.
pub enum AnyStore {
    /// A SQLite file.
    Sqlite(SqliteStore),
    /// A PostgreSQL database.
    Postgres(PostgresStore),
}

impl AnyStore {
    /// Opens `db`: a `postgres://` or `postgresql://` URL selects PostgreSQL, anything else is a SQLite
    /// file path (made if missing).
    pub fn open(db: &str) -> Result<AnyStore, StoreError> {
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            Ok(AnyStore::Postgres(PostgresStore::open(db)?))
        } else {
            Ok(AnyStore::Sqlite(SqliteStore::open(Path::new(db))?))
        }
    }
}

impl Store for AnyStore {
    fn write<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E> {
        match self {
            AnyStore::Sqlite(s) => s.write(f),
            AnyStore::Postgres(s) => s.write(f),
        }
    }

    fn read<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E> {
        match self {
            AnyStore::Sqlite(s) => s.read(f),
            AnyStore::Postgres(s) => s.read(f),
        }
    }

    fn backup(&self, to: &Path) -> Result<(), StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.backup(to),
            AnyStore::Postgres(s) => s.backup(to),
        }
    }

    fn version(&self) -> Result<i64, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.version(),
            AnyStore::Postgres(s) => s.version(),
        }
    }
}
