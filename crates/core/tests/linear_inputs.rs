//! Large and hostile inputs take time linear in their size and memory a small multiple of it.
//!
//! No test here asserts a duration: machines are noisy. Each one does the same work at two sizes, N
//! and 4N, and compares: linear work grows about 4 times, quadratic work 16 times, so a ratio under 8
//! tells them apart with room for noise on either side (each size is timed three times and the fastest
//! run kept, up to nine times on a busy machine). Where the work shows in allocations, they are counted
//! instead, which is exact: a counting allocator below keeps, per thread, the number of allocations and
//! the peak of live bytes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, Instant};

use liaison_core::formats::{ical, vcard, MAX_FILE_ITEMS, MAX_LIST_ITEMS};

use liaison_core::marking::Ceiling;
use liaison_core::queries::search::SearchIndex;
use liaison_core::{DeviceId, Field, Kind, Notebook, RecordId, Value};

// ---- counting what this thread allocates ----

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn grow(bytes: isize) {
    let live = LIVE.with(|l| {
        l.set(l.get() + bytes);
        l.get()
    });
    PEAK.with(|p| p.set(p.get().max(live)));
}

// SAFETY: every call is passed straight to the system allocator; the counters beside it are
// thread-local cells that neither allocate nor run destructors.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|a| a.set(a.get() + 1));
        grow(layout.size() as isize);
        // SAFETY: the layout is the caller's, as `GlobalAlloc::alloc` requires.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        grow(-(layout.size() as isize));
        // SAFETY: `ptr` was allocated by `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|a| a.set(a.get() + 1));
        grow(new_size as isize - layout.size() as isize);
        // SAFETY: as for `dealloc`, and `new_size` is the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// What `work` allocated on this thread: how many times, and the most bytes it held at once beyond
/// what was live before it started.
fn allocated<T>(work: impl FnOnce() -> T) -> (T, u64, usize) {
    let count = ALLOCATIONS.with(Cell::get);
    let live = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(live));
    let out = work();
    let peak = PEAK.with(Cell::get) - live;
    (out, ALLOCATIONS.with(Cell::get) - count, peak.max(0) as usize)
}

// ---- comparing N with 4N ----

/// How much longer `work(4 * n)` takes than `work(n)`, each the fastest of three runs. `work` makes
/// its input and returns the time of the work alone.
fn time_ratio(n: usize, mut work: impl FnMut(usize) -> Duration) -> f64 {
    let (mut small, mut large) = (Duration::MAX, Duration::MAX);
    let mut ratio = f64::INFINITY;
    // Noise only ever slows a run down, so the fastest runs are kept. A machine busy enough to slow
    // the large input's every run (other jobs evicting its data from the caches) gets two more rounds:
    // quadratic work stays near 16 however many runs are timed.
    for _ in 0..3 {
        for _ in 0..3 {
            small = small.min(work(n));
            large = large.min(work(4 * n));
        }
        ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-9);
        eprintln!("{n}: {small:?}, {}: {large:?}, ratio {ratio:.1}", 4 * n);
        if ratio < LINEAR {
            break;
        }
    }
    ratio
}

const LINEAR: f64 = 8.0;

/// The time `work` took on this thread's CPU: on a shared machine, time spent waiting for a core is
/// noise. Linux tells it in /proc/thread-self/schedstat; elsewhere, the time on the clock.
fn timed<T>(work: impl FnOnce() -> T) -> (T, Duration) {
    let on_cpu = || {
        let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        stat.split_whitespace().next()?.parse::<u64>().ok().map(Duration::from_nanos)
    };
    let (cpu, clock) = (on_cpu(), Instant::now());
    let out = work();
    let took = match (cpu, on_cpu()) {
        // A kernel that keeps no schedule statistics says zero throughout.
        (Some(a), Some(b)) if b > a => b - a,
        _ => clock.elapsed(),
    };
    (out, took)
}

// ---- notebooks ----

const NOW: u64 = 1_767_225_600_000;

fn randomness(seed: u64) -> impl FnMut() -> [u8; 10] {
    let mut state = seed | 1;
    move || {
        let mut out = [0u8; 10];
        for b in &mut out {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *b = (state >> 32) as u8;
        }
        out
    }
}

