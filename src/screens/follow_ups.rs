//! Follow-ups: every open action, overdue first.

use leptos::prelude::*;
use leptos_router::components::A;
use liaison_core::date::{human_date, Date};

use crate::components::empty::EmptyState;
use crate::state::use_app;

#[derive(Clone, PartialEq)]
struct Row {
    id: liaison_core::RecordId,
    text: String,
    owner: String,
    due: String,
    overdue: bool,
    meeting_id: String,
    meeting_title: String,
}

/// The follow-ups screen.
#[component]
pub fn FollowUps() -> impl IntoView {
    let app = use_app();
    let rows = Memo::new(move |_| {
        app.notebook.with(|nb| {
            nb.open_follow_ups(app.today)
                .into_iter()
                .filter_map(|f| {
                    Some(Row {
                        id: f.action.id?,
                        text: f.action.display_text(),
                        owner: f.action.owner,
                        due: f.action.due,
                        overdue: f.overdue,
                        meeting_id: f.meeting.id.map(|i| i.to_string()).unwrap_or_default(),
                        meeting_title: f.meeting.display_title(),
                    })
                })
                .collect::<Vec<_>>()
        })
    });
    let overdue_count = move || rows.with(|r| r.iter().filter(|r| r.overdue).count());
    view! {
        <section class="screen">
            <header class="screen-header">
                <div>
                    <h1>"Follow-ups"</h1>
                    <p class="muted">
                        {move || match (rows.with(Vec::len), overdue_count()) {
                            (0, _) => String::new(),
                            (n, 0) => format!("{n} open"),
                            (n, o) => format!("{n} open, {o} overdue"),
                        }}
                    </p>
                </div>
            </header>
            <Show
                when=move || rows.with(|r| !r.is_empty())
                fallback=|| view! {
                    <EmptyState title="Nothing to follow up" hint="Open actions from your meetings appear here, overdue ones first. Add them in a meeting with “Add action”." />
                }
            >
                <ul class="followup-list" aria-label="Open follow-ups">
                    <For each=move || rows.get() key=|r| (r.id, r.text.clone(), r.due.clone(), r.owner.clone(), r.meeting_title.clone()) let:row>
                        <li class="followup" class:overdue=row.overdue>
                            <button
                                type="button"
                                class="button done-button"
                                aria-label=format!("Mark done: {}", row.text)
                                on:click=move |_| app.set_done(row.id, true, true)
                            >
                                "Done"
                            </button>
                            <div class="followup-main">
                                <span class="row-title">{row.text.clone()}</span>
                                <span class="row-sub">
                                    <A href=format!("/meetings/{}", row.meeting_id)>{row.meeting_title.clone()}</A>
                                    {(!row.owner.is_empty()).then(|| format!(" · {}", row.owner))}
                                </span>
                            </div>
                            <span class="due">
                                {if row.overdue {
                                    view! { <span class="badge overdue">"Overdue"</span> }.into_any()
                                } else {
                                    ().into_any()
                                }}
                                {if Date::parse(&row.due).is_ok() {
                                    format!("Due {}", human_date(&row.due))
                                } else if row.due.is_empty() {
                                    "No due date".to_string()
                                } else {
                                    format!("Due “{}”", row.due)
                                }}
                            </span>
                        </li>
                    </For>
                </ul>
            </Show>
        </section>
    }
}
