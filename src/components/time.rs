//! Times as people read them, in the device's time zone.

use liaison_core::date::human_date;

use crate::platform;

/// "28 Nov 2026, 14:05" for a Unix time in ms, in local time.
pub fn human_time(ms: u64) -> String {
    let (date, time) = platform::local_time(ms);
    format!("{}, {time}", human_date(&date.to_string()))
}
