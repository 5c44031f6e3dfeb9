//! vCard, iCalendar and CSV: golden files, samples from phones and Outlook, idempotent imports, markings
//! on export, formula injection, and garbage.

mod interop_support;

use std::collections::BTreeSet;

use interop_support::{counter, empty, fixture, golden, one_officer, one_officer_bundle, read_csv};
use liaison_core::formats::csv::{self as csv_out, CsvOptions};
use liaison_core::formats::{ical, lines, vcard, MAX_IMPORT_BYTES};
use liaison_core::marking::Ceiling;
use liaison_core::queries::duplicates;
use liaison_core::{Field, Kind, RecordId, Value};

fn id(s: &str) -> RecordId {
    s.parse().unwrap()
}

const IVANOVA: &str = "019cecd7-5160-7100-9122-334455a53d77";
const LI: &str = "019cecd8-66b8-7101-9122-334455a43d77";
const ZOE: &str = "019cecda-9168-7103-9122-334455a63d77";
const WORKING_GROUP: &str = "019cecdc-bc18-7114-9122-334455b13d77";
const DINNER: &str = "019cecdd-dd28-7115-9122-334455b03d77";

// ---- golden files ----

#[test]
fn golden_vcard_of_every_contact() {
    let (nb, _) = one_officer();
    let out = vcard::export_all(&nb, Ceiling::All);
    assert_eq!((out.written, out.above_ceiling), (5, 0));
    golden("one-officer.vcf", out.text.as_bytes());
}

#[test]
fn golden_icalendar_of_every_meeting_and_action() {
    let (nb, now) = one_officer();
    let out = ical::export_all(&nb, Ceiling::All, now);
    assert_eq!((out.written, out.above_ceiling, out.undated), (5, 0, 0), "2 events and 3 to-dos");
    golden("one-officer.ics", out.text.as_bytes());
}

#[test]
fn golden_csv_of_contacts_meetings_and_actions() {
    let (nb, _) = one_officer();
    let plain = csv_out::export_all(&nb, Ceiling::All, CsvOptions::default());
    let excel = csv_out::export_all(&nb, Ceiling::All, CsvOptions { excel: true });
    for ((name, p), (_, e)) in plain.iter().zip(&excel) {
        golden(&format!("one-officer-{name}"), p.text.as_bytes());
        assert_eq!(e.text, format!("\u{FEFF}{}", p.text), "{name}: Excel adds only the byte-order mark");
    }
    let written: Vec<usize> = plain.iter().map(|(_, t)| t.written).collect();
    assert_eq!(written, [5, 2, 3]);
}

#[test]
fn golden_exports_up_to_open_leave_out_everything_above() {
    let (nb, now) = one_officer();
    let v = vcard::export_all(&nb, Ceiling::Open);
    // Open: 李小龍 (UNCLASSIFIED) and Zoë (unmarked). Not: Мария (NATO RESTRICTED), محمد (REL TO), Ἀθηνᾶ.
    assert_eq!((v.written, v.above_ceiling), (2, 3));
    golden("one-officer-open.vcf", v.text.as_bytes());
    let i = ical::export_all(&nb, Ceiling::Open, now);
    // Only the dinner (UNCLASSIFIED) and its action; its participants above the ceiling are left out.
    assert_eq!((i.written, i.above_ceiling), (2, 1));
    golden("one-officer-open.ics", i.text.as_bytes());
    for hidden in ["Мария", "محمد", "Ἀθηνᾶ", IVANOVA] {
        assert!(!v.text.contains(hidden), "{hidden} is above the ceiling");
    }
    // The dinner's action names Мария as its owner, in free text that belongs to the open meeting; her
    // contact record, its id and address, stay out.
    for hidden in ["Border crossings", "Send the minutes", "محمد", "Ἀθηνᾶ", IVANOVA, "m.ivanova@", "\r\nCONTACT:"]
    {
        assert!(!i.text.contains(hidden), "{hidden} is above the ceiling");
    }
}

#[test]
fn every_exported_line_ends_in_crlf_and_fits_in_75_octets() {
    let (nb, now) = one_officer();
    for text in [vcard::export_all(&nb, Ceiling::All).text, ical::export_all(&nb, Ceiling::All, now).text] {
        assert!(text.ends_with("\r\n"));
        for line in text.strip_suffix("\r\n").unwrap().split("\r\n") {
            assert!(line.len() <= lines::FOLD_OCTETS, "{} octets: {line}", line.len());
            assert!(!line.contains('\n') && !line.contains('\r'));
        }
    }
}

// ---- markings ----

#[test]
fn each_ceiling_leaves_out_exactly_the_records_above_it_in_every_format() {
    let (nb, now) = one_officer();
    // Contacts: unmarked, UNCLASSIFIED, NATO RESTRICTED, REL TO (restricted), RESTRICTED.
    for (ceiling, contacts, meetings) in [
        (Ceiling::Open, 2, 1),
        (Ceiling::Restricted, 5, 2),
        (Ceiling::Confidential, 5, 2),
        (Ceiling::Secret, 5, 2),
        (Ceiling::All, 5, 2),
    ] {
        assert_eq!(vcard::export_all(&nb, ceiling).written, contacts, "{ceiling:?}");
        let csv = csv_out::export_all(&nb, ceiling, CsvOptions::default());
        assert_eq!(csv[0].1.written, contacts, "{ceiling:?}");
        assert_eq!(csv[1].1.written, meetings, "{ceiling:?}");
        assert_eq!(ical::export_all(&nb, ceiling, now).above_ceiling, 2 - meetings, "{ceiling:?}");
    }
}

