//! The dashboard's questions: follow-ups due, recent meetings, meetings per nation, contacts not met, and
//! for a coordinator the officers whose work the notebook holds.
//!
//! **Who is a coordinator.** The notebook holds the work of another officer: it knows a device (from an
//! imported bundle or from the devices a bundle listed) whose officer is not this device's officer. An
//! officer's own second device (the tablet beside the laptop) does not make a coordinator, nor does a
//! vCard or iCalendar file. The card lists those other officers.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::shared::{held_meetings, involved, last_met_in, participant_ids, People, Tally};
use crate::crdt::clock::Stamp;
use crate::crdt::id::DeviceId;
use crate::crdt::id::RecordId;
use crate::crdt::record::Record;
use crate::date::Date;
use crate::exchange::pipeline::is_file_device;
use crate::exchange::ImportLog;
use crate::model::{Contact, Meeting};
use crate::notebook::{FollowUp, Notebook};
use crate::schema::{Field, Kind};
use crate::text::{self, FxBuild};

/// Follow-ups due within this many days from today (today included) are "upcoming".
pub const UPCOMING_DAYS: i64 = 14;
/// How many recent meetings the dashboard lists.
pub const RECENT_MEETINGS: usize = 5;
/// The window of the per-nation chart, in days ending today.
pub const NATION_WINDOW_DAYS: i64 = 90;
/// A contact not met for this many days is listed as not met.
pub const NOT_MET_DAYS: i64 = 180;

/// How many meetings involved one nation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NationCount {
    /// The nation, in its most used spelling among the counted meetings.
    pub nation: String,
    /// Meetings that involved it.
    pub meetings: usize,
}

/// A contact not met for a while.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotMet {
    /// The contact.
    pub contact: Contact,
    /// The date of the last meeting with them, or `None` if never met.
    pub last_met: Option<Date>,
    /// Days since then (or, if never met, since the contact was created).
    pub days: i64,
}

/// Everything the start screen shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dashboard {
    /// Open follow-ups past their due date, oldest due first.
    pub overdue: Vec<FollowUp>,
    /// Open follow-ups due today or within [`UPCOMING_DAYS`], soonest first.
    pub upcoming: Vec<FollowUp>,
    /// The last [`RECENT_MEETINGS`] meetings on or before today, newest first.
    pub recent_meetings: Vec<Meeting>,
    /// Meetings per nation over the last [`NATION_WINDOW_DAYS`] days, most first.
    pub meetings_per_nation: Vec<NationCount>,
    /// Contacts not met in [`NOT_MET_DAYS`] days.
    pub not_met: Vec<NotMet>,
}

/// The dashboard as of `today`, with the default windows. Reads the meetings once for all three of
/// their lists.
pub fn dashboard(nb: &Notebook, today: Date) -> Dashboard {
    // Open follow-ups come overdue first, then by due date: the two lists are a prefix and the rest.
    let (overdue, upcoming) =
        nb.open_follow_ups_due_by(today, today.add_days(UPCOMING_DAYS)).into_iter().partition(|f| f.overdue);
    let held = held_meetings(nb, today);
    let mut people = People::new(nb);
    let nations = nations_since(&mut people, &held, window_start(today, NATION_WINDOW_DAYS));
    let not_met = not_met_of(nb, today, NOT_MET_DAYS, &last_met_in(&mut people, held.iter().copied()));
    Dashboard {
        overdue,
        upcoming,
        recent_meetings: newest(&held, RECENT_MEETINGS),
        meetings_per_nation: per_nation_of(nations),
        not_met,
    }
}

/// The first day of the `days` days that end with `today`.
pub fn window_start(today: Date, days: i64) -> Date {
    today.add_days(1 - days.max(1))
}

/// The last `n` meetings dated on or before `today`, newest first (by date, start, then creation).
/// Undated meetings and meetings still to come are left out.
pub fn recent_meetings(nb: &Notebook, today: Date, n: usize) -> Vec<Meeting> {
    newest(&held_meetings(nb, today), n)
}

