//! Settings → Team hub: joining the team's hub with an enrolment code (typed, or brought by a
//! `/?enrol=CODE` link, which fills it in and asks first), and, once joined, what the hub knows of this
//! device, "Sync now" and "Leave team hub".

use leptos::prelude::*;
use leptos::task::spawn_local;
use liaison_core::exchange::hub::{synced, Tone};
use liaison_core::marking::Ceiling;

use crate::platform;
use crate::state::{use_app, ConfirmRequest};

/// The Team hub section of Settings.
#[component]
pub fn TeamHub() -> impl IntoView {
    let app = use_app();
    let linked = move || app.sync.link.with(Option::is_some);
    view! {
        <section class="team-hub" id="team-hub" aria-labelledby="team-hub-heading">
            <h2 id="team-hub-heading">"Team hub"</h2>
            {move || if linked() { view! { <Joined /> }.into_any() } else { view! { <Join /> }.into_any() }}
        </section>
    }
}

/// The enrolment form.
#[component]
fn Join() -> impl IntoView {
    let app = use_app();
    let from_link = app.sync.offered_code.get_untracked();
    let came_by_link = from_link.is_some();
    let code = RwSignal::new(from_link.unwrap_or_default());
    let error = RwSignal::new(None::<String>);
    let busy = app.sync.enrolling;
    let needs_setup = move || app.needs_setup();
    let join = move || {
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        let input = code.get_untracked();
        spawn_local(async move {
            if let Err(message) = app.enrol(&input).await {
                error.set(Some(message));
            }
        });
    };
    view! {
        <p>
            "A team hub syncs this notebook with your team's by itself whenever there is a network: your changes go to the hub, and other officers' changes come here. "
            "Your coordinator sends you an enrolment code for this device."
        </p>
        {came_by_link.then(|| view! {
            <p class="note" role="status">
                "Your coordinator's link filled in the code below. Check that you expected it, then choose Join team hub. Nothing is sent before you do."
            </p>
        })}
        <form
            class="form-grid single"
            aria-label="Join a team hub"
            on:submit=move |ev| {
                ev.prevent_default();
                join();
            }
        >
            <div class="field">
                <label for="enrol-code">"Enrolment code"</label>
                <input
                    id="enrol-code"
                    type="text"
                    autocomplete="off"
                    spellcheck="false"
                    autocapitalize="characters"
                    placeholder="3QJ1H-REKCG-WB2RF-Y8H70"
                    prop:value=move || code.get()
                    aria-describedby="enrol-hint enrol-error"
                    aria-invalid=move || error.with(Option::is_some).then_some("true")
                    on:input=move |ev| code.set(event_target_value(&ev))
                />
                <p class="hint" id="enrol-hint">
                    {format!("20 letters and digits. This device joins the hub at {}.", platform::hub::origin())}
                </p>
                <p class="problem" id="enrol-error" role="alert">{move || error.get()}</p>
            </div>
            <Show when=needs_setup>
                <p class="note warn">"Fill in Officer name and Device label above first: the hub shows them to your team."</p>
            </Show>
            <div class="hub-actions">
                <button type="submit" class="button primary" disabled=move || busy.get() || needs_setup()>
                    {move || if busy.get() { "Joining…" } else { "Join team hub" }}
                </button>
            </div>
        </form>
    }
}

/// What the hub knows of this device, and what the officer can do.
#[component]
fn Joined() -> impl IntoView {
    let app = use_app();
    let link = app.sync.link;
    let field = move |f: fn(&liaison_core::exchange::hub::Enrolled) -> String| {
        move || link.with(|l| l.as_ref().map(|l| f(&l.enrolled)).unwrap_or_default())
    };
    let ceiling = move || {
        link.with(|l| {
            let l = l.as_ref()?;
            Some(l.ceiling().map(Ceiling::label).unwrap_or(l.enrolled.max_marking.as_str()).to_string())
        })
    };
    let role = field(|e| match e.role.as_str() {
        "coordinator" => "Coordinator".into(),
        "officer" => "Officer".into(),
        other => other.to_string(),
    });
    let last = move || link.with(|l| synced(l.as_ref().and_then(|l| l.last_sync_ms), app.sync.now_ms.get()));
    let status = move || app.sync.status();
    let trouble = move || app.sync.problem.get().or_else(|| link.with(|l| l.as_ref().and_then(|l| l.stopped.clone())));
    let leave = move |_| {
        app.prompts.confirm.set(Some(ConfirmRequest {
            title: "Leave the team hub?".into(),
            message: "This device stops syncing and forgets its hub token. Your notes stay on this device. To sync again you need a new enrolment code from your coordinator.".into(),
            confirm_label: "Leave team hub",
            on_confirm: Callback::new(move |_| {
                leptos::task::spawn_local(async move {
                    if let Err(e) = app.leave_hub().await {
                        app.prompts.notify(format!("The team hub could not be left: {e}."));
                    }
                });
            }),
        }));
    };
    view! {
        <p class=move || match status().map(|s| s.1) {
            Some(Tone::Trouble) => "sync-line trouble",
            Some(Tone::Waiting) => "sync-line waiting",
            _ => "sync-line",
        } role="status">
            {move || status().map(|s| s.0)}
        </p>
        {move || trouble().map(|p| view! { <p class="note warn" role="alert">{p.message()}</p> })}
        <dl class="facts">
            <dt>"Team"</dt>
            <dd>{field(|e| e.team.clone())}</dd>
            <dt>"Officer"</dt>
            <dd>{field(|e| e.officer.clone())}</dd>
            <dt>"Role"</dt>
            <dd>{role}</dd>
            <dt>"Marking ceiling"</dt>
            <dd>{ceiling}<span class="hint">" (this device receives nothing marked above it)"</span></dd>
            <dt>"Device"</dt>
            <dd>{field(|e| e.label.clone())}" "<code>{field(|e| e.device.clone())}</code></dd>
            <dt>"Hub"</dt>
            <dd>{platform::hub::origin()}</dd>
            <dt>"Last sync"</dt>
            <dd>{last}</dd>
        </dl>
        <div class="hub-actions">
            <button type="button" class="button primary" on:click=move |_| app.sync_now()>"Sync now"</button>
            <button type="button" class="button danger" on:click=leave>"Leave team hub"</button>
        </div>
    }
}
