//! What the browser knows that core does not carry, so that the wasm stays small: legacy charsets
//! (`TextDecoder`) for vCards from phones, and time zones (`Intl`, `Date`) for calendar invitations.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use liaison_core::date::Date;
use wasm_bindgen::{JsCast, JsValue};

fn global(name: &str) -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name)).ok().filter(|v| !v.is_undefined())
}

fn call(target: &JsValue, method: &str, args: &Array) -> Option<JsValue> {
    let f: Function = Reflect::get(target, &JsValue::from_str(method)).ok()?.dyn_into().ok()?;
    Reflect::apply(&f, target, args).ok()
}

/// Decodes `bytes` from the charset `label` names (Shift_JIS, GB18030, Big5, EUC-KR, …) with the
/// browser's `TextDecoder`; `None` for a label it does not know (its constructor throws).
pub fn legacy_charsets(label: &str, bytes: &[u8]) -> Option<String> {
    let ctor: Function = global("TextDecoder")?.dyn_into().ok()?;
    let decoder = Reflect::construct(&ctor, &Array::of1(&JsValue::from_str(label.trim()))).ok()?;
    call(&decoder, "decode", &Array::of1(&Uint8Array::from(bytes)))?.as_string()
}

/// The officer's offset from UTC in minutes (east positive) at a UTC instant in minutes since 1970:
/// this browser's zone.
pub fn officer_offset(utc_minutes: i64) -> i32 {
    let date = js_sys::Date::new(&JsValue::from_f64(utc_minutes as f64 * 60_000.0));
    // getTimezoneOffset is UTC minus local.
    -(date.get_timezone_offset() as i32)
}

thread_local! {
    /// One formatter per zone name (`None` for a name the browser does not know): a calendar of a few
    /// thousand events asks for the same two or three zones again and again, and making an
    /// `Intl.DateTimeFormat` costs far more than using one.
    static FORMATTERS: RefCell<HashMap<String, Option<JsValue>>> = RefCell::new(HashMap::new());
}

/// The `Intl.DateTimeFormat` that writes a UTC instant in the zone `name`, made once per name.
fn formatter(name: &str) -> Option<JsValue> {
    let name = name.trim();
    if let Some(known) = FORMATTERS.with(|f| f.borrow().get(name).cloned()) {
        return known;
    }
    let made = make_formatter(name);
    FORMATTERS.with(|f| {
        let mut f = f.borrow_mut();
        // Names come from files; a hostile one could hold thousands of distinct zones.
        if f.len() < 256 {
            f.insert(name.to_string(), made.clone());
        }
    });
    made
}

fn make_formatter(name: &str) -> Option<JsValue> {
    let options = Object::new();
    let set = |k: &str, v: &str| Reflect::set(&options, &JsValue::from_str(k), &JsValue::from_str(v)).ok();
    set("timeZone", name)?;
    set("hourCycle", "h23")?;
    for k in ["year", "month", "day", "hour", "minute"] {
        set(k, "numeric")?;
    }
    let intl = global("Intl")?;
    let ctor: Function = Reflect::get(&intl, &JsValue::from_str("DateTimeFormat")).ok()?.dyn_into().ok()?;
    Reflect::construct(&ctor, &Array::of2(&JsValue::from_str("en-US"), &options)).ok()
}

/// The offset of the zone with this IANA name at a UTC instant, from `Intl.DateTimeFormat`; `None` for
/// a name the browser does not know (its constructor throws a RangeError).
pub fn zone_offset(name: &str, utc_minutes: i64) -> Option<i32> {
    let format = formatter(name)?;
    let date = js_sys::Date::new(&JsValue::from_f64(utc_minutes as f64 * 60_000.0));
    let parts: Array = call(&format, "formatToParts", &Array::of1(&date))?.dyn_into().ok()?;
    let (mut y, mut mo, mut d, mut h, mut mi) = (None, None, None, None, None);
    for part in parts.iter() {
        let kind = Reflect::get(&part, &JsValue::from_str("type")).ok()?.as_string()?;
        let value = Reflect::get(&part, &JsValue::from_str("value")).ok()?.as_string()?;
        let n = value.trim().parse::<i64>().ok();
        match kind.as_str() {
            "year" => y = n,
            "month" => mo = n,
            "day" => d = n,
            "hour" => h = n,
            "minute" => mi = n,
            _ => {}
        }
    }
    let day = Date { year: i32::try_from(y?).ok()?, month: u32::try_from(mo?).ok()?, day: u32::try_from(d?).ok()? };
    let local = day.days_since_epoch() * 1440 + h? * 60 + mi?;
    i32::try_from(local - utc_minutes).ok()
}
