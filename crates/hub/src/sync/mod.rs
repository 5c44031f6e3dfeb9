//! The protocol, over any [`Store`]: enrolment, who a token is, push and pull, and what the
//! administrator's commands do. Every rule about bundles and records is core's: bundles are read with
//! `bundle::read_bundle` and written with `bundle::write_bundle`, records are joined with
//! `Record::merge_checked`, and markings are judged with `marking::record_within`.
//!
//! The team's merged picture is the `records` table: each push joins its records into it, and each
//! record remembers the team position of its last change. A pull is "every record changed after my
//! cursor", so a new device gets the merged snapshot (each record once, however many bundles built it)
//! and a returning one only what changed since.

use std::collections::{BTreeMap, BTreeSet};

use liaison_core::crdt::record::Record;
use liaison_core::formats::bundle::{self, Bundle, Scope};
use liaison_core::formats::wire::{decode_record, encode_record};
use liaison_core::marking::{record_within, Ceiling};
use liaison_core::{DeviceId, Field, Kind, Notebook, RecordId};
use serde::Serialize;

mod pull;

pub use pull::{hub_device, pull, Page, PageLimits};

use crate::secret;
use crate::store::{DeviceRow, InviteRow, PushRow, RecordRow, Store, StoreError, Tx};

/// The largest page a pull answers with, unless one record alone is larger.
pub const PAGE_BYTES: usize = 1024 * 1024;
/// The most records one page holds.
pub const PAGE_RECORDS: usize = 5_000;

/// What a device may do on the hub.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Pushes its own bundles and pulls the team's.
    Officer,
    /// Also relays bundles of its team's officers that it collected by hand.
    Coordinator,
}

impl Role {
    /// Reads `officer` or `coordinator`.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "officer" => Some(Role::Officer),
            "coordinator" => Some(Role::Coordinator),
            _ => None,
        }
    }

    /// The word [`Role::parse`] reads.
    pub fn name(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Coordinator => "coordinator",
        }
    }
}

/// Why the hub refused a request: an HTTP status, a stable code for programs, and a sentence for people.
/// It goes on the wire as core's [`RefusalBody`], which the app and the CLI read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: u16,
    /// A stable word: `unauthorized`, `revoked`, `forbidden`, `gap`, `shared-id`, `invalid-bundle`, …
    pub error: &'static str,
    /// What happened and what to do, in plain words.
    pub message: String,
    /// For a gap: the sequence number the hub expects next from that device.
    pub expected: Option<u64>,
    /// For a bundle the hub cannot take: every problem, one sentence each.
    pub problems: Vec<String>,
}

impl Refusal {
    /// A refusal with a status, a code and a message.
    pub fn new(status: u16, error: &'static str, message: impl Into<String>) -> Self {
        Refusal { status, error, message: message.into(), expected: None, problems: Vec::new() }
    }

    /// The body that carries it.
    pub fn body(&self) -> RefusalBody {
        RefusalBody {
            error: self.error.to_string(),
            message: self.message.clone(),
            expected: self.expected,
            problems: self.problems.clone(),
        }
    }
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "storage failed");
        Refusal::new(503, "storage", "the hub could not reach its database; nothing was changed, try again")
    }
}

fn forbidden(message: impl Into<String>) -> Refusal {
    Refusal::new(403, "forbidden", message)
}

/// A team name: 1 to 64 letters, digits, `.`, `_` or `-`, so that it is safe in a URL path as it is.
pub fn check_team(team: &str) -> Result<(), String> {
    let ok = !team.is_empty()
        && team.len() <= 64
        && team.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "“{}” is not a team name: use 1 to 64 letters, digits, dots, dashes or underscores",
            team.chars().take(80).collect::<String>()
        ))
    }
}

