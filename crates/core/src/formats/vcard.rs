//! vCard 4.0 (RFC 6350): contacts to and from address books.
//!
//! Export writes one card per contact:
//!
//! | Liaison      | vCard                                                                         |
//! | ------------ | ----------------------------------------------------------------------------- |
//! | record id    | `UID:urn:uuid:<id>`                                                           |
//! | name         | `FN` exactly as typed, any script; `N` split best-effort (family = last word)  |
//! | title        | `TITLE`                                                                       |
//! | organisation | `ORG` (one component; a `;` in it is escaped)                                 |
//! | role         | `ROLE`                                                                        |
//! | nation       | `X-LIAISON-NATION` (vCard has no nation; ADR's country is a postal address)  |
//! | emails       | one `EMAIL` each                                                              |
//! | phones       | one `TEL` each, as text (what was typed; not every number is a valid tel: URI) |
//! | languages    | one `LANG` each                                                               |
//! | tags         | `CATEGORIES`                                                                  |
//! | notes        | `NOTE`, after a first line `Marking: <label>` when the contact is marked       |
//! | marking      | `X-LIAISON-MARKING`, exactly                                                  |
//!
//! vCard 4 has no classification property (3.0's `CLASS` is gone), and address books ignore `X-`
//! properties, so the marking is written twice: exactly in `X-LIAISON-MARKING`, for Liaison to read
//! back, and as the first line of `NOTE`, where a person using any address book sees it. Reading a card
//! that has both takes that first line off the note again, so notes survive the round trip unchanged.
//!
//! Import reads vCard 4.0, 3.0 and 2.1 (phones, Outlook): grouped properties (`item1.EMAIL`), `TYPE`
//! parameters, quoted-printable, legacy charsets, folded lines. It returns the cards it could read and a
//! list of problems with line numbers; unknown properties (ADR, BDAY, PHOTO, …) are named per card in
//! [`Card::skipped`], so the app can say what was not kept.

use std::collections::BTreeSet;

use super::lines::{self, escape_list, escape_text, first, fold_into, split_escaped, split_escaped_while};
use super::{
    id_for_uid, note_with_marking, note_without_marking, shown, upsert, Budget, ExportText, ImportOutcome, List,
    Problem, Problems, MAX_IMPORT_BYTES, MAX_LIST_ITEMS, PRODID,
};
use crate::crdt::id::RecordId;
use crate::marking::{view_within, Ceiling};
use crate::model::{compose_name, parts_worth_keeping, Contact};
use crate::notebook::Notebook;
use crate::schema::Value;
use crate::schema::{Field, Kind};

/// Cards in one file beyond this many are not read (and the file is reported as cut short).
pub const MAX_CARDS: usize = 50_000;

/// One contact as a vCard 4.0, CRLF line ends, folded at 75 octets. It is not filtered by marking: use
/// [`export`] for anything that leaves the device.
pub fn card(c: &Contact) -> String {
    let mut out = String::new();
    let mut line = |s: &str| fold_into(s, &mut out);
    line("BEGIN:VCARD");
    line("VERSION:4.0");
    line(&format!("PRODID:{PRODID}"));
    if let Some(id) = c.id {
        line(&format!("UID:urn:uuid:{id}"));
    }
    line(&format!("FN:{}", escape_text(&c.name)));
    let n: Vec<String> = c.structured_name().iter().map(|p| escape_text(&lines::exportable(p))).collect();
    line(&format!("N:{}", n.join(";")));
    for (prop, value) in
        [("TITLE", &c.title), ("ORG", &c.organisation), ("ROLE", &c.role), ("X-LIAISON-NATION", &c.nation)]
    {
        if !value.is_empty() {
            line(&format!("{prop}:{}", escape_text(value)));
        }
    }
    for (prop, values) in [("EMAIL", &c.emails), ("TEL", &c.phones), ("LANG", &c.languages)] {
        for v in values.iter().filter(|v| !v.is_empty()) {
            line(&format!("{prop}:{}", escape_text(v)));
        }
    }
    if c.tags.iter().any(|t| !t.is_empty()) {
        line(&format!("CATEGORIES:{}", escape_list(&c.tags)));
    }
    let note = note_with_marking(&c.marking, &c.notes);
    if !note.is_empty() {
        line(&format!("NOTE:{}", escape_text(&note)));
    }
    if !c.marking.is_empty() {
        line(&format!("X-LIAISON-MARKING:{}", escape_text(&c.marking)));
    }
    line("END:VCARD");
    out
}

