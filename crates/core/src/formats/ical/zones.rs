//! Date-times and time zones in an iCalendar file: `DATE` and `DATE-TIME` values, the file's
//! `VTIMEZONE` definitions, and a `TZID` or UTC time turned into the officer's own local time.
//!
//! Core holds no zone database, so the caller says what the officer's clock reads ([`Zones::officer`])
//! and what a named zone's offset is ([`Zones::named`]): the browser's `Intl` in the app, a zone
//! database natively. A `TZID` the zone database knows ("Europe/Vienna") is taken from it, as calendar
//! programs do, since files often carry a truncated `VTIMEZONE` (RFC 5545's own example defines New
//! York from October 1998 only). Any other `TZID` ("W. Europe Standard Time") is worked out from the
//! file's `VTIMEZONE` alone (RFC 5545 §3.6.5): each `STANDARD` or `DAYLIGHT` observance starts at its `DTSTART` and
//! then on each onset of its yearly `RRULE` (`BYMONTH` with `BYDAY=-1SU`, `2SU`, …, or `BYMONTHDAY`) or
//! `RDATE`, and the latest onset at or before a time gives that time's offset.

use crate::date::{days_in_month, Date, Time};
use crate::formats::lines::{self, first};
use crate::formats::{shown, Problems};
use crate::model::Meeting;

/// A `DATE` or `DATE-TIME` value: a day, or a day and a time, `true` when in UTC.
pub(super) enum When {
    Day(Date),
    At(Date, Time, bool),
}

/// Reads `20260310`, `20260310T093000` or `20260310T093000Z` (seconds are dropped, as the forms keep
/// minutes).
pub(super) fn parse_when(raw: &str) -> Option<When> {
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

/// What the caller knows of time zones.
pub struct Zones<'a> {
    /// The officer's offset from UTC in minutes (+60 in Vienna in winter) at a UTC instant, given in
    /// minutes since 1970.
    pub officer: &'a dyn Fn(i64) -> i32,
    /// The offset of a zone named by its IANA name ("Europe/Vienna") at a UTC instant in minutes since
    /// 1970; `None` for a name it does not know, whose `VTIMEZONE` in the file is then read.
    pub named: &'a dyn Fn(&str, i64) -> Option<i32>,
}

/// How a date-time of the file is meant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Tz {
    /// No zone: the same clock time wherever it is read (Liaison writes meetings so).
    Floating,
    /// `…Z`.
    Utc,
    /// `TZID=…`.
    Named(String),
}

impl Tz {
    pub(super) fn of(l: &lines::ContentLine, utc: bool) -> Tz {
        match (utc, l.param("TZID").map(str::trim).filter(|t| !t.is_empty())) {
            (true, _) => Tz::Utc,
            (false, Some(tzid)) => Tz::Named(tzid.to_string()),
            (false, None) => Tz::Floating,
        }
    }
}

/// A wall-clock time as minutes since 1970-01-01 00:00 on that clock.
pub(super) fn minutes(date: Date, time: Time) -> i64 {
    date.days_since_epoch() * 1440 + i64::from(time.hour) * 60 + i64::from(time.minute)
}

/// The date and time of [`minutes`].
pub(super) fn from_minutes(m: i64) -> (Date, Time) {
    let date = Date::from_days_since_epoch(m.div_euclid(1440));
    let rem = m.rem_euclid(1440);
    (date, Time { hour: (rem / 60) as u32, minute: (rem % 60) as u32 })
}

/// The weekday of a date, Monday 0.
fn weekday(date: Date) -> i64 {
    // 1970-01-01 was a Thursday.
    (date.days_since_epoch() + 3).rem_euclid(7)
}

/// When an observance starts again each year.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Yearly {
    month: u32,
    /// The `nth` weekday of the month (1 the first, -1 the last), or the first of `days` that is one.
    day: DayRule,
    /// `UNTIL`, as minutes since 1970 (taken on the observance's own clock, which is near enough for a
    /// rule that ended years ago).
    until: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum DayRule {
    Nth { nth: i64, weekday: i64 },
    FirstOf { days: Vec<u32>, weekday: Option<i64> },
}

