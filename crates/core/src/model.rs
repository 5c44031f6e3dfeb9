//! Typed read views over records, and the names of their fields.
//!
//! Records store fields by name so that data from newer versions survives. The app reads them through
//! these plain structs, which are rebuilt from a record whenever it is shown.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::clock::Stamp;
use crate::id::RecordId;
use crate::record::{Record, Value};

/// What a record is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A person met in the field.
    Contact,
    /// A meeting, with its participants, notes and decisions.
    Meeting,
    /// A follow-up action that belongs to a meeting.
    Action,
}

impl Kind {
    /// The kind with its indefinite article: "a contact", "an action".
    pub fn with_article(self) -> &'static str {
        match self {
            Kind::Contact => "a contact",
            Kind::Meeting => "a meeting",
            Kind::Action => "an action",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Contact => "contact",
            Kind::Meeting => "meeting",
            Kind::Action => "action",
        })
    }
}

/// How a field's value is shaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One string.
    Text,
    /// Several strings.
    List,
    /// A yes/no flag.
    Flag,
}

/// Every field this version knows, for every kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// Contact name (any script).
    Name,
    /// Contact rank or title; meeting title.
    Title,
    /// Organisation of a contact.
    Organisation,
    /// Nation of a contact.
    Nation,
    /// Role of a contact.
    Role,
    /// Contact emails.
    Emails,
    /// Contact phone numbers.
    Phones,
    /// Languages a contact speaks.
    Languages,
    /// Free notes (contact or meeting).
    Notes,
    /// Tags (contact or meeting).
    Tags,
    /// Classification or releasability label.
    Marking,
    /// Meeting date, `YYYY-MM-DD`.
    Date,
    /// Meeting start time, `HH:MM`.
    Start,
    /// Meeting end time, `HH:MM`.
    End,
    /// Meeting location.
    Location,
    /// Contact ids of the meeting's participants.
    Participants,
    /// Free-text attendees who are not contacts.
    Attendees,
    /// Organisations involved in a meeting.
    Organisations,
    /// Nations involved in a meeting.
    Nations,
    /// Meeting agenda.
    Agenda,
    /// Meeting decisions.
    Decisions,
    /// Action text.
    Text,
    /// Action owner.
    Owner,
    /// Action due date, `YYYY-MM-DD`.
    Due,
    /// Whether an action is done.
    Done,
    /// The meeting an action belongs to (an id).
    Meeting,
    /// The contact an action names, if any (an id).
    Contact,
    /// For a contact merged into another as a duplicate: the survivor's id.
    MergedInto,
}

impl Field {
    /// The stored name of the field.
    pub fn key(self) -> &'static str {
        use Field::*;
        match self {
            Name => "name",
            Title => "title",
            Organisation => "organisation",
            Nation => "nation",
            Role => "role",
            Emails => "emails",
            Phones => "phones",
            Languages => "languages",
            Notes => "notes",
            Tags => "tags",
            Marking => "marking",
            Date => "date",
            Start => "start",
            End => "end",
            Location => "location",
            Participants => "participants",
            Attendees => "attendees",
            Organisations => "organisations",
            Nations => "nations",
            Agenda => "agenda",
            Decisions => "decisions",
            Text => "text",
            Owner => "owner",
            Due => "due",
            Done => "done",
            Meeting => "meeting",
            Contact => "contact",
            MergedInto => "merged_into",
        }
    }

    /// The label a person reads for this field (the screen words of DESIGN.md).
    pub fn label(self) -> &'static str {
        use Field::*;
        match self {
            Name => "Name",
            Title => "Title",
            Organisation => "Organisation",
            Nation => "Nation",
            Role => "Role",
            Emails => "Email",
            Phones => "Phone",
            Languages => "Languages",
            Notes => "Notes",
            Tags => "Tags",
            Marking => "Marking",
            Date => "Date",
            Start => "Start",
            End => "End",
            Location => "Location",
            Participants => "Participants",
            Attendees => "Other attendees",
            Organisations => "Organisations",
            Nations => "Nations",
            Agenda => "Agenda",
            Decisions => "Decisions",
            Text => "Action",
            Owner => "Owner",
            Due => "Due",
            Done => "Done",
            Meeting => "Meeting",
            Contact => "Contact",
            MergedInto => "Merged into",
        }
    }

    /// How the field's value is shaped.
    pub fn shape(self) -> Shape {
        use Field::*;
        match self {
            Emails | Phones | Languages | Tags | Participants | Attendees | Organisations | Nations => Shape::List,
            Done => Shape::Flag,
            _ => Shape::Text,
        }
    }

    /// The fields a record of `kind` may carry.
    pub fn of(kind: Kind) -> &'static [Field] {
        use Field::*;
        match kind {
            Kind::Contact => {
                &[Name, Title, Organisation, Nation, Role, Emails, Phones, Languages, Notes, Tags, Marking, MergedInto]
            }
            Kind::Meeting => &[
                Title,
                Date,
                Start,
                End,
                Location,
                Participants,
                Attendees,
                Organisations,
                Nations,
                Agenda,
                Notes,
                Decisions,
                Tags,
                Marking,
            ],
            Kind::Action => &[Text, Owner, Due, Done, Meeting, Contact],
        }
    }

    /// The field with this stored name, if this version knows it.
    pub fn from_key(key: &str) -> Option<Field> {
        ALL.iter().copied().find(|f| f.key() == key)
    }

    /// Whether `value` has the shape this field stores.
    pub fn accepts(self, value: &Value) -> bool {
        matches!(
            (self.shape(), value),
            (Shape::Text, Value::Text(_)) | (Shape::List, Value::List(_)) | (Shape::Flag, Value::Bool(_))
        )
    }
}

