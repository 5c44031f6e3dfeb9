//! Reading an .ics file: its events and to-dos, and every problem with its line.

use super::zones::{parse_when, to_officer_time, Clock, Observance, Tz, When, Written, ZoneDef, Zones};
use super::MAX_COMPONENTS;
use crate::crdt::id::RecordId;
use crate::date::{Date, Time};
use crate::formats::lines::{self, first, split_escaped_while};
use crate::formats::{
    id_for_uid, note_without_marking, shown, Budget, List, Problem, Problems, MAX_IMPORT_BYTES, UID_SUFFIX,
};
use crate::model::{Action, Meeting};
use crate::schema::{Field, Kind};
use crate::text;

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
    /// [`Event::attendees`], to be matched against a notebook's contacts ([`match_attendees`](super::match_attendees)).
    pub meeting: Meeting,
    /// Attendees, then the organiser when not also an attendee.
    pub attendees: Vec<Attendee>,
    /// For one changed occurrence of a repeating meeting, the start it replaces (`RECURRENCE-ID`, as
    /// written). The series is the event of the same UID without one; `meeting.series` names it.
    pub recurrence_id: Option<String>,
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

/// Minutes in an RFC 5545 duration (`PT1H30M`, `P1D`, `P1W`); `None` for negative or unreadable ones.
pub(super) fn duration_minutes(raw: &str) -> Option<u64> {
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
    start_tz: Option<Tz>,
    end: Option<Option<Time>>,
    end_at: Option<(Date, Time, Tz)>,
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
    recurrence_id: Option<String>,
    liaison_series: Option<String>,
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

/// What reading one event or to-do needs of the file's state.
struct Cx<'a> {
    problems: &'a mut Problems,
    budget: &'a mut Budget,
    /// Whether times will be turned into the officer's (else they are kept as written).
    zoned: bool,
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
                let Some(when) = parse_when(&raw).or_else(|| {
                    // A writer that adds a stray letter after a whole date-time (ical4android's own test
                    // file has `20131009T170000T`) still meant that date-time.
                    let raw = raw.trim();
                    let whole = raw.get(..16).and_then(parse_when).or_else(|| raw.get(..15).and_then(parse_when))?;
                    problems.push(
                        l.line,
                        format!("{} “{}” has characters after its time; they were left out", l.name, shown(raw)),
                    );
                    Some(whole)
                }) else {
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
                if let (When::At(_, t, true), false) = (&when, cx.zoned) {
                    let t = *t;
                    problems.push(
                        l.line,
                        format!("{} is in UTC; Liaison keeps meeting times as local times, so it was kept as {} (UTC): check it", l.name, hhmm(t)),
                    );
                }
                let (date, time, tz) = match when {
                    When::Day(d) => (d, None, Tz::Floating),
                    When::At(d, t, utc) => (d, Some(t), Tz::of(l, utc)),
                };
                if l.name == "DTSTART" {
                    if self.start.is_none() {
                        self.start = Some((date, time));
                        self.start_tz = Some(tz);
                    }
                } else if self.end.is_none() {
                    self.end = Some(time);
                    self.end_at = time.map(|t| (date, t, tz));
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
            "RECURRENCE-ID" => first(&mut self.recurrence_id, l.raw_text(problems).trim().to_string()),
            "X-LIAISON-SERIES" => {
                let series = l.text(problems).trim().to_string();
                if !series.is_empty() {
                    first(&mut self.liaison_series, series);
                }
            }
            _ => {}
        }
    }

    /// The event, and its times as written when they are in a zone or UTC.
    fn finish(self, problems: &mut Problems) -> (Event, Option<Written>) {
        let written = match (self.start, &self.start_tz, &self.end_at) {
            (Some((date, Some(time))), Some(tz), end)
                if *tz != Tz::Floating || end.as_ref().is_some_and(|e| e.2 != Tz::Floating) =>
            {
                Some(Written { start: (date, time, tz.clone()), end: end.clone(), duration: self.duration })
            }
            _ => None,
        };
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
        let uid = self.uid.as_deref().map(str::trim).filter(|u| !u.is_empty());
        let recurrence_id = self.recurrence_id.filter(|r| !r.is_empty());
        m.series = match (&self.liaison_series, &recurrence_id, uid) {
            (Some(series), _, _) => Some(id_for_uid(Kind::Meeting, series)),
            (None, Some(_), Some(uid)) => Some(id_for_uid(Kind::Meeting, uid)),
            _ => None,
        };
        carry(Field::Series, m.series.is_some());
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
                (!o.email.is_empty() && text::email_key(&a.email) == text::email_key(&o.email))
                    || (o.contact.is_some() && a.contact == o.contact)
            });
            if !dup {
                attendees.push(o);
            }
        }
        let event = Event {
            line: self.line,
            uid: self.uid.filter(|u| !u.trim().is_empty()),
            meeting: m,
            attendees,
            recurrence_id,
            carried,
        };
        (event, written)
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

