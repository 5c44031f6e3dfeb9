//! Events and to-dos into the notebook: meetings found again by UID, attendees matched to contacts.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::parse::{Attendee, Calendar, Event, Todo};
use crate::crdt::id::RecordId;
use crate::formats::{id_for_uid, shown, upsert, ImportOutcome, Problem};
use crate::model::Meeting;
use crate::notebook::Notebook;
use crate::schema::{Field, Kind, Value};
use crate::text;

/// The notebook's live contacts by email (trimmed, case ignored), made once for a whole import: making
/// the sorted list of contacts again for every event made importing many invitations quadratic. An
/// address stands for the first contact by name (case ignored) that has it.
#[derive(Clone, Debug, Default)]
pub struct ContactsByEmail(HashMap<String, RecordId>);

impl ContactsByEmail {
    /// The index of the contacts `nb` holds now.
    pub fn new(nb: &Notebook) -> Self {
        let mut by_email = HashMap::new();
        for c in nb.contacts() {
            let Some(id) = c.id else { continue };
            for e in &c.emails {
                by_email.entry(text::email_key(e)).or_insert(id);
            }
        }
        ContactsByEmail(by_email)
    }

    /// The contact an address stands for, if any (case and surrounding spaces ignored).
    pub fn get(&self, email: &str) -> Option<RecordId> {
        let email = text::email_key(email);
        if email.is_empty() {
            return None;
        }
        self.0.get(&email).copied()
    }
}

/// Matches attendees to the notebook's live contacts: by the contact id Liaison wrote, then by email
/// (case ignored). Returns the matched contacts (each once, in file order) and the others as free text.
/// For many events, make the [`ContactsByEmail`] once and use [`match_attendees_with`].
pub fn match_attendees(nb: &Notebook, attendees: &[Attendee]) -> (Vec<RecordId>, Vec<String>) {
    match_attendees_with(nb, &ContactsByEmail::new(nb), attendees)
}

/// [`match_attendees`] with an index of the notebook's contacts made beforehand.
pub fn match_attendees_with(
    nb: &Notebook,
    contacts: &ContactsByEmail,
    attendees: &[Attendee],
) -> (Vec<RecordId>, Vec<String>) {
    let mut matched: Vec<RecordId> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut others = Vec::new();
    for a in attendees {
        let by_id = a.contact.map(|id| nb.resolve_contact(id)).filter(|id| nb.contact(*id).is_some());
        match by_id.or_else(|| contacts.get(&a.email)) {
            Some(id) => {
                if seen.insert(id) {
                    matched.push(id);
                }
            }
            None => {
                let text = a.free_text();
                if !text.is_empty() {
                    others.push(text);
                }
            }
        }
    }
    (matched, others)
}

impl Event {
    /// The record this event is imported into: the meeting its UID names (a Liaison UID is the record
    /// id), a UUID hashed from a foreign UID (so the same invitation imported twice is one meeting), or,
    /// with no UID, one hashed from its title, date and start. A changed occurrence of a series shares
    /// the series' UID, so its own meeting is hashed from the UID and the start it replaces.
    pub fn record_id(&self) -> RecordId {
        match self.uid.as_deref().map(str::trim) {
            Some(uid) if !uid.is_empty() => match &self.recurrence_id {
                Some(rid) => id_for_uid(Kind::Meeting, &format!("{uid}\nRECURRENCE-ID:{rid}")),
                None => id_for_uid(Kind::Meeting, uid),
            },
            _ => {
                let m = &self.meeting;
                RecordId::from_hash(
                    format!("liaison event without uid\n{}\n{}\n{}\n{}", m.title, m.date, m.start, m.location)
                        .as_bytes(),
                )
            }
        }
    }

    /// The meeting as it would be imported into `nb`, attendees matched to its contacts.
    pub fn meeting_in(&self, nb: &Notebook) -> Meeting {
        self.meeting_with(nb, &ContactsByEmail::new(nb))
    }

    /// [`Event::meeting_in`] with an index of the notebook's contacts made beforehand.
    pub fn meeting_with(&self, nb: &Notebook, contacts: &ContactsByEmail) -> Meeting {
        let (participants, attendees) = match_attendees_with(nb, contacts, &self.attendees);
        Meeting { participants, attendees, ..self.meeting.clone() }
    }

