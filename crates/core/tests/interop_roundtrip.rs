//! Property tests: exporting to vCard or iCalendar and importing again keeps every field, in any script
//! and with every character the formats escape; folding keeps lines within 75 octets; the ceiling keeps
//! every record above it out; CSV reads back cell for cell; and no input, however broken, panics a
//! parser or an import.

mod interop_support;

use interop_support::{counter, read_csv};
use liaison_core::formats::csv::{self as csv_out, CsvOptions};
use liaison_core::formats::{self, ical, lines, vcard};
use liaison_core::marking::Ceiling;
use liaison_core::{Contact, DeviceId, Field, Kind, Meeting, Notebook, RecordId, Value};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    config_over(1)
}

/// For the slower properties, which build notebooks: a share of the cases asked for.
fn config_over(share: u32) -> ProptestConfig {
    let cases: u32 = std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(256);
    // ChaCha, proptest's default generator, dominates the run time in an unoptimised test build.
    ProptestConfig {
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..ProptestConfig::with_cases((cases / share).max(64))
    }
}

/// One character: mostly the ones the formats treat specially, then any script.
fn character(newlines: bool) -> impl Strategy<Value = char> {
    let specials = if newlines { ",;\\\n\":^= @+-'" } else { ",;\\\":^= @+-'" };
    let specials: Vec<char> = specials.chars().collect();
    prop_oneof![
        3 => proptest::sample::select(specials),
        3 => proptest::sample::select("aZ09 .".chars().collect::<Vec<_>>()),
        // Cyrillic, Greek with accents, Arabic, Hebrew, Devanagari, CJK, Hangul, emoji, a combining mark.
        4 => proptest::sample::select("ЖжЯΆἈᾶعربيةשלוםहिन्दी漢字李龍한국🤝👩‍💻\u{301}ßøŁ".chars().collect::<Vec<_>>()),
        // Anything outside the control characters (which the export drops) and surrogates.
        1 => proptest::char::ranges(std::borrow::Cow::Borrowed(&['\u{20}'..='\u{7e}', '\u{a0}'..='\u{d7ff}', '\u{e000}'..='\u{10ffff}'])),
    ]
}

/// Text of up to `max` characters; sometimes long, so that lines fold.
fn text_of(max: usize, newlines: bool) -> impl Strategy<Value = String> {
    proptest::collection::vec(character(newlines), 0..max).prop_map(|v| v.into_iter().collect())
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![3 => text_of(24, true), 1 => text_of(120, true)]
}

fn line() -> impl Strategy<Value = String> {
    text_of(40, false)
}

/// A list of non-empty items (an empty item carries nothing in either format).
fn items() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(non_empty(20, false), 0..4)
}

fn non_empty(max: usize, newlines: bool) -> impl Strategy<Value = String> {
    proptest::collection::vec(character(newlines), 1..max).prop_map(|v| v.into_iter().collect())
}

fn marking() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("UNCLASSIFIED".to_string()),
        Just("NATO RESTRICTED".to_string()),
        Just("UNCLASSIFIED // REL TO AUT, CHE".to_string()),
        Just("CONFIDENTIAL".to_string()),
        Just("TOP SECRET".to_string()),
        line(),
    ]
}

fn record_id() -> impl Strategy<Value = RecordId> {
    (1_600_000_000_000u64..1_900_000_000_000, any::<[u8; 10]>()).prop_map(|(ms, r)| RecordId::new_v7(ms, r))
}

