//! Meetings, with their follow-up actions, out as one calendar.

use super::NO_ADDRESS;
use crate::crdt::id::RecordId;
use crate::date::{Date, Time};
use crate::formats::lines::{escape_list, escape_text, fold_into, param_value};
use crate::formats::{note_with_marking, ExportText, PRODID, UID_SUFFIX};
use crate::marking::{marking_level, view_within, Ceiling, MarkingLevel};
use crate::model::{Action, Meeting};
use crate::notebook::Notebook;
use crate::text::percent_encode;

/// `CLASS` for a marking. Calendar clients act on `CLASS` (Outlook and Google hide the details of
/// `PRIVATE` events most fully, and show `CONFIDENTIAL` ones as busy), so:
/// - unmarked and open (UNCLASSIFIED, PUBLIC, OFFICIAL): `PUBLIC`;
/// - RESTRICTED, releasability caveats and CONFIDENTIAL: `CONFIDENTIAL`;
/// - SECRET and above, and labels this version cannot grade: `PRIVATE`, the strongest hiding there is.
///
/// The exact label always travels in `X-LIAISON-MARKING` and on the first line of `DESCRIPTION`.
pub fn class_for(marking: &str) -> &'static str {
    match marking_level(marking) {
        MarkingLevel::None | MarkingLevel::Open => "PUBLIC",
        MarkingLevel::Restricted | MarkingLevel::Confidential => "CONFIDENTIAL",
        MarkingLevel::Secret | MarkingLevel::Other => "PRIVATE",
    }
}

fn basic_date(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year, d.month, d.day)
}

/// A meeting's or action's UID.
pub fn uid_of(id: RecordId) -> String {
    format!("{id}{UID_SUFFIX}")
}

/// An email address as a `mailto:` URI: everything but unreserved characters and `@ ! $ & ' * + =` is
/// percent-encoded (UTF-8), so the address can hold nothing that ends or splits the line.
pub(super) fn mailto(email: &str) -> String {
    format!("mailto:{}", percent_encode(email.trim(), b"@!$&'*+="))
}

/// The human `DESCRIPTION`: the marking, then agenda, notes and decisions under headings.
fn description(m: &Meeting) -> String {
    let mut parts = Vec::new();
    for (heading, text) in [("Agenda", &m.agenda), ("Notes", &m.notes), ("Decisions", &m.decisions)] {
        if !text.is_empty() {
            parts.push(format!("{heading}:\n{text}"));
        }
    }
    note_with_marking(&m.marking, &parts.join("\n\n"))
}

struct Out {
    text: String,
}

impl Out {
    fn line(&mut self, s: &str) {
        fold_into(s, &mut self.text);
    }

    fn text(&mut self, prop: &str, value: &str) {
        if !value.is_empty() {
            self.line(&format!("{prop}:{}", escape_text(value)));
        }
    }

    fn list(&mut self, prop: &str, values: &[String]) {
        if values.iter().any(|v| !v.is_empty()) {
            self.line(&format!("{prop}:{}", escape_list(values)));
        }
    }
}

fn event(out: &mut Out, nb: &Notebook, m: &Meeting, date: Date, ceiling: Ceiling, dtstamp: &str) {
    let id = m.id.unwrap_or_else(|| {
        RecordId::from_hash(format!("liaison meeting\n{}\n{}\n{}", m.title, m.date, m.start).as_bytes())
    });
    out.line("BEGIN:VEVENT");
    out.line(&format!("UID:{}", uid_of(id)));
    out.line(&format!("DTSTAMP:{dtstamp}"));
    let start = Time::parse(&m.start).ok().filter(|_| !m.start.is_empty());
    let end = Time::parse(&m.end).ok().filter(|_| !m.end.is_empty());
    match start {
        Some(s) => {
            out.line(&format!("DTSTART:{}T{:02}{:02}00", basic_date(date), s.hour, s.minute));
            if let Some(e) = end {
                let end_date = if e < s { date.add_days(1) } else { date };
                out.line(&format!("DTEND:{}T{:02}{:02}00", basic_date(end_date), e.hour, e.minute));
            }
        }
        None => out.line(&format!("DTSTART;VALUE=DATE:{}", basic_date(date))),
    }
    // What DTSTART and DTEND cannot say exactly (a date or time not written as the forms write them,
    // " 09:30" or "soon", or an end with no start) travels as typed, so that it comes back as typed.
    if date.to_string() != m.date {
        out.text("X-LIAISON-DATE", &m.date);
    }
    if !m.start.is_empty() && start.map(|t| t.to_string()).as_deref() != Some(m.start.as_str()) {
        out.text("X-LIAISON-START", &m.start);
    }
    if !m.end.is_empty() && (start.is_none() || end.map(|t| t.to_string()).as_deref() != Some(m.end.as_str())) {
        out.text("X-LIAISON-END", &m.end);
    }
    out.text("SUMMARY", &m.title);
    out.text("LOCATION", &m.location);
    out.text("DESCRIPTION", &description(m));
    for c in nb.participants(m) {
        // A participant whose own record is above the ceiling is left out: the name and address are
        // that record's data.
        if !view_within(nb, c.id, &c.marking, ceiling) {
            continue;
        }
        let Some(cid) = c.id else { continue };
        let cn = if c.name.is_empty() { String::new() } else { format!(";CN={}", param_value(&c.name)) };
        match c.emails.iter().find(|e| !e.trim().is_empty()) {
            Some(email) => {
                out.line(&format!("ATTENDEE{cn};X-LIAISON-ID={}:{}", param_value(&cid.to_string()), mailto(email)))
            }
            None => out.line(&format!("ATTENDEE{cn}:urn:uuid:{cid}")),
        }
    }
    for a in m.attendees.iter().filter(|a| !a.is_empty()) {
        out.line(&format!("ATTENDEE;CN={}:{NO_ADDRESS}", param_value(a)));
    }
    out.list("CATEGORIES", &m.tags);
    out.line(&format!("CLASS:{}", class_for(&m.marking)));
    out.text("X-LIAISON-MARKING", &m.marking);
    out.text("X-LIAISON-AGENDA", &m.agenda);
    out.text("X-LIAISON-NOTES", &m.notes);
    out.text("X-LIAISON-DECISIONS", &m.decisions);
    out.list("X-LIAISON-ORGANISATIONS", &m.organisations);
    out.list("X-LIAISON-NATIONS", &m.nations);
    if let Some(series) = m.series {
        out.text("X-LIAISON-SERIES", &uid_of(series));
    }
    out.line("END:VEVENT");
}

