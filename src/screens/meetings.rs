//! Meetings: every meeting, newest first, windowed: only the rows on the screen are rendered.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use liaison_core::date::human_date;
use liaison_core::model::{Contact, Meeting};
use liaison_core::queries::ListFilter;
use liaison_core::schema::Kind;
use liaison_core::Notebook;

use crate::components::empty::EmptyState;
use crate::components::filters::{query_pairs, FilterBar};
use crate::components::marking::{marking_class, MarkingTag};
use crate::components::window::Window;
use crate::state::use_app;

/// One row of the list, computed from core data.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Row {
    /// Its place in the whole list.
    index: usize,
    id: String,
    title: String,
    when: String,
    people: String,
    marking: String,
    class: String,
}

/// The meetings list.
#[component]
pub fn MeetingsList() -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let pairs = query_pairs();
    let filter = Memo::new(move |_| pairs.with(|p| ListFilter::from_query_pairs(p)));
    let ids = Memo::new(move |_| app.notebook.with(|nb| filter.with(|f| f.meeting_ids(nb))));
    let total = Memo::new(move |_| match filter.with(ListFilter::is_empty) {
        true => ids.with(Vec::len),
        false => app.notebook.with(|nb| ListFilter::default().meeting_ids(nb).len()),
    });
    let win = Window::new(Signal::derive(move || ids.with(Vec::len)));
    let rows = Memo::new(move |_| {
        let range = win.rows();
        app.notebook.with(|nb| {
            ids.with(|ids| {
                ids[range.clone()]
                    .iter()
                    .zip(range)
                    .filter_map(|(id, index)| Some(row(nb, index, nb.meeting(*id)?)))
                    .collect::<Vec<_>>()
            })
        })
    });
    let new_meeting = move |_| {
        if let Some(id) = app.create_draft(Kind::Meeting) {
            navigate(&crate::components::routed::draft_href(Kind::Meeting, id), Default::default());
        }
    };
    view! {
        <section class="screen">
            <header class="screen-header">
                <h1>"Meetings"</h1>
                <button type="button" class="button primary" on:click=new_meeting>"New meeting"</button>
            </header>
            <Show when={move || total.get() > 0}>
                <FilterBar path="/meetings" />
            </Show>
            <Show when={move || total.get() > 0 && ids.with(Vec::is_empty)}>
                <EmptyState title="No meetings match these filters" hint="Change or clear the filters above to see more." />
            </Show>
            <Show
                when={move || ids.with(|r| !r.is_empty())}
                fallback=move || (total.get() == 0).then(|| view! {
                    <EmptyState title="No meetings yet" hint="Record a meeting while it happens: choose “New meeting”, then type. Everything saves as you go, with or without a network." />
                })
            >
                <div class="windowed" node_ref=win.node() on:keydown=move |ev| win.on_keydown(ev)>
                    <ul
                        class="record-list"
                        aria-label="Meetings"
                        style:padding-top=move || win.space_before()
                        style:padding-bottom=move || win.space_after()
                    >
                        <For each=move || rows.get() key=|r| r.clone() let:row>
                            <li
                                class=row.class.clone()
                                data-index=row.index
                                aria-setsize=move || win.row_count()
                                aria-posinset=row.index + 1
                            >
                                <A href=format!("/meetings/{}", row.id)>
                                    <span class="row-when">{row.when.clone()}</span>
                                    <span class="row-main">
                                        <span class="row-title">{row.title.clone()}</span>
                                        <span class="row-sub">
                                            {if row.people.is_empty() { "No participants yet".to_string() } else { row.people.clone() }}
                                        </span>
                                    </span>
                                    <MarkingTag marking=row.marking.clone() />
                                </A>
                            </li>
                        </For>
                    </ul>
                </div>
            </Show>
        </section>
    }
}

/// The row of meeting `m`, at `index` in the list.
fn row(nb: &Notebook, index: usize, m: Meeting) -> Row {
    let mut people: Vec<String> = nb.participants(&m).iter().map(Contact::display_name).collect();
    people.extend(m.attendees.iter().cloned());
    let when = match (m.date.is_empty(), m.start.is_empty()) {
        (true, _) => "No date".to_string(),
        (false, true) => human_date(&m.date),
        (false, false) => format!("{} · {}", human_date(&m.date), m.start),
    };
    Row {
        index,
        id: m.id.map(|i| i.to_string()).unwrap_or_default(),
        title: m.display_title(),
        when,
        people: people.join(", "),
        class: format!("record-row {}", marking_class(&m.marking)),
        marking: m.marking,
    }
}
