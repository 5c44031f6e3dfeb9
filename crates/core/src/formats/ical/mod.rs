//! iCalendar (RFC 5545): meetings as events, follow-up actions as to-dos, and invitations back in.
//!
//! Export writes one `VCALENDAR` with a `VEVENT` per meeting and a `VTODO` per follow-up action of it.
//!
//! A meeting becomes:
//! - `UID:<record id>@liaison`;
//! - `DTSTART`/`DTEND` as floating local date-times from its date, start and end: no time zone, since
//!   meetings are noted in the local time of wherever they happened, and a calendar then shows them at
//!   that clock time. A meeting with no start time is a `DATE`. An end before the start is the next day.
//! - `SUMMARY` (title), `LOCATION`, `CATEGORIES` (tags);
//! - `DESCRIPTION` for people: the marking first, then agenda, notes and decisions under headings. The
//!   exact texts also go into `X-LIAISON-AGENDA`, `X-LIAISON-NOTES` and `X-LIAISON-DECISIONS`, so that
//!   a Liaison file comes back exactly;
//! - `ATTENDEE;CN=<name>;X-LIAISON-ID=<contact id>:mailto:<first email>` per participant, or
//!   `…:urn:uuid:<contact id>` for one without an email, and `ATTENDEE;CN=<text>:invalid:nomail` per
//!   other attendee (what Outlook writes for an attendee without an address);
//! - `X-LIAISON-ORGANISATIONS`, `X-LIAISON-NATIONS`;
//! - `CLASS` from the marking (see [`class_for`]) and `X-LIAISON-MARKING`, the label exactly;
//! - `X-LIAISON-DATE`, `-START`, `-END` only for what the date-times cannot say exactly (a time typed
//!   as " 09:30" or "soon", an end with no start).
//!
//! An action becomes a `VTODO`: `UID`, `SUMMARY`, `DUE` (a `DATE`), `STATUS` (`NEEDS-ACTION` or
//! `COMPLETED`), `RELATED-TO` its meeting's UID, `X-LIAISON-OWNER`, `CONTACT` and `X-LIAISON-CONTACT`
//! for the contact it names, and its meeting's `CLASS` and marking.
//!
//! A meeting without a date has no place in a calendar; it is left out and counted in
//! [`ExportText::undated`]. There is no `METHOD`: the file is a calendar to subscribe to or import, not an
//! iTIP message (which would require an `ORGANIZER` that Liaison does not know).
//!
//! Import reads the events of an invitation (Outlook, Google, Apple) as meetings: title, date, start, end
//! (from `DTEND` or `DURATION`), location, description as notes, and attendees matched to contacts by
//! email (case ignored); the others become free-text attendees. Times with a `TZID` are taken as written
//! (the local time of the meeting); UTC times are kept as UTC and reported. A file Liaison wrote (its
//! UIDs end in `@liaison`) comes back exactly, field for field.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::lines::{self, escape_list, escape_text, fold_into, param_value, split_escaped_while};
use super::vcard::{note_with_marking, note_without_marking};
use super::{
    hashed_id, id_for_uid, shown, upsert, Budget, ExportText, ImportOutcome, List, Problem, Problems, MAX_IMPORT_BYTES,
};
use crate::crdt::id::RecordId;
use crate::date::{Date, Time};
use crate::marking::{marking_level, MarkingLevel};
use crate::marking::{view_within, Ceiling};
use crate::model::{Action, Meeting};
use crate::notebook::Notebook;
use crate::schema::Value;
use crate::schema::{Field, Kind};
use crate::text::percent_encode;

/// What Liaison appends to a record id to make an iCalendar UID (which should be globally unique, and
/// by convention names its origin after an `@`).
pub const UID_SUFFIX: &str = "@liaison";

/// The `PRODID` of every calendar Liaison writes.
pub const PRODID: &str = "-//Liaison//Liaison field notebook//EN";

/// The value of an attendee who is not a contact and has no address (Outlook's convention).
pub const NO_ADDRESS: &str = "invalid:nomail";

/// Events and to-dos in one file beyond this many are not read.
pub const MAX_COMPONENTS: usize = 50_000;

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

/// A time in ms since the epoch as an iCalendar UTC date-time: `20260314T120000Z`.
pub fn utc_date_time(ms: u64) -> String {
    crate::date::UtcDateTime::from_ms(ms).basic()
}

