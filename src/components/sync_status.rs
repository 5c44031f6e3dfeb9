//! The shell's sync status: "Synced 2 min ago", "3 changes waiting", "Offline — 3 changes waiting",
//! or what went wrong, linking to Settings → Team hub. Nothing for a notebook that never joined a hub.
//! It also takes a `/?enrol=CODE` link to Team hub, where the officer confirms it.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use liaison_core::exchange::hub::Tone;

use crate::state::use_app;

/// The status line, in the shell's top bar.
#[component]
pub fn SyncStatus() -> impl IntoView {
    let app = use_app();
    if app.sync.offered_code.get_untracked().is_some() {
        // A `/?enrol=CODE` link: Team hub shows the code and asks before anything is sent. The address
        // drops the code, so that a reload does not offer it again.
        let navigate = use_navigate();
        request_animation_frame(move || {
            navigate("/settings#team-hub", NavigateOptions { replace: true, ..Default::default() })
        });
    }
    let status = move || app.sync.status();
    move || {
        status().map(|(words, tone)| {
            let class = match tone {
                Tone::Calm => "sync-status",
                Tone::Waiting => "sync-status waiting",
                Tone::Trouble => "sync-status trouble",
            };
            // On a laptop the words may be cut short to keep the navigation in one row; the title has them whole.
            let title = format!("{words} (Team hub, in Settings)");
            view! {
                <span role="status" class="sync-status-wrap">
                    <A href="/settings#team-hub" attr:class=class attr:title=title>{words}</A>
                </span>
            }
        })
    }
}
