//! What a list shows when it has nothing to list: a heading that says so and one line on what to do.

use leptos::prelude::*;

/// An empty list's message. Every empty state reads the same way: what is missing, then how to get it.
#[component]
pub fn EmptyState(title: &'static str, hint: &'static str) -> impl IntoView {
    view! {
        <div class="empty">
            <h2>{title}</h2>
            <p>{hint}</p>
        </div>
    }
}
