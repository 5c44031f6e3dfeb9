//! List filters that live in the URL, the values their dropdowns offer, and the dashboard's questions.
//!
//! Values are compared folded ([`crate::queries::search::fold`], with runs of space made one and the ends
//! trimmed), so "austria", "Austria " and "AUSTRIA" are one nation, and "Müller GmbH" is "Muller GmbH".
//!
//! Decisions, so that lists, dashboard and exports agree:
//! - **The nations and organisations of a meeting** are those listed on the meeting together with the
//!   nation and organisation of each participant (redirects of merged duplicates followed, deleted
//!   contacts left out). A meeting with a Polish participant is a meeting with Poland even when nobody
//!   filled in its "Nations". Filters and the per-nation counts both use this.
//! - **Date ranges** are inclusive at both ends. A meeting without a valid date never passes a filter
//!   that has a date. For contacts the range means "met between": at least one dated meeting in the
//!   range has the contact among its participants.
//! - **"The last N days"** are the N days that end with today: today and the N − 1 days before.
//! - **Contacts not met in 180 days** are live contacts with no meeting in the last 180 days (at least
//!   one meeting before that, none since; meetings after today do not count as met), plus contacts never
//!   met that have been in the notebook for at least 180 days (by their creation stamp). Met ones come
//!   first, longest silence first; then never-met ones, oldest first. Contacts only just added and
//!   never met are not nagged about.

pub mod duplicates;
pub mod search;

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::crdt::id::RecordId;
use crate::crdt::record::Record;
use crate::date::Date;
use crate::model::{Action, Contact, Meeting};
use crate::notebook::{FollowUp, Notebook};
use crate::schema::{Field, Kind};
use crate::text::{self, percent_encode, FxBuild};

/// The URL parameter names of the filters. Bookmarks depend on them: never rename one.
pub mod param {
    /// Nation.
    pub const NATION: &str = "nation";
    /// Organisation.
    pub const ORGANISATION: &str = "org";
    /// Tag.
    pub const TAG: &str = "tag";
    /// Marking label.
    pub const MARKING: &str = "marking";
    /// First day of the range, `YYYY-MM-DD`, inclusive.
    pub const FROM: &str = "from";
    /// Last day of the range, `YYYY-MM-DD`, inclusive.
    pub const TO: &str = "to";
}

// ---------------------------------------------------------------------------------------------------
// Query strings
// ---------------------------------------------------------------------------------------------------

/// The six values both filters carry, in their stable order.
struct Common<'a> {
    nation: &'a Option<String>,
    organisation: &'a Option<String>,
    tag: &'a Option<String>,
    marking: &'a Option<String>,
    from: Option<Date>,
    to: Option<Date>,
}

impl Common<'_> {
    fn pairs(&self) -> Vec<(String, String)> {
        let texts = [
            (param::NATION, self.nation),
            (param::ORGANISATION, self.organisation),
            (param::TAG, self.tag),
            (param::MARKING, self.marking),
        ];
        let mut out: Vec<(String, String)> =
            texts.into_iter().filter_map(|(k, v)| v.as_ref().map(|v| (k.to_string(), v.clone()))).collect();
        for (k, d) in [(param::FROM, self.from), (param::TO, self.to)] {
            if let Some(d) = d {
                out.push((k.to_string(), d.to_string()));
            }
        }
        out
    }
}

fn query_string(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k, b""), percent_encode(v, b"")))
        .collect::<Vec<_>>()
        .join("&")
}

/// The first value given for `name`, trimmed, unless blank.
fn first_text(pairs: &[(String, String)], name: &str) -> Option<String> {
    let v = pairs.iter().find(|(k, _)| k == name)?.1.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// The first value given for `name`, if it is a valid date (anything else is ignored).
fn first_date(pairs: &[(String, String)], name: &str) -> Option<Date> {
    Date::parse(&pairs.iter().find(|(k, _)| k == name)?.1).ok()
}

fn in_range(d: Date, from: Option<Date>, to: Option<Date>) -> bool {
    from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t)
}

