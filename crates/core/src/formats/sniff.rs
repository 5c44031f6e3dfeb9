//! What a file is, told from its first bytes: so that a vCard, a calendar or a spreadsheet given where a
//! bundle was expected (or with a name that says nothing) is named for what it is, never refused with a
//! JSON parser's message about its first character.

use crate::formats::csv::looks_like_contacts;
use crate::formats::FileFormat;

fn starts_with_marker(bytes: &[u8], marker: &[u8]) -> bool {
    let head: Vec<u8> = bytes.iter().take(64).map(u8::to_ascii_uppercase).collect();
    head.windows(marker.len()).any(|w| w == marker)
}

/// The interchange format a file's content shows: a vCard or an iCalendar file by its `BEGIN` line, a
/// spreadsheet of contacts by its header row; `None` for anything else, a bundle included.
pub fn sniff(bytes: &[u8]) -> Option<FileFormat> {
    if starts_with_marker(bytes, b"BEGIN:VCARD") {
        Some(FileFormat::VCard)
    } else if starts_with_marker(bytes, b"BEGIN:VCALENDAR") {
        Some(FileFormat::ICal)
    } else if looks_like_contacts(bytes) {
        Some(FileFormat::Csv)
    } else {
        None
    }
}

/// Why a file of another format is not a bundle, and what to do with it: the words an import shows
/// when it expected a bundle. `None` when the content is no format Liaison knows.
pub fn not_a_bundle(bytes: &[u8]) -> Option<String> {
    // Anything that opens like JSON is left to the bundle reader, whose messages say where it is wrong.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| matches!(b, b'{' | b'[')) {
        return None;
    }
    let (what, becomes, ending) = match sniff(bytes)? {
        FileFormat::VCard => ("a vCard address book", "contacts", ".vcf"),
        FileFormat::ICal => ("an iCalendar file", "meetings", ".ics"),
        FileFormat::Csv => ("a CSV spreadsheet of contacts", "contacts", ".csv"),
    };
    Some(format!(
        "this is {what}, not a Liaison bundle (JSON). Liaison imports it as {becomes} when its name ends in {ending}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_told_by_their_first_bytes() {
        assert_eq!(sniff(b"BEGIN:VCARD\r\nVERSION:4.0\r\n"), Some(FileFormat::VCard));
        assert_eq!(sniff(b"\r\nbegin:vcalendar\r\n"), Some(FileFormat::ICal));
        assert_eq!(sniff(b"First Name,Last Name,E-mail Address\r\nAnna,Berg,a@b.example\r\n"), Some(FileFormat::Csv));
        assert_eq!(sniff(b"{\"format\":\"liaison-bundle\",\"version\":3}"), None);
        assert_eq!(sniff(b"hello"), None);
    }

    #[test]
    fn a_spreadsheet_given_as_a_bundle_is_named_with_what_to_do() {
        let said = not_a_bundle(b"Name;Email\r\nAnna;a@b.example\r\n").unwrap();
        assert_eq!(
            said,
            "this is a CSV spreadsheet of contacts, not a Liaison bundle (JSON). Liaison imports it as contacts when its name ends in .csv"
        );
        assert!(not_a_bundle(b"{}").is_none());
    }

    #[test]
    fn the_bundle_reader_names_a_spreadsheet_instead_of_a_json_error() {
        let problems =
            crate::formats::bundle::read_bundle(b"\xEF\xBB\xBFName,Email\r\nAnna,a@b.example\r\n", 0).err().unwrap();
        assert!(problems[0].message.starts_with("this is a CSV spreadsheet of contacts"), "{problems:?}");
    }
}
