//! How markings look: a coloured band on every record that carries one, and the picker that writes
//! them: a classification level and the nations a record is releasable to.

use leptos::prelude::*;
use liaison_core::crdt::id::RecordId;
use liaison_core::marking::{
    compose_marking, marking_level, marking_parts, nation_name, picker_can_edit, MarkingLevel, LEVELS, NATIONS,
};
use liaison_core::schema::{Field, Value};

use crate::components::fields::input_id;
use crate::state::use_app;

/// The id of the datalist with common markings, rendered once by the shell.
pub const MARKING_OPTIONS: &str = "marking-options";

const SUGGESTIONS: [&str; 7] =
    ["UNCLASSIFIED", "NATO UNCLASSIFIED", "RESTRICTED", "NATO RESTRICTED", "CONFIDENTIAL", "REL TO ", "SECRET"];

/// The CSS class for a marking's colour.
pub fn marking_class(marking: &str) -> &'static str {
    match marking_level(marking) {
        MarkingLevel::None => "marking-none",
        MarkingLevel::Open => "marking-open",
        MarkingLevel::Restricted => "marking-restricted",
        MarkingLevel::Confidential => "marking-confidential",
        MarkingLevel::Secret => "marking-secret",
        MarkingLevel::Other => "marking-other",
    }
}

/// The marking as a small label, or nothing when unmarked.
#[component]
pub fn MarkingTag(#[prop(into)] marking: Signal<String>) -> impl IntoView {
    move || {
        let m = marking.get();
        let class = format!("marking-tag {}", marking_class(&m));
        // A long label is cut short in a list row, so the whole of it is in the title.
        (!m.trim().is_empty()).then(|| {
            let title = m.clone();
            view! { <span class=class title=title>{m}</span> }
        })
    }
}

/// The band across the top of a record's page, naming its marking.
#[component]
pub fn MarkingBand(#[prop(into)] marking: Signal<String>) -> impl IntoView {
    view! {
        <div class=move || format!("marking-band {}", marking_class(&marking.get()))>
            {move || {
                let m = marking.get();
                if m.trim().is_empty() { "No marking".to_string() } else { m }
            }}
        </div>
    }
}

/// Common markings offered while typing the Marking field.
#[component]
pub fn MarkingOptions() -> impl IntoView {
    view! {
        <datalist id=MARKING_OPTIONS>
            {SUGGESTIONS.iter().map(|s| view! { <option value=*s></option> }).collect_view()}
        </datalist>
    }
}

/// The choice of marking limit for exports: one session-wide setting (`Exchange::export_ceiling`),
/// offered on the Export screen and beside the contacts list's vCard export.
#[component]
pub fn CeilingSelect(
    #[prop(optional)] id: Option<&'static str>,
    #[prop(optional)] describedby: Option<&'static str>,
) -> impl IntoView {
    let ceiling = crate::state::use_app().exchange.export_ceiling;
    view! {
        <select
            id=id
            aria-describedby=describedby
            on:change=move |ev| {
                if let Some(c) = liaison_core::marking::Ceiling::parse(&event_target_value(&ev)) {
                    ceiling.set(c);
                }
            }
        >
            {liaison_core::marking::Ceiling::EVERY.iter().map(|c| view! {
                <option value=c.name() selected=ceiling.get_untracked() == *c>{c.label()}</option>
            }).collect_view()}
        </select>
    }
}