fn set(nb: &mut Notebook, id: RecordId, field: Field, value: Value) {
    nb.set(id, field, value, NOW).unwrap();
}

/// `n` contacts with an email each (`c<i>@example.org`), and `meetings` meetings naming two of them.
fn notebook(n: usize, meetings: usize) -> (Notebook, Vec<RecordId>, Vec<RecordId>) {
    let mut random = randomness(n as u64);
    let mut nb = Notebook::new(DeviceId::new_v7(NOW, [7; 10]));
    let contacts: Vec<RecordId> = (0..n)
        .map(|i| {
            let id = nb.create(Kind::Contact, NOW, random());
            set(&mut nb, id, Field::Name, Value::Text(format!("Person{i} Berg")));
            set(&mut nb, id, Field::Emails, Value::List(vec![format!("c{i}@example.org")]));
            id
        })
        .collect();
    let meetings = (0..meetings)
        .map(|i| {
            let id = nb.create(Kind::Meeting, NOW, random());
            set(&mut nb, id, Field::Title, Value::Text(format!("Staff talks {i}")));
            set(&mut nb, id, Field::Date, Value::Text("2026-03-10".into()));
            let who = vec![contacts[i % n].to_string(), contacts[(i * 7 + 1) % n].to_string()];
            set(&mut nb, id, Field::Participants, Value::List(who));
            id
        })
        .collect();
    (nb, contacts, meetings)
}

fn card(body: impl FnOnce(&mut String)) -> Vec<u8> {
    let mut s = String::from(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:019cecd7-5160-7100-9122-334455a53d77\r\nFN:Anna Berg\r\n",
    );
    body(&mut s);
    s.push_str("END:VCARD\r\n");
    s.into_bytes()
}

fn tags_line(s: &mut String, tags: usize) {
    s.push_str("CATEGORIES:");
    for i in 0..tags {
        if i > 0 {
            s.push(',');
        }
        s.push(char::from(b'a' + (i % 26) as u8));
    }
    s.push_str("\r\n");
}

// ---- the inputs ----

#[test]
fn importing_invitations_matches_their_attendees_with_work_linear_in_the_contacts_and_events() {
    // Attendees are matched by email, in any case, to the notebook's contacts. Making the sorted list
    // of every contact again per event made this quadratic, which shows in allocations.
    let import = |n: usize| {
        let (mut nb, contacts, _) = notebook(n, 0);
        let mut text = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n");
        for i in 0..n {
            text.push_str(&format!(
                "BEGIN:VEVENT\r\nUID:invite-{i}@example.org\r\nDTSTART:20260310T093000\r\nSUMMARY:Invitation {i}\r\n\
                 ORGANIZER:mailto:c{}@example.org\r\nATTENDEE;CN=A:mailto:C{i}@EXAMPLE.ORG\r\nATTENDEE:mailto:nobody{i}@example.org\r\nEND:VEVENT\r\n",
                (i * 3) % n
            ));
        }
        let cal = ical::parse(text.as_bytes());
        let (out, allocations, _) = allocated(|| ical::import(&mut nb, &cal, NOW + 1, &mut randomness(9)));
        assert_eq!(out.created.len(), n);
        let first = nb.meeting(out.created[0]).unwrap();
        assert_eq!(first.participants, [contacts[0]], "matched by email, case ignored");
        assert_eq!(first.attendees, ["nobody0@example.org"]);
        allocations
    };
    let (small, large) = (import(200), import(800));
    let ratio = large as f64 / small as f64;
    assert!(ratio < LINEAR, "4 times the invitations and contacts made {ratio:.1} times the allocations");
}

#[test]
fn reindexing_many_changed_contacts_takes_time_linear_in_their_number() {
    // A changed contact re-indexes the meetings that name it; finding those by looking at every
    // record made re-indexing an import of N contacts quadratic.
    let ratio = time_ratio(500, |n| {
        let (mut nb, contacts, _) = notebook(n, n);
        // Records that do not change, each looked at once per changed contact before.
        let mut random = randomness(4);
        for _ in 0..4 * n {
            nb.create(Kind::Action, NOW, random());
        }
        let mut index = SearchIndex::build(&nb);
        for (i, c) in contacts.iter().enumerate() {
            set(&mut nb, *c, Field::Name, Value::Text(format!("Renamed{i} Lund")));
        }
        let ((), took) = timed(|| index.update_all(&nb, contacts.iter().copied()));
        if n == 500 {
            assert_eq!(index, SearchIndex::build(&nb), "the meetings were found by their participants' new names");
        }
        took
    });
    assert!(ratio < LINEAR, "4 times the contacts took {ratio:.1} times as long");
}