/// Makes an enrolment code for an officer of a team (making the team if it is new), valid until
/// `now_ms + valid_ms`. Returns the code; the hub keeps only its hash.
pub fn invite<S: Store>(
    store: &S,
    team: &str,
    officer: &str,
    role: Role,
    ceiling: Ceiling,
    valid_ms: u64,
    now_ms: u64,
) -> Result<String, Refusal> {
    check_team(team).map_err(|m| Refusal::new(400, "bad-team", m))?;
    let officer = officer.trim();
    if officer.is_empty() || officer.chars().count() > bundle::MAX_PROFILE_CHARS {
        return Err(Refusal::new(400, "bad-officer", "the officer's name must be 1 to 200 characters"));
    }
    let code = secret::new_code().map_err(|e| Refusal::new(503, "no-randomness", e.to_string()))?;
    let row = InviteRow {
        code_hash: secret::hash(&secret::normalise_code(&code)),
        team: team.to_string(),
        officer: officer.to_string(),
        role: role.name().to_string(),
        ceiling: ceiling.name().to_string(),
        created_ms: now_ms as i64,
        expires_ms: now_ms.saturating_add(valid_ms) as i64,
        used_ms: None,
    };
    store.write(|tx| {
        tx.ensure_team(team, now_ms as i64)?;
        tx.insert_invite(&row)
    })?;
    Ok(code)
}

pub use liaison_core::exchange::hub::{EnrolRequest, Enrolled, PushStatus, Pushed, RefusalBody};

/// Uses an enrolment code once: a new token for the device, bound to the invite's team, officer, role
/// and ceiling.
pub fn enrol<S: Store>(store: &S, req: &EnrolRequest, now_ms: u64) -> Result<Enrolled, Refusal> {
    let code_hash = secret::hash(&secret::normalise_code(&req.code));
    let token = secret::new_token().map_err(|e| Refusal::new(503, "no-randomness", e.to_string()))?;
    let device = match req.device {
        Some(d) => d,
        None => {
            let random: [u8; 10] =
                secret::random_bytes().map_err(|e| Refusal::new(503, "no-randomness", e.to_string()))?;
            DeviceId::new_v7(now_ms, random)
        }
    };
    let label = req.label.as_deref().map(str::trim).filter(|l| !l.is_empty()).unwrap_or("Liaison device");
    if label.chars().count() > bundle::MAX_PROFILE_CHARS {
        return Err(Refusal::new(400, "bad-label", "the device label must be at most 200 characters"));
    }
    store.write(|tx| {
        let Some(invite) = tx.invite(&code_hash)? else {
            return Err(Refusal::new(401, "unknown-code", "this enrolment code is not known to the hub; check it, or ask your coordinator for a new one"));
        };
        if invite.used_ms.is_some() {
            return Err(Refusal::new(410, "used-code", "this enrolment code was used already; each code enrols one device, so ask your coordinator for a new one"));
        }
        if invite.expires_ms <= now_ms as i64 {
            return Err(Refusal::new(410, "expired-code", "this enrolment code has expired; ask your coordinator for a new one"));
        }
        let id = device.to_string();
        if let Some(existing) = tx.device(&id)? {
            if existing.revoked_ms.is_none() {
                return Err(Refusal::new(409, "enrolled", "this device is enrolled already; a coordinator revokes it first to enrol it again"));
            }
        }
        if let Some((team, _)) = tx.stream(&id)? {
            if team != invite.team {
                return Err(forbidden("this device's bundles belong to another team on this hub"));
            }
        }
        if !tx.use_invite(&code_hash, now_ms as i64, &id)? {
            return Err(Refusal::new(410, "used-code", "this enrolment code was used already"));
        }
        let row = DeviceRow {
            device: id,
            token_hash: secret::hash(&token),
            team: invite.team.clone(),
            officer: invite.officer.clone(),
            label: label.to_string(),
            role: invite.role.clone(),
            ceiling: invite.ceiling.clone(),
            enrolled_ms: now_ms as i64,
            revoked_ms: None,
        };
        tx.put_device(&row)?;
        let next = next_sequence(tx, &row.device)?;
        Ok(Enrolled { token: Some(token.clone()), ..enrolled(&row, next) })
    })
}

