//! Typed read views over records, and the names of their fields; and the devices that write them.
//!
//! Records store fields by name so that data from newer versions survives. The app reads them through
//! these plain structs, which are rebuilt from a record whenever it is shown.

use serde::{Deserialize, Serialize};

use crate::crdt::clock::Stamp;
use crate::crdt::id::{DeviceId, RecordId};
use crate::crdt::record::Record;
use crate::schema::{Field, Value};

/// A person, as shown on screen.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Contact {
    /// Record id.
    pub id: Option<RecordId>,
    /// Full name, any script.
    pub name: String,
    /// Other names the contact is known by (kept from merged duplicates, among others).
    pub aliases: Vec<String>,
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
    /// The structured name a vCard brought (family, given, additional, prefixes, suffixes), or empty.
    pub name_parts: Vec<String>,
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
    /// For one changed meeting of a repeating series, the series' meeting (which may not be here).
    pub series: Option<RecordId>,
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

/// `text`, or `stand_in` when it is blank: what a list shows for a record nobody named.
fn or_stand_in(text: &str, stand_in: &str) -> String {
    if text.trim().is_empty() {
        stand_in.into()
    } else {
        text.into()
    }
}

/// A structured name's parts as the one text [`Field::NameParts`] stores: `;` between parts, a
/// backslash before a `;` or backslash inside one. No parts is "".
pub fn encode_name_parts(parts: &[String]) -> String {
    let escaped: Vec<String> = parts.iter().map(|p| p.replace('\\', "\\\\").replace(';', "\\;")).collect();
    escaped.join(";")
}

/// The parts of [`encode_name_parts`]'s text; "" is no parts.
pub fn decode_name_parts(text: &str) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    let (mut parts, mut current) = (Vec::new(), String::new());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => current.extend(chars.next()),
            // Five parts at most, however many separators a hostile bundle holds.
            ';' if parts.len() < 4 => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    parts
}

/// A name's parts as best guessed from it: the last word is the family name, the rest is given (a
/// one-word name, 李小龍 say, is all family).
pub fn guess_parts(name: &str) -> [String; 5] {
    let words: Vec<&str> = name.split_whitespace().collect();
    match words.split_last() {
        None => Default::default(),
        Some((family, given)) => [family.to_string(), given.join(" "), String::new(), String::new(), String::new()],
    }
}

/// Whether `name` is written with the words of `parts` and no others, in any order; commas between
/// words (Outlook's "Berg, Anna") do not count.
fn same_words(name: &str, parts: &[String]) -> bool {
    let joined = parts.join(" ");
    let of_parts = sorted_words(&joined);
    !of_parts.is_empty() && sorted_words(name) == of_parts
}

fn sorted_words(s: &str) -> Vec<&str> {
    let mut w: Vec<&str> = s.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).collect();
    w.sort_unstable();
    w
}

/// Whether a file's name parts are worth keeping beside `name`: they describe it (see
/// [`Contact::structured_name`]) and say more than [`guess_parts`] would. The one rule for every reader.
pub fn parts_worth_keeping(name: &str, parts: &[String]) -> bool {
    same_words(name, parts) && parts != guess_parts(name)
}

