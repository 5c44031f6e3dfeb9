//! Calendar dates and times of day, as the forms enter them.
//!
//! Meetings are noted in the local time of wherever they happened, so dates and times are kept as written
//! (`YYYY-MM-DD`, `HH:MM`), without a time zone. These types parse and compare them strictly.

use std::fmt;

/// A calendar date in the proleptic Gregorian calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, 1 to 9999.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u32,
    /// Day of month, 1 to 31.
    pub day: u32,
}

/// A time of day, minutes precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time {
    /// Hour, 0 to 23.
    pub hour: u32,
    /// Minute, 0 to 59.
    pub minute: u32,
}

/// Why a date or time did not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not in the `YYYY-MM-DD` shape.
    #[error("“{0}” is not a date: use YYYY-MM-DD, for example 2026-03-14")]
    DateShape(String),
    /// The shape was right, but the day does not exist.
    #[error("{0} is not a day in the calendar")]
    NoSuchDay(String),
    /// Not in the `HH:MM` shape, or out of range.
    #[error("“{0}” is not a time: use HH:MM, for example 09:30")]
    TimeShape(String),
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Whether `year` is a leap year.
pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The number of days in a month.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Result<Date, DateError> {
        let s = s.trim();
        let mut parts = s.split('-');
        let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(DateError::DateShape(short(s)));
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(DateError::DateShape(short(s)));
        }
        let (Some(year), Some(month), Some(day)) = (digits(y), digits(m), digits(d)) else {
            return Err(DateError::DateShape(short(s)));
        };
        let year = year as i32;
        if year < 1 || !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return Err(DateError::NoSuchDay(short(s)));
        }
        Ok(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before). Howard Hinnant's days-from-civil.
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days since 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// The date `days` days after `self` (before it when negative).
    pub fn add_days(self, days: i64) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + days)
    }

    /// Whole days from `self` to `other` (positive when `other` is later).
    pub fn days_until(self, other: Date) -> i64 {
        other.days_since_epoch() - self.days_since_epoch()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Time {
    /// Parses `HH:MM` (a trailing `:SS` from a browser's time input is accepted and dropped).
    pub fn parse(s: &str) -> Result<Time, DateError> {
        let s = s.trim();
        let mut parts = s.split(':');
        let (Some(h), Some(m)) = (parts.next(), parts.next()) else {
            return Err(DateError::TimeShape(short(s)));
        };
        let secs_ok = match parts.next() {
            None => true,
            Some(sec) => sec.len() == 2 && digits(sec).is_some_and(|v| v < 60) && parts.next().is_none(),
        };
        match (digits(h), digits(m)) {
            (Some(hour), Some(minute)) if h.len() == 2 && m.len() == 2 && hour < 24 && minute < 60 && secs_ok => {
                Ok(Time { hour, minute })
            }
            _ => Err(DateError::TimeShape(short(s))),
        }
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A date as people read it in lists: "14 Mar 2026". Text that is not a date is returned unchanged.
pub fn human_date(s: &str) -> String {
    match Date::parse(s) {
        Ok(d) => format!("{} {} {}", d.day, MONTHS[(d.month - 1) as usize], d.year),
        Err(_) => s.to_string(),
    }
}

/// A moment as a marker beside a field reads it, short: "1 Dec 07:44" in the current year, "1 Dec
/// 2025 07:44" in another. `today` is the reader's local date, since core reads no clock.
pub fn short_moment(date: Date, time: Time, today: Date) -> String {
    let month = MONTHS[(date.month.clamp(1, 12) - 1) as usize];
    if date.year == today.year {
        format!("{} {month} {time}", date.day)
    } else {
        format!("{} {month} {} {time}", date.day, date.year)
    }
}

/// A moment in UTC, to the second, as the CLI's reports and iCalendar's stamps write it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcDateTime {
    /// The day.
    pub date: Date,
    /// Hour, 0 to 23.
    pub hour: u64,
    /// Minute, 0 to 59.
    pub minute: u64,
    /// Second, 0 to 59.
    pub second: u64,
}

impl UtcDateTime {
    /// The moment `ms` milliseconds after the epoch, the milliseconds dropped.
    pub fn from_ms(ms: u64) -> Self {
        let secs = ms / 1000;
        let rest = secs % 86_400;
        UtcDateTime {
            date: Date::from_days_since_epoch((secs / 86_400) as i64),
            hour: rest / 3600,
            minute: rest % 3600 / 60,
            second: rest % 60,
        }
    }

    /// ISO 8601 without separators, as iCalendar writes a UTC date-time: `20260314T120000Z`.
    pub fn basic(self) -> String {
        let d = self.date;
        format!("{:04}{:02}{:02}T{:02}{:02}{:02}Z", d.year, d.month, d.day, self.hour, self.minute, self.second)
    }
}

/// ISO 8601 with separators: `2026-01-05T09:30:00Z`.
impl fmt::Display for UtcDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}T{:02}:{:02}:{:02}Z", self.date, self.hour, self.minute, self.second)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_iso_8601_utc() {
        assert_eq!(UtcDateTime::from_ms(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(UtcDateTime::from_ms(1_767_225_600_000 + 3_723_000).to_string(), "2026-01-01T01:02:03Z");
    }

    #[test]
    fn parses_well_formed_dates() {
        assert_eq!(Date::parse("2026-03-14"), Ok(Date { year: 2026, month: 3, day: 14 }));
        assert_eq!(Date::parse(" 2024-02-29 "), Ok(Date { year: 2024, month: 2, day: 29 }));
    }

    #[test]
    fn rejects_days_that_do_not_exist() {
        assert!(matches!(Date::parse("2025-02-29"), Err(DateError::NoSuchDay(_))));
        assert!(matches!(Date::parse("2026-13-01"), Err(DateError::NoSuchDay(_))));
        assert!(matches!(Date::parse("2026-04-31"), Err(DateError::NoSuchDay(_))));
        assert!(matches!(Date::parse("0000-01-01"), Err(DateError::NoSuchDay(_))));
    }

    #[test]
    fn rejects_other_shapes_with_a_message_that_shows_the_expected_shape() {
        for bad in ["14/03/2026", "2026-3-14", "tomorrow", "", "2026-03-14-01", "２０２６-03-14", "+026-03-14"] {
            let err = Date::parse(bad).unwrap_err();
            assert!(err.to_string().contains("YYYY-MM-DD"), "{bad}: {err}");
        }
    }

    #[test]
    fn day_numbers_round_trip_and_count_leap_days() {
        for s in ["1970-01-01", "2000-02-29", "2026-11-28", "1900-03-01", "9999-12-31", "0001-01-01"] {
            let d = Date::parse(s).unwrap();
            assert_eq!(Date::from_days_since_epoch(d.days_since_epoch()), d, "{s}");
        }
        assert_eq!(Date::parse("1970-01-01").unwrap().days_since_epoch(), 0);
        let a = Date::parse("2024-02-28").unwrap();
        assert_eq!(a.days_until(Date::parse("2024-03-01").unwrap()), 2);
    }

    #[test]
    fn a_short_moment_names_the_year_only_when_it_is_not_this_one() {
        let d = Date { year: 2026, month: 12, day: 1 };
        let t = Time { hour: 7, minute: 44 };
        assert_eq!(short_moment(d, t, Date { year: 2026, month: 12, day: 24 }), "1 Dec 07:44");
        assert_eq!(short_moment(d, t, Date { year: 2027, month: 1, day: 2 }), "1 Dec 2026 07:44");
    }

    #[test]
    fn parses_times_and_drops_seconds() {
        assert_eq!(Time::parse("09:30"), Ok(Time { hour: 9, minute: 30 }));
        assert_eq!(Time::parse("23:59:10"), Ok(Time { hour: 23, minute: 59 }));
        for bad in ["24:00", "9:30", "12:60", "noon", "12:00:99"] {
            assert!(Time::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn human_dates_read_naturally() {
        assert_eq!(human_date("2026-03-04"), "4 Mar 2026");
        assert_eq!(human_date("someday"), "someday");
    }
}
