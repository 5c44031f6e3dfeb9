//! Export and import of bundles, as the app and the CLI run them.
//!
//! Import is planned before anything changes: every file is read and validated, and its records are
//! merged into an overlay of the touched records. The preview counts come from that overlay, and applying
//! the plan swaps the overlay in at once, so an import is all or nothing. The previous versions of the
//! touched records are kept for "undo the last import".

pub mod hub;
pub mod pipeline;
mod plan;
pub mod summary;

pub use plan::{plan, FileVerdict, Plan, Planner, Preview};

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::crdt::clock::Tick;
use crate::crdt::id::{DeviceId, RecordId};
use crate::crdt::record::{MergeError, Record};
use crate::crdt::vv::VersionVector;
use crate::date::Date;
use crate::formats::bundle::{self, write_bundle_marked, BundleMarking, ExportInput, Problem, Scope};
use crate::formats::wire::DeviceV1;
use crate::formats::wire::UniqueMap;
use crate::marking::{highest_marking_of, record_within, Ceiling};
use crate::notebook::Notebook;

/// What this device remembers about its own exports.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportState {
    /// The sequence number of the last export (0: none yet).
    pub sequence: u64,
    /// When the last export was made.
    pub last_ms: Option<u64>,
    /// The newest edit of each of this device's replicas (tabs) at the last export: a "changes" export
    /// carries what they edited after it.
    #[serde(default)]
    pub last_seen: UniqueMap<DeviceId, (u64, u32)>,
    /// Whether the last export held everything or changes.
    pub last_scope: Option<Scope>,
    /// Records this device changed that an export left out by its marking limit. They never left the
    /// device, although `last_seen` has moved past their edits, so every later export considers them
    /// again until one carries them (see ARCHITECTURE.md, "Bundles and import").
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub held_back: BTreeSet<RecordId>,
}

impl ExportState {
    /// Joins two tabs' copies of the export state, so that neither tab's export is forgotten.
    ///
    /// The copy with the higher sequence wins whole: its export was made after the other's (a tab
    /// hears of another tab's export before it makes its own), so its `last_seen` and `held_back`
    /// already account for the older one, and joining in the older `held_back` would count records
    /// that export has since carried as waiting again. Two copies with one sequence are two exports made
    /// at once from the same previous one (two tabs, before either heard of the other). Each replica's
    /// edits up to the newer of the two `last_seen` ticks went into one of the two bundles or into its
    /// `held_back`, so `last_seen` takes the newer tick per replica and `held_back` the union: a record
    /// is sent again at worst, never left behind. `last_ms` is the later, and `last_scope` that of the
    /// later export ("everything" when both were made in the same millisecond). The join is
    /// commutative, associative and idempotent, so tabs agree whichever copy they hear first.
    pub fn merge(&self, other: &ExportState) -> ExportState {
        use std::cmp::Ordering;
        match self.sequence.cmp(&other.sequence) {
            Ordering::Greater => return self.clone(),
            Ordering::Less => return other.clone(),
            Ordering::Equal if self == other => return self.clone(),
            Ordering::Equal => {}
        }
        let mut last_seen = self.last_seen.0.clone();
        for (d, t) in &other.last_seen.0 {
            let e = last_seen.entry(*d).or_insert(*t);
            *e = (*e).max(*t);
        }
        let rank = |s: &ExportState| (s.last_ms, matches!(s.last_scope, Some(Scope::All)), s.last_scope.is_some());
        let later = if rank(other) > rank(self) { other } else { self };
        ExportState {
            sequence: self.sequence,
            last_ms: self.last_ms.max(other.last_ms),
            last_seen: UniqueMap(last_seen),
            last_scope: later.last_scope,
            held_back: self.held_back.union(&other.held_back).copied().collect(),
        }
    }
}

/// A finished export: the file to offer for download.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    /// The file name: device label, date, sequence and scope.
    pub file_name: String,
    /// The bundle's JSON text.
    pub text: String,
    /// How many records it carries.
    pub records: usize,
    /// How many records the export would have carried but for the marking limit.
    pub left_out: usize,
    /// The marking limit it was made with.
    pub ceiling: Ceiling,
    /// The highest marking of what it carries, as its header and file name say; empty when unmarked.
    pub marking: String,
}

