//! Merging many bundles into one, deterministically.
//!
//! Every record is joined with [`Record::merge`], the state-based CRDT join of liaison-core, so the set
//! of records does not depend on the order or repetition of the inputs. Everything else the output
//! carries is derived from that content too: the bundle id is a hash of it, the creation time is the
//! newest stamp in it, the exporting device is a fixed pseudo-device named by a label, and the device
//! directory is resolved by a total order. The same inputs therefore give the same bytes in any order,
//! any number of times.
//!
//! Two cases cannot be joined and are dropped from the output, deterministically, and reported:
//! - an id that is a record of one kind in some inputs and of another kind in others (one side is
//!   corrupt or hostile; keeping either would depend on which input came first);
//! - a record whose link (participants, an action's meeting or contact, a merge redirect) points at a
//!   record of the wrong kind in the merged set, which would make the output an invalid bundle;
//! - a record whose inputs contradict each other (each claims to have replaced the other's value of a
//!   field), so that the join holds no value for it: keeping it would store that loss.
//!
//! Two devices that stamped different values with one stamp (one id on two machines) are kept, as a
//! conflict, and named in [`Merged::shared_ids`].

use std::collections::{BTreeMap, BTreeSet};

use liaison_core::crdt::record::{Conflict, Record};
use liaison_core::formats::bundle::{self, Bundle, ExportInput, Layout, Problem, Scope};
use liaison_core::formats::wire::DeviceV1;
use liaison_core::schema::Value;
use liaison_core::{DeviceId, Field, Kind, RecordId};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The default label of the merging pseudo-device.
pub const DEFAULT_LABEL: &str = "liaison merge";
/// The default officer name of the merging pseudo-device.
pub const DEFAULT_OFFICER: &str = "coordinator";

/// The device a merged bundle names as its exporter: its id is derived from the label, so every merge
/// run with the same label exports as the same device.
pub fn merge_device(label: &str, officer: &str) -> DeviceV1 {
    DeviceV1 {
        id: DeviceId::from_hash(format!("liaison-cli merge device\n{label}").as_bytes()),
        label: label.to_string(),
        officer: officer.to_string(),
    }
}

/// Where a device profile came from, so that the same set of profiles always resolves the same way.
/// Higher wins: a device's description of itself over what others recorded of it, then newer bundles.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ProfileSource {
    own: bool,
    created_ms: u64,
    sequence: u64,
    bundle_id: Uuid,
    label: String,
    officer: String,
}

struct Slot {
    record: Record,
    /// Every (kind, input) this id arrived with; more than one kind means a collision.
    carriers: Vec<(Kind, u32)>,
    collides: bool,
}

/// The accumulating state of a merge: feed it bundles one at a time, in any order.
#[derive(Default)]
pub struct Merger {
    slots: BTreeMap<RecordId, Slot>,
    profiles: BTreeMap<DeviceId, BTreeSet<ProfileSource>>,
    inputs: Vec<String>,
    newest_bundle_ms: u64,
}

/// A record left out of the output, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dropped {
    /// Its id.
    pub id: RecordId,
    /// Why, as a sentence fragment after "record ID: ".
    pub reason: String,
}

/// The merged state, ready to be written.
#[derive(Clone, Debug)]
pub struct Merged {
    /// Every record, joined.
    pub records: BTreeMap<RecordId, Record>,
    /// Device profiles, resolved, sorted by id, the merging device included.
    pub devices: Vec<DeviceV1>,
    /// The merging pseudo-device.
    pub device: DeviceV1,
    /// Records left out of the output, by id.
    pub dropped: Vec<Dropped>,
    /// Devices that wrote two different values under one stamp: two machines share the id.
    pub shared_ids: BTreeSet<DeviceId>,
    /// The newest stamp of any record (or, with no records, the newest input bundle's time).
    pub created_ms: u64,
}

