//! Duplicate contacts: pairs that may be one person, merged only when a person says so, field by field.

use std::collections::BTreeMap;

use leptos::prelude::*;
use liaison_core::model::Contact;
use liaison_core::queries::duplicates::{
    candidates, default_choice, differs, merge_fields, merge_values, offers_both, recorded, Candidate, Choice,
};
use liaison_core::schema::{Field, Value};

use crate::components::empty::EmptyState;
use crate::components::time::human_time;
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
                    <p class="muted">"Officers often record the same person separately. These pairs share an email, a phone number, or a name spelled alike or nearly alike. Nothing is merged unless you choose to."</p>
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

/// Who recorded a contact and when, as the merge's notes and column heads name them.
fn recorded_label(nb: &liaison_core::Notebook, id: liaison_core::RecordId) -> String {
    recorded(nb, id).map(|(who, when)| format!("{who}, {}", human_time(when))).unwrap_or_default()
}

fn shown(v: Option<Value>) -> String {
    v.map(|v| v.display()).unwrap_or_default()
}

#[component]
fn PairCard(candidate: Candidate) -> impl IntoView {
    let app = use_app();
    let Candidate { a, b, reasons } = candidate;
    let first = Memo::new(move |_| app.notebook.with(|nb| nb.contact(a).unwrap_or_default()));
    let second = Memo::new(move |_| app.notebook.with(|nb| nb.contact(b).unwrap_or_default()));
    let labels = Memo::new(move |_| app.notebook.with(|nb| [recorded_label(nb, a), recorded_label(nb, b)]));
    let (open, set_open) = signal(false);
    let choices = RwSignal::new(BTreeMap::<Field, Choice>::new());
    let choice_of = move |f: Field| {
        choices.with(|c| c.get(&f).copied()).unwrap_or_else(|| first.with(|x| second.with(|y| default_choice(x, y, f))))
    };
    let merged = move || {
        let (x, y) = (first.get(), second.get());
        let [la, lb] = labels.get();
        choices.with(|c| merge_values(&x, &y, c, [&la, &lb]))
    };
    let aliases_kept = move || {
        merged().into_iter().find(|(f, _)| *f == Field::Aliases).map(|(_, v)| v.as_list().to_vec()).unwrap_or_default()
    };
    let merge = move |_| {
        let values = merged();
        let name = first.with_untracked(|x| x.display_name());
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
            <p class="recorded muted">
                {move || { let [la, lb] = labels.get(); format!("First recorded by {la}; second recorded by {lb}.") }}
            </p>
            <div class="preview-actions">
                <button type="button" class="button primary" aria-expanded=move || open.get().to_string() on:click=move |_| set_open.update(|o| *o = !*o)>
                    "Compare and merge"
                </button>
                <button type="button" class="button" on:click=move |_| app.not_duplicates(a, b)>"Not the same person"</button>
            </div>
            <Show when=move || open.get()>
                <div class="compare-scroll">
                <table class="compare">
                    <thead>
                        <tr>
                            <th scope="col">"Field"</th>
                            <th scope="col">"First record"<span class="col-meta">{move || labels.get()[0].clone()}</span></th>
                            <th scope="col">"Second record"<span class="col-meta">{move || labels.get()[1].clone()}</span></th>
                            <th scope="col" class="both-col">"Both"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {merge_fields().map(|f| {
                            let name = format!("choice-{}-{}-{}", f.key(), a, b);
                            let cell = move |c: Choice, text: Signal<String>| {
                                let name = name.clone();
                                view! {
                                    <td class:both-col=c == Choice::Both>
                                        <label class="choice compact">
                                            <input
                                                type="radio"
                                                name=name
                                                prop:checked=move || choice_of(f) == c
                                                on:change=move |_| choices.update(|m| { m.insert(f, c); })
                                            />
                                            <span class="choice-text">{move || { let t = text.get(); if t.trim().is_empty() { "(empty)".to_string() } else { t } }}</span>
                                        </label>
                                    </td>
                                }
                            };
                            let x = Signal::derive(move || first.with(|c| shown(c.value(f))));
                            let y = Signal::derive(move || second.with(|c| shown(c.value(f))));
                            let same = move || first.with(|x| second.with(|y| !differs(x, y, f)));
                            let both_blank = move || same() && x.with(|t| t.trim().is_empty());
                            let cells = move || {
                                if same() {
                                    return view! {
                                        <td colspan="3" class="same-value">
                                            <span class="choice-text">{move || x.get()}</span>
                                            <span class="muted">" · the same in both"</span>
                                        </td>
                                    }
                                    .into_any();
                                }
                                let both = if f == Field::Notes { "Both, each under who recorded it" } else { "Both" };
                                view! {
                                    {cell.clone()(Choice::First, x)}
                                    {cell.clone()(Choice::Second, y)}
                                    {if offers_both(f) {
                                        cell.clone()(Choice::Both, Signal::stored(both.to_string())).into_any()
                                    } else {
                                        view! { <td class="both-col"></td> }.into_any()
                                    }}
                                }
                                .into_any()
                            };
                            view! {
                                <tr class:same=same hidden=both_blank>
                                    <th scope="row">{f.label()}</th>
                                    {cells}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
                <p class="muted aliases-kept">
                    {move || {
                        let kept = aliases_kept();
                        if kept.is_empty() {
                            String::new()
                        } else {
                            format!("Also known as, after the merge: {}. Search and the participant picker find the contact by these names too.", kept.join(", "))
                        }
                    }}
                </p>
                <button type="button" class="button primary" on:click=merge>"Merge into one contact"</button>
            </Show>
        </li>
    }
}