/// Contacts as one .vcf file, leaving out those above the ceiling (judged on their records in `nb`, see
/// [`crate::marking::record_within`]). Pass one contact for "export this contact", or the filtered list.
pub fn export(nb: &Notebook, contacts: &[Contact], ceiling: Ceiling) -> ExportText {
    let mut out = ExportText::default();
    for c in contacts {
        if view_within(nb, c.id, &c.marking, ceiling) {
            out.text.push_str(&card(c));
            out.written += 1;
        } else {
            out.above_ceiling += 1;
        }
    }
    out
}

/// Every live contact of the notebook, by name, as one .vcf file.
pub fn export_all(nb: &Notebook, ceiling: Ceiling) -> ExportText {
    export(nb, &nb.contacts(), ceiling)
}

/// One card read from a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Card {
    /// The line its `BEGIN:VCARD` is on.
    pub line: usize,
    /// Its `VERSION` ("4.0", "3.0", "2.1"), or "" when it names none.
    pub version: String,
    /// Its `UID`, if it has one.
    pub uid: Option<String>,
    /// The contact it describes (`id` is `None`; see [`Card::record_id`]).
    pub contact: Contact,
    /// The fields the card carried. Only these are written when the card updates a contact, so that a
    /// phone's card never blanks what only Liaison knows (nation, marking, notes).
    pub carried: Vec<Field>,
    /// Properties the card had that Liaison does not keep (ADR, BDAY, PHOTO, …), each named once.
    pub skipped: Vec<String>,
}

/// What reading a .vcf file gave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Every card that could be read, in file order.
    pub cards: Vec<Card>,
    /// What was wrong, with line numbers. Cards are still read when their file has problems.
    pub problems: Vec<Problem>,
}

impl Card {
    /// The record this card is imported into: the contact its UID names (a Liaison UID is the record id),
    /// a UUID hashed from a foreign UID, or, with no UID, one hashed from the card's content. The same
    /// card therefore always lands on the same record, and importing a file twice duplicates nothing.
    pub fn record_id(&self) -> RecordId {
        match self.uid.as_deref().map(str::trim) {
            Some(uid) if !uid.is_empty() => id_for_uid(Kind::Contact, uid),
            _ => RecordId::from_hash(content_key(&self.contact).as_bytes()),
        }
    }

    /// The values the card carried, for the fields it carried.
    pub fn values(&self) -> Vec<(Field, Value)> {
        self.carried
            .iter()
            .filter(|f| **f != Field::MergedInto)
            .filter_map(|f| Some((*f, self.contact.value(*f)?)))
            .collect()
    }
}

fn content_key(c: &Contact) -> String {
    let texts = [&c.name, &c.title, &c.organisation, &c.nation, &c.role, &c.notes, &c.marking];
    let lists = [&c.emails, &c.phones, &c.languages, &c.tags];
    let mut key = String::from("liaison vcard without uid");
    for t in texts {
        key.push('\u{1e}');
        key.push_str(t);
    }
    for l in lists {
        key.push('\u{1e}');
        key.push_str(&l.join("\u{1f}"));
    }
    key
}

/// A card being read.
#[derive(Default)]
struct Builder {
    line: usize,
    version: Option<String>,
    uid: Option<String>,
    full_name: Option<String>,
    n: Option<Vec<String>>,
    title: Option<String>,
    organisation: Option<String>,
    role: Option<String>,
    nation: Option<String>,
    emails: List<String>,
    phones: List<String>,
    languages: List<String>,
    notes: List<String>,
    tags: List<String>,
    marking: Option<String>,
    class: Option<String>,
    skipped: BTreeSet<String>,
}

