//! Realistic coordinator data for benchmarks: many officers' bundles over one shared set of records.
//!
//! A shared base of records (contacts, meetings with about 1 KB of notes, follow-up actions) is made
//! by all the officers in turn and known to every one of them. Then each officer edits about a tenth of
//! the records on their own device and exports everything. Officers work in pairs that synced before
//! the second one started, so some overlapping edits supersede each other cleanly, while edits of the
//! same field by officers who never synced are concurrent and become conflicts; a few records are
//! deleted while others edit them. Everything comes from a seeded [`XorShift`]: the same
//! [`Spec`] always gives the same bytes.

use liaison_core::crdt::record::Record;
use liaison_core::date::Date;
use liaison_core::exchange::{export, ExportRequest, ExportState};
use liaison_core::formats::bundle::Scope;
use liaison_core::formats::wire::DeviceV1;
use liaison_core::{DeviceId, Field, Kind, Notebook, RecordId, Value};

use crate::pools::{NATIONS, ORGS, TAGS, WORDS};

mod team;
use crate::{date, list, prose, text, XorShift, BASE_MS};
pub use team::{team, team_bundles, Team, TeamEdit, TeamFormat, TeamSpec};

const MINUTE: u64 = 60_000;
const HOUR: u64 = 60 * MINUTE;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// How many officers, one bundle each.
    pub officers: usize,
    /// How many records every bundle holds.
    pub records: usize,
    /// Percentage of records each officer edits.
    pub edit_percent: u64,
    /// The generator's seed.
    pub seed: u64,
}

impl Default for Spec {
    fn default() -> Self {
        Spec { officers: 20, records: 5_000, edit_percent: 10, seed: 0x5EED_1A15_0000_0001 }
    }
}

/// One generated bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    /// The file name the app would give it.
    pub file_name: String,
    /// The bundle's JSON text.
    pub text: String,
    /// Records it carries.
    pub records: usize,
}

const RANKS: [&str; 8] = ["Lt Col", "Col", "Maj", "Capt", "Cdr", "Brig Gen", "Mr", "Ms"];
const FIRST: [&str; 16] = [
    "Ana",
    "Bo",
    "Chiara",
    "Dmytro",
    "Eva",
    "Farid",
    "Gunnar",
    "Hanna",
    "Ioana",
    "Jakub",
    "Katarzyna",
    "Lars",
    "Μαρία",
    "Николай",
    "Søren",
    "Zoë",
];
const LAST: [&str; 16] = [
    "Ruiz",
    "Lind",
    "Bianchi",
    "Kovalenko",
    "Novak",
    "Haddad",
    "Berg",
    "Schmid",
    "Popescu",
    "Dvořák",
    "Wójcik",
    "Nilsen",
    "Παπαδοπούλου",
    "Петров",
    "Østergaard",
    "Müller",
];
const ROLES: [&str; 6] = ["J3 liaison", "Chief of staff", "Logistics lead", "Legal adviser", "Interpreter", "PAO"];
const PLACES: [&str; 6] = ["Room 2.14", "Main conference room", "Mons, SHAPE", "Video call", "Brussels", "Canteen"];
const TOPICS: [&str; 10] = [
    "exercise planning",
    "host-nation support",
    "air policing",
    "logistics",
    "force generation",
    "cyber",
    "medical evacuation",
    "fuel supply",
    "training slots",
    "interoperability",
];
const MARKINGS: [&str; 3] = ["UNCLASSIFIED", "RESTRICTED", "REL TO AUT, CHE"];

fn sentence(rng: &mut XorShift) -> String {
    let n = 8 + rng.below(10);
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(rng.pick(&WORDS[..32]));
    }
    if let Some(first) = s.get(..1) {
        let upper = first.to_uppercase();
        s.replace_range(..1, &upper);
    }
    s.push('.');
    s
}

fn person(rng: &mut XorShift) -> (String, String) {
    (format!("{} {}", rng.pick(&FIRST), rng.pick(&LAST)), rng.pick(&RANKS).to_string())
}

/// The officers' device profiles.
pub fn officers(n: usize, rng: &mut XorShift) -> Vec<DeviceV1> {
    (0..n)
        .map(|i| {
            let (name, rank) = person(rng);
            DeviceV1 {
                id: DeviceId::new_v7(BASE_MS - 90 * 86_400_000 + i as u64 * HOUR, rng.bytes10()),
                label: format!("Officer {} laptop", i + 1),
                officer: format!("{rank} {name}"),
            }
        })
        .collect()
}

