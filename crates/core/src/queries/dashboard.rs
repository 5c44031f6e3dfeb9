//! The dashboard's questions: follow-ups due, recent meetings, meetings per nation, contacts not met.

use std::collections::HashMap;

use super::shared::{involved, participant_ids, People, Tally};
use crate::crdt::clock::Stamp;
use crate::crdt::id::RecordId;
use crate::crdt::record::Record;
use crate::date::Date;
use crate::model::{Contact, Meeting};
use crate::notebook::{FollowUp, Notebook};
use crate::schema::{Field, Kind};
use crate::text::{self, FxBuild};

/// Follow-ups due within this many days from today (today included) are "upcoming".
pub const UPCOMING_DAYS: i64 = 14;
/// How many recent meetings the dashboard lists.
pub const RECENT_MEETINGS: usize = 5;
/// The window of the per-nation chart, in days ending today.
pub const NATION_WINDOW_DAYS: i64 = 90;
/// A contact not met for this many days is listed as not met.
pub const NOT_MET_DAYS: i64 = 180;

/// How many meetings involved one nation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NationCount {
    /// The nation, in its most used spelling among the counted meetings.
    pub nation: String,
    /// Meetings that involved it.
    pub meetings: usize,
}

/// A contact not met for a while.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotMet {
    /// The contact.
    pub contact: Contact,
    /// The date of the last meeting with them, or `None` if never met.
    pub last_met: Option<Date>,
    /// Days since then (or, if never met, since the contact was created).
    pub days: i64,
}

/// Everything the start screen shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dashboard {
    /// Open follow-ups past their due date, oldest due first.
    pub overdue: Vec<FollowUp>,
    /// Open follow-ups due today or within [`UPCOMING_DAYS`], soonest first.
    pub upcoming: Vec<FollowUp>,
    /// The last [`RECENT_MEETINGS`] meetings on or before today, newest first.
    pub recent_meetings: Vec<Meeting>,
    /// Meetings per nation over the last [`NATION_WINDOW_DAYS`] days, most first.
    pub meetings_per_nation: Vec<NationCount>,
    /// Contacts not met in [`NOT_MET_DAYS`] days.
    pub not_met: Vec<NotMet>,
}

/// The dashboard as of `today`, with the default windows. Reads the meetings once for all three of
/// their lists.
pub fn dashboard(nb: &Notebook, today: Date) -> Dashboard {
    // Open follow-ups come overdue first, then by due date: the two lists are a prefix and the rest.
    let (overdue, upcoming) =
        nb.open_follow_ups_due_by(today, today.add_days(UPCOMING_DAYS)).into_iter().partition(|f| f.overdue);
    let held = held_meetings(nb, today);
    let mut people = People::new(nb);
    let nations = nations_since(&mut people, &held, window_start(today, NATION_WINDOW_DAYS));
    let not_met = not_met_of(nb, today, NOT_MET_DAYS, &last_met(&mut people, &held));
    Dashboard {
        overdue,
        upcoming,
        recent_meetings: newest(&held, RECENT_MEETINGS),
        meetings_per_nation: per_nation_of(nations),
        not_met,
    }
}

/// The first day of the `days` days that end with `today`.
pub fn window_start(today: Date, days: i64) -> Date {
    today.add_days(1 - days.max(1))
}

/// The last `n` meetings dated on or before `today`, newest first (by date, start, then creation).
/// Undated meetings and meetings still to come are left out.
pub fn recent_meetings(nb: &Notebook, today: Date, n: usize) -> Vec<Meeting> {
    newest(&held_meetings(nb, today), n)
}

/// How many meetings dated in the last `days` days (ending today) involved each nation (see the module
/// documentation: the meeting's nations and its participants' nations, each nation once per meeting).
/// Most meetings first, then by nation.
pub fn meetings_per_nation(nb: &Notebook, today: Date, days: i64) -> Vec<NationCount> {
    per_nation_of(nations_since(&mut People::new(nb), &held_meetings(nb, today), window_start(today, days)))
}

/// Live contacts with no meeting in the last `days` days (ending today), as the module documentation
/// defines: met ones first, longest silence first, then never-met ones created at least `days` days
/// ago, oldest first.
pub fn contacts_not_met(nb: &Notebook, today: Date, days: i64) -> Vec<NotMet> {
    not_met_of(nb, today, days, &last_met(&mut People::new(nb), &held_meetings(nb, today)))
}

