//! What the browser says about storage: persistence, quota and use.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Chromium's localStorage quota per origin, in UTF-16 code units of keys and values (measured here:
/// 5,242,880 units, 10 MiB; see ARCHITECTURE.md). Other browsers allow about the same or less.
pub const LOCAL_STORAGE_LIMIT_UNITS: usize = 5_242_880;

/// Below this quota, an origin's storage is almost certainly a private or ephemeral window's.
const EPHEMERAL_QUOTA_BYTES: f64 = 120.0 * 1024.0 * 1024.0;

/// The browser's view of this origin's storage.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Health {
    /// Whether the browser promised not to evict this origin's data (`None`: it cannot say).
    pub persisted: Option<bool>,
    /// `navigator.storage.estimate()`: bytes used and the quota, when the browser tells.
    pub estimate: Option<(f64, f64)>,
    /// UTF-16 code units used in localStorage by every key of this origin.
    pub local_units: usize,
    /// Whether the notebook is in IndexedDB, whose room is the origin's quota, rather than in
    /// localStorage, whose room is its own fixed limit.
    pub indexed_db: bool,
}

impl Health {
    /// localStorage use as a share of its limit, 0 to 1.
    pub fn local_share(&self) -> f64 {
        self.local_units as f64 / LOCAL_STORAGE_LIMIT_UNITS as f64
    }

    /// Bytes the notebook's store uses and the most it may use: the origin's usage and quota for
    /// IndexedDB (`None` where the browser does not say), localStorage's use and limit otherwise.
    pub fn used_and_room(&self) -> Option<(f64, f64)> {
        if self.indexed_db {
            self.estimate.filter(|(_, quota)| *quota > 0.0)
        } else {
            Some((self.local_units as f64 * 2.0, LOCAL_STORAGE_LIMIT_UNITS as f64 * 2.0))
        }
    }

    /// How full the notebook's store is, 0 to 1 (0 where the browser does not say).
    pub fn share(&self) -> f64 {
        self.used_and_room().map_or(0.0, |(used, room)| (used / room).min(1.0))
    }

    /// Whether this looks like a private window, whose storage goes when the window closes.
    pub fn looks_ephemeral(&self) -> bool {
        self.estimate.is_some_and(|(_, quota)| quota > 0.0 && quota < EPHEMERAL_QUOTA_BYTES)
    }
}

fn storage_manager() -> Option<JsValue> {
    let navigator = web_sys::window()?.navigator();
    Reflect::get(&navigator, &JsValue::from_str("storage")).ok().filter(|s| !s.is_undefined() && !s.is_null())
}

async fn call(method: &str) -> Option<JsValue> {
    let manager = storage_manager()?;
    let f: Function = Reflect::get(&manager, &JsValue::from_str(method)).ok()?.dyn_into().ok()?;
    let promise: Promise = f.call0(&manager).ok()?.dyn_into().ok()?;
    JsFuture::from(promise).await.ok()
}

/// Asks the browser to keep this origin's data even under storage pressure. Chromium decides silently
/// (installed apps and engaged sites get it); Firefox asks the user.
pub async fn request_persistence() -> Option<bool> {
    call("persist").await?.as_bool()
}

/// Reads the browser's view of storage now; `indexed_db` says which store holds the notebook.
pub async fn read(local_units: usize, indexed_db: bool) -> Health {
    let persisted = call("persisted").await.and_then(|v| v.as_bool());
    let estimate = call("estimate").await.and_then(|e| {
        let get = |k: &str| Reflect::get(&e, &JsValue::from_str(k)).ok().and_then(|v| v.as_f64());
        Some((get("usage")?, get("quota")?))
    });
    Health { persisted, estimate, local_units, indexed_db }
}