impl Export {
    /// What the marking limit left out, as a sentence for the officer ("2 records above RESTRICTED
    /// were left out and stay waiting for an export that allows them."), or `None` when nothing was.
    pub fn left_out_message(&self) -> Option<String> {
        let n = self.left_out;
        let what = match self.ceiling {
            Ceiling::Open => "above UNCLASSIFIED",
            Ceiling::Restricted => "above RESTRICTED",
            Ceiling::Confidential => "above CONFIDENTIAL",
            Ceiling::Secret => "with a marking Liaison cannot grade",
            Ceiling::All => return None,
        };
        (n > 0).then(|| {
            let (s, was, stay, them) = if n == 1 { ("", "was", "stays", "it") } else { ("s", "were", "stay", "them") };
            format!("{n} record{s} {what} {was} left out and {stay} waiting for an export that allows {them}.")
        })
    }
}

/// What an export needs besides the notebook.
pub struct ExportRequest<'a> {
    /// The exporting device's profile, as the bundle carries it.
    pub device: &'a DeviceV1,
    /// The ids this device's tabs stamp their edits with.
    pub replicas: &'a BTreeSet<DeviceId>,
    /// Everything, or changes.
    pub scope: Scope,
    /// A fresh id for the bundle.
    pub bundle_id: Uuid,
    /// Now, to stamp the bundle.
    pub now_ms: u64,
    /// Today, to name the file.
    pub today: Date,
    /// Records marked above this are left out.
    pub ceiling: Ceiling,
}

impl ExportState {
    /// The version vector a "changes" export is measured from.
    pub fn since(&self) -> VersionVector {
        self.last_seen.0.iter().map(|(d, (w, c))| (*d, Tick { wall_ms: *w, counter: *c })).collect()
    }

    /// What has not left this device yet, in id order: the records its replicas edited after the last
    /// export, and those an earlier export held back by its marking limit. A "changes" export carries
    /// these, as far as its marking limit allows.
    pub fn pending<'a>(&self, nb: &'a Notebook, replicas: &BTreeSet<DeviceId>) -> Vec<&'a Record> {
        let mut out = nb.changed_here_since(replicas, &self.since());
        let changed: BTreeSet<RecordId> = out.iter().map(|r| r.id).collect();
        // A held-back id the notebook no longer holds (an undone import) has nothing left to send.
        out.extend(self.held_back.iter().filter(|id| !changed.contains(id)).filter_map(|id| nb.record(*id)));
        out.sort_by_key(|r| r.id);
        out
    }
}

/// Makes a bundle of everything, or of what has not left this device yet (see
/// [`ExportState::pending`]), and advances the export state. Records above the marking limit are left
/// out; those that had not left the device stay pending for a later export whose limit allows them,
/// whatever the scope of this one. A bundle too large for a reader to take is refused, with its
/// reasons, and the export state stays as it was.
pub fn export(nb: &Notebook, state: &mut ExportState, req: ExportRequest<'_>) -> Result<Export, Vec<Problem>> {
    let ExportRequest { device, replicas, scope, bundle_id, now_ms, today, ceiling } = req;
    let pending = state.pending(nb, replicas);
    let mut records: Vec<&Record> = match scope {
        Scope::All => nb.records().collect(),
        Scope::Changes => pending.clone(),
    };
    let before = records.len();
    records.retain(|r| record_within(nb, r, ceiling));
    let count = records.len();
    let held_back = pending.iter().filter(|r| !record_within(nb, r, ceiling)).map(|r| r.id).collect();
    let mut devices: Vec<DeviceV1> = nb.devices().values().cloned().map(DeviceV1::from).collect();
    devices.push(device.clone());
    let sequence = state.sequence + 1;
    let highest = highest_marking_of(records.iter().copied());
    let left_out = before - count;
    // Unmarked, unlimited bundles keep the header older readers know.
    let marking = (!highest.is_empty() || ceiling != Ceiling::All).then(|| BundleMarking {
        highest: highest.clone(),
        ceiling: (ceiling != Ceiling::All).then(|| ceiling.name().to_string()),
        left_out: left_out as u64,
    });
    let text = write_bundle_marked(
        ExportInput { bundle_id, created_ms: now_ms, device, sequence, scope, devices, records },
        marking,
    )?;
    let newest = nb.newest_of(replicas);
    *state = ExportState {
        sequence,
        last_ms: Some(now_ms),
        last_seen: UniqueMap(newest.iter().map(|(d, t)| (*d, (t.wall_ms, t.counter))).collect()),
        last_scope: Some(scope),
        held_back,
    };
    Ok(Export {
        file_name: bundle::file_name_marked(&device.label, &today, sequence, scope, &highest),
        text,
        records: count,
        left_out,
        ceiling,
        marking: highest,
    })
}

