//! The meeting editor: every field of one meeting, its participants and its follow-up actions.

use leptos::prelude::*;
use leptos_router::components::A;
use liaison_core::crdt::id::RecordId;
use liaison_core::model::Meeting;
use liaison_core::schema::Value;
use liaison_core::schema::{Field, Kind};
use liaison_core::text::Closeness;
use liaison_core::validate;

use crate::components::fields::{input_id, ConflictMarker, ListField, TextArea, TextField};
use crate::components::marking::MarkingField;
use crate::components::report::MeetingReport;
use crate::components::routed::{record_page, RecordHeader};
use crate::screens::follow_ups::{OwnerChoices, OWNER_CHOICES};
use crate::state::use_app;

/// The meeting editor screen.
#[component]
pub fn MeetingEditor() -> impl IntoView {
    record_page(Kind::Meeting, |id| view! { <MeetingForm id /> })
}

#[component]
fn MeetingForm(id: RecordId) -> impl IntoView {
    let app = use_app();
    let meeting = Memo::new(move |_| app.notebook.with(|nb| nb.meeting(id).unwrap_or_default()));
    let problems = Signal::derive(move || meeting.with(validate::meeting));
    // A new meeting is "New meeting" until it has a title, not "Untitled meeting", which is what a
    // stored meeting without one is called.
    let opened_new = app.notebook.with_untracked(|nb| nb.is_draft(id));
    let title = Signal::derive(move || {
        meeting.with(|m| if opened_new && m.title.trim().is_empty() { "New meeting".into() } else { m.display_title() })
    });
    let marking = Signal::derive(move || meeting.with(|m| m.marking.clone()));
    let is_new = meeting.with_untracked(|m| m.title.is_empty());
    view! {
        <section class="screen editor">
            <RecordHeader id kind=Kind::Meeting title marking />
            <MeetingReport id />
            <SeriesNote meeting />
            <form class="form-grid" on:submit=|ev| ev.prevent_default() aria-label="Meeting">
                <TextField id field=Field::Title class="span-all" autofocus=is_new problems />
                <TextField id field=Field::Date kind="date" problems />
                <TextField id field=Field::Start kind="time" problems />
                <TextField id field=Field::End kind="time" problems />
                <TextField id field=Field::Location class="span-2" />
                <MarkingField id class="span-all" />
                <ParticipantPicker meeting=id />
                <ListField id field=Field::Attendees hint="People who are not in your contacts; separate with commas" class="span-all" />
                <ListField id field=Field::Organisations class="span-2" />
                <ListField id field=Field::Nations />
                <TextArea id field=Field::Agenda class="span-all" rows=3 />
                <TextArea id field=Field::Notes class="span-all" rows=8 />
                <TextArea id field=Field::Decisions class="span-all" rows=3 />
                <ListField id field=Field::Tags class="span-all" />
            </form>
            <ActionsSection meeting=id />
        </section>
    }
}

/// For one changed meeting of a repeating series (imported from a calendar): which series it is of.
#[component]
fn SeriesNote(meeting: Memo<Meeting>) -> impl IntoView {
    let app = use_app();
    let series = Memo::new(move |_| {
        let id = meeting.with(|m| m.series)?;
        Some((id, app.notebook.with(|nb| nb.meeting(id).map(|s| s.display_title()))))
    });
    move || {
        series.get().map(|(id, title)| match title {
            Some(title) => view! {
                <p class="note">
                    "One meeting of the repeating series "
                    <A href=format!("/meetings/{id}")>{title}</A>
                    ", changed on its own in the calendar it came from."
                </p>
            }
            .into_any(),
            None => view! {
                <p class="note">"One meeting of a repeating series, changed on its own in the calendar it came from. The series itself is not in this notebook."</p>
            }
            .into_any(),
        })
    }
}