/// Properties that hold nothing a person typed about the contact, so their absence from Liaison is not
/// worth a word.
const IGNORED: [&str; 12] = [
    "PRODID",
    "REV",
    "KIND",
    "SOURCE",
    "X-ABLABEL",
    "X-ABUID",
    "X-ABSHOWAS",
    "CLIENTPIDMAP",
    "SORT-STRING",
    "NAME",
    "MAILER",
    "LABEL",
];

/// Adds one value of a list property to its list, preferred values before the others (in file order
/// among themselves), since Liaison takes the first email as the one to invite. The limits are asked
/// before the value is decoded; an empty value still says the card carries the field.
fn push(
    list: &mut List<String>,
    l: &lines::ContentLine,
    value: impl FnOnce(&mut Problems) -> String,
    cx: &mut Cx<'_>,
    what: &str,
) {
    list.touch();
    if !list.room(cx.budget, l.line, what, cx.problems) {
        return;
    }
    let v = value(cx.problems);
    if !v.is_empty() {
        list.push(v, preferred(l), cx.budget);
    }
}

/// Whether a phone or address is marked as the preferred one (3.0 `TYPE=pref`, 4.0 `PREF=1`).
fn preferred(l: &lines::ContentLine) -> bool {
    l.param_is("TYPE", "pref") || l.param("PREF").is_some_and(|p| p.trim() == "1")
}

/// What reading one card needs of the file's state.
struct Cx<'a> {
    problems: &'a mut Problems,
    budget: &'a mut Budget,
}

impl Builder {
    fn take(&mut self, l: &lines::ContentLine, cx: &mut Cx<'_>) {
        let problems = &mut *cx.problems;
        match l.name.as_str() {
            "VERSION" => first(&mut self.version, l.text(problems).trim().to_string()),
            "UID" => first(&mut self.uid, l.text(problems)),
            "FN" => first(&mut self.full_name, l.text(problems)),
            "N" => {
                if self.n.is_none() {
                    // Five parts; a hostile line of a million separators is not a million strings.
                    let mut parts = Vec::with_capacity(5);
                    split_escaped_while(&l.raw_text(problems), ';', |p| {
                        parts.push(p);
                        parts.len() < 5
                    });
                    self.n = Some(parts);
                }
            }
            "TITLE" => first(&mut self.title, l.text(problems)),
            "ORG" => {
                // Outlook and phones put the department after the company: "Bundesheer;J3".
                let parts: Vec<String> =
                    split_escaped(&l.raw_text(problems), ';').into_iter().filter(|p| !p.is_empty()).collect();
                first(&mut self.organisation, parts.join(", "));
            }
            "ROLE" => first(&mut self.role, l.text(problems)),
            "X-LIAISON-NATION" => first(&mut self.nation, l.text(problems)),
            "EMAIL" => {
                push(&mut self.emails, l, |p| strip_scheme(&l.text(p), "mailto:").to_string(), cx, "emails on one card")
            }
            "TEL" => {
                push(&mut self.phones, l, |p| strip_scheme(&l.text(p), "tel:").to_string(), cx, "phones on one card")
            }
            "LANG" => push(&mut self.languages, l, |p| l.text(p), cx, "languages on one card"),
            "NOTE" => push(&mut self.notes, l, |p| l.text(p), cx, "notes on one card"),
            "CATEGORIES" => {
                self.tags.touch();
                if !self.tags.room(cx.budget, l.line, "tags on one card", problems) {
                    return;
                }
                let raw = l.raw_text(cx.problems);
                let tags = &mut self.tags;
                split_escaped_while(&raw, ',', |t| {
                    if t.is_empty() {
                        return true;
                    }
                    if !tags.room(cx.budget, l.line, "tags on one card", cx.problems) {
                        return false;
                    }
                    tags.push(t, false, cx.budget);
                    true
                });
            }
            "X-LIAISON-MARKING" => first(&mut self.marking, l.text(problems)),
            "CLASS" => first(&mut self.class, l.text(problems)),
            // Apple's and Outlook's bookkeeping (labels, address formats, card designs).
            name if IGNORED.contains(&name) || name.starts_with("X-AB") || name.starts_with("X-MS-OL-") => {}
            // Only named, so a card of a million made-up properties is not worth a million names.
            _ if self.skipped.len() >= MAX_LIST_ITEMS => {}
            name => {
                self.skipped.insert(name.to_string());
            }
        }
    }