/// One imported bundle, as remembered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    /// The bundle's id.
    pub bundle_id: Uuid,
    /// The device that exported it.
    pub device: DeviceId,
    /// Its sequence number on that device.
    pub sequence: u64,
    /// Everything, or changes.
    pub scope: Scope,
    /// When it was exported.
    pub created_ms: u64,
    /// When it was imported here.
    pub imported_ms: u64,
    /// How many records it carried.
    pub records: usize,
    /// Its checksum: a bundle id seen again with another checksum is a different bundle.
    #[serde(default)]
    pub checksum: String,
    /// It was limited by a marking ceiling, so a bundle of everything that is partial does not close
    /// the gaps before it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}

/// Every bundle imported on this device.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ImportLog {
    /// In import order.
    pub entries: Vec<LogEntry>,
}

impl ImportLog {
    /// Joins this tab's import log with another copy (storage, written by another tab), given the
    /// copy both started from (`base`: what this tab last saw stored). A bundle stays in the log when
    /// both copies hold it, or when one copy added it since `base`; one that `base` held and a copy no
    /// longer holds was taken out by undoing its import, and stays out. With an empty `base` this is the
    /// union of both logs. A bundle both hold with different entries keeps the earlier import.
    ///
    /// Entries come out in import order (import time, then bundle id), so every tab writes the same
    /// text for the same log and a write-back between tabs stops once they agree.
    pub fn merge(base: &ImportLog, ours: &ImportLog, theirs: &ImportLog) -> ImportLog {
        let index = |log: &ImportLog| -> BTreeMap<Uuid, LogEntry> {
            let mut m: BTreeMap<Uuid, LogEntry> = BTreeMap::new();
            for e in &log.entries {
                match m.get(&e.bundle_id) {
                    Some(known) if entry_order(known) <= entry_order(e) => {}
                    _ => {
                        m.insert(e.bundle_id, e.clone());
                    }
                }
            }
            m
        };
        let (base, ours, theirs) = (index(base), index(ours), index(theirs));
        let mut out: Vec<LogEntry> = Vec::new();
        for id in ours.keys().chain(theirs.keys().filter(|id| !ours.contains_key(*id))) {
            let entry = match (ours.get(id), theirs.get(id)) {
                (Some(a), Some(b)) => Some(if entry_order(b) < entry_order(a) { b } else { a }),
                (Some(a), None) => (!base.contains_key(id)).then_some(a),
                (None, Some(b)) => (!base.contains_key(id)).then_some(b),
                (None, None) => None,
            };
            out.extend(entry.cloned());
        }
        out.sort_by(|a, b| entry_order(a).cmp(&entry_order(b)));
        ImportLog { entries: out }
    }
}

/// The order of import log entries: import time, then the bundle's id and what it says, so that any
/// two distinct entries compare unequal and a merge never depends on which copy came first.
fn entry_order(e: &LogEntry) -> (u64, Uuid, u64, DeviceId, u64, usize, &str, bool) {
    (
        e.imported_ms,
        e.bundle_id,
        e.sequence,
        e.device,
        e.created_ms,
        e.records,
        e.checksum.as_str(),
        e.scope == Scope::All,
    )
}

/// Bundles of one device that were never imported, although later ones were.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// The exporting device.
    pub device: DeviceId,
    /// The missing sequence numbers.
    pub missing: Vec<u64>,
}

impl ImportLog {
    /// The entry of a bundle already imported.
    pub fn find(&self, bundle_id: Uuid) -> Option<&LogEntry> {
        self.entries.iter().find(|e| e.bundle_id == bundle_id)
    }

    /// Missing sequence numbers per device. A bundle of everything makes every earlier gap harmless,
    /// unless a marking ceiling left records out of it (`partial`).
    pub fn gaps(&self) -> Vec<Gap> {
        let mut by_device: BTreeMap<DeviceId, Vec<&LogEntry>> = BTreeMap::new();
        for e in &self.entries {
            by_device.entry(e.device).or_default().push(e);
        }
        let mut out = Vec::new();
        for (device, entries) in by_device {
            let have: BTreeSet<u64> = entries.iter().map(|e| e.sequence).collect();
            let covered =
                entries.iter().filter(|e| e.scope == Scope::All && !e.partial).map(|e| e.sequence).max().unwrap_or(0);
            let max = have.iter().copied().max().unwrap_or(0);
            // Bounded: a hostile sequence number must not make this loop for ever.
            let missing: Vec<u64> = (covered.saturating_add(1)..max).filter(|n| !have.contains(n)).take(1000).collect();
            if !missing.is_empty() {
                out.push(Gap { device, missing });
            }
        }
        out
    }