#[test]
fn the_marking_shows_in_every_format() {
    let (nb, now) = one_officer();
    let v = vcard::export(&nb, &[nb.contact(id(IVANOVA)).unwrap()], Ceiling::All).text;
    assert!(v.contains("\r\nX-LIAISON-MARKING:NATO RESTRICTED\r\n"));
    assert!(v.contains("\r\nNOTE:Marking: NATO RESTRICTED\\n"));
    let i = ical::export(&nb, &[nb.meeting(id(WORKING_GROUP)).unwrap()], Ceiling::All, now).text;
    assert!(i.contains("\r\nCLASS:CONFIDENTIAL\r\n"));
    assert!(i.contains("\r\nX-LIAISON-MARKING:NATO RESTRICTED\r\n"));
    let rows = read_csv(&csv_out::export_all(&nb, Ceiling::All, CsvOptions::default())[2].1.text);
    assert_eq!(rows[0].last().unwrap(), "Marking");
    assert_eq!(rows[1].last().unwrap(), "NATO RESTRICTED", "an action carries its meeting's marking");
}

#[test]
fn a_contact_with_an_unknown_label_goes_only_into_an_export_of_everything() {
    let (mut nb, now) = one_officer();
    nb.set(id(ZOE), Field::Marking, Value::Text("Bundesheer intern".into()), now + 1).unwrap();
    assert_eq!(vcard::export_all(&nb, Ceiling::Secret).written, 4);
    assert_eq!(vcard::export_all(&nb, Ceiling::All).written, 5);
}

// ---- vCard import ----

#[test]
fn a_contact_from_an_iphone_vcard_3_0_is_read_field_by_field() {
    let parsed = vcard::parse(&fixture("iphone-3.0.vcf"));
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let card = &parsed.cards[0];
    let c = &card.contact;
    assert_eq!(card.version, "3.0");
    assert_eq!(card.uid.as_deref(), Some("7A1E3F0C-5B2D-4C8E-9F10-2B3C4D5E6F70"));
    assert_eq!(c.name, "Maj Anna Maria Berg");
    assert_eq!(c.title, "Major");
    assert_eq!(c.organisation, "Forsvaret, J3 Operasjoner");
    assert_eq!(c.emails, ["anna.berg@mil.example", "anna.berg@home.example"]);
    assert_eq!(c.phones, ["+47 23 09 80 00", "+47 915 55 123"], "the preferred number first");
    assert_eq!(c.notes, "Met at NATO HQ, Brussels; speaks Norwegian, English.\nPrefers Signal.");
    assert_eq!(c.tags, ["nordic", "army"]);
    assert_eq!(card.skipped, ["ADR", "BDAY", "PHOTO"]);
    assert_eq!(card.record_id(), id("7a1e3f0c-5b2d-4c8e-9f10-2b3c4d5e6f70"), "a UUID UID is the record id");
}

#[test]
fn contacts_from_an_android_vcard_2_1_in_quoted_printable_utf8_are_read() {
    let parsed = vcard::parse(&fixture("android-2.1.vcf"));
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert_eq!(parsed.cards.len(), 2);
    let c = &parsed.cards[0].contact;
    assert_eq!(c.name, "Мария Иванова", "FN over a quoted-printable soft line break");
    assert_eq!(c.organisation, "Міністерство оборони");
    assert_eq!(c.phones, ["+380441234567", "+380 44 555 01 02"]);
    assert_eq!(c.emails, ["maria@example.ua"]);
    assert_eq!(parsed.cards[1].contact.name, "Petro Kovalenko");
    assert_eq!(parsed.cards[1].line, 11);
}

#[test]
fn a_contact_from_outlook_in_windows_1252_is_read() {
    let parsed = vcard::parse(&fixture("outlook-2.1.vcf"));
    let c = &parsed.cards[0].contact;
    assert_eq!(c.name, "Jürgen Müller");
    assert_eq!(c.organisation, "Österreichisches Bundesheer, Verbindungsbüro");
    assert_eq!(c.notes, "Trifft sich gern dienstags.\nAnsprechpartner für Grenzfragen – sehr hilfsbereit.");
    assert_eq!(c.phones, ["+43 50201 10 12345", "+43 664 123 4567"]);
    assert_eq!(c.emails, ["juergen.mueller@bmlv.example"]);
    assert_eq!(parsed.cards[0].skipped, ["ADR"]);
    assert_eq!(parsed.problems.len(), 1, "{:?}", parsed.problems);
    assert!(parsed.problems[0].message.contains("Windows-1252"));
}

