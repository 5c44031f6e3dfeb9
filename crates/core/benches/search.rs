//! The search index on a coordinator-sized notebook: memory, build and update cost, and the time of one
//! search per keystroke while a name is typed letter by letter.
//!
//!     cargo bench -p liaison-core --bench search
//!
//! Data (made in memory, deterministic): 10,000 contacts (about 150 bytes of notes each) and 10,000
//! meetings (1 to 4 participants, a 200-byte agenda, 1 KB of notes, 150 bytes of decisions), plus a
//! follow-up action for every third meeting, as in `tests/e2e/seed.mjs`. Names mix Latin with accents,
//! Cyrillic, Greek and CJK.
//!
//! First a plain report is printed (stderr):
//! - the index's own estimate (`heap_bytes`) and the bytes actually allocated while building it, counted
//!   by a wrapping global allocator;
//! - the time to build it, and to update it after one edit (a contact renamed, which re-indexes the
//!   meetings naming them; a meeting's notes edited);
//! - per-keystroke search time (limit 5 per kind): every prefix of several names ("M", "Mü", "Mül", …),
//!   typed 30 times over; the median and 95th percentile over the keystrokes (each keystroke's time is
//!   the median of its 30 searches, which keeps a busy machine's preemptions out), and over all
//!   searches one by one.
//!
//! - the dashboard, a nation filter on the meetings list and the nations dropdown, once each.
//!
//! Then criterion measures a few single prefixes, for comparisons between changes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::Criterion;
use liaison_core::queries::search::SearchIndex;
use liaison_core::{DeviceId, Field, Kind, Notebook, RecordId, Value};
use liaison_testkit::pools::{self, FIRST_NAMES, NATIONS, SURNAMES, TAGS, WORDS};
use liaison_testkit::{date, list, prose, text, XorShift, BASE_MS};

struct Counting;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed through to the system allocator unchanged; only a counter is kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_add(new_size, Ordering::Relaxed);
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const CONTACTS: usize = 10_000;
const MEETINGS: usize = 10_000;
const LIMIT: usize = 5;
const REPEATS: usize = 30;

const RANKS: [&str; 8] = ["Colonel", "Lt Col", "Major", "Captain", "Commander", "Mr", "Ms", "Dr"];
/// The organisations of [`pools::ORGS`], but the Austrian one under its German name (an umlaut to fold).
const ORGS: [&str; 8] = {
    let mut orgs = pools::ORGS;
    orgs[5] = "Österreichisches Bundesheer";
    orgs
};

/// A pseudo-word from a lexicon of `LEXICON` made-up words (number `n` is always the same word), so
/// that the notes have a vocabulary the size of real ones, not just the 64 common words.
fn rare_word(n: usize) -> String {
    const SYLLABLES: [&str; 24] = [
        "ka", "ro", "vin", "sta", "mel", "dor", "pa", "tri", "sul", "bek", "ne", "lio", "gra", "fen", "ost", "ur",
        "zal", "mi", "qua", "ter", "bü", "sé", "ło", "ný",
    ];
    let mut n = n;
    let mut w = String::new();
    for _ in 0..2 + n % 3 {
        w.push_str(SYLLABLES[n % SYLLABLES.len()]);
        n /= SYLLABLES.len();
    }
    w
}

/// Distinct made-up words the notes draw from.
const LEXICON: usize = 200_000;

fn sentence(rng: &mut XorShift) -> String {
    let n = 8 + rng.below(10);
    let words: Vec<String> = (0..n)
        .map(|_| {
            if rng.below(5) == 0 {
                // Rare words: small numbers are likelier, as in real text (roughly Zipf).
                let r = rng.below(LEXICON);
                rare_word(rng.below(r + 1))
            } else {
                rng.pick(&WORDS).to_string()
            }
        })
        .collect();
    format!("{}.", words.join(" "))
}