/// The one name a person reads from vCard's parts (family, given, additional, prefixes, suffixes):
/// prefixes, given, additional, family, suffixes, blank ones left out, several values of a part (which
/// `N` separates with commas) joined by a space.
pub fn compose_name(parts: &[String]) -> String {
    let at = |i: usize| parts.get(i).map(|s| s.replace(',', " ")).unwrap_or_default();
    [at(3), at(1), at(2), at(0), at(4)]
        .iter()
        .flat_map(|s| s.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Contact {
    /// The order contacts are listed in: by name, case ignored, then by id. Lower case only rather than
    /// [`crate::text::key`], because the order is part of every export's bytes, which golden files pin.
    pub fn sort_key(&self) -> (String, Option<RecordId>) {
        (self.name.trim().to_lowercase(), self.id)
    }

    /// The view of a contact record.
    pub fn from_record(r: &Record) -> Self {
        Contact {
            id: Some(r.id),
            name: r.text("name").into(),
            aliases: r.list("aliases").to_vec(),
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
            name_parts: decode_name_parts(r.text("name_parts")),
        }
    }

    /// The name in vCard's five parts: family, given, additional names, prefixes, suffixes. They are
    /// the parts a card brought while the name is still written with their words, in any order (安藤
    /// ロイド family first, "Berg, Anna" as Outlook files it); once the name is edited, [`guess_parts`].
    pub fn structured_name(&self) -> [String; 5] {
        let part = |i: usize| self.name_parts.get(i).cloned().unwrap_or_default();
        let parts = [part(0), part(1), part(2), part(3), part(4)];
        if !self.name_parts.is_empty() && same_words(&self.name, &parts) {
            return parts;
        }
        guess_parts(&self.name)
    }

    /// The value of one of a contact's fields, as a record stores it (`None` for fields a contact lacks).
    pub fn value(&self, field: Field) -> Option<Value> {
        Some(match field {
            Field::Name => Value::Text(self.name.clone()),
            Field::Aliases => Value::List(self.aliases.clone()),
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
            Field::NameParts => Value::Text(encode_name_parts(&self.name_parts)),
            _ => return None,
        })
    }

    /// The name to show, never blank.
    pub fn display_name(&self) -> String {
        or_stand_in(&self.name, "Unnamed contact")
    }

    /// The title, organisation and nation, each trimmed, blank ones left out: who the contact is, next
    /// to the name.
    pub fn affiliation(&self) -> Vec<&str> {
        [&self.title, &self.organisation, &self.nation]
            .into_iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// The line under the name: "title · organisation · nation", blank parts left out.
    pub fn subtitle(&self) -> String {
        self.affiliation().join(" · ")
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
            series: r.text("series").parse().ok(),
            created: r.created().copied(),
        }
    }

    /// The title to show, never blank.
    pub fn display_title(&self) -> String {
        or_stand_in(&self.title, "Untitled meeting")
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

    /// What is to be done, as shown, never blank.
    pub fn display_text(&self) -> String {
        or_stand_in(&self.text, "Untitled action")
    }
}

/// A device as the notebook knows it: the officer who uses it and what they call it. Bundles carry it as
/// [`crate::formats::wire::DeviceV1`]; storage keeps it in the same shape.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceProfile {
    /// The device id, made on first start.
    pub id: DeviceId,
    /// A label people recognise ("Anna's laptop").
    pub label: String,
    /// The officer who uses the device.
    pub officer: String,
}

impl DeviceProfile {
    /// "Lt Col Ana Ruiz (Field laptop)", the officer alone or the label alone when the other is blank, or
    /// `None` when both are; the spaces around either are left out.
    pub fn name(&self) -> Option<String> {
        let (officer, label) = (self.officer.trim(), self.label.trim());
        match (officer.is_empty(), label.is_empty()) {
            (false, false) => Some(format!("{officer} ({label})")),
            (false, true) => Some(officer.to_string()),
            (true, false) => Some(label.to_string()),
            (true, true) => None,
        }
    }

    /// [`DeviceProfile::name`], or "device 0190a1b2" (the start of its id) for a device nobody named.
    pub fn display_name(&self) -> String {
        self.name().unwrap_or_else(|| format!("device {}", &self.id.to_string()[..8]))
    }

    /// Takes what `other` says of the same device, part by part: a blank label or officer never replaces
    /// a filled one, so a bundle from a device not yet named cannot erase its name.
    pub fn learn(&mut self, other: DeviceProfile) {
        if !other.label.trim().is_empty() {
            self.label = other.label;
        }
        if !other.officer.trim().is_empty() {
            self.officer = other.officer;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(label: &str, officer: &str) -> DeviceProfile {
        DeviceProfile { id: DeviceId::new_v7(1_700_000_000_000, [1; 10]), label: label.into(), officer: officer.into() }
    }

    #[test]
    fn a_device_is_named_by_its_officer_and_label_whichever_are_filled() {
        assert_eq!(profile("Field laptop", "Lt Col Ana Ruiz").display_name(), "Lt Col Ana Ruiz (Field laptop)");
        assert_eq!(profile(" ", " Lt Col Ana Ruiz ").display_name(), "Lt Col Ana Ruiz");
        assert_eq!(profile("Field laptop", "").display_name(), "Field laptop");
        assert_eq!(profile("", " ").name(), None);
        assert_eq!(profile("", " ").display_name(), "device 018bcfe5");
    }

    #[test]
    fn a_blank_label_or_officer_never_replaces_a_filled_one() {
        let mut known = profile("Field laptop", "Lt Col Ana Ruiz");
        known.learn(profile(" ", "Maj Bo Lind"));
        assert_eq!((known.label.as_str(), known.officer.as_str()), ("Field laptop", "Maj Bo Lind"));
        known.learn(profile("Tablet", ""));
        assert_eq!((known.label.as_str(), known.officer.as_str()), ("Tablet", "Maj Bo Lind"));
    }
}
