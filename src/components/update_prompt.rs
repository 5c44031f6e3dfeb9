//! "A new version is ready": shown when a new build of Liaison is installed and waiting. The new version
//! takes over only when the officer presses "Reload", never by itself, so nothing changes under someone
//! who is typing. The prompt floats over the page instead of pushing it down for the same reason.

use leptos::prelude::*;

use crate::platform;
use crate::state::{use_app, ConfirmRequest, SaveState};

/// Registers the service worker and offers the waiting version. Mount it once, in the shell.
#[component]
pub fn UpdatePrompt() -> impl IntoView {
    let app = use_app();
    let ready = RwSignal::new(false);
    let later = RwSignal::new(false);
    platform::register_service_worker(move || {
        // try_set: the page lives as long as the worker's listeners, but stay quiet if this view is gone.
        let _ = ready.try_set(true);
        let _ = later.try_set(false);
    });

    // Everything typed is in storage within moments, unless storage fails: then a reload would lose
    // what is only in this window, and the officer must say so first.
    let at_risk = move || app.saving.unsaved() > 0 || !matches!(app.saving.state.get(), SaveState::Saved);
    let reload = move |_| {
        if at_risk() {
            app.prompts.confirm.set(Some(ConfirmRequest {
                title: "Reload with unsaved changes?".into(),
                message: "Some of your latest changes have not been saved on this device. Reloading now would \
                          lose them. Cancel, and export your notes first if you can."
                    .into(),
                confirm_label: "Reload anyway",
                on_confirm: Callback::new(|_| platform::apply_update()),
            }));
        } else {
            platform::apply_update();
        }
    };

    view! {
        <div class="update-region" role="status" aria-live="polite">
            <Show when=move || ready.get() && !later.get()>
                <div class="update-prompt">
                    <span class="update-icon" aria-hidden="true"></span>
                    <div class="update-text">
                        <strong>"A new version is ready"</strong>
                        <p>
                            {move || if at_risk() {
                                "Some changes are not saved yet: reloading now would lose them."
                            } else {
                                "Your notes are saved. Reload when it suits you."
                            }}
                        </p>
                    </div>
                    <div class="update-buttons">
                        <button type="button" class="button subtle" on:click=move |_| later.set(true)>"Later"</button>
                        <button type="button" class="button primary" on:click=reload>"Reload"</button>
                    </div>
                </div>
            </Show>
        </div>
    }
}
