//! CSV (RFC 4180): contacts, meetings and actions for spreadsheets, one file each, and contacts read
//! back from Outlook's, Google's or Liaison's own export ([`parse_contacts`]).
//!
//! Each file has a header row, CRLF line ends, and quotes around every field that holds a comma, a
//! double quote, a CR or an LF (a quote inside is doubled). Lists are joined with "; ". The marking is
//! a column of every file; an action's marking is its meeting's.
//!
//! **Formula injection.** A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula,
//! and a name or note from a partner could be `=HYPERLINK("http://…")`. Every value that starts with one
//! of those, or with a tab or CR (which some spreadsheets skip before looking), gets a single quote `'`
//! in front, as OWASP recommends. Excel shows that quote when it opens a CSV file (it hides it only when
//! a person types it), so it stays for what could be a formula: visible over dangerous.
//!
//! **Phone numbers** are the one common value that starts with `+`, and `'+43 1 5200` on every row of a
//! contact list reads as a mistake. A cell of the Phones column that holds only digits, spaces and
//! `+ - ( ) . / ;` cannot call a function, open a link or reach another cell, so it is written as the
//! constant text formula `="+43 1 5200"`: Excel, Google Sheets and Numbers show `+43 1 5200`, and
//! without it Excel would compute `+43-1-5200` as a sum. Liaison's own import takes the wrapper off.
//!
//! **Excel.** Excel reads a CSV as UTF-8 only when it starts with a byte-order mark; without one it
//! takes the Windows code page and garbles every name outside it. [`CsvOptions::excel`] adds the mark.

mod read;

pub use read::{looks_like_contacts, parse_contacts};

use super::ExportText;
use crate::marking::{action_marking, view_within, Ceiling};
use crate::model::{Action, Contact, Meeting};
use crate::notebook::Notebook;
use crate::schema::Kind;

/// How a CSV file is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// Start with a UTF-8 byte-order mark, so that Excel reads the file as UTF-8.
    pub excel: bool,
}

/// The UTF-8 byte-order mark Excel needs.
pub const BOM: &str = "\u{FEFF}";

/// How list values are joined in one cell.
pub const LIST_SEPARATOR: &str = "; ";

/// The file names of [`export_all`], in its order.
pub const FILE_NAMES: [&str; 3] = ["contacts.csv", "meetings.csv", "actions.csv"];

/// The header row of the contacts file.
pub const CONTACT_COLUMNS: [&str; 12] = [
    "Id",
    "Name",
    "Title",
    "Organisation",
    "Nation",
    "Role",
    "Emails",
    "Phones",
    "Languages",
    "Tags",
    "Notes",
    "Marking",
];

/// The header row of the meetings file.
pub const MEETING_COLUMNS: [&str; 15] = [
    "Id",
    "Title",
    "Date",
    "Start",
    "End",
    "Location",
    "Participants",
    "Other attendees",
    "Organisations",
    "Nations",
    "Agenda",
    "Notes",
    "Decisions",
    "Tags",
    "Marking",
];

/// The header row of the actions file.
pub const ACTION_COLUMNS: [&str; 10] =
    ["Id", "Action", "Owner", "Due", "Done", "Meeting", "Meeting date", "Meeting id", "Contact", "Marking"];

/// What the marking column says for an action whose meeting is not in the notebook.
pub const UNKNOWN_MARKING: &str = "(unknown: the meeting is not in this notebook)";

/// Whether a value would start a formula in a spreadsheet.
pub fn starts_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// One field: guarded against formula injection (see the module documentation), then quoted when it
/// holds a comma, a double quote, a CR or an LF.
pub fn field(s: &str) -> String {
    let guarded = if starts_formula(s) { format!("'{s}") } else { s.to_string() };
    if guarded.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// Whether a phone cell is only digits and the punctuation phone numbers are written with, starting
/// with a sign: what the formula guard would otherwise quote, and what no spreadsheet can run.
pub fn is_plain_phone(s: &str) -> bool {
    s.starts_with(['+', '-'])
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '(' | ')' | '.' | '/' | ';' | ' '))
}

/// A cell of the Phones column: a plain phone number that starts with `+` as the text formula
/// `="+43 1 5200"`, anything else as [`field`] writes it (see the module documentation).
pub fn phone_field(s: &str) -> String {
    if is_plain_phone(s) {
        format!("\"=\"\"{s}\"\"\"")
    } else {
        field(s)
    }
}

/// What [`phone_field`] wrote, read back: the text inside `="…"` when it is a plain phone number, else
/// the cell as it is.
pub fn unwrap_phone(cell: &str) -> &str {
    match cell.strip_prefix("=\"").and_then(|c| c.strip_suffix('"')) {
        Some(inner) if is_plain_phone(inner) => inner,
        _ => cell,
    }
}

