//! Golden bundle fixtures: files written by this version that every later version must read, and that
//! must come out byte for byte the same when written again (the v1 format is frozen).
//!
//! A fixture is added, never edited. The generators below made each file once, from fixed ids, times and
//! random bytes. To add a fixture, add a generator to [`generators`] and an expectation to [`EXPECTED`],
//! then run
//!
//! ```text
//! LIAISON_WRITE_FIXTURES=1 cargo test -p liaison-core --test fixtures write_missing_fixtures_when_asked
//! ```
//!
//! which writes only the files that do not exist yet. Existing files are never overwritten, even when a
//! generator would now write something else: the committed bytes are the reference.
//!
//! The HTML-payload fixture is also written to `tests/e2e/fixtures/html-payload.json` for the Playwright
//! suite, which imports it and checks that every payload is shown as text.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{rewrite, rewrite_v3};
use liaison_core::date::Date;
use liaison_core::exchange::{self, ExportState, ImportLog};
use liaison_core::formats::bundle::{read_bundle, write_bundle, Bundle, ExportInput, Scope};
use liaison_core::formats::wire::DeviceV1;
use liaison_core::model::{Action, Contact, Meeting};
use liaison_core::{DeviceId, Field, Kind, Notebook, Record, RecordId, Value};
use uuid::Uuid;

/// 2026-03-14 14:53:20 UTC: when the fixtures' officers took their notes.
const T0: u64 = 1_773_500_000_000;
const MINUTE: u64 = 60_000;
const DAY: u64 = 86_400_000;
/// The importing device's clock when the fixtures are read: a month later.
const READ_NOW: u64 = T0 + 30 * DAY;

/// The HTML and script payloads of the html-payload fixture. They are valid data and must come back
/// exactly; the app must show them as text.
pub const PAYLOADS: [&str; 12] = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\"><svg/onload=alert(1)>",
    "javascript:alert(1)",
    "</textarea><script>alert(2)</script>",
    "<iframe src=\"javascript:alert(3)\"></iframe>",
    "{{constructor.constructor('alert(4)')()}}",
    "&lt;b&gt;not bold&lt;/b&gt; &amp; <b>bold?</b>",
    "<a href=\"javascript:alert(5)\">click</a>",
    "' OR '1'='1'; --",
    "\u{202e}txt.exe\u{202c} <style>*{display:none}</style>",
    "line one\nline two\t<br>tab",
];

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn e2e_payload_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/e2e/fixtures/html-payload.json")
}

fn dev(n: u8) -> DeviceId {
    DeviceId::new_v7(T0 - 200 * DAY + u64::from(n) * 7_919, [n, 0xd0, 0x0d, n ^ 0x5a, 1, 2, 3, 4, 5, n])
}

fn profile(n: u8, label: &str, officer: &str) -> DeviceV1 {
    DeviceV1 { id: dev(n), label: label.into(), officer: officer.into() }
}

fn bundle_id(n: u8) -> Uuid {
    uuid::Builder::from_unix_timestamp_millis(T0 + u64::from(n) * DAY, &[0xb0, n, 2, 3, 4, 5, 6, 7, 8, n]).into_uuid()
}

/// Random bytes for record ids: fixed, and different per (device, n).
fn rnd(device: u8, n: u8) -> [u8; 10] {
    [device, n, 0x11, 0x22, 0x33, 0x44, 0x55, n ^ 0xa5, device ^ 0x3c, 0x77]
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn list(items: &[&str]) -> Value {
    Value::List(items.iter().map(|s| s.to_string()).collect())
}

fn today(ms: u64) -> Date {
    Date::from_days_since_epoch((ms / DAY) as i64)
}

fn set(nb: &mut Notebook, id: RecordId, values: &[(Field, Value)], at: &mut u64) {
    for (f, v) in values {
        *at += 1_000;
        nb.set(id, *f, v.clone(), *at).expect("set");
    }
}

/// Imports bundle texts into a notebook the way the app does: read, plan, apply.
fn import(nb: &mut Notebook, log: &mut ImportLog, texts: &[&str], now: u64) {
    let files = texts.iter().enumerate().map(|(i, t)| (format!("f{i}.json"), read_bundle(t.as_bytes(), now))).collect();
    let plan = exchange::plan(nb, log, files, now);
    for f in &plan.files {
        assert!(matches!(f, exchange::FileVerdict::Ready(_)), "generator bundle refused: {f:?}");
    }
    exchange::apply(nb, log, plan, now).expect("the plan applies");
}

/// Name, title, organisation, nation, emails, languages, marking.
type Person = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
);

