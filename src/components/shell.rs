//! The frame around every screen: navigation, save status, notices, Undo and the confirmation dialog.

use leptos::prelude::*;
use leptos_router::components::A;

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
            <nav aria-label="Main">
                <A href="/" exact=true>"Dashboard"</A>
                <A href="/meetings">"Meetings"</A>
                <A href="/contacts">"Contacts"</A>
                <A href="/follow-ups">"Follow-ups"</A>
                <ReviewLinks />
                <A href="/import">"Import"</A>
                <A href="/export">"Export"</A>
                <A href="/settings">"Settings"</A>
            </nav>
            <SearchBox />
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

/// Conflicts and duplicates appear in the navigation only while there is something to review.
#[component]
fn ReviewLinks() -> impl IntoView {
    let app = use_app();
    let conflicts = Memo::new(move |_| app.notebook.with(|nb| nb.conflicts().len()));
    let duplicates = Memo::new(move |_| {
        app.notebook
            .with(|nb| app.not_duplicates.with(|nd| liaison_core::queries::duplicates::candidates(nb, nd).len()))
    });
    view! {
        <Show when=move || { conflicts.get() > 0 }>
            <A href="/conflicts">
                "Conflicts" <span class="count" aria-label=move || format!("{} open", conflicts.get())>{conflicts}</span>
            </A>
        </Show>
        <Show when=move || { duplicates.get() > 0 }>
            <A href="/duplicates">
                "Duplicates" <span class="count" aria-label=move || format!("{} suggested", duplicates.get())>{duplicates}</span>
            </A>
        </Show>
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
                            "{} record(s) are kept in this window only, so do not close it. Liaison tries again every few seconds. \
                             Free space by deleting records or other sites' data you no longer need. \
                             Exporting your notes to a file arrives with bundle export in the next version.",
                            app.saving.unsaved(),
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
