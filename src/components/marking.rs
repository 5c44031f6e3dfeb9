//! How markings look: a coloured band on every record that carries one.

use leptos::prelude::*;
use liaison_core::marking::{marking_level, MarkingLevel};

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
        (!m.trim().is_empty()).then(|| view! { <span class=class>{m}</span> })
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