/// A fixture's file name and the function that made it.
type Generator = (&'static str, fn() -> String);

/// Anna's notebook: one officer, contacts in several scripts, two meetings, three actions, markings.
struct Officer {
    nb: Notebook,
    me: DeviceV1,
    state: ExportState,
    contacts: Vec<RecordId>,
    actions: Vec<RecordId>,
    at: u64,
}

fn officer() -> Officer {
    let me = profile(1, "Field laptop", "Lt Col Ana Ruiz");
    let mut nb = Notebook::new(me.id);
    nb.learn_devices([me.clone()]);
    let mut at = T0;
    let people: [Person; 5] = [
        (
            "Мария Иванова",
            "Colonel",
            "Ministry of Defence",
            "UKR",
            &["m.ivanova@mod.example"],
            &["uk", "en"],
            "NATO RESTRICTED",
        ),
        ("李小龍", "Commander", "Liaison Office", "TWN", &["li@liaison.example"], &["zh", "en"], "UNCLASSIFIED"),
        (
            "محمد عبد الله",
            "Brigadier",
            "Joint Staff",
            "JOR",
            &[],
            &["ar", "en", "fr"],
            "UNCLASSIFIED // REL TO AUT, CHE",
        ),
        (
            "Zoë Müller-Łukasiewicz",
            "Oberstleutnant",
            "Bundesheer",
            "AUT",
            &["zoe.mueller@bmlv.example", "z.m@example.org"],
            &["de"],
            "",
        ),
        ("Ἀθηνᾶ Παπαδοπούλου", "Ταξίαρχος", "ΓΕΕΘΑ", "GRC", &["athena@geetha.example"], &["el", "en"], "RESTRICTED"),
    ];
    let mut contacts = Vec::new();
    for (i, (name, title, org, nation, emails, langs, marking)) in people.iter().enumerate() {
        at += MINUTE;
        let id = nb.create(Kind::Contact, at, rnd(1, i as u8));
        set(
            &mut nb,
            id,
            &[
                (Field::Name, text(name)),
                (Field::Title, text(title)),
                (Field::Organisation, text(org)),
                (Field::Nation, text(nation)),
                (Field::Role, text(if i % 2 == 0 { "Defence attaché" } else { "Liaison officer" })),
                (Field::Emails, list(emails)),
                (Field::Phones, list(&["+43 1 5200 0", "+43 664 000 0000"][..i % 3])),
                (Field::Languages, list(langs)),
                (Field::Notes, text(&format!("Met at the spring conference; card #{i}. “Quotes” and emoji 🤝."))),
                (Field::Tags, list(&["spring-conference", if i < 2 { "east" } else { "south" }])),
                (Field::Marking, text(marking)),
            ],
            &mut at,
        );
        contacts.push(id);
    }
    let mut meetings = Vec::new();
    for (i, (title, date, start, end, loc, parts)) in [
        (
            "Border crossings working group",
            "2026-03-10",
            "09:30",
            "11:00",
            "HQ Building B, room 2.14",
            vec![0usize, 1, 3],
        ),
        (
            "Ужин с делегацией / Dinner with the delegation",
            "2026-03-12",
            "19:00",
            "21:30",
            "Hotel Sacher, Wien",
            vec![0, 2, 4],
        ),
    ]
    .into_iter()
    .enumerate()
    {
        at += MINUTE;
        let id = nb.create(Kind::Meeting, at, rnd(1, 20 + i as u8));
        let participants: Vec<String> = parts.iter().map(|p| contacts[*p].to_string()).collect();
        set(
            &mut nb,
            id,
            &[
                (Field::Title, text(title)),
                (Field::Date, text(date)),
                (Field::Start, text(start)),
                (Field::End, text(end)),
                (Field::Location, text(loc)),
                (Field::Participants, Value::List(participants)),
                (Field::Attendees, list(&["Interpreter (not a contact)"])),
                (Field::Organisations, list(&["Ministry of Defence", "Bundesheer"])),
                (Field::Nations, list(&["UKR", "AUT"])),
                (Field::Agenda, text("1. Status\n2. Next steps")),
                (Field::Notes, text("Agreed to exchange points of contact.\nFollow-up in April.")),
                (Field::Decisions, text("Monthly meetings from April.")),
                (Field::Tags, list(&["working-group"])),
                (Field::Marking, text(if i == 0 { "NATO RESTRICTED" } else { "UNCLASSIFIED" })),
            ],
            &mut at,
        );
        meetings.push(id);
    }
    let mut actions = Vec::new();
    for (i, (what, owner, due, done, meeting, contact)) in [
        ("Send the minutes", "Ana Ruiz", "2026-03-17", false, 0usize, Some(0usize)),
        ("Book the next room", "Ana Ruiz", "2026-04-01", true, 0, None),
        ("Отправить благодарственное письмо", "Мария Иванова", "", false, 1, Some(0)),
    ]
    .into_iter()
    .enumerate()
    {
        at += MINUTE;
        let id = nb.create(Kind::Action, at, rnd(1, 40 + i as u8));
        let mut values = vec![
            (Field::Text, text(what)),
            (Field::Owner, text(owner)),
            (Field::Due, text(due)),
            (Field::Done, Value::Bool(done)),
            (Field::Meeting, text(&meetings[meeting].to_string())),
        ];
        if let Some(c) = contact {
            values.push((Field::Contact, text(&contacts[c].to_string())));
        }
        set(&mut nb, id, &values, &mut at);
        actions.push(id);
    }
    Officer { nb, me, state: ExportState::default(), contacts, actions, at }
}

fn export(o: &mut Officer, scope: Scope, bundle: u8) -> String {
    o.at += MINUTE;
    export_as_device(&o.nb, &o.me, &mut o.state, scope, bundle_id(bundle), o.at, today(o.at)).text
}

fn gen_all_one_officer() -> String {
    let mut o = officer();
    export(&mut o, Scope::All, 1)
}

fn gen_changes() -> String {
    let mut o = officer();
    export(&mut o, Scope::All, 1);
    o.at += DAY;
    let mut at = o.at;
    set(&mut o.nb, o.contacts[1], &[(Field::Phones, list(&["+886 2 0000 0000"]))], &mut at);
    set(&mut o.nb, o.actions[0], &[(Field::Done, Value::Bool(true))], &mut at);
    at += MINUTE;
    let m = o.nb.create(Kind::Meeting, at, rnd(1, 60));
    let parts = Value::List(vec![o.contacts[3].to_string(), o.contacts[4].to_string()]);
    set(
        &mut o.nb,
        m,
        &[
            (Field::Title, text("Κοινή άσκηση — planning")),
            (Field::Date, text("2026-03-15")),
            (Field::Participants, parts),
            (Field::Marking, text("NATO RESTRICTED")),
        ],
        &mut at,
    );
    at += MINUTE;
    let a = o.nb.create(Kind::Action, at, rnd(1, 61));
    set(
        &mut o.nb,
        a,
        &[(Field::Text, text("Share the exercise calendar")), (Field::Meeting, text(&m.to_string()))],
        &mut at,
    );
    at += MINUTE;
    o.nb.delete(o.contacts[2], at).expect("delete");
    o.at = at;
    export(&mut o, Scope::Changes, 2)
}

fn coordinator() -> (Notebook, DeviceV1, ImportLog) {
    let me = profile(9, "Coordinator desk", "Col Ingrid Dahl");
    let mut nb = Notebook::new(me.id);
    nb.learn_devices([me.clone()]);
    (nb, me, ImportLog::default())
}

/// Two officers edit the same contact and meeting without seeing each other's edits; a coordinator
/// imports both and exports everything, conflicts included.
fn gen_field_conflict() -> String {
    let b_dev = profile(2, "Tablet", "Maj Jan Novák");
    let c_dev = profile(3, "Laptop (spare)", "Capt 王伟");
    let mut b = Notebook::new(b_dev.id);
    let mut at = T0;
    let contact = b.create(Kind::Contact, at, rnd(2, 1));
    set(
        &mut b,
        contact,
        &[(Field::Name, text("Jiří Dvořák")), (Field::Organisation, text("Army of the Czech Republic"))],
        &mut at,
    );
    at += MINUTE;
    let meeting = b.create(Kind::Meeting, at, rnd(2, 2));
    set(
        &mut b,
        meeting,
        &[
            (Field::Title, text("Logistics talks")),
            (Field::Location, text("Room 3")),
            (Field::Participants, Value::List(vec![contact.to_string()])),
        ],
        &mut at,
    );
    let mut b_state = ExportState::default();
    let first = export_as_device(&b, &b_dev, &mut b_state, Scope::All, bundle_id(10), at + MINUTE, today(at)).text;
    let mut c = Notebook::new(c_dev.id);
    let mut c_log = ImportLog::default();
    import(&mut c, &mut c_log, &[&first], at + 2 * MINUTE);
    // Concurrent edits: neither side has seen the other's.
    let mut at_b = at + 10 * MINUTE;
    set(&mut b, contact, &[(Field::Name, text("Jiří Dvořák (Col)"))], &mut at_b);
    set(&mut b, meeting, &[(Field::Location, text("Room 3, 2nd floor"))], &mut at_b);
    let mut at_c = at + 11 * MINUTE;
    set(&mut c, contact, &[(Field::Name, text("Col Jiri Dvorak"))], &mut at_c);
    set(&mut c, meeting, &[(Field::Location, text("Zimmer 3"))], &mut at_c);
    set(&mut c, contact, &[(Field::Phones, list(&["+420 973 000 000"]))], &mut at_c);
    let from_b = export_as_device(&b, &b_dev, &mut b_state, Scope::All, bundle_id(11), at_b + MINUTE, today(at_b)).text;
    let mut c_state = ExportState::default();
    let from_c = export_as_device(&c, &c_dev, &mut c_state, Scope::All, bundle_id(12), at_c + MINUTE, today(at_c)).text;
    let (mut d, d_dev, mut d_log) = coordinator();
    let now = at_c + 5 * MINUTE;
    import(&mut d, &mut d_log, &[&from_b, &from_c], now);
    assert_eq!(d.conflicts().len(), 2, "the fixture must hold two field conflicts");
    export_as_device(&d, &d_dev, &mut ExportState::default(), Scope::All, bundle_id(13), now + MINUTE, today(now)).text
}

/// One officer deletes a meeting while another, not knowing, edits its notes; a third record is deleted
/// and restored. The coordinator's export carries the tombstone and the edit made after it.
fn gen_edit_after_delete() -> String {
    let b_dev = profile(4, "Field phone", "WO2 Siobhán Ó Briain");
    let c_dev = profile(5, "Office PC", "Lt Kofi Mensah");
    let mut b = Notebook::new(b_dev.id);
    let mut at = T0 + DAY;
    let meeting = b.create(Kind::Meeting, at, rnd(4, 1));
    set(
        &mut b,
        meeting,
        &[(Field::Title, text("Port visit")), (Field::Notes, text("First draft")), (Field::Date, text("2026-03-20"))],
        &mut at,
    );
    at += MINUTE;
    let action = b.create(Kind::Action, at, rnd(4, 2));
    set(&mut b, action, &[(Field::Text, text("Confirm berth")), (Field::Meeting, text(&meeting.to_string()))], &mut at);
    at += MINUTE;
    let contact = b.create(Kind::Contact, at, rnd(4, 3));
    set(&mut b, contact, &[(Field::Name, text("Harbour master"))], &mut at);
    let mut b_state = ExportState::default();
    let first = export_as_device(&b, &b_dev, &mut b_state, Scope::All, bundle_id(20), at + MINUTE, today(at)).text;
    let mut c = Notebook::new(c_dev.id);
    let mut c_log = ImportLog::default();
    import(&mut c, &mut c_log, &[&first], at + 2 * MINUTE);
    let mut at_b = at + 10 * MINUTE;
    b.delete(meeting, at_b).expect("delete");
    at_b += MINUTE;
    b.delete(contact, at_b).expect("delete");
    at_b += MINUTE;
    b.restore(contact, at_b).expect("restore");
    let mut at_c = at + 12 * MINUTE;
    set(&mut c, meeting, &[(Field::Notes, text("Final notes, written without knowing of the delete"))], &mut at_c);
    let from_b = export_as_device(&b, &b_dev, &mut b_state, Scope::All, bundle_id(21), at_b + MINUTE, today(at_b)).text;
    let from_c = export_as_device(
        &c,
        &c_dev,
        &mut ExportState::default(),
        Scope::All,
        bundle_id(22),
        at_c + MINUTE,
        today(at_c),
    )
    .text;
    let (mut d, d_dev, mut d_log) = coordinator();
    let now = at_c + 5 * MINUTE;
    import(&mut d, &mut d_log, &[&from_c, &from_b], now);
    let edited_after_delete = d
        .conflicts()
        .iter()
        .filter(|(_, c)| matches!(c, liaison_core::crdt::record::Conflict::EditedAfterDelete { .. }))
        .count();
    assert_eq!(edited_after_delete, 1, "the fixture must hold an edit made after a delete");
    export_as_device(&d, &d_dev, &mut ExportState::default(), Scope::All, bundle_id(23), now + MINUTE, today(now)).text
}

/// A field this version does not know (from a newer version) and a duplicate contact merged into its
/// survivor: both must survive a read and a write unchanged.
fn gen_future_field_and_merge() -> String {
    let me = profile(6, "", "Sgt Aiko Tanaka");
    let mut nb = Notebook::new(me.id);
    let mut at = T0 + 2 * DAY;
    let a = nb.create(Kind::Contact, at, rnd(6, 1));
    set(&mut nb, a, &[(Field::Name, text("田中 一郎")), (Field::Emails, list(&["ichiro@example.jp"]))], &mut at);
    at += MINUTE;
    let dup = nb.create(Kind::Contact, at, rnd(6, 2));
    set(&mut nb, dup, &[(Field::Name, text("Ichiro Tanaka")), (Field::Phones, list(&["+81 3 0000 0000"]))], &mut at);
    at += MINUTE;
    nb.merge_contacts(a, dup, vec![(Field::Phones, list(&["+81 3 0000 0000"]))], at).expect("merge");
    // A newer version's field, written the way a record would carry it.
    let mut rec: Record = nb.record(a).expect("record").clone();
    at += MINUTE;
    rec.write("x-callsign", text("SAKURA 1"), liaison_core::Stamp { wall_ms: at, counter: 0, device: me.id });
    let records: Vec<Record> = nb.records().map(|r| if r.id == a { rec.clone() } else { r.clone() }).collect();
    let nb = Notebook::from_records(me.id, records, at);
    at += MINUTE;
    let refs: Vec<&Record> = nb.records().collect();
    write_bundle(ExportInput {
        bundle_id: bundle_id(30),
        created_ms: at,
        device: &me,
        sequence: 7,
        scope: Scope::All,
        devices: vec![me.clone()],
        records: refs,
    })
    .expect("within the limits")
}

/// Contacts, a meeting and an action whose text, and whose officer's name, are HTML and script payloads.
fn gen_html_payload() -> String {
    let me = profile(7, "<b>Tablet</b> <script>alert('label')</script>", "<img src=x onerror=alert('officer')>");
    let mut nb = Notebook::new(me.id);
    let mut at = T0 + 3 * DAY;
    let mut contacts = Vec::new();
    for (i, pair) in PAYLOADS.chunks(2).enumerate() {
        at += MINUTE;
        let id = nb.create(Kind::Contact, at, rnd(7, i as u8));
        set(
            &mut nb,
            id,
            &[
                (Field::Name, text(pair[0])),
                (Field::Notes, text(pair[1])),
                (Field::Organisation, text(pair[0])),
                (Field::Emails, list(&[pair[1]])),
                (Field::Tags, list(pair)),
                (Field::Marking, text(pair[1])),
            ],
            &mut at,
        );
        contacts.push(id);
    }
    at += MINUTE;
    let m = nb.create(Kind::Meeting, at, rnd(7, 50));
    set(
        &mut nb,
        m,
        &[
            (Field::Title, text(PAYLOADS[0])),
            (Field::Date, text("2026-03-17")),
            (Field::Location, text(PAYLOADS[1])),
            (Field::Participants, Value::List(contacts.iter().map(|c| c.to_string()).collect())),
            (Field::Attendees, list(&PAYLOADS[2..5])),
            (Field::Agenda, text(PAYLOADS[4])),
            (Field::Notes, text(&PAYLOADS.join("\n"))),
            (Field::Decisions, text(PAYLOADS[5])),
            (Field::Tags, list(&PAYLOADS[6..9])),
            (Field::Marking, text(PAYLOADS[2])),
        ],
        &mut at,
    );
    at += MINUTE;
    let a = nb.create(Kind::Action, at, rnd(7, 51));
    set(
        &mut nb,
        a,
        &[
            (Field::Text, text(PAYLOADS[0])),
            (Field::Owner, text(PAYLOADS[1])),
            (Field::Due, text("2026-03-20")),
            (Field::Meeting, text(&m.to_string())),
            (Field::Contact, text(&contacts[0].to_string())),
        ],
        &mut at,
    );
    let mut state = ExportState::default();
    export_as_device(&nb, &me, &mut state, Scope::All, bundle_id(40), at + MINUTE, today(at)).text
}

/// Every fixture and how it is made. Add new ones at the end; never change what an existing one wrote.
fn generators() -> Vec<Generator> {
    vec![
        // The generators export in the format this version writes; the v1 fixtures were written when
        // that was v1, so they are the same bundles written again in v1.
        ("v1-all-one-officer.json", || as_v1(gen_all_one_officer())),
        ("v1-changes.json", || as_v1(gen_changes())),
        ("v1-field-conflict.json", || as_v1(gen_field_conflict())),
        ("v1-edit-after-delete.json", || as_v1(gen_edit_after_delete())),
        ("v1-future-field-and-merge.json", || as_v1(gen_future_field_and_merge())),
        ("v1-html-payload.json", || as_v1(gen_html_payload())),
        ("v3-all-one-officer.json", gen_all_one_officer),
        ("v3-changes.json", gen_changes),
        ("v3-field-conflict.json", gen_field_conflict),
        ("v3-edit-after-delete.json", gen_edit_after_delete),
        ("v3-future-field-and-merge.json", gen_future_field_and_merge),
        ("v3-html-payload.json", gen_html_payload),
    ]
}

/// A bundle written again in the frozen format v1.
fn as_v1(text: String) -> String {
    rewrite(&read_bundle(text.as_bytes(), READ_NOW).expect("the generator's bundle reads"))
}

/// What each fixture holds.
struct Expect {
    file: &'static str,
    scope: Scope,
    sequence: u64,
    officer: &'static str,
    contacts: usize,
    meetings: usize,
    actions: usize,
    /// Records whose life is "deleted".
    deleted: usize,
    /// Records with at least one conflict of any sort.
    conflicted: usize,
    /// Devices named in the profiles directory.
    devices: usize,
    /// Names of live contacts that must be there.
    names: &'static [&'static str],
}

