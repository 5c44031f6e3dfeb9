//! Settings: who uses this device. Shown on first start.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::state::use_app;

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
            <dl class="facts">
                <dt>"Device id"</dt>
                <dd><code>{move || app.device.with(|d| d.id.to_string())}</code></dd>
                <dt>"Records on this device"</dt>
                <dd>{records}</dd>
                <dt>"Unsaved changes"</dt>
                <dd>{move || { app.save_state.track(); app.unsaved() }}</dd>
            </dl>
        </section>
    }
}