/// Every live meeting dated on or before `today`, with its date: what each meeting list of the
/// dashboard reads.
fn held_meetings(nb: &Notebook, today: Date) -> Vec<(Date, &Record)> {
    nb.alive(Kind::Meeting)
        .filter_map(|r| Date::parse(r.text(Field::Date.key())).ok().filter(|d| *d <= today).map(|d| (d, r)))
        .collect()
}

/// The newest `n` of `held`, newest first.
fn newest(held: &[(Date, &Record)], n: usize) -> Vec<Meeting> {
    type Key<'a> = (Date, &'a str, Option<&'a Stamp>, RecordId);
    let mut dated: Vec<(Key<'_>, &Record)> =
        held.iter().map(|&(d, r)| ((d, r.text(Field::Start.key()), r.created(), r.id), r)).collect();
    let newest_first = |a: &(Key<'_>, &Record), b: &(Key<'_>, &Record)| b.0.cmp(&a.0);
    if n > 0 && dated.len() > n {
        dated.select_nth_unstable_by(n - 1, newest_first);
    }
    dated.truncate(n);
    dated.sort_by(newest_first);
    dated.into_iter().map(|(_, r)| Meeting::from_record(r)).collect()
}

/// The nations involved in the meetings of `held` dated from `from` on, each once per meeting.
fn nations_since<'a>(people: &mut People<'a>, held: &[(Date, &'a Record)], from: Date) -> Tally<'a> {
    let mut nations = Tally::default();
    for &(_, r) in held.iter().filter(|(d, _)| *d >= from) {
        let participants = people.of(participant_ids(r));
        for n in involved(&mut nations, r.list(Field::Nations.key()), &participants, Field::Nation) {
            nations.add(n);
        }
    }
    nations
}

/// The last meeting date in `held` of each contact (merge survivors).
fn last_met(people: &mut People<'_>, held: &[(Date, &Record)]) -> HashMap<RecordId, Date, FxBuild> {
    let mut last: HashMap<RecordId, Date, FxBuild> = HashMap::default();
    for &(d, r) in held {
        for p in participant_ids(r) {
            let (c, _) = people.resolve(p);
            let e = last.entry(c).or_insert(d);
            *e = (*e).max(d);
        }
    }
    last
}

fn per_nation_of(tally: Tally<'_>) -> Vec<NationCount> {
    let mut counts: Vec<(String, NationCount)> =
        tally.spellings().into_iter().map(|(key, nation, meetings)| (key, NationCount { nation, meetings })).collect();
    counts.sort_by(|a, b| b.1.meetings.cmp(&a.1.meetings).then_with(|| a.0.cmp(&b.0)));
    counts.into_iter().map(|(_, c)| c).collect()
}

fn not_met_of(nb: &Notebook, today: Date, days: i64, last: &HashMap<RecordId, Date, FxBuild>) -> Vec<NotMet> {
    let start = window_start(today, days);
    let mut out: Vec<(bool, Date, String, RecordId, &Record)> = Vec::new();
    for r in nb.alive(Kind::Contact) {
        if !r.text(Field::MergedInto.key()).is_empty() {
            continue;
        }
        let (since, never) = match last.get(&r.id) {
            Some(d) if *d >= start => continue,
            Some(d) => (*d, false),
            None => {
                let Some(created) = r.created() else { continue };
                let day = Date::from_days_since_epoch((created.wall_ms / 86_400_000) as i64);
                if day >= start {
                    continue;
                }
                (day, true)
            }
        };
        out.push((never, since, text::key(r.text(Field::Name.key())), r.id, r));
    }
    out.sort_by(|a, b| (a.0, a.1, &a.2, a.3).cmp(&(b.0, b.1, &b.2, b.3)));
    out.into_iter()
        .map(|(never, since, _, _, r)| NotMet {
            contact: Contact::from_record(r),
            last_met: (!never).then_some(since),
            days: since.days_until(today),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_start_counts_today_as_the_first_day() {
        let today = Date::parse("2026-03-31").unwrap();
        assert_eq!(window_start(today, 1), today);
        assert_eq!(window_start(today, 90), Date::parse("2026-01-01").unwrap());
    }
}
