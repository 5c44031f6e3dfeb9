//! Times as people read them, in the device's time zone.

use liaison_core::date::human_date;

/// "28 Nov 2026, 14:05" for a Unix time in ms, in local time.
pub fn human_time(ms: u64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let date = format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date());
    format!("{}, {:02}:{:02}", human_date(&date), d.get_hours(), d.get_minutes())
}
