//! The shell's sync status: "Synced 2 min ago", "3 changes waiting", "Offline — 3 changes waiting",
//! or what went wrong, linking to Settings → Team hub. Nothing for a notebook that never joined a hub.
//! It also takes a `/?enrol=CODE` link to Team hub, where the officer confirms it.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use liaison_core::exchange::hub::Tone;

use crate::platform;
use crate::state::use_app;

/// The status line, in the shell's top bar.
#[component]
pub fn SyncStatus() -> impl IntoView {
    let app = use_app();
    if let Some(code) = platform::hub::enrol_param() {
        // The code stays in the address, where Team hub reads it and asks before anything is sent.
        let navigate = use_navigate();
        let path = format!("/settings?enrol={}#team-hub", liaison_core::text::percent_encode(&code, b"-"));
        request_animation_frame(move || navigate(&path, Default::default()));
    }
    let status = move || app.sync.status();
    move || {
        status().map(|(words, tone)| {
            let class = match tone {
                Tone::Calm => "sync-status",
                Tone::Waiting => "sync-status waiting",
                Tone::Trouble => "sync-status trouble",
            };
            view! {
                <span role="status" class="sync-status-wrap">
                    <A href="/settings#team-hub" attr:class=class attr:title="Team hub (Settings)">{words}</A>
                </span>
            }
        })
    }
}
