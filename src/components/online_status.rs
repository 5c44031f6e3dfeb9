//! A quiet sign of whether the browser has a network. Liaison needs none: this only tells the officer
//! what to expect from things outside the app (sending a bundle by mail, say).

use leptos::prelude::*;

use crate::platform;

/// "Online" or "Offline" with a small dot, for the top bar. Screen readers hear the change, politely.
#[component]
pub fn OnlineStatus() -> impl IntoView {
    let online = RwSignal::new(platform::is_online());
    let listener = platform::on_online_change(move |now| online.set(now));
    on_cleanup(move || listener.remove());
    view! {
        <span
            class=move || if online.get() { "online-status online" } else { "online-status offline" }
            aria-live="polite"
            title=move || {
                if online.get() {
                    "This device has a network. Liaison does not need one: your notes stay on this device."
                } else {
                    "No network. Liaison works fully offline: your notes stay on this device."
                }
            }
        >
            {move || if online.get() { "Online" } else { "Offline" }}
        </span>
    }
}