impl Merger {
    /// An empty merge.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one bundle, read and validated, named by its file for reports.
    pub fn add(&mut self, name: &str, b: Bundle) {
        let input = self.inputs.len() as u32;
        self.inputs.push(name.to_string());
        self.newest_bundle_ms = self.newest_bundle_ms.max(b.created_ms);
        let self_id = b.device.id;
        for d in b.devices.iter().chain(std::iter::once(&b.device)) {
            self.profiles.entry(d.id).or_default().insert(ProfileSource {
                own: d.id == self_id,
                created_ms: b.created_ms,
                sequence: b.sequence,
                bundle_id: b.id,
                label: d.label.clone(),
                officer: d.officer.clone(),
            });
        }
        for r in b.records {
            match self.slots.get_mut(&r.id) {
                None => {
                    let kind = r.kind;
                    self.slots.insert(r.id, Slot { record: r, carriers: vec![(kind, input)], collides: false });
                }
                Some(slot) => {
                    slot.carriers.push((r.kind, input));
                    if slot.record.kind != r.kind {
                        slot.collides = true;
                    } else if slot.record == r {
                        // The join is idempotent: an equal record (most of them, in practice) adds
                        // nothing, and comparing is far cheaper than rebuilding every register.
                    } else if slot.record.merge(&r).is_err() {
                        // Same id and kind cannot fail to join; were it ever to, never drop it silently.
                        slot.collides = true;
                    }
                }
            }
        }
    }

    /// Names of the inputs added, in the order added.
    pub fn inputs(&self) -> &[String] {
        &self.inputs
    }