/// The column of a contacts file that holds phone numbers.
const PHONES_COLUMN: usize = 7;

fn row<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    row_with_phones(out, cells, None);
}

fn row_with_phones<S: AsRef<str>>(out: &mut String, cells: &[S], phones: Option<usize>) {
    let line: Vec<String> = cells
        .iter()
        .enumerate()
        .map(|(i, c)| if Some(i) == phones { phone_field(c.as_ref()) } else { field(c.as_ref()) })
        .collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

fn start(opts: CsvOptions, header: &[&str]) -> String {
    let mut out = String::new();
    if opts.excel {
        out.push_str(BOM);
    }
    row(&mut out, header);
    out
}

fn id_text(id: Option<crate::crdt::id::RecordId>) -> String {
    id.map(|i| i.to_string()).unwrap_or_default()
}

/// Contacts as CSV, leaving out those above the ceiling.
pub fn contacts(nb: &Notebook, list: &[Contact], ceiling: Ceiling, opts: CsvOptions) -> ExportText {
    let mut out = ExportText { text: start(opts, &CONTACT_COLUMNS), ..Default::default() };
    for c in list {
        if !view_within(nb, c.id, &c.marking, ceiling) {
            out.above_ceiling += 1;
            continue;
        }
        let cells = [
            id_text(c.id),
            c.name.clone(),
            c.title.clone(),
            c.organisation.clone(),
            c.nation.clone(),
            c.role.clone(),
            c.emails.join(LIST_SEPARATOR),
            c.phones.join(LIST_SEPARATOR),
            c.languages.join(LIST_SEPARATOR),
            c.tags.join(LIST_SEPARATOR),
            c.notes.clone(),
            c.marking.clone(),
        ];
        row_with_phones(&mut out.text, &cells, Some(PHONES_COLUMN));
        out.written += 1;
    }
    out
}

/// Meetings as CSV, leaving out those above the ceiling. Participants are named; a participant whose
/// own record is above the ceiling is left out of the list.
pub fn meetings(nb: &Notebook, list: &[Meeting], ceiling: Ceiling, opts: CsvOptions) -> ExportText {
    let mut out = ExportText { text: start(opts, &MEETING_COLUMNS), ..Default::default() };
    for m in list {
        if !view_within(nb, m.id, &m.marking, ceiling) {
            out.above_ceiling += 1;
            continue;
        }
        let participants: Vec<String> = nb
            .participants(m)
            .into_iter()
            .filter(|c| view_within(nb, c.id, &c.marking, ceiling))
            .map(|c| c.display_name())
            .collect();
        let cells = [
            id_text(m.id),
            m.title.clone(),
            m.date.clone(),
            m.start.clone(),
            m.end.clone(),
            m.location.clone(),
            participants.join(LIST_SEPARATOR),
            m.attendees.join(LIST_SEPARATOR),
            m.organisations.join(LIST_SEPARATOR),
            m.nations.join(LIST_SEPARATOR),
            m.agenda.clone(),
            m.notes.clone(),
            m.decisions.clone(),
            m.tags.join(LIST_SEPARATOR),
            m.marking.clone(),
        ];
        row(&mut out.text, &cells);
        out.written += 1;
    }
    out
}

/// Follow-up actions as CSV, leaving out those whose meeting is above the ceiling (an action whose
/// meeting is not here passes only [`Ceiling::All`]). The named contact is left out when its record is
/// above the ceiling.
pub fn actions(nb: &Notebook, list: &[Action], ceiling: Ceiling, opts: CsvOptions) -> ExportText {
    let mut out = ExportText { text: start(opts, &ACTION_COLUMNS), ..Default::default() };
    for a in list {
        let marking = action_marking(nb, a);
        // "?" grades as a label this version does not know: the strictest.
        if !view_within(nb, a.id, marking.as_deref().unwrap_or("?"), ceiling) {
            out.above_ceiling += 1;
            continue;
        }
        let meeting =
            a.meeting.and_then(|m| nb.record(m)).filter(|r| r.kind == Kind::Meeting).map(Meeting::from_record);
        let contact = a
            .contact
            .map(|c| nb.resolve_contact(c))
            .and_then(|c| nb.contact(c))
            .filter(|c| view_within(nb, c.id, &c.marking, ceiling))
            .map(|c| c.display_name())
            .unwrap_or_default();
        let cells = [
            id_text(a.id),
            a.text.clone(),
            a.owner.clone(),
            a.due.clone(),
            if a.done { "yes".into() } else { "no".into() },
            meeting.as_ref().map(|m| m.title.clone()).unwrap_or_default(),
            meeting.as_ref().map(|m| m.date.clone()).unwrap_or_default(),
            id_text(a.meeting),
            contact,
            marking.unwrap_or_else(|| UNKNOWN_MARKING.into()),
        ];
        row(&mut out.text, &cells);
        out.written += 1;
    }
    out
}

/// Every live action of the notebook, oldest first (record ids are v7, so id order is creation order).
pub fn all_actions(nb: &Notebook) -> Vec<Action> {
    nb.records().filter(|r| r.kind == Kind::Action && !r.is_deleted()).map(Action::from_record).collect()
}

/// The three files of a notebook: contacts (by name), meetings (newest first) and actions (oldest
/// first), named as in [`FILE_NAMES`].
pub fn export_all(nb: &Notebook, ceiling: Ceiling, opts: CsvOptions) -> [(&'static str, ExportText); 3] {
    [
        (FILE_NAMES[0], contacts(nb, &nb.contacts(), ceiling, opts)),
        (FILE_NAMES[1], meetings(nb, &nb.meetings(), ceiling, opts)),
        (FILE_NAMES[2], actions(nb, &all_actions(nb), ceiling, opts)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("cr\r"), "\"cr\r\"");
        assert_eq!(field("Мария Иванова"), "Мария Иванова");
    }

    #[test]
    fn values_that_would_start_a_formula_get_a_quote_in_front() {
        assert_eq!(field("=1+1"), "'=1+1");
        assert_eq!(field("+43 1 5200"), "'+43 1 5200");
        assert_eq!(field("-5"), "'-5");
        assert_eq!(field("@SUM(A1:A2)"), "'@SUM(A1:A2)");
        assert_eq!(field("\tx"), "'\tx");
        assert_eq!(field("=HYPERLINK(\"http://x\",\"a\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"a\"\")\"");
        assert_eq!(field("a=b"), "a=b");
    }

    #[test]
    fn plain_phone_numbers_are_text_formulas_without_a_visible_quote() {
        assert_eq!(phone_field("+43 1 5200"), "\"=\"\"+43 1 5200\"\"\"");
        assert_eq!(phone_field("+41 (0)44 123-45.67; +43 664/123"), "\"=\"\"+41 (0)44 123-45.67; +43 664/123\"\"\"");
        assert_eq!(phone_field("0043 1 5200"), "0043 1 5200", "a number that starts with a digit needs nothing");
        assert_eq!(unwrap_phone("=\"+43 1 5200\""), "+43 1 5200");
    }

    #[test]
    fn a_phone_cell_that_could_be_a_formula_keeps_the_quote() {
        assert_eq!(phone_field("+1+HYPERLINK(\"http://x\")"), "\"'+1+HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(phone_field("=1+1"), "'=1+1");
        assert_eq!(phone_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(phone_field("-2+3 cmd|' /C calc'!A0"), "'-2+3 cmd|' /C calc'!A0");
        assert_eq!(phone_field("+"), "'+", "a sign without digits is not a phone number");
        assert_eq!(unwrap_phone("=\"=HYPERLINK()\""), "=\"=HYPERLINK()\"", "only a phone number is unwrapped");
    }

    #[test]
    fn a_contacts_phones_column_is_written_without_the_quote() {
        use crate::schema::{Field, Kind, Value};
        let mut nb = Notebook::new(crate::crdt::id::DeviceId::new_v7(0, [1; 10]));
        let id = nb.create(Kind::Contact, 1, [2; 10]);
        nb.set(id, Field::Name, Value::Text("Anna Wöber".into()), 2).unwrap();
        nb.set(id, Field::Phones, Value::List(vec!["+43 1 5200".into(), "+43 664 123".into()]), 3).unwrap();
        nb.set(id, Field::Notes, Value::Text("+43 is Austria".into()), 4).unwrap();
        let out = contacts(&nb, &nb.contacts(), Ceiling::All, CsvOptions::default());
        let line = out.text.lines().nth(1).unwrap();
        assert!(line.contains(",\"=\"\"+43 1 5200; +43 664 123\"\"\","), "{line}");
        assert!(line.contains(",'+43 is Austria,"), "other columns keep the guard: {line}");
    }

    #[test]
    fn excel_files_start_with_a_byte_order_mark() {
        let nb = Notebook::new(crate::crdt::id::DeviceId::new_v7(0, [1; 10]));
        let plain = contacts(&nb, &[], Ceiling::All, CsvOptions::default());
        assert!(plain.text.starts_with("Id,Name,"));
        assert!(plain.text.ends_with("Marking\r\n"));
        let excel = contacts(&nb, &[], Ceiling::All, CsvOptions { excel: true });
        assert!(excel.text.starts_with("\u{FEFF}Id,Name,"));
    }
}