fn notebook() -> (Notebook, Vec<RecordId>, Vec<RecordId>) {
    let mut rng = XorShift::new(0x5EED_5EA2_C400_0001);
    let mut nb = Notebook::new(DeviceId::new_v7(BASE_MS, [7; 10]));
    let mut now = BASE_MS;
    let mut contacts = Vec::with_capacity(CONTACTS);
    for i in 0..CONTACTS {
        now += 1_000;
        let id = nb.create(Kind::Contact, now, rng.bytes10());
        let name = format!("{} {}", rng.pick(&FIRST_NAMES), rng.pick(&SURNAMES));
        let nation = rng.pick(&NATIONS);
        let mut set = |f: Field, v: Value| nb.set(id, f, v, now).expect("a field of a contact");
        set(Field::Name, text(name));
        set(Field::Title, text(rng.pick(&RANKS)));
        set(Field::Organisation, text(rng.pick(&ORGS)));
        set(Field::Nation, text(nation));
        set(Field::Role, text("Liaison officer"));
        set(Field::Emails, list(vec![format!("contact{i}@mod.{}.example", nation.to_lowercase())]));
        set(Field::Phones, list(vec![format!("+43 1 555 {i:04}")]));
        set(Field::Notes, text(prose(&mut rng, 150, sentence)));
        set(Field::Tags, list(vec![rng.pick(&TAGS).into()]));
        set(Field::Marking, text(rng.pick(&["", "UNCLASSIFIED", "RESTRICTED", "REL TO AUT, CHE"])));
        contacts.push(id);
    }
    let mut meetings = Vec::with_capacity(MEETINGS);
    for i in 0..MEETINGS {
        now += 1_000;
        let id = nb.create(Kind::Meeting, now, rng.bytes10());
        let participants: Vec<String> =
            (0..1 + rng.below(4)).map(|_| contacts[rng.below(CONTACTS)].to_string()).collect();
        let title = format!(
            "{} with {}",
            rng.pick(&["Staff talks", "Planning meeting", "Coordination call", "Working lunch"]),
            rng.pick(&NATIONS)
        );
        let mut set = |f: Field, v: Value| nb.set(id, f, v, now).expect("a field of a meeting");
        set(Field::Title, text(title));
        set(Field::Date, text(date(rng.below(330) as u64)));
        set(Field::Start, text(format!("{:02}:{}", 8 + rng.below(9), rng.pick(&["00", "15", "30", "45"]))));
        set(Field::Location, text(rng.pick(&["Room 4.12", "Conference hall B", "Embassy", "Video call"])));
        set(Field::Participants, list(participants));
        set(Field::Nations, list(vec![rng.pick(&NATIONS).into()]));
        set(Field::Organisations, list(vec![rng.pick(&ORGS).into()]));
        set(Field::Agenda, text(prose(&mut rng, 200, sentence)));
        set(Field::Notes, text(prose(&mut rng, 1_024, sentence)));
        set(Field::Decisions, text(prose(&mut rng, 150, sentence)));
        set(Field::Tags, list(vec![rng.pick(&TAGS).into()]));
        meetings.push(id);
        if i % 3 == 0 {
            let a = nb.create(Kind::Action, now, rng.bytes10());
            let mut set = |f: Field, v: Value| nb.set(a, f, v, now).expect("a field of an action");
            set(Field::Text, text(sentence(&mut rng)));
            set(Field::Owner, text(format!("{} {}", rng.pick(&FIRST_NAMES), rng.pick(&SURNAMES))));
            set(Field::Due, text(date(30 + rng.below(330) as u64)));
            set(Field::Meeting, text(id.to_string()));
        }
    }
    (nb, contacts, meetings)
}

/// Every prefix of each of these, typed one letter at a time.
const TYPED: [&str; 7] = ["Müller", "Lindqvist", "Иванова", "Ελένη", "李 小龍", "anna müller", "host nation support"];