const EXPECTED: &[Expect] = &[
    Expect {
        file: "v1-all-one-officer.json",
        scope: Scope::All,
        sequence: 1,
        officer: "Lt Col Ana Ruiz",
        contacts: 5,
        meetings: 2,
        actions: 3,
        deleted: 0,
        conflicted: 0,
        devices: 1,
        names: &["Мария Иванова", "李小龍", "محمد عبد الله", "Zoë Müller-Łukasiewicz", "Ἀθηνᾶ Παπαδοπούλου"],
    },
    Expect {
        file: "v1-changes.json",
        scope: Scope::Changes,
        sequence: 2,
        officer: "Lt Col Ana Ruiz",
        contacts: 2,
        meetings: 1,
        actions: 2,
        deleted: 1,
        conflicted: 0,
        devices: 1,
        names: &["李小龍"],
    },
    Expect {
        file: "v1-field-conflict.json",
        scope: Scope::All,
        sequence: 1,
        officer: "Col Ingrid Dahl",
        contacts: 1,
        meetings: 1,
        actions: 0,
        deleted: 0,
        conflicted: 2,
        devices: 3,
        names: &["Col Jiri Dvorak"],
    },
    Expect {
        file: "v1-edit-after-delete.json",
        scope: Scope::All,
        sequence: 1,
        officer: "Col Ingrid Dahl",
        contacts: 1,
        meetings: 1,
        actions: 1,
        deleted: 1,
        conflicted: 1,
        devices: 3,
        names: &["Harbour master"],
    },
    Expect {
        file: "v1-future-field-and-merge.json",
        scope: Scope::All,
        sequence: 7,
        officer: "Sgt Aiko Tanaka",
        contacts: 2,
        meetings: 0,
        actions: 0,
        deleted: 1,
        conflicted: 0,
        devices: 1,
        names: &["田中 一郎"],
    },
    Expect {
        file: "v1-html-payload.json",
        scope: Scope::All,
        sequence: 1,
        officer: "<img src=x onerror=alert('officer')>",
        contacts: 6,
        meetings: 1,
        actions: 1,
        deleted: 0,
        conflicted: 0,
        devices: 1,
        names: &["<script>alert(1)</script>", "\"><svg/onload=alert(1)>", "</textarea><script>alert(2)</script>"],
    },
    Expect {
        file: "v3-all-one-officer.json",
        scope: Scope::All,
        sequence: 1,
        officer: "Lt Col Ana Ruiz",
        contacts: 5,
        meetings: 2,
        actions: 3,
        deleted: 0,
        conflicted: 0,
        devices: 1,
        names: &["Мария Иванова", "李小龍", "محمد عبد الله", "Zoë Müller-Łukasiewicz", "Ἀθηνᾶ Παπαδοπούλου"],
    },
    Expect {
        file: "v3-changes.json",
        scope: Scope::Changes,
        sequence: 2,
        officer: "Lt Col Ana Ruiz",
        contacts: 2,
        meetings: 1,
        actions: 2,
        deleted: 1,
        conflicted: 0,
        devices: 1,
        names: &["李小龍"],
    },
    Expect {
        file: "v3-field-conflict.json",
        scope: Scope::All,
        sequence: 1,
        officer: "Col Ingrid Dahl",
        contacts: 1,
        meetings: 1,
        actions: 0,
        deleted: 0,
        conflicted: 2,
        devices: 3,
        names: &["Col Jiri Dvorak"],
    },
    Expect {
        file: "v3-edit-after-delete.json",
        scope: Scope::All,
        sequence: 1,
        officer: "Col Ingrid Dahl",
        contacts: 1,
        meetings: 1,
        actions: 1,
        deleted: 1,
        conflicted: 1,
        devices: 3,
        names: &["Harbour master"],
    },
    Expect {
        file: "v3-future-field-and-merge.json",
        scope: Scope::All,
        sequence: 7,
        officer: "Sgt Aiko Tanaka",
        contacts: 2,
        meetings: 0,
        actions: 0,
        deleted: 1,
        conflicted: 0,
        devices: 1,
        names: &["田中 一郎"],
    },
    Expect {
        file: "v3-html-payload.json",
        scope: Scope::All,
        sequence: 1,
        officer: "<img src=x onerror=alert('officer')>",
        contacts: 6,
        meetings: 1,
        actions: 1,
        deleted: 0,
        conflicted: 0,
        devices: 1,
        names: &["<script>alert(1)</script>", "\"><svg/onload=alert(1)>", "</textarea><script>alert(2)</script>"],
    },
];