impl Yearly {
    fn parse(rule: &str) -> Option<Yearly> {
        let mut freq = None;
        let (mut month, mut byday, mut bymonthday, mut until) = (None, None, None, None);
        for part in rule.split(';').filter(|p| !p.trim().is_empty()) {
            let (k, v) = part.split_once('=')?;
            match k.trim().to_ascii_uppercase().as_str() {
                "FREQ" => freq = Some(v.trim().to_ascii_uppercase()),
                "BYMONTH" => month = Some(v.trim().parse::<u32>().ok().filter(|m| (1..=12).contains(m))?),
                "BYDAY" => byday = Some(v.trim().to_ascii_uppercase()),
                "BYMONTHDAY" => {
                    // Days of a month: at most 31 distinct ones, however long the list a file writes.
                    let mut days = v.split(',').map(|d| d.trim().parse::<u32>().ok()).collect::<Option<Vec<_>>>()?;
                    days.retain(|d| (1..=31).contains(d));
                    days.sort_unstable();
                    days.dedup();
                    bymonthday = Some(days)
                }
                "UNTIL" => {
                    until = Some(match parse_when(v)? {
                        When::Day(d) => minutes(d, Time { hour: 0, minute: 0 }),
                        When::At(d, t, _) => minutes(d, t),
                    })
                }
                "INTERVAL" if v.trim() != "1" => return None,
                _ => {}
            }
        }
        if freq.as_deref() != Some("YEARLY") {
            return None;
        }
        let weekday_of = |code: &str| ["MO", "TU", "WE", "TH", "FR", "SA", "SU"].iter().position(|w| *w == code);
        let day = match (byday, bymonthday) {
            (Some(b), None) => {
                let code = b.get(b.len().checked_sub(2)?..)?;
                let nth: i64 = b[..b.len() - 2].trim_start_matches('+').parse().ok()?;
                if nth == 0 || nth.abs() > 5 {
                    return None;
                }
                DayRule::Nth { nth, weekday: weekday_of(code)? as i64 }
            }
            (b, Some(days)) => {
                let weekday = match b {
                    Some(b) => Some(weekday_of(b.get(b.len().checked_sub(2)?..)?)? as i64),
                    None => None,
                };
                DayRule::FirstOf { days, weekday }
            }
            (None, None) => return None,
        };
        Some(Yearly { month: month?, day, until })
    }

    /// The day of `year` the rule falls on, if it falls in that year.
    fn date_in(&self, year: i32) -> Option<Date> {
        let last = days_in_month(year, self.month);
        let day = |d: u32| Some(Date { year, month: self.month, day: d });
        match &self.day {
            DayRule::Nth { nth, weekday: w } if *nth > 0 => {
                let first = weekday(day(1)?);
                let d = 1 + (w - first).rem_euclid(7) + (nth - 1) * 7;
                day(u32::try_from(d).ok().filter(|d| *d <= last)?)
            }
            DayRule::Nth { nth, weekday: w } => {
                let end = weekday(day(last)?);
                let d = i64::from(last) - (end - w).rem_euclid(7) - (-nth - 1) * 7;
                day(u32::try_from(d).ok().filter(|d| *d >= 1)?)
            }
            DayRule::FirstOf { days, weekday: w } => days
                .iter()
                .filter(|d| (1..=last).contains(*d))
                .filter_map(|d| day(*d))
                .find(|d| w.is_none_or(|w| weekday(*d) == w)),
        }
    }
}

/// One `STANDARD` or `DAYLIGHT` part of a zone.
#[derive(Debug, Default)]
pub(super) struct Observance {
    start: Option<i64>,
    from: Option<i32>,
    to: Option<i32>,
    rule: Option<Yearly>,
    rule_unread: Option<String>,
    rdates: Vec<i64>,
}

/// The most `RDATE` onsets one observance keeps.
const MAX_RDATES: usize = 1000;

