use super::describe::{describe, Doc};
use super::scan::{find_byte, find_pair};
use super::words::{query_words, Mapped};
use super::{highlight, IndexBuild, SearchIndex, SNIPPET_CHARS};
use crate::crdt::id::{DeviceId, RecordId};
use crate::notebook::Notebook;
use crate::schema::{Field, Kind, Value};

fn nb() -> Notebook {
    Notebook::new(DeviceId::new_v7(0, [1; 10]))
}

fn add(nb: &mut Notebook, kind: Kind, n: u8, fields: &[(Field, &str)]) -> RecordId {
    let id = nb.create(kind, 1_000 + u64::from(n), [n; 10]);
    for (f, v) in fields {
        let value = match f.shape() {
            crate::schema::Shape::List => Value::List(v.split('|').map(str::to_string).collect()),
            _ => Value::Text(v.to_string()),
        };
        nb.set(id, *f, value, 2_000).unwrap();
    }
    id
}

#[test]
fn a_folded_range_maps_back_to_whole_original_characters() {
    let m = Mapped::new("Straße e\u{301}x");
    assert_eq!(m.folded, "strasse ex");
    // "ss" comes from one character: both halves map to all of it.
    assert_eq!(m.original(4..5), 4..6);
    assert_eq!(m.original(5..6), 4..6);
    // The accent after "e" folds to nothing and goes with its letter.
    assert_eq!(m.original(8..9), 8..11);
    assert_eq!(&"Straße e\u{301}x"[m.original(8..10)], "e\u{301}x");
}

#[test]
fn highlight_marks_every_occurrence_in_the_original_text() {
    let text = "Jürgen MÜLLER met Herr Müller in München";
    let ranges = highlight(text, "müller");
    let marked: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
    assert_eq!(marked, ["MÜLLER", "Müller"]);
    assert!(highlight(text, "   ").is_empty());
}

#[test]
fn scoring_prefers_main_field_then_word_start() {
    let mut nb = nb();
    let notes = add(&mut nb, Kind::Contact, 1, &[(Field::Name, "Zed"), (Field::Notes, "talked to berg")]);
    let infix = add(&mut nb, Kind::Contact, 2, &[(Field::Name, "Ana Isberg")]);
    let word = add(&mut nb, Kind::Contact, 3, &[(Field::Name, "Ana Berg")]);
    let start = add(&mut nb, Kind::Contact, 4, &[(Field::Name, "Bergmann")]);
    let org = add(&mut nb, Kind::Contact, 5, &[(Field::Name, "Bo"), (Field::Organisation, "Berg AG")]);
    let index = SearchIndex::build(&nb);
    let ids: Vec<RecordId> = index.search(&nb, "BERG", 10).contacts.hits.iter().map(|h| h.id).collect();
    assert_eq!(ids, [start, word, infix, org, notes]);
}

#[test]
fn long_notes_give_a_bounded_snippet_around_the_match() {
    let mut nb = nb();
    let filler = "lorem ipsum dolor sit amet ".repeat(20);
    let notes = format!("{filler}the Kommandant Grüße said\n{filler}");
    let c = add(&mut nb, Kind::Contact, 1, &[(Field::Name, "Anna"), (Field::Notes, &notes)]);
    let index = SearchIndex::build(&nb);
    let r = index.search(&nb, "grusse", 5);
    let h = &r.contacts.hits[0];
    assert_eq!((h.id, h.field), (c, Field::Notes));
    assert!(h.snippet.starts_with('…') && h.snippet.ends_with('…'), "{}", h.snippet);
    assert!(h.snippet.chars().count() <= SNIPPET_CHARS + 2);
    assert_eq!(h.highlights.len(), 1);
    assert_eq!(&h.snippet[h.highlights[0].clone()], "Grüße");
    assert!(!h.snippet.contains('\n'));
}

#[test]
fn incremental_updates_equal_a_fresh_build() {
    let mut nb = nb();
    let c = add(&mut nb, Kind::Contact, 1, &[(Field::Name, "Anna Berg")]);
    let m = add(&mut nb, Kind::Meeting, 2, &[(Field::Title, "Talks"), (Field::Participants, &c.to_string())]);
    let a = add(&mut nb, Kind::Action, 3, &[(Field::Text, "Send minutes"), (Field::Meeting, &m.to_string())]);
    let mut index = SearchIndex::build(&nb);
    nb.set(c, Field::Name, Value::Text("Anna Lind".into()), 3_000).unwrap();
    index.update(&nb, c);
    assert_eq!(index, SearchIndex::build(&nb));
    assert_eq!(index.search(&nb, "lind", 5).meetings.total, 1);
    nb.delete(m, 4_000).unwrap();
    index.update(&nb, m);
    assert_eq!(index, SearchIndex::build(&nb));
    assert_eq!(index.search(&nb, "minutes", 5).actions.total, 0, "an action of a deleted meeting is hidden");
    nb.restore(m, 5_000).unwrap();
    index.update(&nb, m);
    assert_eq!(index.search(&nb, "minutes", 5).actions.hits[0].meeting, Some(m));
    nb.delete(a, 6_000).unwrap();
    index.update(&nb, a);
    assert_eq!(index, SearchIndex::build(&nb));
    assert!(index.heap_bytes() > 0);
}

