//! Search, list filters and the dashboard, through the API the app calls.
//!
//! - Search: case and accents ignored both ways, any script, highlight ranges that map back to the
//!   original text exactly (property), incremental updates equal to a fresh build (property), deleted
//!   records never shown, grouping and ranking, bounded snippets.
//! - Filters: round trips through URL parameters (property), folded matching, participants' nations,
//!   inclusive date ranges, "met between".
//! - Dashboard: every list on a small hand-made notebook with fixed dates, at the edges of each window.

use liaison_core::date::Date;
use liaison_core::queries::search::{highlight, Results, SearchIndex, SNIPPET_CHARS};
use liaison_core::queries::{self, ListFilter, NationCount};
use liaison_core::text;
use liaison_core::text::fold;
use liaison_core::{DeviceId, Field, Kind, Notebook, RecordId, Value};
use proptest::prelude::*;

const DAY_MS: u64 = 86_400_000;

/// A notebook with a clock that moves forward by itself, and helpers to fill it.
struct Book {
    nb: Notebook,
    now: u64,
    n: u8,
}

fn value(field: Field, text: &str) -> Value {
    match field.shape() {
        liaison_core::schema::Shape::List => {
            Value::List(text.split('|').filter(|s| !s.is_empty()).map(str::to_string).collect())
        }
        liaison_core::schema::Shape::Flag => Value::Bool(text == "yes"),
        liaison_core::schema::Shape::Text => Value::Text(text.to_string()),
    }
}

