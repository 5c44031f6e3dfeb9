//! A contact's page: every field, and every meeting with this person.

use leptos::prelude::*;
use leptos_router::components::A;
use liaison_core::crdt::id::RecordId;
use liaison_core::date::{human_date, Date};
use liaison_core::model::Contact;
use liaison_core::schema::{Field, Kind};
use liaison_core::validate;

use crate::components::fields::{ListField, TextArea, TextField};
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
    view! {
        <section class="screen editor">
            <RecordHeader id kind=Kind::Contact title=name marking />
            <ContactSheet id />
            <div class="two-column">
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
                <MeetingHistory contact=id />
            </div>
        </section>
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
