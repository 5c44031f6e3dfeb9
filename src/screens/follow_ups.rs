//! Follow-ups: the actions of every meeting in groups (Overdue, This week, Later, and Completed when asked
//! for), filtered by the bar above them. Each group is windowed: only the rows on the screen are rendered.

use leptos::prelude::*;
use leptos_router::components::A;
use liaison_core::crdt::id::RecordId;
use liaison_core::date::{human_date, Date};
use liaison_core::queries::{self, count_phrase, FollowUpFilter, Group, THIS_WEEK_DAYS};
use liaison_core::text::plural;

use crate::components::empty::EmptyState;
use crate::components::filters::{query_pairs, FollowUpFilterBar};
use crate::components::window::Window;
use crate::state::use_app;

/// The id of the datalist of owners (contacts and officers) that an action's Owner field offers.
pub const OWNER_CHOICES: &str = "owner-choices";

/// The owners an action's Owner field offers: this device's officer, the officers the notebook knows and
/// the contacts. Render it once where Owner fields are; they still take any other text. The list is
/// made when it is rendered and again at each `refresh` (focus coming into the Owner fields' section),
/// not on every edit of the notebook: every keystroke is one, and the list reads every contact.
#[component]
pub fn OwnerChoices(#[prop(into)] refresh: Signal<u32>) -> impl IntoView {
    let app = use_app();
    let choices = Memo::new(move |_| {
        refresh.track();
        let me = app.device.with_untracked(|d| d.officer.clone());
        app.notebook.with_untracked(|nb| queries::owner_choices(nb, &me))
    });
    view! {
        <datalist id=OWNER_CHOICES>
            {move || choices.get().into_iter().map(|c| view! { <option value=c></option> }).collect_view()}
        </datalist>
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Row {
    /// Its place in its group.
    index: usize,
    id: RecordId,
    text: String,
    owner: String,
    due: String,
    done: bool,
    meeting_id: String,
    meeting_title: String,
}

/// The follow-ups screen.
#[component]
pub fn FollowUps() -> impl IntoView {
    let app = use_app();
    let pairs = query_pairs();
    let filter = Memo::new(move |_| pairs.with(|p| FollowUpFilter::from_query_pairs(p)));
    let groups = Memo::new(move |_| {
        let me = app.device.with(|d| d.officer.clone());
        app.notebook.with(|nb| filter.with(|f| f.groups(nb, &me, app.today)))
    });
    // Every open action, whatever the filters: the count the filtered one is "of".
    let open = Memo::new(move |_| app.notebook.with(|nb| nb.open_follow_up_ids(app.today)));
    let any_done = Memo::new(move |_| {
        let everything = FollowUpFilter { completed: true, ..Default::default() };
        app.notebook.with(|nb| everything.groups(nb, "", app.today).last().is_some_and(|g| !g.ids.is_empty()))
    });
    let count = move |group: Group| groups.with(|g| g.iter().find(|g| g.group == group).map_or(0, |g| g.ids.len()));
    let shown_open = move || count(Group::Overdue) + count(Group::ThisWeek) + count(Group::Later);
    let shown = move || shown_open() + count(Group::Completed);
    let summary = move || {
        let total = open.with(Vec::len);
        if total == 0 {
            return String::new();
        }
        let open_text = count_phrase(shown_open(), total, "open", "open");
        match count(Group::Overdue) {
            0 => open_text,
            n => format!("{open_text}, {n} overdue"),
        }
    };
    let narrows = move || filter.with(FollowUpFilter::narrows);
    view! {
        <section class="screen">
            <header class="screen-header">
                <div>
                    <h1>"Follow-ups"</h1>
                    <p class="muted">{summary}</p>
                </div>
            </header>
            <Show when=move || open.with(|o| !o.is_empty()) || any_done.get() || narrows()>
                <FollowUpFilterBar />
            </Show>
            {move || match (shown() == 0, narrows()) {
                (true, true) => view! {
                    <EmptyState title="No follow-ups match these filters" hint="Change or clear the filters above to see more." />
                }.into_any(),
                (true, false) => view! {
                    <EmptyState title="Nothing to follow up" hint="Open actions from your meetings appear here, overdue ones first. Add them in a meeting with “Add action”." />
                }.into_any(),
                (false, _) => ().into_any(),
            }}
            <div class="followup-groups">
                {[Group::Overdue, Group::ThisWeek, Group::Later, Group::Completed]
                    .into_iter()
                    .map(|group| {
                        let ids = Memo::new(move |_| {
                            groups.with(|g| g.iter().find(|g| g.group == group).map(|g| g.ids.clone()).unwrap_or_default())
                        });
                        view! {
                            <Show when=move || ids.with(|i| !i.is_empty())>
                                <GroupSection group ids />
                            </Show>
                        }
                    })
                    .collect_view()}
            </div>
        </section>
    }
}

/// The id of a group's heading.
fn heading_id(group: Group) -> &'static str {
    match group {
        Group::Overdue => "group-overdue",
        Group::ThisWeek => "group-this-week",
        Group::Later => "group-later",
        Group::Completed => "group-completed",
    }
}

/// One group: its heading with its count, and its actions, windowed.
#[component]
fn GroupSection(group: Group, ids: Memo<Vec<RecordId>>) -> impl IntoView {
    let app = use_app();
    let win = Window::new(Signal::derive(move || ids.with(Vec::len)));
    let rows = Memo::new(move |_| {
        let range = win.rows();
        app.notebook.with(|nb| {
            ids.with(|ids| {
                ids[range.clone()]
                    .iter()
                    .zip(range)
                    .filter_map(|(id, index)| {
                        let a = nb.action(*id)?;
                        let meeting = a.meeting.and_then(|m| nb.meeting(m))?;
                        Some(Row {
                            index,
                            id: *id,
                            text: a.display_text(),
                            owner: a.owner,
                            due: a.due,
                            done: a.done,
                            meeting_id: meeting.id.map(|i| i.to_string()).unwrap_or_default(),
                            meeting_title: meeting.display_title(),
                        })
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let range = (group == Group::ThisWeek)
        .then(|| format!("until {}", human_date(&app.today.add_days(THIS_WEEK_DAYS - 1).to_string())));
    let list_label = format!("{} follow-ups", group.label());
    let overdue = group == Group::Overdue;
    view! {
        <section class="followup-group" class:overdue-group=overdue aria-labelledby=heading_id(group)>
            <h2 class="group-heading" id=heading_id(group)>
                <span>{group.label()}</span>
                <span class="group-count" aria-label=move || plural(ids.with(Vec::len), "action", "actions")>
                    {move || ids.with(Vec::len)}
                </span>
                {range.map(|r| view! { <span class="group-range">{r}</span> })}
            </h2>
            <div class="windowed" node_ref=win.node() on:keydown=move |ev| win.on_keydown(ev)>
                <ul
                    class="followup-list"
                    aria-label=list_label
                    style:padding-top=move || win.space_before()
                    style:padding-bottom=move || win.space_after()
                >
                    <For each=move || rows.get() key=|r| r.clone() let:row>
                        <FollowUpRow row overdue set_size=Signal::derive(move || win.row_count()) />
                    </For>
                </ul>
            </div>
        </section>
    }
}

#[component]
fn FollowUpRow(row: Row, overdue: bool, set_size: Signal<usize>) -> impl IntoView {
    let app = use_app();
    let id = row.id;
    let done = row.done;
    let due = if Date::parse(&row.due).is_ok() {
        format!("Due {}", human_date(&row.due))
    } else if row.due.is_empty() {
        "No due date".to_string()
    } else {
        format!("Due “{}”", row.due)
    };
    view! {
        <li
            class="followup"
            class:overdue=overdue
            class:completed=done
            data-index=row.index
            aria-setsize=move || set_size.get()
            aria-posinset=row.index + 1
        >
            <button
                type="button"
                class="button done-button"
                aria-label=format!("{}: {}", if done { "Reopen" } else { "Mark done" }, row.text)
                on:click=move |_| app.set_done(id, !done, true)
            >
                {if done { "Reopen" } else { "Done" }}
            </button>
            <div class="followup-main">
                <span class="row-title">{row.text.clone()}</span>
                <span class="row-sub">
                    <A href=format!("/meetings/{}", row.meeting_id)>{row.meeting_title.clone()}</A>
                    {(!row.owner.is_empty()).then(|| view! { <span class="followup-owner">{format!(" · {}", row.owner)}</span> })}
                </span>
            </div>
            <span class="due">
                {overdue.then(|| view! { <span class="badge overdue">"Overdue"</span> })}
                {done.then(|| view! { <span class="badge completed">"Done"</span> })}
                {due}
            </span>
        </li>
    }
}