fn write_once(path: &Path, text: &str) {
    if path.exists() {
        eprintln!("kept {} (fixtures are never overwritten)", path.display());
        return;
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create fixture directory");
    }
    std::fs::write(path, text).expect("write fixture");
    eprintln!("wrote {}", path.display());
}

fn fixture_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("crates/core/tests/fixtures exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn write_missing_fixtures_when_asked() {
    if std::env::var("LIAISON_WRITE_FIXTURES").as_deref() != Ok("1") {
        return;
    }
    for (name, generate) in generators() {
        let text = generate();
        assert_eq!(text, generate(), "{name}: the generator is not deterministic");
        read_bundle(text.as_bytes(), READ_NOW)
            .unwrap_or_else(|p| panic!("{name}: the generator wrote a bundle that does not read: {p:?}"));
        write_once(&fixtures_dir().join(name), &text);
        if name == "v1-html-payload.json" {
            write_once(&e2e_payload_path(), &text);
        }
    }
}

#[test]
fn every_fixture_reads_and_writes_back_byte_for_byte() {
    let files = fixture_files();
    assert!(files.len() >= 4, "expected the golden fixtures in {}", fixtures_dir().display());
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).expect("name").to_string();
        let bytes = std::fs::read(&path).expect("read fixture");
        let bundle = read_bundle(&bytes, READ_NOW).unwrap_or_else(|p| panic!("{name} does not read: {p:?}"));
        let again = if name.starts_with("v3-") { rewrite_v3(&bundle) } else { rewrite(&bundle) };
        assert!(
            again.as_bytes() == bytes.as_slice(),
            "{name}: writing it again changes its bytes (the format is frozen)"
        );
        let expect =
            EXPECTED.iter().find(|e| e.file == name).unwrap_or_else(|| panic!("{name} has no entry in EXPECTED"));
        check(expect, &bundle);
    }
}

