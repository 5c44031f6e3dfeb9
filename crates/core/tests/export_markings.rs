//! Exports with a marking limit: what the limit leaves out has not left the device, so it stays
//! pending until an export that allows it, whatever exports come in between.

use std::collections::BTreeSet;

use liaison_core::crdt::id::{DeviceId, RecordId};
use liaison_core::date::Date;
use liaison_core::exchange::{self, Export, ExportRequest, ExportState, ImportLog};
use liaison_core::formats::bundle::{read_bundle, Scope};
use liaison_core::formats::wire::DeviceV1;
use liaison_core::marking::record_within;
use liaison_core::marking::Ceiling;
use liaison_core::schema::Value;
use liaison_core::schema::{Field, Kind};
use liaison_core::Notebook;
use proptest::prelude::*;

const T0: u64 = 1_780_000_000_000;
const DAY: u64 = 86_400_000;

struct Officer {
    nb: Notebook,
    device: DeviceV1,
    state: ExportState,
    now: u64,
    bundles: u128,
}

impl Officer {
    fn new() -> Self {
        let id = DeviceId::new_v7(T0, [7; 10]);
        let device = DeviceV1 { id, label: "Field laptop".into(), officer: "Lt Col Ana Ruiz".into() };
        Officer { nb: Notebook::new(id), device, state: ExportState::default(), now: T0, bundles: 0 }
    }

    fn tick(&mut self) -> u64 {
        self.now += 1_000;
        self.now
    }

    fn record(&mut self, kind: Kind, marking: &str) -> RecordId {
        let now = self.tick();
        let id = self.nb.create(kind, now, [self.bundles as u8, (now / 1_000) as u8, 1, 2, 3, 4, 5, 6, 7, 8]);
        self.mark(id, marking);
        id
    }

    fn mark(&mut self, id: RecordId, marking: &str) {
        let now = self.tick();
        self.nb.set(id, Field::Marking, Value::Text(marking.into()), now).expect("mark");
    }

    fn action_of(&mut self, meeting: RecordId) -> RecordId {
        let now = self.tick();
        let id = self.nb.create(Kind::Action, now, [9, (now / 1_000) as u8, 9, 9, 9, 9, 9, 9, 9, 9]);
        let now = self.tick();
        self.nb.set(id, Field::Meeting, Value::Text(meeting.to_string()), now).expect("link");
        id
    }

    fn export(&mut self, scope: Scope, ceiling: Ceiling) -> Export {
        self.bundles += 1;
        let now = self.tick();
        let replicas = BTreeSet::from([self.device.id]);
        let request = ExportRequest {
            device: &self.device,
            replicas: &replicas,
            scope,
            bundle_id: uuid::Uuid::from_u128(0x019c_eced_0000_7000_8000_0000_0000_0000 + self.bundles),
            now_ms: now,
            today: Date::from_days_since_epoch((now / DAY) as i64),
            ceiling,
        };
        exchange::export(&self.nb, &mut self.state, request).expect("within the limits")
    }
}

fn carried(export: &Export) -> BTreeSet<RecordId> {
    let bundle = read_bundle(export.text.as_bytes(), T0 + 365 * DAY).expect("an export reads back");
    bundle.records.iter().map(|r| r.id).collect()
}

#[test]
fn a_changes_export_with_a_marking_limit_keeps_the_left_out_records_pending() {
    let mut o = Officer::new();
    let contact = o.record(Kind::Contact, "UNCLASSIFIED");
    let meeting = o.record(Kind::Meeting, "SECRET");
    let action = o.action_of(meeting);

    let first = o.export(Scope::Changes, Ceiling::Restricted);
    assert_eq!(carried(&first), BTreeSet::from([contact]));
    assert_eq!((first.records, first.left_out), (1, 2));
    assert_eq!(
        first.left_out_message().as_deref(),
        Some("2 records above RESTRICTED were left out and stay waiting for an export that allows them.")
    );

    let again = o.export(Scope::Changes, Ceiling::Restricted);
    assert!(carried(&again).is_empty(), "nothing new was allowed");
    assert_eq!(again.left_out, 2, "the SECRET meeting and its action are still waiting");

    let allowed = o.export(Scope::Changes, Ceiling::Secret);
    assert_eq!(carried(&allowed), BTreeSet::from([meeting, action]), "a higher limit carries what was held back");
    assert_eq!(allowed.left_out_message(), None);

    let after = o.export(Scope::Changes, Ceiling::All);
    assert!(carried(&after).is_empty(), "once carried, nothing is pending");
    assert!(o.state.pending(&o.nb, &BTreeSet::from([o.device.id])).is_empty());
}

