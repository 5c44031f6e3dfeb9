//! What an unknown URL shows.

use leptos::prelude::*;
use leptos_router::components::A;

/// A page for URLs that name nothing.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="screen">
            <div class="empty">
                <h1>"Nothing here"</h1>
                <p>"This address does not lead to a page of Liaison."</p>
                <A href="/meetings">"Go to Meetings"</A>
            </div>
        </section>
    }
}