#[test]
fn every_expected_fixture_is_there() {
    let names: BTreeSet<String> =
        fixture_files().iter().filter_map(|p| p.file_name().and_then(|n| n.to_str()).map(String::from)).collect();
    for e in EXPECTED {
        assert!(names.contains(e.file), "missing fixture {} (run with LIAISON_WRITE_FIXTURES=1)", e.file);
    }
    for (name, _) in generators() {
        assert!(names.contains(name), "missing fixture {name} (run with LIAISON_WRITE_FIXTURES=1)");
    }
}

fn check(e: &Expect, b: &Bundle) {
    let of = |k: Kind| b.records.iter().filter(|r| r.kind == k).count();
    assert_eq!(b.scope, e.scope, "{}: scope", e.file);
    assert_eq!(b.sequence, e.sequence, "{}: sequence", e.file);
    assert_eq!(b.device.officer, e.officer, "{}: officer", e.file);
    assert_eq!(
        (of(Kind::Contact), of(Kind::Meeting), of(Kind::Action)),
        (e.contacts, e.meetings, e.actions),
        "{}: contacts, meetings, actions",
        e.file
    );
    assert_eq!(b.records.iter().filter(|r| r.is_deleted()).count(), e.deleted, "{}: deleted", e.file);
    assert_eq!(b.records.iter().filter(|r| !r.conflicts().is_empty()).count(), e.conflicted, "{}: conflicted", e.file);
    assert_eq!(b.devices.len(), e.devices, "{}: device profiles", e.file);
    let names: BTreeSet<String> = b
        .records
        .iter()
        .filter(|r| r.kind == Kind::Contact && !r.is_deleted())
        .map(|r| Contact::from_record(r).name)
        .collect();
    for n in e.names {
        assert!(names.contains(*n), "{}: no live contact named {n:?} in {names:?}", e.file);
    }
    // Every stamp's device has a profile, so provenance can name an officer.
    let profiled: BTreeSet<DeviceId> = b.devices.iter().map(|d| d.id).collect();
    for d in liaison_core::formats::bundle::devices_in(b) {
        assert!(profiled.contains(&d), "{}: device {d} has no profile", e.file);
    }
    // And it imports into an empty notebook as the counts say.
    let nb = Notebook::new(dev(200));
    let plan = exchange::plan(&nb, &ImportLog::default(), vec![(e.file.into(), Ok(b.clone()))], READ_NOW);
    let p = plan.ready().next().unwrap_or_else(|| panic!("{}: refused on import", e.file));
    assert_eq!((p.new, p.deleted, p.conflicts), (b.records.len(), e.deleted, e.conflicted), "{}: preview", e.file);
}

