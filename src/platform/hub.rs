//! The team hub's requests (the only `fetch` in the app), the sync's own storage (the link in a
//! localStorage key, the bytes of the push the hub has not acknowledged in a small IndexedDB database),
//! and the waits between syncs that an event can cut short.
//!
//! The hub is the app's own origin (`liaison hub serve --app dist`), so requests go to relative paths
//! and the app's `connect-src 'self'` allows them.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use indexed_db_futures::database::Database;
use indexed_db_futures::error::OpenDbError;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{TransactionDurability, TransactionMode, TransactionOptions};
use js_sys::{Function, Promise, Reflect};
use liaison_core::exchange::hub::{Answer, HubLink, Problem, Transport};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestCache, RequestInit, Response};

/// The localStorage key of this device's hub link. Outside `liaison/v1/`, so the notebook's loader,
/// quarantine and move into IndexedDB never see it; its own `storage` events tell other tabs.
pub const LINK_KEY: &str = "liaison-hub/v1/link";

/// The database that keeps the bytes of the push the hub has not acknowledged. A push of everything is
/// as large as the notebook, past the 5 MB or so that localStorage holds; its own database, so that the
/// notebook's stores, loader and moves never see it.
pub const PUSH_DB: &str = "liaison-hub";
/// Its one object store: the push's sequence number (as text) to the bundle's text. It holds one push
/// at most, since a device sends its next push only once the hub acknowledged the one before.
const PUSH_STORE: &str = "unacked";

/// Why a request ended without an answer to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failed {
    /// The network or the hub failed it.
    Transport(Transport),
    /// [`wake`] cut it short, because there is something else to do now.
    Interrupted,
}

thread_local! {
    /// Resolves the wait under way, if any.
    static SLEEPER: RefCell<Option<Function>> = const { RefCell::new(None) };
    /// Aborts the interruptible request under way (a long poll), if any.
    static LONG_POLL: RefCell<Option<AbortController>> = const { RefCell::new(None) };
    /// A wake came while nothing was waiting: the next wait returns at once.
    static WOKEN: Cell<bool> = const { Cell::new(false) };
}

/// Cuts short the wait or the long poll under way, or the next one if none is.
pub fn wake() {
    WOKEN.set(true);
    if let Some(resolve) = SLEEPER.with(|s| s.borrow_mut().take()) {
        let _ = resolve.call0(&JsValue::NULL);
    }
    if let Some(controller) = LONG_POLL.with(|c| c.borrow_mut().take()) {
        controller.abort();
    }
}

/// Forgets wakes that came before now: the pass about to run takes care of what they asked for.
pub fn clear_wake() {
    WOKEN.set(false);
}

/// Waits `ms`, or until [`wake`].
pub async fn sleep_or_wake(ms: u64) {
    if WOKEN.replace(false) {
        return;
    }
    let Some(window) = web_sys::window() else { return };
    let mut slot: Option<Function> = None;
    let promise = Promise::new(&mut |resolve, _| slot = Some(resolve));
    let Some(resolve) = slot else { return };
    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms.min(i32::MAX as u64) as i32);
    SLEEPER.with(|s| *s.borrow_mut() = Some(resolve));
    let _ = JsFuture::from(promise).await;
    SLEEPER.with(|s| s.borrow_mut().take());
    WOKEN.set(false);
}

