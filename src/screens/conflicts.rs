//! Conflicts: every value that two officers changed without seeing each other's edit, side by side.
//! Choosing is a new edit that has seen both, so it settles the conflict on every device that imports it.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;
use liaison_core::crdt::id::RecordId;
use liaison_core::crdt::record::{Conflict, Entry, Record};
use liaison_core::diff::{self, Change};
use liaison_core::model::{Action, Contact, Meeting};
use liaison_core::queries::conflicts::{anchor, combine_both, is_long_text, officer};
use liaison_core::schema::Value;
use liaison_core::schema::{Field, Kind, Shape};
use liaison_core::Notebook;

use crate::components::empty::EmptyState;
use crate::components::fields::split_list;
use crate::components::time::human_time;
use crate::state::use_app;

#[derive(Clone, PartialEq)]
struct Side {
    value: Value,
    shown: String,
    author: String,
    when: String,
}

#[derive(Clone, PartialEq)]
enum Row {
    Field { id: RecordId, href: String, title: String, field: Field, sides: Vec<Side> },
    Life { id: RecordId, href: String, title: String, deleted_by: String, edits: Vec<String> },
}

fn title_of(nb: &Notebook, r: &Record) -> (String, String) {
    match r.kind {
        Kind::Contact => {
            (format!("Contact “{}”", Contact::from_record(r).display_name()), format!("/contacts/{}", r.id))
        }
        Kind::Meeting => {
            (format!("Meeting “{}”", Meeting::from_record(r).display_title()), format!("/meetings/{}", r.id))
        }
        Kind::Action => {
            let meeting = r.text("meeting");
            let in_meeting =
                meeting.parse().ok().and_then(|m| nb.meeting(m)).map(|m| m.display_title()).unwrap_or_default();
            (
                format!("Action “{}” of {in_meeting}", Action::from_record(r).display_text()),
                format!("/meetings/{meeting}"),
            )
        }
    }
}

fn side(nb: &Notebook, e: &Entry) -> Side {
    let shown = match &e.value {
        Value::Text(s) if s.is_empty() => "(empty)".into(),
        Value::List(l) if l.is_empty() => "(empty)".into(),
        v => v.display(),
    };
    Side { value: e.value.clone(), shown, author: officer(nb, e.stamp.device), when: human_time(e.stamp.wall_ms) }
}

fn rows(nb: &Notebook) -> Vec<Row> {
    nb.conflicts()
        .into_iter()
        .filter_map(|(id, c)| {
            let r = nb.record(id)?;
            let (title, href) = title_of(nb, r);
            Some(match c {
                Conflict::Life { entries } => Row::Life {
                    id,
                    href,
                    title,
                    deleted_by: entries
                        .iter()
                        .find(|e| e.value.as_bool())
                        .map(|e| nb.author(e.stamp.device))
                        .unwrap_or_default(),
                    edits: entries
                        .iter()
                        .filter(|e| !e.value.as_bool())
                        .map(|e| format!("restored by {}", nb.author(e.stamp.device)))
                        .collect(),
                },
                Conflict::Field { field, entries } => {
                    let field = Field::from_key(&field)?;
                    Row::Field { id, href, title, field, sides: entries.iter().map(|e| side(nb, e)).collect() }
                }
                Conflict::EditedAfterDelete { deletion, edits } => Row::Life {
                    id,
                    href,
                    title,
                    deleted_by: format!(
                        "{} on {}",
                        nb.author(deletion.stamp.device),
                        human_time(deletion.stamp.wall_ms)
                    ),
                    edits: edits
                        .iter()
                        .map(|(f, e)| {
                            let label = Field::from_key(f).map(|f| f.label()).unwrap_or(f.as_str());
                            format!(
                                "{label} edited by {} on {}",
                                nb.author(e.stamp.device),
                                human_time(e.stamp.wall_ms)
                            )
                        })
                        .collect(),
                },
            })
        })
        .collect()
}

/// The conflicts screen.
#[component]
pub fn Conflicts() -> impl IntoView {
    let app = use_app();
    let rows = Memo::new(move |_| app.notebook.with(rows));
    view! {
        <section class="screen">
            <header class="screen-header">
                <div>
                    <h1>"Conflicts"</h1>
                    <p class="muted">"Two officers changed the same thing without seeing each other's edit. Until you choose, the newer value is shown and the other is kept here."</p>
                </div>
            </header>
            <Show
                when=move || rows.with(|r| !r.is_empty())
                fallback=|| view! {
                    <EmptyState title="No conflicts" hint="When imported bundles disagree about a value, both versions appear here for you to choose." />
                }
            >
                <ul class="conflict-list">
                    {move || rows.get().into_iter().map(|row| view! { <ConflictCard row /> }).collect_view()}
                </ul>
            </Show>
        </section>
    }
}

/// A value as the new-value box shows it: a list as items separated by commas.
fn editable(value: &Value) -> String {
    match value {
        Value::List(items) => items.join(", "),
        v => v.display(),
    }
}

