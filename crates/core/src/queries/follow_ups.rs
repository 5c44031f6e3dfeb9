//! The Follow-ups screen's filter (it lives in the URL, like the lists' [`super::ListFilter`]), its groups
//! and the owner choices.
//!
//! Decisions:
//! - **Groups**: an open action due before today is overdue; one due today or in the six days after
//!   ([`THIS_WEEK_DAYS`] in all) is this week's; everything else open is later, undated ones and due
//!   texts that are not dates last. Completed actions form a group of their own, shown on request.
//! - **Mine** is an action whose owner is this device's officer, compared folded ([`crate::text::same`]).
//!   A device whose officer has no name owns nothing.
//! - **Nation** is a nation involved in the action's meeting (the rule of the meetings list: listed on
//!   it, or a participant's) or the nation of the contact the action names.

use std::collections::HashMap;

use super::filter::{query_string, ListFilter, MeetingMatcher};
use super::shared::{wants, People, Tally, Wanted};
use crate::crdt::id::RecordId;
use crate::crdt::record::Record;
use crate::date::{human_date, Date};
use crate::model::Meeting;
use crate::notebook::Notebook;
use crate::schema::{Field, Kind};
use crate::text::{self, FxBuild};

/// How many days "This week" covers, today included.
pub const THIS_WEEK_DAYS: i64 = 7;

/// The URL parameter names of the follow-up filters. Bookmarks depend on them: never rename one.
pub mod follow_up_param {
    /// Only this device's officer's actions, `1`.
    pub const MINE: &str = "mine";
    /// An owner, as typed on the actions.
    pub const OWNER: &str = "owner";
    /// A nation.
    pub const NATION: &str = "nation";
    /// A meeting's id.
    pub const MEETING: &str = "meeting";
    /// Completed actions shown too, `1`.
    pub const COMPLETED: &str = "completed";
}

/// The filter of the Follow-ups screen. Every value set must match (AND).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FollowUpFilter {
    /// Only actions whose owner is this device's officer.
    pub mine: bool,
    /// Only actions with this owner (folded).
    pub owner: Option<String>,
    /// Only actions that involve this nation (folded).
    pub nation: Option<String>,
    /// Only the actions of this meeting.
    pub meeting: Option<RecordId>,
    /// Completed actions shown as well, in a group of their own.
    pub completed: bool,
}

impl FollowUpFilter {
    /// Whether any filter narrows the list ("Show completed" widens it, so it does not count).
    pub fn narrows(&self) -> bool {
        self.mine || self.owner.is_some() || self.nation.is_some() || self.meeting.is_some()
    }

    /// The filter as URL parameters, unencoded, in a stable order: `mine`, `owner`, `nation`,
    /// `meeting`, `completed`; unset values are left out.
    pub fn to_query_pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut push = |k: &str, v: String| out.push((k.to_string(), v));
        if self.mine {
            push(follow_up_param::MINE, "1".into());
        }
        if let Some(o) = &self.owner {
            push(follow_up_param::OWNER, o.clone());
        }
        if let Some(n) = &self.nation {
            push(follow_up_param::NATION, n.clone());
        }
        if let Some(m) = self.meeting {
            push(follow_up_param::MEETING, m.to_string());
        }
        if self.completed {
            push(follow_up_param::COMPLETED, "1".into());
        }
        out
    }

    /// The filter as a percent-encoded query string without the leading `?`: "" when nothing is set.
    pub fn to_query_string(&self) -> String {
        query_string(&self.to_query_pairs())
    }

    /// The filter from decoded URL parameters. Unknown names, blank values and meeting ids that do not
    /// parse are ignored; a repeated name takes its first value; `mine` and `completed` are on for `1` or
    /// `true`. Never fails: a URL is data from outside.
    pub fn from_query_pairs(pairs: &[(String, String)]) -> Self {
        let first = |name: &str| {
            let v = pairs.iter().find(|(k, _)| k == name)?.1.trim();
            (!v.is_empty()).then(|| v.to_string())
        };
        let on = |name: &str| first(name).is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
        FollowUpFilter {
            mine: on(follow_up_param::MINE),
            owner: first(follow_up_param::OWNER),
            nation: first(follow_up_param::NATION),
            meeting: first(follow_up_param::MEETING).and_then(|m| m.parse().ok()),
            completed: on(follow_up_param::COMPLETED),
        }
    }

    /// The actions that pass, grouped: Overdue, This week and Later always (possibly empty), then
    /// Completed when [`FollowUpFilter::completed`] is set. `me` is this device's officer's name. Only
    /// actions of meetings that still exist are listed. Within a group: by due date (Completed: the
    /// latest first), undated last, then by id.
    pub fn groups(&self, nb: &Notebook, me: &str, today: Date) -> Vec<FollowUpGroup> {
        let me_key = text::key(me);
        let mut owner = Wanted::new(&self.owner);
        let meeting_filter = ListFilter { nation: self.nation.clone(), ..Default::default() };
        let mut meetings = MeetingMatcher::new(&meeting_filter, nb);
        let mut meeting_passes: HashMap<RecordId, bool, FxBuild> = HashMap::default();
        let mut nation = Wanted::new(&self.nation);
        let mut people = People::new(nb);
        let mut mine_seen: HashMap<&str, bool, FxBuild> = HashMap::default();
        let mut open: [Vec<(Option<Date>, RecordId)>; 3] = Default::default();
        let mut completed = Vec::new();
        for a in nb.alive(Kind::Action) {
            let done = a.flag(Field::Done.key());
            if done && !self.completed {
                continue;
            }
            let Some(m) = meeting_of(nb, a) else { continue };
            if self.meeting.is_some_and(|wanted| wanted != m.id) {
                continue;
            }
            let owner_text = a.text(Field::Owner.key());
            if self.mine
                && !*mine_seen
                    .entry(owner_text)
                    .or_insert_with(|| !me_key.is_empty() && text::key(owner_text) == me_key)
            {
                continue;
            }
            if !wants(&mut owner, owner_text) {
                continue;
            }
            if nation.is_some() {
                let by_meeting = *meeting_passes.entry(m.id).or_insert_with(|| meetings.matches(m));
                let mut by_contact = || {
                    let named = a.text(Field::Contact.key()).parse::<RecordId>().ok();
                    named
                        .and_then(|c| people.resolve(c).1)
                        .is_some_and(|c| wants(&mut nation, c.text(Field::Nation.key())))
                };
                if !by_meeting && !by_contact() {
                    continue;
                }
            }
            let due = Date::parse(a.text(Field::Due.key())).ok();
            if done {
                completed.push((due, a.id));
            } else {
                open[Group::of(due, today) as usize].push((due, a.id));
            }
        }
        let mut out: Vec<FollowUpGroup> = [Group::Overdue, Group::ThisWeek, Group::Later]
            .into_iter()
            .zip(open)
            .map(|(group, mut v)| {
                v.sort_by_key(|(due, id)| (due.is_none(), *due, *id));
                FollowUpGroup { group, ids: v.into_iter().map(|(_, id)| id).collect() }
            })
            .collect();
        if self.completed {
            completed.sort_by_key(|(due, id)| (due.is_none(), std::cmp::Reverse(*due), *id));
            out.push(FollowUpGroup { group: Group::Completed, ids: completed.into_iter().map(|(_, id)| id).collect() });
        }
        out
    }
}

