//! The frame around every screen: navigation, save status, notices, Undo and the confirmation dialog.

use leptos::ev::{FocusEvent, KeyboardEvent};
use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};

use crate::components::dialog::ConfirmDialog;
use crate::components::marking::MarkingOptions;
use crate::components::online_status::OnlineStatus;
use crate::components::search::SearchBox;
use crate::components::update_prompt::UpdatePrompt;
use crate::platform;
use crate::state::{use_app, SaveState, AT_RISK_AFTER_DAYS};

/// Navigation and status around the routed screen.
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let app = use_app();
    let officer = move || app.device.with(|d| d.officer.clone());
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <div class="brand">
                <img class="brand-mark" src="/icons/icon.svg" alt="" width="28" height="28" />
                <span class="brand-name">"Liaison"</span>
            </div>
            // Until the officer has named themselves and the device, there is nowhere else to go: every
            // record and bundle carries those names.
            <Show when=move || !app.needs_setup()>
                <MainNav />
                <SearchBox />
            </Show>
            <SetupGuard />
            <div class="topbar-status">
                <OnlineStatus />
                <crate::components::sync_status::SyncStatus />
                <SaveIndicator />
                <A href="/settings" attr:class="officer" attr:title="This device's officer (Settings)">{officer}</A>
            </div>
        </header>
        <StorageBanner />
        <HealthBanner />
        <Notices />
        <main id="main" tabindex="-1">{children()}</main>
        <UndoToast />
        <UpdatePrompt />
        <ConfirmDialog />
        <MarkingOptions />
    }
}

/// Sends every screen but the welcome (Settings) back to it while the device has no officer or label,
/// so that no record or export is made "from an unnamed device".
#[component]
fn SetupGuard() -> impl IntoView {
    let app = use_app();
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if app.needs_setup() && location.pathname.with(|p| p != "/settings") {
            navigate("/settings", Default::default());
        }
    });
}

/// The main navigation: one row of the screens used every day, then the exchange group.
#[component]
fn MainNav() -> impl IntoView {
    let app = use_app();
    let conflicts = Memo::new(move |_| app.notebook.with(|nb| nb.conflicts().len()));
    let duplicates = Memo::new(move |_| {
        app.notebook
            .with(|nb| app.not_duplicates.with(|nd| liaison_core::queries::duplicates::candidates(nb, nd).len()))
    });
    view! {
        <nav aria-label="Main">
            <A href="/" exact=true>"Dashboard"</A>
            <A href="/meetings">"Meetings"</A>
            <A href="/contacts">"Contacts"</A>
            <A href="/follow-ups">"Follow-ups"</A>
            <NavGroup label="Exchange" class="nav-wide" with_settings=false conflicts duplicates />
            <A href="/settings" attr:class="nav-wide">"Settings"</A>
            <NavGroup label="More" class="nav-narrow" with_settings=true conflicts duplicates />
        </nav>
    }
}

/// The exchange screens (Import, Export, Conflicts, Duplicates) behind one disclosure button whose badge
/// counts what waits for review. On a wide screen it is "Exchange" beside Settings; on a tablet the same
/// group, Settings included, is "More" (the stylesheet shows one or the other). Every item stays when its
/// count is zero, so nothing moves under the officer's pointer.
#[component]
fn NavGroup(
    label: &'static str,
    class: &'static str,
    with_settings: bool,
    conflicts: Memo<usize>,
    duplicates: Memo<usize>,
) -> impl IntoView {
    let location = use_location();
    let (open, set_open) = signal(false);
    let group = NodeRef::<html::Div>::new();
    let button = NodeRef::<html::Button>::new();
    let waiting = move || conflicts.get() + duplicates.get();
    let panel_id = format!("nav-{}", label.to_lowercase());
    let mut paths = vec!["/import", "/export", "/conflicts", "/duplicates"];
    if with_settings {
        paths.push("/settings");
    }
    let current = move || location.pathname.with(|p| paths.iter().any(|q| p == q));
    // Following a link closes the menu; so does a change of screen from anywhere else.
    Effect::new(move |_| {
        location.pathname.track();
        set_open.set(false);
    });
    let close_to_button = move || {
        set_open.set(false);
        if let Some(b) = button.get_untracked() {
            let _ = b.focus();
        }
    };
    view! {
        <div
            class=format!("nav-group {class}")
            node_ref=group
            on:keydown=move |ev: KeyboardEvent| {
                if ev.key() == "Escape" && open.get_untracked() {
                    ev.prevent_default();
                    ev.stop_propagation();
                    close_to_button();
                }
            }
            on:focusout=move |ev: FocusEvent| {
                if let Some(g) = group.get_untracked() {
                    if platform::focus_left(&ev, &g) {
                        set_open.set(false);
                    }
                }
            }
        >
            <button
                type="button"
                node_ref=button
                class=move || if current() { "nav-button current" } else { "nav-button" }
                aria-expanded=move || open.get().to_string()
                aria-controls=panel_id.clone()
                on:click=move |_| set_open.update(|o| *o = !*o)
            >
                {label}
                <Show when=move || { waiting() > 0 }>
                    <span class="count" aria-label=move || format!("{} to review", waiting())>{waiting}</span>
                </Show>
                <span class="chevron" aria-hidden="true"></span>
            </button>
            <ul id=panel_id class="nav-panel" hidden=move || !open.get()>
                <li><A href="/import">"Import"</A></li>
                <li><A href="/export">"Export"</A></li>
                <li>
                    <A href="/conflicts">
                        "Conflicts"
                        <Show when=move || { conflicts.get() > 0 }>
                            <span class="count" aria-label=move || format!("{} open", conflicts.get())>{conflicts}</span>
                        </Show>
                    </A>
                </li>
                <li>
                    <A href="/duplicates">
                        "Duplicates"
                        <Show when=move || { duplicates.get() > 0 }>
                            <span class="count" aria-label=move || format!("{} suggested", duplicates.get())>{duplicates}</span>
                        </Show>
                    </A>
                </li>
                {with_settings.then(|| view! { <li class="nav-separated"><A href="/settings">"Settings"</A></li> })}
            </ul>
        </div>
    }
}