fn todo(out: &mut Out, nb: &Notebook, a: &Action, meeting_uid: &str, marking: &str, ceiling: Ceiling, dtstamp: &str) {
    let Some(id) = a.id else { return };
    out.line("BEGIN:VTODO");
    out.line(&format!("UID:{}", uid_of(id)));
    out.line(&format!("DTSTAMP:{dtstamp}"));
    out.text("SUMMARY", &a.text);
    match Date::parse(&a.due) {
        Ok(d) => {
            out.line(&format!("DUE;VALUE=DATE:{}", basic_date(d)));
            if d.to_string() != a.due {
                out.text("X-LIAISON-DUE", &a.due);
            }
        }
        Err(_) => out.text("X-LIAISON-DUE", &a.due),
    }
    out.line(if a.done { "STATUS:COMPLETED" } else { "STATUS:NEEDS-ACTION" });
    out.line(&format!("RELATED-TO:{}", escape_text(meeting_uid)));
    if !a.owner.is_empty() {
        out.text("DESCRIPTION", &format!("Owner: {}", a.owner));
    }
    out.text("X-LIAISON-OWNER", &a.owner);
    if let Some(c) = a.contact.map(|c| nb.resolve_contact(c)).and_then(|c| nb.contact(c)) {
        if view_within(nb, c.id, &c.marking, ceiling) {
            out.text("CONTACT", &c.name);
            if let Some(cid) = c.id {
                out.line(&format!("X-LIAISON-CONTACT:{cid}"));
            }
        }
    }
    out.line(&format!("CLASS:{}", class_for(marking)));
    out.text("X-LIAISON-MARKING", marking);
    out.line("END:VTODO");
}

/// Meetings as one .ics file, each with its follow-up actions as to-dos, leaving out meetings above the
/// ceiling (and their actions) and meetings without a date. `dtstamp_ms` is when the file is made (the
/// `DTSTAMP` of every component). [`ExportText::written`] counts events and to-dos.
pub fn export(nb: &Notebook, meetings: &[Meeting], ceiling: Ceiling, dtstamp_ms: u64) -> ExportText {
    let dtstamp = crate::date::UtcDateTime::from_ms(dtstamp_ms).basic();
    let mut out = Out { text: String::new() };
    let mut result = ExportText::default();
    // Grouped once: asking the notebook for each meeting's actions read every record once per meeting.
    let actions = nb.actions_by_meeting();
    for l in ["BEGIN:VCALENDAR", "VERSION:2.0", &format!("PRODID:{PRODID}"), "CALSCALE:GREGORIAN"] {
        out.line(l);
    }
    for m in meetings {
        if !view_within(nb, m.id, &m.marking, ceiling) {
            result.above_ceiling += 1;
            continue;
        }
        let Ok(date) = Date::parse(&m.date) else {
            result.undated += 1;
            continue;
        };
        event(&mut out, nb, m, date, ceiling, &dtstamp);
        result.written += 1;
        if let Some(mid) = m.id {
            for a in actions.of(mid) {
                todo(&mut out, nb, a, &uid_of(mid), &m.marking, ceiling, &dtstamp);
                result.written += 1;
            }
        }
    }
    out.line("END:VCALENDAR");
    result.text = out.text;
    result
}

/// Every live meeting of the notebook, newest first, as one .ics file (see [`export`]).
pub fn export_all(nb: &Notebook, ceiling: Ceiling, dtstamp_ms: u64) -> ExportText {
    export(nb, &nb.meetings(), ceiling, dtstamp_ms)
}
