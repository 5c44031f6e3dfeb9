//! The filter bar of the meetings and contacts lists. The filters live in the URL, so a filtered view can
//! be bookmarked, reloaded and shared, and the back button undoes a filter.

use leptos::callback::UnsyncCallback;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use liaison_core::queries::{self, ListFilter};
use liaison_core::text;

use crate::state::use_app;

/// The URL's query as plain pairs.
pub fn query_pairs() -> Memo<Vec<(String, String)>> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()))
}

/// Nation, organisation, tag and marking choices, and a date range, for the list at `path`.
#[component]
pub fn FilterBar(
    path: &'static str,
    #[prop(default = "From")] from_label: &'static str,
    #[prop(default = "To")] to_label: &'static str,
) -> impl IntoView {
    let app = use_app();
    let pairs = query_pairs();
    let navigate = use_navigate();
    let navigate_clear = navigate.clone();
    let options = Memo::new(move |_| {
        app.notebook
            .with(|nb| [queries::nations(nb), queries::organisations(nb), queries::tags(nb), queries::markings(nb)])
    });
    // A local callback is Copy, so every control below can hold it.
    let set = UnsyncCallback::new(move |(key, value): (&'static str, String)| {
        let mut p = pairs.get_untracked();
        p.retain(|(k, _)| k != key);
        if !value.trim().is_empty() {
            p.push((key.to_string(), value));
        }
        // Both lists take one filter; its encoder keeps the parameters in a stable order.
        let qs = ListFilter::from_query_pairs(&p).to_query_string();
        let to = if qs.is_empty() { path.to_string() } else { format!("{path}?{qs}") };
        navigate(&to, NavigateOptions { replace: true, scroll: false, ..Default::default() });
    });
    let current = move |key: &'static str| {
        pairs.with(|p| p.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default())
    };
    let select = move |key: &'static str, label: &'static str, all: &'static str, which: usize| {
        let id = format!("filter-{key}");
        view! {
            <div class="field filter">
                <label for=id.clone()>{label}</label>
                <select id=id on:change=move |ev| set.run((key, event_target_value(&ev)))>
                    <option value="" selected=move || current(key).is_empty()>{all}</option>
                    {move || options.with(|o| o[which].clone()).into_iter().map(|v| {
                        let chosen = v.clone();
                        let value = v.clone();
                        view! { <option value=value selected=move || text::same(&current(key), &chosen)>{v}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let date = move |key: &'static str, label: &'static str| {
        let id = format!("filter-{key}");
        view! {
            <div class="field filter">
                <label for=id.clone()>{label}</label>
                <input id=id type="date" data-empty=move || current(key).is_empty().then_some("") prop:value=move || current(key) on:change=move |ev| set.run((key, event_target_value(&ev))) />
                <crate::components::fields::DateShown value=Signal::derive(move || current(key)) />
            </div>
        }
    };
    let active = move || pairs.with(|p| !ListFilter::from_query_pairs(p).is_empty());
    view! {
        <div class="filter-bar" role="group" aria-label="Filters">
            {select(queries::param::NATION, "Nation", "All nations", 0)}
            {select(queries::param::ORGANISATION, "Organisation", "All organisations", 1)}
            {select(queries::param::TAG, "Tag", "All tags", 2)}
            {select(queries::param::MARKING, "Marking", "Any marking", 3)}
            {date(queries::param::FROM, from_label)}
            {date(queries::param::TO, to_label)}
            {move || active().then(|| {
                let navigate = navigate_clear.clone();
                view! {
                    <button
                        type="button"
                        class="button"
                        on:click=move |_| navigate(path, NavigateOptions { replace: true, scroll: false, ..Default::default() })
                    >
                        "Clear filters"
                    </button>
                }
            })}
        </div>
    }
}
