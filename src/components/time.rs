//! Times as people read them, in the device's time zone.

use liaison_core::date::{human_date, short_moment};

use crate::platform;

/// "28 Nov 2026, 14:05" for a Unix time in ms, in local time.
pub fn human_time(ms: u64) -> String {
    let (date, time) = platform::local_time(ms);
    format!("{}, {time}", human_date(&date.to_string()))
}

/// "1 Dec 07:44" for a Unix time in ms, in local time, with the year only when it is not this one: for
/// markers beside a field, where the long form crowds the line.
pub fn short_time(ms: u64) -> String {
    let (date, time) = platform::local_time(ms);
    short_moment(date, time, platform::today())
}
