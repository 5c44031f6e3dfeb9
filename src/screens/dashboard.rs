//! The dashboard, the start screen: what is overdue and coming up, recent meetings, which partner nations
//! were met lately, and who has not been met for a long time.

use leptos::prelude::*;
use leptos_router::components::A;
use liaison_core::date::human_date;
use liaison_core::queries::{self, NATION_WINDOW_DAYS, NOT_MET_DAYS, UPCOMING_DAYS};
use liaison_core::text::plural;

use crate::components::marking::MarkingTag;
use crate::components::time::human_time;
use crate::state::use_app;

/// The dashboard screen.
#[component]
pub fn Dashboard() -> impl IntoView {
    let app = use_app();
    let dash = Memo::new(move |_| app.notebook.with(|nb| queries::dashboard(nb, app.today)));
    let follow_up = move |f: liaison_core::notebook::FollowUp, overdue: bool| {
        let href = f.meeting.id.map(|id| format!("/meetings/{id}")).unwrap_or_default();
        let text = f.action.display_text();
        let done_label = format!("Done: {text}");
        view! {
            <li class="dash-row fu-row" class:overdue=overdue>
                <A href=href attr:class="fu-link">
                    <span class="fu-title">{text}</span>
                    <span class="fu-meta">
                        {overdue.then(|| view! { <OverdueFlag /> })}
                        <span class="fu-due">{format!("due {}", human_date(&f.action.due))}</span>
                        <span class="fu-meeting">{f.meeting.display_title()}</span>
                    </span>
                </A>
                {f.action.id.map(|id| view! {
                    <button type="button" class="button fu-done" aria-label=done_label on:click=move |_| app.set_done(id, true, true)>
                        "Done"
                    </button>
                })}
            </li>
        }
    };
    view! {
        <section class="screen">
            <header class="screen-header">
                <div>
                    <h1>"Dashboard"</h1>
                    <p class="muted">{format!("Today is {}.", human_date(&app.today.to_string()))}</p>
                </div>
            </header>
            <div class="dash-grid">
                <section class="dash-card" aria-labelledby="dash-follow-ups">
                    <h2 id="dash-follow-ups">"Follow-ups"</h2>
                    {move || {
                        let d = dash.get();
                        if d.overdue.is_empty() && d.upcoming.is_empty() {
                            return view! { <p class="muted">{format!("Nothing overdue or due in the next {UPCOMING_DAYS} days.")}</p> }.into_any();
                        }
                        view! {
                            <ul class="dash-list" aria-label="Overdue and upcoming follow-ups">
                                {d.overdue.into_iter().map(|f| follow_up(f, true)).collect_view()}
                                {d.upcoming.into_iter().map(|f| follow_up(f, false)).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    <A href="/follow-ups">"All follow-ups"</A>
                </section>
                <TeamCard />
                <section class="dash-card" aria-labelledby="dash-recent">
                    <h2 id="dash-recent">"Recent meetings"</h2>
                    {move || {
                        let recent = dash.get().recent_meetings;
                        if recent.is_empty() {
                            return view! { <p class="muted">"No meetings yet. Record one under Meetings."</p> }.into_any();
                        }
                        view! {
                            <ul class="dash-list">
                                {recent.into_iter().map(|m| {
                                    let href = m.id.map(|id| format!("/meetings/{id}")).unwrap_or_default();
                                    view! {
                                        <li class="dash-row">
                                            <A href=href>
                                                <span class="row-title">{m.display_title()}</span>
                                                <span class="row-sub">{human_date(&m.date)}</span>
                                                <MarkingTag marking=m.marking.clone() />
                                            </A>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
                <section class="dash-card" aria-labelledby="dash-nations">
                    <h2 id="dash-nations">{format!("Meetings per nation, last {NATION_WINDOW_DAYS} days")}</h2>
                    {move || {
                        let counts = dash.get().meetings_per_nation;
                        let max = counts.iter().map(|c| c.meetings).max().unwrap_or(0).max(1);
                        if counts.is_empty() {
                            return view! { <p class="muted">"No dated meetings with a nation in this period."</p> }.into_any();
                        }
                        view! {
                            <ul class="bars" aria-label="Meetings per nation">
                                {counts.into_iter().take(10).map(|c| {
                                    let pct = (c.meetings * 100 / max).max(2);
                                    view! {
                                        <li class="bar-row">
                                            <span class="bar-label">{c.nation.clone()}</span>
                                            <span class="bar-track"><span class="bar" style:width=format!("{pct}%")></span></span>
                                            <span class="bar-value">{c.meetings}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
                <section class="dash-card" aria-labelledby="dash-not-met">
                    <h2 id="dash-not-met">{format!("Not met in {NOT_MET_DAYS} days")}</h2>
                    {move || {
                        let not_met = dash.get().not_met;
                        if not_met.is_empty() {
                            return view! { <p class="muted">"Everyone has been met recently."</p> }.into_any();
                        }
                        let more = not_met.len().saturating_sub(8);
                        view! {
                            <ul class="dash-list">
                                {not_met.into_iter().take(8).map(|n| {
                                    let href = n.contact.id.map(|id| format!("/contacts/{id}")).unwrap_or_default();
                                    let when = match n.last_met {
                                        Some(d) => format!("last met {} ({} days)", human_date(&d.to_string()), n.days),
                                        None => "never met".to_string(),
                                    };
                                    view! {
                                        <li class="dash-row">
                                            <A href=href>
                                                <span class="row-title">{n.contact.display_name()}</span>
                                                <span class="row-sub">{when}</span>
                                            </A>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            {(more > 0).then(|| view! { <p class="muted">{format!("and {more} more")}</p> })}
                        }.into_any()
                    }}
                </section>
            </div>
        </section>
    }
}

/// The mark of an overdue follow-up: a warning sign and the word, so that it does not rest on colour.
#[component]
fn OverdueFlag() -> impl IntoView {
    view! {
        <span class="overdue-flag">
            <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
                <path d="M8 1.5 15 14.5H1Z" fill="currentColor" />
                <path d="M8 6v4M8 11.6v.9" stroke="var(--surface)" stroke-width="1.6" stroke-linecap="round" />
            </svg>
            "Overdue"
        </span>
    }
}

/// For a coordinator (the notebook holds other officers' work, see core's `queries::officers`): each
/// officer, their last bundle here and what waits for review.
#[component]
fn TeamCard() -> impl IntoView {
    let app = use_app();
    let officers = Memo::new(move |_| {
        let own = app.device.with(|d| d.officer.clone());
        app.notebook.with(|nb| app.exchange.import_log.with(|log| queries::officers(nb, log, &own)))
    });
    let conflicts = Memo::new(move |_| app.notebook.with(|nb| nb.conflicts().len()));
    let duplicates = Memo::new(move |_| {
        app.notebook.with(|nb| app.not_duplicates.with(|nd| queries::duplicates::candidates(nb, nd).len()))
    });
    move || {
        let list = officers.get();
        (!list.is_empty()).then(|| {
            let (c, d) = (conflicts.get(), duplicates.get());
            let class_of = |n: usize| if n > 0 { "team-count warn" } else { "team-count" };
            view! {
                <section class="dash-card team-card" aria-labelledby="dash-team">
                    <h2 id="dash-team">"Officers"</h2>
                    <div class="team-waiting">
                        <A href="/conflicts" attr:class=class_of(c)>
                            <span class="team-number">{c}</span>
                            " "
                            <span>{if c == 1 { "open conflict" } else { "open conflicts" }}</span>
                        </A>
                        <A href="/duplicates" attr:class=class_of(d)>
                            <span class="team-number">{d}</span>
                            " "
                            <span>{if d == 1 { "suggested duplicate" } else { "suggested duplicates" }}</span>
                        </A>
                    </div>
                    <table class="team-table">
                        <thead>
                            <tr>
                                <th scope="col">"Officer"</th>
                                <th scope="col">"Last bundle"</th>
                                <th scope="col" class="num">"Records"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {list.into_iter().map(|o| {
                                let several = o.devices.len() > 1;
                                let last = match &o.last_bundle {
                                    Some(b) if several => format!("Bundle {} from {}, exported {}", b.sequence, b.device, human_time(b.created_ms)),
                                    Some(b) => format!("Bundle {}, exported {}", b.sequence, human_time(b.created_ms)),
                                    None => "None imported: their work came in other officers' bundles".to_string(),
                                };
                                let missing = match o.missing.as_slice() {
                                    [] => None,
                                    [one] => Some(format!("Bundle {one} is missing")),
                                    many => Some(format!(
                                        "Bundles {} are missing",
                                        many.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
                                    )),
                                };
                                view! {
                                    <tr>
                                        <th scope="row">
                                            <span class="team-name">{o.name.clone()}</span>
                                            <span class="team-devices">{o.devices.join(", ")}</span>
                                        </th>
                                        <td>
                                            <span>{last}</span>
                                            {missing.map(|m| view! { <span class="team-missing">{m}</span> })}
                                        </td>
                                        <td class="num">{o.records}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <p class="muted">{format!("{} whose work this notebook holds.", plural(officers.with(Vec::len), "other officer", "other officers"))}</p>
                </section>
            }
        })
    }
}
