//! Liaison, the web app: a thin Leptos shell over `liaison-core`.
//!
//! Screens render plain core data held in [`state::AppState`] and send every change back through it.
//! Browser APIs live in [`platform`] only.

pub mod components;
pub mod platform;
pub mod screens;
pub mod state;
mod text;

use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::components::shell::Shell;
use crate::screens::conflicts::Conflicts;
use crate::screens::contact_page::ContactPage;
use crate::screens::contacts::ContactsList;
use crate::screens::dashboard::Dashboard;
use crate::screens::duplicates::Duplicates;
use crate::screens::export::Export;
use crate::screens::follow_ups::FollowUps;
use crate::screens::import::Import;
use crate::screens::meeting_editor::MeetingEditor;
use crate::screens::meetings::MeetingsList;
use crate::screens::not_found::NotFound;
use crate::screens::settings::Settings;
use crate::screens::trash::Trash;
use crate::state::{AppState, Boot};

/// Reads storage, then mounts the app. Nothing renders until the data is in memory, so no screen ever
/// shows an empty notebook that is not really empty.
pub fn start() {
    console_error_panic_hook::set_once();
    // Leptos sets up its executor when it mounts, and mounting waits for the data, so this first task
    // runs on wasm-bindgen's own.
    wasm_bindgen_futures::spawn_local(async {
        let boot = state::boot().await;
        platform::remove_element("loading");
        leptos::mount::mount_to_body(move || view! { <App boot /> });
    });
}

/// The root component: state, router and the app frame.
#[component]
pub fn App(boot: Boot) -> impl IntoView {
    let app = AppState::new(boot);
    provide_context(app);
    view! {
        <Router>
            <Shell>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/meetings") view=MeetingsList />
                    <Route path=path!("/meetings/:id") view=MeetingEditor />
                    <Route path=path!("/contacts") view=ContactsList />
                    <Route path=path!("/contacts/:id") view=ContactPage />
                    <Route path=path!("/follow-ups") view=FollowUps />
                    <Route path=path!("/import") view=Import />
                    <Route path=path!("/export") view=Export />
                    <Route path=path!("/conflicts") view=Conflicts />
                    <Route path=path!("/duplicates") view=Duplicates />
                    <Route path=path!("/settings") view=Settings />
                    <Route path=path!("/recently-deleted") view=Trash />
                </Routes>
            </Shell>
        </Router>
    }
}

/// The start URL: Settings on first start, otherwise the dashboard.
#[component]
fn Home() -> impl IntoView {
    let app = state::use_app();
    if app.needs_setup() {
        view! { <Redirect path="/settings" /> }.into_any()
    } else {
        view! { <Dashboard /> }.into_any()
    }
}