    fn finish(self, problems: &mut Problems) -> Card {
        let mut carried = Vec::new();
        // N is family; given; additional; prefixes; suffixes. A person reads them in the other order.
        let name_from_n = self.n.as_ref().map(|n| compose_name(n));
        let name = match (self.full_name, name_from_n) {
            (Some(f), _) if !f.is_empty() => Some(f),
            (_, Some(n)) if !n.is_empty() => Some(n),
            (f, n) => f.or(n),
        };
        if name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            problems.push(self.line, "the card has no name (FN or N); it is read with an empty name");
        }
        // N is kept when it says more than the name does: a card Liaison wrote, whose N is the guess
        // from the name, adds nothing, and keeping it would be a change on every re-import.
        let mut n = self.n.unwrap_or_default();
        n.resize(5, String::new());
        n.truncate(5);
        let name_parts = if name.as_deref().is_some_and(|name| parts_worth_keeping(name, &n)) {
            carried.push(Field::NameParts);
            n
        } else {
            Vec::new()
        };
        let mut text = |field: Field, v: Option<String>| -> String {
            if v.is_some() {
                carried.push(field);
            }
            v.unwrap_or_default()
        };
        let name = text(Field::Name, name);
        let title = text(Field::Title, self.title);
        let organisation = text(Field::Organisation, self.organisation);
        let nation = text(Field::Nation, self.nation);
        let role = text(Field::Role, self.role);
        let from_liaison = self.marking.is_some();
        let marking = text(Field::Marking, self.marking.or(self.class));
        let note = self.notes.finish().map(|n| n.join("\n"));
        let notes = text(Field::Notes, note.map(|n| if from_liaison { note_without_marking(&marking, &n) } else { n }));
        let mut list = |field: Field, v: List<String>| -> Vec<String> {
            let v = v.finish();
            if v.is_some() {
                carried.push(field);
            }
            v.unwrap_or_default()
        };
        let emails = list(Field::Emails, self.emails);
        let phones = list(Field::Phones, self.phones);
        let languages = list(Field::Languages, self.languages);
        let tags = list(Field::Tags, self.tags);
        carried.sort();
        let version = self.version.unwrap_or_default();
        if version.is_empty() {
            problems.push(self.line, "the card names no VERSION; it is read as vCard 4.0");
        } else if !matches!(version.as_str(), "4.0" | "3.0" | "2.1") {
            problems.push(
                self.line,
                format!(
                    "vCard version “{}” is not one Liaison knows (2.1, 3.0, 4.0); it is read as 4.0",
                    shown(&version)
                ),
            );
        }
        Card {
            line: self.line,
            version,
            uid: self.uid.filter(|u| !u.trim().is_empty()),
            contact: Contact {
                id: None,
                name,
                aliases: Vec::new(),
                title,
                organisation,
                nation,
                role,
                emails,
                phones,
                languages,
                notes,
                tags,
                marking,
                merged_into: None,
                name_parts,
            },
            carried,
            skipped: self.skipped.into_iter().collect(),
        }
    }
}

fn strip_scheme<'a>(v: &'a str, scheme: &str) -> &'a str {
    match v.get(..scheme.len()) {
        Some(p) if p.eq_ignore_ascii_case(scheme) => &v[scheme.len()..],
        _ => v,
    }
}

