//! PostgreSQL, for a hub that outgrows one machine: several hub processes share one database and keep
//! no state of their own. The schema is the same migrations as SQLite's. Pushes to one team are applied
//! one at a time by locking the team's row (`FOR UPDATE`), so positions commit in order; pulls read one
//! snapshot (`REPEATABLE READ`).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use postgres::{Client, IsolationLevel, NoTls, Row};

use super::{Cursor, DeviceRow, InviteRow, PushRow, RecordRow, Store, StoreError, Tx};
use crate::schema::{MIGRATIONS, MIGRATIONS_TABLE};

const CONNECTIONS: usize = 4;
/// Taken while migrating, so that hub processes starting together migrate once.
const MIGRATION_LOCK: i64 = 0x006c_6961_6973_6f6e;

fn err(e: postgres::Error) -> StoreError {
    StoreError(e.to_string())
}

/// A hub database in PostgreSQL.
pub struct PostgresStore {
    url: String,
    pool: Vec<Mutex<Client>>,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`) and brings its schema up to
    /// date.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let mut first = connect(url)?;
        migrate(&mut first)?;
        let mut pool = vec![Mutex::new(first)];
        for _ in 1..CONNECTIONS {
            pool.push(Mutex::new(connect(url)?));
        }
        Ok(PostgresStore { url: url.to_string(), pool })
    }

    /// A free connection (or the first one, waiting), reconnected if the server closed it.
    fn client(&self) -> Result<MutexGuard<'_, Client>, StoreError> {
        let mut guard = match self.pool.iter().find_map(|m| m.try_lock().ok()) {
            Some(g) => g,
            None => self.pool[0].lock().unwrap_or_else(|p| p.into_inner()),
        };
        if guard.is_closed() {
            *guard = connect(&self.url)?;
        }
        Ok(guard)
    }
}

/// A connection for the hub's short statements. Without JIT: a page of a first sync is planned as
/// expensive enough for PostgreSQL to compile it to machine code first, which took far longer than
/// running it (about 90 ms a page with JIT, 3 ms without, on a team of 100,000 records).
fn connect(url: &str) -> Result<Client, StoreError> {
    let mut client = Client::connect(url, NoTls).map_err(err)?;
    client.batch_execute("SET jit = off").map_err(err)?;
    Ok(client)
}

fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let mut tx = client.transaction().map_err(err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).map_err(err)?;
    tx.batch_execute(MIGRATIONS_TABLE).map_err(err)?;
    let current: i64 =
        tx.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &[]).map_err(err)?.get(0);
    let newest = crate::schema::latest();
    if current > newest {
        return Err(StoreError(format!(
            "the database is at schema version {current}, newer than this hub ({newest}); use a newer liaison"
        )));
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        tx.batch_execute(m.sql).map_err(err)?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        tx.execute("INSERT INTO schema_migrations (version, applied_ms) VALUES ($1, $2)", &[&m.version, &now])
            .map_err(err)?;
    }
    tx.commit().map_err(err)
}

impl Store for PostgresStore {
    fn write<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E> {
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(err)?;
        let out = f(&mut PgTx(&mut tx))?;
        tx.commit().map_err(err)?;
        Ok(out)
    }

    fn read<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, E>) -> Result<T, E> {
        let mut client = self.client()?;
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(err)?;
        let out = f(&mut PgTx(&mut tx))?;
        tx.commit().map_err(err)?;
        Ok(out)
    }

    fn backup(&self, _to: &Path) -> Result<(), StoreError> {
        Err(StoreError("a PostgreSQL hub is backed up with pg_dump (see docs/hub-api.md)".into()))
    }

    fn version(&self) -> Result<i64, StoreError> {
        let mut client = self.client()?;
        Ok(client.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &[]).map_err(err)?.get(0))
    }
}

struct PgTx<'a, 'b>(&'a mut postgres::Transaction<'b>);

fn get<T: for<'r> postgres::types::FromSql<'r>>(r: &Row, i: usize) -> Result<T, StoreError> {
    r.try_get(i).map_err(err)
}

fn invite_of(r: &Row) -> Result<InviteRow, StoreError> {
    Ok(InviteRow {
        code_hash: get(r, 0)?,
        team: get(r, 1)?,
        officer: get(r, 2)?,
        role: get(r, 3)?,
        ceiling: get(r, 4)?,
        created_ms: get(r, 5)?,
        expires_ms: get(r, 6)?,
        used_ms: get(r, 7)?,
    })
}

const DEVICE_COLUMNS: &str = "device, token_hash, team, officer, label, role, ceiling, enrolled_ms, revoked_ms";

fn device_of(r: &Row) -> Result<DeviceRow, StoreError> {
    Ok(DeviceRow {
        device: get(r, 0)?,
        token_hash: get(r, 1)?,
        team: get(r, 2)?,
        officer: get(r, 3)?,
        label: get(r, 4)?,
        role: get(r, 5)?,
        ceiling: get(r, 6)?,
        enrolled_ms: get(r, 7)?,
        revoked_ms: get(r, 8)?,
    })
}

fn record_of(r: &Row) -> Result<RecordRow, StoreError> {
    Ok(RecordRow {
        id: get(r, 0)?,
        kind: get(r, 1)?,
        body: get(r, 2)?,
        level: get(r, 3)?,
        meeting: get(r, 4)?,
        pos: get(r, 5)?,
        echo: get(r, 6)?,
    })
}

impl Tx for PgTx<'_, '_> {
    fn lock_team(&mut self, team: &str) -> Result<Option<i64>, StoreError> {
        let row = self.0.query_opt("SELECT head FROM teams WHERE team = $1 FOR UPDATE", &[&team]).map_err(err)?;
        row.map(|r| get(&r, 0)).transpose()
    }

    fn head(&mut self, team: &str) -> Result<Option<i64>, StoreError> {
        let row = self.0.query_opt("SELECT head FROM teams WHERE team = $1", &[&team]).map_err(err)?;
        row.map(|r| get(&r, 0)).transpose()
    }

    fn ensure_team(&mut self, team: &str, now_ms: i64) -> Result<(), StoreError> {
        self.0
            .execute(
                "INSERT INTO teams (team, head, created_ms) VALUES ($1, 0, $2) ON CONFLICT (team) DO NOTHING",
                &[&team, &now_ms],
            )
            .map_err(err)?;
        Ok(())
    }

    fn set_head(&mut self, team: &str, head: i64) -> Result<(), StoreError> {
        self.0.execute("UPDATE teams SET head = $2 WHERE team = $1", &[&team, &head]).map_err(err)?;
        Ok(())
    }

    fn insert_invite(&mut self, i: &InviteRow) -> Result<(), StoreError> {
        self.0
            .execute(
                "INSERT INTO invites (code_hash, team, officer, role, ceiling, created_ms, expires_ms, used_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[&i.code_hash, &i.team, &i.officer, &i.role, &i.ceiling, &i.created_ms, &i.expires_ms, &i.used_ms],
            )
            .map_err(err)?;
        Ok(())
    }

    fn invite(&mut self, code_hash: &str) -> Result<Option<InviteRow>, StoreError> {
        let row = self
            .0
            .query_opt(
                "SELECT code_hash, team, officer, role, ceiling, created_ms, expires_ms, used_ms \
                 FROM invites WHERE code_hash = $1",
                &[&code_hash],
            )
            .map_err(err)?;
        row.map(|r| invite_of(&r)).transpose()
    }

    fn use_invite(&mut self, code_hash: &str, now_ms: i64, device: &str) -> Result<bool, StoreError> {
        let n = self
            .0
            .execute(
                "UPDATE invites SET used_ms = $2, used_by = $3 WHERE code_hash = $1 AND used_ms IS NULL",
                &[&code_hash, &now_ms, &device],
            )
            .map_err(err)?;
        Ok(n == 1)
    }

    fn device(&mut self, device: &str) -> Result<Option<DeviceRow>, StoreError> {
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE device = $1");
        let row = self.0.query_opt(sql.as_str(), &[&device]).map_err(err)?;
        row.map(|r| device_of(&r)).transpose()
    }

    fn device_by_token(&mut self, token_hash: &str) -> Result<Option<DeviceRow>, StoreError> {
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE token_hash = $1");
        let row = self.0.query_opt(sql.as_str(), &[&token_hash]).map_err(err)?;
        row.map(|r| device_of(&r)).transpose()
    }

    fn put_device(&mut self, d: &DeviceRow) -> Result<(), StoreError> {
        self.0
            .execute(
                "INSERT INTO devices (device, token_hash, team, officer, label, role, ceiling, enrolled_ms, revoked_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (device) DO UPDATE SET token_hash = excluded.token_hash, team = excluded.team, \
                 officer = excluded.officer, label = excluded.label, role = excluded.role, \
                 ceiling = excluded.ceiling, enrolled_ms = excluded.enrolled_ms, revoked_ms = excluded.revoked_ms",
                &[
                    &d.device,
                    &d.token_hash,
                    &d.team,
                    &d.officer,
                    &d.label,
                    &d.role,
                    &d.ceiling,
                    &d.enrolled_ms,
                    &d.revoked_ms,
                ],
            )
            .map_err(err)?;
        Ok(())
    }

    fn devices(&mut self, team: &str) -> Result<Vec<DeviceRow>, StoreError> {
        let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE team = $1 ORDER BY enrolled_ms, device");
        let rows = self.0.query(sql.as_str(), &[&team]).map_err(err)?;
        rows.iter().map(device_of).collect()
    }

    fn revoke(&mut self, device: &str, now_ms: i64) -> Result<bool, StoreError> {
        let n = self
            .0
            .execute("UPDATE devices SET revoked_ms = $2 WHERE device = $1 AND revoked_ms IS NULL", &[&device, &now_ms])
            .map_err(err)?;
        Ok(n == 1)
    }

    fn stream(&mut self, device: &str) -> Result<Option<(String, i64)>, StoreError> {
        let row = self.0.query_opt("SELECT team, last_seq FROM streams WHERE device = $1", &[&device]).map_err(err)?;
        row.map(|r| Ok((get(&r, 0)?, get(&r, 1)?))).transpose()
    }

    fn put_stream(&mut self, device: &str, team: &str, last_seq: i64) -> Result<(), StoreError> {
        self.0
            .execute(
                "INSERT INTO streams (device, team, last_seq) VALUES ($1, $2, $3) \
                 ON CONFLICT (device) DO UPDATE SET last_seq = excluded.last_seq",
                &[&device, &team, &last_seq],
            )
            .map_err(err)?;
        Ok(())
    }

    fn push(&mut self, device: &str, seq: i64) -> Result<Option<PushRow>, StoreError> {
        let row = self
            .0
            .query_opt(
                "SELECT device, seq, team, checksum, bundle_id, pos, records, changed, via, received_ms \
                 FROM pushes WHERE device = $1 AND seq = $2",
                &[&device, &seq],
            )
            .map_err(err)?;
        row.map(|r| {
            Ok(PushRow {
                device: get(&r, 0)?,
                seq: get(&r, 1)?,
                team: get(&r, 2)?,
                checksum: get(&r, 3)?,
                bundle_id: get(&r, 4)?,
                pos: get(&r, 5)?,
                records: get(&r, 6)?,
                changed: get(&r, 7)?,
                via: get(&r, 8)?,
                received_ms: get(&r, 9)?,
            })
        })
        .transpose()
    }

    fn insert_push(&mut self, p: &PushRow) -> Result<(), StoreError> {
        self.0
            .execute(
                "INSERT INTO pushes (device, seq, team, checksum, bundle_id, pos, records, changed, via, received_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[
                    &p.device,
                    &p.seq,
                    &p.team,
                    &p.checksum,
                    &p.bundle_id,
                    &p.pos,
                    &p.records,
                    &p.changed,
                    &p.via,
                    &p.received_ms,
                ],
            )
            .map_err(err)?;
        Ok(())
    }

    fn record(&mut self, team: &str, id: &str) -> Result<Option<RecordRow>, StoreError> {
        let row = self
            .0
            .query_opt(
                "SELECT id, kind, body, level, meeting, pos, echo FROM records WHERE team = $1 AND id = $2",
                &[&team, &id],
            )
            .map_err(err)?;
        row.map(|r| record_of(&r)).transpose()
    }

    fn put_record(&mut self, team: &str, r: &RecordRow) -> Result<(), StoreError> {
        self.0
            .execute(
                "INSERT INTO records (team, id, kind, body, level, meeting, pos, echo) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (team, id) DO UPDATE SET kind = excluded.kind, body = excluded.body, \
                 level = excluded.level, meeting = excluded.meeting, pos = excluded.pos, echo = excluded.echo",
                &[&team, &r.id, &r.kind, &r.body, &r.level, &r.meeting, &r.pos, &r.echo],
            )
            .map_err(err)?;
        Ok(())
    }

    fn named_as_meeting(&mut self, team: &str, id: &str) -> Result<bool, StoreError> {
        let row = self
            .0
            .query_opt(
                "SELECT 1 FROM records WHERE team = $1 AND meeting = $2 AND kind = 'action' LIMIT 1",
                &[&team, &id],
            )
            .map_err(err)?;
        Ok(row.is_some())
    }

    fn named_as_meetings(&mut self, team: &str, ids: &[String]) -> Result<BTreeSet<String>, StoreError> {
        if ids.is_empty() {
            return Ok(BTreeSet::new());
        }
        let rows = self
            .0
            .query(
                "SELECT DISTINCT meeting FROM records WHERE team = $1 AND kind = 'action' AND meeting = ANY($2)",
                &[&team, &ids],
            )
            .map_err(err)?;
        rows.iter().map(|r| get(r, 0)).collect()
    }

    fn records(&mut self, team: &str, ids: &[String]) -> Result<Vec<RecordRow>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self
            .0
            .query(
                "SELECT id, kind, body, level, meeting, pos, echo FROM records WHERE team = $1 AND id = ANY($2)",
                &[&team, &ids],
            )
            .map_err(err)?;
        rows.iter().map(record_of).collect()
    }

    fn put_records(&mut self, team: &str, rows: &[RecordRow]) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
        let bodies: Vec<&str> = rows.iter().map(|r| r.body.as_str()).collect();
        let levels: Vec<i64> = rows.iter().map(|r| r.level).collect();
        let meetings: Vec<Option<&str>> = rows.iter().map(|r| r.meeting.as_deref()).collect();
        let positions: Vec<i64> = rows.iter().map(|r| r.pos).collect();
        let echoes: Vec<Option<&str>> = rows.iter().map(|r| r.echo.as_deref()).collect();
        self.0
            .execute(
                "INSERT INTO records (team, id, kind, body, level, meeting, pos, echo) \
                 SELECT $1::text, * FROM UNNEST($2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[], $8::text[]) \
                 ON CONFLICT (team, id) DO UPDATE SET kind = excluded.kind, body = excluded.body, \
                 level = excluded.level, meeting = excluded.meeting, pos = excluded.pos, echo = excluded.echo",
                &[&team, &ids, &kinds, &bodies, &levels, &meetings, &positions, &echoes],
            )
            .map_err(err)?;
        Ok(())
    }

    fn touch_actions(&mut self, team: &str, meeting: &str, pos: i64) -> Result<u64, StoreError> {
        self.0
            .execute(
                "UPDATE records SET pos = $3, echo = NULL \
                 WHERE team = $1 AND meeting = $2 AND kind = 'action' AND pos < $3",
                &[&team, &meeting, &pos],
            )
            .map_err(err)
    }

    fn feed(
        &mut self,
        team: &str,
        after: &Cursor,
        viewer: &str,
        ceiling: i64,
        limit: i64,
    ) -> Result<Vec<RecordRow>, StoreError> {
        let sql = super::sqlite::FEED_SQL.replace('?', "$");
        let rows =
            self.0.query(sql.as_str(), &[&team, &after.pos, &after.id, &viewer, &ceiling, &limit]).map_err(err)?;
        rows.iter().map(record_of).collect()
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
            "INSERT INTO profiles (team, device, label, officer) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (team, device) DO UPDATE SET label = excluded.label, officer = excluded.officer"
        } else {
            "INSERT INTO profiles (team, device, label, officer) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (team, device) DO NOTHING"
        };
        self.0.execute(sql, &[&team, &device, &label, &officer]).map_err(err)?;
        Ok(())
    }

    fn profiles(&mut self, team: &str) -> Result<Vec<(String, String, String)>, StoreError> {
        let rows =
            self.0.query("SELECT device, label, officer FROM profiles WHERE team = $1", &[&team]).map_err(err)?;
        rows.iter().map(|r| Ok((get(r, 0)?, get(r, 1)?, get(r, 2)?))).collect()
    }
}
