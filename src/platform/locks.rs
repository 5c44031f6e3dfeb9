//! Web Locks, used to give each open tab its own replica id (see ARCHITECTURE.md, "Two tabs").

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The browser offers no Web Locks.
#[derive(Debug)]
pub struct NoLocks;

/// Tries to hold the lock `name` for the rest of the page's life, without waiting for it. `Ok(true)`
/// when this page now holds it, `Ok(false)` when another tab does.
pub async fn hold_for_page(name: &str) -> Result<bool, NoLocks> {
    let navigator = web_sys::window().ok_or(NoLocks)?.navigator();
    let locks = Reflect::get(&navigator, &JsValue::from_str("locks")).map_err(|_| NoLocks)?;
    if locks.is_undefined() || locks.is_null() {
        return Err(NoLocks);
    }
    let request: Function = Reflect::get(&locks, &JsValue::from_str("request"))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or(NoLocks)?;
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