    /// The gaps as sentences: "Bundle 7 from Lt Col Ana Ruiz (Field laptop) is missing."
    pub fn gap_messages(&self, nb: &Notebook) -> Vec<String> {
        self.gaps()
            .into_iter()
            .map(|g| {
                let who = nb.author(g.device);
                match g.missing.as_slice() {
                    [one] => format!("Bundle {one} from {who} is missing."),
                    many => format!(
                        "Bundles {} from {who} are missing.",
                        many.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
                    ),
                }
            })
            .collect()
    }
}

/// What "undo the last import" needs.
#[derive(Clone, Debug)]
pub struct ImportUndo {
    before: BTreeMap<RecordId, Option<Record>>,
    /// A fingerprint of each record as the import left it, rather than a copy: a team's import brings a
    /// hundred thousand records, and a second copy of them all would double the memory it takes.
    after: BTreeMap<RecordId, u128>,
    log_len: usize,
}

impl ImportUndo {
    /// How many records the import changed.
    pub fn records(&self) -> usize {
        self.after.len()
    }
}

/// Why an import can no longer be undone.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} edited after the import, so undoing it would lose those edits", crate::text::plural(*.0, "record was", "records were"))]
pub struct UndoRefused(pub usize);

/// Applies a plan in one step and returns what undoing it needs. The planned records are joined into
/// the records as they are now, so edits made while the preview was open stay. Either every record
/// lands or, when one cannot be joined (it changed kind meanwhile), none does.
pub fn apply(nb: &mut Notebook, log: &mut ImportLog, plan: Plan, now_ms: u64) -> Result<ImportUndo, MergeError> {
    let mut after = BTreeMap::new();
    for (id, planned) in plan.merged {
        let joined = match nb.record(id) {
            Some(now) => {
                let mut m = now.clone();
                m.merge_checked(&planned)?;
                if m == *now {
                    continue;
                }
                m
            }
            None => planned,
        };
        after.insert(id, Some(joined));
    }
    // This device's own profile comes from its settings, never from what a bundle says about it.
    let own = nb.own_replicas().clone();
    nb.learn_devices(plan.devices.into_iter().filter(|d| !own.contains(&d.id)));
    let log_len = log.entries.len();
    log.entries.extend(plan.log);
    let fingerprints = after.iter().filter_map(|(id, r)| Some((*id, fingerprint(r.as_ref()?)))).collect();
    let before = nb.replace_records(after, now_ms);
    Ok(ImportUndo { before, after: fingerprints, log_len })
}

/// Puts back what the last import changed, unless something it changed was edited since.
pub fn undo(nb: &mut Notebook, log: &mut ImportLog, undo: ImportUndo, now_ms: u64) -> Result<(), UndoRefused> {
    let edited = undo.after.iter().filter(|(id, f)| nb.record(**id).map(fingerprint) != Some(**f)).count();
    if edited > 0 {
        return Err(UndoRefused(edited));
    }
    nb.replace_records(undo.before, now_ms);
    log.entries.truncate(undo.log_len);
    Ok(())
}

/// A 128-bit fingerprint of everything a record holds. Two records with one fingerprint are taken to be
/// the same record: with two independent 64-bit lanes, each finished by an avalanche, an edit that
/// happened to leave the fingerprint unchanged is far less likely than a flipped bit in memory.
fn fingerprint(r: &Record) -> u128 {
    use std::hash::Hash;
    let mut h = Fingerprint { a: 0x243f_6a88_85a3_08d3, b: 0x1319_8a2e_0370_7344, len: 0 };
    r.id.hash(&mut h);
    r.kind.hash(&mut h);
    r.fields.hash(&mut h);
    r.life.hash(&mut h);
    h.finish128()
}

struct Fingerprint {
    a: u64,
    b: u64,
    len: u64,
}

impl Fingerprint {
    /// MurmurHash3's finaliser: every input bit reaches every output bit.
    fn mix(mut x: u64) -> u64 {
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }

    fn finish128(&self) -> u128 {
        let a = Self::mix(self.a ^ self.len);
        let b = Self::mix(self.b.wrapping_add(self.len));
        (u128::from(a) << 64) | u128::from(b)
    }
}

impl std::hash::Hasher for Fingerprint {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            self.word(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            // The length in the top byte tells a short tail from the same bytes followed by zeros.
            self.word(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 56));
        }
        self.len = self.len.wrapping_add(bytes.len() as u64);
    }

    fn finish(&self) -> u64 {
        self.finish128() as u64
    }
}

impl Fingerprint {
    fn word(&mut self, w: u64) {
        self.a = (self.a ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29);
        self.b = (self.b.rotate_left(23) ^ w.rotate_left(17)).wrapping_mul(0xc2b2_ae3d_27d4_eb4f);
    }
}