macro_rules! url_filter {
    ($t:ident) => {
        impl $t {
            /// Whether nothing is filtered.
            pub fn is_empty(&self) -> bool {
                *self == $t::default()
            }

            /// The filter as URL parameters, unencoded, in a stable order: `nation`, `org`, `tag`,
            /// `marking`, `from`, `to` (dates as `YYYY-MM-DD`); unset values are left out.
            pub fn to_query_pairs(&self) -> Vec<(String, String)> {
                self.common().pairs()
            }

            /// The filter as a query string, percent-encoded (RFC 3986), without the leading `?`: "" when
            /// nothing is filtered.
            pub fn to_query_string(&self) -> String {
                query_string(&self.to_query_pairs())
            }

            /// The filter from decoded URL parameters. Unknown names, blank values and dates that do not
            /// parse are ignored; when a name is repeated, the first value counts (as
            /// `URLSearchParams.get` does). Never fails: a URL is data from outside.
            pub fn from_query_pairs(pairs: &[(String, String)]) -> Self {
                $t {
                    nation: first_text(pairs, param::NATION),
                    organisation: first_text(pairs, param::ORGANISATION),
                    tag: first_text(pairs, param::TAG),
                    marking: first_text(pairs, param::MARKING),
                    from: first_date(pairs, param::FROM),
                    to: first_date(pairs, param::TO),
                }
            }

            fn common(&self) -> Common<'_> {
                Common {
                    nation: &self.nation,
                    organisation: &self.organisation,
                    tag: &self.tag,
                    marking: &self.marking,
                    from: self.from,
                    to: self.to,
                }
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------------
// Shared machinery: participants and folded comparisons, each worked out once per call
// ---------------------------------------------------------------------------------------------------

fn live(nb: &Notebook, kind: Kind) -> impl Iterator<Item = &Record> {
    nb.records().filter(move |r| r.kind == kind && !r.is_deleted())
}

fn participant_ids(r: &Record) -> impl Iterator<Item = RecordId> + '_ {
    r.list(Field::Participants.key()).iter().filter_map(|p| p.parse().ok())
}

/// Resolves participant ids (through merge redirects) to live contact records, remembering each
/// answer: most contacts take part in many meetings.
struct People<'a> {
    nb: &'a Notebook,
    cache: HashMap<RecordId, (RecordId, Option<&'a Record>), FxBuild>,
}

impl<'a> People<'a> {
    fn new(nb: &'a Notebook) -> Self {
        People { nb, cache: HashMap::default() }
    }

    /// The contact `p` stands for now (the survivor of merges), and its record if it is live.
    fn resolve(&mut self, p: RecordId) -> (RecordId, Option<&'a Record>) {
        if let Some(found) = self.cache.get(&p) {
            return *found;
        }
        let id = self.nb.resolve_contact(p);
        let record = self.nb.record(id).filter(|r| r.kind == Kind::Contact && !r.is_deleted());
        self.cache.insert(p, (id, record));
        (id, record)
    }

    /// Participants as live contact records, each once.
    fn of(&mut self, ids: impl Iterator<Item = RecordId>) -> Vec<&'a Record> {
        let mut out: Vec<&'a Record> = Vec::new();
        for p in ids {
            if let (_, Some(r)) = self.resolve(p) {
                if !out.iter().any(|o| o.id == r.id) {
                    out.push(r);
                }
            }
        }
        out
    }
}

/// One wanted value, compared folded against many spellings; each distinct spelling is folded once.
struct Wanted<'a> {
    key: String,
    seen: HashMap<&'a str, bool, FxBuild>,
}

impl<'a> Wanted<'a> {
    fn new(wanted: &Option<String>) -> Option<Self> {
        wanted.as_ref().map(|w| Wanted { key: text::key(w), seen: HashMap::default() })
    }

