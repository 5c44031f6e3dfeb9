//! The confirmation dialog. A native modal `<dialog>`: focus stays inside, Escape cancels, and the page
//! behind is inert.

use leptos::html;
use leptos::prelude::*;

use crate::state::use_app;

/// Renders the open confirmation request, if any.
#[component]
pub fn ConfirmDialog() -> impl IntoView {
    let app = use_app();
    let dialog = NodeRef::<html::Dialog>::new();
    let confirm_button = NodeRef::<html::Button>::new();
    Effect::new(move |_| {
        let open = app.prompts.confirm.with(Option::is_some);
        let Some(d) = dialog.get() else { return };
        if open && !d.open() {
            let _ = d.show_modal();
            if let Some(b) = confirm_button.get_untracked() {
                let _ = b.focus();
            }
        } else if !open && d.open() {
            d.close();
        }
    });
    let close = move || app.prompts.confirm.set(None);
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
        >
            <h2 id="confirm-title">{move || app.prompts.confirm.with(|c| c.as_ref().map(|c| c.title.clone()))}</h2>
            <p id="confirm-message">{move || app.prompts.confirm.with(|c| c.as_ref().map(|c| c.message.clone()))}</p>
            <div class="dialog-buttons">
                <button type="button" class="button" on:click=move |_| close()>"Cancel"</button>
                <button type="button" class="button danger" node_ref=confirm_button on:click=confirm>
                    {move || app.prompts.confirm.with(|c| c.as_ref().map(|c| c.confirm_label))}
                </button>
            </div>
        </dialog>
    }
}
