//! Contacts: everyone met, sortable by any column (the order lives in the URL beside the filters), with
//! when each was last met, windowed: only the rows on the screen are rendered.

use crate::components::empty::EmptyState;
use crate::components::marking::CeilingSelect;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use liaison_core::date::human_date;
use liaison_core::queries::{count_phrase, sort_param, ContactColumn, ContactSort, ContactTable, ListFilter};
use liaison_core::schema::Kind;

use crate::components::filters::{query_pairs, with_query, FilterBar};
use crate::components::marking::{marking_class, MarkingTag};
use crate::components::window::Window;
use crate::state::use_app;

#[derive(Clone, PartialEq, Eq, Hash)]
struct Row {
    /// Its place in the whole list.
    index: usize,
    id: String,
    name: String,
    title: String,
    organisation: String,
    nation: String,
    last_met: String,
    marking: String,
    class: &'static str,
}

/// The contacts list.
#[component]
pub fn ContactsList() -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let pairs = query_pairs();
    let filter = Memo::new(move |_| pairs.with(|p| ListFilter::from_query_pairs(p)));
    let sort = Memo::new(move |_| pairs.with(|p| ContactSort::from_query_pairs(p)));
    let table =
        Memo::new(move |_| app.notebook.with(|nb| filter.with(|f| ContactTable::new(nb, f, sort.get(), app.today))));
    let ids = Memo::new(move |_| table.with(|t| t.ids.clone()));
    let total = Memo::new(move |_| match filter.with(ListFilter::is_empty) {
        true => ids.with(Vec::len),
        false => app.notebook.with(|nb| ListFilter::default().contact_ids(nb).len()),
    });
    let win = Window::new(Signal::derive(move || ids.with(Vec::len)));
    let rows = Memo::new(move |_| {
        let range = win.rows();
        app.notebook.with(|nb| {
            table.with(|table| {
                table.ids[range.clone()]
                    .iter()
                    .zip(range)
                    .filter_map(|(id, index)| {
                        let c = nb.contact(*id)?;
                        Some(Row {
                            index,
                            id: id.to_string(),
                            name: c.display_name(),
                            title: c.title,
                            organisation: c.organisation,
                            nation: c.nation,
                            last_met: table.last_met.get(id).map(|d| human_date(&d.to_string())).unwrap_or_default(),
                            class: marking_class(&c.marking),
                            marking: c.marking,
                        })
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let (exported, set_exported) = signal(None::<Result<String, String>>);
    let ceiling = app.exchange.export_ceiling;
    let navigate_sort = navigate.clone();
    let new_contact = move |_| {
        if let Some(id) = app.create_draft(Kind::Contact) {
            navigate(&crate::components::routed::draft_href(Kind::Contact, id), Default::default());
        }
    };
    let choose = move |column: ContactColumn| {
        let next = sort.get_untracked().choose(column);
        let mut q: Vec<(String, String)> =
            pairs.get_untracked().into_iter().filter(|(k, _)| k != sort_param::SORT && k != sort_param::DIR).collect();
        q.extend(next.to_query_pairs());
        navigate_sort(
            &with_query("/contacts", &q),
            NavigateOptions { replace: true, scroll: false, ..Default::default() },
        );
    };
    let count = move || count_phrase(ids.with(Vec::len), total.get(), "contact", "contacts");
    view! {
        <section class="screen">
            <header class="screen-header">
                <div>
                    <h1>"Contacts"</h1>
                    <Show when={move || total.get() > 0}>
                        <p class="muted list-count">{count}</p>
                    </Show>
                </div>
                <div class="header-actions">
                    <Show when={move || total.get() > 0}>
                        <label class="inline-field">
                            <span>"Include records marked"</span>
                            <CeilingSelect />
                        </label>
                        <button
                            type="button"
                            class="button"
                            title="The contacts listed below, with the filters and the marking limit applied"
                            on:click=move |_| {
                                set_exported.set(Some(app.export_contacts_vcard(&filter.get_untracked(), ceiling.get_untracked())));
                            }
                        >
                            "Export as vCard"
                        </button>
                    </Show>
                    <button type="button" class="button primary" on:click=new_contact>"New contact"</button>
                </div>
            </header>
            {move || exported.get().map(|r| match r {
                Ok(msg) => view! { <p class="banner-inline ok" role="status">{msg}</p> }.into_any(),
                Err(e) => view! { <p class="banner-inline danger" role="alert">{format!("The vCard file could not be saved: {e}.")}</p> }.into_any(),
            })}
            <Show when={move || total.get() > 0}>
                <FilterBar path="/contacts" from_label="Met from" to_label="Met until" />
            </Show>
            <Show when={move || total.get() > 0 && ids.with(Vec::is_empty)}>
                <EmptyState title="No contacts match these filters" hint="Change or clear the filters above to see more." />
            </Show>
            <Show
                when={move || ids.with(|r| !r.is_empty())}
                fallback=move || (total.get() == 0).then(|| view! {
                    <EmptyState title="No contacts yet" hint="Add a person as soon as a card changes hands: choose “New contact”. You can also add people from a meeting's Participants field." />
                })
            >
                <div class="windowed" node_ref=win.node() on:keydown=move |ev| win.on_keydown(ev)>
                    <table class="record-table" aria-rowcount=move || win.row_count() + 1>
                        <thead>
                            <tr aria-rowindex="1">
                                {ContactColumn::ALL.into_iter().map(|column| {
                                    let choose = choose.clone();
                                    view! {
                                        <th scope="col" class=format!("col-{}", column.param()) aria-sort=move || sort.get().aria(column)>
                                            <button type="button" class="sort-button" on:click=move |_| choose(column)>
                                                <span>{column.label()}</span>
                                                <span class="sort-mark" aria-hidden="true">
                                                    {move || match sort.get().aria(column) {
                                                        "ascending" => "▲",
                                                        "descending" => "▼",
                                                        _ => "↕",
                                                    }}
                                                </span>
                                            </button>
                                        </th>
                                    }
                                }).collect_view()}
                            </tr>
                        </thead>
                        <tbody>
                            <tr class="window-space" aria-hidden="true">
                                <td colspan="5" style:height=move || win.space_before()></td>
                            </tr>
                            <For each=move || rows.get() key=|r| r.clone() let:row>
                                <tr class=row.class data-index=row.index aria-rowindex=row.index + 2>
                                    <td class="cell-name">
                                        <A href=format!("/contacts/{}", row.id)>{row.name.clone()}</A>
                                        <MarkingTag marking=row.marking.clone() />
                                    </td>
                                    <td>{row.title.clone()}</td>
                                    <td>{row.organisation.clone()}</td>
                                    <td>{row.nation.clone()}</td>
                                    <td class="cell-last-met">
                                        {if row.last_met.is_empty() {
                                            view! { <span class="muted">"Not met yet"</span> }.into_any()
                                        } else {
                                            row.last_met.clone().into_any()
                                        }}
                                    </td>
                                </tr>
                            </For>
                            <tr class="window-space" aria-hidden="true">
                                <td colspan="5" style:height=move || win.space_after()></td>
                            </tr>
                        </tbody>
                    </table>
                </div>
            </Show>
        </section>
    }
}