/// A contact typed in Liaison (a name and no parts), or one a vCard brought (a name composed of N's
/// five parts).
fn contact() -> impl Strategy<Value = Contact> {
    let name = prop_oneof![
        text().prop_map(|name| (name, Vec::new())),
        proptest::collection::vec(line(), 5..=5).prop_map(|parts| (liaison_core::model::compose_name(&parts), parts)),
    ];
    (record_id(), (name, line(), line(), line(), line()), (items(), items(), items(), items()), (text(), marking()))
        .prop_map(
            |(
                id,
                ((name, name_parts), title, organisation, nation, role),
                (emails, phones, languages, tags),
                (notes, marking),
            )| {
                Contact {
                    id: Some(id),
                    name,
                    aliases: Vec::new(),
                    title,
                    organisation,
                    nation,
                    role,
                    emails,
                    phones,
                    languages,
                    notes,
                    tags,
                    marking,
                    merged_into: None,
                    name_parts,
                }
            },
        )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn vcard_export_then_import_keeps_every_field(c in contact()) {
        let text = vcard::card(&c);
        for physical in text.split_terminator("\r\n") {
            prop_assert!(physical.len() <= lines::FOLD_OCTETS);
        }
        let parsed = vcard::parse(text.as_bytes());
        prop_assert_eq!(parsed.cards.len(), 1);
        for p in &parsed.problems {
            prop_assert!(p.message.contains("no name"), "{}", p);
        }
        let card = &parsed.cards[0];
        prop_assert_eq!(card.record_id(), c.id.unwrap());
        // The structured name comes back; its parts are kept only where they say more than the name.
        prop_assert_eq!(card.contact.structured_name(), c.structured_name());
        let kept = liaison_core::model::parts_worth_keeping(&c.name, &c.structured_name());
        prop_assert_eq!(!card.contact.name_parts.is_empty(), kept);
        let parts = card.contact.name_parts.clone();
        prop_assert_eq!(&card.contact, &Contact { id: None, name_parts: parts, ..c.clone() });
    }

}

proptest! {
    #![proptest_config(config_over(10))]

    #[test]
    fn vcard_import_into_a_fresh_notebook_gives_the_same_contacts_and_a_second_import_changes_nothing(
        cs in proptest::collection::vec(contact(), 1..5),
    ) {
        let mut nb = Notebook::new(DeviceId::new_v7(1_700_000_000_000, [1; 10]));
        let text: String = cs.iter().map(vcard::card).collect();
        let cards = vcard::parse(text.as_bytes()).cards;
        let first = vcard::import(&mut nb, &cards, 1_950_000_000_000, &mut counter(1));
        prop_assert_eq!(first.created.len(), cs.len());
        for c in &cs {
            prop_assert_eq!(nb.contact(c.id.unwrap()), Some(c.clone()));
        }
        let again = vcard::import(&mut nb, &cards, 1_950_000_001_000, &mut counter(2));
        prop_assert_eq!(again.unchanged.len(), cs.len());
        prop_assert_eq!(nb.records().count(), cs.len());
    }
}

/// A start or end time: none, as the forms write it, or something else a person typed.
fn time_text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just(String::new()),
        5 => (0u32..24, 0u32..60).prop_map(|(h, m)| format!("{h:02}:{m:02}")),
        1 => Just(" 09:30".to_string()),
        1 => line(),
    ]
}

fn date_text() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (0i64..2_900_000).prop_map(|d| liaison_core::date::Date::from_days_since_epoch(d - 719_162).to_string()),
        1 => Just("2026-03-10 ".to_string()),
    ]
}

#[derive(Clone, Debug)]
struct World {
    contacts: Vec<(String, Vec<String>, String)>,
    meeting: Meeting,
    participants: Vec<usize>,
    actions: Vec<(String, String, String, bool, Option<usize>)>,
}

fn world() -> impl Strategy<Value = World> {
    let contacts = proptest::collection::vec((text(), items(), marking()), 0..5);
    let meeting = (
        (line(), date_text(), time_text(), time_text(), line()),
        (proptest::collection::vec(non_empty(20, true), 0..3), items(), items()),
        (text(), text(), text(), items(), marking()),
        // One changed meeting of a repeating series names its series.
        proptest::option::of(record_id()),
    )
        .prop_map(
            |(
                (title, date, start, end, location),
                (attendees, organisations, nations),
                (agenda, notes, decisions, tags, marking),
                series,
            )| {
                Meeting {
                    title,
                    date,
                    start,
                    end,
                    location,
                    attendees,
                    organisations,
                    nations,
                    agenda,
                    notes,
                    decisions,
                    tags,
                    marking,
                    series,
                    ..Default::default()
                }
            },
        );
    let due = prop_oneof![Just(String::new()), date_text(), line()];
    let actions =
        proptest::collection::vec((line(), line(), due, any::<bool>(), proptest::option::of(0usize..5)), 0..3);
    (contacts, meeting, actions, proptest::collection::vec(0usize..5, 0..5)).prop_map(
        |(contacts, meeting, actions, picks)| {
            let n = contacts.len();
            let mut participants: Vec<usize> = picks.into_iter().filter(|p| *p < n).collect();
            participants.dedup();
            let mut seen = std::collections::BTreeSet::new();
            participants.retain(|p| seen.insert(*p));
            let actions = actions.into_iter().map(|(t, o, d, done, c)| (t, o, d, done, c.filter(|c| *c < n))).collect();
            World { contacts, meeting, participants, actions }
        },
    )
}

