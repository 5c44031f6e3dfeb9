//! A meeting's participants as the picker edits them: who may be added for what was typed, and the list
//! after adding or removing someone. A participant is stored by contact id, and an id may be that of a
//! duplicate since merged, so every rule here compares ids through [`Notebook::resolve_contact`].

use std::collections::BTreeSet;

use super::Notebook;
use crate::crdt::id::RecordId;
use crate::model::Contact;
use crate::schema::Field;
use crate::text;

/// A contact the participant picker offers for what was typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// The contact.
    pub contact: Contact,
    /// Whether the query is in its name (or alias, or organisation), or only near it.
    pub closeness: text::Closeness,
}

impl Notebook {
    /// The meeting's participant list as stored: contact ids, some perhaps of merged duplicates.
    fn participant_ids(&self, meeting: RecordId) -> Vec<String> {
        self.record(meeting).map(|r| r.list(Field::Participants.key()).to_vec()).unwrap_or_default()
    }

    /// The contacts taking part in the meeting now, redirects followed.
    fn taking_part(&self, meeting: RecordId) -> BTreeSet<RecordId> {
        self.participant_ids(meeting)
            .iter()
            .filter_map(|p| p.parse::<RecordId>().ok())
            .map(|p| self.resolve_contact(p))
            .collect()
    }

    /// Up to `limit` contacts whose name, aliases or organisation what was typed finds by [`text::near`]
    /// ("woeber" finds "Wöber", "Kowalenko" finds "Коваленко"), leaving out those already taking part.
    /// Those that contain it come first, then those only near it (possible existing contacts), each in
    /// [`Notebook::contacts`] order. Nothing is suggested for a blank query.
    pub fn participant_suggestions(&self, meeting: RecordId, query: &str, limit: usize) -> Vec<Suggestion> {
        if text::key(query).is_empty() {
            return Vec::new();
        }
        let taken = self.taking_part(meeting);
        let mut found: Vec<Suggestion> = self
            .contacts()
            .into_iter()
            .filter(|c| c.id.is_some_and(|id| !taken.contains(&id)))
            .filter_map(|c| {
                let names = std::iter::once(&c.name).chain(&c.aliases).chain(std::iter::once(&c.organisation));
                let closeness = names.filter_map(|n| text::near(query, n)).min()?;
                Some(Suggestion { contact: c, closeness })
            })
            .collect();
        // Stable, so each group keeps the contacts' order.
        found.sort_by_key(|s| s.closeness);
        found.truncate(limit);
        found
    }

    /// The meeting's participant list with `contact` added at the end, unless it already takes part
    /// (under its own id or a merged duplicate's).
    pub fn participants_adding(&self, meeting: RecordId, contact: RecordId) -> Vec<String> {
        let mut list = self.participant_ids(meeting);
        if !self.taking_part(meeting).contains(&contact) {
            list.push(contact.to_string());
        }
        list
    }