const ALL: [Field; 28] = {
    use Field::*;
    [
        Name,
        Title,
        Organisation,
        Nation,
        Role,
        Emails,
        Phones,
        Languages,
        Notes,
        Tags,
        Marking,
        Date,
        Start,
        End,
        Location,
        Participants,
        Attendees,
        Organisations,
        Nations,
        Agenda,
        Decisions,
        Text,
        Owner,
        Due,
        Done,
        Meeting,
        Contact,
        MergedInto,
    ]
};

/// A person, as shown on screen.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Contact {
    /// Record id.
    pub id: Option<RecordId>,
    /// Full name, any script.
    pub name: String,
    /// Rank or title.
    pub title: String,
    /// Organisation.
    pub organisation: String,
    /// Nation.
    pub nation: String,
    /// Role.
    pub role: String,
    /// Email addresses.
    pub emails: Vec<String>,
    /// Phone numbers.
    pub phones: Vec<String>,
    /// Languages spoken.
    pub languages: Vec<String>,
    /// Notes.
    pub notes: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Marking label.
    pub marking: String,
    /// Set when this contact was merged into another as a duplicate.
    pub merged_into: Option<RecordId>,
}

/// A meeting, as shown on screen.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Meeting {
    /// Record id.
    pub id: Option<RecordId>,
    /// Title.
    pub title: String,
    /// Date, `YYYY-MM-DD`.
    pub date: String,
    /// Start, `HH:MM`.
    pub start: String,
    /// End, `HH:MM`.
    pub end: String,
    /// Location.
    pub location: String,
    /// Participating contacts, by id. Ids that do not parse are dropped from this view (not from storage).
    pub participants: Vec<RecordId>,
    /// Attendees who are not contacts.
    pub attendees: Vec<String>,
    /// Organisations involved.
    pub organisations: Vec<String>,
    /// Nations involved.
    pub nations: Vec<String>,
    /// Agenda.
    pub agenda: String,
    /// Notes.
    pub notes: String,
    /// Decisions.
    pub decisions: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Marking label.
    pub marking: String,
    /// When the meeting record was created, for ordering meetings with no date.
    pub created: Option<Stamp>,
}

/// A follow-up action, as shown on screen.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Action {
    /// Record id.
    pub id: Option<RecordId>,
    /// What is to be done.
    pub text: String,
    /// Who does it.
    pub owner: String,
    /// Due date, `YYYY-MM-DD`, or "".
    pub due: String,
    /// Whether it is done.
    pub done: bool,
    /// The meeting it belongs to.
    pub meeting: Option<RecordId>,
    /// The contact it names.
    pub contact: Option<RecordId>,
}

fn ids(list: &[String]) -> Vec<RecordId> {
    list.iter().filter_map(|s| s.parse().ok()).collect()
}

impl Contact {
    /// The view of a contact record.
    pub fn from_record(r: &Record) -> Self {
        Contact {
            id: Some(r.id),
            name: r.text("name").into(),
            title: r.text("title").into(),
            organisation: r.text("organisation").into(),
            nation: r.text("nation").into(),
            role: r.text("role").into(),
            emails: r.list("emails").to_vec(),
            phones: r.list("phones").to_vec(),
            languages: r.list("languages").to_vec(),
            notes: r.text("notes").into(),
            tags: r.list("tags").to_vec(),
            marking: r.text("marking").into(),
            merged_into: r.text("merged_into").parse().ok(),
        }
    }

