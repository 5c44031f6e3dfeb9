//! Planning an import: every file checked and joined into an overlay of the records it touches, and the
//! preview counted from that overlay. Nothing in the notebook changes.
//!
//! A [`Planner`] does the work a slice at a time, so that a browser can draw, and be told to stop,
//! between slices: a coordinator's team of bundles holds a hundred thousand records. [`plan`] is the
//! same work in one go.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use uuid::Uuid;

use super::{ImportLog, LogEntry};
use crate::crdt::id::{DeviceId, RecordId};
use crate::crdt::record::{MergeError, Record};
use crate::formats::bundle::{self, Bundle, BundleMarking, Problem, Scope};
use crate::formats::wire::DeviceV1;
use crate::model::DeviceProfile;
use crate::notebook::Notebook;

/// The preview of one readable bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preview {
    /// The file it came from.
    pub file: String,
    /// The bundle's id.
    pub bundle_id: Uuid,
    /// The exporting device.
    pub device: DeviceProfile,
    /// Its sequence number.
    pub sequence: u64,
    /// Everything, or changes.
    pub scope: Scope,
    /// When it was exported.
    pub created_ms: u64,
    /// Records it carries.
    pub records: usize,
    /// Records this device does not have yet.
    pub new: usize,
    /// Records it changes.
    pub updated: usize,
    /// Records it has nothing new for.
    pub unchanged: usize,
    /// Records that will show a conflict after the import that did not before.
    pub conflicts: usize,
    /// Records it deletes.
    pub deleted: usize,
    /// Edits stamped more than a few minutes ahead of this device's clock (a device with a wrong date).
    pub future_stamps: usize,
    /// Links to records neither here nor in the bundle (they may arrive with another bundle).
    pub missing_links: usize,
    /// The format of a file from another program, `None` for a Liaison bundle.
    pub format: Option<crate::formats::FileFormat>,
    /// What such a file held that could not be imported, as sentences.
    pub notes: Vec<String>,
    /// Devices that stamped two different values with one stamp: two devices share the id (a copied
    /// browser profile, a restored backup). Both values are kept as a conflict.
    pub shared_ids: Vec<DeviceId>,
    /// When this bundle was imported before, if it was: importing it again changes nothing.
    pub repeat_of: Option<u64>,
}

/// One file's verdict.
// A plan holds one verdict per picked file, a handful at most, so a boxed preview would save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileVerdict {
    /// Readable; this is what it would do.
    Ready(Preview),
    /// Refused, with every reason. Nothing of it is imported.
    Rejected {
        /// The file.
        file: String,
        /// Why.
        problems: Vec<Problem>,
    },
}

/// A planned import: the verdict per file, and the merged state of every record it touches.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Per file, in the order given.
    pub files: Vec<FileVerdict>,
    pub(super) merged: BTreeMap<RecordId, Record>,
    pub(super) devices: Vec<DeviceV1>,
    pub(super) log: Vec<LogEntry>,
}

impl Plan {
    /// Whether applying it would change anything.
    pub fn changes_anything(&self) -> bool {
        self.files.iter().any(|f| matches!(f, FileVerdict::Ready(p) if p.new + p.updated > 0))
    }

    /// Readable bundles in the plan.
    pub fn ready(&self) -> impl Iterator<Item = &Preview> {
        self.files.iter().filter_map(|f| match f {
            FileVerdict::Ready(p) => Some(p),
            FileVerdict::Rejected { .. } => None,
        })
    }
}

/// Plans an import of files already read with [`bundle::read_bundle`], in one go. Nothing changes yet.
pub fn plan(nb: &Notebook, log: &ImportLog, files: Vec<(String, Result<Bundle, Vec<Problem>>)>, now_ms: u64) -> Plan {
    let mut planner = Planner::new(now_ms);
    for (file, read) in files {
        planner.add(file, read);
    }
    while !planner.step(nb, log, usize::MAX) {}
    planner.finish(nb)
}

/// An import being planned, file by file and a slice of records at a time: [`Planner::step`] does at
/// most as much work as it is given and can be called again later, so a caller can let the page draw, or
/// stop, between slices. Dropping it leaves everything as it was, since planning changes nothing.
///
/// The notebook may change between slices (the officer types while the files are read). That is safe:
/// the overlay only ever holds joins of what was here with the files, and [`super::apply`] joins it into
/// the records as they are then (docs/design.md, M9).
pub struct Planner {
    now_ms: u64,
    queue: VecDeque<(String, Result<Bundle, Vec<Problem>>)>,
    current: Option<Current>,
    merged: BTreeMap<RecordId, Record>,
    verdicts: Vec<FileVerdict>,
    devices: Vec<DeviceV1>,
    entries: Vec<LogEntry>,
    planned: usize,
}

