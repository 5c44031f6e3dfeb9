//! The installed app: the service worker and the network status.
//!
//! The worker itself is `public/sw.js`, turned into `dist/sw.js` by `scripts/sw-manifest.mjs` at build
//! time. This module registers it (release builds only: the dev server must never have a worker that
//! serves yesterday's build), notices when a new version is installed and waiting, and switches to it
//! only when asked: the worker never takes over by itself, so nothing changes under an officer who is
//! typing.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::{set_interval, set_timeout, window_event_listener, WindowListenerHandle};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState};

/// Where the worker is served: the site root, so that its scope is the whole app.
const WORKER_URL: &str = "/sw.js";
/// How often a long-open app asks the server for a new version (the browser also checks on each start).
const CHECK_EVERY: Duration = Duration::from_secs(60 * 60);
/// If the new worker has not taken over this long after "Reload", reload anyway: the page then simply
/// comes back on the version that is still active, and offers the update again.
const RELOAD_FALLBACK: Duration = Duration::from_secs(5);

thread_local! {
    static STARTED: Cell<bool> = const { Cell::new(false) };
    static REGISTRATION: RefCell<Option<ServiceWorkerRegistration>> = const { RefCell::new(None) };
    /// Set when this page asked the waiting worker to take over, so the controller change reloads it. A
    /// change that another tab asked for only offers the update here.
    static RELOAD_ON_CHANGE: Cell<bool> = const { Cell::new(false) };
}

/// The page's service-worker container, if this browser has one here (it has none on plain http, in some
/// private modes, and where a policy forbids workers).
fn container() -> Option<ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    let value = js_sys::Reflect::get(&navigator, &JsValue::from_str("serviceWorker")).ok()?;
    if value.is_undefined() || value.is_null() {
        return None;
    }
    value.dyn_into::<ServiceWorkerContainer>().ok()
}

/// Registers the service worker (in release builds) and calls `on_update_ready` whenever a new version
/// of the app is installed and waiting to take over. Call it once, when the app has mounted; later calls
/// do nothing. Without a worker (dev builds, browsers without one) it does nothing, and the app still runs.
pub fn register_service_worker(on_update_ready: impl Fn() + 'static) {
    if cfg!(debug_assertions) || STARTED.get() {
        return;
    }
    let Some(container) = container() else { return };
    STARTED.set(true);
    let on_update_ready: Rc<dyn Fn()> = Rc::new(on_update_ready);

    // A page with no controller (the very first visit) gets one when the first worker claims it: that is
    // not an update. A page that had one and gets another is now served by a newer version.
    let had_controller = Rc::new(Cell::new(container.controller().is_some()));
    {
        let on_update_ready = on_update_ready.clone();
        let had_controller = had_controller.clone();
        listen(&container, "controllerchange", move || {
            if RELOAD_ON_CHANGE.get() {
                reload();
            } else if had_controller.get() {
                on_update_ready();
            }
            had_controller.set(true);
        });
    }

    wasm_bindgen_futures::spawn_local(async move {
        let registration = match JsFuture::from(container.register(WORKER_URL)).await {
            Ok(r) => r.unchecked_into::<ServiceWorkerRegistration>(),
            Err(e) => {
                // The app works without it, only not offline; nothing to tell the officer mid-task.
                leptos::logging::warn!("Liaison: the service worker could not be registered: {e:?}");
                return;
            }
        };
        // A new version that finished installing while no page of this app was open to see it.
        if registration.waiting().is_some() && container.controller().is_some() {
            on_update_ready();
        }
        {
            let registration_ = registration.clone();
            let container = container.clone();
            listen(&registration, "updatefound", move || {
                let Some(worker) = registration_.installing() else { return };
                let on_update_ready = on_update_ready.clone();
                let container = container.clone();
                let worker_ = worker.clone();
                listen(&worker, "statechange", move || {
                    // Installed while a controller exists: an update, now waiting. (On the first install
                    // there is no controller, and the worker activates at once.)
                    if worker_.state() == ServiceWorkerState::Installed && container.controller().is_some() {
                        on_update_ready();
                    }
                });
            });
        }
        REGISTRATION.with(|r| *r.borrow_mut() = Some(registration));

        // An officer may keep the app open for days: look for a new version now and then, and when the
        // network comes back. Offline it would only fail, so it is not tried.
        set_interval(check_for_update, CHECK_EVERY);
        std::mem::forget(window_event_listener(leptos::ev::online, |_| check_for_update()));
    });
}

/// Asks the server whether there is a new version (a new `sw.js`). A failure is quiet: the next check or
/// the next start tries again.
pub fn check_for_update() {
    if !is_online() {
        return;
    }
    let Some(registration) = REGISTRATION.with(|r| r.borrow().clone()) else { return };
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(promise) = registration.update() {
            let _ = JsFuture::from(promise).await;
        }
    });
}

/// Switches to the waiting version: tells it to take over, and reloads this page once it has. Only ever
/// called from the officer's "Reload". With nothing waiting (another tab already switched), just reloads.
pub fn apply_update() {
    let waiting: Option<ServiceWorker> = REGISTRATION.with(|r| r.borrow().as_ref().and_then(|r| r.waiting()));
    let Some(waiting) = waiting else {
        reload();
        return;
    };
    RELOAD_ON_CHANGE.set(true);
    let message = js_sys::Object::new();
    let told = js_sys::Reflect::set(&message, &JsValue::from_str("type"), &JsValue::from_str("SKIP_WAITING"))
        .is_ok_and(|_| waiting.post_message(&message).is_ok());
    if told {
        set_timeout(reload, RELOAD_FALLBACK);
    } else {
        reload();
    }
}

fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// Adds an event listener that lives as long as the page (service-worker objects live as long as it).
fn listen(target: &web_sys::EventTarget, event: &str, handler: impl Fn() + 'static) {
    let closure = Closure::<dyn Fn()>::new(handler);
    let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    closure.forget();
}

/// Whether the browser believes it has a network. Nothing in Liaison needs one; this is for the
/// officer's information only. (`true` can still mean a network that leads nowhere.)
pub fn is_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Listens for the browser going online or offline; remove it with [`OnlineListener::remove`].
pub fn on_online_change(on_change: impl Fn(bool) + 'static) -> OnlineListener {
    let on_change = Rc::new(on_change);
    let on_change_ = on_change.clone();
    OnlineListener {
        online: window_event_listener(leptos::ev::online, move |_| on_change_(true)),
        offline: window_event_listener(leptos::ev::offline, move |_| on_change(false)),
    }
}

/// The two window listeners behind [`on_online_change`].
pub struct OnlineListener {
    online: WindowListenerHandle,
    offline: WindowListenerHandle,
}

impl OnlineListener {
    /// Stops listening.
    pub fn remove(self) {
        self.online.remove();
        self.offline.remove();
    }
}