// Values generated for the shapes the fields need; `set` cannot fail for these fields and kinds, so
// its result is ignored rather than unwrapped.
fn fill(
    nb: &mut Notebook,
    id: RecordId,
    kind: Kind,
    now: u64,
    rng: &mut XorShift,
    contacts: &[RecordId],
    meetings: &[RecordId],
) {
    let mut set = |f: Field, v: Value| {
        let _ = nb.set(id, f, v, now);
    };
    match kind {
        Kind::Contact => {
            let (name, rank) = person(rng);
            let nation = rng.pick(&NATIONS);
            set(Field::Name, text(name.clone()));
            set(Field::Title, text(rank));
            set(Field::Organisation, text(rng.pick(&ORGS)));
            set(Field::Nation, text(nation));
            set(Field::Role, text(rng.pick(&ROLES)));
            let mail = name.to_lowercase().replace(' ', ".");
            set(Field::Emails, list(vec![format!("{mail}@mod.{}.example", nation.to_lowercase())]));
            set(Field::Phones, list(vec![format!("+43 1 {:07}", rng.below(10_000_000))]));
            set(Field::Languages, list(vec!["en".into(), rng.pick(&["de", "fr", "it", "pl"]).into()]));
            set(Field::Notes, text(prose(rng, 150, sentence)));
            set(Field::Tags, list(vec![rng.pick(&TAGS).into()]));
            set(Field::Marking, text(rng.pick(&MARKINGS)));
        }
        Kind::Meeting => {
            let topic = rng.pick(&TOPICS);
            set(Field::Title, text(format!("Staff talks on {topic}")));
            set(Field::Date, text(date(rng.below(60) as u64)));
            let start = 8 + rng.below(8);
            set(Field::Start, text(format!("{start:02}:{:02}", rng.below(4) * 15)));
            set(Field::End, text(format!("{:02}:00", start + 1 + rng.below(2))));
            set(Field::Location, text(rng.pick(&PLACES)));
            let n = 1 + rng.below(4);
            let participants: Vec<String> =
                (0..n).filter_map(|_| contacts.get(rng.below(contacts.len()))).map(|c| c.to_string()).collect();
            set(Field::Participants, list(participants));
            set(Field::Organisations, list(vec![rng.pick(&ORGS).into()]));
            set(Field::Nations, list(vec![rng.pick(&NATIONS).into(), rng.pick(&NATIONS).into()]));
            set(Field::Agenda, text(prose(rng, 200, sentence)));
            set(Field::Notes, text(prose(rng, 1_000, sentence)));
            set(Field::Decisions, text(prose(rng, 150, sentence)));
            set(Field::Tags, list(vec![rng.pick(&TAGS).into(), topic.into()]));
            set(Field::Marking, text(rng.pick(&MARKINGS)));
        }
        Kind::Action => {
            set(Field::Text, text(sentence(rng)));
            set(Field::Owner, text(person(rng).0));
            set(Field::Due, text(date(30 + rng.below(60) as u64)));
            if let Some(m) = meetings.get(rng.below(meetings.len())) {
                set(Field::Meeting, text(m.to_string()));
            }
            if rng.chance(50) {
                if let Some(c) = contacts.get(rng.below(contacts.len())) {
                    set(Field::Contact, text(c.to_string()));
                }
            }
        }
    }
}

/// One officer's edit of a record: one or two fields, now and then a deletion.
fn edit(nb: &mut Notebook, r: &Record, who: &DeviceV1, now: u64, rng: &mut XorShift) {
    if rng.chance(2) {
        let _ = nb.delete(r.id, now);
        return;
    }
    let fields: &[Field] = match r.kind {
        Kind::Contact => &[Field::Phones, Field::Emails, Field::Title, Field::Organisation, Field::Notes, Field::Tags],
        Kind::Meeting => &[Field::Notes, Field::Decisions, Field::Title, Field::Location, Field::Tags, Field::Agenda],
        Kind::Action => &[Field::Done, Field::Due, Field::Owner, Field::Text],
    };
    for _ in 0..1 + rng.below(2) {
        let Some(&f) = fields.get(rng.below(fields.len())) else { continue };
        let v = match f {
            Field::Done => Value::Bool(true),
            Field::Due => text(date(60 + rng.below(60) as u64)),
            Field::Phones => list(vec![format!("+41 31 {:07}", rng.below(10_000_000))]),
            Field::Emails => list(vec![format!("desk{}@mod.example", rng.below(1000))]),
            Field::Tags => list(vec![rng.pick(&TAGS).into()]),
            Field::Notes if r.kind == Kind::Meeting => {
                text(format!("{} (Revised by {}.)", prose(rng, 1_000, sentence), who.officer))
            }
            Field::Notes | Field::Decisions | Field::Agenda => {
                text(format!("{} ({})", prose(rng, 150, sentence), who.officer))
            }
            _ => text(format!("{} ({})", sentence(rng), who.officer)),
        };
        let _ = nb.set(r.id, f, v, now);
    }
}

