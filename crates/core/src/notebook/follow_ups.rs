//! The Follow-ups screen's queries: open actions of meetings that still exist, overdue first.

use super::{FollowUp, Notebook};
use crate::crdt::id::RecordId;
use crate::crdt::record::Record;
use crate::date::Date;
use crate::model::{Action, Meeting};
use crate::schema::{Field, Kind};

impl Notebook {
    /// Open actions of meetings that still exist: overdue first, then by due date, undated last.
    pub fn open_follow_ups(&self, today: Date) -> Vec<FollowUp> {
        self.open_follow_ups_where(today, |_| true)
    }

    /// [`Notebook::open_follow_ups`] that are overdue or due by `last`: what the dashboard lists, without
    /// making views of the actions it would leave out.
    pub fn open_follow_ups_due_by(&self, today: Date, last: Date) -> Vec<FollowUp> {
        self.open_follow_ups_where(today, |due| due.is_some_and(|d| d <= last))
    }

    /// Works on the records and makes views only of the actions that `keep` their due date.
    fn open_follow_ups_where(&self, today: Date, keep: impl Fn(Option<Date>) -> bool) -> Vec<FollowUp> {
        self.open_actions_where(today, keep)
            .into_iter()
            .map(|(due, a, m)| FollowUp {
                action: Action::from_record(a),
                meeting: Meeting::from_record(m),
                overdue: is_overdue(due, today),
            })
            .collect()
    }

    /// The ids of [`Notebook::open_follow_ups`], in its order, each with whether it is overdue, without
    /// making a view of any: what a list that renders only the rows on the screen needs.
    pub fn open_follow_up_ids(&self, today: Date) -> Vec<(RecordId, bool)> {
        self.open_actions_where(today, |_| true).into_iter().map(|(due, a, _)| (a.id, is_overdue(due, today))).collect()
    }

    /// One of [`Notebook::open_follow_ups`], by the action's id: `None` unless it is open and its meeting
    /// is there.
    pub fn follow_up(&self, action: RecordId, today: Date) -> Option<FollowUp> {
        let a = self.records.get(&action).filter(|a| a.kind == Kind::Action && !a.is_deleted())?;
        let (due, meeting) = self.open_action(a)?;
        Some(FollowUp {
            action: Action::from_record(a),
            meeting: Meeting::from_record(meeting),
            overdue: is_overdue(due, today),
        })
    }

    /// An action's due date and meeting, if the action is open and its meeting is there.
    fn open_action(&self, a: &Record) -> Option<(Option<Date>, &Record)> {
        if a.flag(Field::Done.key()) {
            return None;
        }
        let meeting = a.text(Field::Meeting.key()).parse::<RecordId>().ok()?;
        let meeting = self.records.get(&meeting).filter(|m| m.kind == Kind::Meeting && !m.is_deleted())?;
        Some((Date::parse(a.text(Field::Due.key())).ok(), meeting))
    }

    /// The open actions whose due date `keep` wants, with their due dates and meetings: overdue first,
    /// then by due date, undated last.
    fn open_actions_where(
        &self,
        today: Date,
        keep: impl Fn(Option<Date>) -> bool,
    ) -> Vec<(Option<Date>, &Record, &Record)> {
        let mut open: Vec<(Option<Date>, &Record, &Record)> = self
            .alive(Kind::Action)
            .filter_map(|a| {
                let (due, meeting) = self.open_action(a)?;
                keep(due).then_some((due, a, meeting))
            })
            .collect();
        open.sort_by_key(|(due, a, _)| (!is_overdue(*due, today), due.is_none(), *due, a.id));
        open
    }
}

/// Whether an action due on `due` is overdue on `today`.
fn is_overdue(due: Option<Date>, today: Date) -> bool {
    due.is_some_and(|d| d < today)
}
