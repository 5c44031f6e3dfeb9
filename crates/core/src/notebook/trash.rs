//! "Recently deleted": what this device's officer can still bring back. Deletion is the `life` register
//! of the merge contract (docs/design.md, M5), so the trash is not a second store: it is the deleted
//! records this device still holds the values of, for `TRASH_DAYS` after their deletion. Restoring is an
//! ordinary restore edit, which merges with every other device like any edit. Nothing here removes data:
//! after the window a deletion simply stops being offered.
//!
//! A meeting's follow-ups go with it: deleting a meeting deletes its live actions in the same command,
//! and restoring the meeting from the trash brings back the ones that went with it (and only those).

use super::{EditError, Notebook};
use crate::crdt::clock::Stamp;
use crate::crdt::id::RecordId;
use crate::crdt::record::Record;
use crate::model::{Action, Contact, Meeting};
use crate::schema::{Field, Kind};

/// How long a deleted record is offered in "Recently deleted".
pub const TRASH_DAYS: u64 = 30;

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// One entry of "Recently deleted".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deleted {
    /// The deleted record.
    pub id: RecordId,
    /// Its kind.
    pub kind: Kind,
    /// Its name or title, with the usual stand-in when it had none.
    pub title: String,
    /// Its marking, so that the trash shows what it shows everywhere else.
    pub marking: String,
    /// When it was deleted (wall-clock ms of the deletion's stamp).
    pub deleted_ms: u64,
    /// Who deleted it: the officer of the deleting device, as provenance names them.
    pub deleted_by: String,
    /// For a meeting: how many follow-ups went with it.
    pub follow_ups: usize,
}

/// The winning deletion of a record, if it is deleted.
fn deletion(r: &Record) -> Option<&Stamp> {
    r.life.winner().filter(|e| e.value.as_bool()).map(|e| &e.stamp)
}

/// Whether `action` was deleted by the same command as its meeting's `deleted` stamp.
fn went_with(action: &Record, meeting: RecordId, deleted: &Stamp) -> bool {
    action.kind == Kind::Action
        && action.text(Field::Meeting.key()) == meeting.to_string()
        && deletion(action).is_some_and(|s| s.device == deleted.device && s.wall_ms == deleted.wall_ms)
}

impl Notebook {
    /// Deletes a record; a meeting takes its live follow-ups with it. Each deletion is its own edit of
    /// its own record, so each merges on its own.
    pub fn delete_with_follow_ups(&mut self, id: RecordId, now_ms: u64) -> Result<usize, EditError> {
        let rec = self.records.get(&id).ok_or(EditError::NoSuchRecord(id))?;
        let actions: Vec<RecordId> = match rec.kind {
            Kind::Meeting => self.actions_of(id).into_iter().filter_map(|a| a.id).collect(),
            Kind::Contact | Kind::Action => Vec::new(),
        };
        self.delete(id, now_ms)?;
        for a in &actions {
            self.delete(*a, now_ms)?;
        }
        Ok(actions.len())
    }

    /// Brings back a deleted record and, for a meeting, the follow-ups deleted with it.
    pub fn restore_deleted(&mut self, id: RecordId, now_ms: u64) -> Result<(), EditError> {
        let rec = self.records.get(&id).ok_or(EditError::NoSuchRecord(id))?;
        let with: Vec<RecordId> = match (rec.kind, deletion(rec)) {
            (Kind::Meeting, Some(stamp)) => {
                self.records.values().filter(|a| went_with(a, id, stamp)).map(|a| a.id).collect()
            }
            _ => Vec::new(),
        };
        self.restore(id, now_ms)?;
        for a in with {
            self.restore(a, now_ms)?;
        }
        Ok(())
    }