/// One request to the hub: `method` on `path` (from the app's origin), with the device's token and a
/// JSON body if given. It fails as timed out after `timeout_ms`. An `interruptible` one (a long poll)
/// ends as [`Failed::Interrupted`] when [`wake`] is called meanwhile.
pub async fn request(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
    timeout_ms: u64,
    interruptible: bool,
) -> Result<Answer, Failed> {
    let unreachable = Failed::Transport(Transport::Unreachable);
    if interruptible && WOKEN.replace(false) {
        return Err(Failed::Interrupted);
    }
    let window = web_sys::window().ok_or(unreachable)?;
    let controller = AbortController::new().map_err(|_| unreachable)?;
    let headers = Headers::new().map_err(|_| unreachable)?;
    if let Some(token) = token {
        headers.set("Authorization", &format!("Bearer {token}")).map_err(|_| unreachable)?;
    }
    let init = RequestInit::new();
    init.set_method(method);
    init.set_cache(RequestCache::NoStore);
    init.set_signal(Some(&controller.signal()));
    if let Some(body) = body {
        headers.set("Content-Type", "application/json").map_err(|_| unreachable)?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    let timed_out = Rc::new(Cell::new(false));
    let on_timeout = {
        let (controller, timed_out) = (controller.clone(), timed_out.clone());
        Closure::once_into_js(move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let timer = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            on_timeout.unchecked_ref(),
            timeout_ms.min(i32::MAX as u64) as i32,
        )
        .map_err(|_| unreachable)?;
    if interruptible {
        LONG_POLL.with(|c| *c.borrow_mut() = Some(controller.clone()));
    }
    let result = read(window.fetch_with_str_and_init(path, &init)).await;
    window.clear_timeout_with_handle(timer);
    if interruptible {
        LONG_POLL.with(|c| c.borrow_mut().take());
    }
    match result {
        Ok(answer) => Ok(answer),
        Err(()) if timed_out.get() => Err(Failed::Transport(Transport::TimedOut)),
        Err(()) if controller.signal().aborted() => Err(Failed::Interrupted),
        Err(()) => Err(unreachable),
    }
}

async fn read(fetch: Promise) -> Result<Answer, ()> {
    let response: Response = JsFuture::from(fetch).await.map_err(|_| ())?.dyn_into().map_err(|_| ())?;
    let headers = response.headers();
    let header = |name: &str| headers.get(name).ok().flatten();
    let text = response.text().map_err(|_| ())?;
    let body = JsFuture::from(text).await.map_err(|_| ())?.as_string().unwrap_or_default();
    Ok(Answer {
        status: response.status(),
        body,
        cursor: header("Liaison-Cursor"),
        more: header("Liaison-More").as_deref() == Some("true"),
        retry_after: header("Retry-After").and_then(|v| v.trim().parse().ok()),
    })
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// This device's hub link, as stored; `None` when it never joined a hub, left it, or the stored text
/// cannot be read (then it is left in place for a person, and the app acts as if not enrolled).
pub fn load_link() -> Option<HubLink> {
    serde_json::from_str(&local_storage()?.get_item(LINK_KEY).ok()??).ok()
}

/// Keeps the link (or forgets it with `None`). Fails with the browser's reason, a full disk say.
pub fn save_link(link: Option<&HubLink>) -> Result<(), String> {
    let storage = local_storage().ok_or("this browser keeps no local storage")?;
    let failed = |e: JsValue| {
        let name = e.dyn_ref::<web_sys::DomException>().map(|d| d.name()).unwrap_or_default();
        format!("the sync state could not be kept ({name})")
    };
    match link {
        Some(link) => {
            let text = serde_json::to_string(link).map_err(|e| e.to_string())?;
            storage.set_item(LINK_KEY, &text).map_err(failed)
        }
        None => storage.remove_item(LINK_KEY).map_err(failed),
    }
}

async fn push_db() -> Result<Database, OpenDbError> {
    Database::open(PUSH_DB)
        .with_version(1u8)
        .with_on_upgrade_needed(|event, db| {
            if event.old_version() < 1.0 {
                db.create_object_store(PUSH_STORE).build()?;
            }
            Ok(())
        })
        .await
}

/// Why the push database could not be opened, as sync tells it. When the notebook itself could not
/// open IndexedDB at start-up and lives in localStorage, this browser gives the page no IndexedDB at
/// all (a private window, in some browsers): that is `NoDatabase`, which only pulls. Otherwise the
/// database works and this one failed for a reason of its own (a blocked upgrade, a full disk):
/// `NotKept`, which stops the push and says why. The notebook's store is asked rather than the error,
/// because a refused `open` reaches Rust in different shapes (seen: "Version cannot be zero").
fn open_problem(e: OpenDbError) -> Problem {
    if super::backend().is_indexed_db() {
        Problem::NotKept(format!("the push could not be kept ({e})"))
    } else {
        Problem::NoDatabase
    }
}

/// Keeps the bytes of push `sequence`, in place of any push kept before, in one readwrite transaction
/// with strict durability: it reports done only once the browser has flushed it to disk, so that a
/// push is never sent (and counted by the hub) before it can be sent again after a crash. A browser
/// that lets the page open no IndexedDB at all (a private window, in some browsers) is
/// `Problem::NoDatabase`; any other failure is `Problem::NotKept` with the browser's reason.
pub async fn keep_push(sequence: u64, text: &str) -> Result<(), Problem> {
    let failed = |e: indexed_db_futures::error::Error| Problem::NotKept(format!("the push could not be kept ({e})"));
    let db = push_db().await.map_err(open_problem)?;
    let tx = db
        .transaction(PUSH_STORE)
        .with_mode(TransactionMode::Readwrite)
        .with_options(TransactionOptions::new().with_durability(TransactionDurability::Strict))
        .build()
        .map_err(failed)?;
    let store = tx.object_store(PUSH_STORE).map_err(failed)?;
    store.clear().map_err(failed)?;
    store.put(text.to_string()).with_key(sequence.to_string()).await.map_err(failed)?;
    tx.commit().await.map_err(failed)
}

/// The bytes kept for push `sequence`; `None` when none are kept, or they cannot be read (core then
/// starts over with a push of everything: `HubLink::kept_bytes`).
pub async fn kept_push(sequence: u64) -> Option<String> {
    let db = push_db().await.ok()?;
    let tx = db.transaction(PUSH_STORE).build().ok()?;
    let store = tx.object_store(PUSH_STORE).ok()?;
    store.get(sequence.to_string()).await.ok().flatten()
}

/// Forgets the kept push (the hub acknowledged it, or the device left the hub). A failure leaves the
/// bytes in place, unread, until the next push replaces them.
pub async fn forget_push() {
    let Ok(db) = push_db().await else { return };
    let Ok(tx) = db.transaction(PUSH_STORE).with_mode(TransactionMode::Readwrite).build() else { return };
    if let Ok(store) = tx.object_store(PUSH_STORE) {
        if store.clear().is_ok() {
            let _ = tx.commit().await;
        }
    }
}

/// Calls `on_change` with the stored link whenever another tab changes it.
pub fn on_link_change(on_change: impl Fn(Option<HubLink>) + 'static) {
    let handle = leptos::prelude::window_event_listener(leptos::ev::storage, move |ev: web_sys::StorageEvent| {
        if ev.key().as_deref() == Some(LINK_KEY) {
            on_change(ev.new_value().and_then(|t| serde_json::from_str(&t).ok()));
        }
    });
    // The listener lives as long as the page.
    std::mem::forget(handle);
}

/// Whether the officer can see the page (it is the visible tab of a window that is not minimised).
pub fn is_visible() -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return true };
    Reflect::get(&document, &JsValue::from_str("visibilityState"))
        .ok()
        .and_then(|v| v.as_string())
        .is_none_or(|state| state == "visible")
}

/// Calls `on_change` whenever the page is shown or hidden.
pub fn on_visibility_change(on_change: impl Fn(bool) + 'static) {
    let handle = leptos::prelude::window_event_listener_untyped("visibilitychange", move |_| on_change(is_visible()));
    // The listener lives as long as the page.
    std::mem::forget(handle);
}

/// Calls `f` every `ms` for the life of the page.
pub fn every(ms: u32, f: impl Fn() + 'static) {
    let Some(window) = web_sys::window() else { return };
    let closure = Closure::<dyn Fn()>::new(f);
    let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
        closure.as_ref().unchecked_ref(),
        ms.min(i32::MAX as u32) as i32,
    );
    closure.forget();
}

/// Calls `f` once after `ms`.
pub fn after(ms: u64, f: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else { return };
    let closure = Closure::once_into_js(f);
    let _ = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(closure.unchecked_ref(), ms.min(i32::MAX as u64) as i32);
}

/// A random number for the backoff's jitter.
pub fn random_u32() -> u32 {
    let b = super::random_bytes();
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

/// The app's own origin, `http://127.0.0.1:8090`: the hub's address, shown to the officer.
pub fn origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

/// The `enrol` parameter of the address the app was opened with (`/?enrol=CODE`), if any. Read before
/// the router moves on (a first start goes to Settings), so ask before the app mounts.
pub fn enrol_param() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get("enrol").filter(|c| !c.trim().is_empty())
}