fn day(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn ms_of(s: &str) -> u64 {
    day(s).days_since_epoch() as u64 * DAY_MS
}

impl Book {
    fn new() -> Book {
        Book { nb: Notebook::new(DeviceId::new_v7(0, [1; 10])), now: ms_of("2025-01-01"), n: 0 }
    }

    fn tick(&mut self) -> u64 {
        self.now += 1_000;
        self.now
    }

    /// A record created at the book's clock, with these fields. List values are separated by `|`.
    fn add(&mut self, kind: Kind, fields: &[(Field, &str)]) -> RecordId {
        let now = self.tick();
        self.n = self.n.wrapping_add(1);
        let id = self.nb.create(kind, now, [self.n; 10]);
        for (f, v) in fields {
            self.set(id, *f, v);
        }
        id
    }

    /// A record created on a given day.
    fn add_on(&mut self, created: &str, kind: Kind, fields: &[(Field, &str)]) -> RecordId {
        let saved = self.now;
        self.now = self.now.max(ms_of(created));
        let id = self.add(kind, fields);
        self.now = saved.max(self.now);
        id
    }

    fn set(&mut self, id: RecordId, field: Field, text: &str) {
        let now = self.tick();
        self.nb.set(id, field, value(field, text), now).unwrap();
    }

    fn delete(&mut self, id: RecordId) {
        let now = self.tick();
        self.nb.delete(id, now).unwrap();
    }

    fn restore(&mut self, id: RecordId) {
        let now = self.tick();
        self.nb.restore(id, now).unwrap();
    }

    fn contact(&mut self, name: &str) -> RecordId {
        self.add(Kind::Contact, &[(Field::Name, name)])
    }
}

fn titles(r: &Results) -> (Vec<String>, Vec<String>, Vec<String>) {
    let t = |hits: &[liaison_core::queries::search::Hit]| hits.iter().map(|h| h.title.clone()).collect();
    (t(&r.contacts.hits), t(&r.meetings.hits), t(&r.actions.hits))
}

fn marked(text: &str, ranges: &[std::ops::Range<usize>]) -> Vec<String> {
    ranges.iter().map(|r| text[r.clone()].to_string()).collect()
}

// ---------------------------------------------------------------------------------------------------
// Search: matching
// ---------------------------------------------------------------------------------------------------

#[test]
fn case_and_accents_are_ignored_both_ways() {
    let mut b = Book::new();
    b.contact("Jürgen Müller");
    b.contact("Hans Muller");
    b.contact("MÜLLER, Anna");
    b.contact("Mu\u{308}ller Decomposed");
    b.contact("Anna Berg");
    let index = SearchIndex::build(&b.nb);
    for q in ["Müller", "MULLER", "muller", "mÜlLeR", "MÜL"] {
        let r = index.search(&b.nb, q, 10);
        assert_eq!(r.contacts.total, 4, "{q}");
        for h in &r.contacts.hits {
            let m = marked(&h.title, &h.title_highlights);
            assert_eq!(m.len(), 1, "{q} in {}", h.title);
            assert_eq!(fold(&m[0]), fold(q), "{q} marks {m:?} in {}", h.title);
        }
    }
    let r = index.search(&b.nb, "MÜLLER", 10);
    let mut all: Vec<String> = r.contacts.hits.iter().flat_map(|h| marked(&h.title, &h.title_highlights)).collect();
    all.sort();
    let mut expected = ["MÜLLER", "Mu\u{308}ller", "Muller", "Müller"];
    expected.sort();
    assert_eq!(all, expected);
    // "ß" and "ss" are one; ligatures and full-width letters are their plain letters.
    b.contact("Johann Strauß");
    b.contact("Ｆｉｎｎ ﬁnley");
    let index = SearchIndex::build(&b.nb);
    assert_eq!(index.search(&b.nb, "strauss", 5).contacts.hits[0].title, "Johann Strauß");
    assert_eq!(index.search(&b.nb, "STRAUSS", 5).contacts.total, 1);
    assert_eq!(index.search(&b.nb, "finn finley", 5).contacts.total, 1);
}

#[test]
fn any_script_is_found_and_marked_in_its_own_letters() {
    let mut b = Book::new();
    b.contact("Мария Иванова");
    b.contact("李小龍");
    b.contact("Ελένη Παπαδοπούλου");
    b.contact("محمّد علي");
    b.contact("김민준");
    let index = SearchIndex::build(&b.nb);
    let cases: [(&str, &str, &str); 10] = [
        ("иванова", "Мария Иванова", "Иванова"),
        ("ИВАН", "Мария Иванова", "Иван"),
        ("小龍", "李小龍", "小龍"),
        ("龍", "李小龍", "龍"),
        ("ελενη", "Ελένη Παπαδοπούλου", "Ελένη"),
        ("ΕΛΈΝΗ", "Ελένη Παπαδοπούλου", "Ελένη"),
        ("παπαδοπουλου", "Ελένη Παπαδοπούλου", "Παπαδοπούλου"),
        ("محمد", "محمّد علي", "محمّد"),
        ("민준", "김민준", "민준"),
        ("김", "김민준", "김"),
    ];
    for (q, title, mark) in cases {
        let r = index.search(&b.nb, q, 5);
        assert_eq!(r.contacts.total, 1, "{q}");
        let h = &r.contacts.hits[0];
        assert_eq!(h.title, title);
        assert_eq!(marked(&h.title, &h.title_highlights), [mark], "{q}");
    }
}

#[test]
fn every_word_must_match_somewhere_in_the_record() {
    let mut b = Book::new();
    b.add(Kind::Contact, &[(Field::Name, "Anna Berg"), (Field::Organisation, "NATO HQ"), (Field::Nation, "NOR")]);
    b.add(Kind::Contact, &[(Field::Name, "Anna Lind"), (Field::Organisation, "EU Military Staff")]);
    let index = SearchIndex::build(&b.nb);
    assert_eq!(titles(&index.search(&b.nb, "anna nato", 5)).0, ["Anna Berg"]);
    assert_eq!(titles(&index.search(&b.nb, "nor anna", 5)).0, ["Anna Berg"]);
    assert_eq!(index.search(&b.nb, "anna", 5).contacts.total, 2);
    assert!(index.search(&b.nb, "anna nobody", 5).is_empty());
    assert!(index.search(&b.nb, "   ", 5).is_empty());
    assert!(index.search(&b.nb, "", 5).is_empty());
}

#[test]
fn a_single_letter_matches_word_starts_and_two_letters_match_anywhere() {
    let mut b = Book::new();
    b.contact("Martin Olsen");
    b.contact("Sam Hill");
    let index = SearchIndex::build(&b.nb);
    assert_eq!(titles(&index.search(&b.nb, "m", 5)).0, ["Martin Olsen"]);
    assert_eq!(titles(&index.search(&b.nb, "am", 5)).0, ["Sam Hill"]);
    // A single character of a script without case (CJK) still matches anywhere.
    b.contact("李小龍");
    let index = SearchIndex::build(&b.nb);
    assert_eq!(index.search(&b.nb, "小", 5).contacts.total, 1);
}

#[test]
fn meetings_are_found_by_participants_agenda_decisions_and_actions_by_owner() {
    let mut b = Book::new();
    let anna = b.contact("Anna Nowak");
    let m = b.add(
        Kind::Meeting,
        &[
            (Field::Title, "Staff talks"),
            (Field::Participants, &anna.to_string()),
            (Field::Attendees, "Oberst Gruber"),
            (Field::Organisations, "Bundesheer"),
            (Field::Nations, "AUT"),
            (Field::Location, "Room 4.12"),
            (Field::Agenda, "Exercise planning"),
            (Field::Decisions, "Send the memorandum"),
            (Field::Tags, "priority"),
            (Field::Date, "2026-03-01"),
        ],
    );
    b.add(Kind::Action, &[(Field::Text, "Draft the annex"), (Field::Owner, "Piotr"), (Field::Meeting, &m.to_string())]);
    let index = SearchIndex::build(&b.nb);
    let expect = [
        ("nowak", Field::Participants),
        ("gruber", Field::Attendees),
        ("bundesheer", Field::Organisations),
        ("aut", Field::Nations),
        ("4.12", Field::Location),
        ("exercise", Field::Agenda),
        ("memorandum", Field::Decisions),
        ("priority", Field::Tags),
    ];
    for (q, field) in expect {
        let r = index.search(&b.nb, q, 5);
        assert_eq!(r.meetings.total, 1, "{q}");
        assert_eq!(r.meetings.hits[0].field, field, "{q}");
        assert_eq!(r.meetings.hits[0].detail, "1 Mar 2026 · Room 4.12");
    }
    let r = index.search(&b.nb, "piotr", 5);
    assert_eq!(r.actions.hits[0].field, Field::Owner);
    assert_eq!(r.actions.hits[0].meeting, Some(m), "Enter on an action opens its meeting");
    assert_eq!(r.actions.hits[0].detail, "Staff talks");
    // A contact's own fields, also found by email and tag.
    let c = b.add(
        Kind::Contact,
        &[(Field::Name, "Ola Nordmann"), (Field::Emails, "ola@mil.no"), (Field::Tags, "air"), (Field::Title, "Maj")],
    );
    let index = SearchIndex::build(&b.nb);
    let r = index.search(&b.nb, "mil.no", 5);
    assert_eq!((r.contacts.hits[0].id, r.contacts.hits[0].field), (c, Field::Emails));
    assert_eq!(r.contacts.hits[0].snippet, "ola@mil.no");
    assert_eq!(marked(&r.contacts.hits[0].snippet, &r.contacts.hits[0].highlights), ["mil.no"]);
}

// ---------------------------------------------------------------------------------------------------
// Search: ranking, grouping, snippets
// ---------------------------------------------------------------------------------------------------

#[test]
fn results_are_grouped_by_kind_and_ranked() {
    let mut b = Book::new();
    b.add(Kind::Contact, &[(Field::Name, "Zoë Lind"), (Field::Notes, "Knows Berg well")]);
    b.add(Kind::Contact, &[(Field::Name, "Ana Isberg")]);
    b.add(Kind::Contact, &[(Field::Name, "Bo Rossi"), (Field::Organisation, "Berg AG")]);
    b.add(Kind::Contact, &[(Field::Name, "Ana Berg")]);
    b.add(Kind::Contact, &[(Field::Name, "Berg, Ana")]);
    b.add(Kind::Contact, &[(Field::Name, "Bergmann")]);
    let old = b.add(Kind::Meeting, &[(Field::Title, "Berg visit"), (Field::Date, "2025-05-01")]);
    let new = b.add(Kind::Meeting, &[(Field::Title, "Berg visit"), (Field::Date, "2026-05-01")]);
    let undated = b.add(Kind::Meeting, &[(Field::Title, "Berg visit")]);
    let notes =
        b.add(Kind::Meeting, &[(Field::Title, "Talks"), (Field::Notes, "Berg came"), (Field::Date, "2027-01-01")]);
    b.add(Kind::Action, &[(Field::Text, "Call Berg"), (Field::Meeting, &old.to_string())]);
    let index = SearchIndex::build(&b.nb);
    let r = index.search(&b.nb, "berg", 10);
    // Name start (folded name order), word start in the name, inside the name, organisation, notes.
    assert_eq!(titles(&r).0, ["Berg, Ana", "Bergmann", "Ana Berg", "Ana Isberg", "Bo Rossi", "Zoë Lind"]);
    // Same score: newest date first, undated last; a match in the notes after every title match.
    let ids: Vec<RecordId> = r.meetings.hits.iter().map(|h| h.id).collect();
    assert_eq!(ids, [new, old, undated, notes]);
    assert_eq!(titles(&r).2, ["Call Berg"]);
    assert_eq!((r.contacts.total, r.meetings.total, r.actions.total), (6, 4, 1));
    // The limit is per kind; totals still count everything.
    let r = index.search(&b.nb, "berg", 2);
    assert_eq!((r.contacts.hits.len(), r.meetings.hits.len(), r.actions.hits.len()), (2, 2, 1));
    assert_eq!(r.contacts.total, 6);
    let order: Vec<Kind> = r.hits().map(|h| h.kind).collect();
    assert_eq!(order, [Kind::Contact, Kind::Contact, Kind::Meeting, Kind::Meeting, Kind::Action]);
    assert_eq!(r.contacts.hits[0].field, Field::Name);
    assert_eq!(r.contacts.hits[0].snippet, "Berg, Ana");
}

#[test]
fn long_text_gives_a_bounded_snippet_with_exact_marks() {
    let mut b = Book::new();
    let filler = "The delegation noted the schedule and the budget concerns.\n".repeat(8);
    let notes = format!("{filler}Later Jürgen MÜLLER-Lüdenscheidt signed the Straße memorandum.\n{filler}");
    b.add(Kind::Meeting, &[(Field::Title, "Talks"), (Field::Notes, &notes)]);
    let index = SearchIndex::build(&b.nb);
    let r = index.search(&b.nb, "muller strasse", 5);
    let h = &r.meetings.hits[0];
    assert_eq!(h.field, Field::Notes);
    assert!(h.snippet.starts_with('…') && h.snippet.ends_with('…'), "{}", h.snippet);
    assert!(h.snippet.chars().count() <= SNIPPET_CHARS + 2, "{}", h.snippet.chars().count());
    assert!(!h.snippet.contains('\n'));
    assert_eq!(marked(&h.snippet, &h.highlights), ["MÜLLER", "Straße"]);
    // Short text is shown whole.
    let r = index.search(&b.nb, "talks", 5);
    assert_eq!((r.meetings.hits[0].field, r.meetings.hits[0].snippet.as_str()), (Field::Title, "Talks"));
}

// ---------------------------------------------------------------------------------------------------
// Search: deletions and updates
// ---------------------------------------------------------------------------------------------------

#[test]
fn deleted_records_never_appear_and_come_back_when_restored() {
    let mut b = Book::new();
    let c = b.contact("Ingrid Hansen");
    let m = b.add(Kind::Meeting, &[(Field::Title, "Hansen briefing"), (Field::Participants, &c.to_string())]);
    let a = b.add(Kind::Action, &[(Field::Text, "Send Hansen the minutes"), (Field::Meeting, &m.to_string())]);
    let mut index = SearchIndex::build(&b.nb);
    assert_eq!(titles(&index.search(&b.nb, "hansen", 5)).1, ["Hansen briefing"]);

    b.delete(c);
    index.update(&b.nb, c);
    let r = index.search(&b.nb, "ingrid", 5);
    assert!(r.is_empty(), "neither the contact nor the meeting by her name: {r:?}");

    b.delete(m);
    index.update(&b.nb, m);
    let r = index.search(&b.nb, "hansen", 5);
    assert!(r.is_empty(), "an action of a deleted meeting is hidden too: {r:?}");
    assert_eq!(index, SearchIndex::build(&b.nb));

    b.restore(m);
    index.update(&b.nb, m);
    b.restore(c);
    index.update(&b.nb, c);
    assert_eq!(index.search(&b.nb, "hansen", 5).actions.hits[0].id, a);
    assert_eq!(index.search(&b.nb, "ingrid", 5).meetings.total, 1);
    assert_eq!(index, SearchIndex::build(&b.nb));

    b.delete(a);
    index.update(&b.nb, a);
    assert_eq!(index.search(&b.nb, "minutes", 5).actions.total, 0);
}

#[test]
fn a_merged_duplicate_is_gone_and_its_meetings_show_the_survivor() {
    let mut b = Book::new();
    let survivor = b.contact("Anna Berg");
    let duplicate = b.contact("Anna BERG (old card)");
    let m = b.add(Kind::Meeting, &[(Field::Title, "Talks"), (Field::Participants, &duplicate.to_string())]);
    let mut index = SearchIndex::build(&b.nb);
    let now = b.tick();
    b.nb.merge_contacts(survivor, duplicate, vec![(Field::Name, Value::Text("Anna Berg-Lind".into()))], now).unwrap();
    index.update_all(&b.nb, [survivor, duplicate]);
    let r = index.search(&b.nb, "card", 5);
    assert!(r.is_empty(), "{r:?}");
    let r = index.search(&b.nb, "berg-lind", 5);
    assert_eq!(r.contacts.hits[0].id, survivor);
    assert_eq!(r.meetings.hits[0].id, m);
    assert_eq!(index, SearchIndex::build(&b.nb));
}

const TEXTS: [&str; 14] = [
    "Jürgen Müller",
    "MÜLLER-Lüdenscheidt and the delegation",
    "Strauß, Straße",
    "Иванова Мария",
    "李小龍",
    "Ελένη",
    "host-nation support",
    "e\u{301}lise ﬁle",
    "",
    "  spaced   out  ",
    "Muller",
    "محمّد",
    "x",
    "notes about multinational planning",
];

const QUERIES: [&str; 12] =
    ["müller", "m", "mu", "lud del", "strasse", "ив", "小龍", "ελενη", "nation", "elise", "x", "planning m"];

#[derive(Clone, Debug)]
enum Op {
    Contact(usize, usize),
    Meeting(usize, usize),
    Action(usize, usize),
    Edit(usize, usize, usize),
    Delete(usize),
    Restore(usize),
    Merge(usize, usize),
    Participants(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..14usize, 0..14usize).prop_map(|(a, b)| Op::Contact(a, b)),
        (0..14usize, 0..64usize).prop_map(|(a, b)| Op::Meeting(a, b)),
        (0..14usize, 0..64usize).prop_map(|(a, b)| Op::Action(a, b)),
        (0..64usize, 0..3usize, 0..14usize).prop_map(|(a, f, t)| Op::Edit(a, f, t)),
        (0..64usize).prop_map(Op::Delete),
        (0..64usize).prop_map(Op::Restore),
        (0..64usize, 0..64usize).prop_map(|(a, b)| Op::Merge(a, b)),
        (0..64usize, 0..64usize).prop_map(|(a, b)| Op::Participants(a, b)),
    ]
}