/// Reads a .vcf file with the charsets core knows (see [`parse_with`]).
pub fn parse(bytes: &[u8]) -> Parsed {
    parse_with(bytes, lines::built_in_charsets)
}

/// Reads a .vcf file: every card in it, and every problem with a line number. `legacy` decodes the
/// charsets core has no tables for (a Japanese phone's `CHARSET=SHIFT_JIS`). Never panics; a file over
/// [`MAX_IMPORT_BYTES`] is refused whole.
pub fn parse_with(bytes: &[u8], legacy: lines::LegacyCharsets) -> Parsed {
    let mut problems = Problems::default();
    if bytes.len() > MAX_IMPORT_BYTES {
        problems.push(0, format!("the file is larger than {} MB; it is not read", MAX_IMPORT_BYTES / (1024 * 1024)));
        return Parsed { cards: Vec::new(), problems: problems.finish() };
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        problems.push(0, "the file is empty");
        return Parsed { cards: Vec::new(), problems: problems.finish() };
    }
    let mut cards = Vec::new();
    let mut current: Option<Builder> = None;
    // Depth 1 is inside a card; deeper is inside something nested in it (a vCard 2.1 AGENT), skipped.
    let mut depth = 0usize;
    let mut outside_reported = false;
    let mut budget = Budget::new();
    let mut reader = lines::Reader::new(bytes, legacy);
    while let Some(l) = reader.next_line(&mut problems) {
        let what = || String::from_utf8_lossy(&l.value).trim().to_ascii_uppercase();
        match l.name.as_str() {
            "BEGIN" if depth == 0 => {
                if what() != "VCARD" {
                    problems.push(l.line, format!("“BEGIN:{}” is not the start of a vCard", shown(&what())));
                    depth = 2;
                    continue;
                }
                if cards.len() == MAX_CARDS {
                    problems
                        .push(l.line, format!("the file holds more than {MAX_CARDS} cards; the rest were not read"));
                    break;
                }
                current = Some(Builder { line: l.line, ..Builder::default() });
                depth = 1;
            }
            "BEGIN" => {
                if depth == 1 {
                    problems.push(l.line, "a card nested inside a card (a vCard 2.1 AGENT?) was not read");
                }
                depth += 1;
            }
            "END" if depth == 0 => problems.push(l.line, "END without a BEGIN:VCARD before it"),
            "END" if depth == 1 => {
                if let Some(b) = current.take() {
                    cards.push(b.finish(&mut problems));
                }
                depth = 0;
            }
            "END" => {
                depth -= 1;
                if depth == 1 && current.is_none() {
                    depth = 0;
                }
            }
            _ if depth == 0 && !outside_reported => {
                problems.push(l.line, "text outside a card (cards run from BEGIN:VCARD to END:VCARD) was not read");
                outside_reported = true;
            }
            _ if depth == 1 => {
                if let Some(b) = current.as_mut() {
                    b.take(&l, &mut Cx { problems: &mut problems, budget: &mut budget });
                }
            }
            _ => {}
        }
    }
    if let Some(b) = current.take() {
        problems.push(
            b.line,
            "the card starting here has no END:VCARD (is the file cut short?); it was read as far as it goes",
        );
        cards.push(b.finish(&mut problems));
    }
    if cards.is_empty() {
        problems.push(0, "no vCard found: a card starts with BEGIN:VCARD");
    }
    Parsed { cards, problems: problems.finish() }
}

