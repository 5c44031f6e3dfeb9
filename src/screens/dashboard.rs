//! The dashboard, the start screen: what is overdue and coming up, recent meetings, which partner nations
//! were met lately, and who has not been met for a long time.

use leptos::prelude::*;
use leptos_router::components::A;
use liaison_core::date::human_date;
use liaison_core::queries::{self, NATION_WINDOW_DAYS, NOT_MET_DAYS, UPCOMING_DAYS};

use crate::components::marking::MarkingTag;
use crate::state::use_app;

/// The dashboard screen.
#[component]
pub fn Dashboard() -> impl IntoView {
    let app = use_app();
    let dash = Memo::new(move |_| app.notebook.with(|nb| queries::dashboard(nb, app.today)));
    let follow_up = |f: liaison_core::notebook::FollowUp, overdue: bool| {
        let href = f.meeting.id.map(|id| format!("/meetings/{id}")).unwrap_or_default();
        let text = f.action.display_text();
        view! {
            <li class="dash-row" class:overdue=overdue>
                <A href=href>
                    <span class="row-title">{text}</span>
                    <span class="row-sub">{format!("{} · due {}", f.meeting.display_title(), human_date(&f.action.due))}</span>
                </A>
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