    fn is(&mut self, spelling: &'a str) -> bool {
        if let Some(&b) = self.seen.get(spelling) {
            return b;
        }
        let b = text::key(spelling) == self.key;
        self.seen.insert(spelling, b);
        b
    }
}

/// Whether `wanted` (when set) is `value`.
fn wants<'a>(wanted: &mut Option<Wanted<'a>>, value: &'a str) -> bool {
    wanted.as_mut().is_none_or(|w| w.is(value))
}

/// Whether `wanted` (when set) is one of `values`.
fn wants_any<'a>(wanted: &mut Option<Wanted<'a>>, mut values: impl Iterator<Item = &'a str>) -> bool {
    wanted.as_mut().is_none_or(|w| values.any(|v| w.is(v)))
}

/// Spellings grouped by their folded key, each key worked out once per spelling.
#[derive(Default)]
struct Tally<'a> {
    keys: HashMap<&'a str, String, FxBuild>,
    counts: BTreeMap<String, BTreeMap<&'a str, usize>>,
}

impl<'a> Tally<'a> {
    fn key(&mut self, spelling: &'a str) -> &str {
        self.keys.entry(spelling).or_insert_with(|| text::key(spelling))
    }

    fn add(&mut self, v: &'a str) {
        let v = v.trim();
        if v.is_empty() {
            return;
        }
        let key = self.key(v).to_string();
        *self.counts.entry(key).or_default().entry(v).or_default() += 1;
    }

    /// Per key, in key order: the key, its most used spelling (ties: the first in code point order),
    /// and how many were counted.
    fn spellings(self) -> Vec<(String, String, usize)> {
        self.counts
            .into_iter()
            .map(|(key, spellings)| {
                let total = spellings.values().sum();
                let best = spellings
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
                    .map(|(s, _)| s.to_string())
                    .unwrap_or_default();
                (key, best, total)
            })
            .collect()
    }
}

