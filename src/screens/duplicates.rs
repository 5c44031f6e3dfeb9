//! Duplicate contacts: pairs that may be one person, merged only when a person says so, field by field.

use std::collections::BTreeMap;

use leptos::prelude::*;
use liaison_core::model::Contact;
use liaison_core::queries::duplicates::{candidates, default_choice, merge_fields, merge_values, Candidate, Choice};
use liaison_core::schema::{Field, Shape};

use crate::components::empty::EmptyState;
use crate::state::use_app;

fn summary(c: &Contact) -> String {
    let subtitle = c.subtitle();
    if subtitle.is_empty() {
        c.display_name()
    } else {
        format!("{} · {subtitle}", c.display_name())
    }
}

/// The duplicates screen.
#[component]
pub fn Duplicates() -> impl IntoView {
    let app = use_app();
    let list = Memo::new(move |_| app.notebook.with(|nb| app.not_duplicates.with(|nd| candidates(nb, nd))));
    view! {
        <section class="screen">
            <header class="screen-header">
                <div>
                    <h1>"Duplicate contacts"</h1>
                    <p class="muted">"Officers often record the same person separately. These pairs share an email, a phone number or a name. Nothing is merged unless you choose to."</p>
                </div>
            </header>
            <Show
                when=move || list.with(|l| !l.is_empty())
                fallback=|| view! {
                    <EmptyState title="No likely duplicates" hint="Contacts with the same email, phone number or name would be suggested here." />
                }
            >
                <ul class="conflict-list">
                    <For each=move || list.get() key=|c| (c.a, c.b) let:candidate>
                        <PairCard candidate />
                    </For>
                </ul>
            </Show>
        </section>
    }
}

#[component]
fn PairCard(candidate: Candidate) -> impl IntoView {
    let app = use_app();
    let Candidate { a, b, reasons } = candidate;
    let first = Memo::new(move |_| app.notebook.with(|nb| nb.contact(a).unwrap_or_default()));
    let second = Memo::new(move |_| app.notebook.with(|nb| nb.contact(b).unwrap_or_default()));
    let (open, set_open) = signal(false);
    let choices = RwSignal::new(BTreeMap::<Field, Choice>::new());
    let choice_of = move |f: Field| {
        choices.with(|c| c.get(&f).copied()).unwrap_or_else(|| first.with(|x| second.with(|y| default_choice(x, y, f))))
    };
    let merge = move |_| {
        let (x, y) = (first.get_untracked(), second.get_untracked());
        let values = choices.with_untracked(|c| merge_values(&x, &y, c));
        let name = x.display_name();
        app.prompts.confirm.set(Some(crate::state::ConfirmRequest {
            title: "Merge these contacts?".into(),
            message: format!("“{}” will hold the chosen values, and meetings that name either contact will name it. The other record is deleted, with a pointer to it.", name),
            confirm_label: "Merge",
            on_confirm: Callback::new(move |_| app.merge_contacts(a, b, values.clone())),
        }));
    };
    let reasons = reasons.iter().map(|r| r.describe()).collect::<Vec<_>>().join("; ");
    view! {
        <li class="conflict-card">
            <h2>{move || format!("{}  —  {}", summary(&first.get()), summary(&second.get()))}</h2>
            <p class="muted">{format!("Why suggested: {reasons}.")}</p>
            <div class="preview-actions">
                <button type="button" class="button primary" aria-expanded=move || open.get().to_string() on:click=move |_| set_open.update(|o| *o = !*o)>
                    "Compare and merge"
                </button>
                <button type="button" class="button" on:click=move |_| app.not_duplicates(a, b)>"Not the same person"</button>
            </div>
            <Show when=move || open.get()>
                <table class="compare">
                    <thead>
                        <tr><th scope="col">"Field"</th><th scope="col">"First record"</th><th scope="col">"Second record"</th><th scope="col">"Both"</th></tr>
                    </thead>
                    <tbody>
                        {merge_fields().map(|f| {
                            let name = format!("choice-{}-{}-{}", f.key(), a, b);
                            let cell = move |c: Choice, text: Signal<String>| {
                                let name = name.clone();
                                view! {
                                    <td>
                                        <label class="choice compact">
                                            <input
                                                type="radio"
                                                name=name
                                                prop:checked=move || choice_of(f) == c
                                                on:change=move |_| choices.update(|m| { m.insert(f, c); })
                                            />
                                            <span>{move || { let t = text.get(); if t.trim().is_empty() { "(empty)".to_string() } else { t } }}</span>
                                        </label>
                                    </td>
                                }
                            };
                            let x = Signal::derive(move || first.with(|c| c.value(f)).map(|v| v.display()).unwrap_or_default());
                            let y = Signal::derive(move || second.with(|c| c.value(f)).map(|v| v.display()).unwrap_or_default());
                            view! {
                                <tr>
                                    <th scope="row">{f.label()}</th>
                                    {cell(Choice::First, x)}
                                    {cell(Choice::Second, y)}
                                    {if f.shape() == Shape::List { cell(Choice::Both, Signal::stored("Both".to_string())).into_any() } else { view! { <td></td> }.into_any() }}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <button type="button" class="button primary" on:click=merge>"Merge into one contact"</button>
            </Show>
        </li>
    }
}