const NOW: u64 = 1_800_000_000_000;

/// The world in a notebook: (notebook, contact ids, meeting id, action ids).
fn build(w: &World) -> (Notebook, Vec<RecordId>, RecordId, Vec<RecordId>) {
    let mut nb = Notebook::new(DeviceId::new_v7(NOW, [7; 10]));
    let mut seed = 0u8;
    let mut create = |nb: &mut Notebook, kind| {
        seed += 1;
        nb.create(kind, NOW, [seed; 10])
    };
    let mut contacts = Vec::new();
    for (name, emails, marking) in &w.contacts {
        let c = create(&mut nb, Kind::Contact);
        nb.set(c, Field::Name, Value::Text(name.clone()), NOW).unwrap();
        nb.set(c, Field::Emails, Value::List(emails.clone()), NOW).unwrap();
        nb.set(c, Field::Marking, Value::Text(marking.clone()), NOW).unwrap();
        contacts.push(c);
    }
    let m = create(&mut nb, Kind::Meeting);
    let w_m = &w.meeting;
    let text = |s: &String| Value::Text(s.clone());
    let list = |l: &Vec<String>| Value::List(l.clone());
    for (f, v) in [
        (Field::Title, text(&w_m.title)),
        (Field::Date, text(&w_m.date)),
        (Field::Start, text(&w_m.start)),
        (Field::End, text(&w_m.end)),
        (Field::Location, text(&w_m.location)),
        (Field::Participants, Value::List(w.participants.iter().map(|p| contacts[*p].to_string()).collect())),
        (Field::Attendees, list(&w_m.attendees)),
        (Field::Organisations, list(&w_m.organisations)),
        (Field::Nations, list(&w_m.nations)),
        (Field::Agenda, text(&w_m.agenda)),
        (Field::Notes, text(&w_m.notes)),
        (Field::Decisions, text(&w_m.decisions)),
        (Field::Tags, list(&w_m.tags)),
        (Field::Marking, text(&w_m.marking)),
        (Field::Series, Value::Text(w_m.series.map(|s| s.to_string()).unwrap_or_default())),
    ] {
        nb.set(m, f, v, NOW).unwrap();
    }
    let mut actions = Vec::new();
    for (t, owner, due, done, contact) in &w.actions {
        let a = create(&mut nb, Kind::Action);
        nb.set(a, Field::Meeting, Value::Text(m.to_string()), NOW).unwrap();
        nb.set(a, Field::Text, text(t), NOW).unwrap();
        nb.set(a, Field::Owner, text(owner), NOW).unwrap();
        nb.set(a, Field::Due, text(due), NOW).unwrap();
        nb.set(a, Field::Done, Value::Bool(*done), NOW).unwrap();
        if let Some(c) = contact {
            nb.set(a, Field::Contact, Value::Text(contacts[*c].to_string()), NOW).unwrap();
        }
        actions.push(a);
    }
    (nb, contacts, m, actions)
}

