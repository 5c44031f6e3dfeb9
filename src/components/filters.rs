//! The filter bars of the meetings and contacts lists and of Follow-ups. The filters live in the URL, so a
//! filtered view can be bookmarked, reloaded and shared, and the back button undoes a filter.

use leptos::callback::UnsyncCallback;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use liaison_core::queries::{self, FollowUpFilter, ListFilter};
use liaison_core::text;

use crate::state::use_app;

/// The URL's query as plain pairs.
pub fn query_pairs() -> Memo<Vec<(String, String)>> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()))
}

/// `path` with the query string of `pairs`, if any.
pub fn with_query(path: &str, pairs: &[(String, String)]) -> String {
    let qs = queries::query_string(pairs);
    if qs.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{qs}")
    }
}

/// The URL's parameters that the list filter does not own (the contacts list's order), kept when a
/// filter changes.
fn not_filters(pairs: Vec<(String, String)>) -> impl Iterator<Item = (String, String)> {
    pairs.into_iter().filter(|(k, _)| !queries::param::ALL.contains(&k.as_str()))
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
        let mut q = ListFilter::from_query_pairs(&p).to_query_pairs();
        q.extend(not_filters(p));
        navigate(&with_query(path, &q), NavigateOptions { replace: true, scroll: false, ..Default::default() });
    });
    let current = move |key: &'static str| {
        pairs.with(|p| p.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default())
    };
    let select = move |key: &'static str, label: &'static str, all: &'static str, which: usize| {
        text_choice(
            format!("filter-{key}"),
            label,
            all,
            Signal::derive(move || options.with(|o| o[which].clone())),
            Signal::derive(move || current(key)),
            move |v| set.run((key, v)),
        )
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
                        on:click=move |_| {
                            let kept: Vec<_> = not_filters(pairs.get_untracked()).collect();
                            navigate(&with_query(path, &kept), NavigateOptions { replace: true, scroll: false, ..Default::default() })
                        }
                    >
                        "Clear filters"
                    </button>
                }
            })}
        </div>
    }
}

/// A filter's dropdown of text choices: "All …" (the empty value) and each of `choices`, the one shown
/// as chosen being the one `current` names, compared as search compares names.
fn text_choice(
    id: String,
    label: &'static str,
    all: &'static str,
    choices: Signal<Vec<String>>,
    current: Signal<String>,
    on_change: impl Fn(String) + 'static,
) -> impl IntoView {
    view! {
        <div class="field filter">
            <label for=id.clone()>{label}</label>
            <select id=id on:change=move |ev| on_change(event_target_value(&ev))>
                <option value="" selected=move || current.with(String::is_empty)>{all}</option>
                {move || choices.get().into_iter().map(|v| {
                    let chosen = v.clone();
                    let value = v.clone();
                    view! { <option value=value selected=move || current.with(|c| text::same(c, &chosen))>{v}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// `v`, unless it is blank: an "All …" choice.
fn blank(v: String) -> Option<String> {
    (!v.trim().is_empty()).then_some(v)
}

/// The Follow-ups filters: Mine, owner, nation and meeting, and "Show completed".
#[component]
pub fn FollowUpFilterBar() -> impl IntoView {
    let app = use_app();
    let pairs = query_pairs();
    let navigate = use_navigate();
    let filter = Memo::new(move |_| pairs.with(|p| FollowUpFilter::from_query_pairs(p)));
    let options = Memo::new(move |_| {
        app.notebook.with(|nb| (queries::follow_up_owners(nb), queries::nations(nb), queries::follow_up_meetings(nb)))
    });
    let apply = UnsyncCallback::new(move |f: FollowUpFilter| {
        navigate(
            &with_query("/follow-ups", &f.to_query_pairs()),
            NavigateOptions { replace: true, scroll: false, ..Default::default() },
        );
    });
    let edit = move |set: fn(&mut FollowUpFilter, String), v: String| {
        let mut f = filter.get_untracked();
        set(&mut f, v);
        apply.run(f);
    };
    let change =
        move |set: fn(&mut FollowUpFilter, String)| move |ev: leptos::ev::Event| edit(set, event_target_value(&ev));
    let toggle = move |edit: fn(&mut FollowUpFilter, bool)| {
        move |ev: leptos::ev::Event| {
            let mut f = filter.get_untracked();
            edit(&mut f, event_target_checked(&ev));
            apply.run(f);
        }
    };
    let officer = move || app.device.with(|d| d.officer.trim().to_string());
    view! {
        <div class="filter-bar followup-filters" role="group" aria-label="Filters">
            <label class="filter-toggle" title=move || format!("Owned by {}", officer())>
                <input
                    type="checkbox"
                    prop:checked=move || filter.with(|f| f.mine)
                    disabled=move || officer().is_empty()
                    on:change=toggle(|f, on| f.mine = on)
                />
                <span>"Mine"</span>
            </label>
            {text_choice(
                "filter-owner".into(),
                "Owner",
                "All owners",
                Signal::derive(move || options.with(|o| o.0.clone())),
                Signal::derive(move || filter.with(|f| f.owner.clone().unwrap_or_default())),
                move |v| edit(|f, v| f.owner = blank(v), v),
            )}
            {text_choice(
                "filter-nation".into(),
                "Nation",
                "All nations",
                Signal::derive(move || options.with(|o| o.1.clone())),
                Signal::derive(move || filter.with(|f| f.nation.clone().unwrap_or_default())),
                move |v| edit(|f, v| f.nation = blank(v), v),
            )}
            <div class="field filter filter-wide">
                <label for="filter-meeting">"Meeting"</label>
                <select id="filter-meeting" on:change=change(|f, v| f.meeting = v.parse().ok())>
                    <option value="" selected=move || filter.with(|f| f.meeting.is_none())>"All meetings"</option>
                    {move || options.with(|o| o.2.clone()).into_iter().map(|(id, label)| {
                        view! {
                            <option value=id.to_string() selected=move || filter.with(|f| f.meeting == Some(id))>{label}</option>
                        }
                    }).collect_view()}
                </select>
            </div>
            <label class="filter-toggle">
                <input
                    type="checkbox"
                    prop:checked=move || filter.with(|f| f.completed)
                    on:change=toggle(|f, on| f.completed = on)
                />
                <span>"Show completed"</span>
            </label>
            {move || filter.with(FollowUpFilter::narrows).then(|| view! {
                <button
                    type="button"
                    class="button"
                    on:click=move |_| apply.run(FollowUpFilter { completed: filter.get_untracked().completed, ..Default::default() })
                >
                    "Clear filters"
                </button>
            })}
        </div>
    }
}