    /// "Recently deleted", newest deletion first: contacts and meetings deleted in the last
    /// `TRASH_DAYS` before `now_ms`, and follow-ups deleted on their own (those that went with a meeting
    /// come back with it). A contact merged into another is not in the trash: the merge moved it, it
    /// did not delete it.
    pub fn recently_deleted(&self, now_ms: u64) -> Vec<Deleted> {
        let since = now_ms.saturating_sub(TRASH_DAYS * DAY_MS);
        let mut out: Vec<Deleted> = self
            .records()
            .filter_map(|r| {
                let stamp = deletion(r)?;
                // A tombstone that only ever arrived as one holds nothing to bring back.
                if stamp.wall_ms < since || r.fields.is_empty() || !r.text(Field::MergedInto.key()).is_empty() {
                    return None;
                }
                let (title, marking, follow_ups) = match r.kind {
                    Kind::Contact => {
                        let c = Contact::from_record(r);
                        (c.display_name(), c.marking, 0)
                    }
                    Kind::Meeting => {
                        let m = Meeting::from_record(r);
                        let n = self.records.values().filter(|a| went_with(a, r.id, stamp)).count();
                        (m.display_title(), m.marking, n)
                    }
                    Kind::Action => {
                        let meeting = r.text(Field::Meeting.key()).parse::<RecordId>().ok();
                        let gone_with_meeting = meeting
                            .and_then(|m| self.records.get(&m))
                            .and_then(|m| deletion(m).map(|s| went_with(r, m.id, s)))
                            .unwrap_or(false);
                        if gone_with_meeting {
                            return None;
                        }
                        (Action::from_record(r).display_text(), String::new(), 0)
                    }
                };
                Some(Deleted {
                    id: r.id,
                    kind: r.kind,
                    title,
                    marking,
                    deleted_ms: stamp.wall_ms,
                    deleted_by: self.author(stamp.device),
                    follow_ups,
                })
            })
            .collect();
        out.sort_by(|a, b| b.deleted_ms.cmp(&a.deleted_ms).then(a.id.cmp(&b.id)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crdt::id::DeviceId;
    use crate::schema::Value;

    const NOW: u64 = 1_780_000_000_000;

    fn notebook(seed: u8) -> Notebook {
        Notebook::new(DeviceId::new_v7(NOW, [seed; 10]))
    }

    fn meeting_with_actions(nb: &mut Notebook) -> (RecordId, RecordId, RecordId) {
        let m = nb.create(Kind::Meeting, NOW, [1; 10]);
        nb.set(m, Field::Title, Value::Text("Liaison sync".into()), NOW).unwrap();
        let a = nb.create(Kind::Action, NOW, [2; 10]);
        nb.set(a, Field::Meeting, Value::Text(m.to_string()), NOW).unwrap();
        let b = nb.create(Kind::Action, NOW, [3; 10]);
        nb.set(b, Field::Meeting, Value::Text(m.to_string()), NOW).unwrap();
        (m, a, b)
    }

    #[test]
    fn deleting_a_meeting_takes_its_follow_ups_and_restoring_it_brings_them_back() {
        let mut nb = notebook(9);
        let (m, a, b) = meeting_with_actions(&mut nb);
        assert_eq!(nb.delete_with_follow_ups(m, NOW + 1000).unwrap(), 2);
        assert!(nb.actions_of(m).is_empty());
        let trash = nb.recently_deleted(NOW + 2000);
        assert_eq!(trash.len(), 1, "the follow-ups that went with the meeting are not listed apart");
        assert_eq!((trash[0].id, trash[0].follow_ups), (m, 2));
        nb.restore_deleted(m, NOW + 3000).unwrap();
        assert!(nb.meeting(m).is_some());
        assert_eq!(nb.actions_of(m).into_iter().filter_map(|x| x.id).collect::<Vec<_>>(), vec![a, b]);
        assert!(nb.recently_deleted(NOW + 4000).is_empty());
    }

    #[test]
    fn a_follow_up_deleted_before_its_meeting_stays_deleted_when_the_meeting_comes_back() {
        let mut nb = notebook(9);
        let (m, a, b) = meeting_with_actions(&mut nb);
        nb.delete(a, NOW + 500).unwrap();
        nb.delete_with_follow_ups(m, NOW + 1000).unwrap();
        let trash = nb.recently_deleted(NOW + 2000);
        assert_eq!(trash.iter().map(|d| d.id).collect::<Vec<_>>(), vec![m, a], "newest deletion first");
        nb.restore_deleted(m, NOW + 3000).unwrap();
        assert_eq!(nb.actions_of(m).into_iter().filter_map(|x| x.id).collect::<Vec<_>>(), vec![b]);
    }

    #[test]
    fn the_trash_offers_a_deletion_for_thirty_days_and_then_no_longer() {
        let mut nb = notebook(9);
        let c = nb.create(Kind::Contact, NOW, [4; 10]);
        nb.set(c, Field::Name, Value::Text("Anna Wöber".into()), NOW).unwrap();
        nb.delete_with_follow_ups(c, NOW).unwrap();
        let day = 24 * 60 * 60 * 1000;
        assert_eq!(nb.recently_deleted(NOW + TRASH_DAYS * day)[0].title, "Anna Wöber");
        assert!(nb.recently_deleted(NOW + TRASH_DAYS * day + 1).is_empty());
        assert!(nb.record(c).is_some(), "leaving the trash removes nothing");
    }

    #[test]
    fn a_restore_from_the_trash_merges_with_a_device_that_saw_the_deletion() {
        let mut here = notebook(9);
        let c = here.create(Kind::Contact, NOW, [4; 10]);
        here.set(c, Field::Name, Value::Text("Anna Wöber".into()), NOW).unwrap();
        here.delete_with_follow_ups(c, NOW + 1).unwrap();
        let mut there = notebook(8);
        there.merge_record(&here.record(c).unwrap().for_export(), NOW + 2).unwrap();
        here.restore_deleted(c, NOW + 3).unwrap();
        let restored = here.record(c).unwrap().clone();
        there.merge_record(&restored, NOW + 4).unwrap();
        assert_eq!(there.contact(c).map(|x| x.name), Some("Anna Wöber".to_string()));
        let mut back = there.record(c).unwrap().clone();
        back.merge(&restored).unwrap();
        assert_eq!(&back, there.record(c).unwrap(), "the join is settled both ways");
        assert!(here.recently_deleted(NOW + 5).is_empty());
    }

    #[test]
    fn a_merged_away_contact_is_not_in_the_trash() {
        let mut nb = notebook(9);
        let a = nb.create(Kind::Contact, NOW, [4; 10]);
        let b = nb.create(Kind::Contact, NOW, [5; 10]);
        nb.set(a, Field::Name, Value::Text("Anna Wöber".into()), NOW).unwrap();
        nb.set(b, Field::Name, Value::Text("Anna Woeber".into()), NOW).unwrap();
        nb.merge_contacts(a, b, Vec::new(), NOW + 1).unwrap();
        assert!(nb.recently_deleted(NOW + 2).is_empty());
    }
}
