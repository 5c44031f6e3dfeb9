//! Malformed and hostile bundles: every one is refused with a specific message, nothing panics, and a
//! refused file leaves the notebook and its storage byte-identical (docs/design.md, invariants 5 and 6).
//!
//! The committed corpus is in `tests/corpus/` (made by `tests/corpus/generate.py`; `EXPECTED.tsv` names
//! the message each file must get). Cases too big to commit (a 64 MB file, a million records, values
//! over 1 MB) are made here at run time. The merge contract also makes some strange-looking bundles
//! valid, since the order of imports must not matter: those are the positive tests at the end.
//!
//! `LIAISON_PRINT_MESSAGES=1 cargo test -p liaison-core --test bad_bundles -- --nocapture every_corpus`
//! prints the message each corpus file gets, to review their wording.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::rewrite;
use liaison_core::crdt::clock::Stamp;
use liaison_core::date::Date;
use liaison_core::exchange::{self, FileVerdict, ImportLog};
use liaison_core::formats::bundle::{
    read_bundle, write_bundle, Bundle, BundleV1, ExportInput, Problem, Scope, MAX_BUNDLE_BYTES, MAX_RECORDS,
};
use liaison_core::formats::wire::{DeviceV1, ValueV1};
use liaison_core::storage::{self, Backend, MemoryBackend, WriteQueue, DEVICES_KEY, IMPORTS_KEY};
use liaison_core::{DeviceId, Field, Kind, Notebook, Record, RecordId, Value};
use liaison_testkit::block_on;
use sha2::{Digest, Sha256};

/// When the fixtures' officers took their notes (as in tests/fixtures.rs).
const T0: u64 = 1_773_500_000_000;
const DAY: u64 = 86_400_000;
/// The importing device's clock.
const NOW: u64 = T0 + 30 * DAY;
/// Ids of the corpus's base (see generate.py).
const CONTACT: &str = "019cecd7-5160-7100-9122-334455a53d77";
/// The message of a checksum that does not match.
const CHECKSUM: &str = "the checksum does not match the content";
/// Expectations that mark a hostile file the code accepts today.
const KNOWN_BUG: &str = "KNOWN-BUG";
/// No message may echo more than this of a hostile file back at the person reading it.
const MAX_MESSAGE_CHARS: usize = 600;