/// Participants: contacts picked by name, or created on the spot.
#[component]
fn ParticipantPicker(meeting: RecordId) -> impl IntoView {
    let app = use_app();
    let (query, set_query) = signal(String::new());
    let chosen = Memo::new(move |_| {
        app.notebook.with(|nb| {
            let meeting = nb.meeting(meeting).unwrap_or_default();
            nb.participants(&meeting)
                .into_iter()
                .filter_map(|c| Some((c.id?, c.display_name(), format!("Remove {}", c.display_name()))))
                .collect::<Vec<_>>()
        })
    });
    // (id, name, organisation, whether only near what was typed: a possible existing contact).
    let suggestions = Memo::new(move |_| {
        query.with(|q| {
            app.notebook.with(|nb| {
                nb.participant_suggestions(meeting, q, 6)
                    .into_iter()
                    .filter_map(|s| {
                        let near = s.closeness == Closeness::Near;
                        Some((s.contact.id?, s.contact.display_name(), s.contact.organisation, near))
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let anything_close = move || suggestions.with(|s| !s.is_empty());
    let add = move |cid: RecordId| {
        let list = app.notebook.with_untracked(|nb| nb.participants_adding(meeting, cid));
        app.set(meeting, Field::Participants, Value::List(list));
        set_query.set(String::new());
    };
    let remove = move |cid: RecordId| {
        let list = app.notebook.with_untracked(|nb| nb.participants_removing(meeting, cid));
        app.set(meeting, Field::Participants, Value::List(list));
    };
    let create = move || {
        let name = query.get_untracked();
        if name.trim().is_empty() {
            return;
        }
        if let Some(cid) = app.create_contact_named(&name) {
            add(cid);
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" {
            ev.prevent_default();
            // Enter adds a contact whose name holds what was typed. When the only ones are near it
            // (a possible existing contact), Enter creates nothing: the officer chooses, or clicks Create.
            match suggestions.with_untracked(|s| s.first().map(|(cid, _, _, near)| (*cid, *near))) {
                Some((cid, false)) => add(cid),
                Some((_, true)) => {}
                None => create(),
            }
        }
    };
    let dom_id = input_id(meeting, Field::Participants);
    view! {
        <div class="field span-all participants">
            <label for=dom_id.clone()>"Participants"</label>
            <ul class="chips" aria-label="Chosen participants">
                <For each=move || chosen.get() key=|(cid, name, _)| (*cid, name.clone()) let:item>
                    <li class="chip">
                        <A href=format!("/contacts/{}", item.0)>{item.1.clone()}</A>
                        <button
                            type="button"
                            class="chip-remove"
                            aria-label=item.2.clone()
                            on:click=move |_| remove(item.0)
                        >
                            "×"
                        </button>
                    </li>
                </For>
            </ul>
            <input
                id=dom_id.clone()
                type="text"
                autocomplete="off"
                placeholder="Type a name to add someone"
                aria-describedby=format!("{dom_id}-hint")
                prop:value=query
                on:input=move |ev| set_query.set(event_target_value(&ev))
                on:keydown=on_key
            />
            <ConflictMarker id=meeting field=Field::Participants dom_id=dom_id.clone() />
            <p class="hint" id=format!("{dom_id}-hint")>
                "Enter adds the first match. A new contact is made only when nobody close exists, or with Create."
            </p>
            <Show when=move || !query.with(|q| q.trim().is_empty())>
                <div class="suggestions" role="group" aria-label="Matching contacts">
                    <For each=move || suggestions.get() key=|(cid, _, _, near)| (*cid, *near) let:item>
                        <button type="button" class="suggestion" class:near=item.3 on:click=move |_| add(item.0)>
                            {item.3.then(|| view! { <span class="suggestion-tag">"Possible existing contact"</span> })}
                            {format!("Add {}", item.1)}
                            {(!item.2.is_empty()).then(|| view! { <span class="muted">{format!(" · {}", item.2)}</span> })}
                        </button>
                    </For>
                    <button type="button" class="suggestion create" on:click=move |_| create()>
                        {move || {
                            let name = query.get();
                            if anything_close() {
                                format!("Create a new contact “{}” anyway", name.trim())
                            } else {
                                format!("Create contact “{}”", name.trim())
                            }
                        }}
                    </button>
                </div>
            </Show>
        </div>
    }
}

/// The meeting's follow-up actions.
#[component]
fn ActionsSection(meeting: RecordId) -> impl IntoView {
    let app = use_app();
    let actions = Memo::new(move |_| {
        app.notebook.with(|nb| nb.actions_of(meeting).into_iter().filter_map(|a| a.id).collect::<Vec<_>>())
    });
    let (focus_new, set_focus_new) = signal(None::<RecordId>);
    let add = move |_| {
        if let Some(id) = app.add_action(meeting) {
            set_focus_new.set(Some(id));
        }
    };
    // A participant added a moment ago may be an action's owner: the choices are made again whenever
    // focus comes into this section.
    let owners_refresh = RwSignal::new(0u32);
    view! {
        <section class="actions" aria-labelledby="actions-heading" on:focusin=move |_| owners_refresh.update(|n| *n = n.wrapping_add(1))>
            <header class="section-header">
                <h2 id="actions-heading">"Follow-up actions"</h2>
                <button type="button" class="button" on:click=add>"Add action"</button>
            </header>
            <Show
                when=move || actions.with(|a| !a.is_empty())
                fallback=|| view! { <p class="muted">"No follow-up actions. Use “Add action” for anything promised in this meeting."</p> }
            >
                <OwnerChoices refresh=owners_refresh />
                <ul class="action-list">
                    <For each=move || actions.get() key=|id| *id let:id>
                        <ActionRow id autofocus=focus_new.get_untracked() == Some(id) />
                    </For>
                </ul>
            </Show>
        </section>
    }
}

#[component]
fn ActionRow(id: RecordId, autofocus: bool) -> impl IntoView {
    let app = use_app();
    let action = Memo::new(move |_| app.notebook.with(|nb| nb.action(id).unwrap_or_default()));
    let problems = Signal::derive(move || {
        action.with(validate::action).into_iter().filter(|p| p.field == Field::Due).collect::<Vec<_>>()
    });
    let done_id = input_id(id, Field::Done);
    view! {
        <li class="action-row" class:done=move || action.with(|a| a.done)>
            <div class="field check">
                <input
                    id=done_id.clone()
                    type="checkbox"
                    prop:checked=move || action.with(|a| a.done)
                    on:change=move |ev| app.set_done(id, event_target_checked(&ev), false)
                />
                <label for=done_id>"Done"</label>
            </div>
            <TextField id field=Field::Text class="grow" autofocus />
            <TextField id field=Field::Owner datalist=OWNER_CHOICES />
            <TextField id field=Field::Due kind="date" problems />
            <button
                type="button"
                class="icon-button"
                aria-label="Remove action"
                title="Remove action"
                on:click=move |_| app.delete(id, "follow-up action")
            >
                "×"
            </button>
        </li>
    }
}