fn of_kind(b: &Book, ids: &[RecordId], kind: Kind, i: usize) -> Option<RecordId> {
    let v: Vec<RecordId> = ids.iter().copied().filter(|id| b.nb.record(*id).is_some_and(|r| r.kind == kind)).collect();
    (!v.is_empty()).then(|| v[i % v.len()])
}

/// Applies an operation and returns the ids it changed (what the app would pass to `update`).
fn apply(b: &mut Book, ids: &mut Vec<RecordId>, op: &Op) -> Vec<RecordId> {
    match *op {
        Op::Contact(n, t) => {
            let id =
                b.add(Kind::Contact, &[(Field::Name, TEXTS[n]), (Field::Notes, TEXTS[t]), (Field::Nation, TEXTS[t])]);
            ids.push(id);
            vec![id]
        }
        Op::Meeting(n, p) => {
            let people = of_kind(b, ids, Kind::Contact, p).map(|c| c.to_string()).unwrap_or_default();
            let id = b.add(Kind::Meeting, &[(Field::Title, TEXTS[n]), (Field::Participants, &people)]);
            ids.push(id);
            vec![id]
        }
        Op::Action(n, m) => {
            let meeting = of_kind(b, ids, Kind::Meeting, m).map(|m| m.to_string()).unwrap_or_default();
            let id = b.add(Kind::Action, &[(Field::Text, TEXTS[n]), (Field::Meeting, &meeting)]);
            ids.push(id);
            vec![id]
        }
        Op::Edit(i, f, t) => {
            let Some(&id) = ids.get(i % ids.len().max(1)) else { return vec![] };
            let field = match b.nb.record(id).map(|r| r.kind) {
                Some(Kind::Contact) => [Field::Name, Field::Organisation, Field::Notes][f],
                Some(Kind::Meeting) => [Field::Title, Field::Agenda, Field::Tags][f],
                _ => [Field::Text, Field::Owner, Field::Done][f],
            };
            b.set(id, field, TEXTS[t]);
            vec![id]
        }
        Op::Delete(i) | Op::Restore(i) => {
            let Some(&id) = ids.get(i % ids.len().max(1)) else { return vec![] };
            if matches!(op, Op::Delete(_)) {
                b.delete(id);
            } else {
                b.restore(id);
            }
            vec![id]
        }
        Op::Merge(x, y) => match (of_kind(b, ids, Kind::Contact, x), of_kind(b, ids, Kind::Contact, y)) {
            (Some(x), Some(y)) if x != y => {
                let now = b.tick();
                b.nb.merge_contacts(x, y, vec![], now).unwrap();
                vec![x, y]
            }
            _ => vec![],
        },
        Op::Participants(m, p) => {
            let Some(m) = of_kind(b, ids, Kind::Meeting, m) else { return vec![] };
            let people: Vec<String> =
                (0..3).filter_map(|k| of_kind(b, ids, Kind::Contact, p + k * 7)).map(|c| c.to_string()).collect();
            b.set(m, Field::Participants, &people.join("|"));
            vec![m]
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// After random edits, deletions, restores and merges, each followed by `update` of the ids it
    /// changed, the index equals a fresh build and gives the same results.
    #[test]
    fn updating_per_changed_record_equals_a_fresh_build(ops in proptest::collection::vec(op(), 1..40)) {
        let mut b = Book::new();
        let mut ids = Vec::new();
        let mut index = SearchIndex::new();
        for op in &ops {
            let changed = apply(&mut b, &mut ids, op);
            index.update_all(&b.nb, changed);
        }
        let fresh = SearchIndex::build(&b.nb);
        prop_assert_eq!(&index, &fresh);
        for q in QUERIES {
            let got = index.search(&b.nb, q, 3);
            prop_assert_eq!(&got, &fresh.search(&b.nb, q, 3), "{}", q);
            for h in got.hits() {
                let r = b.nb.record(h.id).unwrap();
                prop_assert!(!r.is_deleted(), "a deleted record was found by {}", q);
            }
        }
    }

    /// Whatever the text, every highlight range lies on character boundaries of the original text, and
    /// the text it marks folds to something that contains the query.
    #[test]
    fn highlights_map_back_to_the_original_text(
        chars in proptest::collection::vec(
            prop::sample::select(vec![
                'a', 'B', 's', 'S', 'ß', 'ẞ', 'ü', 'Ü', 'u', '\u{308}', '\u{301}', 'é', 'E', 'İ', 'ı', 'i', 'ﬁ', 'Ｍ',
                'æ', 'Ø', 'Σ', 'ς', 'σ', 'Й', 'и', '李', '龍', '\u{AD}', ' ', '-', 'ǅ', '¨',
            ]),
            1..40,
        ),
        start in 0usize..40,
        len in 2usize..6,
    ) {
        let text: String = chars.into_iter().collect();
        let folded: Vec<char> = fold(&text).chars().collect();
        prop_assume!(folded.len() >= 2);
        let start = start % (folded.len() - 1);
        let query: String = folded[start..(start + len).min(folded.len())].iter().collect();
        let query = query.split_whitespace().max_by_key(|w| w.chars().count()).unwrap_or("").to_string();
        prop_assume!(query.chars().count() >= 2);
        let ranges = highlight(&text, &query);
        prop_assert!(!ranges.is_empty(), "{:?} in {:?} ({:?})", query, text, fold(&text));
        for r in &ranges {
            prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end) && r.start < r.end);
            prop_assert!(fold(&text[r.clone()]).contains(&query), "{:?} marks {:?} in {:?}", query, &text[r.clone()], text);
        }
        prop_assert!(ranges.windows(2).all(|w| w[0].end < w[1].start), "sorted and merged");

        // The same through the index, in a snippet of long notes.
        let mut b = Book::new();
        let filler = "lorem ipsum dolor ".repeat(10);
        b.add(Kind::Contact, &[(Field::Name, "Zed"), (Field::Notes, &format!("{filler}{text}{filler}"))]);
        let index = SearchIndex::build(&b.nb);
        let r = index.search(&b.nb, &query, 3);
        let hit = r.contacts.hits.first();
        prop_assert!(hit.is_some(), "{:?} not found in {:?}", query, text);
        let hit = hit.unwrap();
        prop_assert!(!hit.highlights.is_empty());
        for r in &hit.highlights {
            prop_assert!(fold(&hit.snippet[r.clone()]).contains(&query), "{:?} marks {:?}", query, &hit.snippet[r.clone()]);
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------------------

fn text_value() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop::sample::select(vec![
        "AUT".to_string(),
        "Österreich".into(),
        "REL TO AUT, CHE".into(),
        "R&D = x?y#z".into(),
        "100% sure / +1".into(),
        "李小龍".into(),
    ]))
}

fn date_value() -> impl Strategy<Value = Option<Date>> {
    prop::option::of((0i64..40_000).prop_map(Date::from_days_since_epoch))
}

/// Decodes what `to_query_string` wrote (percent-encoding; `+` is never written).
fn decode(query: &str) -> Vec<(String, String)> {
    fn unescape(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }
    if query.is_empty() {
        return vec![];
    }
    query
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            (unescape(k), unescape(v))
        })
        .collect()
}

