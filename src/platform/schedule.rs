//! Giving the main thread back to the browser between slices of long work, and naming moments of
//! start-up for the benchmarks.
//!
//! Work that takes longer than a frame (building the search index of 100,000 records) runs in slices;
//! between two slices the browser paints, handles input and runs the app's event handlers, so the first
//! screen does not wait for the work and typing stays responsive while it goes on.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn global_get(on: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(on, &JsValue::from_str(name)).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

/// A promise that resolves in a task posted through a `MessageChannel`: unlike a zero timeout it is not
/// held back 4 ms when repeated, and unlike `scheduler.yield()` (whose continuations Chromium runs ahead
/// of rendering) it lets the browser paint between two slices.
fn message_yield() -> Option<Promise> {
    let ctor = global_get(&js_sys::global(), "MessageChannel")?.dyn_into::<Function>().ok()?;
    let channel = Reflect::construct(&ctor, &js_sys::Array::new()).ok()?;
    let (receiver, sender) = (global_get(&channel, "port1")?, global_get(&channel, "port2")?);
    let post = global_get(&sender, "postMessage")?.dyn_into::<Function>().ok()?;
    let mut posted = false;
    let promise = Promise::new(&mut |resolve, _reject| {
        posted = Reflect::set(&receiver, &JsValue::from_str("onmessage"), &resolve).is_ok()
            && post.call1(&sender, &JsValue::from_f64(0.0)).is_ok();
    });
    posted.then_some(promise)
}

/// A promise that resolves in a new task: a zero timeout, where `MessageChannel` is missing.
fn timeout_yield() -> Promise {
    Promise::new(&mut |resolve, _reject| {
        let set_timeout =
            web_sys::window().and_then(|w| global_get(&w, "setTimeout")).and_then(|f| f.dyn_into::<Function>().ok());
        let scheduled = set_timeout.map(|f| f.call2(&JsValue::NULL, &resolve, &JsValue::from_f64(0.0)).is_ok());
        if scheduled != Some(true) {
            // Without timers (not a browser page) there is nothing to yield to: go on at once.
            let _ = resolve.call0(&JsValue::NULL);
        }
    })
}

/// Resolves in a later task, once the browser has had the chance to paint and to handle input.
pub async fn yield_to_browser() {
    let promise = message_yield().unwrap_or_else(timeout_yield);
    let _ = JsFuture::from(promise).await;
}

/// Resolves once the browser has painted the next frame (a task after the next animation frame), or
/// after 200 ms in a tab that paints no frames (a hidden one), so that work started now never delays
/// the first screen.
pub async fn after_next_paint() {
    let promise = Promise::new(&mut |resolve, _reject| {
        let Some(w) = web_sys::window() else {
            let _ = resolve.call0(&JsValue::NULL);
            return;
        };
        let set_timeout = global_get(&w, "setTimeout").and_then(|f| f.dyn_into::<Function>().ok());
        let after_frame = set_timeout.clone().map(|set_timeout| {
            let resolve = resolve.clone();
            wasm_bindgen::closure::Closure::once_into_js(move || {
                let _ = set_timeout.call2(&JsValue::NULL, &resolve, &JsValue::from_f64(0.0));
            })
        });
        let framed = after_frame
            .and_then(|f| f.dyn_into::<Function>().ok())
            .is_some_and(|f| w.request_animation_frame(&f).is_ok());
        let timed = set_timeout.is_some_and(|f| f.call2(&JsValue::NULL, &resolve, &JsValue::from_f64(200.0)).is_ok());
        if !framed && !timed {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Milliseconds since the page's navigation started (`performance.now()`), for slicing work by time.
pub fn page_ms() -> f64 {
    web_sys::window()
        .and_then(|w| global_get(&w, "performance"))
        .and_then(|p| {
            let now = global_get(&p, "now")?.dyn_into::<Function>().ok()?;
            now.call0(&p).ok()?.as_f64()
        })
        .unwrap_or(0.0)
}

/// Records a named moment (`performance.mark`), which the benchmarks in `tests/bench/` read, e.g.
/// `liaison:index-ready`. Costs nothing when nobody reads it.
pub fn mark(name: &str) {
    let Some(performance) = web_sys::window().and_then(|w| global_get(&w, "performance")) else { return };
    if let Some(f) = global_get(&performance, "mark").and_then(|f| f.dyn_into::<Function>().ok()) {
        let _ = f.call1(&performance, &JsValue::from_str(name));
    }
}
