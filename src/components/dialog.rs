//! The confirmation dialog. A native modal `<dialog>`: Escape cancels and the page behind is inert.
//! Focus starts on Cancel, so that Enter never deletes by accident, and Tab cycles between the
//! dialog's buttons instead of leaving for the browser's own controls.

use leptos::html;
use leptos::prelude::*;

use crate::platform;
use crate::state::use_app;

/// Renders the open confirmation request, if any.
#[component]
pub fn ConfirmDialog() -> impl IntoView {
    let app = use_app();
    let dialog = NodeRef::<html::Dialog>::new();
    let cancel_button = NodeRef::<html::Button>::new();
    let confirm_button = NodeRef::<html::Button>::new();
    Effect::new(move |_| {
        let open = app.prompts.confirm.with(Option::is_some);
        let Some(d) = dialog.get() else { return };
        if open && !d.open() {
            let _ = d.show_modal();
            if let Some(b) = cancel_button.get_untracked() {
                let _ = b.focus();
            }
        } else if !open && d.open() {
            d.close();
        }
    });
    let close = move || app.prompts.confirm.set(None);
    // The dialog holds two buttons: Tab from the last goes to the first, Shift+Tab from the first to the
    // last, whichever had focus (or none).
    let trap = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() != "Tab" {
            return;
        }
        let (Some(first), Some(last)) = (cancel_button.get_untracked(), confirm_button.get_untracked()) else {
            return;
        };
        ev.prevent_default();
        let on_first = platform::is_focused(&first);
        let next = if ev.shift_key() {
            if on_first {
                last
            } else {
                first
            }
        } else if on_first {
            last
        } else {
            first
        };
        let _ = next.focus();
    };
    let confirm = move |_| {
        if let Some(req) = app.prompts.confirm.get_untracked() {
            app.prompts.confirm.set(None);
            req.on_confirm.run(());
        }
    };
    view! {
        <dialog
            node_ref=dialog
            class="confirm"
            aria-labelledby="confirm-title"
            aria-describedby="confirm-message"
            on:cancel=move |_: leptos::ev::Event| close()
            on:keydown=trap
        >
            <h2 id="confirm-title">{move || app.prompts.confirm.with(|c| c.as_ref().map(|c| c.title.clone()))}</h2>
            <p id="confirm-message">{move || app.prompts.confirm.with(|c| c.as_ref().map(|c| c.message.clone()))}</p>
            <div class="dialog-buttons">
                <button type="button" class="button" node_ref=cancel_button on:click=move |_| close()>"Cancel"</button>
                <button type="button" class="button danger" node_ref=confirm_button on:click=confirm>
                    {move || app.prompts.confirm.with(|c| c.as_ref().map(|c| c.confirm_label))}
                </button>
            </div>
        </dialog>
    }
}
