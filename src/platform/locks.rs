//! Web Locks, used to give each open tab its own replica id (see ARCHITECTURE.md, "Two tabs").

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::LocalStorageBackend;

/// The browser offers no Web Locks.
#[derive(Debug)]
pub struct NoLocks;

/// Why [`LocalStorageBackend::exclusive_within`] gave no lock.
#[derive(Debug, PartialEq, Eq)]
pub enum NotHeld {
    /// The browser offers no Web Locks.
    NoLocks,
    /// Another tab held the lock for all the patience given.
    Busy,
}

impl From<NoLocks> for NotHeld {
    fn from(_: NoLocks) -> Self {
        NotHeld::NoLocks
    }
}

/// How long a tab waits for an exclusive lock before going on without it. Tabs hold one only for a few
/// storage reads and writes, so a longer wait means a tab stopped inside it (paused in a debugger, say),
/// and start-up should not hang on that.
const EXCLUSIVE_PATIENCE_MS: i32 = 3_000;

fn lock_manager() -> Result<JsValue, NoLocks> {
    let navigator = web_sys::window().ok_or(NoLocks)?.navigator();
    let locks = Reflect::get(&navigator, &JsValue::from_str("locks")).map_err(|_| NoLocks)?;
    if locks.is_undefined() || locks.is_null() {
        return Err(NoLocks);
    }
    Ok(locks)
}

fn method(target: &JsValue, name: &str) -> Result<Function, NoLocks> {
    Reflect::get(target, &JsValue::from_str(name)).ok().and_then(|f| f.dyn_into().ok()).ok_or(NoLocks)
}

/// Tries to hold the lock `name` for the rest of the page's life, without waiting for it. `Ok(true)`
/// when this page now holds it, `Ok(false)` when another tab does.
pub async fn hold_for_page(name: &str) -> Result<bool, NoLocks> {
    let locks = lock_manager()?;
    let request = method(&locks, "request")?;
    let options = Object::new();
    Reflect::set(&options, &JsValue::from_str("ifAvailable"), &JsValue::TRUE).map_err(|_| NoLocks)?;
    let mut resolve_slot: Option<Function> = None;
    let answered = Promise::new(&mut |resolve, _reject| resolve_slot = Some(resolve));
    let resolve = resolve_slot.ok_or(NoLocks)?;
    let callback = Closure::once_into_js(move |lock: JsValue| -> JsValue {
        let held = !lock.is_null();
        let _ = resolve.call1(&JsValue::NULL, &JsValue::from_bool(held));
        if held {
            // A promise that never settles keeps the lock until the page goes away.
            Promise::new(&mut |_, _| {}).into()
        } else {
            JsValue::UNDEFINED
        }
    });
    request.call3(&locks, &JsValue::from_str(name), &options, &callback).map_err(|_| NoLocks)?;
    let held = JsFuture::from(answered).await.map_err(|_| NoLocks)?;
    Ok(held.as_bool().unwrap_or(false))
}

/// An exclusive Web Lock this tab holds; dropping it lets the next tab in.
#[must_use = "the lock is released as soon as this is dropped"]
pub struct Exclusive {
    release: Function,
}

impl Drop for Exclusive {
    fn drop(&mut self) {
        let _ = self.release.call0(&JsValue::NULL);
    }
}

// Web Locks have the scope of localStorage (one lock manager per origin and storage partition), which is
// what makes a lock a way for tabs to take turns at a read-modify-write of the same keys.
impl LocalStorageBackend {
    /// Waits for the exclusive lock `name`, shared by every tab of this origin, so that what a tab reads
    /// and writes while holding it includes what every earlier holder wrote. `Err(NoLocks)` when the
    /// browser has no Web Locks, or the lock did not come within a few seconds.
    pub async fn exclusive(&self, name: &str) -> Result<Exclusive, NoLocks> {
        self.exclusive_within(name, EXCLUSIVE_PATIENCE_MS).await.map_err(|_| NoLocks)
    }

