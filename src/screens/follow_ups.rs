//! Follow-ups: every open action, overdue first, windowed: only the rows on the screen are rendered.

use leptos::prelude::*;
use leptos_router::components::A;
use liaison_core::date::{human_date, Date};

use crate::components::empty::EmptyState;
use crate::components::window::Window;
use crate::state::use_app;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Row {
    /// Its place in the whole list.
    index: usize,
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
    let open = Memo::new(move |_| app.notebook.with(|nb| nb.open_follow_up_ids(app.today)));
    let win = Window::new(Signal::derive(move || open.with(Vec::len)));
    let rows = Memo::new(move |_| {
        let range = win.rows();
        app.notebook.with(|nb| {
            open.with(|open| {
                open[range.clone()]
                    .iter()
                    .zip(range)
                    .filter_map(|((id, _), index)| {
                        let f = nb.follow_up(*id, app.today)?;
                        Some(Row {
                            index,
                            id: *id,
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
        })
    });
    let overdue_count = move || open.with(|r| r.iter().filter(|(_, overdue)| *overdue).count());
    view! {
        <section class="screen">
            <header class="screen-header">
                <div>
                    <h1>"Follow-ups"</h1>
                    <p class="muted">
                        {move || match (open.with(Vec::len), overdue_count()) {
                            (0, _) => String::new(),
                            (n, 0) => format!("{n} open"),
                            (n, o) => format!("{n} open, {o} overdue"),
                        }}
                    </p>
                </div>
            </header>
            <Show
                when=move || open.with(|r| !r.is_empty())
                fallback=|| view! {
                    <EmptyState title="Nothing to follow up" hint="Open actions from your meetings appear here, overdue ones first. Add them in a meeting with “Add action”." />
                }
            >
                <div class="windowed" node_ref=win.node() on:keydown=move |ev| win.on_keydown(ev)>
                    <ul
                        class="followup-list"
                        aria-label="Open follow-ups"
                        style:padding-top=move || win.space_before()
                        style:padding-bottom=move || win.space_after()
                    >
                        <For each=move || rows.get() key=|r| r.clone() let:row>
                            <li
                                class="followup"
                                class:overdue=row.overdue
                                data-index=row.index
                                aria-setsize=move || win.row_count()
                                aria-posinset=row.index + 1
                            >
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
                </div>
            </Show>
        </section>
    }
}