/// The values of `listed` and of `field` of each participant, each once (folded), in that order,
/// trimmed, blanks left out.
fn involved<'a>(tally: &mut Tally<'a>, listed: &'a [String], people: &[&'a Record], field: Field) -> Vec<&'a str> {
    let mut keys: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for v in listed.iter().map(String::as_str).chain(people.iter().map(|r| r.text(field.key()))) {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        let key = tally.key(v);
        if !keys.iter().any(|k| k == key) {
            keys.push(key.to_string());
            out.push(v);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------------
// Meetings
// ---------------------------------------------------------------------------------------------------

/// The filter of the meetings list. Every value set must match (AND).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MeetingFilter {
    /// A nation involved: listed on the meeting or a participant's nation.
    pub nation: Option<String>,
    /// An organisation involved: listed on the meeting or a participant's organisation.
    pub organisation: Option<String>,
    /// One of the meeting's tags.
    pub tag: Option<String>,
    /// The meeting's marking label.
    pub marking: Option<String>,
    /// Meetings on or after this date.
    pub from: Option<Date>,
    /// Meetings on or before this date.
    pub to: Option<Date>,
}

url_filter!(MeetingFilter);

/// The nations involved in a meeting: those listed on it, then its participants' nations, each once
/// (folded), in that order, trimmed, blanks left out.
pub fn meeting_nations(nb: &Notebook, m: &Meeting) -> Vec<String> {
    let people = People::new(nb).of(m.participants.iter().copied());
    involved(&mut Tally::default(), &m.nations, &people, Field::Nation).into_iter().map(str::to_string).collect()
}

/// The organisations involved in a meeting: those listed on it, then its participants' organisations,
/// each once (folded), in that order, trimmed, blanks left out.
pub fn meeting_organisations(nb: &Notebook, m: &Meeting) -> Vec<String> {
    let people = People::new(nb).of(m.participants.iter().copied());
    involved(&mut Tally::default(), &m.organisations, &people, Field::Organisation)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// A meeting filter at work: its wanted values, and what it has learnt about spellings and people.
struct MeetingMatcher<'a> {
    nation: Option<Wanted<'a>>,
    organisation: Option<Wanted<'a>>,
    tag: Option<Wanted<'a>>,
    marking: Option<Wanted<'a>>,
    from: Option<Date>,
    to: Option<Date>,
    people: People<'a>,
}

impl<'a> MeetingMatcher<'a> {
    fn new(f: &MeetingFilter, nb: &'a Notebook) -> Self {
        MeetingMatcher {
            nation: Wanted::new(&f.nation),
            organisation: Wanted::new(&f.organisation),
            tag: Wanted::new(&f.tag),
            marking: Wanted::new(&f.marking),
            from: f.from,
            to: f.to,
            people: People::new(nb),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn matches(
        &mut self,
        date: &str,
        marking: &'a str,
        tags: &'a [String],
        nations: &'a [String],
        organisations: &'a [String],
        participants: impl Iterator<Item = RecordId>,
    ) -> bool {
        if (self.from.is_some() || self.to.is_some())
            && !Date::parse(date).is_ok_and(|d| in_range(d, self.from, self.to))
        {
            return false;
        }
        if !wants(&mut self.marking, marking) || !wants_any(&mut self.tag, tags.iter().map(String::as_str)) {
            return false;
        }
        if self.nation.is_none() && self.organisation.is_none() {
            return true;
        }
        let people = self.people.of(participants);
        wants_any(
            &mut self.nation,
            nations.iter().map(String::as_str).chain(people.iter().map(|r| r.text(Field::Nation.key()))),
        ) && wants_any(
            &mut self.organisation,
            organisations.iter().map(String::as_str).chain(people.iter().map(|r| r.text(Field::Organisation.key()))),
        )
    }

    fn matches_record(&mut self, r: &'a Record) -> bool {
        self.matches(
            r.text(Field::Date.key()),
            r.text(Field::Marking.key()),
            r.list(Field::Tags.key()),
            r.list(Field::Nations.key()),
            r.list(Field::Organisations.key()),
            participant_ids(r),
        )
    }
}

impl MeetingFilter {
    /// Whether a meeting passes the filter.
    pub fn matches(&self, nb: &Notebook, m: &Meeting) -> bool {
        MeetingMatcher::new(self, nb).matches(
            &m.date,
            &m.marking,
            &m.tags,
            &m.nations,
            &m.organisations,
            m.participants.iter().copied(),
        )
    }

    /// The meetings that pass, newest first (the order of [`Notebook::meetings`]). Works on the records
    /// and makes a view only of those that pass.
    pub fn apply(&self, nb: &Notebook) -> Vec<Meeting> {
        let mut matcher = MeetingMatcher::new(self, nb);
        let mut v: Vec<Meeting> =
            live(nb, Kind::Meeting).filter(|r| matcher.matches_record(r)).map(Meeting::from_record).collect();
        v.sort_by_cached_key(|m| std::cmp::Reverse(m.chronology()));
        v
    }
}

// ---------------------------------------------------------------------------------------------------
// Contacts
// ---------------------------------------------------------------------------------------------------

/// The filter of the contacts list. Every value set must match (AND).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactFilter {
    /// The contact's nation.
    pub nation: Option<String>,
    /// The contact's organisation.
    pub organisation: Option<String>,
    /// One of the contact's tags.
    pub tag: Option<String>,
    /// The contact's marking label.
    pub marking: Option<String>,
    /// Met on or after this date (in a meeting with a valid date).
    pub from: Option<Date>,
    /// Met on or before this date.
    pub to: Option<Date>,
}

url_filter!(ContactFilter);

impl ContactFilter {
    /// Whether a contact passes the nation, organisation, tag and marking parts of the filter (the
    /// "met between" part needs the meetings: see [`ContactFilter::apply`]).
    pub fn matches_fields(&self, c: &Contact) -> bool {
        let (mut nation, mut organisation, mut tag, mut marking) = (
            Wanted::new(&self.nation),
            Wanted::new(&self.organisation),
            Wanted::new(&self.tag),
            Wanted::new(&self.marking),
        );
        wants(&mut nation, &c.nation)
            && wants(&mut organisation, &c.organisation)
            && wants(&mut marking, &c.marking)
            && wants_any(&mut tag, c.tags.iter().map(String::as_str))
    }

    /// The contacts that pass, by name (the order of [`Notebook::contacts`]). Works on the records and
    /// makes a view only of those that pass.
    pub fn apply(&self, nb: &Notebook) -> Vec<Contact> {
        let met = (self.from.is_some() || self.to.is_some()).then(|| met_between(nb, self.from, self.to));
        let (mut nation, mut organisation, mut tag, mut marking) = (
            Wanted::new(&self.nation),
            Wanted::new(&self.organisation),
            Wanted::new(&self.tag),
            Wanted::new(&self.marking),
        );
        let mut v: Vec<Contact> = live(nb, Kind::Contact)
            .filter(|r| met.as_ref().is_none_or(|met| met.contains(&r.id)))
            .filter(|r| {
                wants(&mut nation, r.text(Field::Nation.key()))
                    && wants(&mut organisation, r.text(Field::Organisation.key()))
                    && wants(&mut marking, r.text(Field::Marking.key()))
                    && wants_any(&mut tag, r.list(Field::Tags.key()).iter().map(String::as_str))
            })
            .map(Contact::from_record)
            .collect();
        // As Notebook::contacts sorts.
        v.sort_by_cached_key(|c| (c.name.trim().to_lowercase(), c.id));
        v
    }
}

/// Contacts (survivors of merges) who took part in a meeting dated within the range.
fn met_between(nb: &Notebook, from: Option<Date>, to: Option<Date>) -> HashSet<RecordId, FxBuild> {
    let mut people = People::new(nb);
    let mut met = HashSet::default();
    for m in live(nb, Kind::Meeting) {
        if Date::parse(m.text(Field::Date.key())).is_ok_and(|d| in_range(d, from, to)) {
            met.extend(participant_ids(m).map(|p| people.resolve(p).0));
        }
    }
    met
}

// ---------------------------------------------------------------------------------------------------
// Dropdown values
// ---------------------------------------------------------------------------------------------------

fn distinct(nb: &Notebook, contact: Field, meeting: Field) -> Vec<String> {
    let mut t = Tally::default();
    for r in nb.records().filter(|r| !r.is_deleted()) {
        let f = match r.kind {
            Kind::Contact => contact,
            Kind::Meeting => meeting,
            Kind::Action => continue,
        };
        match r.get(f.key()) {
            Some(crate::schema::Value::Text(s)) => t.add(s),
            Some(crate::schema::Value::List(l)) => l.iter().for_each(|s| t.add(s)),
            _ => {}
        }
    }
    t.spellings().into_iter().map(|(_, s, _)| s).collect()
}

/// Every nation in the notebook (contacts' nation, meetings' nations), each once (folded), in its most
/// used spelling, in folded order: the choices of the nation filter.
pub fn nations(nb: &Notebook) -> Vec<String> {
    distinct(nb, Field::Nation, Field::Nations)
}

/// Every organisation in the notebook (contacts' organisation, meetings' organisations), as [`nations`].
pub fn organisations(nb: &Notebook) -> Vec<String> {
    distinct(nb, Field::Organisation, Field::Organisations)
}

/// Every tag on contacts and meetings, as [`nations`].
pub fn tags(nb: &Notebook) -> Vec<String> {
    distinct(nb, Field::Tags, Field::Tags)
}

/// Every marking label on contacts and meetings, as [`nations`].
pub fn markings(nb: &Notebook) -> Vec<String> {
    distinct(nb, Field::Marking, Field::Marking)
}

// ---------------------------------------------------------------------------------------------------
// Dashboard
// ---------------------------------------------------------------------------------------------------

/// Follow-ups due within this many days from today (today included) are "upcoming".
pub const UPCOMING_DAYS: i64 = 14;
/// How many recent meetings the dashboard lists.
pub const RECENT_MEETINGS: usize = 5;
/// The window of the per-nation chart, in days ending today.
pub const NATION_WINDOW_DAYS: i64 = 90;
/// A contact not met for this many days is listed as not met.
pub const NOT_MET_DAYS: i64 = 180;

/// How many meetings involved one nation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NationCount {
    /// The nation, in its most used spelling among the counted meetings.
    pub nation: String,
    /// Meetings that involved it.
    pub meetings: usize,
}

/// A contact not met for a while.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotMet {
    /// The contact.
    pub contact: Contact,
    /// The date of the last meeting with them, or `None` if never met.
    pub last_met: Option<Date>,
    /// Days since then (or, if never met, since the contact was created).
    pub days: i64,
}