#[test]
fn importing_the_same_vcf_files_twice_changes_nothing() {
    let mut nb = empty(1);
    let mut random = counter(1);
    let files = ["iphone-3.0.vcf", "android-2.1.vcf", "outlook-2.1.vcf"];
    let cards: Vec<vcard::Card> = files.iter().flat_map(|f| vcard::parse(&fixture(f)).cards).collect();
    let first = vcard::import(&mut nb, &cards, 1_700_000_001_000, &mut random);
    assert_eq!((first.created.len(), first.updated.len(), first.unchanged.len()), (4, 0, 0));
    let records = nb.records().count();
    assert_eq!(records, 4, "no temporary records are left behind");
    nb.take_changed();
    let again = vcard::import(&mut nb, &cards, 1_700_000_002_000, &mut random);
    assert_eq!((again.created.len(), again.updated.len(), again.unchanged.len()), (0, 0, 4));
    assert_eq!(nb.records().count(), 4);
    assert!(nb.take_changed().is_empty(), "nothing to save");
}

#[test]
fn a_contact_whose_uid_matches_is_updated_not_duplicated() {
    let (mut nb, now) = one_officer();
    let before = nb.contacts().len();
    let card = vcard::export(&nb, &[nb.contact(id(IVANOVA)).unwrap()], Ceiling::All).text;
    // The card comes back from a phone with a new title and without Liaison's own properties.
    let edited: String = card
        .replace("TITLE:Colonel", "TITLE:Brigadier General")
        .split("\r\n")
        .filter(|l| !l.starts_with("X-LIAISON-") && !l.starts_with("NOTE") && !l.starts_with(' '))
        .collect::<Vec<_>>()
        .join("\r\n");
    let parsed = vcard::parse(edited.as_bytes());
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let out = vcard::import(&mut nb, &parsed.cards, now + 1_000, &mut counter(2));
    assert_eq!((out.created.len(), out.updated, out.unchanged.len()), (0, vec![id(IVANOVA)], 0));
    assert_eq!(nb.contacts().len(), before);
    let c = nb.contact(id(IVANOVA)).unwrap();
    assert_eq!(c.title, "Brigadier General");
    assert_eq!(c.nation, "UKR", "what the card did not carry is kept");
    assert_eq!(c.marking, "NATO RESTRICTED");
    assert!(c.notes.starts_with("Met at the spring conference"));
}

#[test]
fn a_liaison_vcf_imported_into_a_fresh_notebook_keeps_ids_and_every_field() {
    let (nb, _) = one_officer();
    let text = vcard::export_all(&nb, Ceiling::All).text;
    let parsed = vcard::parse(text.as_bytes());
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let mut fresh = empty(3);
    let out = vcard::import(&mut fresh, &parsed.cards, 1_800_000_000_000, &mut counter(3));
    assert_eq!(out.created.len(), 5);
    assert_eq!(fresh.contacts(), nb.contacts());
    let again = vcard::import(&mut fresh, &parsed.cards, 1_800_000_001_000, &mut counter(3));
    assert_eq!(again.unchanged.len(), 5);
    assert_eq!(fresh.contacts().len(), 5);
}

#[test]
fn a_phone_card_of_someone_already_here_is_suggested_as_a_duplicate() {
    let (mut nb, now) = one_officer();
    let card =
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Maria Ivanova\r\nEMAIL;TYPE=WORK:M.Ivanova@mod.example\r\nEND:VCARD\r\n";
    let out = vcard::import(&mut nb, &vcard::parse(card.as_bytes()).cards, now + 1, &mut counter(4));
    assert_eq!(out.created.len(), 1);
    let pairs: Vec<(RecordId, RecordId)> =
        duplicates::candidates(&nb, &BTreeSet::new()).into_iter().map(|c| (c.a, c.b)).collect();
    let new = out.created[0];
    assert!(pairs.contains(&(id(IVANOVA).min(new), id(IVANOVA).max(new))), "{pairs:?}");
}

#[test]
fn a_card_of_a_merged_away_contact_updates_the_survivor_and_a_deleted_one_comes_back() {
    let (mut nb, now) = one_officer();
    let card_of =
        |nb: &liaison_core::Notebook, who: &str| vcard::export(nb, &[nb.contact(id(who)).unwrap()], Ceiling::All).text;
    let li_card = card_of(&nb, LI).replace("TITLE:Commander", "TITLE:Captain");
    nb.merge_contacts(id(ZOE), id(LI), vec![], now + 1).unwrap();
    let out = vcard::import(&mut nb, &vcard::parse(li_card.as_bytes()).cards, now + 2, &mut counter(5));
    assert_eq!(out.updated, vec![id(ZOE)], "the redirect is followed");
    assert!(nb.contact(id(LI)).is_none());
    let zoe_card = card_of(&nb, ZOE);
    nb.delete(id(ZOE), now + 3).unwrap();
    let out = vcard::import(&mut nb, &vcard::parse(zoe_card.as_bytes()).cards, now + 4, &mut counter(5));
    assert_eq!(out.updated, vec![id(ZOE)]);
    assert!(nb.contact(id(ZOE)).is_some(), "restored, not duplicated");
}