const TEXTS: [&str; 16] = [
    "Müller",
    "MÜLLER-Lüdenscheidt met the delegation",
    "Strauß and Strauss",
    "İstanbul office",
    "李小龍",
    "Ελένη Παπαδοπούλου",
    "Иванова Мария",
    "host-nation support, fuel",
    "e\u{301}lise ﬁle",
    "  leading space",
    "a b  c",
    "محمّد",
    "",
    "x",
    "multinational simulation",
    "Mül\u{AD}ler",
];

const QUERIES: [&str; 14] =
    ["m", "mu", "müller", "MULLER lud", "strauss", "ß", "小龍", "ελενη", "ив", "nation", "e", "lise fi", "محمد", "x"];

/// Applies one random operation and brings the index up to date with the ids it touched.
fn step(nb: &mut Notebook, index: &mut SearchIndex, ids: &mut Vec<RecordId>, op: (u8, usize, usize), n: u64) {
    let (kind, a, b) = op;
    let now = 10_000 + n * 10;
    let pick = |ids: &[RecordId], k: Option<Kind>, i: usize, nb: &Notebook| -> Option<RecordId> {
        let of: Vec<RecordId> =
            ids.iter().copied().filter(|id| k.is_none_or(|k| nb.record(*id).is_some_and(|r| r.kind == k))).collect();
        (!of.is_empty()).then(|| of[i % of.len()])
    };
    let text = |i: usize| Value::Text(TEXTS[i % TEXTS.len()].to_string());
    let mut touched = Vec::new();
    match kind % 8 {
        0 => {
            let id = nb.create(Kind::Contact, now, [n as u8; 10]);
            nb.set(id, Field::Name, text(a), now).unwrap();
            nb.set(id, Field::Notes, text(b), now).unwrap();
            nb.set(id, Field::Tags, Value::List(vec![TEXTS[(a + b) % TEXTS.len()].into()]), now).unwrap();
            ids.push(id);
            touched.push(id);
        }
        1 => {
            let id = nb.create(Kind::Meeting, now, [n as u8; 10]);
            nb.set(id, Field::Title, text(a), now).unwrap();
            if let Some(c) = pick(ids, Some(Kind::Contact), b, nb) {
                nb.set(id, Field::Participants, Value::List(vec![c.to_string()]), now).unwrap();
            }
            nb.set(id, Field::Date, Value::Text(format!("2026-0{}-1{}", 1 + a % 9, b % 10)), now).unwrap();
            ids.push(id);
            touched.push(id);
        }
        2 => {
            let id = nb.create(Kind::Action, now, [n as u8; 10]);
            nb.set(id, Field::Text, text(a), now).unwrap();
            if let Some(m) = pick(ids, Some(Kind::Meeting), b, nb) {
                nb.set(id, Field::Meeting, Value::Text(m.to_string()), now).unwrap();
            }
            ids.push(id);
            touched.push(id);
        }
        3 => {
            if let Some(id) = pick(ids, None, a, nb) {
                let field = match nb.record(id).map(|r| r.kind) {
                    Some(Kind::Contact) => [Field::Name, Field::Organisation, Field::Notes][b % 3],
                    Some(Kind::Meeting) => [Field::Title, Field::Location, Field::Agenda][b % 3],
                    _ => [Field::Text, Field::Owner, Field::Text][b % 3],
                };
                nb.set(id, field, text(a + b), now).unwrap();
                touched.push(id);
            }
        }
        4 => {
            if let Some(id) = pick(ids, None, a, nb) {
                nb.delete(id, now).unwrap();
                touched.push(id);
            }
        }
        5 => {
            if let Some(id) = pick(ids, None, a, nb) {
                nb.restore(id, now).unwrap();
                touched.push(id);
            }
        }
        6 => {
            if let (Some(x), Some(y)) = (pick(ids, Some(Kind::Contact), a, nb), pick(ids, Some(Kind::Contact), b, nb)) {
                if x != y && nb.merge_contacts(x, y, vec![], now).is_ok() {
                    touched.extend([x, y]);
                }
            }
        }
        _ => {
            if let Some(m) = pick(ids, Some(Kind::Meeting), a, nb) {
                let people: Vec<String> = ids
                    .iter()
                    .filter(|id| nb.record(**id).is_some_and(|r| r.kind == Kind::Contact))
                    .skip(b % 3)
                    .step_by(1 + b % 2)
                    .map(|id| id.to_string())
                    .collect();
                nb.set(m, Field::Participants, Value::List(people), now).unwrap();
                touched.push(m);
            }
        }
    }
    index.update_all(nb, touched);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    #[test]
    fn the_index_scores_every_record_as_a_scan_of_its_text_would(
        ops in proptest::collection::vec((0u8..8, 0usize..64, 0usize..64), 1..50)
    ) {
        let mut nb = nb();
        let mut index = SearchIndex::new();
        let mut ids = Vec::new();
        for (n, op) in ops.into_iter().enumerate() {
            step(&mut nb, &mut index, &mut ids, op, n as u64);
            index.check();
        }
        proptest::prop_assert_eq!(&index, &SearchIndex::build(&nb));
        for q in QUERIES {
            let words = query_words(q);
            let scores = index.scores(&words);
            for (slot, score) in index.records.iter().zip(&scores) {
                let Some(slot) = slot else { continue };
                let r = nb.record(slot.id).unwrap();
                let d = describe(&nb, r);
                let expected = Doc::new(&d.pieces).score(&words).map(|s| s.score);
                proptest::prop_assert_eq!(*score, expected, "{:?} in {:?}", q, d.pieces.iter().map(|p| &p.text).collect::<Vec<_>>());
            }
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    #[test]
    fn an_index_built_in_slices_while_records_change_equals_a_fresh_build(
        before in proptest::collection::vec((0u8..8, 0usize..64, 0usize..64), 1..40),
        during in proptest::collection::vec(((0u8..8, 0usize..64, 0usize..64), 1usize..5), 0..30),
    ) {
        let mut nb = nb();
        let mut ids = Vec::new();
        let mut scratch = SearchIndex::new();
        let mut n = 0u64;
        for op in before {
            step(&mut nb, &mut scratch, &mut ids, op, n);
            n += 1;
        }
        let mut index = SearchIndex::new();
        let mut build = IndexBuild::new(&nb);
        for (op, slice) in during {
            build.step(&mut index, &nb, slice);
            // The app's edits reach the index whether or not the build has got to their records.
            step(&mut nb, &mut index, &mut ids, op, n);
            n += 1;
        }
        while !build.step(&mut index, &nb, 3) {}
        proptest::prop_assert_eq!(build.remaining(), 0);
        index.check();
        proptest::prop_assert_eq!(&index, &SearchIndex::build(&nb));
    }
}

#[test]
fn a_search_during_the_build_finds_what_is_indexed_so_far() {
    let mut nb = nb();
    let first = add(&mut nb, Kind::Contact, 1, &[(Field::Name, "Anna Berg")]);
    add(&mut nb, Kind::Contact, 2, &[(Field::Name, "Bruno Berg")]);
    let mut index = SearchIndex::new();
    let mut build = IndexBuild::new(&nb);
    assert_eq!(build.remaining(), 2);
    assert!(!build.step(&mut index, &nb, 1));
    let found: Vec<RecordId> = index.search(&nb, "berg", 5).contacts.hits.iter().map(|h| h.id).collect();
    assert_eq!(found, [first], "records are indexed in id order");
    assert!(build.step(&mut index, &nb, 1));
    assert_eq!(index.search(&nb, "berg", 5).contacts.total, 2);
}

#[test]
fn the_vocabulary_is_compacted_when_mostly_dead() {
    let mut nb = nb();
    let id = add(&mut nb, Kind::Contact, 1, &[(Field::Name, "Anna")]);
    let mut index = SearchIndex::build(&nb);
    for i in 0..3_000 {
        let notes: String = (0..10).map(|k| format!("word{i}x{k} ")).collect();
        nb.set(id, Field::Notes, Value::Text(notes), 3_000 + i).unwrap();
        index.update(&nb, id);
    }
    index.check();
    assert!(index.vocabulary.len() < 200 * 1024, "{}", index.vocabulary.len());
    assert_eq!(index.search(&nb, "word2999x9", 5).contacts.total, 1);
    assert_eq!(index.search(&nb, "word2998x9", 5).contacts.total, 0);
    assert_eq!(index, SearchIndex::build(&nb));
}

#[test]
fn find_pair_finds_the_first_pair_at_any_offset_and_distance() {
    let hay: Vec<u8> = (0..50u8).map(|i| i % 7).collect();
    for d in 0..10 {
        for a in 0..7u8 {
            for b in 0..7u8 {
                for start in [0, 1, 5, 13] {
                    let expected = (start..hay.len().saturating_sub(d)).find(|&k| hay[k] == a && hay[k + d] == b);
                    let got = find_pair(&hay[start..], a, d, b).map(|k| k + start);
                    assert_eq!(got, expected, "{a} {d} {b} from {start}");
                }
            }
        }
    }
}

#[test]
fn find_byte_finds_the_first_occurrence_at_any_offset() {
    let hay: Vec<u8> = (0..40u8).collect();
    for (i, b) in hay.iter().enumerate() {
        assert_eq!(find_byte(&hay, *b), Some(i));
        assert_eq!(find_byte(&hay[..i], *b), None);
    }
    assert_eq!(find_byte(b"aaaaaaaaab", b'b'), Some(9));
    assert_eq!(find_byte(&[0x80, 0x00, 0x81, 0x01, 0xff, 0x7f, 0x01, 0x00, 0x01], 0x01), Some(3));
}