/// Everything the start screen shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dashboard {
    /// Open follow-ups past their due date, oldest due first.
    pub overdue: Vec<FollowUp>,
    /// Open follow-ups due today or within [`UPCOMING_DAYS`], soonest first.
    pub upcoming: Vec<FollowUp>,
    /// The last [`RECENT_MEETINGS`] meetings on or before today, newest first.
    pub recent_meetings: Vec<Meeting>,
    /// Meetings per nation over the last [`NATION_WINDOW_DAYS`] days, most first.
    pub meetings_per_nation: Vec<NationCount>,
    /// Contacts not met in [`NOT_MET_DAYS`] days.
    pub not_met: Vec<NotMet>,
}

/// The dashboard as of `today`, with the default windows. Reads the meetings once for all three of
/// their lists.
pub fn dashboard(nb: &Notebook, today: Date) -> Dashboard {
    let (overdue, upcoming) = follow_ups(nb, today, UPCOMING_DAYS);
    let mut pass = MeetingPass::run(nb, today, Some(RECENT_MEETINGS), Some(NATION_WINDOW_DAYS), true);
    let not_met = not_met_of(nb, today, NOT_MET_DAYS, &pass.last_met);
    let meetings_per_nation = per_nation_of(std::mem::take(&mut pass.nations));
    Dashboard { overdue, upcoming, recent_meetings: pass.recent(), meetings_per_nation, not_met }
}

