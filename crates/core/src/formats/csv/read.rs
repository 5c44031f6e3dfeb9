//! Reading contacts from a spreadsheet: Outlook's and Google's contact exports, Liaison's own
//! `contacts.csv`, and the plain lists of names that offices hand over.
//!
//! Columns are mapped by their header names, case and spacing ignored ([`column`]). Each row becomes a
//! [`Card`], as a vCard would, so it enters through the same import: a row of Liaison's own export (it
//! has an `Id` column) comes back to its contact, and another row's contact is hashed from its content,
//! so importing a file twice duplicates nothing. Only the cells a row fills are carried, so that an
//! Outlook export, which has every column on every row, never blanks what only Liaison knows; a row of
//! Liaison's own file carries every column it has, and the `'` its export put before a formula-like
//! value is taken off again.
//!
//! The separator is the header's most frequent of `,`, `;` (Outlook where the decimal mark is a
//! comma) and tab. The text is UTF-8, UTF-16 with a byte-order mark (Outlook's "Unicode" export), or
//! Windows-1252 (Outlook's default), judged as [`lines`](super::super::lines) judges a value.

use std::collections::{BTreeSet, HashSet};

use super::{starts_formula, unwrap_phone};
use crate::formats::lines;
use crate::formats::vcard::{Card, Parsed, MAX_CARDS};
use crate::formats::{shown, Problems, MAX_IMPORT_BYTES, MAX_LIST_ITEMS};
use crate::model::{compose_name, parts_worth_keeping, Contact};
use crate::schema::{Field, MAX_VALUE_BYTES};

/// Columns one file may have: Outlook's export has about 90.
const MAX_COLUMNS: usize = 1000;

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Column {
    Id,
    Name,
    Family,
    Given,
    Additional,
    Prefix,
    Suffix,
    Title,
    Organisation,
    Nation,
    Role,
    Email,
    Phone,
    Language,
    Tags,
    Notes,
    Marking,
    /// The kind of the value in a column beside it (Google's "E-mail 1 - Type": "* Work"), which
    /// Liaison does not keep, and which is not worth naming as left out.
    Kind,
}

/// The column a header names, for a file that is Liaison's own (`liaison`) or another program's: the
/// English and German names Outlook and Google write. In Outlook's files "Title" is the honorific
/// ("Dr."); in Liaison's it is the rank or title.
fn column(header: &str, liaison: bool) -> Option<Column> {
    let h: String = header.trim().to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
    let numbered = |prefix: &str, suffix: &str| {
        h.strip_prefix(prefix).and_then(|r| r.strip_suffix(suffix)).is_some_and(|n| n.trim().parse::<u32>().is_ok())
    };
    Some(match h.as_str() {
        "id" if liaison => Column::Id,
        "name" | "full name" | "display name" | "anzeigename" => Column::Name,
        "last name" | "family name" | "surname" | "nachname" => Column::Family,
        "first name" | "given name" | "vorname" => Column::Given,
        "middle name" | "additional name" | "middle names" | "weitere vornamen" => Column::Additional,
        "title" if !liaison => Column::Prefix,
        "name prefix" | "prefix" | "anrede" => Column::Prefix,
        "suffix" | "name suffix" | "namenszusatz" => Column::Suffix,
        "title" | "job title" | "organization title" | "rank" | "position" => Column::Title,
        "organisation" | "organization" | "company" | "organization name" | "firma" => Column::Organisation,
        "nation" => Column::Nation,
        "role" => Column::Role,
        "emails" | "email" | "e-mail" | "email address" | "e-mail address" | "e-mail-adresse" => Column::Email,
        "e-mail 2: adresse" | "e-mail 3: adresse" => Column::Email,
        "phones"
        | "phone"
        | "telephone"
        | "mobile phone"
        | "business phone"
        | "business phone 2"
        | "home phone"
        | "home phone 2"
        | "primary phone"
        | "other phone"
        | "car phone"
        | "company main phone"
        | "mobile"
        | "telefon geschäftlich"
        | "telefon geschäftlich 2"
        | "mobiltelefon"
        | "telefon privat"
        | "telefon" => Column::Phone,
        "languages" | "language" | "sprachen" => Column::Language,
        "tags" | "categories" | "labels" | "group membership" | "kategorien" => Column::Tags,
        "notes" | "note" | "notizen" => Column::Notes,
        "marking" => Column::Marking,
        _ if numbered("e-mail ", " address") || numbered("e-mail ", " - value") || numbered("email ", " - value") => {
            Column::Email
        }
        _ if numbered("phone ", " - value") => Column::Phone,
        _ if ["e-mail ", "email ", "phone ", "address ", "website ", "relation ", "event ", "im "]
            .iter()
            .any(|p| numbered(p, " - type") || numbered(p, " - label")) =>
        {
            Column::Kind
        }
        _ if numbered("organization ", " - name") => Column::Organisation,
        _ if numbered("organization ", " - title") => Column::Title,
        _ => return None,
    })
}

