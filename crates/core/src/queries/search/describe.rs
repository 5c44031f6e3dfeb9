//! What is indexed: a record's searchable pieces, and the reference scan of their text that finds a
//! shown hit's best match (and that the tests hold the index to).

use std::borrow::Cow;
use std::ops::Range;

use super::words::{at_word_start, Word, AT_FIELD_START, AT_WORD_START, INSIDE_WORD, TIERS};
use crate::crdt::id::RecordId;
use crate::crdt::record::Record;
use crate::date::Date;
use crate::notebook::Notebook;
use crate::schema::{Field, Kind};
use crate::text::fold_into;

/// One searchable piece of a record: a field, or one item of a list field.
pub(super) struct Piece<'a> {
    pub(super) field: Field,
    pub(super) tier: u8,
    pub(super) text: Cow<'a, str>,
}

/// A record's searchable pieces, best tier first, and the records its indexed text depends on.
pub(super) struct Described<'a> {
    pub(super) pieces: Vec<Piece<'a>>,
    /// Meetings: every contact id on the redirect chains of its participants. Actions: the meeting.
    pub(super) links: Vec<RecordId>,
    /// The kind's tie-break, smaller first (see the documentation of `queries::search`).
    pub(super) order: i64,
}

fn push_piece<'a>(pieces: &mut Vec<Piece<'a>>, field: Field, tier: u8, text: &'a str) {
    if !text.trim().is_empty() {
        pieces.push(Piece { field, tier, text: Cow::Borrowed(text) });
    }
}

fn push_unique(ids: &mut Vec<RecordId>, id: RecordId) {
    if !ids.contains(&id) {
        ids.push(id);
    }
}

/// The names of a meeting's participants as the notebook shows them (redirects followed, each contact
/// once, deleted ones left out), and every id their redirect chains pass through.
fn participant_names<'a>(nb: &'a Notebook, r: &'a Record, links: &mut Vec<RecordId>) -> Vec<&'a str> {
    let mut shown: Vec<RecordId> = Vec::new();
    let mut names = Vec::new();
    for p in r.list(Field::Participants.key()).iter().filter_map(|s| s.parse::<RecordId>().ok()) {
        for id in nb.redirect_chain(p) {
            push_unique(links, id);
        }
        let resolved = nb.resolve_contact(p);
        if shown.contains(&resolved) {
            continue;
        }
        shown.push(resolved);
        if let Some(c) = nb.record(resolved).filter(|c| c.kind == Kind::Contact && !c.is_deleted()) {
            names.push(c.text(Field::Name.key()));
        }
    }
    names
}

fn date_days(s: &str) -> Option<i64> {
    Date::parse(s).ok().map(Date::days_since_epoch)
}

pub(super) fn describe<'a>(nb: &'a Notebook, r: &'a Record) -> Described<'a> {
    let mut pieces = Vec::new();
    let mut links = Vec::new();
    let text = |f: Field| r.text(f.key());
    let list = |f: Field| r.list(f.key());
    let order = match r.kind {
        Kind::Contact => {
            push_piece(&mut pieces, Field::Name, 0, text(Field::Name));
            for f in [Field::Title, Field::Organisation, Field::Nation, Field::Role] {
                push_piece(&mut pieces, f, 1, text(f));
            }
            for f in [Field::Aliases, Field::Emails, Field::Tags] {
                for item in list(f) {
                    push_piece(&mut pieces, f, 1, item);
                }
            }
            push_piece(&mut pieces, Field::Notes, 2, text(Field::Notes));
            0
        }
        Kind::Meeting => {
            push_piece(&mut pieces, Field::Title, 0, text(Field::Title));
            for name in participant_names(nb, r, &mut links) {
                push_piece(&mut pieces, Field::Participants, 1, name);
            }
            for f in [Field::Attendees, Field::Organisations, Field::Nations] {
                for item in list(f) {
                    push_piece(&mut pieces, f, 1, item);
                }
            }
            push_piece(&mut pieces, Field::Location, 1, text(Field::Location));
            for item in list(Field::Tags) {
                push_piece(&mut pieces, Field::Tags, 1, item);
            }
            for f in [Field::Agenda, Field::Notes, Field::Decisions] {
                push_piece(&mut pieces, f, 2, text(f));
            }
            date_days(text(Field::Date)).map_or(i64::MAX, |d| -d)
        }
        Kind::Action => {
            push_piece(&mut pieces, Field::Text, 0, text(Field::Text));
            push_piece(&mut pieces, Field::Owner, 1, text(Field::Owner));
            if let Ok(m) = text(Field::Meeting).parse::<RecordId>() {
                links.push(m);
            }
            let due = date_days(text(Field::Due)).unwrap_or(i64::from(i32::MAX));
            (if r.flag(Field::Done.key()) { 1 << 40 } else { 0 }) + due
        }
    };
    Described { pieces, links, order }
}