proptest! {
    #[test]
    fn filters_round_trip_through_url_parameters(
        nation in text_value(), organisation in text_value(), tag in text_value(), marking in text_value(),
        from in date_value(), to in date_value(),
    ) {
        let m = ListFilter { nation, organisation, tag, marking, from, to };
        prop_assert_eq!(&ListFilter::from_query_pairs(&m.to_query_pairs()), &m);
        let q = m.to_query_string();
        prop_assert!(q.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%=&".contains(&b)), "{}", q);
        prop_assert_eq!(&ListFilter::from_query_pairs(&decode(&q)), &m);
        let c = ListFilter {
            nation: m.nation.clone(), organisation: m.organisation.clone(), tag: m.tag.clone(),
            marking: m.marking.clone(), from: m.from, to: m.to,
        };
        prop_assert_eq!(&ListFilter::from_query_pairs(&decode(&c.to_query_string())), &c);
        prop_assert_eq!(m.is_empty(), q.is_empty());
    }
}

#[test]
fn parameter_names_are_stable() {
    let f = ListFilter {
        nation: Some("AUT".into()),
        organisation: Some("NATO".into()),
        tag: Some("air".into()),
        marking: Some("RESTRICTED".into()),
        from: Some(day("2026-01-01")),
        to: Some(day("2026-03-31")),
    };
    assert_eq!(f.to_query_string(), "nation=AUT&org=NATO&tag=air&marking=RESTRICTED&from=2026-01-01&to=2026-03-31");
}

/// A small notebook for filters and the dashboard. Today is 2026-06-30.
struct World {
    b: Book,
    anna: RecordId,
    ben: RecordId,
    chen: RecordId,
    dora: RecordId,
    eve: RecordId,
    m_talks: RecordId,
    m_lunch: RecordId,
    m_call: RecordId,
    m_old: RecordId,
    m_undated: RecordId,
}

const TODAY: &str = "2026-06-30";

fn world() -> World {
    let mut b = Book::new();
    let anna = b.add_on(
        "2025-01-01",
        Kind::Contact,
        &[
            (Field::Name, "Anna Gruber"),
            (Field::Nation, "AUT"),
            (Field::Organisation, "Bundesheer"),
            (Field::Tags, "air|priority"),
            (Field::Marking, "RESTRICTED"),
        ],
    );
    let ben = b.add_on(
        "2025-01-02",
        Kind::Contact,
        &[(Field::Name, "Ben Keller"), (Field::Nation, "che "), (Field::Organisation, "Swiss Armed Forces")],
    );
    let chen = b.add_on("2025-01-03", Kind::Contact, &[(Field::Name, "Chen Wei"), (Field::Nation, "Österreich")]);
    // Never met, in the notebook for a long time; and never met, only just added.
    let dora = b.add_on("2025-06-01", Kind::Contact, &[(Field::Name, "Dora Lind"), (Field::Nation, "aut")]);
    let eve = b.add_on("2026-06-01", Kind::Contact, &[(Field::Name, "Eve Novak"), (Field::Nation, "POL")]);
    let p = |ids: &[RecordId]| ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join("|");
    let m_talks = b.add(
        Kind::Meeting,
        &[
            (Field::Title, "Staff talks"),
            (Field::Date, "2026-06-30"),
            (Field::Nations, "AUT"),
            (Field::Participants, &p(&[anna])),
            (Field::Tags, "air"),
            (Field::Marking, "RESTRICTED"),
        ],
    );
    let m_lunch = b.add(
        Kind::Meeting,
        &[
            (Field::Title, "Working lunch"),
            (Field::Date, "2026-04-02"),
            (Field::Participants, &p(&[ben, anna])),
            (Field::Organisations, "EU Military Staff"),
        ],
    );
    // Just outside the 90-day window (2026-04-01 is 90 days before today).
    let m_call = b.add(
        Kind::Meeting,
        &[(Field::Title, "Coordination call"), (Field::Date, "2026-04-01"), (Field::Nations, "FRA")],
    );
    let m_old = b.add(
        Kind::Meeting,
        &[(Field::Title, "Old talks"), (Field::Date, "2026-01-01"), (Field::Participants, &p(&[chen]))],
    );
    b.add(
        Kind::Meeting,
        &[(Field::Title, "Next week"), (Field::Date, "2026-07-07"), (Field::Participants, &p(&[chen]))],
    );
    let m_undated = b.add(Kind::Meeting, &[(Field::Title, "Undated chat"), (Field::Participants, &p(&[ben]))]);
    World { b, anna, ben, chen, dora, eve, m_talks, m_lunch, m_call, m_old, m_undated }
}

#[test]
fn meeting_filters_match_folded_values_and_participants_nations() {
    let w = world();
    let nb = &w.b.nb;
    let ids = |f: &ListFilter| f.meetings(nb).into_iter().filter_map(|m| m.id).collect::<Vec<_>>();
    let by = |nation: &str| ListFilter { nation: Some(nation.into()), ..Default::default() };
    // Listed on the meeting, or a participant's nation; folded, so "aut" is "AUT".
    assert_eq!(ids(&by("aut")), [w.m_talks, w.m_lunch]);
    assert_eq!(ids(&by("CHE")), [w.m_lunch, w.m_undated], "Ben's nation is \"che \"");
    assert_eq!(ids(&by("osterreich")).len(), 2, "Chen's meetings: next week's and the old one");
    let org = ListFilter { organisation: Some("swiss armed forces".into()), ..Default::default() };
    assert_eq!(ids(&org), [w.m_lunch, w.m_undated], "Ben's organisation");
    let tag = ListFilter { tag: Some("AIR".into()), marking: Some("restricted".into()), ..Default::default() };
    assert_eq!(ids(&tag), [w.m_talks]);
    // Dates are inclusive; undated meetings never pass a date filter.
    let range = ListFilter { from: Some(day("2026-04-01")), to: Some(day("2026-04-02")), ..Default::default() };
    assert_eq!(ids(&range), [w.m_lunch, w.m_call]);
    let until = ListFilter { to: Some(day("2026-01-01")), ..Default::default() };
    assert_eq!(ids(&until), [w.m_old]);
    assert_eq!(ListFilter::default().meetings(nb).len(), 6);
}

#[test]
fn contact_filters_match_fields_and_met_between() {
    let w = world();
    let nb = &w.b.nb;
    let ids = |f: &ListFilter| f.contacts(nb).into_iter().filter_map(|c| c.id).collect::<Vec<_>>();
    let aut = ListFilter { nation: Some("AUT".into()), ..Default::default() };
    assert_eq!(ids(&aut), [w.anna, w.dora]);
    let tag = ListFilter { tag: Some("Priority".into()), ..Default::default() };
    assert_eq!(ids(&tag), [w.anna]);
    let met = ListFilter { from: Some(day("2026-04-01")), to: Some(day("2026-06-30")), ..Default::default() };
    assert_eq!(ids(&met), [w.anna, w.ben]);
    let met_q1 = ListFilter { from: Some(day("2026-01-01")), to: Some(day("2026-03-31")), ..Default::default() };
    assert_eq!(ids(&met_q1), [w.chen]);
    let both = ListFilter { nation: Some("che".into()), ..met };
    assert_eq!(ids(&both), [w.ben]);
    assert_eq!(ListFilter::default().contacts(nb).len(), 5);
}

#[test]
fn dropdowns_offer_each_value_once_in_its_most_used_spelling() {
    let w = world();
    let nb = &w.b.nb;
    // AUT: "AUT" on Anna and on a meeting, "aut" on Dora: one entry, spelled "AUT".
    assert_eq!(queries::nations(nb), ["AUT", "che", "FRA", "Österreich", "POL"]);
    assert_eq!(queries::organisations(nb), ["Bundesheer", "EU Military Staff", "Swiss Armed Forces"]);
    assert_eq!(queries::tags(nb), ["air", "priority"]);
    assert_eq!(queries::markings(nb), ["RESTRICTED"]);
    assert!(text::same(" Österreich ", "OSTERREICH"));
}

// ---------------------------------------------------------------------------------------------------
// Dashboard
// ---------------------------------------------------------------------------------------------------

#[test]
fn the_dashboard_on_a_fixed_day() {
    let mut w = world();
    let today = day(TODAY);
    let m = w.m_talks.to_string();
    let mut action = |text: &str, due: &str, done: &str| {
        w.b.add(Kind::Action, &[(Field::Text, text), (Field::Due, due), (Field::Done, done), (Field::Meeting, &m)])
    };
    action("Yesterday", "2026-06-29", "");
    action("Long overdue", "2026-05-01", "");
    action("Today", "2026-06-30", "");
    action("In 14 days", "2026-07-14", "");
    action("In 15 days", "2026-07-15", "");
    action("Done late", "2026-06-01", "yes");
    action("Someday", "", "");
    let orphan_meeting = w.b.add(Kind::Meeting, &[(Field::Title, "Cancelled")]);
    w.b.add(
        Kind::Action,
        &[(Field::Text, "Orphan"), (Field::Due, "2026-06-01"), (Field::Meeting, &orphan_meeting.to_string())],
    );
    w.b.delete(orphan_meeting);

    let d = queries::dashboard(&w.b.nb, today);
    let texts = |v: &[liaison_core::notebook::FollowUp]| v.iter().map(|f| f.action.text.clone()).collect::<Vec<_>>();
    assert_eq!(texts(&d.overdue), ["Long overdue", "Yesterday"]);
    assert_eq!(texts(&d.upcoming), ["Today", "In 14 days"]);

    // Recent: on or before today, newest first; the future and undated ones are left out.
    let recent: Vec<String> = d.recent_meetings.iter().map(|m| m.title.clone()).collect();
    assert_eq!(recent, ["Staff talks", "Working lunch", "Coordination call", "Old talks"]);
    assert_eq!(queries::recent_meetings(&w.b.nb, today, 2).len(), 2);

    // The last 90 days are 2026-04-02 ..= 2026-06-30: Staff talks (AUT listed and Anna's AUT: once)
    // and the lunch (Ben's CHE, Anna's AUT). The FRA call on 2026-04-01 is outside.
    assert_eq!(
        d.meetings_per_nation,
        [NationCount { nation: "AUT".into(), meetings: 2 }, NationCount { nation: "che".into(), meetings: 1 }]
    );
    assert_eq!(queries::meetings_per_nation(&w.b.nb, today, 91).len(), 3, "one more day takes in the FRA call");

    // Not met in 180 days (no meeting in 2026-01-02 ..= 2026-06-30): Chen, last met 2026-01-01, exactly
    // 180 days ago (the meeting next week does not count); then Dora, never met, added a year ago.
    // Anna and Ben were met recently; Eve was added a month ago.
    let not_met: Vec<(RecordId, Option<Date>, i64)> =
        d.not_met.iter().map(|n| (n.contact.id.unwrap(), n.last_met, n.days)).collect();
    assert_eq!(not_met, [(w.chen, Some(day("2026-01-01")), 180), (w.dora, None, 394)]);
    assert!(queries::contacts_not_met(&w.b.nb, day("2026-06-29"), 180).iter().all(|n| n.contact.id != Some(w.chen)));
    let _ = (w.anna, w.ben, w.eve, w.m_lunch, w.m_call, w.m_old);
}

#[test]
fn the_dashboard_of_an_empty_notebook_is_empty() {
    let nb = Notebook::new(DeviceId::new_v7(0, [1; 10]));
    let d = queries::dashboard(&nb, day(TODAY));
    assert!(d.overdue.is_empty() && d.upcoming.is_empty() && d.recent_meetings.is_empty());
    assert!(d.meetings_per_nation.is_empty() && d.not_met.is_empty());
    assert!(queries::nations(&nb).is_empty());
}