fn core_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn corpus_dir() -> PathBuf {
    core_dir().join("tests/corpus")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(core_dir().join("tests/fixtures").join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A device with notes of its own, which has imported one officer's bundle, as it is in memory and in
/// storage.
#[derive(Clone)]
struct Local {
    nb: Notebook,
    log: ImportLog,
    stored: BTreeMap<String, String>,
}

impl Local {
    fn backend(&self) -> MemoryBackend {
        let b = MemoryBackend::new();
        for (k, v) in &self.stored {
            b.poke(k, v);
        }
        b
    }
}

/// What the app does after an import: write the changed records, the import log and the device profiles.
fn persist(nb: &mut Notebook, log: &ImportLog, backend: &MemoryBackend) {
    let mut queue = WriteQueue::new();
    queue.enqueue(nb.take_changed());
    if let Some(batch) = queue.take_batch(nb, 0) {
        let outcome = block_on(backend.write(batch.ops.clone()));
        queue.finish(batch, outcome);
    }
    assert_eq!(queue.last_error(), None);
    block_on(storage::save_meta(backend, IMPORTS_KEY, log)).expect("save the import log");
    let devices: Vec<DeviceV1> = nb.devices().values().cloned().map(DeviceV1::from).collect();
    block_on(storage::save_meta(backend, DEVICES_KEY, &devices)).expect("save the device profiles");
}

fn local() -> Local {
    let backend = MemoryBackend::new();
    block_on(storage::load(&backend)).expect("load an empty store");
    let me = DeviceV1 {
        id: DeviceId::new_v7(T0 - 400 * DAY, [0xc0; 10]),
        label: "Coordinator desk".into(),
        officer: "Col Ingrid Dahl".into(),
    };
    block_on(storage::save_device(&backend, &me.clone().into())).expect("save the device");
    let mut nb = Notebook::new(me.id);
    nb.learn_devices([me]);
    let own = nb.create(Kind::Contact, T0 + DAY, [0xc1; 10]);
    nb.set(own, Field::Name, Value::Text("A contact of the coordinator's own".into()), T0 + DAY + 1).expect("set");
    let meeting = nb.create(Kind::Meeting, T0 + DAY + 2, [0xc2; 10]);
    nb.set(meeting, Field::Participants, Value::List(vec![own.to_string(), CONTACT.into()]), T0 + DAY + 3)
        .expect("set");
    let mut log = ImportLog::default();
    let read = read_bundle(&fixture("v1-all-one-officer.json"), NOW);
    let plan = exchange::plan(&nb, &log, vec![("v1-all-one-officer.json".into(), read)], NOW);
    assert_eq!(plan.ready().count(), 1);
    exchange::apply(&mut nb, &mut log, plan, NOW).expect("the plan applies");
    persist(&mut nb, &log, &backend);
    Local { nb, log, stored: backend.snapshot() }
}

/// What happened to one file.
#[derive(Debug)]
struct Attempt {
    /// Every message, from reading and from planning.
    problems: Vec<String>,
    /// Whether the plan accepted it.
    accepted: bool,
    /// Storage after the attempt equals storage before.
    storage_same: bool,
    /// The notebook's records and the import log are unchanged.
    memory_same: bool,
    /// Planning it together with a good bundle gives exactly what the good bundle alone gives.
    isolated: bool,
}

fn messages(problems: &[Problem]) -> Vec<String> {
    problems.iter().map(ToString::to_string).collect()
}

/// Reads, plans and applies one file the way the app does, and compares storage before and after. Then
/// plans it again beside a good bundle, which must import as if the file were not there.
fn attempt(name: &str, bytes: &[u8], base: &Local, good: &[u8]) -> Attempt {
    let backend = base.backend();
    let before = backend.snapshot();
    let mut nb = base.nb.clone();
    let mut log = base.log.clone();
    let read = read_bundle(bytes, NOW);
    let mut problems = match &read {
        Ok(_) => vec![],
        Err(p) => messages(p),
    };
    let plan = exchange::plan(&nb, &log, vec![(name.into(), read)], NOW);
    for f in &plan.files {
        if let FileVerdict::Rejected { problems: p, .. } = f {
            if problems.is_empty() {
                problems = messages(p);
            }
        }
    }
    let accepted = plan.ready().count() > 0;
    exchange::apply(&mut nb, &mut log, plan, NOW).expect("the plan applies");
    persist(&mut nb, &log, &backend);
    let storage_same = backend.snapshot() == before;
    let memory_same = nb.records().eq(base.nb.records()) && log == base.log && nb.devices() == base.nb.devices();

    // Beside a good bundle.
    let together = {
        let backend = base.backend();
        let (mut nb, mut log) = (base.nb.clone(), base.log.clone());
        let files =
            vec![(name.to_string(), read_bundle(bytes, NOW)), ("good.json".to_string(), read_bundle(good, NOW))];
        let plan = exchange::plan(&nb, &log, files, NOW);
        exchange::apply(&mut nb, &mut log, plan, NOW).expect("the plan applies");
        persist(&mut nb, &log, &backend);
        backend.snapshot()
    };
    let alone = {
        let backend = base.backend();
        let (mut nb, mut log) = (base.nb.clone(), base.log.clone());
        let plan = exchange::plan(&nb, &log, vec![("good.json".to_string(), read_bundle(good, NOW))], NOW);
        exchange::apply(&mut nb, &mut log, plan, NOW).expect("the plan applies");
        persist(&mut nb, &log, &backend);
        backend.snapshot()
    };
    Attempt { problems, accepted, storage_same, memory_same, isolated: together == alone }
}

fn expectations() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(corpus_dir().join("EXPECTED.tsv")).expect("EXPECTED.tsv");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (file, expect) = l.split_once('\t').unwrap_or_else(|| panic!("EXPECTED.tsv: no tab in {l:?}"));
            (file.to_string(), expect.to_string())
        })
        .collect()
}

#[test]
fn every_corpus_file_has_an_expectation_and_every_expectation_a_file() {
    let listed: Vec<String> = expectations().into_iter().map(|(f, _)| f).collect();
    let mut on_disk: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("corpus")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json"))
        .collect();
    on_disk.sort();
    let mut sorted = listed.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), listed.len(), "EXPECTED.tsv names a file twice");
    assert_eq!(sorted, on_disk, "EXPECTED.tsv and the corpus files differ (run tests/corpus/generate.py)");
    assert!(listed.len() >= 200, "the corpus has only {} files", listed.len());
}