    /// The value of one of a contact's fields, as a record stores it (`None` for fields a contact lacks).
    pub fn value(&self, field: Field) -> Option<Value> {
        Some(match field {
            Field::Name => Value::Text(self.name.clone()),
            Field::Title => Value::Text(self.title.clone()),
            Field::Organisation => Value::Text(self.organisation.clone()),
            Field::Nation => Value::Text(self.nation.clone()),
            Field::Role => Value::Text(self.role.clone()),
            Field::Emails => Value::List(self.emails.clone()),
            Field::Phones => Value::List(self.phones.clone()),
            Field::Languages => Value::List(self.languages.clone()),
            Field::Notes => Value::Text(self.notes.clone()),
            Field::Tags => Value::List(self.tags.clone()),
            Field::Marking => Value::Text(self.marking.clone()),
            Field::MergedInto => Value::Text(self.merged_into.map(|id| id.to_string()).unwrap_or_default()),
            _ => return None,
        })
    }

    /// The name to show, never blank.
    pub fn display_name(&self) -> String {
        if self.name.trim().is_empty() {
            "Unnamed contact".into()
        } else {
            self.name.clone()
        }
    }
}

impl Meeting {
    /// The view of a meeting record.
    pub fn from_record(r: &Record) -> Self {
        Meeting {
            id: Some(r.id),
            title: r.text("title").into(),
            date: r.text("date").into(),
            start: r.text("start").into(),
            end: r.text("end").into(),
            location: r.text("location").into(),
            participants: ids(r.list("participants")),
            attendees: r.list("attendees").to_vec(),
            organisations: r.list("organisations").to_vec(),
            nations: r.list("nations").to_vec(),
            agenda: r.text("agenda").into(),
            notes: r.text("notes").into(),
            decisions: r.text("decisions").into(),
            tags: r.list("tags").to_vec(),
            marking: r.text("marking").into(),
            created: r.created().copied(),
        }
    }

    /// The title to show, never blank.
    pub fn display_title(&self) -> String {
        if self.title.trim().is_empty() {
            "Untitled meeting".into()
        } else {
            self.title.clone()
        }
    }

    /// A key that sorts meetings oldest first: date, start time, then creation.
    pub fn chronology(&self) -> (String, String, Option<Stamp>) {
        (self.date.clone(), self.start.clone(), self.created)
    }
}

impl Action {
    /// The view of an action record.
    pub fn from_record(r: &Record) -> Self {
        Action {
            id: Some(r.id),
            text: r.text("text").into(),
            owner: r.text("owner").into(),
            due: r.text("due").into(),
            done: r.flag("done"),
            meeting: r.text("meeting").parse().ok(),
            contact: r.text("contact").parse().ok(),
        }
    }
}

/// How sensitive a marking is, for the colour of its band. Unknown labels are [`MarkingLevel::Other`].
///
/// The variants are declared from least to most restrictive, and compare so: a label this version
/// cannot grade is above SECRET, because guessing that it is harmless is the mistake that would leak.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MarkingLevel {
    /// No marking given.
    None,
    /// UNCLASSIFIED, PUBLIC, OFFICIAL and the like.
    Open,
    /// RESTRICTED, or any releasability caveat (REL TO …, NOFORN).
    Restricted,
    /// CONFIDENTIAL.
    Confidential,
    /// SECRET and above.
    Secret,
    /// A label this version does not grade.
    Other,
}

/// Grades a marking label. Matching ignores case and surrounding space.
pub fn marking_level(marking: &str) -> MarkingLevel {
    let m = marking.trim().to_uppercase();
    let has = |w: &str| m.split(|c: char| !c.is_alphanumeric()).any(|t| t == w);
    if m.is_empty() {
        MarkingLevel::None
    } else if has("SECRET") {
        MarkingLevel::Secret
    } else if has("CONFIDENTIAL") {
        MarkingLevel::Confidential
    } else if has("RESTRICTED") || m.contains("REL TO") || has("NOFORN") {
        MarkingLevel::Restricted
    } else if has("UNCLASSIFIED") || has("PUBLIC") || has("OFFICIAL") {
        MarkingLevel::Open
    } else {
        MarkingLevel::Other
    }
}