/// The live meeting an action belongs to.
fn meeting_of<'a>(nb: &'a Notebook, a: &Record) -> Option<&'a Record> {
    let id = a.text(Field::Meeting.key()).parse::<RecordId>().ok()?;
    nb.record(id).filter(|m| m.kind == Kind::Meeting && !m.is_deleted())
}

/// A group of the Follow-ups screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Group {
    /// Open, due before today.
    Overdue = 0,
    /// Open, due today or within [`THIS_WEEK_DAYS`].
    ThisWeek = 1,
    /// Open, due after this week, or with no due date.
    Later = 2,
    /// Done.
    Completed = 3,
}

impl Group {
    /// The group an open action due on `due` belongs to on `today`.
    pub fn of(due: Option<Date>, today: Date) -> Group {
        match due {
            Some(d) if d < today => Group::Overdue,
            Some(d) if d < today.add_days(THIS_WEEK_DAYS) => Group::ThisWeek,
            _ => Group::Later,
        }
    }

    /// The group's heading, as the screen shows it.
    pub fn label(self) -> &'static str {
        match self {
            Group::Overdue => "Overdue",
            Group::ThisWeek => "This week",
            Group::Later => "Later",
            Group::Completed => "Completed",
        }
    }
}

/// One group of the Follow-ups screen and its actions, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUpGroup {
    /// Which group.
    pub group: Group,
    /// The actions' ids.
    pub ids: Vec<RecordId>,
}

/// The owners typed on the actions of live meetings, each once (folded), in its most used spelling, in
/// folded order: the choices of the owner filter.
pub fn follow_up_owners(nb: &Notebook) -> Vec<String> {
    let mut t = Tally::default();
    for a in nb.alive(Kind::Action).filter(|a| meeting_of(nb, a).is_some()) {
        t.add(a.text(Field::Owner.key()));
    }
    t.spellings().into_iter().map(|(_, s, _)| s).collect()
}

/// Who can own an action: this device's officer (`me`), the officers of the devices the notebook knows,
/// the names of live contacts, and owners already typed on actions, each once (folded), in folded order.
/// The owner field offers these and still takes any other text.
pub fn owner_choices(nb: &Notebook, me: &str) -> Vec<String> {
    let mut t = Tally::default();
    t.add(me);
    for p in nb.devices().values() {
        t.add(&p.officer);
    }
    for r in nb.records().filter(|r| !r.is_deleted()) {
        match r.kind {
            Kind::Contact => t.add(r.text(Field::Name.key())),
            Kind::Action => t.add(r.text(Field::Owner.key())),
            Kind::Meeting => {}
        }
    }
    t.spellings().into_iter().map(|(_, s, _)| s).collect()
}

/// The live meetings that have follow-up actions, newest first, each with its label ("14 Mar 2026 ·
/// Staff talks", or the title alone when undated): the choices of the meeting filter.
pub fn follow_up_meetings(nb: &Notebook) -> Vec<(RecordId, String)> {
    let mut seen: HashMap<RecordId, (), FxBuild> = HashMap::default();
    let mut meetings: Vec<Meeting> = Vec::new();
    for a in nb.alive(Kind::Action) {
        if let Some(m) = meeting_of(nb, a) {
            if seen.insert(m.id, ()).is_none() {
                meetings.push(Meeting::from_record(m));
            }
        }
    }
    meetings.sort_by_cached_key(|m| std::cmp::Reverse(m.chronology()));
    meetings
        .into_iter()
        .filter_map(|m| {
            let label = match Date::parse(&m.date) {
                Ok(_) => format!("{} · {}", human_date(&m.date), m.display_title()),
                Err(_) => m.display_title(),
            };
            Some((m.id?, label))
        })
        .collect()
}

#[cfg(test)]
#[path = "follow_ups_tests.rs"]
mod tests;
