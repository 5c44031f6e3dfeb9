//! The only code that touches browser APIs: storage, time, randomness, files, printing, and storage events
//! from other tabs.
//! Everything above this module works with plain core types.

mod files;
pub mod health;
pub mod hub;
mod indexed_db;
mod local_storage;
mod locale;
mod locks;
mod page;
mod pwa;
mod schedule;
mod store;
mod viewport;

pub use files::{
    download, download_gzip, dropped_files, elapsed_ms, picked_files, read_file, read_head, yield_to_page, FileToRead,
    PickedFile,
};
pub use indexed_db::{IndexedDbBackend, DB_NAME};
pub use local_storage::LocalStorageBackend;
pub use locale::{legacy_charsets, officer_offset, zone_offset};
pub use locks::Exclusive;
pub use locks::{hold_for_page, NoLocks, NotHeld};
pub use page::{browser_and_platform, came_from_a_field, focus_left, is_focused, print, remove_element};
pub use pwa::{apply_update, check_for_update, is_online, on_online_change, register_service_worker, OnlineListener};
pub use schedule::{after_next_paint, mark, page_ms, yield_to_browser};
pub use store::{backend, open_storage, AppBackend};
pub use viewport::{
    focus_row, rendered_rows, row_of_event, scroll_into_view, scroll_page_by, top_of, viewport_height, RowGeometry,
};

use liaison_core::date::{Date, Time};

/// Milliseconds since the Unix epoch, from the browser's clock.
pub fn now_ms() -> u64 {
    let ms = js_sys::Date::now();
    if ms.is_finite() && ms > 0.0 {
        ms as u64
    } else {
        0
    }
}

/// Today's date in the device's time zone: what "overdue" and "last met" are measured against.
pub fn today() -> Date {
    date_of(&js_sys::Date::new_0())
}

/// The date and time on the device's clock face at a Unix time in ms.
pub fn local_time(ms: u64) -> (Date, Time) {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    (date_of(&d), Time { hour: d.get_hours(), minute: d.get_minutes() })
}

fn date_of(d: &js_sys::Date) -> Date {
    Date { year: d.get_full_year() as i32, month: d.get_month() + 1, day: d.get_date() }
}

/// A random (v4) UUID, for bundle ids.
pub fn random_uuid() -> uuid::Uuid {
    let mut bytes = [0u8; 16];
    bytes[..10].copy_from_slice(&random_bytes());
    bytes[10..].copy_from_slice(&random_bytes()[..6]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Ten random bytes for a UUID v7, from the browser's cryptographic generator.
pub fn random_bytes() -> [u8; 10] {
    let mut bytes = [0u8; 10];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // No Web Crypto (very old or locked-down browsers): Math.random still makes collisions vanishingly
        // unlikely within one device, and ids carry the millisecond as well.
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes
}

/// A change another tab made to storage: the key and its new value (`None` when removed).
pub struct StorageChange {
    /// The changed key.
    pub key: String,
    /// The new value.
    pub new_value: Option<String>,
}

/// Asks the browser to confirm before the tab is closed or reloaded while `unsaved` says that edits
/// have not reached storage yet (a full disk, say): closing then would lose them.
pub fn confirm_unload_while(unsaved: impl Fn() -> bool + 'static) {
    let handle =
        leptos::prelude::window_event_listener(leptos::ev::beforeunload, move |ev: web_sys::BeforeUnloadEvent| {
            if unsaved() {
                ev.prevent_default();
                // Older Chromium builds ask only when a return value is set; the text itself is not shown.
                ev.set_return_value("Changes are not saved yet.");
            }
        });
    // The listener lives as long as the page.
    std::mem::forget(handle);
}

/// Calls `on_change` whenever another tab of this origin changes one of Liaison's keys, in localStorage
/// (its `storage` event) or in IndexedDB (the tabs' broadcast channel).
pub fn on_storage_change(on_change: impl Fn(StorageChange) + Clone + 'static) {
    store::on_indexed_db_change(on_change.clone());
    let handle = leptos::prelude::window_event_listener(leptos::ev::storage, move |ev: web_sys::StorageEvent| {
        if let Some(key) = ev.key() {
            if key.starts_with(liaison_core::storage::PREFIX) {
                on_change(StorageChange { key, new_value: ev.new_value() });
            }
        }
    });
    // The listener lives as long as the page.
    std::mem::forget(handle);
}
