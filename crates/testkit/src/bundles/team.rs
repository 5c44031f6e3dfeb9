//! The coordinator's team workload (issue 10): many officers with records of their own, plus a set of
//! the first officer's records that every other officer received and edited without seeing the others'
//! edits.
//!
//! [`team`] makes the records and the edits as data, so that the same workload can be written as Liaison
//! bundles ([`team_bundles`]) and replayed into another system (the Automerge benchmark in
//! `bench/automerge-team`). Everything comes from a seeded [`XorShift`]: one [`TeamSpec`] always gives
//! the same bytes.

use liaison_core::crdt::record::Record;
use liaison_core::formats::bundle::{write_bundle_v1, write_bundle_v3, ExportInput, Layout, Scope};
use liaison_core::formats::wire::DeviceV1;
use liaison_core::{Field, Kind, Notebook, RecordId, Value};

use super::{fill, officers, sentence, Generated, HOUR, MINUTE, ROLES};
use crate::pools::TAGS;
use crate::{list, prose, text, XorShift, BASE_MS};

/// The team workload's size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamSpec {
    /// Officers, one bundle each.
    pub officers: usize,
    /// Records each officer made alone.
    pub records: usize,
    /// Records of the first officer that every other officer edited.
    pub shared: usize,
    /// The generator's seed.
    pub seed: u64,
}

impl Default for TeamSpec {
    fn default() -> Self {
        TeamSpec { officers: 20, records: 5_000, shared: 500, seed: 0x5EED_7EA4_0000_0001 }
    }
}

/// One officer's edit of one shared record: fields set to values, at one time.
#[derive(Clone, Debug, PartialEq)]
pub struct TeamEdit {
    /// The record, one of the first officer's.
    pub id: RecordId,
    /// When, ms since the epoch.
    pub at_ms: u64,
    /// The fields it sets.
    pub values: Vec<(Field, Value)>,
}

/// The workload as data.
#[derive(Clone, Debug)]
pub struct Team {
    /// The officers' device profiles, the first officer first.
    pub officers: Vec<DeviceV1>,
    /// Each officer's own records, as created (the first officer's include the shared ones).
    pub own: Vec<Vec<Record>>,
    /// The ids of the first officer's records that the others edit.
    pub shared: Vec<RecordId>,
    /// Each officer's edits of the shared records (none for the first officer).
    pub edits: Vec<Vec<TeamEdit>>,
    /// What each officer's bundle carries: their own records, and for the others the shared records as
    /// they edited them.
    pub held: Vec<Vec<Record>>,
    /// When each officer exported.
    pub exported_ms: Vec<u64>,
}

/// Which bundle format [`team_bundles`] writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TeamFormat {
    /// Format v3, compact: what the app and the CLI write.
    V3,
    /// Format v1, pretty-printed: what Liaison wrote first.
    V1,
}

fn edit_values(kind: Kind, who: &DeviceV1, rng: &mut XorShift) -> Vec<(Field, Value)> {
    let notes = match kind {
        Kind::Meeting => format!("{} (Revised by {}.)", prose(rng, 1_000, sentence), who.officer),
        _ => format!("{} ({})", prose(rng, 150, sentence), who.officer),
    };
    let mut values = Vec::new();
    if kind == Kind::Contact {
        values.push((Field::Role, text(format!("{} ({})", rng.pick(&ROLES), who.officer))));
    }
    values.push((Field::Notes, text(notes)));
    values.push((Field::Tags, list(vec![rng.pick(&TAGS).into(), rng.pick(&TAGS).into()])));
    values
}

