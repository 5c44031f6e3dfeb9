//! What a record can hold: its kinds, the fields each kind has, and the shapes of their values.
//!
//! Only `text` and `date` lie below it: the CRDT layer stores [`Value`]s under [`Field`] keys without
//! knowing what a contact is, and the typed views in [`crate::model`] read them back.

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

/// Declares [`Field`] from one table, so that a field's stored name, label and shape are written once,
/// beside it, and `ALL` cannot miss one.
macro_rules! fields {
    ($($(#[doc = $doc:literal])* $variant:ident: $key:literal, $label:literal, $shape:ident;)*) => {
        /// Every field this version knows, for every kind.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Field {
            $($(#[doc = $doc])* $variant,)*
        }

        const ALL: &[Field] = &[$(Field::$variant),*];

        impl Field {
            /// The stored name of the field.
            pub fn key(self) -> &'static str {
                match self {
                    $(Field::$variant => $key,)*
                }
            }

            /// The label a person reads for this field (the screen words of `docs/design.md`).
            pub fn label(self) -> &'static str {
                match self {
                    $(Field::$variant => $label,)*
                }
            }

            /// How the field's value is shaped.
            pub fn shape(self) -> Shape {
                match self {
                    $(Field::$variant => Shape::$shape,)*
                }
            }
        }
    };
}

fields! {
    /// Contact name (any script).
    Name: "name", "Name", Text;
    /// Other names a contact is known by: spellings kept from a merged duplicate, a transliteration, a
    /// maiden name. Search and the participant picker find a contact by them.
    Aliases: "aliases", "Also known as", List;
    /// Contact rank or title; meeting title.
    Title: "title", "Title", Text;
    /// Organisation of a contact.
    Organisation: "organisation", "Organisation", Text;
    /// Nation of a contact.
    Nation: "nation", "Nation", Text;
    /// Role of a contact.
    Role: "role", "Role", Text;
    /// Contact emails.
    Emails: "emails", "Email", List;
    /// Contact phone numbers.
    Phones: "phones", "Phone", List;
    /// Languages a contact speaks.
    Languages: "languages", "Languages", List;
    /// Free notes (contact or meeting).
    Notes: "notes", "Notes", Text;
    /// Tags (contact or meeting).
    Tags: "tags", "Tags", List;
    /// Classification or releasability label.
    Marking: "marking", "Marking", Text;
    /// Meeting date, `YYYY-MM-DD`.
    Date: "date", "Date", Text;
    /// Meeting start time, `HH:MM`.
    Start: "start", "Start", Text;
    /// Meeting end time, `HH:MM`.
    End: "end", "End", Text;
    /// Meeting location.
    Location: "location", "Location", Text;
    /// Contact ids of the meeting's participants.
    Participants: "participants", "Participants", List;
    /// Free-text attendees who are not contacts.
    Attendees: "attendees", "Other attendees", List;
    /// Organisations involved in a meeting.
    Organisations: "organisations", "Organisations", List;
    /// Nations involved in a meeting.
    Nations: "nations", "Nations", List;
    /// Meeting agenda.
    Agenda: "agenda", "Agenda", Text;
    /// Meeting decisions.
    Decisions: "decisions", "Decisions", Text;
    /// For one changed meeting of a repeating series (iCalendar's `RECURRENCE-ID`): the id of the
    /// series' meeting, which may not be in the notebook.
    Series: "series", "Series", Text;
    /// Action text.
    Text: "text", "Action", Text;
    /// Action owner.
    Owner: "owner", "Owner", Text;
    /// Action due date, `YYYY-MM-DD`.
    Due: "due", "Due", Text;
    /// Whether an action is done.
    Done: "done", "Done", Flag;
    /// The meeting an action belongs to (an id).
    Meeting: "meeting", "Meeting", Text;
    /// The contact an action names, if any (an id).
    Contact: "contact", "Contact", Text;
    /// For a contact merged into another as a duplicate: the survivor's id.
    MergedInto: "merged_into", "Merged into", Text;
    /// A contact's structured name as vCard's `N` carries it: family, given, additional names, prefixes
    /// and suffixes, in one text separated by `;` (with `\;` and `\\` inside a part), since a list may
    /// hold no blank item. Screens show the one Name composed of them; see `Contact::structured_name`.
    NameParts: "name_parts", "Name parts", Text;
}

impl Field {
    /// The fields a record of `kind` may carry.
    pub fn of(kind: Kind) -> &'static [Field] {
        match kind {
            Kind::Contact => &[
                Field::Name,
                Field::Aliases,
                Field::Title,
                Field::Organisation,
                Field::Nation,
                Field::Role,
                Field::Emails,
                Field::Phones,
                Field::Languages,
                Field::Notes,
                Field::Tags,
                Field::Marking,
                Field::MergedInto,
                Field::NameParts,
            ],
            Kind::Meeting => &[
                Field::Title,
                Field::Date,
                Field::Start,
                Field::End,
                Field::Location,
                Field::Participants,
                Field::Attendees,
                Field::Organisations,
                Field::Nations,
                Field::Agenda,
                Field::Notes,
                Field::Decisions,
                Field::Tags,
                Field::Marking,
                Field::Series,
            ],
            Kind::Action => &[Field::Text, Field::Owner, Field::Due, Field::Done, Field::Meeting, Field::Contact],
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

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn every_field_key_maps_back_to_its_field() {
        for &f in ALL {
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