/// The separator of a file, from its header line.
fn separator(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let count = |c: char| header.chars().filter(|x| *x == c).count();
    [(b',', count(',')), (b';', count(';')), (b'\t', count('\t'))]
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map_or(b',', |(c, _)| c)
}

/// Counts lines up to a byte offset, moving only forward.
struct Lines<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
}

impl Lines<'_> {
    /// The line of the first byte at or after `from` that is not a line end.
    fn of_record_at(&mut self, from: usize) -> usize {
        let start =
            from + self.bytes[from.min(self.bytes.len())..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        let start = start.min(self.bytes.len());
        if start > self.at {
            self.line += self.bytes[self.at..start].iter().filter(|b| **b == b'\n').count();
            self.at = start;
        }
        self.line
    }
}

/// The rows of a CSV text as cells, each with the line it starts on. Stops past `max_rows`.
fn rows(text: &str, sep: u8, max_rows: usize) -> (Vec<(usize, Vec<String>)>, bool) {
    let mut reader = csv_core::ReaderBuilder::new().delimiter(sep).build();
    let bytes = text.as_bytes();
    let mut lines = Lines { bytes, at: 0, line: 1 };
    let (mut out, mut ends) = (vec![0u8; 4096], vec![0usize; 64]);
    let (mut used, mut fields, mut pos, mut start) = (0usize, 0usize, 0usize, 0usize);
    let mut rows = Vec::new();
    loop {
        let (result, nin, nout, nend) = reader.read_record(&bytes[pos..], &mut out[used..], &mut ends[fields..]);
        pos += nin;
        used += nout;
        fields += nend;
        match result {
            csv_core::ReadRecordResult::InputEmpty => continue,
            csv_core::ReadRecordResult::OutputFull => out.resize(out.len() * 2, 0),
            csv_core::ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
            csv_core::ReadRecordResult::Record => {
                let mut cells = Vec::with_capacity(fields);
                let mut from = 0;
                for end in &ends[..fields] {
                    cells.push(String::from_utf8_lossy(&out[from..*end]).into_owned());
                    from = *end;
                }
                rows.push((lines.of_record_at(start), cells));
                if rows.len() > max_rows {
                    return (rows, true);
                }
                (used, fields, start) = (0, 0, pos);
            }
            csv_core::ReadRecordResult::End => return (rows, false),
        }
    }
}

/// Splits a cell that holds several values: Liaison's and Outlook's `;`, Google's ` ::: `.
fn items(cell: &str) -> impl Iterator<Item = String> + '_ {
    let sep: &[char] = if cell.contains(":::") { &[] } else { &[';'] };
    let parts: Vec<&str> = if sep.is_empty() { cell.split(":::").collect() } else { cell.split(sep).collect() };
    parts.into_iter().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// Whether a file's first line is the header of a spreadsheet of contacts: at least two cells, one of
/// them a column [`parse_contacts`] reads names or emails from. It is how a contacts file with another
/// name than `.csv`, or saved as `.json` by mistake, is told for what it is.
pub fn looks_like_contacts(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{FEFF}');
    if text.trim_start().starts_with(['{', '[']) {
        return false;
    }
    let line = text.lines().next().unwrap_or("");
    let sep = char::from(separator(line));
    let cells: Vec<&str> = line.split(sep).map(|c| c.trim().trim_matches('"')).collect();
    cells.len() >= 2
        && cells
            .iter()
            .any(|c| matches!(column(c, false), Some(Column::Name | Column::Family | Column::Given | Column::Email)))
}