fn enrolled(row: &DeviceRow, next: u64) -> Enrolled {
    Enrolled {
        token: None,
        team: row.team.clone(),
        device: row.device.clone(),
        officer: row.officer.clone(),
        label: row.label.clone(),
        role: row.role.clone(),
        max_marking: row.ceiling.clone(),
        next_sequence: next,
    }
}

fn next_sequence(tx: &mut dyn Tx, device: &str) -> Result<u64, StoreError> {
    Ok(tx.stream(device)?.map(|(_, last)| last as u64 + 1).unwrap_or(1))
}

/// The device a bearer token belongs to: 401 without a known token, 401 once it is revoked.
pub fn authenticate<S: Store>(store: &S, token: Option<&str>) -> Result<DeviceRow, Refusal> {
    let unauthorized = || {
        Refusal::new(
            401,
            "unauthorized",
            "this request needs a device token (Authorization: Bearer …); enrol the device first",
        )
    };
    let token = token.ok_or_else(unauthorized)?;
    let hash = secret::hash(token);
    let row = store.read(|tx| tx.device_by_token(&hash))?.ok_or_else(unauthorized)?;
    // The lookup went by hash; comparing again in constant time costs nothing and leaves no doubt.
    if !secret::same_hash(&row.token_hash, &hash) {
        return Err(unauthorized());
    }
    if row.revoked_ms.is_some() {
        return Err(Refusal::new(
            401,
            "revoked",
            "this device was revoked by a coordinator; ask for a new enrolment code",
        ));
    }
    Ok(row)
}

/// `GET /v1/me`: who the token is, and the next sequence the hub expects from it.
pub fn me<S: Store>(store: &S, who: &DeviceRow) -> Result<Enrolled, Refusal> {
    let next = store.read(|tx| next_sequence(tx, &who.device))?;
    Ok(enrolled(who, next))
}

/// The lowest ceiling that lets a record through (an index into `Ceiling::EVERY`); an action's own is
/// the highest, since its meeting decides and the feed looks that up.
fn level_of(empty: &Notebook, record: &Record) -> i64 {
    Ceiling::EVERY.iter().position(|c| record_within(empty, record, *c)).unwrap_or(Ceiling::EVERY.len() - 1) as i64
}

fn kind_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Contact => "contact",
        Kind::Meeting => "meeting",
        Kind::Action => "action",
    }
}

/// `POST /v1/teams/TEAM/push`: one device's bundle, applied in one transaction or not at all.
///
/// The bundle is read by core's reader first (422 with every problem if it is not valid). Then, for the
/// bundle's device and sequence: the same bundle again is a repeat (200, nothing applied); another
/// bundle at a sequence already taken is 409 `shared-id`; a changes bundle past the next sequence is
/// 409 `gap` with the expected one. A bundle of everything may skip ahead, since it holds what the
/// skipped ones held. Each record is joined into the team's picture with core's checked merge.
pub fn push<S: Store>(store: &S, who: &DeviceRow, team: &str, bytes: &[u8], now_ms: u64) -> Result<Pushed, Refusal> {
    if who.team != team {
        return Err(forbidden("this device belongs to another team; it may push only to its own"));
    }
    let b = bundle::read_bundle(bytes, now_ms).map_err(|problems| Refusal {
        problems: problems
            .iter()
            .map(|p| match &p.record {
                Some(r) => format!("record {r}: {}", p.message),
                None => p.message.clone(),
            })
            .collect(),
        ..Refusal::new(422, "invalid-bundle", "the hub cannot take this bundle; nothing of it was applied")
    })?;
    let device = b.device.id.to_string();
    if device != who.device && Role::parse(&who.role) != Some(Role::Coordinator) {
        return Err(forbidden(format!(
            "this bundle was exported by device {device}, not by this one; only a coordinator relays other devices' bundles"
        )));
    }
    // Parsing and encoding are the costly part: done before the write lock is taken.
    let incoming: Vec<(Record, String)> = b.records.iter().map(|r| (r.clone(), encode_record(r))).collect();
    let outcome = store.write(|tx| apply(tx, who, team, &b, &incoming, now_ms))?;
    Ok(outcome)
}