    /// [`LocalStorageBackend::exclusive`], waiting up to `patience_ms` for a holder whose turn may be long
    /// (writing a push of everything to disk, say), and telling a lock that did not come in time
    /// (`NotHeld::Busy`) from a browser without locks.
    pub async fn exclusive_within(&self, name: &str, patience_ms: i32) -> Result<Exclusive, NotHeld> {
        let window = web_sys::window().ok_or(NoLocks)?;
        let locks = lock_manager()?;
        let request = method(&locks, "request")?;
        let options = Object::new();
        Reflect::set(&options, &JsValue::from_str("mode"), &JsValue::from_str("exclusive")).map_err(|_| NoLocks)?;

        let mut resolve_slot: Option<Function> = None;
        let answered = Promise::new(&mut |resolve, _reject| resolve_slot = Some(resolve));
        let resolve = resolve_slot.ok_or(NoLocks)?;
        // Once this tab has given up waiting, a late grant must be handed straight back, or the lock
        // would stay held by nobody's code and every later tab would wait for it in vain.
        let gave_up = Rc::new(Cell::new(false));

        let on_grant = {
            let resolve = resolve.clone();
            let gave_up = gave_up.clone();
            Closure::once_into_js(move |_lock: JsValue| -> JsValue {
                if gave_up.get() {
                    return JsValue::UNDEFINED;
                }
                let mut release_slot: Option<Function> = None;
                let held_until = Promise::new(&mut |release, _reject| release_slot = Some(release));
                match release_slot {
                    Some(release) => {
                        let _ = resolve.call1(&JsValue::NULL, &release);
                        held_until.into()
                    }
                    None => {
                        let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
                        JsValue::UNDEFINED
                    }
                }
            })
        };
        let on_timeout = {
            let gave_up = gave_up.clone();
            Closure::once(move || {
                gave_up.set(true);
                let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
            })
        };
        let timer = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(on_timeout.as_ref().unchecked_ref(), patience_ms)
            .map_err(|_| NoLocks)?;

        let sent = request.call3(&locks, &JsValue::from_str(name), &options, &on_grant);
        let answer = match sent {
            Ok(_) => JsFuture::from(answered).await,
            Err(e) => Err(e),
        };
        window.clear_timeout_with_handle(timer);
        // The timer has either run or been cleared, so `on_timeout` may go.
        drop(on_timeout);
        match answer {
            // The timer answers with no release function: the lock did not come in time.
            Ok(release) => {
                release.dyn_into::<Function>().map(|release| Exclusive { release }).map_err(|_| NotHeld::Busy)
            }
            Err(_) => {
                gave_up.set(true);
                Err(NotHeld::NoLocks)
            }
        }
    }

    /// The names, without `prefix`, of the locks starting with `prefix` that any tab of this origin
    /// holds now. Unlike localStorage, which each tab sees through its own copy that other tabs' writes
    /// reach a moment later, the browser answers this from the one lock manager.
    pub async fn held_locks(&self, prefix: &str) -> Result<Vec<String>, NoLocks> {
        let locks = lock_manager()?;
        let query = method(&locks, "query")?;
        let snapshot: Promise = query.call0(&locks).map_err(|_| NoLocks)?.dyn_into().map_err(|_| NoLocks)?;
        let snapshot = JsFuture::from(snapshot).await.map_err(|_| NoLocks)?;
        let held: Array =
            Reflect::get(&snapshot, &JsValue::from_str("held")).ok().and_then(|h| h.dyn_into().ok()).ok_or(NoLocks)?;
        Ok(held
            .iter()
            .filter_map(|lock| Reflect::get(&lock, &JsValue::from_str("name")).ok()?.as_string())
            .filter_map(|name| name.strip_prefix(prefix).map(str::to_owned))
            .collect())
    }
}