#[component]
fn SaveIndicator() -> impl IntoView {
    let app = use_app();
    view! {
        <span
            class=move || match app.saving.state.get() {
                SaveState::Saved => "save-state saved",
                SaveState::Saving => "save-state saving",
                _ => "save-state failed",
            }
            role="status"
        >
            {move || match app.saving.state.get() {
                SaveState::Saved if app.health.status.with(|h| h.looks_ephemeral()) => "Saved until this private window closes",
                SaveState::Saved => "All changes saved",
                SaveState::Saving => "Saving…",
                SaveState::Failed(_) => "Not saved",
                SaveState::Disabled(_) => "Not saving",
            }}
        </span>
    }
}

#[component]
fn StorageBanner() -> impl IntoView {
    let app = use_app();
    move || {
        match app.saving.state.get() {
        SaveState::Saved | SaveState::Saving => None,
        SaveState::Failed(e) => Some(view! {
            <div class="banner danger" role="alert">
                <div>
                    <strong>{format!("Your latest changes could not be saved: {e}.")}</strong>
                    <p>
                        {format!(
                            "{} kept in this window only, so do not close it. Liaison tries again every few seconds. \
                             Free space by deleting records or other sites' data you no longer need. \
                             Exporting your notes to a file arrives with bundle export in the next version.",
                            liaison_core::text::plural(app.saving.unsaved(), "record is", "records are"),
                        )}
                    </p>
                </div>
                <button type="button" class="button" on:click=move |_| app.flush()>"Try again"</button>
            </div>
        }
        .into_any()),
        SaveState::Disabled(e) => Some(view! {
            <div class="banner danger" role="alert">
                <div>
                    <strong>{format!("Liaison cannot save in this browser: {e}.")}</strong>
                    <p>"What you enter now is kept only while this window stays open."</p>
                </div>
            </div>
        }
        .into_any()),
    }
    }
}

/// Warnings about the data's safety: storage nearly full, or data the browser may evict that has not
/// been exported for a week. Each can be dismissed for this session.
#[component]
fn HealthBanner() -> impl IntoView {
    let app = use_app();
    let (dismissed, set_dismissed) = signal(false);
    let message = move || {
        if dismissed.get() {
            return None;
        }
        let h = app.health.status.get();
        if h.share() >= 0.8 {
            return Some(format!(
                "Browser storage is {}% full. Export your notes now, and delete what you no longer need.",
                (h.share() * 100.0).round().min(100.0)
            ));
        }
        if h.looks_ephemeral() && app.notebook.with(|nb| nb.records().next().is_some()) {
            return Some(
                "This is a private window: its data is deleted when it closes. Export before closing.".to_string(),
            );
        }
        let days = app.days_unexported(platform::now_ms())?;
        (h.persisted == Some(false) && days >= AT_RISK_AFTER_DAYS).then(|| {
            format!(
                "Your notes are only in this browser, which may clear them, and were last exported {days} days ago. Export them now."
            )
        })
    };
    move || {
        message().map(|m| {
            view! {
                <div class="banner warning" role="alert">
                    <p>{m}</p>
                    <div class="banner-actions">
                        <A href="/export" attr:class="button">"Export"</A>
                        <button type="button" class="button" on:click=move |_| set_dismissed.set(true)>"Later"</button>
                    </div>
                </div>
            }
        })
    }
}

#[component]
fn Notices() -> impl IntoView {
    let app = use_app();
    view! {
        <div class="notices">
            <For each=move || app.prompts.notices.get() key=|n| n.id let:notice>
                <div class="banner warning" role="alert">
                    <p>{notice.text.clone()}</p>
                    <button type="button" class="button" on:click=move |_| app.prompts.dismiss(notice.id)>"Dismiss"</button>
                </div>
            </For>
        </div>
    }
}

#[component]
fn UndoToast() -> impl IntoView {
    let app = use_app();
    view! {
        <div class="toast-region" role="status" aria-live="polite">
            {move || {
                app.prompts.undo.get().map(|offer| view! {
                    <div class="toast">
                        <span>{offer.message}</span>
                        <button type="button" class="button" on:click=move |_| app.run_undo()>"Undo"</button>
                        <button type="button" class="icon-button" aria-label="Dismiss" on:click=move |_| app.prompts.undo.set(None)>"×"</button>
                    </div>
                })
            }}
        </div>
    }
}