/// Generates one bundle per officer, each with every record of the shared base and that officer's edits.
pub fn generate(spec: &Spec) -> Vec<Generated> {
    let mut rng = XorShift::new(spec.seed);
    let profiles = officers(spec.officers.max(1), &mut rng);

    // The shared base, made by the officers in turn: ten minutes apart, oldest first.
    let mut authors: Vec<Notebook> = profiles.iter().map(|p| Notebook::new(p.id)).collect();
    let (mut contacts, mut meetings) = (Vec::new(), Vec::new());
    for i in 0..spec.records {
        let now = BASE_MS + i as u64 * 10 * MINUTE;
        let kind = match (i, rng.below(100)) {
            (0, _) => Kind::Contact,
            (1, _) => Kind::Meeting,
            (_, r) if r < 35 => Kind::Contact,
            (_, r) if r < 75 => Kind::Meeting,
            _ => Kind::Action,
        };
        let Some(nb) = authors.get_mut(i % profiles.len()) else { continue };
        let id = nb.create(kind, now, rng.bytes10());
        fill(nb, id, kind, now, &mut rng, &contacts, &meetings);
        match kind {
            Kind::Contact => contacts.push(id),
            Kind::Meeting => meetings.push(id),
            Kind::Action => {}
        }
    }
    let base: Vec<Record> = authors.iter().flat_map(|nb| nb.records().cloned()).collect();
    let base_end = BASE_MS + spec.records as u64 * 10 * MINUTE + HOUR;

    // Each officer's own work. Odd officers start from their partner's finished state (they synced).
    let mut out = Vec::with_capacity(profiles.len());
    let mut partner: Vec<Record> = Vec::new();
    for (o, who) in profiles.iter().enumerate() {
        let start = base_end + o as u64 * 6 * HOUR;
        let records = if o % 2 == 1 { std::mem::take(&mut partner) } else { base.clone() };
        let mut nb = Notebook::from_records(who.id, records, start);
        nb.learn_devices(profiles.iter().cloned());
        let ids: Vec<RecordId> = nb.records().map(|r| r.id).collect();
        let mut minute = 0;
        for id in ids {
            if !rng.chance(spec.edit_percent) {
                continue;
            }
            let Some(r) = nb.record(id).cloned() else { continue };
            minute += 1;
            edit(&mut nb, &r, who, start + minute * MINUTE, &mut rng);
        }
        let now = start + (minute + 5) * MINUTE;
        let mut state = ExportState { sequence: 2 + (o as u64 % 5), ..ExportState::default() };
        let today = Date::from_days_since_epoch((now / 86_400_000) as i64);
        let replicas = std::collections::BTreeSet::from([who.id]);
        let request = ExportRequest {
            device: who,
            replicas: &replicas,
            scope: Scope::All,
            bundle_id: uuid::Builder::from_random_bytes(rng.bytes16()).into_uuid(),
            now_ms: now,
            today,
            ceiling: liaison_core::marking::Ceiling::All,
        };
        // The generator's own records stay far within every limit a bundle has.
        let e = export(&nb, &mut state, request).expect("generated bundles are within the bundle limits");
        if o % 2 == 0 {
            partner = nb.records().cloned().collect();
        }
        out.push(Generated { file_name: e.file_name, text: e.text, records: e.records });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_spec_gives_the_same_bundles_and_they_are_valid() {
        let spec = Spec { officers: 3, records: 60, edit_percent: 30, seed: 7 };
        let a = generate(&spec);
        assert_eq!(a, generate(&spec));
        assert_eq!(a.len(), 3);
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        for g in &a {
            let b = liaison_core::formats::bundle::read_bundle(g.text.as_bytes(), now);
            assert!(b.is_ok(), "{}: {:?}", g.file_name, b.err());
            assert_eq!(g.records, 60);
        }
    }
}