#[test]
fn one_contact_update_reindexes_exactly_the_meetings_that_name_it() {
    let (mut nb, contacts, meetings) = notebook(50, 50);
    let mut index = SearchIndex::build(&nb);
    set(&mut nb, contacts[3], Field::Name, Value::Text("Zebulon".into()));
    index.update(&nb, contacts[3]);
    let mut found: Vec<RecordId> = index.search(&nb, "zebulon", 100).meetings.hits.iter().map(|h| h.id).collect();
    found.sort();
    // Meeting i names contacts i and 7i + 1 (mod 50): contact 3 is in meetings 3 and 36.
    let mut naming = vec![meetings[3], meetings[36]];
    naming.sort();
    assert_eq!(found, naming);
    // A meeting that drops the contact is no longer found by it, and the contact's next change leaves it alone.
    set(&mut nb, meetings[3], Field::Participants, Value::List(vec![contacts[4].to_string()]));
    index.update(&nb, meetings[3]);
    let found: Vec<RecordId> = index.search(&nb, "zebulon", 100).meetings.hits.iter().map(|h| h.id).collect();
    assert_eq!(found, [meetings[36]]);
    set(&mut nb, contacts[3], Field::Name, Value::Text("Zebulon Again".into()));
    index.update(&nb, contacts[3]);
    assert_eq!(index, SearchIndex::build(&nb));
}

#[test]
fn exporting_many_meetings_with_actions_to_icalendar_takes_time_linear_in_the_notebook() {
    // Each meeting's actions were found by reading every record once per meeting.
    let ratio = time_ratio(500, |n| {
        let (mut nb, _, meetings) = notebook(n, n);
        let mut random = randomness(5);
        for (i, m) in meetings.iter().enumerate() {
            let a = nb.create(Kind::Action, NOW, random());
            set(&mut nb, a, Field::Meeting, Value::Text(m.to_string()));
            set(&mut nb, a, Field::Text, Value::Text(format!("Send the minutes {i}")));
        }
        // Records that are not actions, as a notebook holds many, each read once per meeting before.
        for _ in 0..10 * n {
            nb.create(Kind::Contact, NOW, random());
        }
        let (out, took) = timed(|| ical::export_all(&nb, Ceiling::All, NOW));
        assert_eq!(out.written, 2 * n, "every meeting and its action");
        took
    });
    assert!(ratio < LINEAR, "4 times the meetings took {ratio:.1} times as long");
}

#[test]
fn actions_grouped_by_meeting_are_the_actions_of_each_meeting() {
    let (mut nb, _, meetings) = notebook(3, 3);
    let mut random = randomness(3);
    for (i, m) in meetings.iter().enumerate().flat_map(|(i, m)| std::iter::repeat_n((i, m), i + 1)) {
        let a = nb.create(Kind::Action, NOW + i as u64, random());
        set(&mut nb, a, Field::Meeting, Value::Text(m.to_string()));
    }
    let deleted = nb.actions_of(meetings[2])[1].id.unwrap();
    nb.delete(deleted, NOW + 10).unwrap();
    let grouped = nb.actions_by_meeting();
    for m in &meetings {
        assert_eq!(grouped.of(*m), nb.actions_of(*m).as_slice());
    }
    assert_eq!(grouped.of(meetings[2]).len(), 2, "deleted actions are left out");
    assert!(grouped.of(RecordId::new_v7(NOW, [9; 10])).is_empty());
}