/// The Marking field: a classification level, a releasability picker of nations, and the label they
/// make, which stays a text input labelled "Marking" (a label already stored, or one the picker
/// cannot make, is kept as it is until the officer picks).
#[component]
pub fn MarkingField(id: RecordId, #[prop(optional)] class: &'static str) -> impl IntoView {
    let app = use_app();
    let dom_id = input_id(id, Field::Marking);
    let stored = Memo::new(move |_| {
        app.notebook.with(|nb| nb.record(id).map(|r| r.text(Field::Marking.key()).to_string()).unwrap_or_default())
    });
    let parts = Memo::new(move |_| stored.with(|m| marking_parts(m)));
    let write = move |label: String| app.set(id, Field::Marking, Value::Text(label));
    let pick_level = move |level: String| write(compose_marking(&level, &parts.get_untracked().rel_to));
    let toggle = move |nation: String, on: bool| {
        let p = parts.get_untracked();
        let mut rel: Vec<String> = p.rel_to.into_iter().filter(|n| *n != nation).collect();
        if on {
            rel.push(nation);
        }
        // Keep the stored order of nations, except that a nation picked now goes last.
        write(compose_marking(&p.level, &rel));
    };
    // Nations a stored label names that the picker does not offer stay listed, checked, after its own.
    let nations = Memo::new(move |_| {
        let extra: Vec<String> =
            parts.with(|p| p.rel_to.iter().filter(|n| !NATIONS.contains(&n.as_str())).cloned().collect());
        NATIONS.iter().map(|n| n.to_string()).chain(extra).collect::<Vec<_>>()
    });
    let editable = Memo::new(move |_| stored.with(|m| picker_can_edit(m)));
    let summary = move || match parts.with(|p| p.rel_to.len()) {
        _ if !editable.get() => "Releasable to: as written".to_string(),
        0 => "Releasable to: anyone cleared".to_string(),
        _ => format!("Releasable to {}", parts.with(|p| p.rel_to.join(", "))),
    };
    let note = move || {
        let (m, p) = (stored.get(), parts.get());
        if m.trim().is_empty() {
            None
        } else if p.level.is_empty() && !p.rel_to.is_empty() {
            Some("Choose a classification level too: a releasability caveat alone says nothing about how sensitive it is.")
        } else if p.level.is_empty() {
            Some("Kept as written, because the picker cannot show it. Choose a level to replace it, or leave it as it is.")
        } else {
            None
        }
    };
    view! {
        <div class=format!("field marking-field {class}")>
            <label for=dom_id.clone()>"Marking"</label>
            <div class="marking-picker">
                <select
                    aria-label="Classification level"
                    class=move || marking_class(&stored.get())
                    on:change=move |ev| pick_level(event_target_value(&ev))
                >
                    <option value="" selected=move || parts.with(|p| p.level.is_empty())>
                        {move || if stored.with(|m| m.trim().is_empty()) { "No marking" } else { "As written" }}
                    </option>
                    {LEVELS.iter().map(|l| view! {
                        <option value=*l selected=move || parts.with(|p| p.level == *l)>{*l}</option>
                    }).collect_view()}
                </select>
                <details class="rel-to">
                    <summary>{summary}</summary>
                    <fieldset disabled=move || !editable.get()>
                        <legend>"Releasable to"</legend>
                        <For each=move || nations.get() key=|n| n.clone() let:n>
                            <label class="nation">
                                <input
                                    type="checkbox"
                                    prop:checked={
                                        let n = n.clone();
                                        move || parts.with(|p| p.rel_to.contains(&n))
                                    }
                                    on:change={
                                        let n = n.clone();
                                        move |ev| toggle(n.clone(), event_target_checked(&ev))
                                    }
                                />
                                <abbr class="nation-code" title=nation_name(&n).unwrap_or_default()>{n.clone()}</abbr>
                                <span class="nation-name">{nation_name(&n).unwrap_or("as written")}</span>
                            </label>
                        </For>
                    </fieldset>
                </details>
                <input
                    id=dom_id.clone()
                    type="text"
                    autocomplete="off"
                    list=MARKING_OPTIONS
                    prop:value=stored
                    aria-describedby=format!("{dom_id}-hint")
                    on:input=move |ev| write(event_target_value(&ev))
                />
            </div>
            <p class="hint" id=format!("{dom_id}-hint")>
                {move || note().unwrap_or("Pick a level and, if it may go only to some nations, the nations; or type a marking.")}
            </p>
        </div>
    }
}