#[test]
fn an_everything_export_with_a_marking_limit_keeps_this_devices_left_out_changes_pending() {
    let mut o = Officer::new();
    let open = o.record(Kind::Contact, "");
    let secret = o.record(Kind::Contact, "SECRET");
    let everything = o.export(Scope::All, Ceiling::Confidential);
    assert_eq!(carried(&everything), BTreeSet::from([open]));
    assert_eq!(
        everything.left_out_message().as_deref(),
        Some("1 record above CONFIDENTIAL was left out and stays waiting for an export that allows it.")
    );
    let changes = o.export(Scope::Changes, Ceiling::All);
    assert_eq!(carried(&changes), BTreeSet::from([secret]));
}

#[test]
fn a_held_back_record_whose_marking_is_lowered_elsewhere_leaves_with_the_next_changes_export() {
    let mut o = Officer::new();
    let contact = o.record(Kind::Contact, "CONFIDENTIAL");
    assert_eq!(o.export(Scope::Changes, Ceiling::Restricted).left_out, 1);
    // A colleague downgrades it; this device only merges that edit, it does not stamp one of its own.
    let mut colleague =
        Notebook::from_records(DeviceId::new_v7(T0, [8; 10]), vec![o.nb.record(contact).expect("here").clone()], o.now);
    colleague.set(contact, Field::Marking, Value::Text("RESTRICTED".into()), o.now + 1).expect("mark");
    let now = o.tick();
    o.nb.merge_record(colleague.record(contact).expect("there"), now).expect("merge");
    assert_eq!(carried(&o.export(Scope::Changes, Ceiling::Restricted)), BTreeSet::from([contact]));
}

#[test]
fn an_export_state_saved_before_records_were_held_back_still_reads_and_saves_the_same() {
    let old = r#"{"sequence":3,"last_ms":1780000000000,"last_seen":{},"last_scope":"changes"}"#;
    let state: ExportState = serde_json::from_str(old).expect("old state reads");
    assert!(state.held_back.is_empty());
    assert_eq!(serde_json::to_string(&state).expect("writes"), old);
}

#[derive(Clone, Debug)]
enum Step {
    Mark(usize, &'static str),
    Note(usize),
    Export(Scope, Ceiling),
}

const MARKINGS: [&str; 6] = ["", "UNCLASSIFIED", "NATO RESTRICTED", "CONFIDENTIAL", "SECRET", "Company internal"];

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..4usize, prop::sample::select(MARKINGS.to_vec())).prop_map(|(i, m)| Step::Mark(i, m)),
        (0..5usize).prop_map(Step::Note),
        (prop::sample::select(vec![Scope::All, Scope::Changes]), prop::sample::select(Ceiling::EVERY.to_vec()))
            .prop_map(|(s, c)| Step::Export(s, c)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever exports an officer makes, with whatever limits, no bundle carries a record above its
    /// limit, and a last "changes" export of everything brings a coordinator who imports every bundle
    /// exactly what the officer has.
    #[test]
    fn no_sequence_of_limited_exports_loses_an_edit_or_leaks_a_marking(steps in prop::collection::vec(step(), 1..24)) {
        let mut o = Officer::new();
        // Three contacts and a meeting (index 3) with an action (index 4), which carries its marking.
        let mut ids: Vec<RecordId> = (0..3).map(|_| o.record(Kind::Contact, "")).collect();
        let meeting = o.record(Kind::Meeting, "");
        ids.push(meeting);
        ids.push(o.action_of(meeting));
        let mut bundles = Vec::new();
        for s in steps {
            match s {
                Step::Mark(i, m) => o.mark(ids[i], m),
                Step::Note(i) => {
                    let now = o.tick();
                    let field = if i == 4 { Field::Text } else { Field::Notes };
                    o.nb.set(ids[i], field, Value::Text(format!("note {now}")), now).expect("note");
                }
                Step::Export(scope, ceiling) => {
                    let e = o.export(scope, ceiling);
                    for id in carried(&e) {
                        let r = o.nb.record(id).expect("exported from here");
                        prop_assert!(record_within(&o.nb, r, ceiling), "{id} left above {ceiling:?}");
                    }
                    bundles.push(e.text);
                }
            }
        }
        bundles.push(o.export(Scope::Changes, Ceiling::All).text);
        let mut coordinator = Notebook::new(DeviceId::new_v7(T0, [1; 10]));
        let mut log = ImportLog::default();
        let at = o.now + DAY;
        for (i, text) in bundles.iter().enumerate() {
            let plan = exchange::plan(&coordinator, &log, vec![(format!("{i}.json"), read_bundle(text.as_bytes(), at))], at);
            // Whether it went in shows below, record by record.
            let _ = exchange::apply(&mut coordinator, &mut log, plan, at);
        }
        for id in &ids {
            prop_assert_eq!(coordinator.record(*id), o.nb.record(*id));
        }
    }
}
