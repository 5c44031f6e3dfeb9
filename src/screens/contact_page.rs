//! A contact's page: every field, read by default (phone and email as links a finger can hit) with Edit
//! for the form, and every meeting with this person. A new contact opens straight into the form.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use liaison_core::crdt::id::RecordId;
use liaison_core::date::{human_date, Date};
use liaison_core::model::Contact;
use liaison_core::queries::conflicts::field_conflict;
use liaison_core::queries::{mailto_uri, tel_uri};
use liaison_core::schema::{Field, Kind};
use liaison_core::validate;

use crate::components::fields::{ConflictMarker, ListField, TextArea, TextField};
use crate::components::marking::{marking_class, MarkingField, MarkingTag};
use crate::components::report::ContactSheet;
use crate::components::routed::{record_page, RecordHeader};
use crate::state::use_app;

/// The contact page screen.
#[component]
pub fn ContactPage() -> impl IntoView {
    record_page(Kind::Contact, |id| view! { <ContactForm id /> })
}

#[component]
fn ContactForm(id: RecordId) -> impl IntoView {
    let app = use_app();
    let contact = Memo::new(move |_| app.notebook.with(|nb| nb.contact(id).unwrap_or_default()));
    let problems = Signal::derive(move || contact.with(validate::contact));
    let name = Signal::derive(move || contact.with(Contact::display_name));
    let marking = Signal::derive(move || contact.with(|c| c.marking.clone()));
    let is_new = contact.with_untracked(|c| c.name.is_empty());
    // A new contact (a draft, or one nobody named) opens in the form and stays there while its name is
    // typed; any other opens read, and `?edit` in the address opens the form, so a reload keeps it.
    let opened_new = RwSignal::new(is_new || app.notebook.with_untracked(|nb| nb.is_draft(id)));
    let query = use_query_map();
    let edit_in_url = Memo::new(move |_| query.with(|q| q.get("edit").is_some()));
    let editing = Signal::derive(move || edit_in_url.get() || opened_new.get());
    let navigate = use_navigate();
    let toggle = move |_| {
        let href = if editing.get_untracked() { format!("/contacts/{id}") } else { format!("/contacts/{id}?edit=1") };
        opened_new.set(false);
        navigate(&href, Default::default());
    };
    view! {
        <section class="screen editor">
            <RecordHeader id kind=Kind::Contact title=name marking>
                <button type="button" class="button primary edit-toggle" on:click=toggle>
                    {move || if editing.get() { "Done editing" } else { "Edit" }}
                </button>
            </RecordHeader>
            <ContactSheet id />
            <div class="two-column">
                <Show when=move || editing.get() fallback=move || view! { <ContactDetails id contact /> }>
                <form class="form-grid" on:submit=|ev| ev.prevent_default() aria-label="Contact">
                    <TextField id field=Field::Name class="span-all" autofocus=is_new problems />
                    <ListField id field=Field::Aliases class="span-all" hint="Other spellings, transliterations or former names; separate with commas" />
                    <TextField id field=Field::Title hint="Rank or title" />
                    <TextField id field=Field::Role />
                    <TextField id field=Field::Organisation class="span-2" />
                    <TextField id field=Field::Nation />
                    <ListField id field=Field::Emails kind="email" class="span-2" problems />
                    <ListField id field=Field::Phones kind="tel" />
                    <ListField id field=Field::Languages class="span-2" />
                    <MarkingField id class="span-all" />
                    <TextArea id field=Field::Notes class="span-all" rows=6 />
                    <ListField id field=Field::Tags class="span-all" />
                </form>
                </Show>
                <MeetingHistory contact=id />
            </div>
        </section>
    }
}