proptest! {
    #![proptest_config(config_over(2))]

    #[test]
    fn icalendar_export_then_import_keeps_every_field(w in world()) {
        let (nb, contacts, m, actions) = build(&w);
        let meeting = nb.meeting(m).unwrap();
        let out = ical::export(&nb, std::slice::from_ref(&meeting), Ceiling::All, NOW);
        prop_assert_eq!(out.written, 1 + actions.len());
        for physical in out.text.split_terminator("\r\n") {
            prop_assert!(physical.len() <= lines::FOLD_OCTETS);
        }
        let cal = ical::parse(out.text.as_bytes());
        prop_assert!(cal.problems.is_empty(), "{:?}", cal.problems);
        prop_assert_eq!(cal.events.len(), 1);
        let event = &cal.events[0];
        prop_assert_eq!(event.record_id(), m);
        prop_assert_eq!(event.meeting_in(&nb), Meeting { id: None, created: None, ..meeting.clone() });
        prop_assert_eq!(cal.todos.len(), actions.len());
        for (todo, a) in cal.todos.iter().zip(&actions) {
            let action = nb.action(*a).unwrap();
            prop_assert_eq!(todo.record_id(), *a);
            prop_assert_eq!(&todo.action, &liaison_core::Action { id: None, meeting: None, contact: None, ..action.clone() });
            prop_assert_eq!(todo.contact, action.contact);
            prop_assert_eq!(todo.related_to.clone(), Some(ical::uid_of(m)));
        }
        // Into a notebook that has the contacts but not the meeting: the same meeting and actions, by id.
        let records = contacts.iter().map(|c| nb.record(*c).unwrap().clone()).collect();
        let mut other = Notebook::from_records(DeviceId::new_v7(NOW, [8; 10]), records, NOW);
        let first = ical::import(&mut other, &cal, NOW + 1, &mut counter(3));
        prop_assert_eq!(first.created.len(), 1 + actions.len());
        prop_assert_eq!(other.meeting(m).map(|x| Meeting { created: None, ..x }), Some(Meeting { created: None, ..meeting }));
        prop_assert_eq!(other.actions_of(m), nb.actions_of(m));
        let again = ical::import(&mut other, &cal, NOW + 2, &mut counter(4));
        prop_assert_eq!(again.unchanged.len(), 1 + actions.len());
    }

}

proptest! {
    #![proptest_config(config_over(10))]

    #[test]
    fn no_export_holds_a_record_above_its_ceiling(w in world(), pick in 0usize..5) {
        let (nb, contacts, m, _) = build(&w);
        let ceiling = Ceiling::EVERY[pick];
        let vcf = vcard::export_all(&nb, ceiling).text;
        for (c, (_, _, marking)) in contacts.iter().zip(&w.contacts) {
            prop_assert_eq!(vcf.contains(&c.to_string()), liaison_core::marking::within(ceiling, marking));
        }
        let ics = ical::export_all(&nb, ceiling, NOW).text;
        prop_assert_eq!(ics.contains(&m.to_string()), liaison_core::marking::within(ceiling, &w.meeting.marking));
        for (c, (_, _, marking)) in contacts.iter().zip(&w.contacts) {
            if !liaison_core::marking::within(ceiling, marking) {
                prop_assert!(!ics.contains(&c.to_string()), "a participant above the ceiling");
            }
        }
        let csv = csv_out::export_all(&nb, ceiling, CsvOptions::default());
        prop_assert_eq!(csv[1].1.text.contains(&m.to_string()), liaison_core::marking::within(ceiling, &w.meeting.marking));
    }

}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn folding_keeps_lines_within_75_octets_and_unfolds_to_the_same_text(s in text_of(240, false)) {
        let line = format!("NOTE:{s}");
        let folded = lines::fold(&line);
        prop_assert!(folded.ends_with("\r\n"));
        let physical: Vec<&str> = folded.split_terminator("\r\n").collect();
        for (i, p) in physical.iter().enumerate() {
            prop_assert!(p.len() <= lines::FOLD_OCTETS);
            prop_assert!(i == 0 || p.starts_with(' '));
        }
        let unfolded: String = physical.iter().enumerate().map(|(i, p)| if i == 0 { *p } else { &p[1..] }).collect();
        prop_assert_eq!(unfolded, line);
    }

    #[test]
    fn escaped_text_unescapes_to_the_same_text(s in text_of(80, true)) {
        prop_assert_eq!(lines::unescape_text(&lines::escape_text(&s)), s.clone());
        let escaped = lines::escape_text(&s);
        prop_assert!(!escaped.contains('\n'));
        let list = vec![s.clone(), "x".to_string()];
        let parts = lines::split_escaped(&lines::escape_list(&list), ',');
        let expected: Vec<String> = list.into_iter().filter(|x| !x.is_empty()).collect();
        prop_assert_eq!(parts, expected);
    }

    #[test]
    fn csv_cells_read_back_exactly_with_formulas_guarded(
        cells in proptest::collection::vec(prop_oneof![text_of(30, true), "[=+@\t\r-][a-z0-9()\r\n,\"]{0,10}"], 12..=12),
        excel in any::<bool>(),
    ) {
        let c = Contact {
            id: Some(RecordId::new_v7(NOW, [1; 10])),
            name: cells[1].clone(),
            aliases: Vec::new(),
            title: cells[2].clone(),
            organisation: cells[3].clone(),
            nation: cells[4].clone(),
            role: cells[5].clone(),
            emails: vec![cells[6].clone()],
            phones: vec![cells[7].clone()],
            languages: vec![cells[8].clone()],
            tags: vec![cells[9].clone()],
            notes: cells[10].clone(),
            marking: cells[11].clone(),
            merged_into: None,
            name_parts: Vec::new(),
        };
        let nb = Notebook::new(DeviceId::new_v7(NOW, [2; 10]));
        let out = csv_out::contacts(&nb, std::slice::from_ref(&c), Ceiling::All, CsvOptions { excel });
        let text = if excel { out.text.strip_prefix(csv_out::BOM).unwrap().to_string() } else { out.text.clone() };
        let rows = read_csv(&text);
        prop_assert_eq!(rows.len(), if out.written == 1 { 2 } else { 1 });
        if out.written == 1 {
            let guard = |s: &str| if csv_out::starts_formula(s) { format!("'{s}") } else { s.to_string() };
            for (i, cell) in rows[1].iter().enumerate().skip(1) {
                // The Phones column writes a plain phone number as the text formula ="…" instead.
                let want = if i == 7 && csv_out::is_plain_phone(&cells[i]) { format!("=\"{}\"", cells[i]) } else { guard(&cells[i]) };
                prop_assert_eq!(cell, &want);
            }
        }
    }
}