fn basic_date(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year, d.month, d.day)
}

fn next_day(d: Date) -> Date {
    Date::from_days_since_epoch(d.days_since_epoch() + 1)
}

/// A meeting's or action's UID.
pub fn uid_of(id: RecordId) -> String {
    format!("{id}{UID_SUFFIX}")
}

/// An email address as a `mailto:` URI: everything but unreserved characters and `@ ! $ & ' * + =` is
/// percent-encoded (UTF-8), so the address can hold nothing that ends or splits the line.
fn mailto(email: &str) -> String {
    format!("mailto:{}", percent_encode(email.trim(), b"@!$&'*+="))
}

/// Undoes percent-encoding; sequences that do not decode to UTF-8 are kept as they were.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(Ok(b)) = s.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16)) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
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
    let id = m.id.unwrap_or_else(|| hashed_id(&format!("liaison meeting\n{}\n{}\n{}", m.title, m.date, m.start)));
    out.line("BEGIN:VEVENT");
    out.line(&format!("UID:{}", uid_of(id)));
    out.line(&format!("DTSTAMP:{dtstamp}"));
    let start = Time::parse(&m.start).ok().filter(|_| !m.start.is_empty());
    let end = Time::parse(&m.end).ok().filter(|_| !m.end.is_empty());
    match start {
        Some(s) => {
            out.line(&format!("DTSTART:{}T{:02}{:02}00", basic_date(date), s.hour, s.minute));
            if let Some(e) = end {
                let end_date = if e < s { next_day(date) } else { date };
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
    let dtstamp = utc_date_time(dtstamp_ms);
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

/// An attendee (or the organiser) of an event read from a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attendee {
    /// The `CN` parameter, or "".
    pub name: String,
    /// The address from `mailto:` (or an `EMAIL` parameter), or "".
    pub email: String,
    /// The Liaison contact it names (`X-LIAISON-ID` or `urn:uuid:`), when it names one.
    pub contact: Option<RecordId>,
}

impl Attendee {
    /// How an attendee who matches no contact is noted: `Name <address>`, or whichever of the two there
    /// is (the address alone when the name is the address).
    pub fn free_text(&self) -> String {
        match (self.name.is_empty(), self.email.is_empty()) {
            // Google names attendees by their address: "a@b.org <a@b.org>" would say it twice.
            (false, false) if self.name.trim().eq_ignore_ascii_case(self.email.trim()) => self.email.clone(),
            (false, false) => format!("{} <{}>", self.name, self.email),
            (false, true) => self.name.clone(),
            (true, false) => self.email.clone(),
            (true, true) => String::new(),
        }
    }
}

/// One event read from a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The line its `BEGIN:VEVENT` is on.
    pub line: usize,
    /// Its `UID`, if it has one.
    pub uid: Option<String>,
    /// The meeting it describes. `participants` and `attendees` are empty: the people are in
    /// [`Event::attendees`], to be matched against a notebook's contacts ([`match_attendees`]).
    pub meeting: Meeting,
    /// Attendees, then the organiser when not also an attendee.
    pub attendees: Vec<Attendee>,
    /// The fields the event carried; only these are written when it updates a meeting.
    pub carried: Vec<Field>,
}

/// One to-do read from a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Todo {
    /// The line its `BEGIN:VTODO` is on.
    pub line: usize,
    /// Its `UID`, if it has one.
    pub uid: Option<String>,
    /// The action it describes (`meeting` and `contact` are set on import).
    pub action: Action,
    /// The UID of the event it belongs to (`RELATED-TO`).
    pub related_to: Option<String>,
    /// The contact it names (`X-LIAISON-CONTACT`).
    pub contact: Option<RecordId>,
    /// The fields the to-do carried.
    pub carried: Vec<Field>,
}

/// What reading an .ics file gave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calendar {
    /// Every event that could be read, in file order.
    pub events: Vec<Event>,
    /// Every to-do that could be read, in file order.
    pub todos: Vec<Todo>,
    /// What was wrong, with line numbers.
    pub problems: Vec<Problem>,
}

enum When {
    Day(Date),
    At(Date, Time, bool),
}