/// How many meetings dated in the last `days` days (ending today) involved each nation (see the module
/// documentation: the meeting's nations and its participants' nations, each nation once per meeting).
/// Most meetings first, then by nation.
pub fn meetings_per_nation(nb: &Notebook, today: Date, days: i64) -> Vec<NationCount> {
    per_nation_of(nations_since(&mut People::new(nb), &held_meetings(nb, today), window_start(today, days)))
}

/// Live contacts with no meeting in the last `days` days (ending today), as the module documentation
/// defines: met ones first, longest silence first, then never-met ones created at least `days` days
/// ago, oldest first.
pub fn contacts_not_met(nb: &Notebook, today: Date, days: i64) -> Vec<NotMet> {
    not_met_of(nb, today, days, &last_met_in(&mut People::new(nb), held_meetings(nb, today)))
}

/// The newest `n` of `held`, newest first.
fn newest(held: &[(Date, &Record)], n: usize) -> Vec<Meeting> {
    type Key<'a> = (Date, &'a str, Option<&'a Stamp>, RecordId);
    let mut dated: Vec<(Key<'_>, &Record)> =
        held.iter().map(|&(d, r)| ((d, r.text(Field::Start.key()), r.created(), r.id), r)).collect();
    let newest_first = |a: &(Key<'_>, &Record), b: &(Key<'_>, &Record)| b.0.cmp(&a.0);
    if n > 0 && dated.len() > n {
        dated.select_nth_unstable_by(n - 1, newest_first);
    }
    dated.truncate(n);
    dated.sort_by(newest_first);
    dated.into_iter().map(|(_, r)| Meeting::from_record(r)).collect()
}

/// The nations involved in the meetings of `held` dated from `from` on, each once per meeting.
fn nations_since<'a>(people: &mut People<'a>, held: &[(Date, &'a Record)], from: Date) -> Tally<'a> {
    let mut nations = Tally::default();
    for &(_, r) in held.iter().filter(|(d, _)| *d >= from) {
        let participants = people.of(participant_ids(r));
        for n in involved(&mut nations, r.list(Field::Nations.key()), &participants, Field::Nation) {
            nations.add(n);
        }
    }
    nations
}

fn per_nation_of(tally: Tally<'_>) -> Vec<NationCount> {
    let mut counts: Vec<(String, NationCount)> =
        tally.spellings().into_iter().map(|(key, nation, meetings)| (key, NationCount { nation, meetings })).collect();
    counts.sort_by(|a, b| b.1.meetings.cmp(&a.1.meetings).then_with(|| a.0.cmp(&b.0)));
    counts.into_iter().map(|(_, c)| c).collect()
}

fn not_met_of(nb: &Notebook, today: Date, days: i64, last: &HashMap<RecordId, Date, FxBuild>) -> Vec<NotMet> {
    let start = window_start(today, days);
    let mut out: Vec<(bool, Date, String, RecordId, &Record)> = Vec::new();
    for r in nb.alive(Kind::Contact) {
        if !r.text(Field::MergedInto.key()).is_empty() {
            continue;
        }
        let (since, never) = match last.get(&r.id) {
            Some(d) if *d >= start => continue,
            Some(d) => (*d, false),
            None => {
                let Some(created) = r.created() else { continue };
                let day = Date::from_days_since_epoch((created.wall_ms / 86_400_000) as i64);
                if day >= start {
                    continue;
                }
                (day, true)
            }
        };
        out.push((never, since, text::key(r.text(Field::Name.key())), r.id, r));
    }
    out.sort_by(|a, b| (a.0, a.1, &a.2, a.3).cmp(&(b.0, b.1, &b.2, b.3)));
    out.into_iter()
        .map(|(never, since, _, _, r)| NotMet {
            contact: Contact::from_record(r),
            last_met: (!never).then_some(since),
            days: since.days_until(today),
        })
        .collect()
}

/// The last bundle of an officer's that was imported here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastBundle {
    /// Its sequence number on the device that exported it.
    pub sequence: u64,
    /// When it was exported.
    pub created_ms: u64,
    /// When it was imported here.
    pub imported_ms: u64,
    /// The label of the device that exported it.
    pub device: String,
}

/// Another officer whose work the notebook holds, for the coordinator's card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Officer {
    /// Their name, or their device's label when the device names no officer; never blank.
    pub name: String,
    /// The labels of their devices the notebook knows, in label order.
    pub devices: Vec<String>,
    /// Their newest bundle imported here (by export time), or `None` when their work only came in other
    /// officers' bundles.
    pub last_bundle: Option<LastBundle>,
    /// Live records they created.
    pub records: usize,
    /// Sequence numbers of their bundles that are missing although later ones were imported.
    pub missing: Vec<u64>,
}

/// The other officers whose work the notebook holds (see the module documentation), by name; empty when
/// this notebook is not a coordinator's. `own_officer` is this device's officer.
pub fn officers(nb: &Notebook, log: &ImportLog, own_officer: &str) -> Vec<Officer> {
    let own = nb.own_replicas();
    let mut by: BTreeMap<String, (Officer, BTreeSet<DeviceId>)> = BTreeMap::new();
    let mut of_device: HashMap<DeviceId, String, FxBuild> = HashMap::default();
    for d in nb.devices().values() {
        let officer = d.officer.trim();
        if own.contains(&d.id) || is_file_device(d) || (!officer.is_empty() && text::same(officer, own_officer)) {
            continue;
        }
        let label = d.label.trim();
        let (key, name) = match (officer.is_empty(), label.is_empty()) {
            (false, _) => (text::key(officer), officer.to_string()),
            (true, false) => (format!("\u{10ffff}{}", d.id), label.to_string()),
            (true, true) => (format!("\u{10ffff}{}", d.id), format!("device {}", &d.id.to_string()[..8])),
        };
        of_device.insert(d.id, key.clone());
        let entry = by.entry(key).or_insert_with(|| {
            let o = Officer { name, devices: Vec::new(), last_bundle: None, records: 0, missing: Vec::new() };
            (o, BTreeSet::new())
        });
        if !label.is_empty() {
            entry.0.devices.push(label.to_string());
        }
        entry.1.insert(d.id);
    }
    if by.is_empty() {
        return Vec::new();
    }
    for r in nb.records().filter(|r| !r.is_deleted()) {
        if let Some(key) = r.created().and_then(|s| of_device.get(&s.device)) {
            if let Some((o, _)) = by.get_mut(key) {
                o.records += 1;
            }
        }
    }
    let label_of = |d: DeviceId| nb.devices().get(&d).map(|p| p.label.trim().to_string()).unwrap_or_default();
    for e in &log.entries {
        let Some((o, _)) = of_device.get(&e.device).and_then(|k| by.get_mut(k)) else { continue };
        let newer = o.last_bundle.as_ref().is_none_or(|b| (e.created_ms, e.sequence) > (b.created_ms, b.sequence));
        if newer {
            o.last_bundle = Some(LastBundle {
                sequence: e.sequence,
                created_ms: e.created_ms,
                imported_ms: e.imported_ms,
                device: label_of(e.device),
            });
        }
    }
    for g in log.gaps() {
        if let Some((o, _)) = of_device.get(&g.device).and_then(|k| by.get_mut(k)) {
            o.missing.extend(g.missing);
        }
    }
    by.into_values()
        .map(|(mut o, _)| {
            o.devices.sort_by_key(|l| text::key(l));
            o.devices.dedup();
            o.missing.sort_unstable();
            o
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_start_counts_today_as_the_first_day() {
        let today = Date::parse("2026-03-31").unwrap();
        assert_eq!(window_start(today, 1), today);
        assert_eq!(window_start(today, 90), Date::parse("2026-01-01").unwrap());
    }

    mod officers {
        use super::super::*;
        use crate::exchange::LogEntry;
        use crate::formats::bundle::Scope;
        use crate::model::DeviceProfile;
        use crate::schema::Value;

        const NOW: u64 = 1_790_000_000_000;

        fn device(seed: u8, officer: &str, label: &str) -> DeviceProfile {
            DeviceProfile {
                id: DeviceId::new_v7(NOW - 9_000_000, [seed; 10]),
                label: label.into(),
                officer: officer.into(),
            }
        }

        fn bundle(d: &DeviceProfile, sequence: u64, created_ms: u64) -> LogEntry {
            LogEntry {
                bundle_id: uuid::Uuid::from_u128(u128::from(sequence) << 64 | u128::from(d.id.0.as_u128() as u64)),
                device: d.id,
                sequence,
                scope: Scope::Changes,
                created_ms,
                imported_ms: created_ms + 60_000,
                records: 1,
                checksum: String::new(),
                partial: false,
            }
        }

        /// A contact created on `d`, joined into `nb` as an import would.
        fn contact_from(nb: &mut Notebook, d: &DeviceProfile, name: &str, seed: u8) {
            let mut theirs = Notebook::new(d.id);
            let id = theirs.create(Kind::Contact, NOW - 5_000, [seed; 10]);
            theirs.set(id, Field::Name, Value::Text(name.into()), NOW - 4_000).expect("a name");
            let r = theirs.record(id).cloned().expect("the contact");
            nb.merge_record(&r, NOW).expect("it joins");
        }

        fn coordinator() -> Notebook {
            Notebook::new(DeviceId::new_v7(NOW - 10_000_000, [0xC0; 10]))
        }

        #[test]
        fn each_other_officer_is_listed_with_their_newest_bundle_and_the_records_they_created() {
            let mut nb = coordinator();
            let reto = device(1, "Hptm Reto Caflisch", "Caflisch laptop");
            let karin = device(2, "Maj Karin Huber", "Huber tablet");
            nb.learn_devices([reto.clone(), karin.clone()]);
            contact_from(&mut nb, &reto, "Anna Wöber", 1);
            contact_from(&mut nb, &reto, "Boris Kovalenko", 2);
            let log = ImportLog { entries: vec![bundle(&reto, 1, NOW - 3_000), bundle(&reto, 2, NOW - 2_000)] };
            let got = officers(&nb, &log, "Obst Clara Weiss");
            assert_eq!(got.len(), 2);
            assert_eq!(got[0].name, "Hptm Reto Caflisch");
            assert_eq!(got[0].records, 2);
            assert_eq!(got[0].devices, ["Caflisch laptop"]);
            let last = got[0].last_bundle.as_ref().expect("a bundle of his was imported");
            assert_eq!((last.sequence, last.created_ms, last.device.as_str()), (2, NOW - 2_000, "Caflisch laptop"));
            assert_eq!(got[1].name, "Maj Karin Huber");
            assert_eq!(got[1].last_bundle, None, "her work came only in his bundles");
        }

        #[test]
        fn an_officers_own_second_device_and_a_vcard_file_make_no_coordinator() {
            let mut nb = coordinator();
            let tablet = device(3, "Obst Clara Weiss", "Weiss tablet");
            let file = DeviceProfile {
                id: DeviceId::new_v7(NOW, [9; 10]),
                label: "vCard file contacts.vcf".into(),
                officer: String::new(),
            };
            nb.learn_devices([tablet.clone(), file]);
            let log = ImportLog { entries: vec![bundle(&tablet, 1, NOW - 1_000)] };
            assert_eq!(officers(&nb, &log, "obst  clara weiss"), Vec::new());
        }

        #[test]
        fn one_officers_devices_are_one_row_with_the_bundles_missing_between_those_imported() {
            let mut nb = coordinator();
            let laptop = device(4, "Hptm Reto Caflisch", "Caflisch laptop");
            let tablet = device(5, "Hptm Reto Caflisch", "Caflisch tablet");
            nb.learn_devices([tablet.clone(), laptop.clone()]);
            let log = ImportLog {
                entries: vec![
                    bundle(&laptop, 1, NOW - 9_000),
                    bundle(&laptop, 4, NOW - 8_000),
                    bundle(&tablet, 1, NOW - 1_000),
                ],
            };
            let got = officers(&nb, &log, "Obst Clara Weiss");
            assert_eq!(got.len(), 1);
            assert_eq!(got[0].devices, ["Caflisch laptop", "Caflisch tablet"]);
            assert_eq!(got[0].missing, [2, 3]);
            let last = got[0].last_bundle.as_ref().expect("bundles were imported");
            assert_eq!((last.sequence, last.device.as_str()), (1, "Caflisch tablet"));
        }
    }
}