/// The file being planned.
struct Current {
    file: String,
    bundle: Bundle,
    /// Its preview, once the checks before it passed.
    preview: Option<Preview>,
    in_bundle: BTreeSet<RecordId>,
    records: usize,
    step: Step,
}

/// What a file still needs, in the order the checks run. A file is refused at the first check it fails,
/// with every reason that check found, and nothing of it reaches the overlay.
enum Step {
    /// Each record's kind is compared with the record of that id here.
    Kinds { at: usize, collisions: Vec<Problem> },
    /// No record may claim edits by this device ahead of its clock.
    OwnClaims { at: usize, problems: Vec<Problem> },
    /// Each record is joined with what is here, and its links to records that are nowhere yet are counted.
    /// Joined records are kept aside, so that a contradiction anywhere refuses the whole file.
    Join { rest: std::vec::IntoIter<Record>, joined: Vec<(Record, Option<Record>)>, contradictions: Vec<Problem> },
    /// The joined records are counted for the preview and go into the overlay.
    Count { rest: std::vec::IntoIter<(Record, Option<Record>)>, shared: BTreeSet<DeviceId> },
}

/// Where a slice leaves the file being planned.
enum Next {
    /// In the same step.
    Stay,
    /// Its kinds checked: its preview is next.
    Preview,
    /// Its claims checked: its join is next.
    Join,
    /// Joined: these are counted next.
    Count(Vec<(Record, Option<Record>)>),
    /// Refused for these reasons.
    Reject(Vec<Problem>),
    /// Counted: it goes into the plan.
    Accept,
}

/// At most this many problems are listed for records that claim edits by this device: one is enough to
/// refuse the file, and a hostile file must not make a list as long as itself.
const MAX_OWN_CLAIMS: usize = 20;

impl Planner {
    /// A planner with nothing to plan yet. `now_ms` is this device's clock, as [`plan`] takes it.
    pub fn new(now_ms: u64) -> Self {
        Planner {
            now_ms,
            queue: VecDeque::new(),
            current: None,
            merged: BTreeMap::new(),
            verdicts: Vec::new(),
            devices: Vec::new(),
            entries: Vec::new(),
            planned: 0,
        }
    }

    /// Adds one more file, after those added before: files are planned in the order they were added, and
    /// a later file is joined onto what the earlier ones bring.
    pub fn add(&mut self, file: String, read: Result<Bundle, Vec<Problem>>) {
        self.queue.push_back((file, read));
    }

    /// How many records of readable files have gone into the overlay so far.
    pub fn records_planned(&self) -> usize {
        self.planned
    }

    /// How far the file being planned has come, in record steps done out of all it needs; `None` between
    /// files.
    pub fn file_progress(&self) -> Option<(usize, usize)> {
        let cur = self.current.as_ref()?;
        let n = cur.records;
        let done = match &cur.step {
            Step::Kinds { at, .. } => *at,
            Step::OwnClaims { at, .. } => n + at,
            Step::Join { rest, .. } => 2 * n + (n - rest.len()),
            Step::Count { rest, .. } => 3 * n + (n - rest.len()),
        };
        Some((done, 4 * n))
    }

    /// Works through at most `budget` record steps (each record takes four: its kind, its claims, its
    /// join, its count) and returns whether every file added so far is planned.
    pub fn step(&mut self, nb: &Notebook, log: &ImportLog, budget: usize) -> bool {
        let mut left = budget.max(1);
        loop {
            if self.current.is_none() {
                let Some((file, read)) = self.queue.pop_front() else { return true };
                self.start(file, read);
                continue;
            }
            if left == 0 {
                return false;
            }
            left = self.advance(nb, log, left);
        }
    }

    /// The plan, once [`Planner::step`] said everything is planned; a file still waiting is left out.
    pub fn finish(self, nb: &Notebook) -> Plan {
        let mut merged = self.merged;
        // Records the plan merged but left as they were need no write.
        merged.retain(|id, r| nb.record(*id) != Some(r));
        Plan { files: self.verdicts, merged, devices: self.devices, log: self.entries }
    }