/// `+0100`, `-0500`, `+053000`: minutes east of UTC, under 24 hours.
fn offset(raw: &str) -> Option<i32> {
    let v = raw.trim();
    let (sign, digits) = match v.as_bytes().first()? {
        b'+' => (1, &v[1..]),
        b'-' => (-1, &v[1..]),
        _ => return None,
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (i32, i32) = (digits[0..2].parse().ok()?, digits[2..4].parse().ok()?);
    (h < 24 && m < 60).then_some(sign * (h * 60 + m))
}

impl Observance {
    pub(super) fn take(&mut self, l: &lines::ContentLine, problems: &mut Problems) {
        let when = |raw: &str| match parse_when(raw)? {
            When::Day(d) => Some(minutes(d, Time { hour: 0, minute: 0 })),
            When::At(d, t, _) => Some(minutes(d, t)),
        };
        let raw = l.raw_text(problems);
        match l.name.as_str() {
            "DTSTART" if self.start.is_none() => self.start = when(&raw),
            "TZOFFSETFROM" | "TZOFFSETTO" => match offset(&raw) {
                Some(o) if l.name == "TZOFFSETFROM" => self.from = Some(o),
                Some(o) => self.to = Some(o),
                None => problems.push(l.line, format!("{} “{}” is not a UTC offset (like +0100)", l.name, shown(&raw))),
            },
            "RRULE" => match Yearly::parse(&raw) {
                Some(rule) => self.rule = Some(rule),
                None => first(&mut self.rule_unread, raw),
            },
            "RDATE" => {
                // Onsets are looked up for every zoned time of the file, so their number is bounded.
                for m in raw.split(',').filter_map(when) {
                    if self.rdates.len() >= MAX_RDATES {
                        problems.push_once(
                            l.line,
                            "a time zone lists more than 1000 dates (RDATE); the rest were not read",
                        );
                        break;
                    }
                    self.rdates.push(m);
                }
            }
            _ => {}
        }
    }

    /// The latest onset at or before `at` (both on the zone's clock).
    fn latest_onset(&self, at: i64) -> Option<i64> {
        let start = self.start?;
        let mut best = (start <= at).then_some(start);
        let mut consider = |m: i64| {
            if m <= at && m >= start && best.is_none_or(|b| m > b) {
                best = Some(m);
            }
        };
        for r in &self.rdates {
            consider(*r);
        }
        if let Some(rule) = &self.rule {
            let (date, _) = from_minutes(at);
            let (_, clock) = from_minutes(start);
            for y in [date.year - 1, date.year] {
                if let Some(d) = rule.date_in(y) {
                    let m = minutes(d, clock);
                    if rule.until.is_none_or(|u| m <= u) {
                        consider(m);
                    }
                }
            }
        }
        best
    }
}

/// One `VTIMEZONE` of the file.
#[derive(Debug, Default)]
pub(super) struct ZoneDef {
    pub(super) tzid: Option<String>,
    pub(super) observances: Vec<Observance>,
    pub(super) line: usize,
}

impl ZoneDef {
    /// The offset in effect at a wall-clock time of this zone.
    fn offset_at(&self, local: i64) -> Option<i32> {
        let usable = self.observances.iter().filter(|o| o.to.is_some() && o.start.is_some());
        match usable.clone().filter_map(|o| Some((o.latest_onset(local)?, o))).max_by_key(|(m, _)| *m) {
            Some((_, o)) => o.to,
            // Before every onset: the offset the earliest observance came from.
            None => usable.min_by_key(|o| o.start).and_then(|o| o.from.or(o.to)),
        }
    }

    pub(super) fn report_unread_rules(&self, problems: &mut Problems) {
        if let Some(rule) = self.observances.iter().find_map(|o| o.rule_unread.as_ref()) {
            problems.push(
                self.line,
                format!(
                    "the time zone {} has a rule Liaison cannot read (“{}”); times in it may be an hour off",
                    shown(self.tzid.as_deref().unwrap_or("")),
                    shown(rule)
                ),
            );
        }
    }
}

/// A file's zones and the caller's, turning the file's times into the officer's.
pub(super) struct Clock<'a> {
    pub(super) defs: &'a [ZoneDef],
    pub(super) zones: &'a Zones<'a>,
}

impl Clock<'_> {
    /// A time of the file as UTC minutes, or `None` for a floating time or a zone no one knows.
    fn to_utc(&self, local: i64, tz: &Tz) -> Result<Option<i64>, String> {
        match tz {
            Tz::Floating => Ok(None),
            Tz::Utc => Ok(Some(local)),
            Tz::Named(tzid) => {
                // A zone by name: its offset at the instant is found from a first guess, then refined.
                if let Some(first) = (self.zones.named)(tzid, local) {
                    let second = (self.zones.named)(tzid, local - i64::from(first)).unwrap_or(first);
                    return Ok(Some(local - i64::from(second)));
                }
                let def = self.defs.iter().find(|d| d.tzid.as_deref().map(str::trim) == Some(tzid.as_str()));
                match def.and_then(|d| d.offset_at(local)) {
                    Some(off) => Ok(Some(local - i64::from(off))),
                    None => Err(tzid.clone()),
                }
            }
        }
    }

    /// The officer's wall-clock time for a time of the file; `Err` names a zone no one knows.
    pub(super) fn officer_time(&self, date: Date, time: Time, tz: &Tz) -> Result<(Date, Time), String> {
        let local = minutes(date, time);
        Ok(match self.to_utc(local, tz)? {
            None => (date, time),
            Some(utc) => from_minutes(utc + i64::from((self.zones.officer)(utc))),
        })
    }
}

/// An event's start and end as the file wrote them, to be turned into the officer's time once the
/// file's zones are all read.
pub(super) struct Written {
    pub(super) start: (Date, Time, Tz),
    pub(super) end: Option<(Date, Time, Tz)>,
    pub(super) duration: Option<u64>,
}

/// Sets a meeting's date, start and end from its times as written, turned into the officer's.
pub(super) fn to_officer_time(m: &mut Meeting, w: &Written, clock: &Clock<'_>, line: usize, problems: &mut Problems) {
    let unknown = |tzid: String, problems: &mut Problems| {
        problems.push(
            line,
            format!(
                "the time zone “{}” is neither defined in the file nor known here; the meeting's times were kept as written",
                shown(&tzid)
            ),
        )
    };
    let (date, start) = match clock.officer_time(w.start.0, w.start.1, &w.start.2) {
        Ok(t) => t,
        Err(tzid) => return unknown(tzid, problems),
    };
    let end = match (&w.end, w.duration) {
        (Some((d, t, tz)), _) => match clock.officer_time(*d, *t, tz) {
            Ok((_, t)) => Some(t),
            Err(tzid) => return unknown(tzid, problems),
        },
        (None, Some(d)) if d < 24 * 60 => Some(from_minutes(minutes(date, start) + d as i64).1),
        _ => None,
    };
    m.date = date.to_string();
    m.start = start.to_string();
    if let Some(e) = end {
        m.end = e.to_string();
    }
}