fn read_fixture(name: &str) -> (Vec<u8>, Bundle) {
    let bytes = std::fs::read(fixtures_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let b = read_bundle(&bytes, READ_NOW).unwrap_or_else(|p| panic!("{name}: {p:?}"));
    (bytes, b)
}

#[test]
fn the_field_conflict_fixture_keeps_both_values_with_their_provenance() {
    let (_, b) = read_fixture("v1-field-conflict.json");
    let contact = b.records.iter().find(|r| r.kind == Kind::Contact).expect("contact");
    let names: Vec<(String, String)> = contact.fields["name"]
        .entries()
        .iter()
        .map(|e| {
            (e.value.display(), b.devices.iter().find(|d| d.id == e.stamp.device).expect("profile").officer.clone())
        })
        .collect();
    assert_eq!(
        names,
        vec![("Col Jiri Dvorak".into(), "Capt 王伟".into()), ("Jiří Dvořák (Col)".into(), "Maj Jan Novák".into())]
    );
    let meeting = b.records.iter().find(|r| r.kind == Kind::Meeting).expect("meeting");
    assert_eq!(Meeting::from_record(meeting).location, "Zimmer 3");
    assert!(meeting.fields["location"].is_conflict());
}

#[test]
fn the_edit_after_delete_fixture_shows_the_edit_the_deletion_did_not_see() {
    let (_, b) = read_fixture("v1-edit-after-delete.json");
    let meeting = b.records.iter().find(|r| r.kind == Kind::Meeting).expect("meeting");
    assert!(meeting.is_deleted());
    let conflicts = meeting.conflicts();
    let [liaison_core::crdt::record::Conflict::EditedAfterDelete { edits, .. }] = conflicts.as_slice() else {
        panic!("expected one edited-after-delete conflict, got {conflicts:?}")
    };
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].0, "notes");
    assert_eq!(edits[0].1.value.display(), "Final notes, written without knowing of the delete");
    let restored = b.records.iter().find(|r| r.kind == Kind::Contact).expect("contact");
    assert!(!restored.is_deleted());
}