/// Reads a CSV file of contacts. Never panics; a file over [`MAX_IMPORT_BYTES`] is refused whole.
pub fn parse_contacts(bytes: &[u8]) -> Parsed {
    let mut problems = Problems::default();
    if bytes.len() > MAX_IMPORT_BYTES {
        problems.push(0, format!("the file is larger than {} MB; it is not read", MAX_IMPORT_BYTES / (1024 * 1024)));
        return Parsed { cards: Vec::new(), problems: problems.finish() };
    }
    let text = lines::text_of_file(bytes, &mut problems);
    let text = text.trim_start_matches('\u{FEFF}');
    if text.trim().is_empty() {
        problems.push(0, "the file is empty");
        return Parsed { cards: Vec::new(), problems: problems.finish() };
    }
    // The header and MAX_CARDS rows, and one more to tell that there were more.
    let (rows, _) = rows(text, separator(text), MAX_CARDS + 1);
    let mut rows = rows.into_iter();
    let Some((_, header)) = rows.next() else {
        problems.push(0, "the file is empty");
        return Parsed { cards: Vec::new(), problems: problems.finish() };
    };
    let liaison = header.iter().any(|h| h.trim().eq_ignore_ascii_case("id"))
        && header.iter().any(|h| h.trim().eq_ignore_ascii_case("organisation"));
    if header.len() > MAX_COLUMNS {
        problems.push(1, format!("the header has more than {MAX_COLUMNS} columns; is this a contacts file?"));
        return Parsed { cards: Vec::new(), problems: problems.finish() };
    }
    let columns: Vec<Option<Column>> = header.iter().map(|h| column(h, liaison)).collect();
    if !columns.iter().any(|c| matches!(c, Some(Column::Name | Column::Family | Column::Given | Column::Email))) {
        problems.push(
            1,
            "no column holds names or emails (such as Name, First Name, Last Name or E-mail Address); is this a contacts file?",
        );
        return Parsed { cards: Vec::new(), problems: problems.finish() };
    }
    let mut cards = Vec::new();
    for (line, cells) in rows {
        if cards.len() == MAX_CARDS {
            problems.push(line, format!("the file holds more than {MAX_CARDS} rows; the rest were not read"));
            break;
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if cells.len() > columns.len() {
            problems.push(
                line,
                format!(
                    "the row has {} cells but the header only {}; the extra ones were not read",
                    cells.len(),
                    columns.len()
                ),
            );
        }
        cards.push(card(line, &cells, (&header, &columns), liaison, &mut problems));
    }
    if cards.is_empty() {
        problems.push(0, "the file holds no contacts, only its header");
    }
    Parsed { cards, problems: problems.finish() }
}

/// One row as a card. A filled cell of a column Liaison has no field for is named in the card's `skipped`,
/// as a vCard's unknown property is: Outlook writes some 90 columns on every row, mostly empty, and only
/// what a row held is worth saying was left out.
fn card(
    line: usize,
    cells: &[String],
    (header, columns): (&[String], &[Option<Column>]),
    liaison: bool,
    problems: &mut Problems,
) -> Card {
    let mut c = Contact::default();
    let mut skipped: BTreeSet<String> = BTreeSet::new();
    let mut carried: BTreeSet<Field> = BTreeSet::new();
    let mut uid = None;
    let mut parts: [String; 5] = Default::default();
    let mut seen_parts = false;
    for ((cell, col), head) in cells.iter().zip(columns).zip(header) {
        let Some(col) = *col else {
            if !cell.trim().is_empty() && !head.trim().is_empty() && skipped.len() < MAX_LIST_ITEMS {
                skipped.insert(shown(head.trim()));
            }
            continue;
        };
        let mut value = cell.trim().to_string();
        if liaison && value.starts_with('\'') && starts_formula(&value[1..]) {
            value.remove(0);
        }
        if col == Column::Phone {
            value = unwrap_phone(&value).to_string();
        }
        if value.len() > MAX_VALUE_BYTES {
            problems.push(line, format!("a cell holds {} bytes; the limit is 1 MB, so it was left out", value.len()));
            continue;
        }
        let value = lines::exportable(&value);
        if value.is_empty() && !liaison {
            continue;
        }
        // Of two columns for one text field ("Company" and "Organization"), the first one filled wins.
        let mut text = |field: Field, slot: &mut String| {
            carried.insert(field);
            if slot.is_empty() {
                *slot = value.clone();
            }
        };
        match col {
            Column::Kind => {}
            Column::Id => uid = Some(value.clone()),
            Column::Name => text(Field::Name, &mut c.name),
            Column::Family | Column::Given | Column::Additional | Column::Prefix | Column::Suffix => {
                let at = match col {
                    Column::Family => 0,
                    Column::Given => 1,
                    Column::Additional => 2,
                    Column::Prefix => 3,
                    _ => 4,
                };
                if parts[at].is_empty() {
                    parts[at] = value.clone();
                }
                seen_parts = true;
            }
            Column::Title => text(Field::Title, &mut c.title),
            Column::Organisation => text(Field::Organisation, &mut c.organisation),
            Column::Nation => text(Field::Nation, &mut c.nation),
            Column::Role => text(Field::Role, &mut c.role),
            Column::Notes => text(Field::Notes, &mut c.notes),
            Column::Marking => text(Field::Marking, &mut c.marking),
            Column::Email | Column::Phone | Column::Language | Column::Tags => {
                let (field, list) = match col {
                    Column::Email => (Field::Emails, &mut c.emails),
                    Column::Phone => (Field::Phones, &mut c.phones),
                    Column::Language => (Field::Languages, &mut c.languages),
                    _ => (Field::Tags, &mut c.tags),
                };
                carried.insert(field);
                // Google marks its own groups with "* " ("* myContacts"), which are not the officer's tags.
                let keep = |item: &String| !(field == Field::Tags && item.starts_with("* "));
                let mut seen: HashSet<String> = list.iter().cloned().collect();
                for item in items(&value).filter(keep) {
                    if list.len() >= MAX_LIST_ITEMS {
                        problems.push(
                            line,
                            format!("more than {MAX_LIST_ITEMS} items in one cell; the rest were not read"),
                        );
                        break;
                    }
                    if seen.insert(item.clone()) {
                        list.push(item);
                    }
                }
            }
        }
    }
    if seen_parts {
        let composed = compose_name(&parts);
        if c.name.is_empty() {
            c.name = composed;
            carried.insert(Field::Name);
        }
        if parts_worth_keeping(&c.name, &parts) {
            c.name_parts = parts.to_vec();
            carried.insert(Field::NameParts);
        }
    }
    if c.name.trim().is_empty() {
        problems.push(line, "the row has no name; it is read with an empty name");
    }
    Card {
        line,
        version: String::new(),
        uid,
        contact: c,
        carried: carried.into_iter().collect(),
        skipped: skipped.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(p: &Parsed) -> Vec<&str> {
        p.cards.iter().map(|c| c.contact.name.as_str()).collect()
    }

    #[test]
    fn an_outlook_export_maps_its_columns_and_keeps_the_structured_name() {
        let text = "Title,First Name,Middle Name,Last Name,Suffix,Company,Job Title,Business Phone,Mobile Phone,\
                    E-mail Address,E-mail 2 Address,Categories,Notes,Birthday\r\n\
                    Dr.,Anna,Maria,Berg,,BMLV,Oberst,+43 1 234,+43 664 1,anna@bmlv.example,,Partners;Vienna,\"Met at\r\nthe fair\",1.1.1970\r\n\
                    ,Bo,,Lind,,,,,,,bo@example.org,,,\r\n";
        let p = parse_contacts(text.as_bytes());
        assert_eq!(names(&p), ["Dr. Anna Maria Berg", "Bo Lind"]);
        let anna = &p.cards[0].contact;
        assert_eq!((anna.title.as_str(), anna.organisation.as_str()), ("Oberst", "BMLV"));
        assert_eq!(anna.phones, ["+43 1 234", "+43 664 1"]);
        assert_eq!(anna.tags, ["Partners", "Vienna"]);
        assert_eq!(anna.notes, "Met at\nthe fair");
        assert_eq!(anna.structured_name(), ["Berg", "Anna", "Maria", "Dr.", ""].map(String::from));
        // Bo's row fills no organisation, so an update never blanks the one Liaison has.
        assert!(!p.cards[1].carried.contains(&Field::Organisation), "{:?}", p.cards[1].carried);
        assert_eq!(p.cards[1].contact.emails, ["bo@example.org"]);
        assert_eq!(p.cards[0].skipped, ["Birthday"], "a filled cell of a column Liaison has no field for");
        assert!(p.cards[1].skipped.is_empty(), "an empty cell is not worth naming");
        assert_eq!(p.cards[1].line, 4, "rows are numbered by the line they start on");
    }

    #[test]
    fn a_google_export_reads_its_numbered_columns_and_leaves_its_own_groups_out() {
        let text = "First Name,Middle Name,Last Name,Name Prefix,Organization Name,Organization Title,Labels,\
                    E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value\n\
                    Олена,,Коваленко,,МЗС,Радниця,* myContacts ::: Kyiv,* Work,o.k@mfa.example ::: olena@example.org,Mobile,+380 44 1\n";
        let p = parse_contacts(text.as_bytes());
        let c = &p.cards[0].contact;
        assert_eq!(c.name, "Олена Коваленко");
        assert_eq!(c.tags, ["Kyiv"]);
        assert_eq!(c.emails, ["o.k@mfa.example", "olena@example.org"]);
        assert_eq!((c.organisation.as_str(), c.title.as_str()), ("МЗС", "Радниця"));
        assert!(c.name_parts.is_empty(), "the parts say no more than the name");
    }

    #[test]
    fn a_german_outlook_export_with_semicolons_in_windows_1252_reads() {
        let text = b"Anrede;Vorname;Nachname;Firma;Position;E-Mail-Adresse;Mobiltelefon;Geburtstag\r\n\
                     Mag.;J\xfcrgen;M\xfcller;Stra\xdfe AG;Major;jm@example.at;+43 664 2;1.1.1980\r\n";
        let p = parse_contacts(text);
        assert_eq!(names(&p), ["Mag. Jürgen Müller"]);
        let c = &p.cards[0].contact;
        assert_eq!((c.organisation.as_str(), c.title.as_str()), ("Straße AG", "Major"));
        assert_eq!(
            (c.emails.as_slice(), c.phones.as_slice()),
            (&["jm@example.at".to_string()][..], &["+43 664 2".to_string()][..])
        );
        assert_eq!(p.cards[0].skipped, ["Geburtstag"]);
        assert!(p.problems.iter().any(|pr| pr.message.contains("Windows-1252")), "{:?}", p.problems);
    }

    #[test]
    fn a_utf16_file_and_a_plain_list_of_names_read() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "Name\tEmail\r\nZoë Ng\tzoe@example.org\r\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let p = parse_contacts(&bytes);
        assert_eq!(names(&p), ["Zoë Ng"]);
        assert_eq!(p.cards[0].contact.emails, ["zoe@example.org"]);
    }

    #[test]
    fn liaisons_own_contacts_csv_comes_back_to_its_contacts_with_formula_guards_taken_off() {
        let text = "Id,Name,Title,Organisation,Nation,Role,Emails,Phones,Languages,Tags,Notes,Marking\r\n\
                    019cecd7-5160-7100-9122-334455a53d77,Anna Berg,Oberst,BMLV,AUT,,a@b.example; c@d.example,'+43 1 234,de,,'=not a formula,RESTRICTED\r\n";
        let p = parse_contacts(text.as_bytes());
        let card = &p.cards[0];
        assert_eq!(card.record_id().to_string(), "019cecd7-5160-7100-9122-334455a53d77");
        assert_eq!(card.contact.phones, ["+43 1 234"]);
        assert_eq!(card.contact.notes, "=not a formula");
        assert_eq!(card.contact.emails, ["a@b.example", "c@d.example"]);
        assert!(card.carried.contains(&Field::Role), "Liaison's own file carries its empty cells too");
    }

    #[test]
    fn phone_numbers_written_as_text_formulas_come_back_as_typed() {
        let text = "Id,Name,Title,Organisation,Nation,Role,Emails,Phones,Languages,Tags,Notes,Marking\r\n\
                    019cecd7-5160-7100-9122-334455a53d77,Anna Berg,,,,,,\"=\"\"+43 1 234; +43 664 1\"\"\",,,\"=\"\"+1\"\"\",\r\n";
        let card = &parse_contacts(text.as_bytes()).cards[0];
        assert_eq!(card.contact.phones, ["+43 1 234", "+43 664 1"]);
        assert_eq!(card.contact.notes, "=\"+1\"", "only the Phones column is unwrapped");
    }

    #[test]
    fn a_spreadsheet_of_contacts_is_told_from_other_text() {
        assert!(looks_like_contacts(b"\xEF\xBB\xBFName,E-mail Address\r\nAnna,a@b.example\r\n"));
        assert!(looks_like_contacts(b"Vorname;Nachname;Firma\r\n"));
        assert!(!looks_like_contacts(b"{\"format\": \"liaison-bundle\", \"name\": 1}"));
        assert!(!looks_like_contacts(b"Date,Amount\r\n"));
        assert!(!looks_like_contacts(b"Name\r\nAnna\r\n"), "one column is not told from a line of text");
    }

    #[test]
    fn a_file_that_is_not_a_contact_list_is_refused_with_a_reason() {
        let p = parse_contacts(b"Date,Amount\r\n2026-01-01,12\r\n");
        assert!(p.cards.is_empty());
        assert!(p.problems[0].message.contains("no column holds names or emails"), "{:?}", p.problems);
        assert!(parse_contacts(b"").problems[0].message.contains("empty"));
        let p = parse_contacts(b"Name,Email\r\n");
        assert!(p.problems.iter().any(|pr| pr.message.contains("only its header")), "{:?}", p.problems);
    }
}