type RecentKey<'a> = (Date, &'a str, Option<&'a crate::crdt::clock::Stamp>, RecordId);

/// One reading of every live meeting dated on or before today, gathering what the dashboard's
/// meeting lists need.
struct MeetingPass<'a> {
    /// Every meeting on or before today, with its sort key (when recent meetings are wanted).
    dated: Vec<(RecentKey<'a>, &'a Record)>,
    recent: usize,
    /// Nations of the meetings in the window (when wanted).
    nations: Tally<'a>,
    /// The last meeting date of each contact (merge survivors), when wanted.
    last_met: HashMap<RecordId, Date, FxBuild>,
}

impl<'a> MeetingPass<'a> {
    fn run(nb: &'a Notebook, today: Date, recent: Option<usize>, window: Option<i64>, last_met: bool) -> Self {
        let from = window.map(|days| window_start(today, days));
        let mut people = People::new(nb);
        let mut pass = MeetingPass {
            dated: Vec::new(),
            recent: recent.unwrap_or(0),
            nations: Tally::default(),
            last_met: HashMap::default(),
        };
        for r in live(nb, Kind::Meeting) {
            let Some(d) = Date::parse(r.text(Field::Date.key())).ok().filter(|d| *d <= today) else { continue };
            if recent.is_some() {
                pass.dated.push(((d, r.text(Field::Start.key()), r.created(), r.id), r));
            }
            if from.is_some_and(|from| d >= from) {
                let participants = people.of(participant_ids(r));
                for n in involved(&mut pass.nations, r.list(Field::Nations.key()), &participants, Field::Nation) {
                    pass.nations.add(n);
                }
            }
            if last_met {
                for p in participant_ids(r) {
                    let (c, _) = people.resolve(p);
                    let e = pass.last_met.entry(c).or_insert(d);
                    *e = (*e).max(d);
                }
            }
        }
        pass
    }

