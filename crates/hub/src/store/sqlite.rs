//! The embedded default: one SQLite file in WAL mode. One connection writes (SQLite allows one writer at
//! a time anyway, and a push is one transaction on it); a few more read, each on its own snapshot, so
//! pulls never wait for pushes.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{Cursor, DeviceRow, InviteRow, PushRow, RecordRow, Store, StoreError, Tx};
use crate::schema::{MIGRATIONS, MIGRATIONS_TABLE};

const READERS: usize = 4;

fn err(e: rusqlite::Error) -> StoreError {
    StoreError(e.to_string())
}

/// A hub database in one SQLite file.
pub struct SqliteStore {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
}

fn connect(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(err)?;
    // Another process (`liaison hub invite` beside `serve`) may hold the write lock for a moment.
    conn.busy_timeout(Duration::from_secs(10)).map_err(err)?;
    // FULL: a push answered 200 survives a power cut, not only a killed process.
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
        .map_err(err)?;
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut writer = connect(path)?;
        migrate(&mut writer)?;
        let readers = (0..READERS).map(|_| connect(path).map(Mutex::new)).collect::<Result<Vec<_>, _>>()?;
        Ok(SqliteStore { writer: Mutex::new(writer), readers })
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(err)?;
    tx.execute_batch(MIGRATIONS_TABLE).map_err(err)?;
    let current: i64 =
        tx.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0)).map_err(err)?;
    let newest = crate::schema::latest();
    if current > newest {
        return Err(StoreError(format!(
            "the database is at schema version {current}, newer than this hub ({newest}); use a newer liaison"
        )));
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        tx.execute_batch(m.sql).map_err(err)?;
        tx.execute("INSERT INTO schema_migrations (version, applied_ms) VALUES (?1, ?2)", params![m.version, now()])
            .map_err(err)?;
    }
    tx.commit().map_err(err)
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

impl Store for SqliteStore {
    fn write<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E> {
        // A panic in another push leaves the connection as SQLite left it: its transaction rolled back.
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(err)?;
        let out = f(&mut SqliteTx(&tx))?;
        tx.commit().map_err(err)?;
        Ok(out)
    }

    fn read<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E> {
        let slot = self.readers.iter().find_map(|m| m.try_lock().ok());
        let mut conn = match slot {
            Some(c) => c,
            None => self.readers[0].lock().unwrap_or_else(|p| p.into_inner()),
        };
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred).map_err(err)?;
        let out = f(&mut SqliteTx(&tx))?;
        tx.commit().map_err(err)?;
        Ok(out)
    }

    fn backup(&self, to: &Path) -> Result<(), StoreError> {
        if to.exists() {
            return Err(StoreError(format!("{} exists already; a backup never overwrites a file", to.display())));
        }
        let conn = self.readers[0].lock().unwrap_or_else(|p| p.into_inner());
        conn.execute("VACUUM INTO ?1", params![to.to_string_lossy()]).map_err(err)?;
        Ok(())
    }

    fn version(&self) -> Result<i64, StoreError> {
        let conn = self.readers[0].lock().unwrap_or_else(|p| p.into_inner());
        conn.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0)).map_err(err)
    }
}

struct SqliteTx<'a>(&'a rusqlite::Transaction<'a>);

fn invite_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<InviteRow> {
    Ok(InviteRow {
        code_hash: r.get(0)?,
        team: r.get(1)?,
        officer: r.get(2)?,
        role: r.get(3)?,
        ceiling: r.get(4)?,
        created_ms: r.get(5)?,
        expires_ms: r.get(6)?,
        used_ms: r.get(7)?,
    })
}

const DEVICE_COLUMNS: &str = "device, token_hash, team, officer, label, role, ceiling, enrolled_ms, revoked_ms";

fn device_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeviceRow> {
    Ok(DeviceRow {
        device: r.get(0)?,
        token_hash: r.get(1)?,
        team: r.get(2)?,
        officer: r.get(3)?,
        label: r.get(4)?,
        role: r.get(5)?,
        ceiling: r.get(6)?,
        enrolled_ms: r.get(7)?,
        revoked_ms: r.get(8)?,
    })
}

fn record_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<RecordRow> {
    Ok(RecordRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        body: r.get(2)?,
        level: r.get(3)?,
        meeting: r.get(4)?,
        pos: r.get(5)?,
        echo: r.get(6)?,
    })
}

