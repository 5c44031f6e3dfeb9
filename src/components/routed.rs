//! Pages of one record: the record named by the route's `:id`, or a clear page when there is none.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::NavigateOptions;
use liaison_core::crdt::id::RecordId;
use liaison_core::schema::Kind;

use crate::components::marking::MarkingBand;
use crate::platform;
use crate::state::use_app;
use crate::text::capitalised;

/// Renders `page` for the live record of `kind` that the route names, or a "not found" page that leads
/// back to the list.
pub fn record_page<V: IntoView + 'static>(
    kind: Kind,
    page: impl Fn(RecordId) -> V + Send + Sync + 'static,
) -> impl IntoView {
    let params = use_params_map();
    let app = use_app();
    let id = Memo::new(move |_| {
        let id: RecordId = params.with(|p| p.get("id")).and_then(|s| s.parse().ok())?;
        app.notebook.with(|nb| nb.record(id).is_some_and(|r| r.kind == kind && !r.is_deleted())).then_some(id)
    });
    let (noun, list, href) = list_of(kind);
    let capital = capitalised(noun);
    // A draft lives in memory only, so reloading its page finds nothing: its URL says it was a draft
    // (`draft_href`), and the officer gets a fresh one, as "New meeting" would give, not "not found".
    let query = use_query_map();
    let navigate = use_navigate();
    let reopening = RwSignal::new(id.get_untracked().is_none() && query.with_untracked(|q| q.get(DRAFT).is_some()));
    Effect::new(move |_| {
        // Before the welcome is done the shell sends the officer there; no draft is made on the way.
        // Untracked, so that this runs once: another tab's Settings changing the device profile must not
        // make a second draft and take the officer off the page.
        if !reopening.get_untracked() || untrack(|| app.needs_setup()) {
            return;
        }
        match app.create_draft(kind) {
            Some(fresh) => navigate(&draft_href(kind, fresh), NavigateOptions { replace: true, ..Default::default() }),
            None => reopening.set(false),
        }
    });
    move || match id.get() {
        Some(id) => {
            // Leaving a new record nobody typed into discards it: no "Untitled meeting" stays behind.
            on_cleanup(move || app.discard_draft(id));
            page(id).into_any()
        }
        None if reopening.get() => view! { <section class="screen" aria-busy="true"></section> }.into_any(),
        None => view! {
            <section class="screen">
                <div class="empty">
                    <h1>{format!("{capital} not found")}</h1>
                    <p>{format!("This {noun} does not exist on this device, or it was deleted.")}</p>
                    <A href=href>{format!("Back to {list}")}</A>
                </div>
            </section>
        }
        .into_any(),
    }
}

/// The query parameter that marks a record page opened for a new draft.
const DRAFT: &str = "draft";

/// Where "New meeting" or "New contact" opens the draft `id`: its record page, marked as a draft's so
/// that a reload opens a fresh one. A contact's page opens read unless `edit` is in its address, so a
/// new contact's carries it too: a reload of one that has been named keeps the form.
pub fn draft_href(kind: Kind, id: RecordId) -> String {
    let edit = if kind == Kind::Contact { "&edit=1" } else { "" };
    format!("{}/{id}?{DRAFT}{edit}", list_of(kind).2)
}

fn list_of(kind: Kind) -> (&'static str, &'static str, &'static str) {
    match kind {
        Kind::Contact => ("contact", "Contacts", "/contacts"),
        Kind::Meeting => ("meeting", "Meetings", "/meetings"),
        Kind::Action => ("follow-up action", "Follow-ups", "/follow-ups"),
    }
}

/// The top of a record's page: the way back to its list, its name, Print and Delete, and its marking.
#[component]
pub fn RecordHeader(
    id: RecordId,
    kind: Kind,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] marking: Signal<String>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let (noun, list, href) = list_of(kind);
    let delete = move |_| {
        let navigate = navigate.clone();
        app.confirm_delete(id, noun, title.get_untracked(), move || navigate(href, Default::default()));
    };
    view! {
        <header class="screen-header">
            <div>
                <A href=href attr:class="back-link">{format!("← {list}")}</A>
                <h1>{title}</h1>
            </div>
            <div class="header-actions">
                {children.map(|c| c())}
                {(kind == Kind::Contact).then(|| view! {
                    <button
                        type="button"
                        class="button"
                        on:click=move |_| {
                            if let Err(e) = app.export_contact_vcard(id) {
                                app.prompts.notify(format!("The vCard could not be saved: {e}."));
                            }
                        }
                    >
                        "Export vCard"
                    </button>
                })}
                <button type="button" class="button" on:click=|_| platform::print()>"Print"</button>
                <button type="button" class="button danger-outline" on:click=delete>"Delete"</button>
            </div>
        </header>
        <MarkingBand marking />
    }
}