/// The fields of a contact as text, blank ones left out, each with the mark of a version another
/// officer wrote beside it.
#[component]
fn ContactDetails(id: RecordId, contact: Memo<Contact>) -> impl IntoView {
    let app = use_app();
    let conflicted = Memo::new(move |_| {
        app.notebook.with(|nb| {
            DETAIL_FIELDS.iter().copied().filter(|f| field_conflict(nb, id, *f).is_some()).collect::<Vec<Field>>()
        })
    });
    let rows = move || {
        let c = contact.get();
        let conflicted = conflicted.get();
        let rows: Vec<_> = DETAIL_FIELDS
            .iter()
            .copied()
            .filter_map(|field| {
                let value = detail_value(&c, field);
                let blank = match &value {
                    Detail::Text(t) => t.trim().is_empty(),
                    Detail::Links(l) => l.is_empty(),
                };
                (!blank || conflicted.contains(&field)).then_some((field, value))
            })
            .collect();
        if rows.is_empty() {
            return view! {
                <p class="muted details-empty">"Nothing is recorded about this contact yet. Choose “Edit” to add a title, organisation, phone or email."</p>
            }
            .into_any();
        }
        rows.into_iter()
            .map(|(field, value)| {
                let dom_id = format!("read-{}-{id}", field.key());
                let class = if field == Field::Notes { "detail span-all" } else { "detail" };
                view! {
                    <div class=class>
                        <dt>{field.label()}</dt>
                        <dd>
                            {match value {
                                Detail::Text(t) if field == Field::Notes => view! { <p class="detail-notes">{t}</p> }.into_any(),
                                Detail::Text(t) => t.into_any(),
                                Detail::Links(links) => view! {
                                    <ul class="contact-links">
                                        {links.into_iter().map(|(text, href)| view! {
                                            <li>
                                                {match href {
                                                    Some(href) => view! {
                                                        <a class="contact-link" href=href>{text}</a>
                                                    }.into_any(),
                                                    None => view! { <span class="contact-link plain">{text}</span> }.into_any(),
                                                }}
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any(),
                            }}
                            <ConflictMarker id field dom_id />
                        </dd>
                    </div>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <div class="contact-details">
            <dl class="details-grid" aria-label="Contact details">{rows}</dl>
        </div>
    }
}

/// The fields the read view shows, in the form's order (the name is the page's heading, the marking its
/// band).
const DETAIL_FIELDS: [Field; 10] = [
    Field::Aliases,
    Field::Title,
    Field::Role,
    Field::Organisation,
    Field::Nation,
    Field::Emails,
    Field::Phones,
    Field::Languages,
    Field::Tags,
    Field::Notes,
];

enum Detail {
    Text(String),
    /// Each item, with its link when it makes one.
    Links(Vec<(String, Option<String>)>),
}

fn detail_value(c: &Contact, field: Field) -> Detail {
    let joined = |l: &[String]| Detail::Text(l.join(", "));
    match field {
        Field::Aliases => joined(&c.aliases),
        Field::Title => Detail::Text(c.title.clone()),
        Field::Role => Detail::Text(c.role.clone()),
        Field::Organisation => Detail::Text(c.organisation.clone()),
        Field::Nation => Detail::Text(c.nation.clone()),
        Field::Emails => Detail::Links(c.emails.iter().map(|e| (e.clone(), mailto_uri(e))).collect()),
        Field::Phones => Detail::Links(c.phones.iter().map(|p| (p.clone(), tel_uri(p))).collect()),
        Field::Languages => joined(&c.languages),
        Field::Tags => joined(&c.tags),
        _ => Detail::Text(c.notes.clone()),
    }
}

#[component]
fn MeetingHistory(contact: RecordId) -> impl IntoView {
    let app = use_app();
    let meetings = Memo::new(move |_| {
        app.notebook.with(|nb| {
            nb.meetings_with(contact)
                .into_iter()
                .map(|m| {
                    let class = marking_class(&m.marking);
                    (
                        m.id.map(|i| i.to_string()).unwrap_or_default(),
                        m.display_title(),
                        m.date.clone(),
                        m.marking,
                        class,
                    )
                })
                .collect::<Vec<_>>()
        })
    });
    let last_met = Memo::new(move |_| app.notebook.with(|nb| nb.last_met(contact, app.today)));
    let last_met_text = move || match last_met.get() {
        Some(d) => {
            let days = d.days_until(app.today);
            let ago = match days {
                0 => "today".to_string(),
                1 => "yesterday".to_string(),
                n => format!("{n} days ago"),
            };
            format!("Last met {} ({ago})", human_date(&d.to_string()))
        }
        None => "Not met yet".to_string(),
    };
    view! {
        <aside class="history" aria-labelledby="history-heading">
            <h2 id="history-heading">"Meetings"</h2>
            <p class="last-met">{last_met_text}</p>
            <Show
                when=move || meetings.with(|m| !m.is_empty())
                fallback=|| view! { <p class="muted">"No meetings with this contact yet. Add them as a participant in a meeting."</p> }
            >
                <ul class="history-list">
                    <For each=move || meetings.get() key=|m| m.clone() let:m>
                        <li class=m.4>
                            <A href=format!("/meetings/{}", m.0)>
                                <span class="row-when">
                                    {if Date::parse(&m.2).is_ok() { human_date(&m.2) } else { "No date".into() }}
                                </span>
                                <span class="row-title">{m.1.clone()}</span>
                                <MarkingTag marking=m.3.clone() />
                            </A>
                        </li>
                    </For>
                </ul>
            </Show>
        </aside>
    }
}