// ---- iCalendar import ----

#[test]
fn an_outlook_invitation_becomes_a_meeting_with_attendees_matched_to_contacts() {
    let (mut nb, now) = one_officer();
    let cal = ical::parse(&fixture("outlook-invitation.ics"));
    assert!(cal.problems.is_empty(), "{:?}", cal.problems);
    let out = ical::import(&mut nb, &cal, now + 1, &mut counter(6));
    assert_eq!(out.created.len(), 1);
    let m = nb.meeting(out.created[0]).unwrap();
    assert_eq!(m.title, "Grenzübergänge – Arbeitsgruppe");
    assert_eq!((m.date.as_str(), m.start.as_str(), m.end.as_str()), ("2026-04-10", "09:30", "11:00"));
    assert_eq!(m.location, "Rossauer Kaserne, Raum 2.14");
    assert!(
        m.notes.starts_with("Tagesordnung:\n1. Lage an der Grenze"),
        "the alarm's DESCRIPTION does not leak: {:?}",
        m.notes
    );
    assert_eq!(m.participants, [id(IVANOVA), id(ZOE)], "matched by email, case ignored");
    assert_eq!(
        m.attendees,
        ["Dolmetscher", "Novak, Jan <jan.novak@army.example>", "Müller, Jürgen <juergen.mueller@bmlv.example>"],
    );
    assert_eq!(m.marking, "", "CLASS:PUBLIC is no marking");
    let again = ical::import(&mut nb, &cal, now + 2, &mut counter(6));
    assert_eq!((again.created.len(), again.unchanged.len()), (0, 1), "the same invitation twice is one meeting");
}

#[test]
fn a_google_invitation_in_utc_is_kept_as_written_and_reported() {
    let (mut nb, now) = one_officer();
    let cal = ical::parse(&fixture("google-invitation.ics"));
    assert_eq!(cal.problems.len(), 1, "{:?}", cal.problems);
    assert!(cal.problems[0].message.contains("UTC"));
    assert_eq!(cal.problems[0].line, 7);
    let out = ical::import(&mut nb, &cal, now + 1, &mut counter(7));
    let m = nb.meeting(out.created[0]).unwrap();
    assert_eq!((m.start.as_str(), m.end.as_str()), ("12:00", "13:30"), "end from DURATION");
    assert_eq!(m.participants, [id(LI)]);
    assert_eq!(m.attendees, ["anna.berg@mil.example"]);
    assert_eq!(m.marking, "PRIVATE", "a private invitation stays out of open exports");
}

#[test]
fn a_liaison_ics_comes_back_as_the_same_meetings_and_actions() {
    let (nb, now) = one_officer();
    let text = ical::export_all(&nb, Ceiling::All, now).text;
    let cal = ical::parse(text.as_bytes());
    assert!(cal.problems.is_empty(), "{:?}", cal.problems);
    // A fresh notebook that has the contacts (from the .vcf) but none of the meetings.
    let mut fresh = empty(8);
    let cards = vcard::parse(vcard::export_all(&nb, Ceiling::All).text.as_bytes()).cards;
    vcard::import(&mut fresh, &cards, now, &mut counter(8));
    let out = ical::import(&mut fresh, &cal, now + 1, &mut counter(8));
    assert_eq!(out.created.len(), 5);
    let strip = |ms: Vec<liaison_core::Meeting>| {
        ms.into_iter().map(|m| liaison_core::Meeting { created: None, ..m }).collect::<Vec<_>>()
    };
    assert_eq!(strip(fresh.meetings()), strip(nb.meetings()));
    for m in [WORKING_GROUP, DINNER] {
        assert_eq!(fresh.actions_of(id(m)), nb.actions_of(id(m)));
    }
    let again = ical::import(&mut fresh, &cal, now + 2, &mut counter(8));
    assert_eq!(again.unchanged.len(), 5);
}

#[test]
fn a_to_do_without_its_meeting_is_listed_not_imported() {
    let mut nb = empty(9);
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:x@example.org\r\nSUMMARY:Call back\r\nRELATED-TO:nowhere@example.org\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
    let out = ical::import(&mut nb, &ical::parse(ics.as_bytes()), 1_700_000_000_000, &mut counter(9));
    assert!(out.created.is_empty());
    assert_eq!(out.not_imported.len(), 1);
    assert_eq!(out.not_imported[0].line, 3);
    assert!(out.not_imported[0].message.contains("Call back"));
}

#[test]
fn a_meeting_without_a_date_is_left_out_of_the_calendar_and_counted() {
    let (mut nb, now) = one_officer();
    let m = nb.create(Kind::Meeting, now + 1, [1; 10]);
    nb.set(m, Field::Title, Value::Text("Someday".into()), now + 2).unwrap();
    let out = ical::export_all(&nb, Ceiling::All, now);
    assert_eq!(out.undated, 1);
    assert!(!out.text.contains("Someday"));
}

// ---- CSV ----