/// Reads `20260310`, `20260310T093000` or `20260310T093000Z` (seconds are dropped, as the forms keep
/// minutes).
fn parse_when(raw: &str) -> Option<When> {
    let v = raw.trim();
    let (y, m, d) = (v.get(0..4)?, v.get(4..6)?, v.get(6..8)?);
    let date = Date::parse(&format!("{y}-{m}-{d}")).ok()?;
    let rest = v.get(8..)?;
    if rest.is_empty() {
        return Some(When::Day(date));
    }
    let rest = rest.strip_prefix('T')?;
    let (clock, utc) = match rest.strip_suffix('Z') {
        Some(c) => (c, true),
        None => (rest, false),
    };
    if clock.len() != 6 || !clock.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let time = Time::parse(&format!("{}:{}", &clock[0..2], &clock[2..4])).ok()?;
    Some(When::At(date, time, utc))
}

/// Minutes in an RFC 5545 duration (`PT1H30M`, `P1D`, `P1W`); `None` for negative or unreadable ones.
fn duration_minutes(raw: &str) -> Option<u64> {
    let s = raw.trim();
    let s = s.strip_prefix('+').unwrap_or(s).strip_prefix('P')?;
    let (days, time) = s.split_once('T').unwrap_or((s, ""));
    let mut total = 0u64;
    for (part, units) in
        [(days, [('W', 7 * 1440), ('D', 1440)].as_slice()), (time, [('H', 60), ('M', 1), ('S', 0)].as_slice())]
    {
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
            } else {
                let unit = units.iter().find(|(u, _)| *u == c)?.1;
                let n: u64 = number.parse().ok()?;
                total = total.checked_add(n.checked_mul(unit)?)?;
                number.clear();
            }
        }
        if !number.is_empty() {
            return None;
        }
    }
    Some(total)
}

fn hhmm(t: Time) -> String {
    t.to_string()
}

#[derive(Default)]
struct EventBuilder {
    line: usize,
    uid: Option<String>,
    summary: Option<String>,
    location: Option<String>,
    description: Option<String>,
    start: Option<(Date, Option<Time>)>,
    end: Option<Option<Time>>,
    duration: Option<u64>,
    liaison_date: Option<String>,
    liaison_start: Option<String>,
    liaison_end: Option<String>,
    attendees: List<Attendee>,
    organiser: Option<Attendee>,
    saw_attendees: bool,
    tags: List<String>,
    class: Option<String>,
    marking: Option<String>,
    agenda: Option<String>,
    notes: Option<String>,
    decisions: Option<String>,
    organisations: List<String>,
    nations: List<String>,
    repeats: bool,
    is_occurrence: bool,
}

#[derive(Default)]
struct TodoBuilder {
    line: usize,
    uid: Option<String>,
    summary: Option<String>,
    due: Option<String>,
    liaison_due: Option<String>,
    status: Option<String>,
    related_to: Option<String>,
    owner: Option<String>,
    contact: Option<RecordId>,
}

fn first(slot: &mut Option<String>, v: String) {
    if slot.is_none() {
        *slot = Some(v);
    }
}

/// What reading one event or to-do needs of the file's state.
struct Cx<'a> {
    problems: &'a mut Problems,
    budget: &'a mut Budget,
}

/// Adds the items of a comma-separated value to a list, as far as its limits allow.
fn list_into(list: &mut List<String>, l: &lines::ContentLine, cx: &mut Cx<'_>, what: &str) {
    list.touch();
    if !list.room(cx.budget, l.line, what, cx.problems) {
        return;
    }
    let raw = l.raw_text(cx.problems);
    split_escaped_while(&raw, ',', |item| {
        if item.is_empty() {
            return true;
        }
        if !list.room(cx.budget, l.line, what, cx.problems) {
            return false;
        }
        list.push(item, false, cx.budget);
        true
    });
}

fn attendee_of(l: &lines::ContentLine, problems: &mut Problems) -> Attendee {
    let value = l.raw_text(problems).trim().to_string();
    let name = l.param("CN").unwrap_or("").to_string();
    let email = match value.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("mailto:") => percent_decode(&value[7..]),
        _ => l.param("EMAIL").unwrap_or("").to_string(),
    };
    let from_urn = match value.get(..9) {
        Some(p) if p.eq_ignore_ascii_case("urn:uuid:") => value[9..].parse().ok(),
        _ => None,
    };
    let contact = l.param("X-LIAISON-ID").and_then(|v| v.parse().ok()).or(from_urn);
    Attendee { name, email, contact }
}