    fn start(&mut self, file: String, read: Result<Bundle, Vec<Problem>>) {
        match read {
            Err(problems) => self.verdicts.push(FileVerdict::Rejected { file, problems }),
            Ok(bundle) => {
                let in_bundle = bundle.records.iter().map(|r| r.id).collect();
                let records = bundle.records.len();
                let step = Step::Kinds { at: 0, collisions: Vec::new() };
                self.current = Some(Current { file, bundle, preview: None, in_bundle, records, step });
            }
        }
    }

    /// Refuses the file being planned.
    fn reject(&mut self, problems: Vec<Problem>) {
        if let Some(cur) = self.current.take() {
            self.verdicts.push(FileVerdict::Rejected { file: cur.file, problems });
        }
    }

    /// One slice of the file being planned; returns the budget left.
    fn advance(&mut self, nb: &Notebook, log: &ImportLog, mut left: usize) -> usize {
        let Some(cur) = self.current.as_mut() else { return left };
        let merged = &self.merged;
        let here = |id: &RecordId| merged.get(id).or_else(|| nb.record(*id));
        let mut next = Next::Stay;
        match &mut cur.step {
            Step::Kinds { at, collisions } => {
                let records = &cur.bundle.records;
                let end = at.saturating_add(left).min(records.len());
                for r in &records[*at..end] {
                    if let Some(h) = here(&r.id).filter(|h| h.kind != r.kind) {
                        collisions.push(Problem {
                            record: Some(r.id.to_string()),
                            message: format!(
                                "is {} in the bundle but {} on this device",
                                r.kind.with_article(),
                                h.kind.with_article()
                            ),
                        });
                    }
                }
                left -= end - *at;
                *at = end;
                if *at == records.len() {
                    next = if collisions.is_empty() { Next::Preview } else { Next::Reject(std::mem::take(collisions)) };
                }
            }
            Step::OwnClaims { at, problems } => {
                let records = &cur.bundle.records;
                let own = nb.own_replicas();
                let limit =
                    self.now_ms.saturating_add(crate::crdt::clock::MAX_FUTURE_SKEW_MS).max(nb.clock_last().wall_ms);
                let end = at.saturating_add(left).min(records.len());
                for r in &records[*at..end] {
                    if problems.len() < MAX_OWN_CLAIMS && claims_own_edits_ahead(r, own, limit) {
                        problems.push(Problem { record: Some(r.id.to_string()), message: OWN_CLAIMS.into() });
                    }
                }
                left -= end - *at;
                *at = end;
                if *at == records.len() {
                    next = if problems.is_empty() { Next::Join } else { Next::Reject(std::mem::take(problems)) };
                }
            }
            Step::Join { rest, joined, contradictions } => {
                let p = cur.preview.as_mut();
                let mut missing = 0;
                for r in rest.by_ref().take(left) {
                    left -= 1;
                    missing += bundle::links_of(&r)
                        .iter()
                        .filter(|(_, id)| !cur.in_bundle.contains(id) && here(id).is_none())
                        .count();
                    match here(&r.id) {
                        None => match r.emptied_fields().first() {
                            Some(f) => contradictions.push(Problem {
                                record: Some(r.id.to_string()),
                                message: format!("its “{f}” holds no value"),
                            }),
                            None => joined.push((r, None)),
                        },
                        Some(base) => {
                            let mut m = base.clone();
                            match m.merge_checked(&r) {
                                Ok(()) => joined.push((m, Some(base.clone()))),
                                Err(e) => contradictions.push(Problem {
                                    record: Some(r.id.to_string()),
                                    message: contradiction_message(&e),
                                }),
                            }
                        }
                    }
                }
                if let Some(p) = p {
                    p.missing_links += missing;
                }
                if rest.len() == 0 {
                    next = if contradictions.is_empty() {
                        Next::Count(std::mem::take(joined))
                    } else {
                        Next::Reject(std::mem::take(contradictions))
                    };
                }
            }
            Step::Count { rest, shared } => {
                let Some(p) = cur.preview.as_mut() else { return left };
                for (m, base) in rest.by_ref().take(left) {
                    left -= 1;
                    shared.extend(m.shared_stamps().iter().map(|s| s.device));
                    match base {
                        None => {
                            p.new += 1;
                            p.conflicts += usize::from(!m.conflicts().is_empty());
                            p.deleted += usize::from(m.is_deleted());
                        }
                        Some(base) if m == base => p.unchanged += 1,
                        Some(base) => {
                            p.updated += 1;
                            p.conflicts += usize::from(m.conflicts().len() > base.conflicts().len());
                            p.deleted += usize::from(m.is_deleted() && !base.is_deleted());
                        }
                    }
                    self.planned += 1;
                    self.merged.insert(m.id, m);
                }
                if rest.len() == 0 {
                    p.shared_ids = std::mem::take(shared).into_iter().collect();
                    next = Next::Accept;
                }
            }
        }
        match next {
            Next::Stay => {}
            Next::Preview => match preview_of(cur, log, &self.entries, self.now_ms) {
                Ok(p) => {
                    cur.preview = Some(p);
                    cur.step = Step::OwnClaims { at: 0, problems: Vec::new() };
                }
                Err(problems) => self.reject(problems),
            },
            Next::Join => {
                let rest = std::mem::take(&mut cur.bundle.records).into_iter();
                cur.step = Step::Join { rest, joined: Vec::with_capacity(cur.records), contradictions: Vec::new() };
            }
            Next::Count(joined) => cur.step = Step::Count { rest: joined.into_iter(), shared: BTreeSet::new() },
            Next::Reject(problems) => self.reject(problems),
            Next::Accept => self.accept(),
        }
        left
    }