fn apply(
    tx: &mut dyn Tx,
    who: &DeviceRow,
    team: &str,
    b: &Bundle,
    incoming: &[(Record, String)],
    now_ms: u64,
) -> Result<Pushed, Refusal> {
    let device = b.device.id.to_string();
    let head = tx.lock_team(team)?.ok_or_else(|| forbidden("there is no such team on this hub"))?;
    if device != who.device {
        if let Some(other) = tx.device(&device)? {
            if other.team != team {
                return Err(forbidden("this bundle's device is enrolled in another team; a coordinator relays only its own team's bundles"));
            }
        }
    }
    let stream = tx.stream(&device)?;
    if let Some((owner, _)) = &stream {
        if owner != team {
            return Err(forbidden("this bundle's device belongs to another team on this hub"));
        }
    }
    let last = stream.map(|(_, last)| last).unwrap_or(0);
    let seq = b.sequence as i64;
    if let Some(done) = tx.push(&device, seq)? {
        if done.checksum == b.checksum {
            return Ok(Pushed {
                status: PushStatus::Repeat,
                device,
                sequence: b.sequence,
                next_sequence: last as u64 + 1,
                records: done.records as u64,
                changed: done.changed as u64,
                position: done.pos as u64,
            });
        }
        return Err(Refusal::new(409, "shared-id", format!(
            "two devices share this id: the hub already has another bundle from device {device} with sequence {seq} (a copied browser profile or a restored backup?); nothing was applied"
        )));
    }
    if seq > last + 1 && b.scope == Scope::Changes {
        return Err(Refusal {
            expected: Some(last as u64 + 1),
            ..Refusal::new(409, "gap", format!(
                "the hub expects sequence {} from this device next, not {seq}: send the bundles from {} on, or one bundle of everything",
                last + 1,
                last + 1
            ))
        });
    }
    let pos = head + 1;
    let empty = Notebook::new(DeviceId::from_hash(b"liaison hub"));
    let mut changed = 0i64;
    let in_bundle: BTreeMap<RecordId, Kind> = incoming.iter().map(|(r, _)| (r.id, r.kind)).collect();
    // Everything the push needs from the database, in three reads: the records it joins, the kinds of
    // the hub's records it links to, and which of its new records an action names as its meeting.
    let ids: Vec<String> = incoming.iter().map(|(r, _)| r.id.to_string()).collect();
    let mut stored: BTreeMap<String, RecordRow> =
        tx.records(team, &ids)?.into_iter().map(|r| (r.id.clone(), r)).collect();
    let targets: BTreeSet<String> = incoming
        .iter()
        .flat_map(|(r, _)| bundle::links_of(r))
        .filter(|(_, t)| !in_bundle.contains_key(t))
        .map(|(_, t)| t.to_string())
        .collect();
    let targets: Vec<String> = targets.into_iter().collect();
    let target_kinds: BTreeMap<String, String> =
        tx.records(team, &targets)?.into_iter().map(|r| (r.id, r.kind)).collect();
    let fresh: Vec<String> = incoming
        .iter()
        .filter(|(r, _)| r.kind != Kind::Meeting)
        .map(|(r, _)| r.id.to_string())
        .filter(|id| !stored.contains_key(id))
        .collect();
    let named = tx.named_as_meetings(team, &fresh)?;
    let mut rows = Vec::with_capacity(incoming.len());
    for (rec, body) in incoming {
        let id = rec.id.to_string();
        check_links(rec, &in_bundle, &target_kinds)?;
        if named.contains(&id) {
            return Err(invalid(
                &id,
                format!("it is {}, but an action of the team names it as its meeting", rec.kind.with_article()),
            ));
        }
        let (merged, merged_body, old_level) = match stored.remove(&id) {
            None => (rec.clone(), body.clone(), None),
            Some(row) => {
                let mut current = decode_record(&row.body)
                    .map_err(|e| StoreError(format!("record {id} in the database cannot be read: {e}")))?;
                if current.kind != rec.kind {
                    return Err(invalid(
                        &id,
                        format!(
                            "it is {} here but {} on the hub",
                            rec.kind.with_article(),
                            current.kind.with_article()
                        ),
                    ));
                }
                let before = current.clone();
                current.merge_checked(rec).map_err(|e| invalid(&id, e.to_string()))?;
                if current == before {
                    continue;
                }
                let body = if current == *rec { body.clone() } else { encode_record(&current) };
                (current, body, Some(row.level))
            }
        };
        let level = level_of(&empty, &merged);
        let meeting = (merged.kind == Kind::Action)
            .then(|| merged.text(Field::Meeting.key()).parse::<RecordId>().ok().map(|m| m.to_string()))
            .flatten();
        let echo = (merged == *rec).then(|| device.clone());
        if merged.kind == Kind::Meeting && old_level != Some(level) {
            tx.touch_actions(team, &id, pos)?;
        }
        rows.push(RecordRow { id, kind: kind_word(merged.kind).into(), body: merged_body, level, meeting, pos, echo });
        changed += 1;
    }
    tx.put_records(team, &rows)?;
    tx.put_profile(team, &device, &b.device.label, &b.device.officer, true)?;
    for d in &b.devices {
        tx.put_profile(team, &d.id.to_string(), &d.label, &d.officer, d.id == b.device.id)?;
    }
    tx.insert_push(&PushRow {
        device: device.clone(),
        seq,
        team: team.to_string(),
        checksum: b.checksum.clone(),
        bundle_id: b.id.to_string(),
        pos,
        records: incoming.len() as i64,
        changed,
        via: who.device.clone(),
        received_ms: now_ms as i64,
    })?;
    let last = last.max(seq);
    tx.put_stream(&device, team, last)?;
    tx.set_head(team, pos)?;
    Ok(Pushed {
        status: PushStatus::Applied,
        device,
        sequence: b.sequence,
        next_sequence: last as u64 + 1,
        records: incoming.len() as u64,
        changed: changed as u64,
        position: pos as u64,
    })
}