impl EventBuilder {
    fn take(&mut self, l: &lines::ContentLine, cx: &mut Cx<'_>) {
        let problems = &mut *cx.problems;
        match l.name.as_str() {
            "UID" => first(&mut self.uid, l.text(problems)),
            "SUMMARY" => first(&mut self.summary, l.text(problems)),
            "LOCATION" => first(&mut self.location, l.text(problems)),
            "DESCRIPTION" => first(&mut self.description, l.text(problems)),
            "DTSTART" | "DTEND" => {
                let raw = l.raw_text(problems);
                let Some(when) = parse_when(&raw) else {
                    problems.push(
                        l.line,
                        format!(
                            "{} “{}” is not a date or date-time (YYYYMMDD or YYYYMMDDTHHMMSS)",
                            l.name,
                            shown(&raw)
                        ),
                    );
                    return;
                };
                if let When::At(_, t, true) = when {
                    problems.push(
                        l.line,
                        format!("{} is in UTC; Liaison keeps meeting times as local times, so it was kept as {} (UTC): check it", l.name, hhmm(t)),
                    );
                }
                let (date, time) = match when {
                    When::Day(d) => (d, None),
                    When::At(d, t, _) => (d, Some(t)),
                };
                if l.name == "DTSTART" {
                    self.start.get_or_insert((date, time));
                } else {
                    self.end.get_or_insert(time);
                }
            }
            "DURATION" => match duration_minutes(&l.raw_text(problems)) {
                Some(m) => self.duration = Some(m),
                None => problems.push(l.line, "DURATION is not a duration Liaison can read (like PT1H30M)"),
            },
            "X-LIAISON-DATE" => first(&mut self.liaison_date, l.text(problems)),
            "X-LIAISON-START" => first(&mut self.liaison_start, l.text(problems)),
            "X-LIAISON-END" => first(&mut self.liaison_end, l.text(problems)),
            "ATTENDEE" => {
                self.saw_attendees = true;
                self.attendees.touch();
                if self.attendees.room(cx.budget, l.line, "attendees in one event", cx.problems) {
                    self.attendees.push(attendee_of(l, cx.problems), false, cx.budget);
                }
            }
            "ORGANIZER" => {
                self.saw_attendees = true;
                if self.organiser.is_none() {
                    self.organiser = Some(attendee_of(l, problems));
                }
            }
            "CATEGORIES" => list_into(&mut self.tags, l, cx, "tags in one event"),
            "CLASS" => first(&mut self.class, l.text(problems).trim().to_ascii_uppercase()),
            "X-LIAISON-MARKING" => first(&mut self.marking, l.text(problems)),
            "X-LIAISON-AGENDA" => first(&mut self.agenda, l.text(problems)),
            "X-LIAISON-NOTES" => first(&mut self.notes, l.text(problems)),
            "X-LIAISON-DECISIONS" => first(&mut self.decisions, l.text(problems)),
            "X-LIAISON-ORGANISATIONS" => list_into(&mut self.organisations, l, cx, "organisations in one event"),
            "X-LIAISON-NATIONS" => list_into(&mut self.nations, l, cx, "nations in one event"),
            "RRULE" | "RDATE" => self.repeats = true,
            "RECURRENCE-ID" => self.is_occurrence = true,
            _ => {}
        }
    }