fn prefixes(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    (1..=chars.len()).map(|n| chars[..n].iter().collect()).collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

fn report(nb: &mut Notebook, index: &mut SearchIndex, contacts: &[RecordId], meetings: &[RecordId]) {
    let records = nb.records().count();
    eprintln!(
        "data: {records} records ({CONTACTS} contacts, {MEETINGS} meetings, {} actions)",
        records - CONTACTS - MEETINGS
    );

    let before = LIVE_BYTES.load(Ordering::Relaxed);
    let t = Instant::now();
    let built = SearchIndex::build(nb);
    let build_time = t.elapsed();
    let allocated = LIVE_BYTES.load(Ordering::Relaxed) - before;
    eprintln!(
        "index: built in {:.0} ms; heap_bytes() estimate {:.1} MiB; allocated by the build {:.1} MiB",
        ms(build_time),
        built.heap_bytes() as f64 / 1_048_576.0,
        allocated as f64 / 1_048_576.0
    );
    eprintln!("index: {:?}", built.stats());
    *index = built;

    // Updates: a contact renamed (re-indexes the meetings naming them), a meeting's notes edited.
    let mut rename = Vec::new();
    let mut edit = Vec::new();
    for i in 0..200 {
        let now = BASE_MS + 400 * 86_400_000 + i as u64;
        let c = contacts[(i * 37) % contacts.len()];
        nb.set(c, Field::Name, text(format!("Renamed Person {i}")), now).expect("rename");
        let t = Instant::now();
        index.update(nb, c);
        rename.push(t.elapsed());
        let m = meetings[(i * 53) % meetings.len()];
        nb.set(m, Field::Notes, text(format!("{} edited {i}", "Notes of the meeting. ".repeat(45))), now)
            .expect("notes");
        let t = Instant::now();
        index.update(nb, m);
        edit.push(t.elapsed());
    }
    rename.sort();
    edit.sort();
    eprintln!(
        "update: contact renamed median {:.3} ms, p95 {:.3} ms; meeting notes edited median {:.3} ms, p95 {:.3} ms",
        ms(percentile(&rename, 0.5)),
        ms(percentile(&rename, 0.95)),
        ms(percentile(&edit, 0.5)),
        ms(percentile(&edit, 0.95))
    );

    let today = liaison_core::date::Date::from_days_since_epoch((BASE_MS / 86_400_000) as i64 + 200);
    let t = Instant::now();
    let d = black_box(liaison_core::queries::dashboard(nb, today));
    let dashboard = t.elapsed();
    {
        use liaison_core::queries as q;
        let time = |f: &dyn Fn() -> usize| {
            let t = Instant::now();
            let n = f();
            (ms(t.elapsed()), n)
        };
        let parts = [
            ("open follow-ups", time(&|| nb.open_follow_ups(today).len())),
            ("recent", time(&|| q::recent_meetings(nb, today, 5).len())),
            ("per nation", time(&|| q::meetings_per_nation(nb, today, 90).len())),
            ("not met", time(&|| q::contacts_not_met(nb, today, 180).len())),
        ];
        eprintln!("dashboard parts: {parts:?}");
    }
    let filter = liaison_core::queries::ListFilter { nation: Some("aut".into()), ..Default::default() };
    let t = Instant::now();
    let filtered = black_box(filter.meetings(nb)).len();
    let filtering = t.elapsed();
    let t = Instant::now();
    let nations = black_box(liaison_core::queries::nations(nb)).len();
    let dropdown = t.elapsed();
    eprintln!(
        "queries: dashboard {:.1} ms ({} overdue, {} per-nation bars, {} not met); meetings filtered by nation {:.1} ms ({filtered}); nations dropdown {:.1} ms ({nations})",
        ms(dashboard),
        d.overdue.len(),
        d.meetings_per_nation.len(),
        d.not_met.len(),
        ms(filtering),
        ms(dropdown)
    );

    for q in ["Иванова", "Müller", "M"] {
        let mut parts = Vec::new();
        for limit in [0, LIMIT] {
            let mut per: Vec<Duration> = (0..REPEATS)
                .map(|_| {
                    let t = Instant::now();
                    black_box(index.search(nb, black_box(q), limit));
                    t.elapsed()
                })
                .collect();
            per.sort();
            parts.push(format!("limit {limit}: {:.2} ms", ms(percentile(&per, 0.5))));
        }
        eprintln!("{q:?}: {} (the difference is making the hits: titles, snippets, highlights)", parts.join(", "));
    }

    // Type every name letter by letter, REPEATS times over, interleaved as real typing is: each search
    // follows the previous keystroke's, not itself.
    let keystrokes: Vec<(usize, String)> =
        TYPED.iter().enumerate().flat_map(|(i, t)| prefixes(t).into_iter().map(move |q| (i, q))).collect();
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); keystrokes.len()];
    let mut found = vec![(0, 0, 0); keystrokes.len()];
    for _ in 0..REPEATS {
        for (k, (_, q)) in keystrokes.iter().enumerate() {
            let t = Instant::now();
            let r = black_box(index.search(nb, black_box(q), LIMIT));
            samples[k].push(t.elapsed());
            found[k] = (r.contacts.total, r.meetings.total, r.actions.total);
        }
    }
    let medians: Vec<Duration> = samples
        .iter_mut()
        .map(|s| {
            s.sort();
            percentile(s, 0.5)
        })
        .collect();
    for (i, typed) in TYPED.iter().enumerate() {
        let mut these: Vec<Duration> =
            keystrokes.iter().zip(&medians).filter(|((t, _), _)| *t == i).map(|(_, m)| *m).collect();
        these.sort();
        eprintln!(
            "typing {typed:?}: median {:.2} ms, slowest keystroke {:.2} ms",
            ms(percentile(&these, 0.5)),
            ms(these[these.len() - 1])
        );
        for (k, (t, q)) in keystrokes.iter().enumerate() {
            if *t == i {
                let (c, m, a) = found[k];
                eprintln!("  {q:?}: {:.2} ms ({c} contacts, {m} meetings, {a} actions)", ms(medians[k]));
            }
        }
    }
    let mut by_keystroke = medians.clone();
    by_keystroke.sort();
    let mut all: Vec<Duration> = samples.into_iter().flatten().collect();
    all.sort();
    eprintln!(
        "per keystroke ({} keystrokes, each the median of {REPEATS} searches): median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        by_keystroke.len(),
        ms(percentile(&by_keystroke, 0.5)),
        ms(percentile(&by_keystroke, 0.95)),
        ms(by_keystroke[by_keystroke.len() - 1])
    );
    eprintln!(
        "all {} searches, one by one (includes preemption on a busy machine): median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        all.len(),
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.95)),
        ms(all[all.len() - 1])
    );
}

fn main() {
    let t = Instant::now();
    let (mut nb, contacts, meetings) = notebook();
    eprintln!("made the notebook in {:.1} s", t.elapsed().as_secs_f64());
    let mut index = SearchIndex::new();
    report(&mut nb, &mut index, &contacts, &meetings);

    let mut c = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    for q in ["M", "Mül", "Müller", "Иванова", "anna müller", "zzz"] {
        c.bench_function(&format!("search {q}"), |b| b.iter(|| index.search(&nb, black_box(q), LIMIT)));
    }
    c.bench_function("build", |b| b.iter(|| SearchIndex::build(black_box(&nb))));
    let today = liaison_core::date::Date::from_days_since_epoch((BASE_MS / 86_400_000) as i64 + 200);
    c.bench_function("dashboard", |b| b.iter(|| liaison_core::queries::dashboard(black_box(&nb), today)));
    let filter = liaison_core::queries::ListFilter { nation: Some("aut".into()), ..Default::default() };
    c.bench_function("filter meetings by nation", |b| b.iter(|| filter.meetings(black_box(&nb))));
    c.final_summary();
}