/// A link to a record the team holds must point at the kind its field names, or pulled pages would hold
/// links the reader refuses. (Links within the bundle were checked by the reader.)
fn check_links(
    rec: &Record,
    in_bundle: &BTreeMap<RecordId, Kind>,
    hub_kinds: &BTreeMap<String, String>,
) -> Result<(), Refusal> {
    for (field, target) in bundle::links_of(rec) {
        if in_bundle.contains_key(&target) {
            continue;
        }
        let Some(expected) = bundle::link_target(rec.kind, field) else { continue };
        if let Some(kind) = hub_kinds.get(&target.to_string()) {
            if kind != kind_word(expected) {
                return Err(invalid(
                    &rec.id.to_string(),
                    format!(
                        "{} points at {target}, which is a {kind} on the hub, not {}",
                        field.key(),
                        expected.with_article()
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn invalid(id: &str, why: String) -> Refusal {
    Refusal {
        problems: vec![format!("record {id}: {why}")],
        ..Refusal::new(
            422,
            "invalid-bundle",
            "the hub cannot join this bundle with the team's records; nothing of it was applied",
        )
    }
}

/// `liaison hub devices`: a team's devices, enrolled first first.
pub fn devices<S: Store>(store: &S, team: &str) -> Result<Vec<DeviceRow>, Refusal> {
    Ok(store.read(|tx| tx.devices(team))?)
}

/// `liaison hub revoke`: whether the device was enrolled and is now revoked. Its token stops working at
/// the next request, since every request looks it up.
pub fn revoke<S: Store>(store: &S, device: &str, now_ms: u64) -> Result<bool, Refusal> {
    Ok(store.write(|tx| tx.revoke(device, now_ms as i64))?)
}