    fn values(&self, m: &Meeting) -> Vec<(Field, Value)> {
        let text = |s: &String| Value::Text(s.clone());
        let list = |l: &Vec<String>| Value::List(l.clone());
        self.carried
            .iter()
            .filter_map(|f| {
                let v = match f {
                    Field::Title => text(&m.title),
                    Field::Date => text(&m.date),
                    Field::Start => text(&m.start),
                    Field::End => text(&m.end),
                    Field::Location => text(&m.location),
                    Field::Participants => Value::List(m.participants.iter().map(ToString::to_string).collect()),
                    Field::Attendees => list(&m.attendees),
                    Field::Organisations => list(&m.organisations),
                    Field::Nations => list(&m.nations),
                    Field::Agenda => text(&m.agenda),
                    Field::Notes => text(&m.notes),
                    Field::Decisions => text(&m.decisions),
                    Field::Tags => list(&m.tags),
                    Field::Marking => text(&m.marking),
                    Field::Series => Value::Text(m.series.map(|s| s.to_string()).unwrap_or_default()),
                    _ => return None,
                };
                Some((*f, v))
            })
            .collect()
    }
}

impl Todo {
    /// The record this to-do is imported into (see [`Event::record_id`]).
    pub fn record_id(&self) -> RecordId {
        match self.uid.as_deref().map(str::trim) {
            Some(uid) if !uid.is_empty() => id_for_uid(Kind::Action, uid),
            _ => RecordId::from_hash(
                format!(
                    "liaison todo without uid\n{}\n{}\n{}",
                    self.action.text,
                    self.action.due,
                    self.related_to.as_deref().unwrap_or("")
                )
                .as_bytes(),
            ),
        }
    }
}

/// Imports a calendar: each event becomes a meeting (or updates the meeting its UID names, so importing
/// an invitation twice, or a Liaison export back, duplicates nothing), its attendees matched to contacts
/// ([`match_attendees`]). Each to-do becomes a follow-up action of the meeting it is `RELATED-TO`, when
/// that meeting is in the file or in the notebook; to-dos with no meeting are listed in
/// [`ImportOutcome::not_imported`], since an action belongs to a meeting. Time and the random bytes
/// for new records come from the caller.
pub fn import(nb: &mut Notebook, cal: &Calendar, now_ms: u64, random: &mut dyn FnMut() -> [u8; 10]) -> ImportOutcome {
    let mut out = ImportOutcome::default();
    let mut meetings: BTreeMap<String, RecordId> = BTreeMap::new();
    // Importing meetings changes no contact, so one index serves every event.
    let contacts = ContactsByEmail::new(nb);
    for e in &cal.events {
        let m = e.meeting_with(nb, &contacts);
        let landed = upsert(nb, Kind::Meeting, e.record_id(), &e.values(&m), now_ms, random, &mut out.not_imported);
        // A to-do related to a series belongs to the series' meeting, not to one changed occurrence.
        if let (Some(uid), None) = (&e.uid, &e.recurrence_id) {
            meetings.insert(uid.trim().to_string(), landed.id());
        }
        landed.record_in(&mut out);
    }
    for t in &cal.todos {
        let meeting = t.related_to.as_deref().map(str::trim).and_then(|rel| {
            meetings.get(rel).copied().or_else(|| {
                let id = id_for_uid(Kind::Meeting, rel);
                nb.meeting(id).map(|_| id)
            })
        });
        let Some(meeting) = meeting else {
            out.not_imported.push(Problem {
                line: t.line,
                message: format!(
                    "the to-do “{}” belongs to no meeting in this file or notebook, so it was not imported",
                    shown(&t.action.text)
                ),
            });
            continue;
        };
        let contact = t.contact.map(|c| nb.resolve_contact(c)).filter(|c| nb.contact(*c).is_some());
        let a = &t.action;
        let values: Vec<(Field, Value)> = t
            .carried
            .iter()
            .filter_map(|f| {
                let v = match f {
                    Field::Text => Value::Text(a.text.clone()),
                    Field::Owner => Value::Text(a.owner.clone()),
                    Field::Due => Value::Text(a.due.clone()),
                    Field::Done => Value::Bool(a.done),
                    Field::Meeting => Value::Text(meeting.to_string()),
                    Field::Contact => Value::Text(contact.map(|c| c.to_string()).unwrap_or_default()),
                    _ => return None,
                };
                Some((*f, v))
            })
            .collect();
        upsert(nb, Kind::Action, t.record_id(), &values, now_ms, random, &mut out.not_imported).record_in(&mut out);
    }
    out
}