/// Generates the team workload: every officer's own records (contacts, meetings with about 1 KB of
/// notes, actions), then the other officers' concurrent edits of the first officer's shared records
/// (contacts: role, notes and tags; meetings: notes and tags).
pub fn team(spec: &TeamSpec) -> Team {
    let mut rng = XorShift::new(spec.seed);
    let profiles = officers(spec.officers.max(1), &mut rng);
    let mut own = Vec::with_capacity(profiles.len());
    for (o, who) in profiles.iter().enumerate() {
        let mut nb = Notebook::new(who.id);
        let (mut contacts, mut meetings) = (Vec::new(), Vec::new());
        for i in 0..spec.records {
            let now = BASE_MS + o as u64 * MINUTE + i as u64 * 10 * MINUTE;
            let kind = match (i, rng.below(100)) {
                (0, _) => Kind::Contact,
                (1, _) => Kind::Meeting,
                (_, r) if r < 35 => Kind::Contact,
                (_, r) if r < 75 => Kind::Meeting,
                _ => Kind::Action,
            };
            let id = nb.create(kind, now, rng.bytes10());
            fill(&mut nb, id, kind, now, &mut rng, &contacts, &meetings);
            match kind {
                Kind::Contact => contacts.push(id),
                Kind::Meeting => meetings.push(id),
                Kind::Action => {}
            }
        }
        own.push(nb.records().cloned().collect::<Vec<_>>());
    }
    let first: Vec<Record> = own.first().cloned().unwrap_or_default();
    let mut candidates: Vec<&Record> = first.iter().filter(|r| r.kind != Kind::Action).collect();
    rng.shuffle(&mut candidates);
    let mut shared_records: Vec<Record> = candidates.into_iter().take(spec.shared).cloned().collect();
    shared_records.sort_by_key(|r| r.id);
    let shared: Vec<RecordId> = shared_records.iter().map(|r| r.id).collect();
    let edit_start = BASE_MS + spec.records as u64 * 10 * MINUTE + HOUR;

    let (mut edits, mut held, mut exported_ms) = (Vec::new(), Vec::new(), Vec::new());
    for (o, who) in profiles.iter().enumerate() {
        let mine = own.get(o).cloned().unwrap_or_default();
        if o == 0 {
            edits.push(Vec::new());
            held.push(mine);
            exported_ms.push(edit_start);
            continue;
        }
        let start = edit_start + o as u64 * MINUTE;
        let mut records = mine;
        records.extend(shared_records.iter().cloned());
        let mut nb = Notebook::from_records(who.id, records, start);
        let mut mine_edits = Vec::with_capacity(shared_records.len());
        for (n, r) in shared_records.iter().enumerate() {
            let at_ms = start + n as u64 * 1_000;
            let values = edit_values(r.kind, who, &mut rng);
            for (f, v) in &values {
                // Generated values fit their fields, so `set` cannot fail.
                let _ = nb.set(r.id, *f, v.clone(), at_ms);
            }
            mine_edits.push(TeamEdit { id: r.id, at_ms, values });
        }
        edits.push(mine_edits);
        held.push(nb.records().cloned().collect());
        exported_ms.push(start + shared_records.len() as u64 * 1_000 + MINUTE);
    }
    Team { officers: profiles, own, shared, edits, held, exported_ms }
}

/// Writes every officer's bundle (everything they hold, sequence 1, every officer's profile known) in the
/// given format. Bundle ids come from the spec's seed, so the same team always gives the same bytes.
pub fn team_bundles(team: &Team, format: TeamFormat, seed: u64) -> Vec<Generated> {
    let mut rng = XorShift::new(seed ^ 0xB0D1E5);
    let mut out = Vec::with_capacity(team.officers.len());
    for (o, who) in team.officers.iter().enumerate() {
        let records: Vec<&Record> = team.held.get(o).map(|h| h.iter().collect()).unwrap_or_default();
        let created_ms = team.exported_ms.get(o).copied().unwrap_or(BASE_MS);
        let input = ExportInput {
            bundle_id: uuid::Builder::from_random_bytes(rng.bytes16()).into_uuid(),
            created_ms,
            device: who,
            sequence: 1,
            scope: Scope::All,
            devices: team.officers.clone(),
            records,
        };
        let n = input.records.len();
        let text = match format {
            // The generator's records stay far within every limit a bundle has.
            TeamFormat::V3 => write_bundle_v3(input, Layout::Compact).expect("team bundles are within the limits"),
            TeamFormat::V1 => write_bundle_v1(input),
        };
        let suffix = match format {
            TeamFormat::V3 => "v3",
            TeamFormat::V1 => "v1",
        };
        out.push(Generated { file_name: format!("team-{suffix}-officer-{:02}.json", o + 1), text, records: n });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use liaison_core::formats::bundle::read_bundle;

    #[test]
    fn the_same_team_spec_gives_the_same_bundles_in_both_formats_and_they_read_alike() {
        let spec = TeamSpec { officers: 3, records: 40, shared: 5, seed: 9 };
        let t = team(&spec);
        assert_eq!(t.edits.iter().map(Vec::len).collect::<Vec<_>>(), vec![0, 5, 5]);
        let v3 = team_bundles(&t, TeamFormat::V3, spec.seed);
        assert_eq!(v3, team_bundles(&team(&spec), TeamFormat::V3, spec.seed));
        let v1 = team_bundles(&t, TeamFormat::V1, spec.seed);
        let now = BASE_MS + 400 * 86_400_000;
        for (a, b) in v3.iter().zip(&v1) {
            let a = read_bundle(a.text.as_bytes(), now).unwrap_or_else(|p| panic!("v3 reads: {p:?}"));
            let b = read_bundle(b.text.as_bytes(), now).unwrap_or_else(|p| panic!("v1 reads: {p:?}"));
            assert_eq!(a.records.len(), b.records.len());
            assert_eq!(a.device, b.device);
        }
        assert_eq!(v3.iter().map(|g| g.records).collect::<Vec<_>>(), vec![40, 45, 45]);
    }
}