    fn collision_reason(&self, slot: &Slot) -> String {
        let mut by_kind: BTreeMap<Kind, Vec<&str>> = BTreeMap::new();
        for (kind, input) in &slot.carriers {
            let names = by_kind.entry(*kind).or_default();
            let name = self.inputs.get(*input as usize).map(String::as_str).unwrap_or("?");
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let parts: Vec<String> = by_kind
            .iter()
            .map(|(kind, names)| {
                let names: Vec<String> = names.iter().map(|n| crate::text::clean(n, 4096)).collect();
                format!("{} in {}", kind.with_article(), names.join(", "))
            })
            .collect();
        format!("dropped from the output: it is {}", parts.join(" but "))
    }

    /// Finishes the merge: drops what cannot be joined, resolves device profiles, and dates the result.
    pub fn finish(self, device: &DeviceV1) -> Merged {
        let mut dropped = Vec::new();
        for (id, slot) in &self.slots {
            if slot.collides {
                dropped.push(Dropped { id: *id, reason: self.collision_reason(slot) });
            }
        }
        let mut records: BTreeMap<RecordId, Record> =
            self.slots.into_iter().filter(|(_, s)| !s.collides).map(|(id, s)| (id, s.record)).collect();

        // Links to a record of the wrong kind would make the output invalid: judged in one pass against
        // the set above, so that the result is a function of that set alone.
        let mut bad_links = Vec::new();
        for r in records.values() {
            if let Some(reason) = wrong_kind_link(r, &records) {
                bad_links.push(Dropped { id: r.id, reason });
            }
        }
        for r in records.values() {
            if let Some(field) = r.emptied_fields().first() {
                bad_links.push(Dropped {
                    id: r.id,
                    reason: format!(
                        "dropped from the output: its inputs contradict each other (each claims to have replaced the other's “{field}”), so merging them would leave it empty; one of them was altered or damaged"
                    ),
                });
            }
        }
        for d in &bad_links {
            records.remove(&d.id);
        }
        let shared_ids = records.values().flat_map(|r| r.shared_stamps()).map(|s| s.device).collect();
        dropped.extend(bad_links);
        dropped.sort_by_key(|d| d.id);

        let mut devices: Vec<DeviceV1> = self.profiles.into_iter().map(|(id, sources)| resolve(id, &sources)).collect();
        devices.retain(|d| d.id != device.id);
        devices.push(device.clone());
        devices.sort_by_key(|d| d.id);

        let created_ms =
            records.values().flat_map(|r| r.stamps().map(|s| s.wall_ms)).max().unwrap_or(self.newest_bundle_ms);
        Merged { records, devices, device: device.clone(), dropped, shared_ids, created_ms }
    }
}

/// Feeds a record's content to the bundle id's hash: every string with its length before it, so that no
/// two different records feed the same bytes.
fn hash_record(h: &mut Sha256, r: &Record) {
    fn text(h: &mut Sha256, s: &str) {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    }
    fn vv(h: &mut Sha256, v: &liaison_core::crdt::vv::VersionVector) {
        h.update((v.len() as u64).to_le_bytes());
        for (d, t) in v.iter() {
            h.update(d.0.as_bytes());
            h.update(t.wall_ms.to_le_bytes());
            h.update(t.counter.to_le_bytes());
        }
    }
    fn register(h: &mut Sha256, reg: &liaison_core::crdt::record::Register) {
        h.update((reg.entries().len() as u64).to_le_bytes());
        for e in reg.entries() {
            match &e.value {
                Value::Bool(b) => h.update([0, u8::from(*b)]),
                Value::Text(s) => {
                    h.update([1]);
                    text(h, s);
                }
                Value::List(l) => {
                    h.update([2]);
                    h.update((l.len() as u64).to_le_bytes());
                    for s in l {
                        text(h, s);
                    }
                }
            }
            h.update(e.stamp.wall_ms.to_le_bytes());
            h.update(e.stamp.counter.to_le_bytes());
            h.update(e.stamp.device.0.as_bytes());
            match &e.seen {
                None => h.update([0]),
                Some(seen) => {
                    h.update([1]);
                    vv(h, seen);
                }
            }
        }
        vv(h, reg.seen());
    }
    h.update(r.id.0.as_bytes());
    text(h, &r.kind.to_string());
    register(h, &r.life);
    h.update((r.fields.len() as u64).to_le_bytes());
    for (name, reg) in &r.fields {
        text(h, name);
        register(h, reg);
    }
}

/// A device's profile from every description of it: for the label and the officer separately, the
/// highest-ranked non-blank one (a blank never hides a filled one, as in the app).
///
/// This depends only on the set of descriptions, so it is independent of input order and repetition.
/// It is not fully independent of grouping: a merged bundle cannot say which descriptions were a
/// device's own, so re-merging merged outputs can pick another name when bundles disagree about a
/// device's name (after a rename). Bundle v1 profiles carry no time; records are unaffected.
fn resolve(id: DeviceId, sources: &BTreeSet<ProfileSource>) -> DeviceV1 {
    let pick = |f: fn(&ProfileSource) -> &String| -> String {
        sources
            .iter()
            .rev()
            .map(f)
            .find(|s| !s.trim().is_empty())
            .or_else(|| sources.iter().next_back().map(f))
            .cloned()
            .unwrap_or_default()
    };
    DeviceV1 { id, label: pick(|s| &s.label), officer: pick(|s| &s.officer) }
}

fn wrong_kind_link(r: &Record, records: &BTreeMap<RecordId, Record>) -> Option<String> {
    for (name, reg) in &r.fields {
        let Some(field) = Field::from_key(name) else { continue };
        let Some(target) = bundle::link_target(r.kind, field) else { continue };
        for e in reg.entries() {
            let texts: Vec<&str> = match &e.value {
                Value::Text(s) => vec![s.as_str()],
                Value::List(l) => l.iter().map(String::as_str).collect(),
                Value::Bool(_) => vec![],
            };
            for t in texts {
                let Ok(other) = t.parse::<RecordId>() else { continue };
                if let Some(o) = records.get(&other) {
                    if o.kind != target {
                        return Some(format!(
                            "dropped from the output: its field “{name}” points at {other}, which is {}, not {}",
                            o.kind.with_article(),
                            target.with_article()
                        ));
                    }
                }
            }
        }
    }
    None
}

impl Merged {
    /// The bundle id: a UUID from the first 16 bytes of a SHA-256 over the exporting device, the device
    /// directory and every record's content (id, kind, and each register's entries with their stamps and
    /// its context), in id order. The content is hashed as it is held, not serialised first: a team's
    /// merge hashes a hundred thousand records.
    pub fn bundle_id(&self) -> Uuid {
        let mut h = Sha256::new();
        h.update(b"liaison-cli merge 2\n");
        for d in std::iter::once(&self.device).chain(&self.devices) {
            h.update(serde_json::to_vec(d).unwrap_or_default());
            h.update(b"\n");
        }
        for r in self.records.values() {
            hash_record(&mut h, r);
        }
        let digest = h.finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    fn export_input(&self) -> ExportInput<'_> {
        ExportInput {
            bundle_id: self.bundle_id(),
            created_ms: self.created_ms,
            device: &self.device,
            sequence: 1,
            scope: Scope::All,
            devices: self.devices.clone(),
            records: self.records.values().collect(),
        }
    }