/// Files to damage: the tricky golden calendar, a phone's vCard 2.1 and an Outlook invitation.
fn samples() -> &'static [Vec<u8>; 3] {
    static SAMPLES: std::sync::OnceLock<[Vec<u8>; 3]> = std::sync::OnceLock::new();
    SAMPLES.get_or_init(|| ["tricky.ics", "android-2.1.vcf", "outlook-invitation.ics"].map(interop_support::fixture))
}

/// Pieces of the two formats, to assemble broken files from.
const PIECES: [&str; 40] = [
    "BEGIN:VCARD",
    "END:VCARD",
    "BEGIN:VCALENDAR",
    "END:VCALENDAR",
    "BEGIN:VEVENT",
    "END:VEVENT",
    "BEGIN:VTODO",
    "END:VTODO",
    "BEGIN:VALARM",
    "END:VALARM",
    "VERSION:2.1",
    "VERSION:4.0",
    "FN:Мария",
    "N:;;;;;;;",
    "N:",
    "ORG:;;",
    "EMAIL;TYPE=pref:",
    "TEL;PREF=1:tel:",
    "NOTE;ENCODING=QUOTED-PRINTABLE:=C3=",
    "=",
    "=0",
    " folded",
    "\tfolded",
    "item1.",
    ";;;:",
    ":",
    "X-LIAISON-MARKING:",
    "CATEGORIES:\\",
    "UID:urn:uuid:",
    "UID:019cecd7-5160-7100-9122-334455a53d77@liaison",
    "DTSTART:20260310T093000Z",
    "DTSTART;VALUE=DATE:20260230",
    "DTEND:2026",
    "DURATION:PT99999999999999999H",
    "ATTENDEE;CN=\"x:mailto:%",
    "ATTENDEE;X-LIAISON-ID=\"019cecd7-5160-7100-9122-334455a53d77\":urn:uuid:",
    "RELATED-TO:019cecd7-5160-7100-9122-334455a53d77@liaison",
    "DUE:x",
    "CHARSET=KOI8-R",
    "\u{FEFF}",
];