/// Reads an .ics file with the charsets core knows, times kept as written (see [`parse_with`]).
pub fn parse(bytes: &[u8]) -> Calendar {
    parse_with(bytes, lines::built_in_charsets, None)
}

/// Reads an .ics file: its events and to-dos, and every problem with a line number. `legacy` decodes the
/// charsets core has no tables for. With `zones`, times with a `TZID` (defined by the file's
/// `VTIMEZONE`s, or known to `zones` by name) and UTC times become the officer's local times; floating
/// times and all-day dates stay as written. Without, every time is kept as written and UTC times are
/// reported. Components inside events and to-dos (alarms) are passed over. Never panics; a file over
/// [`MAX_IMPORT_BYTES`] is refused whole.
pub fn parse_with(bytes: &[u8], legacy: lines::LegacyCharsets, zones: Option<&Zones<'_>>) -> Calendar {
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
    let mut defs: Vec<ZoneDef> = Vec::new();
    let (mut zone_at, mut observance_at): (Option<usize>, Option<usize>) = (None, None);
    let mut written: Vec<(usize, Written)> = Vec::new();
    let mut reader = lines::Reader::new(bytes, legacy);
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
                // The zone and observance being read, if they are read at all: properties never go to
                // another zone's part, past a limit or inside an event.
                if top && what == "VTIMEZONE" {
                    zone_at = (defs.len() < MAX_ZONES).then(|| {
                        defs.push(ZoneDef { line: l.line, ..Default::default() });
                        defs.len() - 1
                    });
                    if zone_at.is_none() {
                        problems.push_once(l.line, "the file defines more than 100 time zones; the rest were not read");
                    }
                }
                let in_zone = stack.last().is_some_and(|s| s == "VTIMEZONE");
                if in_zone && (what == "STANDARD" || what == "DAYLIGHT") {
                    observance_at = None;
                    if let Some(def) = zone_at.and_then(|z| defs.get_mut(z)) {
                        if def.observances.len() < MAX_OBSERVANCES {
                            def.observances.push(Observance::default());
                            observance_at = Some(def.observances.len() - 1);
                        } else {
                            problems.push_once(l.line, "a time zone has more than 100 parts; the rest were not read");
                        }
                    }
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
                        match what.as_str() {
                            "VTIMEZONE" => (zone_at, observance_at) = (None, None),
                            "STANDARD" | "DAYLIGHT" => observance_at = None,
                            _ => {}
                        }
                    }
                    None => {
                        problems.push(l.line, format!("END:{} without a BEGIN", shown(&what)));
                        continue;
                    }
                }
                if stack.iter().all(|s| s == "VCALENDAR") {
                    match open.take() {
                        Some(Open::Event(b)) => finish_event(*b, &mut cal, &mut written, &mut problems),
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
                        b.take(&l, &mut Cx { problems: &mut problems, budget: &mut budget, zoned: zones.is_some() })
                    }
                    Some(Open::Todo(b)) if depth_ok => b.take(&l, &mut problems),
                    _ => {}
                }
                let zone = zone_at.and_then(|z| defs.get_mut(z));
                match (stack.last().map(String::as_str), zone) {
                    (Some("VTIMEZONE"), Some(def)) if l.name == "TZID" => {
                        first(&mut def.tzid, l.text(&mut problems).trim().to_string());
                    }
                    (Some("STANDARD" | "DAYLIGHT"), Some(def))
                        if stack.len() >= 2 && stack[stack.len() - 2] == "VTIMEZONE" =>
                    {
                        if let Some(o) = observance_at.and_then(|o| def.observances.get_mut(o)) {
                            o.take(&l, &mut problems);
                        }
                    }
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
            finish_event(*b, &mut cal, &mut written, &mut problems);
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
    if let Some(zones) = zones {
        for def in &defs {
            def.report_unread_rules(&mut problems);
        }
        let clock = Clock { defs: &defs, zones };
        for (i, w) in written {
            if let Some(e) = cal.events.get_mut(i) {
                to_officer_time(&mut e.meeting, &w, &clock, e.line, &mut problems);
            }
        }
    }
    if !saw_calendar {
        problems.push(0, "no BEGIN:VCALENDAR: this does not look like an iCalendar file");
    } else if cal.events.is_empty() && cal.todos.is_empty() {
        problems.push(0, "the calendar holds no events");
    }
    cal.problems = problems.finish();
    cal
}

/// Zones one file may define, and observances one zone may have; more are not read.
const MAX_ZONES: usize = 100;
const MAX_OBSERVANCES: usize = 100;

fn finish_event(b: EventBuilder, cal: &mut Calendar, written: &mut Vec<(usize, Written)>, problems: &mut Problems) {
    let (event, w) = b.finish(problems);
    if let Some(w) = w {
        written.push((cal.events.len(), w));
    }
    cal.events.push(event);
}

/// Undoes percent-encoding; sequences that do not decode to UTF-8 are kept as they were.
pub(super) fn percent_decode(s: &str) -> String {
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
