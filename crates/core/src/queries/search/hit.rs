//! Search results, and making a hit from the notebook's current text: its title, detail line,
//! snippet and highlights.

use std::ops::Range;

use super::describe::{describe, Doc};
use super::words::{marks, merge_ranges, occurrences, Mapped, Word};
use crate::crdt::id::RecordId;
use crate::date::human_date;
use crate::model::{Action, Contact, Meeting};
use crate::notebook::Notebook;
use crate::schema::{Field, Kind};

/// The longest snippet, in characters, not counting the "…" marks around it.
pub const SNIPPET_CHARS: usize = 120;

/// How many characters of context a snippet shows before the match, at most.
const CONTEXT_BEFORE: usize = 40;

/// How far a snippet's edge moves, at most, to start or end at a space instead of inside a word.
const EDGE_SLACK: usize = 12;

/// One search result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The record found.
    pub id: RecordId,
    /// Its kind.
    pub kind: Kind,
    /// What to show as the result's title: a contact's name, a meeting's title, an action's text (never
    /// blank: "Unnamed contact", "Untitled meeting", "Untitled action").
    pub title: String,
    /// Where the query's words occur in `title`, as byte ranges into `title` (none in a stand-in title).
    pub title_highlights: Vec<Range<usize>>,
    /// A second line: a contact's title, organisation and nation; a meeting's date and location; an
    /// action's meeting, due date, and "done" when it is.
    pub detail: String,
    /// The field where the best match is. When it is the title's own field (`Name`, meeting `Title`,
    /// action `Text`), `snippet` repeats the title and the UI may leave it out.
    pub field: Field,
    /// That field's text around the match: at most [`SNIPPET_CHARS`] characters, with "…" where it was
    /// cut, and line breaks and tabs shown as spaces. For a list field, the matching item only.
    pub snippet: String,
    /// Where the query's words occur in `snippet`, as byte ranges into `snippet` (an occurrence cut by
    /// the snippet's edge is not marked).
    pub highlights: Vec<Range<usize>>,
    /// For an action: the meeting it belongs to, which is what Enter opens.
    pub meeting: Option<RecordId>,
}

/// The results of one kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Group {
    /// The best hits, best first, at most the limit asked for.
    pub hits: Vec<Hit>,
    /// How many records of this kind match in all (for "and 37 more").
    pub total: usize,
}

/// Search results, grouped by kind. The UI shows the groups in this order: contacts, meetings, actions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Results {
    /// Contacts found.
    pub contacts: Group,
    /// Meetings found.
    pub meetings: Group,
    /// Follow-up actions found.
    pub actions: Group,
}

impl Results {
    /// Whether nothing matched.
    pub fn is_empty(&self) -> bool {
        self.contacts.total == 0 && self.meetings.total == 0 && self.actions.total == 0
    }

    /// Every hit in display order (contacts, meetings, actions), for moving through them with the arrow
    /// keys.
    pub fn hits(&self) -> impl Iterator<Item = &Hit> {
        self.contacts.hits.iter().chain(&self.meetings.hits).chain(&self.actions.hits)
    }
}

fn join_parts(parts: &[&str]) -> String {
    parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" · ")
}

pub(super) fn hit(nb: &Notebook, kind: Kind, id: RecordId, words: &[Word]) -> Option<Hit> {
    let r = nb.record(id).filter(|r| r.kind == kind && !r.is_deleted())?;
    let d = describe(nb, r);
    let doc = Doc::new(&d.pieces);
    let scored = doc.score(words)?;
    let k = doc.seg_of(scored.at.start);
    let piece = d.pieces.get(k)?;
    let base = doc.segs[k].start as usize;
    let (snippet, highlights) = snippet(&piece.text, scored.at.start - base..scored.at.end - base, words);
    let (title, main, detail, meeting) = match kind {
        Kind::Contact => {
            let c = Contact::from_record(r);
            (c.display_name(), c.name.clone(), c.subtitle(), None)
        }
        Kind::Meeting => {
            let m = Meeting::from_record(r);
            (m.display_title(), m.title.clone(), join_parts(&[&human_date(&m.date), &m.location]), None)
        }
        Kind::Action => {
            let a = Action::from_record(r);
            let meeting_title = a.meeting.and_then(|m| nb.meeting(m)).map(|m| m.display_title()).unwrap_or_default();
            let due = if a.due.trim().is_empty() { String::new() } else { format!("due {}", human_date(&a.due)) };
            let done = if a.done { "done" } else { "" };
            (a.display_text(), a.text.clone(), join_parts(&[&meeting_title, &due, done]), a.meeting)
        }
    };
    // A stand-in title ("Unnamed contact") is not the record's text: nothing in it is marked.
    let title_highlights = if main.trim().is_empty() { Vec::new() } else { marks(&title, words) };
    Some(Hit { id, kind, title, title_highlights, detail, field: piece.field, snippet, highlights, meeting })
}

/// Moves `i` (a char index) to a nearby word edge: forward to just after a space when `forward`,
/// otherwise back to a space, within [`EDGE_SLACK`] characters; else leaves it.
fn snap(chars: &[(usize, char)], i: usize, forward: bool, limit: usize) -> usize {
    if forward {
        (i..(i + EDGE_SLACK).min(limit)).find(|&j| j > 0 && chars[j - 1].1.is_whitespace()).unwrap_or(i)
    } else {
        (limit.max(i.saturating_sub(EDGE_SLACK))..=i)
            .rev()
            .find(|&j| j < chars.len() && chars[j].1.is_whitespace())
            .unwrap_or(i)
    }
}

/// A bounded piece of `text` around the folded match `at`, and the query's highlights in it.
fn snippet(text: &str, at: Range<usize>, words: &[Word]) -> (String, Vec<Range<usize>>) {
    let mapped = Mapped::new(text);
    let ranges: Vec<Range<usize>> = occurrences(&mapped.folded, words).map(|r| mapped.original(r)).collect();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    let byte_of = |i: usize| chars.get(i).map_or(text.len(), |c| c.0);
    let (mut from, mut to) = (0, n);
    if n > SNIPPET_CHARS {
        let bytes = mapped.original(at);
        let hit = chars.partition_point(|c| c.0 < bytes.start);
        let hit_end = chars.partition_point(|c| c.0 < bytes.end);
        from = hit.saturating_sub(CONTEXT_BEFORE).min(n - SNIPPET_CHARS);
        if from > 0 {
            from = snap(&chars, from, true, hit);
        }
        to = (from + SNIPPET_CHARS).min(n);
        if to < n {
            to = snap(&chars, to, false, hit_end);
        }
    }
    let (start, end) = (byte_of(from), byte_of(to));
    let lead = if from > 0 { "…" } else { "" };
    let tail = if to < n { "…" } else { "" };
    let body: String =
        text[start..end].chars().map(|c| if matches!(c, '\n' | '\r' | '\t') { ' ' } else { c }).collect();
    let snippet = format!("{lead}{body}{tail}");
    let shift = lead.len();
    let highlights = merge_ranges(
        ranges
            .into_iter()
            .filter(|r| r.start >= start && r.end <= end)
            .map(|r| r.start - start + shift..r.end - start + shift)
            .collect(),
    );
    (snippet, highlights)
}
