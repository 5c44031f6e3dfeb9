//! The one filter of the meetings and contacts lists, as it lives in the URL.

use std::collections::HashSet;

use super::shared::{participant_ids, wants, wants_any, People, Wanted};
use crate::crdt::id::RecordId;
use crate::crdt::record::Record;
use crate::date::Date;
use crate::model::{Contact, Meeting};
use crate::notebook::Notebook;
use crate::schema::{Field, Kind};
use crate::text::{percent_encode, FxBuild};

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
    /// Every name above: what the filter bar owns of a URL, so it keeps the rest (a sort order).
    pub const ALL: [&str; 6] = [NATION, ORGANISATION, TAG, MARKING, FROM, TO];
}

/// URL parameters as a query string, percent-encoded (RFC 3986), without the leading `?`: "" for none.
pub fn query_string(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k, b""), percent_encode(v, b"")))
        .collect::<Vec<_>>()
        .join("&")
}

/// The filter of the meetings list ([`ListFilter::meetings`]) and of the contacts list
/// ([`ListFilter::contacts`]): both lists take the same parameters. Every value set must match (AND).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// A contact's nation; for a meeting, a nation involved: listed on it or a participant's nation.
    pub nation: Option<String>,
    /// A contact's organisation; for a meeting, an organisation involved: listed on it or a
    /// participant's organisation.
    pub organisation: Option<String>,
    /// One of the contact's or meeting's tags.
    pub tag: Option<String>,
    /// The contact's or meeting's marking label.
    pub marking: Option<String>,
    /// Meetings on or after this date; contacts met on or after it (in a meeting with a valid date).
    pub from: Option<Date>,
    /// Meetings on or before this date; contacts met on or before it.
    pub to: Option<Date>,
}

impl ListFilter {
    /// Whether nothing is filtered.
    pub fn is_empty(&self) -> bool {
        *self == ListFilter::default()
    }