/// The word-level difference between the other version and the one shown: struck through what only the
/// other has, underlined what only the shown one has.
#[component]
fn WordDiff(other: String, shown: String) -> impl IntoView {
    let pieces = diff::words(&other, &shown);
    view! {
        <div class="word-diff" role="group" aria-label="Differences between the versions">
            <p class="word-diff-legend muted">
                <del>"only in the other version"</del>" · "<ins>"only in the version shown"</ins>
            </p>
            <p class="word-diff-text">
                {pieces.into_iter().map(|p| match p.change {
                    Change::Same => view! { <span>{p.text}</span> }.into_any(),
                    Change::Removed => view! { <del>{p.text}</del> }.into_any(),
                    Change::Added => view! { <ins>{p.text}</ins> }.into_any(),
                }).collect_view()}
            </p>
        </div>
    }
}

#[component]
fn ConflictCard(row: Row) -> impl IntoView {
    let app = use_app();
    match row {
        Row::Field { id, href, title, field, sides } => {
            let shown = sides.first().map(|s| editable(&s.value)).unwrap_or_default();
            let (draft, set_draft) = signal(shown.clone());
            let input_id = format!("new-{}-{id}", field.key());
            let label = format!("New value for {}", field.label());
            let free_text = field.shape() != Shape::Flag;
            let long = is_long_text(field);
            let save = move |_| {
                let text = draft.get_untracked();
                let value = match field.shape() {
                    Shape::List => Value::List(split_list(&text)),
                    _ => Value::Text(text),
                };
                app.resolve(id, field, value);
            };
            let versions: Vec<(String, Value)> =
                sides.iter().map(|s| (format!("{}, {}", s.author, s.when), s.value.clone())).collect();
            let combine = move |_| set_draft.set(editable(&combine_both(field, &versions)));
            let difference = (long && sides.len() == 2).then(|| {
                let (shown, other) = (sides[0].value.display(), sides[1].value.display());
                view! { <WordDiff other shown /> }
            });
            let card = NodeRef::<leptos::html::Li>::new();
            let anchor = anchor(id, field);
            let wanted = anchor.clone();
            let location = use_location();
            // The editors' "compare" link leads here; a routed page does not scroll to its anchor itself.
            Effect::new(move |_| {
                let hash = location.hash.get();
                if let (true, Some(el)) = (hash.trim_start_matches('#') == wanted, card.get()) {
                    el.scroll_into_view();
                    let _ = el.focus();
                }
            });
            view! {
                <li class="conflict-card" id=anchor node_ref=card tabindex="-1">
                    <h2><A href=href>{title}</A></h2>
                    <p class="conflict-field">{field.label()}</p>
                    <div class="sides">
                        {sides.into_iter().enumerate().map(|(i, s)| {
                            let value = s.value.clone();
                            let aria = format!("Keep “{}” for {}", s.shown, field.label());
                            view! {
                                <div class="side">
                                    <p class="side-tag">{if i == 0 { "Shown now" } else { "Other version" }}</p>
                                    <p class="side-value" class:long=long>{s.shown.clone()}</p>
                                    <p class="side-meta">{format!("by {}", s.author)}<br />{format!("on {}", s.when)}</p>
                                    <button type="button" class="button" aria-label=aria on:click=move |_| app.resolve(id, field, value.clone())>
                                        "Keep this"
                                    </button>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                    {difference}
                    {free_text.then(|| view! {
                        <div class="new-value" class:long=long>
                            <div class="field grow">
                                <label for=input_id.clone()>{label}</label>
                                {if long {
                                    view! {
                                        <textarea id=input_id rows="6" prop:value=draft on:input=move |ev| set_draft.set(event_target_value(&ev))></textarea>
                                    }.into_any()
                                } else {
                                    view! {
                                        <input id=input_id type="text" prop:value=draft on:input=move |ev| set_draft.set(event_target_value(&ev)) />
                                    }.into_any()
                                }}
                            </div>
                            <div class="new-value-actions">
                                <button type="button" class="button" on:click=combine>"Combine both"</button>
                                <button type="button" class="button primary" on:click=save>"Use this value"</button>
                            </div>
                        </div>
                    })}
                </li>
            }
            .into_any()
        }
        Row::Life { id, href, title, deleted_by, edits } => view! {
            <li class="conflict-card">
                <h2><A href=href>{title}</A></h2>
                <p class="conflict-field">"Edited after it was deleted elsewhere"</p>
                <p>{format!("Deleted by {deleted_by}, while:")}</p>
                <ul class="edits">{edits.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
                <div class="preview-actions">
                    <button type="button" class="button primary" on:click=move |_| app.restore_record(id)>"Restore"</button>
                    <button type="button" class="button danger-outline" on:click=move |_| app.keep_deleted(id)>"Keep deleted"</button>
                </div>
            </li>
        }
        .into_any(),
    }
}