/// Imports cards into the notebook: a card whose UID names a contact here updates it (following merge
/// redirects, and restoring it if it was deleted); any other card creates a contact under the id
/// [`Card::record_id`] gives it. Importing the same cards again changes nothing. Time and the random
/// bytes for new records come from the caller. Show [`crate::queries::duplicates::candidates`] afterwards: a
/// phone's card of someone already here is a new contact until a person merges the pair.
pub fn import(nb: &mut Notebook, cards: &[Card], now_ms: u64, random: &mut dyn FnMut() -> [u8; 10]) -> ImportOutcome {
    let mut out = ImportOutcome::default();
    for card in cards {
        upsert(nb, Kind::Contact, card.record_id(), &card.values(), now_ms, random, &mut out.not_imported)
            .record_in(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guessed(name: &str) -> (String, String) {
        let [family, given, ..] = Contact { name: name.into(), ..Default::default() }.structured_name();
        (family, given)
    }

    #[test]
    fn names_without_parts_split_on_the_last_word_and_keep_any_script() {
        assert_eq!(guessed("Anna Maria  Berg"), ("Berg".into(), "Anna Maria".into()));
        assert_eq!(guessed("李小龍"), ("李小龍".into(), String::new()));
        assert_eq!(guessed("محمد عبد الله"), ("الله".into(), "محمد عبد".into()));
        assert_eq!(guessed("  "), (String::new(), String::new()));
    }

    #[test]
    fn a_cards_structured_name_goes_out_as_it_came_in_until_the_name_is_edited() {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Mr. John Richter James Doe Sr.\r\n\
                    N:Doe;John;Richter,James;Mr.;Sr.\r\nEND:VCARD\r\n";
        let parsed = parse(text.as_bytes());
        let mut c = parsed.cards[0].contact.clone();
        assert!(parsed.cards[0].carried.contains(&Field::NameParts));
        assert_eq!(c.name_parts, ["Doe", "John", "Richter,James", "Mr.", "Sr."]);
        assert!(card(&c).contains("\r\nN:Doe;John;Richter\\,James;Mr.;Sr.\r\n"), "{}", card(&c));
        c.name = "John Doe-Smith".into();
        assert!(card(&c).contains("\r\nN:Doe-Smith;John;;;\r\n"), "{}", card(&c));
        // Family first, as Japanese names and Outlook's "Last, First" are written: the parts still go out.
        for (fn_, n) in [("安藤 ロイド", "安藤;ロイド;;;"), ("Berg, Anna", "Berg;Anna;;;")] {
            let text = format!("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{}\r\nN:{n}\r\nEND:VCARD\r\n", escape_text(fn_));
            let c = &parse(text.as_bytes()).cards[0].contact;
            assert!(card(c).contains(&format!("\r\nN:{n}\r\n")), "{}", card(c));
        }
        // A card with N alone is named from its parts, and keeps them.
        let only_n = parse(b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Berg;Anna;;Dr.;\r\nEND:VCARD\r\n");
        let c = &only_n.cards[0].contact;
        assert_eq!(c.name, "Dr. Anna Berg");
        assert_eq!(c.structured_name(), ["Berg", "Anna", "", "Dr.", ""].map(String::from));
    }

    #[test]
    fn a_card_holds_every_field_with_crlf_endings() {
        let c = Contact {
            id: Some("019cecd7-5160-7100-9122-334455a53d77".parse().unwrap()),
            name: "Мария Иванова".into(),
            organisation: "MoD; J3".into(),
            emails: vec!["m@example.org".into()],
            tags: vec!["a,b".into(), "c".into()],
            marking: "NATO RESTRICTED".into(),
            ..Default::default()
        };
        let text = card(&c);
        assert!(text.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\nPRODID:-//Liaison//Liaison field notebook//EN\r\nUID:urn:uuid:019cecd7-5160-7100-9122-334455a53d77\r\n"));
        assert!(text.contains("\r\nFN:Мария Иванова\r\nN:Иванова;Мария;;;\r\n"));
        assert!(text.contains("\r\nORG:MoD\\; J3\r\n"));
        assert!(text.contains("\r\nCATEGORIES:a\\,b,c\r\n"));
        assert!(text.contains("\r\nNOTE:Marking: NATO RESTRICTED\r\n"));
        assert!(text.ends_with("X-LIAISON-MARKING:NATO RESTRICTED\r\nEND:VCARD\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'));
    }
}
