use super::class_for;
use super::export::mailto;
use super::parse::{duration_minutes, percent_decode};
use super::zones::{parse_when, When};
use crate::date::Time;
use crate::date::UtcDateTime;

#[test]
fn markings_map_to_class_with_the_strongest_hiding_for_the_highest_grades() {
    assert_eq!(class_for(""), "PUBLIC");
    assert_eq!(class_for("UNCLASSIFIED"), "PUBLIC");
    assert_eq!(class_for("NATO RESTRICTED"), "CONFIDENTIAL");
    assert_eq!(class_for("CONFIDENTIAL"), "CONFIDENTIAL");
    assert_eq!(class_for("SECRET"), "PRIVATE");
    assert_eq!(class_for("Company internal"), "PRIVATE");
}

#[test]
fn utc_stamps_and_durations_read_as_people_write_them() {
    assert_eq!(UtcDateTime::from_ms(1_773_500_760_000).basic(), "20260314T150600Z");
    assert_eq!(duration_minutes("PT1H30M"), Some(90));
    assert_eq!(duration_minutes("P1D"), Some(1440));
    assert_eq!(duration_minutes("P1W"), Some(7 * 1440));
    assert_eq!(duration_minutes("PT45M10S"), Some(45));
    assert_eq!(duration_minutes("-PT1H"), None);
    assert_eq!(duration_minutes("PT1X"), None);
    assert_eq!(duration_minutes("P99999999999999999999D"), None);
}

#[test]
fn mailto_addresses_are_percent_encoded_both_ways() {
    assert_eq!(mailto("anna@example.org"), "mailto:anna@example.org");
    assert_eq!(mailto("a b;c@x.org"), "mailto:a%20b%3Bc@x.org");
    for e in ["δοκιμή@παράδειγμα.δοκιμή", "a%b@x.org", "o'neil+tag@x.org"] {
        assert_eq!(percent_decode(&mailto(e)[7..]), e);
    }
    assert_eq!(percent_decode("%zz%4"), "%zz%4");
}

#[test]
fn dates_and_times_parse_strictly() {
    assert!(matches!(parse_when("20260310"), Some(When::Day(_))));
    assert!(matches!(parse_when("20260310T093000"), Some(When::At(_, Time { hour: 9, minute: 30 }, false))));
    assert!(matches!(parse_when("20260310T093000Z"), Some(When::At(_, _, true))));
    for bad in ["2026031", "20260230", "20260310T0930", "20260310T250000", "2026-03-10", "２０２６0310", ""] {
        assert!(parse_when(bad).is_none(), "{bad}");
    }
}

// ---- time zones ----

/// Outlook's definition of "W. Europe Standard Time": CET, CEST from the last Sunday of March at
/// 02:00 to the last Sunday of October at 03:00.
const OUTLOOK_ZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\n\
BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n\
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n\
BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n\
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

fn calendar(events: &str) -> String {
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{OUTLOOK_ZONE}{events}END:VCALENDAR\r\n")
}

fn event(dtstart: &str, rest: &str) -> String {
    format!("BEGIN:VEVENT\r\nUID:e@example.org\r\nSUMMARY:Talks\r\n{dtstart}\r\n{rest}END:VEVENT\r\n")
}

/// Reads with the officer's clock a fixed number of minutes ahead of UTC, knowing one zone by name:
/// New York, at its winter offset.
fn read_at(file: &str, officer_minutes: i32) -> super::Calendar {
    let officer = move |_utc: i64| officer_minutes;
    let named = |name: &str, _utc: i64| (name == "America/New_York").then_some(-300);
    super::parse_with(
        file.as_bytes(),
        crate::formats::lines::built_in_charsets,
        Some(&super::Zones { officer: &officer, named: &named }),
    )
}

fn when(cal: &super::Calendar) -> (String, String, String) {
    let m = &cal.events[0].meeting;
    (m.date.clone(), m.start.clone(), m.end.clone())
}

#[test]
fn a_time_in_the_files_zone_lands_at_the_officers_local_time_in_summer_and_in_winter() {
    let summer = calendar(&event(
        "DTSTART;TZID=W. Europe Standard Time:20260715T120000",
        "DTEND;TZID=W. Europe Standard Time:20260715T133000\r\n",
    ));
    // 12:00 CEST is 10:00 UTC: 12:00 for an officer two hours ahead, 06:00 for one four hours behind.
    assert_eq!(when(&read_at(&summer, 120)), ("2026-07-15".into(), "12:00".into(), "13:30".into()));
    assert_eq!(when(&read_at(&summer, -240)), ("2026-07-15".into(), "06:00".into(), "07:30".into()));
    let winter = calendar(&event("DTSTART;TZID=W. Europe Standard Time:20260115T003000", "DURATION:PT1H\r\n"));
    // 00:30 CET is 23:30 UTC the day before.
    assert_eq!(when(&read_at(&winter, 0)), ("2026-01-14".into(), "23:30".into(), "00:30".into()));
    // The last Sunday of March 2026 is the 29th: at 03:00 summer time has begun, the day before not.
    let before = calendar(&event("DTSTART;TZID=W. Europe Standard Time:20260328T120000", ""));
    let after = calendar(&event("DTSTART;TZID=W. Europe Standard Time:20260329T120000", ""));
    assert_eq!(read_at(&before, 0).events[0].meeting.start, "11:00");
    assert_eq!(read_at(&after, 0).events[0].meeting.start, "10:00");
}

#[test]
fn utc_and_named_zones_land_at_the_officers_time_and_floating_and_all_day_stay_as_written() {
    let utc = calendar(&event("DTSTART:20260310T080000Z", ""));
    let cal = read_at(&utc, 60);
    assert_eq!(cal.events[0].meeting.start, "09:00");
    assert!(!cal.problems.iter().any(|p| p.message.contains("UTC")), "{:?}", cal.problems);
    let named = calendar(&event("DTSTART;TZID=America/New_York:20260310T080000", ""));
    assert_eq!(read_at(&named, 60).events[0].meeting.start, "14:00");
    let floating = calendar(&event("DTSTART:20260310T080000", ""));
    assert_eq!(read_at(&floating, 60).events[0].meeting.start, "08:00");
    let all_day = calendar(&event("DTSTART;VALUE=DATE;TZID=America/New_York:20260310", ""));
    assert_eq!(when(&read_at(&all_day, -600)), ("2026-03-10".into(), String::new(), String::new()));
}

#[test]
fn a_zone_no_one_knows_keeps_the_time_as_written_and_says_so() {
    let file = calendar(&event("DTSTART;TZID=Atlantis Standard Time:20260310T080000", ""));
    let cal = read_at(&file, 60);
    assert_eq!(cal.events[0].meeting.start, "08:00");
    assert!(
        cal.problems.iter().any(|p| p.message.contains("“Atlantis Standard Time” is neither defined in the file")),
        "{:?}",
        cal.problems
    );
}
