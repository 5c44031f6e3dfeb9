//! Printable reports: a meeting report and a contact sheet. They are in the page but shown only by the
//! print style sheet, which hides the app around them, so printing needs no other window or server.
//!
//! The banner carries the highest marking of everything the report shows, not only the record's own: a
//! meeting report names its participants, and a contact sheet lists meetings by title. It sits in the
//! head and foot of a one-cell table, which the browser repeats at the top and bottom of every printed
//! page, so that no sheet of a long report leaves the printer unmarked. CSS cannot tell which records
//! land on which sheet, so every sheet carries the report's highest marking, which is at least the
//! highest of what that sheet shows. The foot says who printed it and when, and the page's margin box
//! (`style/finish.css`) numbers the sheets "Page n of m".

use leptos::prelude::*;
use liaison_core::crdt::id::RecordId;
use liaison_core::date::human_date;
use liaison_core::marking::highest_marking_of;

use crate::components::marking::marking_class;
use crate::components::time::human_time;
use crate::platform;
use crate::state::use_app;

fn banner(marking: &str) -> impl IntoView {
    let text = if marking.trim().is_empty() { "NO MARKING".to_string() } else { marking.to_uppercase() };
    view! { <p class=format!("print-banner {}", marking_class(marking))>{text}</p> }
}

/// When the report is printed: set when it is rendered and again as the browser starts printing, so
/// that a page left open for hours still says when its paper was made.
fn printed_at() -> ReadSignal<u64> {
    let (at, set_at) = signal(platform::now_ms());
    let handle = window_event_listener_untyped("beforeprint", move |_| set_at.set(platform::now_ms()));
    on_cleanup(move || handle.remove());
    at
}

/// "Printed by Lt Col Ana Ruiz on 1 Dec 2026, 14:05".
fn printed_by(officer: &str, at: u64) -> String {
    let who = if officer.trim().is_empty() { "an unnamed officer" } else { officer.trim() };
    format!("Printed by {who} on {}", human_time(at))
}

/// The report's body between the page banners.
fn framed(marking: String, printed: String, body: impl IntoView) -> impl IntoView {
    view! {
        <article class="print-only report" aria-hidden="true">
            <table class="print-frame" role="presentation">
                <thead><tr><td>{banner(&marking)}</td></tr></thead>
                <tfoot><tr><td>{banner(&marking)}<p class="print-meta">{printed}</p></td></tr></tfoot>
                <tbody><tr><td class="print-body">{body}</td></tr></tbody>
            </table>
        </article>
    }
}

fn paragraph(label: &'static str, text: String) -> Option<impl IntoView> {
    (!text.trim().is_empty()).then(|| {
        view! {
            <section class="report-part">
                <h2>{label}</h2>
                <p class="report-text">{text}</p>
            </section>
        }
    })
}

/// A meeting report: the marking on every page, the facts, participants, agenda, notes, decisions and
/// follow-up actions.
#[component]
pub fn MeetingReport(id: RecordId) -> impl IntoView {
    let app = use_app();
    let at = printed_at();
    move || {
        let printed = app.device.with(|d| printed_by(&d.officer, at.get()));
        app.notebook.with(|nb| {
            let m = nb.meeting(id)?;
            let participants = nb.participants(&m);
            let people: Vec<String> = participants
                .iter()
                .map(|c| {
                    let extra = c.affiliation();
                    if extra.is_empty() { c.display_name() } else { format!("{} ({})", c.display_name(), extra.join(", ")) }
                })
                .chain(m.attendees.iter().cloned())
                .collect();
            let actions = nb.actions_of(id);
            let shown = [Some(id)].into_iter().chain(participants.iter().map(|c| c.id)).chain(actions.iter().map(|a| a.id));
            let marking = highest_marking_of(shown.flatten().filter_map(|r| nb.record(r)));
            let when = [human_date(&m.date), [m.start.as_str(), m.end.as_str()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join("–")]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            Some(framed(marking, printed, view! {
                <h1>{m.display_title()}</h1>
                <dl class="report-facts">
                    <dt>"When"</dt><dd>{if when.is_empty() { "Not recorded".into() } else { when }}</dd>
                    <dt>"Where"</dt><dd>{if m.location.is_empty() { "Not recorded".into() } else { m.location.clone() }}</dd>
                    <dt>"Participants"</dt><dd>{if people.is_empty() { "None recorded".into() } else { people.join("; ") }}</dd>
                    {(!m.organisations.is_empty()).then(|| view! { <dt>"Organisations"</dt><dd>{m.organisations.join(", ")}</dd> })}
                    {(!m.nations.is_empty()).then(|| view! { <dt>"Nations"</dt><dd>{m.nations.join(", ")}</dd> })}
                    {(!m.tags.is_empty()).then(|| view! { <dt>"Tags"</dt><dd>{m.tags.join(", ")}</dd> })}
                </dl>
                {paragraph("Agenda", m.agenda.clone())}
                {paragraph("Notes", m.notes.clone())}
                {paragraph("Decisions", m.decisions.clone())}
                {(!actions.is_empty()).then(|| view! {
                    <section class="report-part">
                        <h2>"Follow-up actions"</h2>
                        <table class="report-table">
                            <thead><tr><th>"Action"</th><th>"Owner"</th><th>"Due"</th><th>"Done"</th></tr></thead>
                            <tbody>
                                {actions.into_iter().map(|a| view! {
                                    <tr>
                                        <td>{a.text}</td>
                                        <td>{a.owner}</td>
                                        <td>{human_date(&a.due)}</td>
                                        <td>{if a.done { "Yes" } else { "No" }}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </section>
                })}
            }))
        })
    }
}

/// A contact sheet: the marking on every page, every field, and the meeting history.
#[component]
pub fn ContactSheet(id: RecordId) -> impl IntoView {
    let app = use_app();
    let at = printed_at();
    move || {
        let printed = app.device.with(|d| printed_by(&d.officer, at.get()));
        app.notebook.with(|nb| {
            let c = nb.contact(id)?;
            let meetings = nb.meetings_with(id);
            let shown = [Some(id)].into_iter().chain(meetings.iter().map(|m| m.id));
            let marking = highest_marking_of(shown.flatten().filter_map(|r| nb.record(r)));
            let rows: Vec<(&'static str, String)> = vec![
                ("Title", c.title.clone()),
                ("Organisation", c.organisation.clone()),
                ("Nation", c.nation.clone()),
                ("Role", c.role.clone()),
                ("Email", c.emails.join(", ")),
                ("Phone", c.phones.join(", ")),
                ("Languages", c.languages.join(", ")),
                ("Tags", c.tags.join(", ")),
            ];
            Some(framed(marking, printed, view! {
                <h1>{c.display_name()}</h1>
                <dl class="report-facts">
                    {rows.into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                </dl>
                {paragraph("Notes", c.notes.clone())}
                <section class="report-part">
                    <h2>"Meetings"</h2>
                    {if meetings.is_empty() {
                        view! { <p>"No meetings recorded."</p> }.into_any()
                    } else {
                        view! {
                            <table class="report-table">
                                <thead><tr><th>"Date"</th><th>"Meeting"</th><th>"Marking"</th></tr></thead>
                                <tbody>
                                    {meetings.into_iter().map(|m| view! {
                                        <tr><td>{human_date(&m.date)}</td><td>{m.display_title()}</td><td>{m.marking}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }}
                </section>
            }))
        })
    }
}