    fn finish(self, problems: &mut Problems) -> Option<Event> {
        if self.is_occurrence {
            problems.push(self.line, "a changed occurrence of a repeating meeting (RECURRENCE-ID) was not read");
            return None;
        }
        if self.repeats {
            problems.push(self.line, "the meeting repeats; only its first occurrence is read");
        }
        let liaison = self.uid.as_deref().is_some_and(|u| u.trim().ends_with(UID_SUFFIX));
        let mut carried = Vec::new();
        let mut m = Meeting::default();
        let mut carry = |f: Field, present: bool| {
            if present || liaison {
                carried.push(f);
            }
        };
        carry(Field::Title, self.summary.is_some());
        m.title = self.summary.unwrap_or_default();
        carry(Field::Location, self.location.is_some());
        m.location = self.location.unwrap_or_default();
        if self.start.is_none() {
            problems.push(self.line, "the event has no DTSTART; it is read without a date");
        }
        carry(Field::Date, self.start.is_some());
        carry(Field::Start, self.start.is_some() || self.liaison_start.is_some());
        carry(Field::End, self.start.is_some() || self.liaison_end.is_some());
        if let Some((date, start)) = self.start {
            m.date = date.to_string();
            if let Some(s) = start {
                m.start = hhmm(s);
                let end = match (self.end, self.duration) {
                    (Some(e), _) => e,
                    (None, Some(d)) if d < 24 * 60 => {
                        let minutes = (u64::from(s.hour) * 60 + u64::from(s.minute) + d) % (24 * 60);
                        Some(Time { hour: (minutes / 60) as u32, minute: (minutes % 60) as u32 })
                    }
                    _ => None,
                };
                m.end = end.map(hhmm).unwrap_or_default();
            }
        }
        if let Some(d) = self.liaison_date {
            m.date = d;
        }
        if let Some(s) = self.liaison_start {
            m.start = s;
        }
        if let Some(e) = self.liaison_end {
            m.end = e;
        }
        let marking_from_liaison = self.marking.is_some();
        let class_marking = self.class.filter(|c| c == "CONFIDENTIAL" || c == "PRIVATE");
        let marking = self.marking.or(class_marking);
        carry(Field::Marking, marking.is_some());
        m.marking = marking.unwrap_or_default();
        if liaison {
            // The DESCRIPTION of a Liaison file is a rendering of these; the exact texts are here.
            m.agenda = self.agenda.unwrap_or_default();
            m.notes = self.notes.unwrap_or_default();
            m.decisions = self.decisions.unwrap_or_default();
            carried.extend([Field::Agenda, Field::Notes, Field::Decisions]);
        } else {
            let has_sections = self.agenda.is_some() || self.notes.is_some() || self.decisions.is_some();
            if has_sections {
                m.agenda = self.agenda.unwrap_or_default();
                m.notes = self.notes.unwrap_or_default();
                m.decisions = self.decisions.unwrap_or_default();
                carried.extend([Field::Agenda, Field::Notes, Field::Decisions]);
            } else if let Some(d) = self.description {
                m.notes = if marking_from_liaison { note_without_marking(&m.marking, &d) } else { d };
                carried.push(Field::Notes);
            }
        }
        let mut carry = |f: Field, present: bool| {
            if present || liaison {
                carried.push(f);
            }
        };
        for (field, list, slot) in [
            (Field::Tags, self.tags, &mut m.tags),
            (Field::Organisations, self.organisations, &mut m.organisations),
            (Field::Nations, self.nations, &mut m.nations),
        ] {
            let items = list.finish();
            carry(field, items.is_some());
            *slot = items.unwrap_or_default();
        }
        carry(Field::Participants, self.saw_attendees);
        carry(Field::Attendees, self.saw_attendees);
        carried.sort();
        carried.dedup();
        let mut attendees = self.attendees.finish().unwrap_or_default();
        if let Some(o) = self.organiser {
            let dup = attendees.iter().any(|a| {
                (!o.email.is_empty() && a.email.to_lowercase() == o.email.to_lowercase())
                    || (o.contact.is_some() && a.contact == o.contact)
            });
            if !dup {
                attendees.push(o);
            }
        }
        Some(Event { line: self.line, uid: self.uid.filter(|u| !u.trim().is_empty()), meeting: m, attendees, carried })
    }
}

impl TodoBuilder {
    fn take(&mut self, l: &lines::ContentLine, problems: &mut Problems) {
        match l.name.as_str() {
            "UID" => first(&mut self.uid, l.text(problems)),
            "SUMMARY" => first(&mut self.summary, l.text(problems)),
            "DUE" => {
                let raw = l.raw_text(problems);
                match parse_when(&raw) {
                    Some(When::Day(d) | When::At(d, _, _)) => first(&mut self.due, d.to_string()),
                    None => problems.push(l.line, format!("DUE “{}” is not a date (YYYYMMDD)", shown(&raw))),
                }
            }
            "X-LIAISON-DUE" => first(&mut self.liaison_due, l.text(problems)),
            "STATUS" => first(&mut self.status, l.text(problems).trim().to_ascii_uppercase()),
            "RELATED-TO" => first(&mut self.related_to, l.text(problems)),
            "X-LIAISON-OWNER" => first(&mut self.owner, l.text(problems)),
            "X-LIAISON-CONTACT" if self.contact.is_none() => self.contact = l.text(problems).trim().parse().ok(),
            _ => {}
        }
    }