fn broken_file() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        6 => proptest::sample::select(PIECES.to_vec()).prop_map(|s| s.as_bytes().to_vec()),
        1 => proptest::collection::vec(any::<u8>(), 0..8),
    ];
    let sep = proptest::sample::select(vec![&b"\r\n"[..], b"\n", b"", b"\r", b";", b":"]);
    proptest::collection::vec((piece, sep), 0..60)
        .prop_map(|parts| parts.into_iter().flat_map(|(p, s)| p.into_iter().chain(s.iter().copied())).collect())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn no_input_panics_a_parser_or_an_import(bytes in prop_oneof![broken_file(), proptest::collection::vec(any::<u8>(), 0..600)]) {
        let mut nb = Notebook::new(DeviceId::new_v7(NOW, [9; 10]));
        let parsed = vcard::parse(&bytes);
        prop_assert!(parsed.problems.len() <= formats::MAX_PROBLEMS + 1);
        vcard::import(&mut nb, &parsed.cards, NOW, &mut counter(5));
        let cal = ical::parse(&bytes);
        ical::import(&mut nb, &cal, NOW + 1, &mut counter(6));
        for r in nb.records() {
            prop_assert!(liaison_core::formats::wire::decode_record(&liaison_core::formats::wire::encode_record(r)).is_ok());
        }
    }

    #[test]
    fn a_damaged_export_never_panics_a_parser(
        c in contact(),
        sample in 0usize..3,
        cuts in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let mut bytes = vcard::card(&c).into_bytes();
        bytes.extend(samples()[sample].iter().copied());
        for (at, b) in cuts {
            let i = at.index(bytes.len());
            match b % 3 {
                0 => bytes[i] = b,
                1 => { bytes.remove(i); }
                _ => bytes.insert(i, b),
            }
        }
        let _ = vcard::parse(&bytes);
        let _ = ical::parse(&bytes);
    }
}

// ---- time zones ----

/// Central European time as the EU keeps it (summer time from 01:00 UTC on the last Sunday of March to
/// 01:00 UTC on the last Sunday of October), worked out here without core, as a zone database would.
fn vienna_offset(utc_minutes: i64) -> i32 {
    use liaison_core::date::{days_in_month, Date};
    let last_sunday_01_utc = |year: i32, month: u32| {
        let last = Date { year, month, day: days_in_month(year, month) };
        let days = last.days_since_epoch();
        // 1970-01-01 was a Thursday: Monday is 0 and Sunday 6.
        let weekday = (days + 3).rem_euclid(7);
        (days - (weekday + 1) % 7) * 1440 + 60
    };
    let year = liaison_core::date::Date::from_days_since_epoch(utc_minutes.div_euclid(1440)).year;
    if (last_sunday_01_utc(year, 3)..last_sunday_01_utc(year, 10)).contains(&utc_minutes) {
        120
    } else {
        60
    }
}

/// Outlook's definition of "W. Europe Standard Time", the zone an Austrian officer's Outlook writes.
const W_EUROPE: &str = "BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\nBEGIN:STANDARD\r\n\
DTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n\
END:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n\
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

fn basic(minutes: i64) -> String {
    let date = liaison_core::date::Date::from_days_since_epoch(minutes.div_euclid(1440));
    let m = minutes.rem_euclid(1440);
    format!("{:04}{:02}{:02}T{:02}{:02}00", date.year, date.month, date.day, m / 60, m % 60)
}

fn shown(minutes: i64) -> (String, String) {
    let date = liaison_core::date::Date::from_days_since_epoch(minutes.div_euclid(1440));
    let m = minutes.rem_euclid(1440);
    (date.to_string(), format!("{:02}:{:02}", m / 60, m % 60))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn an_invitation_in_outlooks_zone_or_in_utc_lands_at_the_officers_time_in_vienna(
        utc in 1_577_836_800i64 / 60..2_208_988_800 / 60,
        zoned in any::<bool>(),
    ) {
        let local = utc + i64::from(vienna_offset(utc));
        let dtstart = if zoned {
            format!("DTSTART;TZID=W. Europe Standard Time:{}", basic(local))
        } else {
            format!("DTSTART:{}Z", basic(utc))
        };
        let file = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{W_EUROPE}BEGIN:VEVENT\r\nUID:x@example.org\r\n{dtstart}\r\n\
             DURATION:PT45M\r\nSUMMARY:Talks\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        let officer = vienna_offset;
        let named = |_: &str, _: i64| None;
        let zones = ical::Zones { officer: &officer, named: &named };
        let cal = ical::parse_with(file.as_bytes(), lines::built_in_charsets, Some(&zones));
        let m = &cal.events[0].meeting;
        // The hour that summer time skips, and the one it repeats, have no single answer from a local time.
        let near_change = (vienna_offset(utc - 90) != vienna_offset(utc + 90)) && zoned;
        if !near_change {
            prop_assert_eq!((m.date.clone(), m.start.clone()), shown(local));
            prop_assert_eq!(m.end.clone(), shown(local + 45).1);
        }
    }
}