    /// The meeting's participant list without every id that stands for `contact`, those of duplicates
    /// merged into it included.
    pub fn participants_removing(&self, meeting: RecordId, contact: RecordId) -> Vec<String> {
        self.participant_ids(meeting)
            .into_iter()
            .filter(|p| p.parse::<RecordId>().map_or(true, |p| self.resolve_contact(p) != contact))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::crdt::id::{DeviceId, RecordId};
    use crate::notebook::Notebook;
    use crate::schema::{Field, Kind, Value};

    fn contact(nb: &mut Notebook, n: u8, name: &str, organisation: &str) -> RecordId {
        let id = nb.create(Kind::Contact, 1_000 + u64::from(n), [n; 10]);
        nb.set(id, Field::Name, Value::Text(name.into()), 2_000).unwrap();
        nb.set(id, Field::Organisation, Value::Text(organisation.into()), 2_000).unwrap();
        id
    }

    fn meeting_with(nb: &mut Notebook, participants: &[RecordId]) -> RecordId {
        let m = nb.create(Kind::Meeting, 3_000, [99; 10]);
        let list = participants.iter().map(RecordId::to_string).collect();
        nb.set(m, Field::Participants, Value::List(list), 3_000).unwrap();
        m
    }

    fn names(nb: &Notebook, meeting: RecordId, query: &str, limit: usize) -> Vec<String> {
        nb.participant_suggestions(meeting, query, limit).into_iter().map(|s| s.contact.name).collect()
    }

    #[test]
    fn suggestions_match_the_name_or_organisation_ignoring_case_and_accents() {
        let mut nb = Notebook::new(DeviceId::new_v7(0, [1; 10]));
        contact(&mut nb, 1, "Oberst Jürgen Müller", "Österreichisches Bundesheer");
        contact(&mut nb, 2, "Anna Martin", "Armée de Terre");
        let m = meeting_with(&mut nb, &[]);
        assert_eq!(names(&nb, m, "muller", 6), ["Oberst Jürgen Müller"]);
        assert_eq!(names(&nb, m, "  MÜLL ", 6), ["Oberst Jürgen Müller"]);
        assert_eq!(names(&nb, m, "armee", 6), ["Anna Martin"]);
        assert_eq!(names(&nb, m, "bundesheer", 6), ["Oberst Jürgen Müller"]);
        assert!(names(&nb, m, "   ", 6).is_empty());
    }

    #[test]
    fn suggestions_find_german_spellings_other_scripts_and_aliases_and_then_near_names() {
        let mut nb = Notebook::new(DeviceId::new_v7(0, [1; 10]));
        contact(&mut nb, 1, "Maj. Karin Wöber", "");
        contact(&mut nb, 2, "Олександр Коваленко", "");
        let kovalenko = contact(&mut nb, 3, "Olga Kovalenko", "");
        let anna = contact(&mut nb, 4, "Anna Berg", "");
        nb.set(anna, Field::Aliases, Value::List(vec!["Anna Bergström".into()]), 2_500).unwrap();
        let m = meeting_with(&mut nb, &[]);
        assert_eq!(names(&nb, m, "Woeber", 6), ["Maj. Karin Wöber"]);
        assert_eq!(names(&nb, m, "Kowalenko", 6), ["Olga Kovalenko", "Олександр Коваленко"]);
        assert_eq!(names(&nb, m, "kovalenko", 6), ["Olga Kovalenko", "Олександр Коваленко"]);
        assert_eq!(names(&nb, m, "bergstrom", 6), ["Anna Berg"]);
        let found = nb.participant_suggestions(m, "Olga Kowalenko", 6);
        assert_eq!(
            found.iter().map(|s| (s.contact.id, s.closeness)).collect::<Vec<_>>(),
            [(Some(kovalenko), crate::text::Closeness::Near)]
        );
    }

    #[test]
    fn a_name_that_contains_the_query_comes_before_one_that_is_only_near_it() {
        let mut nb = Notebook::new(DeviceId::new_v7(0, [1; 10]));
        contact(&mut nb, 1, "Anna Bergmann", "");
        contact(&mut nb, 2, "Carl Bergman", "");
        let m = meeting_with(&mut nb, &[]);
        assert_eq!(names(&nb, m, "bergmann", 6), ["Anna Bergmann", "Carl Bergman"]);
        assert_eq!(names(&nb, m, "bergman", 6), ["Anna Bergmann", "Carl Bergman"]);
        assert_eq!(names(&nb, m, "bergmannn", 6), ["Anna Bergmann", "Carl Bergman"]);
    }

    #[test]
    fn suggestions_come_in_name_order_and_stop_at_the_limit() {
        let mut nb = Notebook::new(DeviceId::new_v7(0, [1; 10]));
        for (n, name) in ["Carl Berg", "Anna Berg", "Bo Berg"].iter().enumerate() {
            contact(&mut nb, n as u8 + 1, name, "");
        }
        let m = meeting_with(&mut nb, &[]);
        assert_eq!(names(&nb, m, "berg", 2), ["Anna Berg", "Bo Berg"]);
    }

    /// Anna, a copy of her since merged into her, and Bo.
    fn anna_her_merged_copy_and_bo() -> (Notebook, RecordId, RecordId, RecordId) {
        let mut nb = Notebook::new(DeviceId::new_v7(0, [1; 10]));
        let anna = contact(&mut nb, 1, "Anna Berg", "");
        let copy = contact(&mut nb, 2, "Anna Berg", "");
        let bo = contact(&mut nb, 3, "Bo Berg", "");
        nb.merge_contacts(anna, copy, Vec::new(), 2_500).unwrap();
        (nb, anna, copy, bo)
    }

    #[test]
    fn someone_taking_part_is_not_suggested_even_when_listed_under_a_merged_duplicates_id() {
        let (mut nb, anna, copy, bo) = anna_her_merged_copy_and_bo();
        let m = meeting_with(&mut nb, &[copy]);
        assert_eq!(names(&nb, m, "berg", 6), ["Bo Berg"]);
        assert_eq!(nb.participants_adding(m, anna), [copy.to_string()]);
        assert_eq!(nb.participants_adding(m, bo), [copy.to_string(), bo.to_string()]);
    }

    #[test]
    fn removing_someone_removes_every_id_that_stands_for_them_and_keeps_the_rest() {
        let (mut nb, anna, copy, bo) = anna_her_merged_copy_and_bo();
        let m = meeting_with(&mut nb, &[copy, bo, anna]);
        assert_eq!(nb.participants_removing(m, anna), [bo.to_string()]);
        assert_eq!(nb.participants_removing(m, bo), [copy.to_string(), anna.to_string()]);
    }
}