    /// Takes the file being planned, every record of it now in the overlay, into the plan.
    fn accept(&mut self) {
        let Some(Current { bundle: b, preview: Some(p), .. }) = self.current.take() else { return };
        self.devices.extend(b.devices.iter().cloned());
        self.devices.push(b.device.clone());
        if p.repeat_of.is_none() {
            self.entries.push(LogEntry {
                bundle_id: b.id,
                device: b.device.id,
                sequence: b.sequence,
                scope: b.scope,
                created_ms: b.created_ms,
                imported_ms: self.now_ms,
                records: p.records,
                checksum: b.checksum.clone(),
                partial: b.marking.as_ref().is_some_and(BundleMarking::is_partial),
            });
        }
        self.verdicts.push(FileVerdict::Ready(p));
    }
}

/// The preview a file starts from, or why it is refused: a bundle imported before with another checksum
/// is a different bundle under the same id. A repeat is planned like any file and changes nothing.
fn preview_of(cur: &Current, log: &ImportLog, entries: &[LogEntry], now_ms: u64) -> Result<Preview, Vec<Problem>> {
    let b = &cur.bundle;
    let earlier: Option<&LogEntry> = log.find(b.id).or_else(|| entries.iter().find(|e| e.bundle_id == b.id));
    if let Some(e) = earlier.filter(|e| !e.checksum.is_empty() && e.checksum != b.checksum) {
        return Err(vec![Problem {
            record: None,
            message: format!(
                "a different bundle with the same id ({}) was imported before: one of them was altered",
                e.bundle_id
            ),
        }]);
    }
    Ok(Preview {
        file: cur.file.clone(),
        bundle_id: b.id,
        device: b.device.clone().into(),
        sequence: b.sequence,
        scope: b.scope,
        created_ms: b.created_ms,
        records: b.records.len(),
        new: 0,
        updated: 0,
        unchanged: 0,
        conflicts: 0,
        deleted: 0,
        future_stamps: bundle::future_stamps(b, now_ms),
        missing_links: 0,
        shared_ids: Vec::new(),
        format: b.format,
        notes: b.notes.clone(),
        repeat_of: earlier.map(|e| e.imported_ms),
    })
}

const OWN_CLAIMS: &str = "its history claims edits by this device dated ahead of this device's clock, which this device never made: the file was altered, or another machine uses this device's id";

/// Whether a record claims edits by this device (any of its tabs) later than `limit`, its clock and the
/// skew allowed: this device never made them, so the file is altered, or another machine uses this
/// device's id. Following them would move this device's clock; ignoring them could hide its next edits.
fn claims_own_edits_ahead(r: &Record, own: &BTreeSet<DeviceId>, limit: u64) -> bool {
    r.stamps().any(|s| own.contains(&s.device) && s.wall_ms > limit)
        || r.context_ticks().any(|(d, t)| own.contains(d) && t.wall_ms > limit)
}
fn contradiction_message(e: &MergeError) -> String {
    match e {
        MergeError::Contradiction { field, .. } => format!(
            "this bundle and this device each claim to have replaced the other's “{field}”, so importing it would leave the field empty; the file was altered or damaged, and nothing of it was imported"
        ),
        other => other.to_string(),
    }
}
