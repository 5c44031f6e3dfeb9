//! Time zones for `import-ics`, from the zone database (jiff): the officer's zone, by default this
//! machine's, and zones named by a `TZID` that the file does not define. Core holds no zone database.

use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The offset from UTC, in minutes, of `tz` at a UTC instant given in minutes since 1970.
pub fn offset_minutes(tz: &TimeZone, utc_minutes: i64) -> i32 {
    match Timestamp::from_second(utc_minutes.saturating_mul(60)) {
        Ok(t) => tz.to_offset(t).seconds() / 60,
        Err(_) => 0,
    }
}

/// The offset of the zone with this IANA name ("Europe/Vienna"), or `None` for a name the database
/// does not know.
pub fn named(name: &str, utc_minutes: i64) -> Option<i32> {
    let tz = TimeZone::get(name.trim()).ok()?;
    Some(offset_minutes(&tz, utc_minutes))
}

/// The officer's zone: `name` when given (an IANA name), else this machine's.
pub fn officer(name: Option<&str>) -> Result<TimeZone, String> {
    match name {
        Some(n) => TimeZone::get(n.trim()).map_err(|_| format!("“{n}” is not a time zone name (like Europe/Vienna)")),
        None => Ok(TimeZone::try_system().unwrap_or(TimeZone::UTC)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vienna_is_an_hour_ahead_in_winter_and_two_in_summer() {
        // 2026-01-15 12:00 and 2026-07-15 12:00 UTC, in minutes since 1970.
        let (winter, summer) = (29_474_640, 29_735_280);
        assert_eq!(named("Europe/Vienna", winter), Some(60));
        assert_eq!(named("Europe/Vienna", summer), Some(120));
        assert_eq!(named("Nowhere/Atlantis", winter), None);
        assert!(officer(Some("Mars/Olympus")).is_err());
    }
}
