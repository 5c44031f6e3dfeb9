//! Recently deleted: records deleted in the last 30 days, newest first, each with Restore. The rule of
//! what is offered lives in core (`Notebook::recently_deleted`); restoring is an ordinary restore edit,
//! so it merges with every other device's copy.

use leptos::prelude::*;
use leptos_router::components::A;
use liaison_core::date::human_date;
use liaison_core::notebook::{Deleted, TRASH_DAYS};
use liaison_core::schema::Kind;

use crate::components::empty::EmptyState;
use crate::components::marking::MarkingTag;
use crate::platform;
use crate::state::use_app;

fn noun(kind: Kind) -> &'static str {
    match kind {
        Kind::Contact => "Contact",
        Kind::Meeting => "Meeting",
        Kind::Action => "Follow-up",
    }
}

fn when(ms: u64) -> String {
    let (date, time) = platform::local_time(ms);
    format!("{} {}", human_date(&date.to_string()), time)
}

fn detail(d: &Deleted) -> String {
    let mut s = format!("{} · deleted {} by {}", noun(d.kind), when(d.deleted_ms), d.deleted_by);
    match d.follow_ups {
        0 => {}
        1 => s.push_str(" · with its follow-up action"),
        n => s.push_str(&format!(" · with its {n} follow-up actions")),
    }
    s
}

/// The "Recently deleted" screen.
#[component]
pub fn Trash() -> impl IntoView {
    let app = use_app();
    let items = Memo::new(move |_| app.notebook.with(|nb| nb.recently_deleted(platform::now_ms())));
    view! {
        <section class="screen narrow trash">
            <header class="screen-header">
                <div>
                    <A href="/settings" attr:class="back-link">"← Settings"</A>
                    <h1>"Recently deleted"</h1>
                    <p class="lead">{format!("What was deleted on this device in the last {TRASH_DAYS} days. Restoring brings a record back everywhere it travels.")}</p>
                </div>
            </header>
            <Show
                when=move || items.with(|i| !i.is_empty())
                fallback=|| view! { <EmptyState title="Nothing deleted recently" hint="Records you delete stay here for 30 days, so you can bring them back." /> }
            >
                <ul class="trash-list" aria-label="Recently deleted">
                    <For each=move || items.get() key=|d| (d.id, d.deleted_ms) let:d>
                        <li class="trash-item">
                            <div class="trash-text">
                                <strong>{d.title.clone()}</strong>
                                <MarkingTag marking=d.marking.clone() />
                                <span class="muted">{detail(&d)}</span>
                            </div>
                            <button
                                type="button"
                                class="button"
                                aria-label=format!("Restore “{}”", d.title)
                                on:click=move |_| {
                                    app.restore_deleted(d.id);
                                    app.prompts.notify(format!("“{}” is back.", d.title));
                                }
                            >
                                "Restore"
                            </button>
                        </li>
                    </For>
                </ul>
            </Show>
        </section>
    }
}
