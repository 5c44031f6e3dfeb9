//! What the filters, the dropdowns and the dashboard share: participants resolved through merges, and
//! values compared and counted folded, each worked out once per call.

use std::collections::{BTreeMap, HashMap};

use crate::crdt::id::RecordId;
use crate::crdt::record::Record;
use crate::date::Date;
use crate::notebook::Notebook;
use crate::schema::{Field, Kind};
use crate::text::{self, FxBuild};

pub(super) fn participant_ids(r: &Record) -> impl Iterator<Item = RecordId> + '_ {
    r.list(Field::Participants.key()).iter().filter_map(|p| p.parse().ok())
}

/// Every live meeting dated on or before `today`, with its date: what each meeting list of the
/// dashboard and "Last met" read.
pub(super) fn held_meetings(nb: &Notebook, today: Date) -> Vec<(Date, &Record)> {
    nb.alive(Kind::Meeting)
        .filter_map(|r| Date::parse(r.text(Field::Date.key())).ok().filter(|d| *d <= today).map(|d| (d, r)))
        .collect()
}

/// The newest date among `meetings` of each live contact that took part in one, keyed by the contact's
/// id now (the survivor of merged duplicates): "Last met" on the contacts list and the dashboard's
/// "not met" card. The caller picks the meetings (dated, on or before today).
pub(super) fn last_met_in<'a>(
    people: &mut People<'a>,
    meetings: impl IntoIterator<Item = (Date, &'a Record)>,
) -> HashMap<RecordId, Date, FxBuild> {
    let mut last: HashMap<RecordId, Date, FxBuild> = HashMap::default();
    for (d, r) in meetings {
        for p in participant_ids(r) {
            if let (id, Some(_)) = people.resolve(p) {
                let e = last.entry(id).or_insert(d);
                *e = (*e).max(d);
            }
        }
    }
    last
}

/// Resolves participant ids (through merge redirects) to live contact records, remembering each
/// answer: most contacts take part in many meetings.
pub(super) struct People<'a> {
    nb: &'a Notebook,
    cache: HashMap<RecordId, (RecordId, Option<&'a Record>), FxBuild>,
}

impl<'a> People<'a> {
    pub(super) fn new(nb: &'a Notebook) -> Self {
        People { nb, cache: HashMap::default() }
    }

    /// The contact `p` stands for now (the survivor of merges), and its record if it is live.
    pub(super) fn resolve(&mut self, p: RecordId) -> (RecordId, Option<&'a Record>) {
        if let Some(found) = self.cache.get(&p) {
            return *found;
        }
        let id = self.nb.resolve_contact(p);
        let record = self.nb.record(id).filter(|r| r.kind == Kind::Contact && !r.is_deleted());
        self.cache.insert(p, (id, record));
        (id, record)
    }

    /// Participants as live contact records, each once.
    pub(super) fn of(&mut self, ids: impl Iterator<Item = RecordId>) -> Vec<&'a Record> {
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
pub(super) struct Wanted<'a> {
    key: String,
    seen: HashMap<&'a str, bool, FxBuild>,
}

impl<'a> Wanted<'a> {
    pub(super) fn new(wanted: &Option<String>) -> Option<Self> {
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
pub(super) fn wants<'a>(wanted: &mut Option<Wanted<'a>>, value: &'a str) -> bool {
    wanted.as_mut().is_none_or(|w| w.is(value))
}

/// Whether `wanted` (when set) is one of `values`.
pub(super) fn wants_any<'a>(wanted: &mut Option<Wanted<'a>>, mut values: impl Iterator<Item = &'a str>) -> bool {
    wanted.as_mut().is_none_or(|w| values.any(|v| w.is(v)))
}

/// Spellings grouped by their folded key, each key worked out once per spelling.
#[derive(Default)]
pub(super) struct Tally<'a> {
    keys: HashMap<&'a str, String, FxBuild>,
    counts: BTreeMap<String, BTreeMap<&'a str, usize>>,
}

impl<'a> Tally<'a> {
    fn key(&mut self, spelling: &'a str) -> &str {
        self.keys.entry(spelling).or_insert_with(|| text::key(spelling))
    }

    pub(super) fn add(&mut self, v: &'a str) {
        let v = v.trim();
        if v.is_empty() {
            return;
        }
        let key = self.key(v).to_string();
        *self.counts.entry(key).or_default().entry(v).or_default() += 1;
    }

    /// Per key, in key order: the key, its most used spelling (ties: the first in code point order),
    /// and how many were counted.
    pub(super) fn spellings(self) -> Vec<(String, String, usize)> {
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
pub(super) fn involved<'a>(
    tally: &mut Tally<'a>,
    listed: &'a [String],
    people: &[&'a Record],
    field: Field,
) -> Vec<&'a str> {
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
