//! Pages of one record: the record named by the route's `:id`, or a clear page when there is none.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use liaison_core::id::RecordId;
use liaison_core::model::Kind;

use crate::state::use_app;

/// Renders `page` for the live record of `kind` that the route names, or a "not found" page that leads
/// back to the list.
pub fn record_page<V: IntoView + 'static>(kind: Kind, page: impl Fn(RecordId) -> V + Send + Sync + 'static) -> impl IntoView {
    let params = use_params_map();
    let app = use_app();
    let id = Memo::new(move |_| {
        let id: RecordId = params.with(|p| p.get("id")).and_then(|s| s.parse().ok())?;
        app.notebook.with(|nb| nb.record(id).is_some_and(|r| r.kind == kind && !r.is_deleted())).then_some(id)
    });
    let (noun, list, href) = match kind {
        Kind::Contact => ("Contact", "Contacts", "/contacts"),
        Kind::Meeting => ("Meeting", "Meetings", "/meetings"),
        Kind::Action => ("Action", "Follow-ups", "/follow-ups"),
    };
    move || match id.get() {
        Some(id) => page(id).into_any(),
        None => view! {
            <section class="screen">
                <div class="empty">
                    <h1>{format!("{noun} not found")}</h1>
                    <p>{format!("This {} does not exist on this device, or it was deleted.", noun.to_lowercase())}</p>
                    <A href=href>{format!("Back to {list}")}</A>
                </div>
            </section>
        }
        .into_any(),
    }
}