    /// Writes the merged state as a compact bundle into `out` as it goes, with the bytes [`Merged::to_bundle`]
    /// gives in [`Layout::Compact`]; returns how many were written, or why a reader could not take them.
    pub fn write_to(&self, out: impl std::io::Write) -> Result<u64, Vec<Problem>> {
        bundle::write_bundle_v3_to(self.export_input(), out)
    }

    /// The merged state as a bundle in the format this version writes (everything, sequence 1), or why
    /// a reader could not take it (too many records, say).
    pub fn to_bundle(&self, layout: Layout) -> Result<String, Vec<Problem>> {
        bundle::write_bundle_v3(self.export_input(), layout)
    }

    /// Counts for the summary.
    pub fn summary(&self) -> Summary {
        Summary::of(self.records.values())
    }
}

/// Counts of records and open conflicts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Records by kind: (alive, deleted).
    pub by_kind: BTreeMap<Kind, (usize, usize)>,
    /// Fields holding concurrent values (the deleted/alive state counts as a field).
    pub conflicting_fields: usize,
    /// Records with at least one open conflict of any sort.
    pub records_in_conflict: usize,
    /// Records deleted on one device while another edited them.
    pub edited_after_delete: usize,
}

impl Summary {
    /// Counts over records.
    pub fn of<'a>(records: impl IntoIterator<Item = &'a Record>) -> Self {
        let mut s = Summary::default();
        for k in [Kind::Contact, Kind::Meeting, Kind::Action] {
            s.by_kind.insert(k, (0, 0));
        }
        for r in records {
            let e = s.by_kind.entry(r.kind).or_default();
            if r.is_deleted() {
                e.1 += 1;
            } else {
                e.0 += 1;
            }
            let conflicts = r.conflicts();
            s.records_in_conflict += usize::from(!conflicts.is_empty());
            for c in conflicts {
                match c {
                    Conflict::Field { .. } | Conflict::Life { .. } => s.conflicting_fields += 1,
                    Conflict::EditedAfterDelete { .. } => s.edited_after_delete += 1,
                }
            }
        }
        s
    }

    /// All records.
    pub fn total(&self) -> usize {
        self.by_kind.values().map(|(a, d)| a + d).sum()
    }

    /// Deleted records.
    pub fn deleted(&self) -> usize {
        self.by_kind.values().map(|(_, d)| d).sum()
    }

    /// Records of a kind, alive and deleted.
    pub fn of_kind(&self, k: Kind) -> usize {
        self.by_kind.get(&k).map(|(a, d)| a + d).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liaison_testkit::bundles::{generate, Spec};

    fn bundles() -> Vec<(String, Bundle)> {
        let spec = Spec { officers: 4, records: 80, edit_percent: 40, seed: 11 };
        generate(&spec)
            .into_iter()
            .map(|g| {
                let b = bundle::read_bundle(g.text.as_bytes(), crate::files::now_ms());
                (g.file_name, b.unwrap_or_else(|p| panic!("generated bundles are valid: {p:?}")))
            })
            .collect()
    }

    fn merged(inputs: &[&(String, Bundle)]) -> String {
        let mut m = Merger::new();
        for (name, b) in inputs {
            m.add(name, b.clone());
        }
        m.finish(&merge_device(DEFAULT_LABEL, DEFAULT_OFFICER)).to_bundle(Layout::Compact).expect("within the limits")
    }

    #[test]
    fn every_order_and_repetition_of_the_inputs_gives_the_same_bytes() {
        let all = bundles();
        let [a, b, c, d] = [&all[0], &all[1], &all[2], &all[3]];
        let reference = merged(&[a, b, c, d]);
        assert!(
            Summary::of(
                bundle::read_bundle(reference.as_bytes(), crate::files::now_ms())
                    .map(|b| b.records)
                    .unwrap_or_default()
                    .iter()
            )
            .conflicting_fields
                > 0
        );
        for order in [[d, c, b, a], [b, d, a, c], [c, a, d, b]] {
            assert_eq!(merged(&order), reference);
        }
        assert_eq!(merged(&[a, a, d, b, c, c, d]), reference);
        // Nor does grouping: merging the merge of some with the others. (Records always regroup freely;
        // device profiles do here because every bundle describes each device alike. See `resolve`.)
        let ab = bundle::read_bundle(merged(&[a, b]).as_bytes(), crate::files::now_ms()).ok();
        let ab = ("ab".to_string(), ab.unwrap_or_else(|| panic!("a merged bundle is valid")));
        assert_eq!(merged(&[&ab, c, d]), reference);
    }

    #[test]
    fn team_bundles_merge_to_the_same_streamed_bytes_in_any_order_and_the_result_reads_back() {
        use liaison_testkit::bundles::{team, team_bundles, TeamFormat, TeamSpec};
        let t = team(&TeamSpec { officers: 4, records: 30, shared: 8, seed: 21 });
        let now = crate::files::now_ms();
        let read: Vec<(String, Bundle)> = team_bundles(&t, TeamFormat::V3, 21)
            .into_iter()
            .map(|g| (g.file_name, bundle::read_bundle(g.text.as_bytes(), now).expect("team bundles are valid")))
            .collect();
        let streamed = |order: &[usize]| {
            let mut m = Merger::new();
            for &i in order {
                m.add(&read[i].0, read[i].1.clone());
            }
            let merged = m.finish(&merge_device(DEFAULT_LABEL, DEFAULT_OFFICER));
            let mut out = Vec::new();
            merged.write_to(&mut out).expect("within the limits");
            assert_eq!(Ok(String::from_utf8(out.clone()).expect("UTF-8")), merged.to_bundle(Layout::Compact));
            out
        };
        let reference = streamed(&[0, 1, 2, 3]);
        for order in [[3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]] {
            assert_eq!(streamed(&order), reference);
        }
        let back = bundle::read_bundle(&reference, now).expect("the merged bundle reads back");
        assert_eq!(back.records.len(), 4 * 30);
        assert!(Summary::of(back.records.iter()).conflicting_fields > 0);
    }

    #[test]
    fn a_blank_profile_never_hides_a_filled_one_and_the_newest_own_profile_wins() {
        let id = merge_device("x", "y").id;
        let src = |own, created_ms, label: &str, officer: &str| ProfileSource {
            own,
            created_ms,
            sequence: 1,
            bundle_id: Uuid::nil(),
            label: label.into(),
            officer: officer.into(),
        };
        let sources: BTreeSet<ProfileSource> = [
            src(true, 1, "Old laptop", "Maj Bo Lind"),
            src(true, 2, "New laptop", ""),
            src(false, 9, "Seen elsewhere", "Bo"),
        ]
        .into_iter()
        .collect();
        let p = resolve(id, &sources);
        assert_eq!((p.label.as_str(), p.officer.as_str()), ("New laptop", "Maj Bo Lind"));
    }
}
