//! New records before anyone has typed into them. "New meeting" opens a form at once, but a record
//! that the officer leaves untouched must not stay behind as an "Untitled meeting" in lists and
//! exports. So a draft lives only in memory: it is not written to storage, not listed, not exported, and
//! leaving it discards it. The first edit the officer makes turns it into an ordinary record, written
//! whole (its defaults included) like any other change.

use super::Notebook;
use crate::crdt::id::RecordId;
use crate::date::{Date, Time};
use crate::schema::{Field, Kind, Value};

/// What a new record of `kind` starts with: a meeting is dated and timed when it is opened, which is
/// what an officer writing a meeting down as it happens wants. `today` and `now` are the officer's local
/// date and time, passed in because core reads no clock.
pub fn draft_defaults(kind: Kind, today: Date, now: Time) -> Vec<(Field, Value)> {
    match kind {
        Kind::Meeting => {
            vec![(Field::Date, Value::Text(today.to_string())), (Field::Start, Value::Text(now.to_string()))]
        }
        Kind::Contact | Kind::Action => Vec::new(),
    }
}

impl Notebook {
    /// Opens a draft of `kind` holding `defaults`. It stays a draft (see the module's doc) until the
    /// officer's first edit of it through [`Notebook::set`].
    pub fn create_draft(
        &mut self,
        kind: Kind,
        defaults: Vec<(Field, Value)>,
        now_ms: u64,
        random: [u8; 10],
    ) -> RecordId {
        let id = self.create(kind, now_ms, random);
        for (field, value) in defaults {
            let stamp = self.clock.tick(now_ms);
            if let Some(rec) = self.records.get_mut(&id) {
                if Field::of(kind).contains(&field) && field.accepts(&value) {
                    rec.write(field.key(), value, stamp);
                }
            }
        }
        self.changed.remove(&id);
        self.drafts.insert(id);
        id
    }

    /// Whether `id` is a draft nobody has typed into yet.
    pub fn is_draft(&self, id: RecordId) -> bool {
        self.drafts.contains(&id)
    }

    /// Keeps a draft as a record without an edit of its own, because the officer put something in it
    /// (a follow-up action, say) that would be left pointing at nothing if leaving discarded it. It is
    /// written whole, defaults included. Returns whether it was a draft.
    pub fn keep_draft(&mut self, id: RecordId) -> bool {
        if !self.drafts.remove(&id) {
            return false;
        }
        self.changed.insert(id);
        true
    }

    /// Forgets a draft the officer left untouched. It was never stored or exported, so it leaves no
    /// trace, not even a tombstone. Returns whether there was such a draft; a record that has been
    /// edited is never discarded.
    pub fn discard_draft(&mut self, id: RecordId) -> bool {
        if !self.drafts.remove(&id) {
            return false;
        }
        self.records.remove(&id);
        self.changed.remove(&id);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crdt::id::DeviceId;

    const NOW: u64 = 1_780_000_000_000;

    fn notebook() -> Notebook {
        Notebook::new(DeviceId::new_v7(NOW, [7; 10]))
    }

    fn today() -> Date {
        Date { year: 2026, month: 5, day: 29 }
    }

    #[test]
    fn a_new_meeting_is_dated_and_timed_now() {
        let d = draft_defaults(Kind::Meeting, today(), Time { hour: 9, minute: 5 });
        assert_eq!(
            d,
            vec![(Field::Date, Value::Text("2026-05-29".into())), (Field::Start, Value::Text("09:05".into()))]
        );
        assert!(draft_defaults(Kind::Contact, today(), Time { hour: 9, minute: 5 }).is_empty());
    }

    #[test]
    fn an_untouched_draft_is_not_listed_written_or_exported_and_leaving_discards_it() {
        let mut nb = notebook();
        nb.take_changed();
        let defaults = draft_defaults(Kind::Meeting, today(), Time { hour: 14, minute: 30 });
        let id = nb.create_draft(Kind::Meeting, defaults, NOW, [1; 10]);
        assert!(nb.is_draft(id));
        assert_eq!(nb.record(id).map(|r| r.text("date").to_string()), Some("2026-05-29".to_string()));
        assert!(nb.take_changed().is_empty(), "a draft is never written");
        assert!(nb.meetings().is_empty(), "a draft is not listed");
        assert_eq!(nb.records().count(), 0, "a draft is not exported");
        assert!(nb.changed_here_since(&nb.own_replicas().clone(), &Default::default()).is_empty());
        assert!(nb.discard_draft(id));
        assert!(nb.record(id).is_none());
        assert!(!nb.discard_draft(id));
    }

    #[test]
    fn the_first_edit_turns_a_draft_into_a_record_written_whole_that_leaving_keeps() {
        let mut nb = notebook();
        let defaults = draft_defaults(Kind::Meeting, today(), Time { hour: 14, minute: 30 });
        let id = nb.create_draft(Kind::Meeting, defaults, NOW, [1; 10]);
        nb.set(id, Field::Title, Value::Text("Liaison sync".into()), NOW + 1).unwrap();
        assert!(!nb.is_draft(id));
        assert!(nb.take_changed().contains(&id));
        assert!(!nb.discard_draft(id), "an edited record is never discarded");
        let m = nb.meeting(id).unwrap();
        assert_eq!((m.title.as_str(), m.date.as_str()), ("Liaison sync", "2026-05-29"));
    }

    #[test]
    fn deleting_a_draft_discards_it_and_leaves_no_draft_or_tombstone() {
        let mut nb = notebook();
        nb.take_changed();
        let id = nb.create_draft(Kind::Meeting, Vec::new(), NOW, [3; 10]);
        assert_eq!(nb.delete_with_follow_ups(id, NOW + 1), Ok(0));
        assert!(!nb.is_draft(id), "the draft flag goes with it");
        assert!(nb.record(id).is_none(), "nothing is left to list, restore or export");
        assert!(nb.take_changed().is_empty(), "nothing is written");
        assert!(nb.recently_deleted(NOW + 2).is_empty());
    }

    #[test]
    fn a_draft_kept_for_what_was_added_to_it_is_written_and_no_longer_discarded() {
        let mut nb = notebook();
        nb.take_changed();
        let defaults = draft_defaults(Kind::Meeting, today(), Time { hour: 8, minute: 0 });
        let id = nb.create_draft(Kind::Meeting, defaults, NOW, [4; 10]);
        assert!(nb.keep_draft(id));
        assert!(!nb.is_draft(id));
        assert!(nb.take_changed().contains(&id));
        assert!(!nb.discard_draft(id), "leaving keeps it");
        assert_eq!(nb.meetings().len(), 1);
        assert!(!nb.keep_draft(id), "only a draft is kept this way");
    }

    #[test]
    fn typing_nothing_into_a_draft_leaves_it_a_draft() {
        let mut nb = notebook();
        let id = nb.create_draft(Kind::Contact, Vec::new(), NOW, [2; 10]);
        nb.set(id, Field::Name, Value::Text(String::new()), NOW + 1).unwrap();
        assert!(nb.is_draft(id));
        assert!(nb.discard_draft(id));
    }
}