#[test]
fn formula_injection_is_escaped_in_every_csv() {
    let (mut nb, now) = one_officer();
    let c = id(ZOE);
    nb.set(c, Field::Name, Value::Text("=cmd|' /C calc'!A0".into()), now + 1).unwrap();
    nb.set(c, Field::Notes, Value::Text("@SUM(1+1)*cmd|' /C calc'!A0".into()), now + 1).unwrap();
    nb.set(c, Field::Tags, Value::List(vec!["-2+3".into(), "ok".into()]), now + 1).unwrap();
    nb.set(id(DINNER), Field::Title, Value::Text("+HYPERLINK(\"http://evil.example\",\"x\")".into()), now + 1).unwrap();
    let a = nb.actions_of(id(DINNER))[0].id.unwrap();
    nb.set(a, Field::Text, Value::Text("\t=1+1".into()), now + 1).unwrap();
    let files = csv_out::export_all(&nb, Ceiling::All, CsvOptions::default());
    let contacts = read_csv(&files[0].1.text);
    let zoe = contacts.iter().find(|r| r[0] == ZOE).unwrap();
    assert_eq!(zoe[1], "'=cmd|' /C calc'!A0");
    assert_eq!(zoe[10], "'@SUM(1+1)*cmd|' /C calc'!A0");
    assert_eq!(zoe[9], "'-2+3; ok");
    let meetings = read_csv(&files[1].1.text);
    assert!(meetings.iter().any(|r| r[1] == "'+HYPERLINK(\"http://evil.example\",\"x\")"));
    let actions = read_csv(&files[2].1.text);
    assert!(actions.iter().any(|r| r[1] == "'\t=1+1"));
    // No cell anywhere starts a formula, except a phone number written as the constant text ="…".
    for rows in [contacts, meetings, actions] {
        for cell in rows.iter().flatten() {
            assert!(!csv_out::starts_formula(cell) || csv_out::unwrap_phone(cell) != cell, "{cell:?}");
        }
    }
}

#[test]
fn csv_reads_back_row_by_row_with_the_header_first() {
    let (nb, _) = one_officer();
    let files = csv_out::export_all(&nb, Ceiling::All, CsvOptions::default());
    let contacts = read_csv(&files[0].1.text);
    assert_eq!(contacts[0], csv_out::CONTACT_COLUMNS);
    let ivanova = contacts.iter().find(|r| r[0] == IVANOVA).unwrap();
    assert_eq!(ivanova[1], "Мария Иванова");
    assert_eq!(ivanova[8], "uk; en");
    let meetings = read_csv(&files[1].1.text);
    assert_eq!(meetings[0], csv_out::MEETING_COLUMNS);
    let wg = meetings.iter().find(|r| r[0] == WORKING_GROUP).unwrap();
    assert_eq!(wg[6], "Мария Иванова; 李小龍; Zoë Müller-Łukasiewicz");
    assert_eq!(wg[10], "1. Status\n2. Next steps");
    assert!(meetings.iter().all(|r| r.len() == csv_out::MEETING_COLUMNS.len()));
}

// ---- names in any script ----

#[test]
fn non_latin_names_survive_vcard_and_icalendar() {
    let names = [
        "Мария Иванова",
        "李小龍",
        "محمد عبد الله",
        "Ἀθηνᾶ Παπαδοπούλου",
        "Zoë Müller-Łukasiewicz",
        "סגן אלוף דנה כהן",
        "पूजा शर्मा",
        "김민준",
        "ศรีสุดา ใจดี",
        "Nguyễn Thị Minh Khai",
        "Ólafur Ragnar Grímsson, Jr.; \"Óli\"",
    ];
    let mut nb = empty(10);
    let now = 1_700_000_000_000;
    let mut ids = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let c = nb.create(Kind::Contact, now, [i as u8; 10]);
        nb.set(c, Field::Name, Value::Text(name.to_string()), now + 1).unwrap();
        ids.push(c);
    }
    let m = nb.create(Kind::Meeting, now, [99; 10]);
    nb.set(m, Field::Title, Value::Text(names.join(" / ")), now + 1).unwrap();
    nb.set(m, Field::Date, Value::Text("2026-03-10".into()), now + 1).unwrap();
    nb.set(m, Field::Participants, Value::List(ids.iter().map(ToString::to_string).collect()), now + 1).unwrap();
    let cards = vcard::parse(vcard::export_all(&nb, Ceiling::All).text.as_bytes()).cards;
    let read: BTreeSet<String> = cards.iter().map(|c| c.contact.name.clone()).collect();
    assert_eq!(read, names.iter().map(|s| s.to_string()).collect());
    let cal = ical::parse(ical::export_all(&nb, Ceiling::All, now).text.as_bytes());
    let event = &cal.events[0];
    assert_eq!(event.meeting.title, names.join(" / "));
    let cn: Vec<&str> = event.attendees.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(cn, names, "CN parameters, in participant order");
    assert_eq!(event.meeting_in(&nb).participants, ids);
}

// ---- repeating meetings ----