/// The marking a page or file that shows all of these labels must carry: the most restrictive of them,
/// graded by [`marking_level`]. Different labels of the same grade ("NATO RESTRICTED" and "REL TO AUT,
/// CHE") are all kept, in the order given and joined by " / ", since neither covers the other. Empty
/// when none is marked.
pub fn highest_marking<'a>(labels: impl IntoIterator<Item = &'a str>) -> String {
    let mut top = MarkingLevel::None;
    let mut kept: Vec<&str> = Vec::new();
    for label in labels.into_iter().map(str::trim).filter(|l| !l.is_empty()) {
        let level = marking_level(label);
        if level > top {
            top = level;
            kept.clear();
        }
        if level == top && !kept.iter().any(|k| k.to_uppercase() == label.to_uppercase()) {
            kept.push(label);
        }
    }
    kept.join(" / ")
}

/// The marking a printed page (or any view) showing these records must carry: [`highest_marking`] of
/// every value their markings hold. A marking with a conflict counts with both values, as on export,
/// because until a person chooses, either may be the right one.
pub fn highest_marking_of<'a>(records: impl IntoIterator<Item = &'a Record>) -> String {
    highest_marking(records.into_iter().flat_map(|r| {
        r.fields.get(Field::Marking.key()).into_iter().flat_map(|reg| reg.entries().iter().map(|e| e.value.as_text()))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_key_maps_back_to_its_field() {
        for f in ALL {
            assert_eq!(Field::from_key(f.key()), Some(f));
        }
        assert_eq!(Field::from_key("nonsense"), None);
    }

    #[test]
    fn every_kind_lists_only_known_fields_without_repeats() {
        for kind in [Kind::Contact, Kind::Meeting, Kind::Action] {
            let fields = Field::of(kind);
            let mut keys: Vec<_> = fields.iter().map(|f| f.key()).collect();
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), fields.len(), "{kind}");
        }
    }

    #[test]
    fn the_highest_marking_of_several_is_the_most_restrictive_and_keeps_equal_caveats() {
        assert_eq!(highest_marking(["", "UNCLASSIFIED", "SECRET", "NATO RESTRICTED"]), "SECRET");
        assert_eq!(highest_marking(["", " "]), "");
        assert_eq!(highest_marking(["", "unclassified"]), "unclassified");
        assert_eq!(highest_marking(["TOP SECRET", "Company internal"]), "Company internal", "ungraded is above SECRET");
        assert_eq!(
            highest_marking(["NATO RESTRICTED", "REL TO AUT, CHE", "nato restricted", "UNCLASSIFIED"]),
            "NATO RESTRICTED / REL TO AUT, CHE"
        );
    }

    #[test]
    fn the_highest_marking_of_records_counts_both_sides_of_a_marking_conflict() {
        use crate::id::DeviceId;
        use crate::notebook::Notebook;
        let now = 1_700_000_000_000;
        let mut a = Notebook::new(DeviceId::new_v7(0, [1; 10]));
        let contact = a.create(Kind::Contact, now, [1; 10]);
        let meeting = a.create(Kind::Meeting, now, [2; 10]);
        a.set(meeting, Field::Marking, Value::Text("RESTRICTED".into()), now + 1).unwrap();
        let mut b = Notebook::from_records(DeviceId::new_v7(0, [2; 10]), vec![a.record(contact).unwrap().clone()], now);
        a.set(contact, Field::Marking, Value::Text("CONFIDENTIAL".into()), now + 2).unwrap();
        b.set(contact, Field::Marking, Value::Text("UNCLASSIFIED".into()), now + 3).unwrap();
        a.merge_record(b.record(contact).unwrap(), now + 4).unwrap();
        assert_eq!(a.contact(contact).unwrap().marking, "UNCLASSIFIED", "the later value is shown");
        let records = [a.record(contact).unwrap(), a.record(meeting).unwrap()];
        assert_eq!(highest_marking_of(records), "CONFIDENTIAL");
    }

    #[test]
    fn markings_are_graded_by_their_strongest_word() {
        assert_eq!(marking_level(""), MarkingLevel::None);
        assert_eq!(marking_level("unclassified"), MarkingLevel::Open);
        assert_eq!(marking_level("NATO RESTRICTED"), MarkingLevel::Restricted);
        assert_eq!(marking_level("UNCLASSIFIED // REL TO AUT, CHE"), MarkingLevel::Restricted);
        assert_eq!(marking_level("CONFIDENTIAL"), MarkingLevel::Confidential);
        assert_eq!(marking_level("TOP SECRET"), MarkingLevel::Secret);
        assert_eq!(marking_level("Company internal"), MarkingLevel::Other);
    }

    #[test]
    fn list_fields_reject_text_values() {
        assert!(Field::Emails.accepts(&Value::List(vec![])));
        assert!(!Field::Emails.accepts(&Value::Text("a@b.c".into())));
        assert!(Field::Done.accepts(&Value::Bool(true)));
    }
}