    /// The newest `recent` meetings, newest first.
    fn recent(mut self) -> Vec<Meeting> {
        let n = self.recent;
        let newest_first = |a: &(RecentKey<'_>, &Record), b: &(RecentKey<'_>, &Record)| b.0.cmp(&a.0);
        if n > 0 && self.dated.len() > n {
            self.dated.select_nth_unstable_by(n - 1, newest_first);
        }
        self.dated.truncate(n);
        self.dated.sort_by(newest_first);
        self.dated.into_iter().map(|(_, r)| Meeting::from_record(r)).collect()
    }
}

fn add_days(d: Date, days: i64) -> Date {
    Date::from_days_since_epoch(d.days_since_epoch() + days)
}

/// The first day of the `days` days that end with `today`.
pub fn window_start(today: Date, days: i64) -> Date {
    add_days(today, 1 - days.max(1))
}

/// Open actions of live meetings, due before today (overdue) and due from today to `days` days on
/// (upcoming), each list by due date, as [`Notebook::open_follow_ups`] orders them. Only the actions
/// shown are made into views.
fn follow_ups(nb: &Notebook, today: Date, days: i64) -> (Vec<FollowUp>, Vec<FollowUp>) {
    let last = add_days(today, days.max(0));
    let mut found: Vec<(Date, RecordId, &Record, &Record)> = Vec::new();
    for a in live(nb, Kind::Action) {
        if a.flag(Field::Done.key()) {
            continue;
        }
        let Ok(due) = Date::parse(a.text(Field::Due.key())) else { continue };
        if due > last {
            continue;
        }
        let meeting = a
            .text(Field::Meeting.key())
            .parse::<RecordId>()
            .ok()
            .and_then(|m| nb.record(m))
            .filter(|m| m.kind == Kind::Meeting && !m.is_deleted());
        if let Some(m) = meeting {
            found.push((due, a.id, a, m));
        }
    }
    found.sort_by_key(|(due, id, _, _)| (*due, *id));
    let view = |(due, _, a, m): (Date, RecordId, &Record, &Record)| FollowUp {
        action: Action::from_record(a),
        meeting: Meeting::from_record(m),
        overdue: due < today,
    };
    let (overdue, upcoming): (Vec<_>, Vec<_>) = found.into_iter().partition(|f| f.0 < today);
    (overdue.into_iter().map(view).collect(), upcoming.into_iter().map(view).collect())
}

/// Open follow-ups (of live meetings) due before `today`, oldest due first.
pub fn overdue_follow_ups(nb: &Notebook, today: Date) -> Vec<FollowUp> {
    follow_ups(nb, today, 0).0
}

/// Open follow-ups due from `today` to `days` days after it, both included, soonest first.
pub fn upcoming_follow_ups(nb: &Notebook, today: Date, days: i64) -> Vec<FollowUp> {
    follow_ups(nb, today, days).1
}

/// The last `n` meetings dated on or before `today`, newest first (by date, start, then creation).
/// Undated meetings and meetings still to come are left out.
pub fn recent_meetings(nb: &Notebook, today: Date, n: usize) -> Vec<Meeting> {
    MeetingPass::run(nb, today, Some(n), None, false).recent()
}