#[test]
fn the_future_field_and_the_merge_redirect_survive() {
    let (_, b) = read_fixture("v1-future-field-and-merge.json");
    let survivor = b.records.iter().find(|r| r.kind == Kind::Contact && !r.is_deleted()).expect("survivor");
    assert_eq!(survivor.text("x-callsign"), "SAKURA 1");
    let dup = b.records.iter().find(|r| r.is_deleted()).expect("duplicate");
    assert_eq!(Contact::from_record(dup).merged_into, Some(survivor.id));
    assert_eq!(b.device.label, "");
}

#[test]
fn the_changes_fixture_carries_only_what_changed() {
    let (_, all) = read_fixture("v1-all-one-officer.json");
    let (_, changes) = read_fixture("v1-changes.json");
    assert_eq!(all.device, changes.device);
    let mut nb = Notebook::new(dev(201));
    let mut log = ImportLog::default();
    let all_text = std::fs::read_to_string(fixtures_dir().join("v1-all-one-officer.json")).expect("read");
    let changes_text = std::fs::read_to_string(fixtures_dir().join("v1-changes.json")).expect("read");
    import(&mut nb, &mut log, &[&all_text], READ_NOW);
    let plan =
        exchange::plan(&nb, &log, vec![("changes".into(), read_bundle(changes_text.as_bytes(), READ_NOW))], READ_NOW);
    let p = plan.ready().next().expect("ready");
    assert_eq!((p.new, p.updated, p.deleted, p.missing_links), (2, 3, 1, 0));
    exchange::apply(&mut nb, &mut log, plan, READ_NOW).expect("the plan applies");
    assert!(log.gaps().is_empty());
    assert_eq!(nb.contacts().len(), 4);
    assert_eq!(nb.meetings().len(), 3);
}