#[test]
fn vcard_with_millions_of_empty_continuation_lines_reads_in_linear_time() {
    // A property's head of a few thousand octets still without its colon, then empty folds: the head
    // was rescanned at every fold. Both grow here, so the old work grew 16 times for 4 times the input.
    let ratio = time_ratio(50_000, |folds| {
        let head = folds / 50;
        let bytes = card(|s| {
            s.push_str("NOTE;X-PAD=");
            s.push_str(&"p".repeat(head));
            s.push_str("\r\n");
            for _ in 0..folds {
                s.push_str(" \r\n");
            }
            s.push_str(" :the note\r\n");
        });
        let (parsed, took) = timed(|| vcard::parse(&bytes));
        assert_eq!(parsed.cards.len(), 1);
        assert_eq!(parsed.cards[0].contact.notes, "the note");
        took
    });
    assert!(ratio < LINEAR, "4 times the input took {ratio:.1} times as long");
}

#[test]
fn vcard_phones_marked_preferred_come_first_each_in_file_order() {
    let bytes = card(|s| {
        for (i, pref) in ["", ";TYPE=pref", "", ";PREF=1", ";TYPE=work,pref", ""].iter().enumerate() {
            s.push_str(&format!("TEL{pref}:{i}\r\n"));
        }
    });
    assert_eq!(vcard::parse(&bytes).cards[0].contact.phones, ["1", "3", "4", "0", "2", "5"]);
}

#[test]
fn vcard_with_tens_of_thousands_of_preferred_phones_reads_in_linear_time_and_keeps_the_limit() {
    // Each preferred phone was inserted in front of every other phone read before it. Here half the
    // phones come first, then as many preferred ones.
    let phones = |n: usize| {
        card(|s| {
            for i in 0..n {
                let pref = if i < n / 2 { "" } else { ";PREF=1" };
                s.push_str(&format!("TEL{pref}:{i}\r\n"));
            }
        })
    };
    let n = 25_000;
    let ratio = time_ratio(n, |n| {
        let bytes = phones(n);
        timed(|| vcard::parse(&bytes)).1
    });
    assert!(ratio < LINEAR, "4 times the phones took {ratio:.1} times as long");
    let parsed = vcard::parse(&phones(4 * n));
    let kept = &parsed.cards[0].contact.phones;
    assert_eq!(kept.len(), MAX_LIST_ITEMS);
    assert_eq!(kept[MAX_LIST_ITEMS - 1], (MAX_LIST_ITEMS - 1).to_string(), "the first ones, in file order");
    let said: Vec<&str> = parsed.problems.iter().map(|p| p.message.as_str()).filter(|m| m.contains("phones")).collect();
    assert_eq!(said, [format!("more than {MAX_LIST_ITEMS} phones on one card; the rest were not read")]);
}

#[test]
fn vcard_of_millions_of_one_letter_tags_reads_in_memory_a_small_multiple_of_its_size() {
    let bytes = card(|s| tags_line(s, 2_000_000));
    let mut nb = Notebook::new(DeviceId::new_v7(NOW, [7; 10]));
    let (parsed, _, peak) = allocated(|| {
        let parsed = vcard::parse(&bytes);
        vcard::import(&mut nb, &parsed.cards, NOW, &mut randomness(1));
        parsed
    });
    assert!(peak < 8 * bytes.len(), "{} MB read with {} MB at most", bytes.len() >> 20, peak >> 20);
    assert_eq!(parsed.cards[0].contact.tags.len(), MAX_LIST_ITEMS);
    assert!(parsed
        .problems
        .iter()
        .any(|p| p.message == format!("more than {MAX_LIST_ITEMS} tags on one card; the rest were not read")));
    let id = parsed.cards[0].record_id();
    assert_eq!(nb.contact(id).unwrap().tags.len(), MAX_LIST_ITEMS);
}

#[test]
fn vcard_of_many_cards_full_of_tags_keeps_the_files_limit_and_memory_that_stops_growing_with_it() {
    // Each card within its own limit, together past the file's: past it, more input costs no memory.
    let read = |cards: usize| {
        let mut bytes = Vec::new();
        for _ in 0..cards {
            bytes.extend(card(|s| tags_line(s, 5_000)));
        }
        let (parsed, _, peak) = allocated(|| vcard::parse(&bytes));
        let kept: usize = parsed.cards.iter().map(|c| c.contact.tags.len()).sum();
        assert_eq!(kept, MAX_FILE_ITEMS);
        assert_eq!(parsed.cards.len(), cards, "every card is still read");
        assert!(parsed
            .problems
            .iter()
            .any(|p| p.message.starts_with(&format!("the file holds more than {MAX_FILE_ITEMS} "))));
        (peak, bytes.len())
    };
    let cards = 2 * MAX_FILE_ITEMS / 5_000;
    let (small, _) = read(cards);
    let (large, size) = read(4 * cards);
    assert!(large < 2 * small, "4 times the cards took {:.1} times the memory", large as f64 / small as f64);
    assert!(large < 8 * size, "{} MB read with {} MB at most", size >> 20, large >> 20);
}