/// A weekly series from Google, one of its meetings moved (RECURRENCE-ID), and a to-do of the series.
const SERIES: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n\
BEGIN:VEVENT\r\nUID:weekly-sync@google.com\r\nDTSTART:20260302T090000\r\nDTEND:20260302T100000\r\n\
RRULE:FREQ=WEEKLY;COUNT=10\r\nSUMMARY:Weekly liaison sync\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:weekly-sync@google.com\r\nRECURRENCE-ID:20260316T090000\r\n\
DTSTART:20260317T140000\r\nDTEND:20260317T150000\r\nSUMMARY:Weekly liaison sync (moved)\r\nEND:VEVENT\r\n\
BEGIN:VTODO\r\nUID:todo-1@google.com\r\nSUMMARY:Send the minutes\r\nRELATED-TO:weekly-sync@google.com\r\nEND:VTODO\r\n\
END:VCALENDAR\r\n";

#[test]
fn a_changed_occurrence_of_a_series_imports_as_its_own_meeting_linked_to_the_series() {
    let cal = ical::parse(SERIES.as_bytes());
    assert_eq!(cal.events.len(), 2, "{:?}", cal.problems);
    let mut nb = empty(40);
    let out = ical::import(&mut nb, &cal, 1_800_000_000_000, &mut counter(40));
    assert_eq!(out.created.len(), 3, "{out:?}");
    let series = cal.events[0].record_id();
    let moved = nb.meeting(cal.events[1].record_id()).expect("the moved meeting");
    assert_ne!(moved.id, Some(series));
    assert_eq!(
        (moved.title.as_str(), moved.date.as_str(), moved.start.as_str()),
        ("Weekly liaison sync (moved)", "2026-03-17", "14:00")
    );
    assert_eq!(moved.series, Some(series));
    assert_eq!(nb.meeting(series).map(|m| m.series), Some(None));
    // The to-do of the series belongs to the series' meeting, not to the moved one.
    assert_eq!(nb.actions_of(series).len(), 1);
    assert!(nb.actions_of(cal.events[1].record_id()).is_empty());
    // The same file again changes nothing; Liaison's own export brings the link back.
    let again = ical::import(&mut nb, &cal, 1_800_000_001_000, &mut counter(40));
    assert!(again.created.is_empty() && again.updated.is_empty(), "{again:?}");
    let exported = ical::export_all(&nb, Ceiling::All, 1_800_000_002_000);
    let back = ical::parse(exported.text.as_bytes());
    let mut fresh = empty(41);
    ical::import(&mut fresh, &back, 1_800_000_003_000, &mut counter(41));
    assert_eq!(fresh.meeting(cal.events[1].record_id()).and_then(|m| m.series), Some(series));
}

// ---- garbage ----

