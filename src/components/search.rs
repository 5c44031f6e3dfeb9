//! The search box: one box labelled "Search", reachable with `/` or Ctrl+K, with results grouped by kind
//! as you type. Arrow keys move through the results, Enter opens one, Escape closes them.

use std::ops::Range;

use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use liaison_core::queries::search::{Group, Hit};
use liaison_core::schema::Kind;
use liaison_core::text::plural;

use crate::platform;
use crate::state::use_app;

/// Results shown per kind.
const PER_KIND: usize = 5;

/// Text with `<mark>` around the given byte ranges.
fn marked(text: &str, ranges: &[Range<usize>]) -> impl IntoView {
    let mut parts = Vec::new();
    let mut at = 0;
    for r in ranges {
        // Ranges come from core and lie on character boundaries; anything else is skipped, not trusted.
        if r.start < at || r.end > text.len() || !text.is_char_boundary(r.start) || !text.is_char_boundary(r.end) {
            continue;
        }
        parts.push((text[at..r.start].to_string(), false));
        parts.push((text[r.start..r.end].to_string(), true));
        at = r.end;
    }
    parts.push((text[at..].to_string(), false));
    parts
        .into_iter()
        .filter(|(t, _)| !t.is_empty())
        .map(|(t, m)| if m { view! { <mark>{t}</mark> }.into_any() } else { t.into_any() })
        .collect_view()
}

fn href(hit: &Hit) -> String {
    match hit.kind {
        Kind::Contact => format!("/contacts/{}", hit.id),
        Kind::Meeting => format!("/meetings/{}", hit.id),
        Kind::Action => hit.meeting.map(|m| format!("/meetings/{m}")).unwrap_or_else(|| "/follow-ups".into()),
    }
}

/// The search box and its results.
#[component]
pub fn SearchBox() -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let input = NodeRef::<html::Input>::new();
    let (query, set_query) = signal(String::new());
    let (active, set_active) = signal(0usize);
    let (open, set_open) = signal(false);
    let results = Memo::new(move |_| {
        app.search.version.track();
        let q = query.get();
        if q.trim().is_empty() {
            return Vec::new();
        }
        let r = app.notebook.with(|nb| app.search.index.with_value(|index| index.search(nb, &q, PER_KIND)));
        let groups: [(&'static str, Group); 3] =
            [("Contacts", r.contacts), ("Meetings", r.meetings), ("Follow-ups", r.actions)];
        groups.into_iter().filter(|(_, g)| g.total > 0).collect::<Vec<_>>()
    });
    let flat = move || results.with(|gs| gs.iter().flat_map(|(_, g)| g.hits.iter().map(href)).collect::<Vec<_>>());

    // `/` and Ctrl+K reach the box from anywhere.
    let handle = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        let ctrl_k = (ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("k");
        // In a field, `/` must stay a slash.
        let slash = ev.key() == "/" && !ev.ctrl_key() && !ev.meta_key() && !platform::came_from_a_field(&ev);
        if ctrl_k || slash {
            ev.prevent_default();
            if let Some(el) = input.get_untracked() {
                let _ = el.focus();
                el.select();
            }
        }
    });
    on_cleanup(move || handle.remove());

    let go = {
        let navigate = navigate.clone();
        move |to: String| {
            set_open.set(false);
            set_query.set(String::new());
            if let Some(el) = input.get_untracked() {
                let _ = el.blur();
            }
            navigate(&to, Default::default());
        }
    };
    let on_key = {
        let go = go.clone();
        move |ev: KeyboardEvent| {
            let n = flat().len();
            match ev.key().as_str() {
                "ArrowDown" if n > 0 => {
                    ev.prevent_default();
                    set_open.set(true);
                    set_active.update(|a| *a = (*a + 1) % n);
                }
                "ArrowUp" if n > 0 => {
                    ev.prevent_default();
                    set_active.update(|a| *a = (*a + n - 1) % n);
                }
                "Enter" => {
                    ev.prevent_default();
                    if let Some(to) = flat().get(active.get_untracked()).cloned() {
                        go(to);
                    }
                }
                "Escape" => {
                    set_open.set(false);
                    if let Some(el) = input.get_untracked() {
                        let _ = el.blur();
                    }
                }
                _ => {}
            }
        }
    };
    let results_view = move || {
        if !open.get() || query.with(|q| q.trim().is_empty()) {
            return None;
        }
        let groups = results.get();
        let indexing = app.search.indexing.get();
        let body = if groups.is_empty() {
            let so_far = if indexing > 0 { " so far" } else { "" };
            view! { <p class="search-empty">{format!("Nothing matches “{}”{so_far}.", query.get().trim())}</p> }
                .into_any()
        } else {
            let mut index = 0usize;
            groups
                .into_iter()
                .map(|(label, group)| {
                    let more = group.total.saturating_sub(group.hits.len());
                    let hits = group
                        .hits
                        .into_iter()
                        .map(|hit| {
                            let i = index;
                            index += 1;
                            let to = href(&hit);
                            let go = go.clone();
                            let show_snippet = !hit.snippet.is_empty() && hit.snippet != hit.title;
                            view! {
                                <div
                                    id=format!("search-hit-{i}")
                                    role="option"
                                    class="search-hit"
                                    class:active=move || active.get() == i
                                    aria-selected=move || (active.get() == i).to_string()
                                    on:mousedown=move |ev| {
                                        ev.prevent_default();
                                        go(to.clone());
                                    }
                                >
                                    <span class="hit-title">{marked(&hit.title, &hit.title_highlights)}</span>
                                    <span class="hit-detail">{hit.detail.clone()}</span>
                                    {show_snippet.then(|| view! {
                                        <span class="hit-snippet">{format!("{}: ", hit.field.label())}{marked(&hit.snippet, &hit.highlights)}</span>
                                    })}
                                </div>
                            }
                        })
                        .collect_view();
                    view! {
                        <div class="search-group" role="group" aria-label=label>
                            <p class="search-group-label" aria-hidden="true">{label}</p>
                            {hits}
                            {(more > 0).then(|| view! { <p class="search-more">{format!("and {more} more")}</p> })}
                        </div>
                    }
                })
                .collect_view()
                .into_any()
        };
        // While the index is built after start-up, what is found so far is shown, and the officer is
        // told that more may come.
        let hint = (indexing > 0).then(|| {
            view! {
                <p class="search-indexing">
                    {format!("Still indexing: {} not searched yet.", plural(indexing, "record", "records"))}
                </p>
            }
        });
        Some(view! {
            <div class="search-results" id="search-results" role="listbox" aria-label="Search results">{hint}{body}</div>
        })
    };
    let active_id = move || (open.get() && !flat().is_empty()).then(|| format!("search-hit-{}", active.get()));
    view! {
        <div class="search" role="search">
            <label for="search" class="search-label">"Search"</label>
            <input
                id="search"
                node_ref=input
                type="search"
                autocomplete="off"
                placeholder="Names, notes, tags…  ( / )"
                role="combobox"
                aria-expanded=move || (open.get() && !query.with(|q| q.trim().is_empty())).to_string()
                aria-controls="search-results"
                aria-autocomplete="list"
                aria-activedescendant=active_id
                prop:value=query
                on:input=move |ev| {
                    set_query.set(event_target_value(&ev));
                    set_active.set(0);
                    set_open.set(true);
                }
                on:focus=move |_| set_open.set(true)
                on:blur=move |_| {
                    // Let a click on a result land before the list goes.
                    set_timeout(move || set_open.set(false), std::time::Duration::from_millis(150));
                }
                on:keydown=on_key
            />
            {results_view}
        </div>
    }
}