    /// The filter as URL parameters, unencoded, in a stable order: `nation`, `org`, `tag`, `marking`,
    /// `from`, `to` (dates as `YYYY-MM-DD`); unset values are left out.
    pub fn to_query_pairs(&self) -> Vec<(String, String)> {
        let texts = [
            (param::NATION, &self.nation),
            (param::ORGANISATION, &self.organisation),
            (param::TAG, &self.tag),
            (param::MARKING, &self.marking),
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

    /// The filter as a query string, percent-encoded (RFC 3986), without the leading `?`: "" when
    /// nothing is filtered.
    pub fn to_query_string(&self) -> String {
        query_string(&self.to_query_pairs())
    }

    /// The filter from decoded URL parameters. Unknown names, blank values and dates that do not parse
    /// are ignored; when a name is repeated, the first value counts (as `URLSearchParams.get` does).
    /// Never fails: a URL is data from outside.
    pub fn from_query_pairs(pairs: &[(String, String)]) -> Self {
        ListFilter {
            nation: first_text(pairs, param::NATION),
            organisation: first_text(pairs, param::ORGANISATION),
            tag: first_text(pairs, param::TAG),
            marking: first_text(pairs, param::MARKING),
            from: first_date(pairs, param::FROM),
            to: first_date(pairs, param::TO),
        }
    }

    /// The meetings that pass, newest first (the order of [`Notebook::meetings`]). Works on the records
    /// and makes a view only of those that pass.
    pub fn meetings(&self, nb: &Notebook) -> Vec<Meeting> {
        self.meeting_ids(nb).into_iter().filter_map(|id| nb.meeting(id)).collect()
    }

    /// The ids of [`ListFilter::meetings`], in its order, without making a view of any: what a list that
    /// renders only the rows on the screen needs of 100,000 meetings.
    pub fn meeting_ids(&self, nb: &Notebook) -> Vec<RecordId> {
        let mut matcher = MeetingMatcher::new(self, nb);
        let mut v: Vec<&Record> = nb.alive(Kind::Meeting).filter(|r| matcher.matches(r)).collect();
        // `Meeting::chronology`, read from the record.
        v.sort_by_cached_key(|r| {
            std::cmp::Reverse((r.text(Field::Date.key()), r.text(Field::Start.key()), r.created()))
        });
        v.into_iter().map(|r| r.id).collect()
    }

    /// The contacts that pass, by name (the order of [`Notebook::contacts`]). Works on the records and
    /// makes a view only of those that pass.
    pub fn contacts(&self, nb: &Notebook) -> Vec<Contact> {
        self.contact_ids(nb).into_iter().filter_map(|id| nb.contact(id)).collect()
    }

    /// The ids of [`ListFilter::contacts`], in its order, without making a view of any.
    pub fn contact_ids(&self, nb: &Notebook) -> Vec<RecordId> {
        let met = (self.from.is_some() || self.to.is_some()).then(|| met_between(nb, self.from, self.to));
        let (mut nation, mut organisation, mut tag, mut marking) = (
            Wanted::new(&self.nation),
            Wanted::new(&self.organisation),
            Wanted::new(&self.tag),
            Wanted::new(&self.marking),
        );
        let mut v: Vec<&Record> = nb
            .alive(Kind::Contact)
            .filter(|r| met.as_ref().is_none_or(|met| met.contains(&r.id)))
            .filter(|r| {
                wants(&mut nation, r.text(Field::Nation.key()))
                    && wants(&mut organisation, r.text(Field::Organisation.key()))
                    && wants(&mut marking, r.text(Field::Marking.key()))
                    && wants_any(&mut tag, r.list(Field::Tags.key()).iter().map(String::as_str))
            })
            .collect();
        // `Contact::sort_key`, read from the record.
        v.sort_by_cached_key(|r| (r.text(Field::Name.key()).trim().to_lowercase(), r.id));
        v.into_iter().map(|r| r.id).collect()
    }
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

/// A meeting filter at work: its wanted values, and what it has learnt about spellings and people.
pub(super) struct MeetingMatcher<'a> {
    nation: Option<Wanted<'a>>,
    organisation: Option<Wanted<'a>>,
    tag: Option<Wanted<'a>>,
    marking: Option<Wanted<'a>>,
    from: Option<Date>,
    to: Option<Date>,
    people: People<'a>,
}

impl<'a> MeetingMatcher<'a> {
    pub(super) fn new(f: &ListFilter, nb: &'a Notebook) -> Self {
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

    pub(super) fn matches(&mut self, r: &'a Record) -> bool {
        if (self.from.is_some() || self.to.is_some())
            && !Date::parse(r.text(Field::Date.key())).is_ok_and(|d| in_range(d, self.from, self.to))
        {
            return false;
        }
        if !wants(&mut self.marking, r.text(Field::Marking.key()))
            || !wants_any(&mut self.tag, r.list(Field::Tags.key()).iter().map(String::as_str))
        {
            return false;
        }
        if self.nation.is_none() && self.organisation.is_none() {
            return true;
        }
        let people = self.people.of(participant_ids(r));
        let involved = |listed: Field, own: Field| {
            r.list(listed.key()).iter().map(String::as_str).chain(people.iter().map(move |p| p.text(own.key())))
        };
        wants_any(&mut self.nation, involved(Field::Nations, Field::Nation))
            && wants_any(&mut self.organisation, involved(Field::Organisations, Field::Organisation))
    }
}

/// Contacts (survivors of merges) who took part in a meeting dated within the range.
fn met_between(nb: &Notebook, from: Option<Date>, to: Option<Date>) -> HashSet<RecordId, FxBuild> {
    let mut people = People::new(nb);
    let mut met = HashSet::default();
    for m in nb.alive(Kind::Meeting) {
        if Date::parse(m.text(Field::Date.key())).is_ok_and(|d| in_range(d, from, to)) {
            met.extend(participant_ids(m).map(|p| people.resolve(p).0));
        }
    }
    met
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_ids_come_in_the_order_of_the_views() {
        use crate::crdt::id::DeviceId;
        use crate::schema::Value;
        let mut nb = Notebook::new(DeviceId::new_v7(0, [1; 10]));
        let text = |s: &str| Value::Text(s.into());
        for (n, (date, start, name)) in [
            ("2026-03-01", "09:00", "anna"),
            ("2026-03-01", "", "Anna"),
            ("", "10:00", " bo"),
            ("2026-03-01", "09:00", "Älva"),
        ]
        .into_iter()
        .enumerate()
        {
            let m = nb.create(Kind::Meeting, 1_000 + n as u64, [n as u8; 10]);
            nb.set(m, Field::Date, text(date), 2_000).unwrap();
            nb.set(m, Field::Start, text(start), 2_000).unwrap();
            let c = nb.create(Kind::Contact, 1_000 + n as u64, [n as u8 + 10; 10]);
            nb.set(c, Field::Name, text(name), 2_000).unwrap();
        }
        let f = ListFilter::default();
        let meetings: Vec<Option<RecordId>> = nb.meetings().iter().map(|m| m.id).collect();
        assert_eq!(f.meeting_ids(&nb).into_iter().map(Some).collect::<Vec<_>>(), meetings);
        let contacts: Vec<Option<RecordId>> = nb.contacts().iter().map(|c| c.id).collect();
        assert_eq!(f.contact_ids(&nb).into_iter().map(Some).collect::<Vec<_>>(), contacts);
    }

    #[test]
    fn query_strings_are_encoded_and_pairs_are_not() {
        let f = ListFilter {
            nation: Some("Österreich".into()),
            marking: Some("REL TO AUT, CHE".into()),
            from: Date::parse("2026-01-01").ok(),
            ..Default::default()
        };
        assert_eq!(f.to_query_string(), "nation=%C3%96sterreich&marking=REL%20TO%20AUT%2C%20CHE&from=2026-01-01");
        assert_eq!(f.to_query_pairs()[1], ("marking".to_string(), "REL TO AUT, CHE".to_string()));
        assert_eq!(ListFilter::default().to_query_string(), "");
    }

    #[test]
    fn bad_or_repeated_parameters_are_ignored_or_take_the_first() {
        let f = ListFilter::from_query_pairs(&pairs(&[
            ("from", "yesterday"),
            ("to", "2026-02-30"),
            ("tag", "  "),
            ("nation", "AUT"),
            ("nation", "CHE"),
            ("utm_source", "x"),
        ]));
        assert_eq!(f, ListFilter { nation: Some("AUT".into()), ..Default::default() });
        assert!(ListFilter::from_query_pairs(&[]).is_empty());
    }
}