#[test]
fn garbage_is_reported_line_by_line_and_never_panics() {
    let cases: [(&[u8], &str); 9] = [
        (b"", "empty"),
        (b"\x00\x01\x02\xff\xfe\xfd", "no vCard"),
        (b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Cut short", "no END:VCARD"),
        (b"END:VCARD\r\n", "END without"),
        (b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\r\nBEGIN:VCARD\r\nFN:B\r\nEND:VCARD\r\nEND:VCARD\r\n", "nested"),
        (b"BEGIN:VCARD\r\nVERSION:9.9\r\nFN:A\r\nEND:VCARD\r\n", "version"),
        (b"BEGIN:VCARD\r\nVERSION:4.0\r\nN:;;;;\r\nEND:VCARD\r\n", "no name"),
        (b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\r\nthis line has no colon\r\nEND:VCARD\r\n", "not a content line"),
        (b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN;CHARSET=KOI8-R:A\r\nEND:VCARD\r\n", "not supported"),
    ];
    for (bytes, says) in cases {
        let parsed = vcard::parse(bytes);
        assert!(parsed.problems.iter().any(|p| p.message.contains(says)), "{says}: {:?}", parsed.problems);
    }
    let ics: [(&[u8], &str); 4] = [
        (b"", "empty"),
        (b"BEGIN:VCARD\r\nEND:VCARD\r\n", "not look like an iCalendar"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026-03-10\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "not a date"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\n", "no END:VEVENT"),
    ];
    for (bytes, says) in ics {
        let cal = ical::parse(bytes);
        assert!(cal.problems.iter().any(|p| p.message.contains(says)), "{says}: {:?}", cal.problems);
    }
}

#[test]
fn a_file_of_endless_garbage_gives_a_bounded_list_of_problems() {
    let garbage = "no colon here\r\n".repeat(10_000);
    let parsed = vcard::parse(garbage.as_bytes());
    assert!(parsed.problems.len() <= liaison_core::formats::MAX_PROBLEMS + 2);
    assert!(parsed.problems.iter().any(|p| p.message.contains("more problems")));
}

#[test]
fn files_over_the_limit_are_refused_whole() {
    let big = vec![b'A'; MAX_IMPORT_BYTES + 1];
    let parsed = vcard::parse(&big);
    assert!(parsed.cards.is_empty());
    assert!(parsed.problems[0].message.contains("larger than 16 MB"));
    assert!(ical::parse(&big).problems[0].message.contains("larger than 16 MB"));
}

#[test]
fn the_bundle_used_for_goldens_is_the_one_officer_fixture() {
    // The goldens above depend on this fixture; fixtures are added, never edited.
    let b = one_officer_bundle();
    assert_eq!(b.records.len(), 10);
    assert_eq!(b.created_ms, 1_773_500_760_000);
}

// ---- the tricky bundle: what breaks careless writers, for the goldens and the Python interop check ----

/// A notebook with everything that breaks careless writers: commas, semicolons, quotes, carets and
/// backslashes in names; a name too long for one line; six scripts, right-to-left among them; formula
/// text; a meeting over midnight, an all-day one, an undated one; markings from unmarked to SECRET.
fn tricky() -> (liaison_core::Notebook, liaison_core::formats::wire::DeviceV1, u64) {
    use liaison_core::formats::wire::DeviceV1;
    use liaison_core::{DeviceId, Notebook};
    let t0: u64 = 1_772_000_000_000;
    let device = DeviceV1 {
        id: DeviceId::new_v7(t0 - 86_400_000, [0x42; 10]),
        label: "Interop test laptop".into(),
        officer: "Maj Test Officer".into(),
    };
    let mut nb = Notebook::new(device.id);
    let mut t = t0;
    let mut seed = 0u8;
    let mut new = |nb: &mut Notebook, kind: Kind, fields: &[(Field, Value)]| {
        t += 1_000;
        seed += 1;
        let id = nb.create(kind, t, [seed; 10]);
        for (f, v) in fields {
            t += 1_000;
            nb.set(id, *f, v.clone(), t).unwrap();
        }
        id
    };
    let text = |s: &str| Value::Text(s.into());
    let list = |l: &[&str]| Value::List(l.iter().map(|s| s.to_string()).collect());
    let obrien = new(
        &mut nb,
        Kind::Contact,
        &[
            (Field::Name, text("O'Brien, Seán; \"Jack\" \\ Jr.")),
            (Field::Title, text("Lt Col")),
            (Field::Organisation, text("Defence Forces; J2, Intelligence")),
            (Field::Nation, text("IRL")),
            (Field::Role, text("=cmd|' /C calc'!A0")),
            (Field::Emails, list(&["sean.obrien+liaison@defence.example"])),
            (Field::Phones, list(&["+353 1 804 2000"])),
            (Field::Languages, list(&["ga", "en"])),
            (Field::Notes, text("Line one\nLine two; with, punctuation \\ and a backslash\n\nAfter a blank line.")),
            (Field::Tags, list(&["a,b", "c;d", "e\\f"])),
        ],
    );
    let long = new(
        &mut nb,
        Kind::Contact,
        &[
            (Field::Name, text("Александра Вячеславовна Преображенская-Колокольцева-Длинноимённая")),
            (Field::Title, text("Полковник")),
            (Field::Marking, text("SECRET")),
        ],
    );
    let yamada = new(
        &mut nb,
        Kind::Contact,
        &[
            (Field::Name, text("山田 太郎")),
            (Field::Emails, list(&["yamada@jgsdf.example"])),
            (Field::Languages, list(&["ja"])),
            (Field::Marking, text("UNCLASSIFIED")),
        ],
    );
    new(
        &mut nb,
        Kind::Contact,
        &[
            (Field::Name, text("דנה כהן")),
            (Field::Emails, list(&["dana.cohen@example.org"])),
            (Field::Marking, text("RESTRICTED")),
        ],
    );
    new(&mut nb, Kind::Contact, &[(Field::Name, text("अर्जुन मेहता")), (Field::Phones, list(&["+91 11 2301 1234"]))]);
    let ani = new(
        &mut nb,
        Kind::Contact,
        &[(Field::Name, text("Ana \"Ani\" Ruiz ^ Test")), (Field::Emails, list(&["ani@example.org"]))],
    );
    let formula = new(&mut nb, Kind::Contact, &[(Field::Name, text("=HYPERLINK(\"http://evil.example\")"))]);
    let ids = |l: &[RecordId]| Value::List(l.iter().map(ToString::to_string).collect());
    let night = new(
        &mut nb,
        Kind::Meeting,
        &[
            (Field::Title, text("Night exercise; debrief, \"hot wash\"")),
            (Field::Date, text("2026-02-28")),
            (Field::Start, text("23:30")),
            (Field::End, text("00:30")),
            (Field::Location, text("Camp X, Hangar 3; Gate \\B\\")),
            (Field::Participants, ids(&[obrien, yamada, ani, long])),
            (Field::Attendees, list(&["Interpreter \"Ms. K\"", "Driver ^ on call"])),
            (Field::Organisations, list(&["NATO; JFC", "Defence Forces"])),
            (Field::Nations, list(&["IRL", "JPN"])),
            (Field::Agenda, text("1. Safety\n2. Timeline, incidents; lessons")),
            (
                Field::Notes,
                text(
                    &"A long note that runs well past seventy-five octets, so that every writer must fold it. "
                        .repeat(3),
                ),
            ),
            (Field::Decisions, text("Repeat in March.")),
            (Field::Tags, list(&["exercise,night", "debrief"])),
            (Field::Marking, text("NATO RESTRICTED")),
        ],
    );
    let visit = new(
        &mut nb,
        Kind::Meeting,
        &[
            (Field::Title, text("All-day visit: 山田 太郎")),
            (Field::Date, text("2026-03-02")),
            (Field::Participants, ids(&[yamada])),
            (Field::Marking, text("UNCLASSIFIED")),
        ],
    );
    new(&mut nb, Kind::Meeting, &[(Field::Title, text("Undated idea"))]);
    new(
        &mut nb,
        Kind::Meeting,
        &[
            (Field::Title, text("+1 formula title")),
            (Field::Date, text("2026-03-05")),
            (Field::Start, text("09:00")),
            (Field::Participants, ids(&[formula])),
        ],
    );
    let m = |id: RecordId| text(&id.to_string());
    new(
        &mut nb,
        Kind::Action,
        &[
            (Field::Meeting, m(night)),
            (Field::Text, text("Send the hot-wash notes, then: file them")),
            (Field::Owner, text("Ana Ruiz")),
            (Field::Due, text("2026-03-02")),
            (Field::Contact, m(obrien)),
        ],
    );
    new(
        &mut nb,
        Kind::Action,
        &[
            (Field::Meeting, m(night)),
            (Field::Text, text("Return the keys")),
            (Field::Owner, text("O'Brien")),
            (Field::Done, Value::Bool(true)),
        ],
    );
    new(
        &mut nb,
        Kind::Action,
        &[(Field::Meeting, m(visit)), (Field::Text, text("=SUM(A1:A3) check")), (Field::Due, text("2026-03-09"))],
    );
    (nb, device, t + 1_000)
}

#[test]
fn golden_tricky_bundle_and_its_exports() {
    use liaison_core::formats::bundle::{write_bundle, write_bundle_v1, write_bundle_v2, ExportInput, Scope};
    let (nb, device, now) = tricky();
    let input = || ExportInput {
        bundle_id: uuid::Uuid::from_u128(0x0195_0000_0000_7000_8000_0000_0000_0042),
        created_ms: now,
        device: &device,
        sequence: 1,
        scope: Scope::All,
        devices: vec![device.clone()],
        records: nb.records().collect(),
    };
    // The v1 and v2 goldens are frozen; v3, which this version writes, has its own.
    golden("tricky-bundle.json", write_bundle_v1(input()).as_bytes());
    let v2 = write_bundle_v2(input());
    golden("tricky-bundle-v2.json", v2.as_bytes());
    let from_v2 = liaison_core::formats::bundle::read_bundle(v2.as_bytes(), now).unwrap();
    assert_eq!(from_v2.records.len(), nb.records().count());
    let v3 = write_bundle(input()).unwrap();
    golden("tricky-bundle-v3.json", v3.as_bytes());
    let from_v3 = liaison_core::formats::bundle::read_bundle(v3.as_bytes(), now).unwrap();
    assert_eq!(from_v3.records, from_v2.records, "v2 and v3 carry the same records");
    let bundle = write_bundle_v1(input());
    // The bundle reads back as the same notebook, so the CLI's conversions of it match these goldens.
    let b = liaison_core::formats::bundle::read_bundle(bundle.as_bytes(), now).unwrap();
    let back = liaison_core::Notebook::from_records(device.id, b.records, now);
    let v = vcard::export_all(&back, Ceiling::All);
    assert_eq!(v.text, vcard::export_all(&nb, Ceiling::All).text);
    golden("tricky.vcf", v.text.as_bytes());
    let i = ical::export_all(&back, Ceiling::All, now);
    assert_eq!((i.written, i.undated), (6, 1), "3 events, 3 to-dos; the undated meeting is left out");
    golden("tricky.ics", i.text.as_bytes());
    let c = csv_out::export_all(&back, Ceiling::All, CsvOptions::default());
    for (name, t) in &c {
        golden(&format!("tricky-{name}"), t.text.as_bytes());
    }
}

#[test]
fn the_tricky_notebook_comes_back_exactly_through_vcard_and_icalendar() {
    let (nb, _, now) = tricky();
    let mut fresh = empty(11);
    let cards = vcard::parse(vcard::export_all(&nb, Ceiling::All).text.as_bytes());
    assert!(cards.problems.is_empty(), "{:?}", cards.problems);
    vcard::import(&mut fresh, &cards.cards, now, &mut counter(11));
    assert_eq!(fresh.contacts(), nb.contacts());
    let cal = ical::parse(ical::export_all(&nb, Ceiling::All, now).text.as_bytes());
    assert!(cal.problems.is_empty(), "{:?}", cal.problems);
    ical::import(&mut fresh, &cal, now, &mut counter(11));
    let strip = |ms: Vec<liaison_core::Meeting>| {
        ms.into_iter()
            .filter(|m| !m.date.is_empty())
            .map(|m| liaison_core::Meeting { created: None, ..m })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(fresh.meetings()), strip(nb.meetings()));
    for m in nb.meetings() {
        assert_eq!(
            fresh.actions_of(m.id.unwrap()),
            nb.actions_of(m.id.unwrap()).into_iter().filter(|_| !m.date.is_empty()).collect::<Vec<_>>()
        );
    }
}
