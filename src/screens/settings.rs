//! Settings: who uses this device. Shown on first start.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::components::time::human_time;
use crate::platform;
use crate::state::{use_app, SaveState, AT_RISK_AFTER_DAYS};

/// The settings screen.
#[component]
pub fn Settings() -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let first_start = app.needs_setup();
    let label = Memo::new(move |_| app.device.with(|d| d.label.clone()));
    let officer = Memo::new(move |_| app.device.with(|d| d.officer.clone()));
    let set_label = move |v: String| {
        let mut d = app.device.get_untracked();
        d.label = v;
        app.save_device(d);
    };
    let set_officer = move |v: String| {
        let mut d = app.device.get_untracked();
        d.officer = v;
        app.save_device(d);
    };
    // A device label is suggested (the browser and platform), so the officer only has to give a name.
    if first_start && label.get_untracked().trim().is_empty() {
        let (agent, hint) = platform::browser_and_platform();
        set_label(liaison_core::notebook::suggested_device_label(&agent, &hint));
    }
    let ready = move || !label.get().trim().is_empty() && !officer.get().trim().is_empty();
    let records = move || app.notebook.with(|nb| nb.records().filter(|r| !r.is_deleted()).count());
    view! {
        <section class="screen narrow">
            <header class="screen-header">
                <h1>{if first_start { "Welcome to Liaison" } else { "Settings" }}</h1>
            </header>
            {first_start.then(|| view! {
                <p class="lead">
                    "Liaison keeps your meetings, contacts and follow-ups on this device, with or without a network. "
                    "First, say who uses it: every note you make carries this device's name and yours, so that a coordinator merging notes from many officers knows who wrote what."
                </p>
            })}
            <form class="form-grid single" on:submit=|ev| ev.prevent_default() aria-label="This device">
                <div class="field">
                    <label for="officer-name">"Officer name"</label>
                    <input
                        id="officer-name"
                        type="text"
                        autocomplete="name"
                        prop:value=officer
                        aria-describedby="officer-hint"
                        on:input=move |ev| set_officer(event_target_value(&ev))
                    />
                    <p class="hint" id="officer-hint">"As colleagues know you, for example “Lt Col Ana Ruiz”."</p>
                </div>
                <div class="field">
                    <label for="device-label">"Device label"</label>
                    <input
                        id="device-label"
                        type="text"
                        prop:value=label
                        aria-describedby="device-hint"
                        on:input=move |ev| set_label(event_target_value(&ev))
                    />
                    <p class="hint" id="device-hint">"A name for this laptop or tablet, for example “Field tablet”."</p>
                </div>
            </form>
            {first_start.then(|| view! {
                <button
                    type="button"
                    class="button primary"
                    disabled=move || !ready()
                    on:click=move |_| navigate("/meetings", Default::default())
                >
                    "Start using Liaison"
                </button>
            })}
            {(!first_start).then(|| view! { <StorageHealth /> })}
            <crate::screens::team_hub::TeamHub />
            {(!first_start).then(|| view! { <p><A href="/recently-deleted">"Recently deleted"</A>" (kept 30 days, with Restore)"</p> })}
            <dl class="facts">
                <dt>"Device id"</dt>
                <dd><code>{move || app.device.with(|d| d.id.to_string())}</code></dd>
                <dt>"Records on this device"</dt>
                <dd>{records}</dd>
                <dt>"Unsaved changes"</dt>
                <dd>{move || { app.saving.state.track(); app.saving.unsaved() }}</dd>
            </dl>
        </section>
    }
}

fn megabytes(bytes: f64) -> String {
    if bytes >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} GB", bytes / (1024.0 * 1024.0 * 1024.0))
    } else {
        format!("{:.1} MB", bytes / (1024.0 * 1024.0))
    }
}

/// Storage health: whether the browser keeps the data, how full storage is, and what is not exported.
#[component]
fn StorageHealth() -> impl IntoView {
    let app = use_app();
    app.health.refresh();
    let health = app.health.status;
    let share = move || health.with(|h| h.share());
    let percent = move || (share() * 100.0).round().min(100.0) as u32;
    let used_words = move || match health.with(|h| h.used_and_room()) {
        Some((used, room)) => format!("Using {} of {} ({}%)", megabytes(used), megabytes(room), percent()),
        None => "This browser does not say".to_string(),
    };
    let unexported = move || app.changes_since_export();
    let last_export = move || {
        app.exchange.export_state.with(|s| s.last_ms).map(|ms| {
            let days = platform::now_ms().saturating_sub(ms) / 86_400_000;
            let ago = match days {
                0 => "today".to_string(),
                1 => "yesterday".to_string(),
                n => format!("{n} days ago"),
            };
            format!("{} ({ago})", human_time(ms))
        })
    };
    let disabled = move || matches!(app.saving.state.get(), SaveState::Disabled(_));
    view! {
        <section class="health" aria-labelledby="health-heading">
            <h2 id="health-heading">"Storage"</h2>
            <Show when=move || health.with(|h| h.looks_ephemeral())>
                <p class="note warn" role="alert">
                    "This looks like a private window: the browser deletes everything here when the window closes. Export before you close it, or use a normal window."
                </p>
            </Show>
            <Show when=disabled>
                <p class="note warn">"This browser does not let Liaison save at all; nothing entered now outlives this window."</p>
            </Show>
            <dl class="facts">
                <dt>"Kept by the browser"</dt>
                <dd>
                    {move || match health.with(|h| h.persisted) {
                        Some(true) => view! { <span class="ok-text">"Yes: the browser will not clear it to free space"</span> }.into_any(),
                        Some(false) => view! {
                            <span>
                                "No: the browser may clear it when space runs low. "
                                <button type="button" class="button small" on:click=move |_| app.health.request_persistence()>
                                    "Ask the browser to keep it"
                                </button>
                            </span>
                        }.into_any(),
                        None => view! { <span>"This browser cannot say"</span> }.into_any(),
                    }}
                </dd>
                <dt>"Space used"</dt>
                <dd>
                    <div class="meter-row">
                        <meter
                            min="0"
                            max="100"
                            low="60"
                            high="80"
                            optimum="10"
                            prop:value=move || percent() as f64
                            aria-label="Share of browser storage used"
                        ></meter>
                        <span>{used_words}</span>
                    </div>
                    <Show when=move || { share() >= 0.8 }>
                        <p class="problem">"Storage is nearly full. Export your notes, and delete what you no longer need."</p>
                    </Show>
                </dd>
                <Show when=move || !health.with(|h| h.indexed_db)>
                    <dt>"Site quota (all storage)"</dt>
                    <dd>
                        {move || match health.with(|h| h.estimate) {
                            Some((usage, quota)) => format!("{} used of {} the browser allows", megabytes(usage), megabytes(quota)),
                            None => "This browser does not say".to_string(),
                        }}
                    </dd>
                </Show>
                <dt>"Changes not exported"</dt>
                <dd>{unexported}</dd>
                <dt>"Last export"</dt>
                <dd>
                    {move || last_export().unwrap_or_else(|| "Never".to_string())}
                    " "
                    <A href="/export">"Export now"</A>
                </dd>
            </dl>
            <p class="hint">{format!(
                "Liaison reminds you when the data is at risk: not kept by the browser, and not exported for {AT_RISK_AFTER_DAYS} days."
            )}</p>
        </section>
    }
}