    fn finish(self) -> Todo {
        let liaison = self.uid.as_deref().is_some_and(|u| u.trim().ends_with(UID_SUFFIX));
        let mut carried = Vec::new();
        let mut carry = |f: Field, present: bool| {
            if present || liaison {
                carried.push(f);
            }
        };
        carry(Field::Text, self.summary.is_some());
        carry(Field::Due, self.due.is_some() || self.liaison_due.is_some());
        carry(Field::Done, self.status.is_some());
        carry(Field::Owner, self.owner.is_some());
        carry(Field::Contact, self.contact.is_some());
        carried.push(Field::Meeting);
        carried.sort();
        let action = Action {
            id: None,
            text: self.summary.unwrap_or_default(),
            owner: self.owner.unwrap_or_default(),
            due: self.liaison_due.or(self.due).unwrap_or_default(),
            done: self.status.as_deref() == Some("COMPLETED"),
            meeting: None,
            contact: None,
        };
        Todo {
            line: self.line,
            uid: self.uid.filter(|u| !u.trim().is_empty()),
            action,
            related_to: self.related_to,
            contact: self.contact,
            carried,
        }
    }
}

enum Open {
    Event(Box<EventBuilder>),
    Todo(TodoBuilder),
}

/// Reads an .ics file: its events and to-dos, and every problem with a line number. Components inside
/// them (alarms) and time zone definitions are passed over. Never panics; a file over
/// [`MAX_IMPORT_BYTES`] is refused whole.
pub fn parse(bytes: &[u8]) -> Calendar {
    let mut problems = Problems::default();
    let mut cal = Calendar::default();
    if bytes.len() > MAX_IMPORT_BYTES {
        problems.push(0, format!("the file is larger than {} MB; it is not read", MAX_IMPORT_BYTES / (1024 * 1024)));
        cal.problems = problems.finish();
        return cal;
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        problems.push(0, "the file is empty");
        cal.problems = problems.finish();
        return cal;
    }
    // The names of the components we are inside, outermost first.
    let mut stack: Vec<String> = Vec::new();
    let mut open: Option<Open> = None;
    let mut saw_calendar = false;
    let mut budget = Budget::new();
    let mut reader = lines::Reader::new(bytes, &mut problems);
    while let Some(l) = reader.next_line(&mut problems) {
        match l.name.as_str() {
            "BEGIN" => {
                let what = String::from_utf8_lossy(&l.value).trim().to_ascii_uppercase();
                if what == "VCALENDAR" {
                    saw_calendar = true;
                }
                let top = stack.iter().all(|s| s == "VCALENDAR");
                if top && (what == "VEVENT" || what == "VTODO") {
                    if cal.events.len() + cal.todos.len() >= MAX_COMPONENTS {
                        problems.push(
                            l.line,
                            format!(
                                "the file holds more than {MAX_COMPONENTS} events and to-dos; the rest were not read"
                            ),
                        );
                        break;
                    }
                    open = Some(if what == "VEVENT" {
                        Open::Event(Box::new(EventBuilder { line: l.line, ..Default::default() }))
                    } else {
                        Open::Todo(TodoBuilder { line: l.line, ..Default::default() })
                    });
                }
                if stack.len() >= 16 {
                    problems.push(l.line, "components are nested more than 16 deep; the file was not read further");
                    break;
                }
                stack.push(what);
            }
            "END" => {
                let what = String::from_utf8_lossy(&l.value).trim().to_ascii_uppercase();
                match stack.iter().rposition(|s| *s == what) {
                    Some(at) => {
                        if at + 1 != stack.len() {
                            problems.push(
                                l.line,
                                format!("END:{} closes a component that has unclosed ones inside it", shown(&what)),
                            );
                        }
                        stack.truncate(at);
                    }
                    None => {
                        problems.push(l.line, format!("END:{} without a BEGIN", shown(&what)));
                        continue;
                    }
                }
                if stack.iter().all(|s| s == "VCALENDAR") {
                    match open.take() {
                        Some(Open::Event(b)) => cal.events.extend(b.finish(&mut problems)),
                        Some(Open::Todo(b)) => cal.todos.push(b.finish()),
                        None => {}
                    }
                }
            }
            _ => {
                // Only the properties of the event or to-do itself, not of an alarm inside it.
                let depth_ok = stack.last().is_some_and(|s| s == "VEVENT" || s == "VTODO");
                match open.as_mut() {
                    Some(Open::Event(b)) if depth_ok => {
                        b.take(&l, &mut Cx { problems: &mut problems, budget: &mut budget })
                    }
                    Some(Open::Todo(b)) if depth_ok => b.take(&l, &mut problems),
                    _ => {}
                }
            }
        }
    }
    match open.take() {
        Some(Open::Event(b)) => {
            problems.push(
                b.line,
                "the event starting here has no END:VEVENT (is the file cut short?); it was read as far as it goes",
            );
            cal.events.extend(b.finish(&mut problems));
        }
        Some(Open::Todo(b)) => {
            problems.push(
                b.line,
                "the to-do starting here has no END:VTODO (is the file cut short?); it was read as far as it goes",
            );
            cal.todos.push(b.finish());
        }
        None => {}
    }
    if !saw_calendar {
        problems.push(0, "no BEGIN:VCALENDAR: this does not look like an iCalendar file");
    } else if cal.events.is_empty() && cal.todos.is_empty() {
        problems.push(0, "the calendar holds no events");
    }
    cal.problems = problems.finish();
    cal
}

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
                by_email.entry(e.trim().to_lowercase()).or_insert(id);
            }
        }
        ContactsByEmail(by_email)
    }

    /// The contact an address stands for, if any (case and surrounding spaces ignored).
    pub fn get(&self, email: &str) -> Option<RecordId> {
        let email = email.trim().to_lowercase();
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
    /// with no UID, one hashed from its title, date and start.
    pub fn record_id(&self) -> RecordId {
        match self.uid.as_deref().map(str::trim) {
            Some(uid) if !uid.is_empty() => id_for_uid(Kind::Meeting, uid),
            _ => {
                let m = &self.meeting;
                hashed_id(&format!("liaison event without uid\n{}\n{}\n{}\n{}", m.title, m.date, m.start, m.location))
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
            _ => hashed_id(&format!(
                "liaison todo without uid\n{}\n{}\n{}",
                self.action.text,
                self.action.due,
                self.related_to.as_deref().unwrap_or("")
            )),
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
        if let Some(uid) = &e.uid {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markings_map_to_class_with_the_strongest_hiding_for_the_highest_grades() {
        assert_eq!(class_for(""), "PUBLIC");
        assert_eq!(class_for("UNCLASSIFIED"), "PUBLIC");
        assert_eq!(class_for("NATO RESTRICTED"), "CONFIDENTIAL");
        assert_eq!(class_for("CONFIDENTIAL"), "CONFIDENTIAL");
        assert_eq!(class_for("SECRET"), "PRIVATE");
        assert_eq!(class_for("Company internal"), "PRIVATE");
    }

    #[test]
    fn utc_stamps_and_durations_read_as_people_write_them() {
        assert_eq!(utc_date_time(1_773_500_760_000), "20260314T150600Z");
        assert_eq!(duration_minutes("PT1H30M"), Some(90));
        assert_eq!(duration_minutes("P1D"), Some(1440));
        assert_eq!(duration_minutes("P1W"), Some(7 * 1440));
        assert_eq!(duration_minutes("PT45M10S"), Some(45));
        assert_eq!(duration_minutes("-PT1H"), None);
        assert_eq!(duration_minutes("PT1X"), None);
        assert_eq!(duration_minutes("P99999999999999999999D"), None);
    }

    #[test]
    fn mailto_addresses_are_percent_encoded_both_ways() {
        assert_eq!(mailto("anna@example.org"), "mailto:anna@example.org");
        assert_eq!(mailto("a b;c@x.org"), "mailto:a%20b%3Bc@x.org");
        for e in ["δοκιμή@παράδειγμα.δοκιμή", "a%b@x.org", "o'neil+tag@x.org"] {
            assert_eq!(percent_decode(&mailto(e)[7..]), e);
        }
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn dates_and_times_parse_strictly() {
        assert!(matches!(parse_when("20260310"), Some(When::Day(_))));
        assert!(matches!(parse_when("20260310T093000"), Some(When::At(_, Time { hour: 9, minute: 30 }, false))));
        assert!(matches!(parse_when("20260310T093000Z"), Some(When::At(_, _, true))));
        for bad in ["2026031", "20260230", "20260310T0930", "20260310T250000", "2026-03-10", "２０２６0310", ""] {
            assert!(parse_when(bad).is_none(), "{bad}");
        }
    }
}
