//! What a record can hold: its kinds, the fields each kind has, and the shapes of their values.
//!
//! This is the leaf of core: the CRDT layer stores [`Value`]s under [`Field`] keys without knowing what
//! a contact is, and the typed views in [`crate::model`] read them back.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The longest single value accepted, in bytes: larger, it could never travel in a bundle.
pub const MAX_VALUE_BYTES: usize = 1024 * 1024;

/// The value of one field.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    /// Free text, a date (`YYYY-MM-DD`), a time (`HH:MM`) or an id, depending on the field.
    Text(String),
    /// Several strings: emails, phones, tags, participant ids.
    List(Vec<String>),
    /// A flag: an action's done state, a record's deleted state.
    Bool(bool),
}

impl Value {
    /// The text, or "" when the value is not text.
    pub fn as_text(&self) -> &str {
        match self {
            Value::Text(s) => s,
            _ => "",
        }
    }

    /// The list, or an empty slice when the value is not a list.
    pub fn as_list(&self) -> &[String] {
        match self {
            Value::List(v) => v,
            _ => &[],
        }
    }

    /// The flag, or false when the value is not a flag.
    pub fn as_bool(&self) -> bool {
        matches!(self, Value::Bool(true))
    }

    /// A short human rendering, for conflict lists and provenance.
    pub fn display(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::List(v) => v.join(", "),
            Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        }
    }
}
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

    /// The label a person reads for this field (the screen words of `docs/design.md`).
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
    fn list_fields_reject_text_values() {
        assert!(Field::Emails.accepts(&Value::List(vec![])));
        assert!(!Field::Emails.accepts(&Value::Text("a@b.c".into())));
        assert!(Field::Done.accepts(&Value::Bool(true)));
    }
}