#[test]
fn a_line_of_a_million_parameters_is_reported_without_reading_them() {
    let bytes = card(|s| {
        s.push_str("TEL");
        s.push_str(&";TYPE=pref".repeat(1_000_000));
        s.push_str(":123\r\n");
    });
    let (parsed, _, peak) = allocated(|| vcard::parse(&bytes));
    assert!(peak < 8 * bytes.len(), "{} MB read with {} MB at most", bytes.len() >> 20, peak >> 20);
    assert!(parsed.cards[0].contact.phones.is_empty());
    assert!(parsed.problems.iter().any(|p| p.line == 5 && p.message.contains("parameters")), "{:?}", parsed.problems);
}

#[test]
fn an_invitation_to_more_attendees_than_the_limit_keeps_the_first_ones_and_says_so() {
    let (nb, _, _) = notebook(1, 0);
    let mut text = String::from("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:big@example.org\r\nDTSTART:20260310\r\n");
    for i in 0..MAX_LIST_ITEMS + 10 {
        text.push_str(&format!("ATTENDEE:mailto:p{i}@example.org\r\n"));
    }
    text.push_str("END:VEVENT\r\nEND:VCALENDAR\r\n");
    let cal = ical::parse(text.as_bytes());
    assert_eq!(cal.events[0].attendees.len(), MAX_LIST_ITEMS);
    assert_eq!(cal.events[0].attendees[0].email, "p0@example.org");
    assert!(cal
        .problems
        .iter()
        .any(|p| p.message == format!("more than {MAX_LIST_ITEMS} attendees in one event; the rest were not read")));
    assert_eq!(cal.events[0].meeting_in(&nb).attendees.len(), MAX_LIST_ITEMS);
}

/// A bundle of `n` tiny list items spread over records of 10,000 items each, as a hostile file would.
fn bundle_of_list_items(item: &str, n: usize) -> Vec<u8> {
    let dev = "019c8e47-dc00-7242-8242-424242424242";
    let mut s = format!(
        r#"{{"format":"liaison-bundle","version":1,"bundle_id":"01950000-0000-7000-8000-000000000001","created_ms":1772000000000,"device":{{"id":"{dev}","label":"x","officer":"y"}},"sequence":1,"scope":"all","devices":[],"records":["#
    );
    let per = 10_000;
    for r in 0..n.div_ceil(per) {
        if r > 0 {
            s.push(',');
        }
        let items = vec![item; per.min(n - r * per)].join(",");
        s.push_str(&format!(
            r#"{{"id":"019c936e-3be8-7101-8101-{r:012x}","kind":"contact","life":[{{"v":false,"t":[1772000001000,0,"{dev}"]}}],"fields":{{"tags":[{{"v":[{items}],"t":[1772000002000,0,"{dev}"]}}]}},"seen":{{"{dev}":[1772000002000,0]}}}}"#
        ));
    }
    s.push_str(r#"],"checksum":"sha256:00"}"#);
    s.into_bytes()
}

#[test]
fn a_bundle_of_millions_of_tiny_list_items_is_refused_in_memory_a_small_multiple_of_its_size() {
    for item in [r#""""#, r#""a""#] {
        let bytes = bundle_of_list_items(item, 2_000_000);
        let (result, _, peak) = allocated(|| liaison_core::formats::bundle::read_bundle(&bytes, 1_780_000_000_000));
        let problems = result.expect_err("refused");
        assert!(
            problems.iter().any(|p| p.message.contains("empty item") || p.message.contains("more list items")),
            "{item}: {problems:?}"
        );
        // Before, every item cost about 100 bytes at the peak (a generic tree, then two copies).
        assert!(peak < 6 * bytes.len(), "{item}: peak {peak} bytes for a {} byte file", bytes.len());
    }
}