#[test]
fn html_and_script_payloads_round_trip_exactly() {
    let (bytes, b) = read_fixture("v1-html-payload.json");
    let texts: BTreeSet<String> = b
        .records
        .iter()
        .flat_map(|r| r.fields.values().flat_map(|reg| reg.entries().iter().map(|e| e.value.clone())))
        .flat_map(|v| match v {
            Value::Text(s) => vec![s],
            Value::List(l) => l,
            Value::Bool(_) => vec![],
        })
        .collect();
    for p in PAYLOADS {
        assert!(texts.contains(p), "payload {p:?} did not come back exactly");
    }
    let meeting = b.records.iter().find(|r| r.kind == Kind::Meeting).expect("meeting");
    assert_eq!(Meeting::from_record(meeting).notes, PAYLOADS.join("\n"));
    let action = b.records.iter().find(|r| r.kind == Kind::Action).expect("action");
    assert_eq!(Action::from_record(action).text, PAYLOADS[0]);
    assert_eq!(b.device.label, "<b>Tablet</b> <script>alert('label')</script>");
    // Imported, stored and loaded again, the payloads are still exactly what was typed.
    let mut nb = Notebook::new(dev(202));
    let mut log = ImportLog::default();
    import(&mut nb, &mut log, &[std::str::from_utf8(&bytes).expect("utf-8")], READ_NOW);
    let names: BTreeSet<String> = nb.contacts().into_iter().map(|c| c.name).collect();
    assert!(names.contains(PAYLOADS[0]) && names.contains(PAYLOADS[10]));
    for r in nb.records() {
        let again =
            liaison_core::formats::wire::decode_record(&liaison_core::formats::wire::encode_record(r)).expect("decode");
        assert_eq!(&again, r);
    }
    // The Playwright suite's copy is the same file.
    let e2e = std::fs::read(e2e_payload_path()).expect("tests/e2e/fixtures/html-payload.json");
    assert!(e2e == bytes, "tests/e2e/fixtures/html-payload.json differs from the core fixture");
}

/// An export as the app makes it, for a device whose only replica is the device itself.
fn export_as_device(
    nb: &Notebook,
    device: &liaison_core::formats::wire::DeviceV1,
    state: &mut exchange::ExportState,
    scope: Scope,
    bundle_id: uuid::Uuid,
    now_ms: u64,
    today: liaison_core::date::Date,
) -> exchange::Export {
    let replicas = std::collections::BTreeSet::from([device.id]);
    exchange::export(
        nb,
        state,
        exchange::ExportRequest {
            device,
            replicas: &replicas,
            scope,
            bundle_id,
            now_ms,
            today,
            ceiling: liaison_core::marking::Ceiling::All,
        },
    )
    .expect("within the limits")
}