/// How many meetings dated in the last `days` days (ending today) involved each nation (see the module
/// documentation: the meeting's nations and its participants' nations, each nation once per meeting).
/// Most meetings first, then by nation.
pub fn meetings_per_nation(nb: &Notebook, today: Date, days: i64) -> Vec<NationCount> {
    per_nation_of(MeetingPass::run(nb, today, None, Some(days), false).nations)
}

fn per_nation_of(tally: Tally<'_>) -> Vec<NationCount> {
    let mut counts: Vec<(String, NationCount)> =
        tally.spellings().into_iter().map(|(key, nation, meetings)| (key, NationCount { nation, meetings })).collect();
    counts.sort_by(|a, b| b.1.meetings.cmp(&a.1.meetings).then_with(|| a.0.cmp(&b.0)));
    counts.into_iter().map(|(_, c)| c).collect()
}

/// Live contacts with no meeting in the last `days` days (ending today), as the module documentation
/// defines: met ones first, longest silence first, then never-met ones created at least `days` days
/// ago, oldest first.
pub fn contacts_not_met(nb: &Notebook, today: Date, days: i64) -> Vec<NotMet> {
    not_met_of(nb, today, days, &MeetingPass::run(nb, today, None, None, true).last_met)
}

fn not_met_of(nb: &Notebook, today: Date, days: i64, last: &HashMap<RecordId, Date, FxBuild>) -> Vec<NotMet> {
    let start = window_start(today, days);
    let mut out: Vec<(bool, Date, String, RecordId, &Record)> = Vec::new();
    for r in live(nb, Kind::Contact) {
        if !r.text(Field::MergedInto.key()).is_empty() {
            continue;
        }
        let (since, never) = match last.get(&r.id) {
            Some(d) if *d >= start => continue,
            Some(d) => (*d, false),
            None => {
                let Some(created) = r.created() else { continue };
                let day = Date::from_days_since_epoch((created.wall_ms / 86_400_000) as i64);
                if day >= start {
                    continue;
                }
                (day, true)
            }
        };
        out.push((never, since, text::key(r.text(Field::Name.key())), r.id, r));
    }
    out.sort_by(|a, b| (a.0, a.1, &a.2, a.3).cmp(&(b.0, b.1, &b.2, b.3)));
    out.into_iter()
        .map(|(never, since, _, _, r)| NotMet {
            contact: Contact::from_record(r),
            last_met: (!never).then_some(since),
            days: since.days_until(today),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn query_strings_are_encoded_and_pairs_are_not() {
        let f = MeetingFilter {
            nation: Some("Österreich".into()),
            marking: Some("REL TO AUT, CHE".into()),
            from: Date::parse("2026-01-01").ok(),
            ..Default::default()
        };
        assert_eq!(f.to_query_string(), "nation=%C3%96sterreich&marking=REL%20TO%20AUT%2C%20CHE&from=2026-01-01");
        assert_eq!(f.to_query_pairs()[1], ("marking".to_string(), "REL TO AUT, CHE".to_string()));
        assert_eq!(MeetingFilter::default().to_query_string(), "");
    }

    #[test]
    fn bad_or_repeated_parameters_are_ignored_or_take_the_first() {
        let f = ContactFilter::from_query_pairs(&pairs(&[
            ("from", "yesterday"),
            ("to", "2026-02-30"),
            ("tag", "  "),
            ("nation", "AUT"),
            ("nation", "CHE"),
            ("utm_source", "x"),
        ]));
        assert_eq!(f, ContactFilter { nation: Some("AUT".into()), ..Default::default() });
        assert!(ContactFilter::from_query_pairs(&[]).is_empty());
    }

    #[test]
    fn window_start_counts_today_as_the_first_day() {
        let today = Date::parse("2026-03-31").unwrap();
        assert_eq!(window_start(today, 1), today);
        assert_eq!(window_start(today, 90), Date::parse("2026-01-01").unwrap());
    }
}
