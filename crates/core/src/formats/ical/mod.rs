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
//! [`ExportText::undated`](super::ExportText::undated). There is no `METHOD`: the file is a calendar to
//! subscribe to or import, not an iTIP message (which would require an `ORGANIZER` that Liaison does not
//! know).
//!
//! Import reads the events of an invitation (Outlook, Google, Apple) as meetings: title, date, start, end
//! (from `DTEND` or `DURATION`), location, description as notes, and attendees matched to contacts by
//! email (case ignored); the others become free-text attendees. Given the officer's zone
//! ([`Zones`]), times with a `TZID` (the file's `VTIMEZONE`, or a zone known by name) and UTC times land
//! at the officer's local time; floating times and all-day dates stay as written. A changed occurrence
//! of a series (`RECURRENCE-ID`) is a meeting of its own, linked to the series. A file Liaison wrote (its
//! UIDs end in `@liaison`) comes back exactly, field for field.

mod export;
mod import;
mod parse;
#[cfg(test)]
mod tests;
mod zones;

pub use export::{class_for, export, export_all, uid_of};
pub use import::{import, match_attendees, match_attendees_with, ContactsByEmail};
pub use parse::{parse, parse_with, Attendee, Calendar, Event, Todo};
pub use zones::Zones;

/// The value of an attendee who is not a contact and has no address (Outlook's convention).
pub const NO_ADDRESS: &str = "invalid:nomail";

/// Events and to-dos in one file beyond this many are not read.
pub const MAX_COMPONENTS: usize = 50_000;
