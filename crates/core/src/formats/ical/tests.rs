use super::class_for;
use super::export::mailto;
use super::parse::{duration_minutes, parse_when, percent_decode, When};
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