impl Tx for SqliteTx<'_> {
    fn lock_team(&mut self, team: &str) -> Result<Option<i64>, StoreError> {
        // The write transaction is IMMEDIATE: it holds SQLite's one write lock already.
        self.head(team)
    }

    fn head(&mut self, team: &str) -> Result<Option<i64>, StoreError> {
        let mut st = self.0.prepare_cached("SELECT head FROM teams WHERE team = ?1").map_err(err)?;
        st.query_row(params![team], |r| r.get(0)).optional().map_err(err)
    }

    fn ensure_team(&mut self, team: &str, now_ms: i64) -> Result<(), StoreError> {
        self.0
            .execute(
                "INSERT INTO teams (team, head, created_ms) VALUES (?1, 0, ?2) ON CONFLICT (team) DO NOTHING",
                params![team, now_ms],
            )
            .map_err(err)?;
        Ok(())
    }

    fn set_head(&mut self, team: &str, head: i64) -> Result<(), StoreError> {
        let mut st = self.0.prepare_cached("UPDATE teams SET head = ?2 WHERE team = ?1").map_err(err)?;
        st.execute(params![team, head]).map_err(err)?;
        Ok(())
    }

    fn insert_invite(&mut self, i: &InviteRow) -> Result<(), StoreError> {
        self.0
            .execute(
                "INSERT INTO invites (code_hash, team, officer, role, ceiling, created_ms, expires_ms, used_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![i.code_hash, i.team, i.officer, i.role, i.ceiling, i.created_ms, i.expires_ms, i.used_ms],
            )
            .map_err(err)?;
        Ok(())
    }

    fn invite(&mut self, code_hash: &str) -> Result<Option<InviteRow>, StoreError> {
        self.0
            .query_row(
                "SELECT code_hash, team, officer, role, ceiling, created_ms, expires_ms, used_ms \
                 FROM invites WHERE code_hash = ?1",
                params![code_hash],
                invite_of,
            )
            .optional()
            .map_err(err)
    }

    fn use_invite(&mut self, code_hash: &str, now_ms: i64, device: &str) -> Result<bool, StoreError> {
        let n = self
            .0
            .execute(
                "UPDATE invites SET used_ms = ?2, used_by = ?3 WHERE code_hash = ?1 AND used_ms IS NULL",
                params![code_hash, now_ms, device],
            )
            .map_err(err)?;
        Ok(n == 1)
    }

    fn device(&mut self, device: &str) -> Result<Option<DeviceRow>, StoreError> {
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE device = ?1");
        let mut st = self.0.prepare_cached(&sql).map_err(err)?;
        st.query_row(params![device], device_of).optional().map_err(err)
    }

    fn device_by_token(&mut self, token_hash: &str) -> Result<Option<DeviceRow>, StoreError> {
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE token_hash = ?1");
        let mut st = self.0.prepare_cached(&sql).map_err(err)?;
        st.query_row(params![token_hash], device_of).optional().map_err(err)
    }

    fn put_device(&mut self, d: &DeviceRow) -> Result<(), StoreError> {
        self.0
            .execute(
                "INSERT INTO devices (device, token_hash, team, officer, label, role, ceiling, enrolled_ms, revoked_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
                 ON CONFLICT (device) DO UPDATE SET token_hash = excluded.token_hash, team = excluded.team, \
                 officer = excluded.officer, label = excluded.label, role = excluded.role, \
                 ceiling = excluded.ceiling, enrolled_ms = excluded.enrolled_ms, revoked_ms = excluded.revoked_ms",
                params![
                    d.device,
                    d.token_hash,
                    d.team,
                    d.officer,
                    d.label,
                    d.role,
                    d.ceiling,
                    d.enrolled_ms,
                    d.revoked_ms
                ],
            )
            .map_err(err)?;
        Ok(())
    }

    fn devices(&mut self, team: &str) -> Result<Vec<DeviceRow>, StoreError> {
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE team = ?1 ORDER BY enrolled_ms, device");
        let mut st = self.0.prepare(&sql).map_err(err)?;
        let rows = st.query_map(params![team], device_of).map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
    }

    fn revoke(&mut self, device: &str, now_ms: i64) -> Result<bool, StoreError> {
        let n = self
            .0
            .execute(
                "UPDATE devices SET revoked_ms = ?2 WHERE device = ?1 AND revoked_ms IS NULL",
                params![device, now_ms],
            )
            .map_err(err)?;
        Ok(n == 1)
    }

    fn stream(&mut self, device: &str) -> Result<Option<(String, i64)>, StoreError> {
        let mut st = self.0.prepare_cached("SELECT team, last_seq FROM streams WHERE device = ?1").map_err(err)?;
        st.query_row(params![device], |r| Ok((r.get(0)?, r.get(1)?))).optional().map_err(err)
    }

    fn put_stream(&mut self, device: &str, team: &str, last_seq: i64) -> Result<(), StoreError> {
        let mut st = self
            .0
            .prepare_cached(
                "INSERT INTO streams (device, team, last_seq) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (device) DO UPDATE SET last_seq = excluded.last_seq",
            )
            .map_err(err)?;
        st.execute(params![device, team, last_seq]).map_err(err)?;
        Ok(())
    }

    fn push(&mut self, device: &str, seq: i64) -> Result<Option<PushRow>, StoreError> {
        let mut st = self
            .0
            .prepare_cached(
                "SELECT device, seq, team, checksum, bundle_id, pos, records, changed, via, received_ms \
                 FROM pushes WHERE device = ?1 AND seq = ?2",
            )
            .map_err(err)?;
        st.query_row(params![device, seq], |r| {
            Ok(PushRow {
                device: r.get(0)?,
                seq: r.get(1)?,
                team: r.get(2)?,
                checksum: r.get(3)?,
                bundle_id: r.get(4)?,
                pos: r.get(5)?,
                records: r.get(6)?,
                changed: r.get(7)?,
                via: r.get(8)?,
                received_ms: r.get(9)?,
            })
        })
        .optional()
        .map_err(err)
    }

    fn insert_push(&mut self, p: &PushRow) -> Result<(), StoreError> {
        let mut st = self
            .0
            .prepare_cached(
                "INSERT INTO pushes (device, seq, team, checksum, bundle_id, pos, records, changed, via, received_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .map_err(err)?;
        st.execute(params![
            p.device,
            p.seq,
            p.team,
            p.checksum,
            p.bundle_id,
            p.pos,
            p.records,
            p.changed,
            p.via,
            p.received_ms
        ])
        .map_err(err)?;
        Ok(())
    }

    fn record(&mut self, team: &str, id: &str) -> Result<Option<RecordRow>, StoreError> {
        let mut st = self
            .0
            .prepare_cached("SELECT id, kind, body, level, meeting, pos, echo FROM records WHERE team = ?1 AND id = ?2")
            .map_err(err)?;
        st.query_row(params![team, id], record_of).optional().map_err(err)
    }

    fn put_record(&mut self, team: &str, r: &RecordRow) -> Result<(), StoreError> {
        let mut st = self
            .0
            .prepare_cached(
                "INSERT INTO records (team, id, kind, body, level, meeting, pos, echo) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT (team, id) DO UPDATE SET kind = excluded.kind, body = excluded.body, \
                 level = excluded.level, meeting = excluded.meeting, pos = excluded.pos, echo = excluded.echo",
            )
            .map_err(err)?;
        st.execute(params![team, r.id, r.kind, r.body, r.level, r.meeting, r.pos, r.echo]).map_err(err)?;
        Ok(())
    }

    fn named_as_meeting(&mut self, team: &str, id: &str) -> Result<bool, StoreError> {
        let mut st = self
            .0
            .prepare_cached("SELECT 1 FROM records WHERE team = ?1 AND meeting = ?2 AND kind = 'action' LIMIT 1")
            .map_err(err)?;
        st.exists(params![team, id]).map_err(err)
    }

    fn touch_actions(&mut self, team: &str, meeting: &str, pos: i64) -> Result<u64, StoreError> {
        let mut st = self
            .0
            .prepare_cached(
                "UPDATE records SET pos = ?3, echo = NULL \
                 WHERE team = ?1 AND meeting = ?2 AND kind = 'action' AND pos < ?3",
            )
            .map_err(err)?;
        Ok(st.execute(params![team, meeting, pos]).map_err(err)? as u64)
    }

    fn feed(
        &mut self,
        team: &str,
        after: &Cursor,
        viewer: &str,
        ceiling: i64,
        limit: i64,
    ) -> Result<Vec<RecordRow>, StoreError> {
        let mut st = self.0.prepare_cached(FEED_SQL).map_err(err)?;
        let rows = st.query_map(params![team, after.pos, after.id, viewer, ceiling, limit], record_of).map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
    }

    fn put_profile(
        &mut self,
        team: &str,
        device: &str,
        label: &str,
        officer: &str,
        own: bool,
    ) -> Result<(), StoreError> {
        let sql = if own {
            "INSERT INTO profiles (team, device, label, officer) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (team, device) DO UPDATE SET label = excluded.label, officer = excluded.officer"
        } else {
            "INSERT INTO profiles (team, device, label, officer) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (team, device) DO NOTHING"
        };
        let mut st = self.0.prepare_cached(sql).map_err(err)?;
        st.execute(params![team, device, label, officer]).map_err(err)?;
        Ok(())
    }

    fn profiles(&mut self, team: &str) -> Result<Vec<(String, String, String)>, StoreError> {
        let mut st =
            self.0.prepare_cached("SELECT device, label, officer FROM profiles WHERE team = ?1").map_err(err)?;
        let rows = st.query_map(params![team], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
    }
}

/// The pull's query, in SQL that PostgreSQL reads too (with `$n` for `?n`). An action's visibility is
/// its meeting's level; with no meeting known it is the highest level, which only "all" lets through.
/// The meeting is looked up by its key for actions only: as a join, PostgreSQL read every record of the
/// team for each page to find the meetings.
pub(crate) const FEED_SQL: &str = "\
SELECT r.id, r.kind, r.body, r.level, r.meeting, r.pos, r.echo
FROM records r
WHERE r.team = ?1 AND (r.pos, r.id) > (?2, ?3)
  AND (r.echo IS NULL OR r.echo <> ?4)
  AND (CASE WHEN r.kind = 'action'
       THEN COALESCE((SELECT m.level FROM records m WHERE m.team = r.team AND m.id = r.meeting AND m.kind = 'meeting'), 4)
       ELSE r.level END) <= ?5
ORDER BY r.pos, r.id
LIMIT ?6";