/// Where one piece starts in a record's folded text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Seg {
    pub(super) start: u32,
    field: Field,
    tier: u8,
}

/// A record's pieces folded and joined by newlines (a word never holds a space, so no match crosses
/// two pieces), and where each piece starts. Made for the few records a search shows, to find the best
/// match and its field; the index itself keeps tokens, not text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Doc {
    text: String,
    pub(super) segs: Vec<Seg>,
}

impl Doc {
    pub(super) fn new(pieces: &[Piece<'_>]) -> Doc {
        let mut text = String::new();
        let mut segs = Vec::with_capacity(pieces.len());
        for p in pieces {
            if !text.is_empty() {
                text.push('\n');
            }
            let start = u32::try_from(text.len()).unwrap_or(u32::MAX);
            segs.push(Seg { start, field: p.field, tier: p.tier });
            fold_into(&p.text, &mut text);
        }
        Doc { text, segs }
    }

    pub(super) fn seg_of(&self, pos: usize) -> usize {
        self.segs.partition_point(|s| s.start as usize <= pos).saturating_sub(1)
    }

    /// How well every word matches, or `None` if some word is missing: the same score the index
    /// computes from its tokens, and the folded offset of the best occurrence of all.
    pub(super) fn score(&self, words: &[Word]) -> Option<Scored> {
        let text = self.text.as_str();
        let mut total = 0u32;
        let mut best: Option<(u8, u8, usize, usize)> = None;
        for w in words {
            let mut found: Option<(u8, u8, usize, usize)> = None;
            let mut from = 0;
            let step = w.text.chars().next().map_or(1, char::len_utf8);
            while let Some(i) = text.get(from..).and_then(|rest| rest.find(w.text.as_str())) {
                let at = from + i;
                let k = self.seg_of(at);
                let seg = self.segs[k];
                let place = if text[seg.start as usize..at].chars().all(char::is_whitespace) {
                    AT_FIELD_START
                } else if at_word_start(text, at) {
                    AT_WORD_START
                } else {
                    INSIDE_WORD
                };
                if place == INSIDE_WORD && !w.anywhere {
                    from = at + step;
                    continue;
                }
                if found.is_none_or(|f| (seg.tier, place) < (f.0, f.1)) {
                    found = Some((seg.tier, place, at, w.text.len()));
                }
                let (tier, best_place, _, _) = found.unwrap_or((seg.tier, place, at, 0));
                // Pieces come in tier order, so nothing later beats the start of a piece; within a piece,
                // nothing after a word start beats it; and no piece of a worse tier beats anything found.
                if best_place == AT_FIELD_START {
                    break;
                }
                from = if place == AT_WORD_START {
                    self.segs.get(k + 1).map_or(text.len(), |s| s.start as usize)
                } else {
                    at + step
                };
                if from >= text.len() || self.segs[self.seg_of(from)].tier > tier {
                    break;
                }
            }
            let f = found?;
            total += u32::from(f.0) * TIERS + u32::from(f.1);
            if best.is_none_or(|b| (f.0, f.1, f.2) < (b.0, b.1, b.2)) {
                best = Some(f);
            }
        }
        best.map(|(_, _, at, len)| Scored { score: total, at: at..at + len })
    }
}

pub(super) struct Scored {
    /// Equal to the index's score for the record (checked by the tests).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) score: u32,
    /// The folded byte range of the best occurrence.
    pub(super) at: Range<usize>,
}