#[test]
fn the_corpus_base_is_a_valid_bundle_exactly_as_write_bundle_writes_it() {
    let bytes = std::fs::read(corpus_dir().join("base/mini.json")).expect("base/mini.json");
    let b = read_bundle(&bytes, NOW).unwrap_or_else(|p| panic!("the corpus base does not read: {p:?}"));
    let again = rewrite(&b);
    assert!(again.as_bytes() == bytes.as_slice(), "base/mini.json is not what write_bundle writes");
    let base = local();
    let a = attempt("mini.json", &bytes, &base, &fixture("v1-changes.json"));
    assert!(a.accepted && a.problems.is_empty(), "{a:?}");
}

#[test]
fn every_corpus_file_is_refused_specifically_without_panic_and_changes_nothing() {
    let base = local();
    let good = fixture("v1-changes.json");
    let started = Instant::now();
    let mut failures = Vec::new();
    let mut known = Vec::new();
    let mut by_category: BTreeMap<String, usize> = BTreeMap::new();
    let mut slowest = (Duration::ZERO, String::new());
    let cases = expectations();
    // LIAISON_PRINT_MESSAGES=1 prints every message, for reviewing their wording.
    let print = std::env::var("LIAISON_PRINT_MESSAGES").as_deref() == Ok("1");
    for (file, expect) in &cases {
        let bytes = std::fs::read(corpus_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        *by_category.entry(file.split('-').next().unwrap_or("").to_string()).or_default() += 1;
        let t = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| attempt(file, &bytes, &base, &good)));
        if t.elapsed() > slowest.0 {
            slowest = (t.elapsed(), file.clone());
        }
        let a = match outcome {
            Ok(a) => a,
            Err(_) => {
                failures.push(format!("{file}: PANICKED"));
                continue;
            }
        };
        if print {
            eprintln!("{file}\n    {}", a.problems.join("\n    "));
        }
        if let Some(note) = expect.strip_prefix(KNOWN_BUG) {
            // Reported, not failed: once fixed, replace the marker with the message (in generate.py).
            let longest = a.problems.iter().map(|m| m.chars().count()).max().unwrap_or(0);
            let state = match a.accepted {
                true => "accepted".to_string(),
                false => format!("refused, longest message {longest} characters"),
            };
            known.push(format!("{file} ({state}){note}"));
            continue;
        }
        let all = a.problems.join("\n");
        if a.accepted {
            failures.push(format!("{file}: ACCEPTED, expected “{expect}”"));
        } else if !all.contains(expect.as_str()) {
            failures.push(format!("{file}: expected “{expect}”, got:\n      {}", a.problems.join("\n      ")));
        }
        if !expect.contains(CHECKSUM) && all.contains(CHECKSUM) {
            failures.push(format!(
                "{file}: refused for its checksum as well, so the case does not test only what it is about: {all}"
            ));
        }
        if let Some(long) = a.problems.iter().find(|m| m.chars().count() > MAX_MESSAGE_CHARS) {
            failures.push(format!("{file}: a message of {} characters", long.chars().count()));
        }
        if !a.storage_same {
            failures.push(format!("{file}: storage changed"));
        }
        if !a.memory_same {
            failures.push(format!("{file}: the notebook changed"));
        }
        if !a.isolated {
            failures.push(format!("{file}: imported beside a good bundle, it changed the result"));
        }
    }
    let mut summary =
        format!("{} corpus files in {:?} (slowest {} in {:?}):", cases.len(), started.elapsed(), slowest.1, slowest.0);
    for (cat, n) in &by_category {
        let _ = write!(summary, " {cat} {n},");
    }
    eprintln!("{summary}");
    for k in &known {
        eprintln!("KNOWN BUG {k}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus files failed:\n  {}",
        failures.len(),
        cases.len(),
        failures.join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------------------
// Cases made at run time.

fn mini() -> BundleV1 {
    let text = std::fs::read_to_string(corpus_dir().join("base/mini.json")).expect("base/mini.json");
    serde_json::from_str(&text).expect("the corpus base parses")
}

/// The bundle's text, with a correct checksum (write_bundle's rule: SHA-256 of the compact form with an
/// empty checksum).
fn sealed(mut dto: BundleV1) -> String {
    dto.checksum = String::new();
    let digest = Sha256::digest(serde_json::to_vec(&dto).expect("serialise"));
    let mut sum = String::from("sha256:");
    for b in digest {
        let _ = write!(sum, "{b:02x}");
    }
    dto.checksum = sum;
    serde_json::to_string_pretty(&dto).expect("serialise")
}

fn contact_mut(dto: &mut BundleV1) -> &mut liaison_core::formats::wire::RecordV1 {
    dto.records.iter_mut().find(|r| r.id.to_string() == CONTACT).expect("the base's contact")
}

fn with_name(value: ValueV1, field: &str) -> String {
    let mut dto = mini();
    let r = contact_mut(&mut dto);
    let mut entry = r.fields.0["name"][0].clone();
    entry.v = value;
    r.fields.0.insert(field.into(), vec![entry]);
    sealed(dto)
}

fn refused(text: &[u8]) -> String {
    match catch_unwind(AssertUnwindSafe(|| read_bundle(text, NOW))) {
        Ok(Ok(_)) => panic!("accepted"),
        Ok(Err(p)) => messages(&p).join("\n"),
        Err(_) => panic!("read_bundle panicked"),
    }
}

/// Runs `f` and prints how long it took. Nothing here asserts a duration, since machines are shared and
/// noisy: `linear_inputs.rs` compares the growth of such work between sizes instead.
fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    eprintln!("{what}: {:?}", t.elapsed());
    out
}

#[test]
fn a_file_over_64_mb_is_no_longer_refused_for_its_size_but_for_what_it_holds() {
    // The whole-file cap went with v3: a coordinator's own merged output outgrew it. A large hostile
    // file must still be refused at once for what it is, without being held twice.
    let head = br#"{"format":"liaison-bundle","version":1,"records":["#;
    let mut bytes = Vec::with_capacity(64 * MB + 1);
    bytes.extend_from_slice(head);
    bytes.resize(64 * MB + 1, b'[');
    let message = timed("64 MB + 1 byte", || refused(&bytes));
    assert!(!message.contains("64 MB") && message.contains("nested more than 128 levels"), "{message}");
}

const MB: usize = 1024 * 1024;

/// A bundle with `n` records, each the smallest thing that reads as a record.
fn tiny_records(n: usize, as_arrays: bool) -> String {
    let mut s = String::with_capacity(n * if as_arrays { 60 } else { 85 } + 400);
    s.push_str(r#"{"format":"liaison-bundle","version":1,"bundle_id":"019cecec-0000-7000-8000-000000000001","created_ms":1773500000000,"#);
    s.push_str(r#""device":{"id":"0198e6de-a5ef-71d0-8d5b-010203040501","label":"","officer":""},"sequence":1,"scope":"all","devices":[],"records":["#);
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        if as_arrays {
            let _ = write!(s, r#"["019cecec-0000-7000-8000-{i:012x}","action",[],{{}},{{}}]"#);
        } else {
            let _ = write!(s, r#"{{"id":"019cecec-0000-7000-8000-{i:012x}","kind":"action","life":[],"seen":{{}}}}"#);
        }
    }
    s.push_str(r#"],"checksum":""}"#);
    s
}

#[test]
fn a_million_and_one_tiny_records_written_as_arrays_are_refused_with_the_record_limit_named() {
    // Records written as JSON arrays (which serde accepts for structs) make the smallest file that holds
    // more records than the limit.
    const { assert!(MAX_RECORDS >= 1_000_000, "a coordinator's merged output must fit") };
    let text = tiny_records(MAX_RECORDS + 1, true);
    assert!(text.len() < MAX_BUNDLE_BYTES, "{} bytes", text.len());
    let message = timed("1,000,001 records", || refused(text.as_bytes()));
    assert!(message.contains(&format!("more than {MAX_RECORDS} records")), "{message}");
}

#[test]
fn values_over_1_mb_are_refused_and_1_mb_is_not() {
    let base = local();
    let good = fixture("v1-changes.json");
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "a name of 1 MB + 1 byte",
            with_name(ValueV1::Text("a".repeat(MB + 1)), "name"),
            "field “name” holds 1048577 bytes; the limit is 1 MB",
        ),
        (
            "a name of 262,145 four-byte characters",
            with_name(ValueV1::Text("𝄞".repeat(MB / 4 + 1)), "name"),
            "holds 1048580 bytes; the limit is 1 MB",
        ),
        ("notes of 5 MB", with_name(ValueV1::Text("<p>".repeat(5 * MB / 3)), "notes"), "field “notes” holds"),
        (
            "a list of two 600 KB emails",
            with_name(ValueV1::List(vec!["e".repeat(600 * 1024); 2]), "emails"),
            "field “emails” holds more than 1 MB",
        ),
        (
            "a list of 300,000 short tags",
            with_name(ValueV1::List(vec!["tag-x".into(); 300_000]), "tags"),
            "a list holds more than 10000 items",
        ),
        (
            "a future field of 2 MB",
            with_name(ValueV1::Text("z".repeat(2 * MB)), "x-future"),
            "field “x-future” holds 2097152 bytes",
        ),
    ];
    for (what, text, expect) in cases {
        let a = timed(what, || {
            catch_unwind(AssertUnwindSafe(|| attempt(what, text.as_bytes(), &base, &good)))
                .unwrap_or_else(|_| panic!("{what}: panicked"))
        });
        assert!(!a.accepted, "{what}: accepted");
        assert!(a.problems.join("\n").contains(expect), "{what}: {:?}", a.problems);
        assert!(a.storage_same && a.memory_same && a.isolated, "{what}: {a:?}");
    }
    let exactly = with_name(ValueV1::Text("a".repeat(MB)), "name");
    let b = read_bundle(exactly.as_bytes(), NOW).unwrap_or_else(|p| panic!("exactly 1 MB: {p:?}"));
    assert_eq!(b.records.iter().find(|r| r.id.to_string() == CONTACT).expect("contact").text("name").len(), MB);
}

#[test]
fn field_names_and_profiles_over_1_mb_are_refused() {
    let long = "n".repeat(2 * MB);
    let name_as_key = with_name(ValueV1::Text("short".into()), &long);
    let mut dto = mini();
    dto.device.officer = long.clone();
    let officer = sealed(dto);
    let mut dto = mini();
    dto.devices[0].label = long;
    let label = sealed(dto);
    for (what, text) in [("field name", name_as_key), ("officer", officer), ("label", label)] {
        assert!(read_bundle(text.as_bytes(), NOW).is_err(), "a 2 MB {what} was accepted");
    }
}

#[test]
fn a_kind_collision_between_two_bundles_of_one_import_refuses_the_second() {
    let nb = Notebook::new(DeviceId::new_v7(T0, [0xee; 10]));
    let base = std::fs::read(corpus_dir().join("base/mini.json")).expect("base");
    let other = std::fs::read(corpus_dir().join("ref-local-contact-sent-as-a-meeting.json")).expect("case");
    let files = vec![("mini.json".into(), read_bundle(&base, NOW)), ("other.json".into(), read_bundle(&other, NOW))];
    let plan = exchange::plan(&nb, &ImportLog::default(), files, NOW);
    assert!(matches!(&plan.files[0], FileVerdict::Ready(_)));
    let FileVerdict::Rejected { problems, .. } = &plan.files[1] else { panic!("{:?}", plan.files[1]) };
    assert!(
        messages(problems).join("\n").contains("is a meeting in the bundle but a contact on this device"),
        "{problems:?}"
    );
}

// ---------------------------------------------------------------------------------------------------
// Bugs the corpus found, as tests that pass once they are fixed.

fn import_bytes(nb: &mut Notebook, log: &mut ImportLog, bytes: &[u8], now: u64) -> exchange::Plan {
    let plan = exchange::plan(nb, log, vec![("f.json".into(), read_bundle(bytes, now))], now);
    exchange::apply(nb, log, plan.clone(), now).expect("the plan applies");
    plan
}

#[test]
fn a_bundle_numbered_u64_max_does_not_break_the_gap_report() {
    let mut nb = Notebook::new(DeviceId::new_v7(T0, [0xee; 10]));
    let mut log = ImportLog::default();
    let bytes = std::fs::read(corpus_dir().join("num-sequence-u64-max.json")).expect("case");
    import_bytes(&mut nb, &mut log, &bytes, NOW);
    let gaps = catch_unwind(AssertUnwindSafe(|| log.gap_messages(&nb))).expect("gap_messages panicked");
    assert!(gaps.is_empty(), "{gaps:?}");
}

#[test]
fn a_causal_context_in_the_year_9999_cannot_swallow_later_edits() {
    let mut nb = Notebook::new(DeviceId::new_v7(T0, [0xee; 10]));
    let mut log = ImportLog::default();
    let hostile = std::fs::read(corpus_dir().join("time-seen-year-9999.json")).expect("case");
    import_bytes(&mut nb, &mut log, &hostile, NOW);
    // Ana, whose device the hostile file impersonates, really edits the contact a month later.
    let mut ana_nb = Notebook::new(mini().device.id);
    let mut ana_log = ImportLog::default();
    import_bytes(&mut ana_nb, &mut ana_log, &fixture("v1-all-one-officer.json"), NOW);
    let id: RecordId = CONTACT.parse().expect("id");
    ana_nb.set(id, Field::Name, Value::Text("Maria Ivanova (new spelling)".into()), NOW + DAY).expect("set");
    let ana = mini().device;
    let replicas = std::collections::BTreeSet::from([ana.id]);
    let text = exchange::export(
        &ana_nb,
        &mut Default::default(),
        exchange::ExportRequest {
            device: &ana,
            replicas: &replicas,
            scope: Scope::Changes,
            bundle_id: uuid::Uuid::from_u128(0x019c_eced_0000_7000_8000_0000_0000_0042),
            now_ms: NOW + DAY,
            today: Date::from_days_since_epoch(((NOW + DAY) / DAY) as i64),
            ceiling: liaison_core::marking::Ceiling::All,
        },
    )
    .expect("within the limits")
    .text;
    import_bytes(&mut nb, &mut log, text.as_bytes(), NOW + 2 * DAY);
    assert_eq!(nb.contact(id).expect("contact").name, "Maria Ivanova (new spelling)", "the real edit was dropped");
}

// ---------------------------------------------------------------------------------------------------
// Bundles the merge contract requires to be accepted, however strange they look.

fn one_record_bundle(r: &Record, device: &DeviceV1) -> String {
    write_bundle(ExportInput {
        bundle_id: uuid::Uuid::from_u128(0x019c_eced_0000_7000_8000_0000_0000_0007),
        created_ms: T0,
        device,
        sequence: 1,
        scope: Scope::Changes,
        devices: vec![device.clone()],
        records: vec![r],
    })
    .expect("within the limits")
}

fn preview(base: &Local, text: &str) -> (Bundle, exchange::Preview) {
    let b = read_bundle(text.as_bytes(), NOW).unwrap_or_else(|p| panic!("refused: {p:?}"));
    let plan = exchange::plan(&base.nb, &base.log, vec![("f.json".into(), Ok(b.clone()))], NOW);
    let p = plan.ready().next().cloned().unwrap_or_else(|| panic!("refused on import: {:?}", plan.files));
    (b, p)
}

fn stranger() -> DeviceV1 {
    DeviceV1 {
        id: DeviceId::new_v7(T0 - 9 * DAY, [0x5e; 10]),
        label: "Borrowed laptop".into(),
        officer: "Maj Eva Lind".into(),
    }
}

#[test]
fn a_tombstone_for_a_record_never_seen_here_is_accepted_and_previewed_as_deleted() {
    let dev = stranger();
    let at = |ms: u64| Stamp { wall_ms: ms, counter: 0, device: dev.id };
    let id = RecordId::new_v7(T0, [0x70; 10]);
    let mut r = Record::new(id, Kind::Contact, at(T0));
    r.write("name", Value::Text("Gone before we met".into()), at(T0 + 1));
    r.delete(at(T0 + 2));
    let text = one_record_bundle(&r, &dev);
    let base = local();
    let (b, p) = preview(&base, &text);
    assert!(b.records[0].is_deleted());
    assert_eq!((p.new, p.deleted, p.updated), (1, 1, 0));
    // A bare tombstone, with no fields at all, too.
    let mut bare = Record::new(RecordId::new_v7(T0, [0x71; 10]), Kind::Meeting, at(T0));
    bare.delete(at(T0 + 5));
    bare.fields.clear();
    let (_, p) = preview(&base, &one_record_bundle(&bare, &dev));
    assert_eq!((p.new, p.deleted), (1, 1));
    // And imported, it is kept as a tombstone, not shown.
    let mut nb = base.nb.clone();
    let mut log = base.log.clone();
    import_bytes(&mut nb, &mut log, text.as_bytes(), NOW);
    assert!(nb.record(id).is_some_and(Record::is_deleted) && nb.contact(id).is_none());
}

#[test]
fn a_participant_that_is_not_here_yet_is_accepted_and_counted_as_a_missing_link() {
    let dev = stranger();
    let at = |ms: u64| Stamp { wall_ms: ms, counter: 0, device: dev.id };
    let absent = RecordId::new_v7(T0, [0x72; 10]);
    let mut m = Record::new(RecordId::new_v7(T0, [0x73; 10]), Kind::Meeting, at(T0));
    m.write("title", Value::Text("Met someone whose card is in another bundle".into()), at(T0 + 1));
    m.write("participants", Value::List(vec![absent.to_string(), CONTACT.into()]), at(T0 + 2));
    let mut a = Record::new(RecordId::new_v7(T0, [0x74; 10]), Kind::Action, at(T0 + 3));
    a.write("meeting", Value::Text(RecordId::new_v7(T0, [0x75; 10]).to_string()), at(T0 + 4));
    let text = write_bundle(ExportInput {
        bundle_id: uuid::Uuid::from_u128(0x019c_eced_0000_7000_8000_0000_0000_0008),
        created_ms: T0,
        device: &dev,
        sequence: 1,
        scope: Scope::Changes,
        devices: vec![dev.clone()],
        records: vec![&m, &a],
    })
    .expect("within the limits");
    let base = local();
    let (_, p) = preview(&base, &text);
    assert_eq!((p.new, p.missing_links), (2, 2), "{p:?}");
    let mut nb = base.nb.clone();
    let mut log = base.log.clone();
    import_bytes(&mut nb, &mut log, text.as_bytes(), NOW);
    let meeting = nb.meeting(m.id).expect("meeting");
    let shown: Vec<String> = nb.participants(&meeting).into_iter().map(|c| c.name).collect();
    assert_eq!(shown, vec!["Мария Иванова".to_string()]);
    // The missing contact arrives later: the link now resolves, whatever the order was.
    let mut c = Record::new(absent, Kind::Contact, at(T0 + 10));
    c.write("name", Value::Text("Arrived later".into()), at(T0 + 11));
    import_bytes(&mut nb, &mut log, one_record_bundle(&c, &dev).as_bytes(), NOW);
    assert_eq!(nb.participants(&nb.meeting(m.id).expect("meeting")).len(), 2);
}

#[test]
fn a_meeting_sent_under_the_id_of_a_contact_elsewhere_is_accepted_where_that_contact_is_unknown() {
    // The same file that collides with the local notebook imports into an empty one: kinds are checked
    // against what is there, so the refusal names the record and the two kinds.
    let bytes = std::fs::read(corpus_dir().join("ref-local-contact-sent-as-a-meeting.json")).expect("case");
    let nb = Notebook::new(DeviceId::new_v7(T0, [0xee; 10]));
    let plan = exchange::plan(&nb, &ImportLog::default(), vec![("f.json".into(), read_bundle(&bytes, NOW))], NOW);
    assert_eq!(plan.ready().count(), 1);
}

#[test]
fn a_bundle_reusing_an_imported_bundle_id_is_not_passed_off_as_a_repeat() {
    let base = local();
    let (mut nb, mut log) = (base.nb.clone(), base.log.clone());
    let mini_bytes = std::fs::read(corpus_dir().join("base/mini.json")).expect("base");
    import_bytes(&mut nb, &mut log, &mini_bytes, NOW);
    let mut dto = mini();
    contact_mut(&mut dto).fields.0.get_mut("name").expect("name")[0].v =
        ValueV1::Text("Renamed behind a repeat".into());
    let text = sealed(dto);
    let plan = exchange::plan(&nb, &log, vec![("again.json".into(), read_bundle(text.as_bytes(), NOW))], NOW);
    assert_eq!(plan.ready().count(), 0, "a different bundle under a known id is not a repeat");
    match &plan.files[0] {
        exchange::FileVerdict::Rejected { problems, .. } => {
            assert!(problems[0].message.contains("a different bundle with the same id"), "{}", problems[0].message)
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}
