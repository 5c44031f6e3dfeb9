//! Search across contacts, meetings and actions: the index behind the "Search" box.
//!
//! # Matching
//!
//! Text is *folded* ([`fold`]): lower case, accents and other combining marks removed, compatibility
//! forms made plain, "ß" → "ss" and a few more. The query is folded the same way and split into words
//! at spaces. A record matches when every word (AND) occurs in one of its searchable fields as a
//! substring of the folded text, so partial words match and CJK text without spaces works. One
//! exception keeps the first keystroke useful: a query word that is a single letter of a script with
//! case (Latin, Greek, Cyrillic…) or a single digit matches only at the start of a word.
//!
//! # Ranking, best first, within each kind
//!
//! 1. The sum over the query words of the best place each word was found: the record's main field (a
//!    contact's name, a meeting's title, an action's text) before short fields (organisation, nation,
//!    tags, participants…) before long text (notes, agenda, decisions); within those, the start of a
//!    field before the start of a word before inside a word.
//! 2. Then, for meetings, the newest date first (undated last); for actions, open before done, then the
//!    earliest due date; for contacts, the folded name.
//! 3. Then the newest record id (ids are time-ordered), so ties always break the same way.
//!
//! # The index
//!
//! The index is an inverted index of *tokens*: the runs of folded text between spaces. A query word
//! holds no space, so any substring match lies inside one token. The index keeps every distinct token
//! once (their text end to end in one string, the vocabulary), and per token the records that hold it,
//! with the tier of the field and whether it is the field's first token. A search scans the vocabulary
//! for each word (looking for its least common byte eight bytes at a time, which needs no SIMD and is
//! as fast in wasm) and combines the postings of the tokens found. No record text is read for ranking.
//! The vocabulary of real notes is far smaller than the notes themselves, and grows slowly.
//!
//! It is updated one record at a time ([`SearchIndex::update`]), touching only the tokens that changed,
//! and never rebuilt per keystroke. A meeting is also found by its participants' names, so a contact's
//! change re-indexes the meetings that name it (through merge redirects too). An action is shown only
//! while the meeting it belongs to is live, as on the Follow-ups screen.
//!
//! Only the hits shown are read from the notebook: their titles, snippets and highlight ranges come
//! from its current text, as byte offsets into the original text (folding changes lengths: "ß" becomes
//! "ss", "é" loses its accent, so folded positions are mapped back character by character). A hit that
//! no longer matches the notebook is dropped rather than shown with a wrong highlight.

use std::borrow::Cow;
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::BuildHasherDefault;
use std::ops::Range;

use crate::crdt::id::RecordId;
use crate::crdt::record::Record;
use crate::date::{human_date, Date};
use crate::notebook::Notebook;
use crate::schema::{Field, Kind};
use crate::text::{fold, fold_char, fold_into, key, FxHasher};

/// The longest snippet, in characters, not counting the "…" marks around it.
pub const SNIPPET_CHARS: usize = 120;

/// How many characters of context a snippet shows before the match, at most.
const CONTEXT_BEFORE: usize = 40;

/// How far a snippet's edge moves, at most, to start or end at a space instead of inside a word.
const EDGE_SLACK: usize = 12;

/// How many merge redirects are followed; the notebook gives up after 16.
const MAX_CHAIN: usize = 17;

/// Where a match sits within its field: the start of the field, the start of a word, or inside a word.
const AT_FIELD_START: u8 = 0;
const AT_WORD_START: u8 = 1;
const INSIDE_WORD: u8 = 2;

/// Main field, short fields, long text: see the module documentation.
const TIERS: u32 = 3;

/// Text folded together with, for every original character, where it starts in the original and where
/// its folded form starts. A character may fold to nothing (an accent) or to several (ß).
struct Mapped {
    folded: String,
    /// (original byte offset, folded byte offset) per original character, in order.
    starts: Vec<(usize, usize)>,
    original_len: usize,
}

impl Mapped {
    fn new(original: &str) -> Mapped {
        let mut folded = String::with_capacity(original.len());
        let mut starts = Vec::with_capacity(original.len());
        for (i, c) in original.char_indices() {
            starts.push((i, folded.len()));
            fold_char(c, &mut folded);
        }
        Mapped { folded, starts, original_len: original.len() }
    }

    /// The folded end of original character `k`.
    fn folded_end(&self, k: usize) -> usize {
        self.starts.get(k + 1).map_or(self.folded.len(), |s| s.1)
    }

    /// The original byte range behind the folded byte range `range` (not empty): from the start of the
    /// character whose folded form holds the first folded byte, to the end of the character that holds
    /// the last, plus any following characters that fold to nothing (combining accents of that letter).
    fn original(&self, range: Range<usize>) -> Range<usize> {
        let first = self.starts.partition_point(|s| s.1 <= range.start).saturating_sub(1);
        let mut last = self.starts.partition_point(|s| s.1 < range.end).saturating_sub(1);
        while last + 1 < self.starts.len() && self.folded_end(last + 1) == self.starts[last + 1].1 {
            last += 1;
        }
        let end = self.starts.get(last + 1).map_or(self.original_len, |s| s.0);
        let start = self.starts.get(first).map_or(0, |s| s.0);
        start..end
    }
}

/// One folded word of a query.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Word {
    text: String,
    /// Whether the word may match inside a word. A single letter of a script written with spaces
    /// between words (Latin, Greek, Cyrillic…), or a single digit, matches only at the start of a word:
    /// the first letter typed finds "Müller" and "Martin", not every name with an "m" in it. Longer
    /// words, and single characters of scripts without spaces (CJK, Thai) or without case, match
    /// anywhere.
    anywhere: bool,
}

impl Word {
    fn new(text: &str) -> Word {
        let mut chars = text.chars();
        let anywhere = match (chars.next(), chars.next()) {
            (Some(c), None) => !(c.is_lowercase() || c.is_uppercase() || c.is_ascii_digit()),
            _ => true,
        };
        Word { text: text.to_string(), anywhere }
    }
}

/// Whether the folded byte offset `at` of `text` starts a word (nothing alphanumeric just before).
fn at_word_start(text: &str, at: usize) -> bool {
    text[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric())
}

/// The query's words, folded, each once, longest first. Splitting after folding matters: some
/// characters fold to a space ("¨" is a space and a diaeresis).
fn query_words(query: &str) -> Vec<Word> {
    let folded = fold(query);
    let mut words: Vec<&str> = folded.split_whitespace().collect();
    words.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    words.dedup();
    words.into_iter().map(Word::new).collect()
}

/// Every occurrence of every word in `folded` (overlaps allowed), as folded byte ranges.
fn occurrences<'a>(folded: &'a str, words: &'a [Word]) -> impl Iterator<Item = Range<usize>> + 'a {
    words.iter().filter(|w| !w.text.is_empty()).flat_map(move |w| {
        let step = w.text.chars().next().map_or(1, char::len_utf8);
        let mut from = 0;
        std::iter::from_fn(move || loop {
            let at = from + folded.get(from..)?.find(w.text.as_str())?;
            from = at + step;
            if w.anywhere || at_word_start(folded, at) {
                return Some(at..at + w.text.len());
            }
        })
    })
}

/// Sorts ranges and merges those that overlap or touch.
fn merge_ranges(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Where the words of `query` occur in `text`, as byte ranges into `text` itself (not into its folded
/// form), sorted and merged, each on character boundaries: what the UI wraps in `<mark>`. Matching is
/// the search's: case, accents and compatibility forms ignored, any script, and a single letter only at
/// the start of a word.
///
/// A range covers whole characters, so a word that matches half of what one character folds to (query
/// "s" in "Strauß") highlights that whole character.
pub fn highlight(text: &str, query: &str) -> Vec<Range<usize>> {
    let words = query_words(query);
    if words.is_empty() {
        return Vec::new();
    }
    let mapped = Mapped::new(text);
    merge_ranges(occurrences(&mapped.folded, &words).map(|r| mapped.original(r)).collect())
}

// ---------------------------------------------------------------------------------------------------
// What is indexed
// ---------------------------------------------------------------------------------------------------

/// One searchable piece of a record: a field, or one item of a list field.
struct Piece<'a> {
    field: Field,
    tier: u8,
    text: Cow<'a, str>,
}

/// A record's searchable pieces, best tier first, and the records its indexed text depends on.
struct Described<'a> {
    pieces: Vec<Piece<'a>>,
    /// Meetings: every contact id on the redirect chains of its participants. Actions: the meeting.
    links: Vec<RecordId>,
    /// The kind's tie-break, smaller first (see the module documentation).
    order: i64,
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
        let mut current = p;
        push_unique(links, p);
        for _ in 0..MAX_CHAIN {
            match nb.record(current).and_then(|c| c.text(Field::MergedInto.key()).parse::<RecordId>().ok()) {
                Some(next) if next != current => {
                    push_unique(links, next);
                    current = next;
                }
                _ => break,
            }
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

fn describe<'a>(nb: &'a Notebook, r: &'a Record) -> Described<'a> {
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
            for f in [Field::Emails, Field::Tags] {
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
struct Seg {
    start: u32,
    field: Field,
    tier: u8,
}

/// A record's pieces folded and joined by newlines (a word never holds a space, so no match crosses
/// two pieces), and where each piece starts. Made for the few records a search shows, to find the best
/// match and its field; the index itself keeps tokens, not text.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Doc {
    text: String,
    segs: Vec<Seg>,
}

impl Doc {
    fn new(pieces: &[Piece<'_>]) -> Doc {
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

    fn seg_of(&self, pos: usize) -> usize {
        self.segs.partition_point(|s| s.start as usize <= pos).saturating_sub(1)
    }

    /// How well every word matches, or `None` if some word is missing: the same score the index
    /// computes from its tokens, and the folded offset of the best occurrence of all.
    fn score(&self, words: &[Word]) -> Option<Scored> {
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

struct Scored {
    /// Equal to the index's score for the record (checked by the tests).
    #[cfg_attr(not(test), allow(dead_code))]
    score: u32,
    /// The folded byte range of the best occurrence.
    at: Range<usize>,
}

/// How common a byte is in folded text, roughly (higher is more common): English letter frequencies
/// for ASCII, and UTF-8 lead bytes as very common (every letter of a non-Latin script has one). The
/// scan of the vocabulary looks for a word's least common byte first.
fn commonness(b: u8) -> u8 {
    match b {
        b'e' => 255,
        b't' => 250,
        b'a' => 245,
        b'o' => 240,
        b'i' => 235,
        b'n' => 230,
        b's' => 225,
        b'r' => 220,
        b'h' => 215,
        b'l' => 210,
        b'd' => 205,
        b'c' => 200,
        b'u' => 195,
        b'm' => 190,
        b'f' => 185,
        b'p' => 180,
        b'g' => 175,
        b'w' => 170,
        b'y' => 165,
        b'b' => 160,
        b'v' => 155,
        b'k' => 150,
        b'0'..=b'9' => 130,
        b'x' => 120,
        b'j' => 110,
        b'z' => 105,
        b'q' => 100,
        0xC2..=0xF4 => 250,
        0x80..=0xBF => 140,
        _ => 90,
    }
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The index of the first zero byte of `v`, if any: the lowest high bit of the classic "has a zero
/// byte" expression is exact (only bytes above a zero byte can be flagged wrongly).
#[inline(always)]
fn first_zero_byte(v: u64) -> Option<usize> {
    let zero = v.wrapping_sub(LO) & !v & HI;
    (zero != 0).then(|| (zero.trailing_zeros() / 8) as usize)
}

// The two scans below walk `as_chunks` arrays rather than indexing or converting slices: with the
// app's size-optimised release profile (opt-level "z") those keep their checks and run up to five
// times slower.

/// The first `b` in `hay`, eight bytes at a time (no SIMD needed, so as fast in wasm).
#[inline]
fn find_byte(hay: &[u8], b: u8) -> Option<usize> {
    let pattern = LO.wrapping_mul(u64::from(b));
    let (chunks, rest) = hay.as_chunks::<8>();
    for (k, chunk) in chunks.iter().enumerate() {
        if let Some(j) = first_zero_byte(u64::from_le_bytes(*chunk) ^ pattern) {
            return Some(k * 8 + j);
        }
    }
    let tail = hay.len() - rest.len();
    rest.iter().position(|&x| x == b).map(|j| tail + j)
}

/// The first `i` with `hay[i] == a` and `hay[i + d] == b`, eight positions at a time. A pair of bytes
/// is much rarer than either byte, so common letters cost few false starts.
#[inline]
fn find_pair(hay: &[u8], a: u8, d: usize, b: u8) -> Option<usize> {
    let later = hay.get(d..)?;
    let (pa, pb) = (LO.wrapping_mul(u64::from(a)), LO.wrapping_mul(u64::from(b)));
    let (xs, _) = hay.as_chunks::<8>();
    let (ys, _) = later.as_chunks::<8>();
    let mut done = 0;
    for (k, (x, y)) in xs.iter().zip(ys).enumerate() {
        if let Some(j) = first_zero_byte((u64::from_le_bytes(*x) ^ pa) | (u64::from_le_bytes(*y) ^ pb)) {
            return Some(k * 8 + j);
        }
        done = k * 8 + 8;
    }
    hay[done..].iter().zip(&later[done..]).position(|(&x, &y)| x == a && y == b).map(|j| done + j)
}

// ---------------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------
// The index
// ---------------------------------------------------------------------------------------------------

/// Postings and a record's tokens are packed into a `u32`: a number (a record's or a token's ordinal)
/// shifted left by 3, the tier in 2 bits, and a last bit that is 0 when the token is the first of its
/// piece. For one token in one record the smallest packed value is therefore its best place.
const SHIFT: u32 = 3;

fn pack(n: u32, tier: u8, first: bool) -> u32 {
    (n << SHIFT) | (u32::from(tier & 3) << 1) | u32::from(!first)
}

/// One distinct folded token (a run of text between spaces) and the records holding it.
#[derive(Clone, Debug, Default)]
struct Token {
    /// Where its text is in the vocabulary text; `u32::MAX` once the token is freed.
    at: u32,
    /// The length of its text.
    len: u32,
    /// `pack(record ordinal, tier, first)`, sorted, one per record.
    postings: Vec<u32>,
}

const FREED: u32 = u32::MAX;

/// One indexed record.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Slot {
    id: RecordId,
    kind: Kind,
    /// The kind's tie-break, smaller first (see the module documentation).
    order: i64,
    /// A contact's folded name, to sort contacts that score the same.
    name: Box<str>,
    /// Its first eight bytes as a number, which orders the same and compares faster.
    name_prefix: u64,
    /// Meetings: every contact id on the redirect chains of its participants. Actions: the meeting.
    links: Box<[RecordId]>,
    /// `pack(token ordinal, tier, first)`, sorted, one per distinct token.
    tokens: Box<[u32]>,
}

/// The size of a [`SearchIndex`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexStats {
    /// Records indexed.
    pub records: usize,
    /// Distinct folded tokens.
    pub tokens: usize,
    /// (token, record) pairs.
    pub postings: usize,
    /// [`SearchIndex::heap_bytes`].
    pub heap_bytes: usize,
}

type Interner = HashMap<Box<str>, u32, BuildHasherDefault<FxHasher>>;

/// The search index over one notebook. Build it once at start-up ([`SearchIndex::build`]), then call
/// [`SearchIndex::update`] with the id of every record the app changes, creates, deletes, restores,
/// merges in or replaces (an import).
///
/// Inside, it is an inverted index: every distinct folded token (text between spaces) with the records
/// that hold it, and the tier and place where they hold it. A query word never holds a space, so it can
/// only match inside one token: a search scans the text of the distinct tokens (kept end to end in one
/// string) for each word, and combines the records of the tokens that contain it, without reading any
/// record's text. Only the hits shown are then read from the notebook, for their snippets.
///
/// Two indexes are equal when they hold the same records with the same content, whatever the order
/// their updates came in.
#[derive(Clone, Debug, Default)]
pub struct SearchIndex {
    records: Vec<Option<Slot>>,
    free_records: Vec<u32>,
    by_id: HashMap<RecordId, u32, BuildHasherDefault<FxHasher>>,
    tokens: Vec<Token>,
    free_tokens: Vec<u32>,
    interner: Interner,
    /// The text of every token, each followed by a newline, in the order they were first seen.
    vocabulary: String,
    /// (where a token's text starts in `vocabulary`, the token), in vocabulary order. An entry whose
    /// token was freed (or reused, and so moved) is skipped, and dropped when the text is compacted.
    entries: Vec<(u32, u32)>,
    /// Bytes of `vocabulary` that belong to freed tokens.
    dead: usize,
    /// Per contact id, the ordinals (sorted) of the meetings whose links hold it: the meetings a
    /// contact's change re-indexes. Looking for them among all records made re-indexing many contacts
    /// quadratic.
    naming: HashMap<RecordId, Vec<u32>, BuildHasherDefault<FxHasher>>,
}

impl PartialEq for SearchIndex {
    fn eq(&self, other: &Self) -> bool {
        self.canonical() == other.canonical()
    }
}

impl Eq for SearchIndex {}

/// A record's content in the index, independent of ordinals: for comparing indexes.
type CanonicalSlot<'a> = (Kind, i64, &'a str, &'a [RecordId], Vec<(&'a str, u32)>);

impl SearchIndex {
    /// An empty index.
    pub fn new() -> Self {
        SearchIndex::default()
    }

    /// The index of every live record in a notebook.
    pub fn build(nb: &Notebook) -> Self {
        let mut index = SearchIndex::new();
        for r in nb.records().filter(|r| !r.is_deleted()) {
            index.put(nb, r);
        }
        for token in &mut index.tokens {
            token.postings.shrink_to_fit();
        }
        index.records.shrink_to_fit();
        index.tokens.shrink_to_fit();
        index.entries.shrink_to_fit();
        index.vocabulary.shrink_to_fit();
        index.interner.shrink_to_fit();
        index
    }

    /// How many records are indexed.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether no record is indexed.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    fn canonical(&self) -> BTreeMap<RecordId, CanonicalSlot<'_>> {
        self.records
            .iter()
            .flatten()
            .map(|s| {
                let mut tokens: Vec<(&str, u32)> =
                    s.tokens.iter().map(|p| (self.token_text(p >> SHIFT), p & ((1 << SHIFT) - 1))).collect();
                tokens.sort_unstable();
                (s.id, (s.kind, s.order, &*s.name, &*s.links, tokens))
            })
            .collect()
    }

    fn slot(&self, id: RecordId) -> Option<&Slot> {
        self.records.get(*self.by_id.get(&id)? as usize)?.as_ref()
    }

    /// Brings one record up to date after the notebook changed it: indexes it anew, or forgets it when
    /// it is deleted or gone. A contact's change also re-indexes every meeting that names it, since
    /// meetings are found by their participants' names. Cheap enough to call on every keystroke: only
    /// the tokens that changed are touched.
    pub fn update(&mut self, nb: &Notebook, id: RecordId) {
        let before = self.slot(id).map(|s| s.kind);
        let record = nb.record(id);
        match record.filter(|r| !r.is_deleted()) {
            Some(r) => self.put(nb, r),
            None => self.forget(id),
        }
        for m in self.naming_meetings(id, before, record) {
            self.refresh(nb, m);
        }
    }

    /// [`SearchIndex::update`] for several records. A meeting that names several of them is re-indexed
    /// once, after them all, rather than once for each.
    pub fn update_all(&mut self, nb: &Notebook, ids: impl IntoIterator<Item = RecordId>) {
        let mut meetings = BTreeSet::new();
        for id in ids {
            let before = self.slot(id).map(|s| s.kind);
            let record = nb.record(id);
            self.refresh(nb, id);
            meetings.extend(self.naming_meetings(id, before, record));
        }
        for m in meetings {
            self.refresh(nb, m);
        }
    }

    /// Indexes a record anew, or forgets it when it is deleted or gone.
    fn refresh(&mut self, nb: &Notebook, id: RecordId) {
        match nb.record(id).filter(|r| !r.is_deleted()) {
            Some(r) => self.put(nb, r),
            None => self.forget(id),
        }
    }

    /// The meetings whose indexed text may name `id`, when it is (or was) a contact, in ordinal order.
    fn naming_meetings(&self, id: RecordId, before: Option<Kind>, record: Option<&Record>) -> Vec<RecordId> {
        let contact = record.map_or(before.is_none_or(|k| k == Kind::Contact), |r| r.kind == Kind::Contact);
        if !contact {
            return Vec::new();
        }
        let ords = self.naming.get(&id).map_or(&[][..], Vec::as_slice);
        ords.iter().filter_map(|&o| self.records.get(o as usize)?.as_ref()).map(|s| s.id).collect()
    }

    /// Notes (or, with `on` false, forgets) that meeting `ord` names every id of `links`.
    fn link(&mut self, ord: u32, links: &[RecordId], on: bool) {
        for id in links {
            let ords = self.naming.entry(*id).or_default();
            match (ords.binary_search(&ord), on) {
                (Err(i), true) => ords.insert(i, ord),
                (Ok(i), false) => {
                    ords.remove(i);
                }
                _ => {}
            }
            if ords.is_empty() {
                self.naming.remove(id);
            }
        }
    }

    fn token_text(&self, t: u32) -> &str {
        match self.tokens.get(t as usize) {
            Some(token) if token.at != FREED => {
                self.vocabulary.get(token.at as usize..(token.at + token.len) as usize).unwrap_or("")
            }
            _ => "",
        }
    }

    fn intern(&mut self, token: &str) -> u32 {
        if let Some(&t) = self.interner.get(token) {
            return t;
        }
        let at = u32::try_from(self.vocabulary.len()).unwrap_or(FREED);
        let fresh = Token { at, len: token.len() as u32, postings: Vec::new() };
        self.vocabulary.push_str(token);
        self.vocabulary.push('\n');
        let t = match self.free_tokens.pop() {
            Some(t) => {
                self.tokens[t as usize] = fresh;
                t
            }
            None => {
                self.tokens.push(fresh);
                u32::try_from(self.tokens.len() - 1).unwrap_or(FREED)
            }
        };
        self.entries.push((at, t));
        self.interner.insert(token.into(), t);
        t
    }

    /// Frees a token no record holds any more, and compacts the vocabulary text once more than half
    /// of it is dead.
    fn release(&mut self, t: u32) {
        let Some(token) = self.tokens.get_mut(t as usize) else { return };
        if !token.postings.is_empty() || token.at == FREED {
            return;
        }
        let (at, len) = (token.at as usize, token.len as usize);
        token.at = FREED;
        token.postings = Vec::new();
        if let Some(text) = self.vocabulary.get(at..at + len) {
            self.interner.remove(text);
        }
        self.free_tokens.push(t);
        self.dead += len + 1;
        if self.dead > 64 * 1024 && self.dead * 2 > self.vocabulary.len() {
            self.compact();
        }
    }

    fn compact(&mut self) {
        let mut vocabulary = String::with_capacity(self.vocabulary.len() - self.dead);
        let mut entries = Vec::with_capacity(self.entries.len());
        for &(at, t) in &self.entries {
            let Some(token) = self.tokens.get_mut(t as usize) else { continue };
            if token.at != at {
                continue;
            }
            let new_at = vocabulary.len() as u32;
            vocabulary.push_str(self.vocabulary.get(at as usize..(at + token.len) as usize).unwrap_or(""));
            vocabulary.push('\n');
            token.at = new_at;
            entries.push((new_at, t));
        }
        self.vocabulary = vocabulary;
        self.entries = entries;
        self.dead = 0;
    }

    /// Sets (or, with `None`, removes) the posting of record `ord` in token `t`.
    fn post(&mut self, t: u32, ord: u32, posting: Option<u32>) {
        let Some(token) = self.tokens.get_mut(t as usize) else { return };
        // Building adds records in ordinal order: append without searching.
        if let Some(p) = posting {
            if token.postings.last().is_none_or(|last| last >> SHIFT < ord) {
                token.postings.push(p);
                return;
            }
        }
        match (token.postings.binary_search_by_key(&ord, |p| p >> SHIFT), posting) {
            (Ok(i), Some(p)) => token.postings[i] = p,
            (Ok(i), None) => {
                token.postings.remove(i);
            }
            (Err(i), Some(p)) => token.postings.insert(i, p),
            (Err(_), None) => {}
        }
    }

    fn put(&mut self, nb: &Notebook, r: &Record) {
        if self.slot(r.id).is_some_and(|s| s.kind != r.kind) {
            self.forget(r.id);
        }
        let d = describe(nb, r);
        let mut tokens = Vec::new();
        let mut folded = String::new();
        for p in &d.pieces {
            folded.clear();
            fold_into(&p.text, &mut folded);
            for (i, token) in folded.split_whitespace().enumerate() {
                let t = self.intern(token);
                tokens.push(pack(t, p.tier, i == 0));
            }
        }
        tokens.sort_unstable();
        tokens.dedup_by_key(|p| *p >> SHIFT);
        let name: Box<str> =
            if r.kind == Kind::Contact { key(r.text(Field::Name.key())).into() } else { Box::default() };
        let ord = match self.by_id.get(&r.id) {
            Some(&o) => o,
            None => {
                let o = self.free_records.pop().unwrap_or_else(|| {
                    self.records.push(None);
                    u32::try_from(self.records.len() - 1).unwrap_or(u32::MAX)
                });
                self.by_id.insert(r.id, o);
                o
            }
        };
        let (old, old_links) = match self.records.get_mut(ord as usize).and_then(Option::take) {
            Some(s) if s.kind == Kind::Meeting => (s.tokens, s.links),
            Some(s) => (s.tokens, Box::default()),
            None => (Box::default(), Box::default()),
        };
        if r.kind == Kind::Meeting && *old_links != *d.links {
            self.link(ord, &old_links, false);
            self.link(ord, &d.links, true);
        }
        // Both lists are sorted by token, one entry per token: walk them together, touching only the
        // postings that changed.
        let bits = |p: u32| p & ((1 << SHIFT) - 1);
        let (mut i, mut j) = (0, 0);
        let mut dropped = Vec::new();
        while i < old.len() || j < tokens.len() {
            match (old.get(i), tokens.get(j)) {
                (Some(&o), Some(&n)) if o >> SHIFT == n >> SHIFT => {
                    if o != n {
                        self.post(n >> SHIFT, ord, Some((ord << SHIFT) | bits(n)));
                    }
                    i += 1;
                    j += 1;
                }
                (Some(&o), n) if n.is_none_or(|&n| o >> SHIFT < n >> SHIFT) => {
                    self.post(o >> SHIFT, ord, None);
                    dropped.push(o >> SHIFT);
                    i += 1;
                }
                (_, Some(&n)) => {
                    self.post(n >> SHIFT, ord, Some((ord << SHIFT) | bits(n)));
                    j += 1;
                }
                (_, None) => break,
            }
        }
        for t in dropped {
            self.release(t);
        }
        let mut prefix = [0u8; 8];
        for (p, b) in prefix.iter_mut().zip(name.bytes()) {
            *p = b;
        }
        let slot = Slot {
            id: r.id,
            kind: r.kind,
            order: d.order,
            name_prefix: u64::from_be_bytes(prefix),
            name,
            links: d.links.into_boxed_slice(),
            tokens: tokens.into_boxed_slice(),
        };
        if let Some(s) = self.records.get_mut(ord as usize) {
            *s = Some(slot);
        }
    }

    fn forget(&mut self, id: RecordId) {
        let Some(ord) = self.by_id.remove(&id) else { return };
        let Some(slot) = self.records.get_mut(ord as usize).and_then(Option::take) else { return };
        for p in slot.tokens.iter() {
            self.post(p >> SHIFT, ord, None);
            self.release(p >> SHIFT);
        }
        if slot.kind == Kind::Meeting {
            self.link(ord, &slot.links, false);
        }
        self.free_records.push(ord);
    }

    /// How big the index is: for a diagnostics line and the benchmark.
    pub fn stats(&self) -> IndexStats {
        IndexStats {
            records: self.by_id.len(),
            tokens: self.interner.len(),
            postings: self.tokens.iter().map(|t| t.postings.len()).sum(),
            heap_bytes: self.heap_bytes(),
        }
    }

    /// An estimate of the heap memory the index holds, in bytes: record slots, their token lists and
    /// links, the distinct tokens with their postings, the token interner (its keys and table), and the
    /// id map. Allocator overhead is not counted.
    pub fn heap_bytes(&self) -> usize {
        let slots: usize = self.records.capacity() * std::mem::size_of::<Option<Slot>>()
            + self
                .records
                .iter()
                .flatten()
                .map(|s| s.name.len() + s.links.len() * std::mem::size_of::<RecordId>() + s.tokens.len() * 4)
                .sum::<usize>();
        let tokens: usize = self.tokens.capacity() * std::mem::size_of::<Token>()
            + self.tokens.iter().map(|t| t.postings.capacity() * 4).sum::<usize>()
            + self.vocabulary.capacity()
            + self.entries.capacity() * 8;
        let interner = self.interner.capacity() * (std::mem::size_of::<(Box<str>, u32)>() + 1)
            + self.interner.keys().map(|k| k.len()).sum::<usize>();
        let free = (self.free_records.capacity() + self.free_tokens.capacity()) * 4;
        let by_id = self.by_id.capacity() * (std::mem::size_of::<(RecordId, u32)>() + 1);
        let naming = self.naming.capacity() * (std::mem::size_of::<(RecordId, Vec<u32>)>() + 1)
            + self.naming.values().map(|o| o.capacity() * 4).sum::<usize>();
        slots + tokens + interner + free + by_id + naming
    }

    /// Searches every live contact, meeting and action for `query`, and returns at most
    /// `limit_per_kind` hits of each kind, best first, with the total of each. Every word of the query
    /// must occur in the record (in any of its fields); case, accents and compatibility forms are
    /// ignored. A blank query finds nothing.
    ///
    /// `nb` must be the notebook the index was kept up to date with: titles, snippets and highlight
    /// ranges come from its current text.
    pub fn search(&self, nb: &Notebook, query: &str, limit_per_kind: usize) -> Results {
        let words = query_words(query);
        if words.is_empty() {
            return Results::default();
        }
        let scores = self.scores(&words);
        let mut found: [Vec<(u32, &Slot)>; 3] = Default::default();
        for (slot, score) in self.records.iter().zip(scores) {
            if let (Some(s), Some(score)) = (slot, score) {
                let k = match s.kind {
                    Kind::Contact => 0,
                    Kind::Meeting => 1,
                    Kind::Action => 2,
                };
                if self.visible(s) {
                    found[k].push((score, s));
                }
            }
        }
        let [contacts, meetings, actions] = found;
        Results {
            contacts: group(nb, contacts, &words, limit_per_kind),
            meetings: group(nb, meetings, &words, limit_per_kind),
            actions: group(nb, actions, &words, limit_per_kind),
        }
    }

    /// Per record ordinal, the sum over the words of each word's best `tier * 3 + place`, or `None`
    /// when some word is missing from the record.
    fn scores(&self, words: &[Word]) -> Vec<Option<u32>> {
        // Per record: how many words matched so far (high bits), and the best score of the current
        // word (low 8 bits, 0xFF for none yet): one memory access per posting.
        const NONE: u32 = 0xFF;
        let n = self.records.len();
        let mut state = vec![NONE; n];
        let mut total = vec![0u32; n];
        for (k, w) in words.iter().enumerate() {
            let k = k as u32;
            self.tokens_containing(w, |token, starts, inside| {
                // The score for each value of a posting's low bits (tier, and first of its piece or not).
                let mut table = [NONE; 1 << SHIFT];
                for (bits, score) in table.iter_mut().enumerate() {
                    let place = match (starts, bits & 1 == 0) {
                        (true, true) => AT_FIELD_START,
                        (true, false) => AT_WORD_START,
                        (false, _) => inside,
                    };
                    *score = (bits >> 1) as u32 * TIERS + u32::from(place);
                }
                for &p in &token.postings {
                    if let Some(s) = state.get_mut((p >> SHIFT) as usize) {
                        if *s >> 8 == k {
                            *s = (*s).min((k << 8) | table[(p & ((1 << SHIFT) - 1)) as usize]);
                        }
                    }
                }
            });
            for (s, t) in state.iter_mut().zip(total.iter_mut()) {
                if *s >> 8 == k && *s & NONE != NONE {
                    *t += *s & NONE;
                    *s = ((k + 1) << 8) | NONE;
                }
            }
        }
        let all = words.len() as u32;
        state.into_iter().zip(total).map(|(s, t)| (s >> 8 == all).then_some(t)).collect()
    }

    /// Calls `found(token, starts, place)` once for every live token that contains `word`: `starts` when
    /// the word is at the token's start, else `place` is the best place inside it (a word start, as in
    /// "host-nation" for "nation", or inside a word).
    ///
    /// The vocabulary text is searched for the word's least common byte, eight bytes at a time, and each
    /// candidate checked in place; matches come in vocabulary order, so the tokens they fall in are found
    /// by moving forward through `entries`.
    fn tokens_containing(&self, word: &Word, mut found: impl FnMut(&Token, bool, u8)) {
        let w = word.text.as_bytes();
        let text = self.vocabulary.as_bytes();
        // Look for the word's two least common bytes (or its one byte) at their distance.
        let mut by_rarity: Vec<usize> = (0..w.len()).collect();
        by_rarity.sort_by_key(|&i| (commonness(w[i]), i));
        let Some(&first) = by_rarity.first() else { return };
        let second = by_rarity.get(1).copied();
        let anchor = second.map_or(first, |second| first.min(second));
        let find = |hay: &[u8]| match second {
            None => find_byte(hay, w[first]),
            Some(second) => {
                let (lo, hi) = (first.min(second), first.max(second));
                find_pair(hay, w[lo], hi - lo, w[hi])
            }
        };
        let mut from = anchor;
        let mut entry = 0usize;
        // The token being gathered: (entry index, starts, best place inside).
        let mut current: Option<(usize, bool, u8)> = None;
        let mut flush = |current: Option<(usize, bool, u8)>| {
            if let Some((e, starts, place)) = current {
                if let Some(token) = self.entries.get(e).and_then(|&(_, t)| self.tokens.get(t as usize)) {
                    found(token, starts, place);
                }
            }
        };
        while let Some(i) = text.get(from..).and_then(find) {
            let hit = from + i;
            from = hit + 1;
            let at = hit - anchor;
            match text.get(at..at + w.len()) {
                Some(candidate) if candidate.iter().zip(w).all(|(a, b)| a == b) => {}
                _ => continue,
            }
            // A word that only matches at word starts cannot match right after a letter or digit.
            if !word.anywhere && at > 0 && text[at - 1].is_ascii_alphanumeric() {
                continue;
            }
            // Move forward to the entry holding `at`: gallop (1, 2, 4… entries on), then search the last
            // step, so that nearby matches cost a few steps and far ones a binary search.
            let after = |e: usize| self.entries.get(e).is_some_and(|&(start, _)| start as usize <= at);
            if after(entry + 1) {
                let mut step = 1;
                while after(entry + step * 2) {
                    step *= 2;
                }
                let window = &self.entries[entry + step..(entry + step * 2).min(self.entries.len())];
                entry += step + window.partition_point(|&(start, _)| start as usize <= at).saturating_sub(1);
            }
            let Some(&(start, t)) = self.entries.get(entry) else { break };
            let Some(token) = self.tokens.get(t as usize).filter(|token| token.at == start) else { continue };
            let start = start as usize;
            if at + w.len() > start + token.len as usize {
                continue;
            }
            let place = if at == start {
                AT_FIELD_START
            } else if self.vocabulary.get(start..at).is_some_and(|before| at_word_start(before, before.len())) {
                AT_WORD_START
            } else if word.anywhere {
                INSIDE_WORD
            } else {
                continue;
            };
            match &mut current {
                Some((e, starts, best)) if *e == entry => {
                    *starts |= place == AT_FIELD_START;
                    *best = (*best).min(place.max(AT_WORD_START));
                }
                _ => {
                    flush(current.take());
                    current = Some((entry, place == AT_FIELD_START, place.max(AT_WORD_START)));
                }
            }
        }
        flush(current);
    }

    /// An action is shown only while its meeting is live (indexed).
    fn visible(&self, s: &Slot) -> bool {
        s.kind != Kind::Action || s.links.first().and_then(|m| self.slot(*m)).is_some_and(|m| m.kind == Kind::Meeting)
    }
}

fn group(nb: &Notebook, mut found: Vec<(u32, &Slot)>, words: &[Word], limit: usize) -> Group {
    let total = found.len();
    let cmp = |a: &(u32, &Slot), b: &(u32, &Slot)| -> Ordering {
        a.0.cmp(&b.0)
            .then(a.1.order.cmp(&b.1.order))
            .then(a.1.name_prefix.cmp(&b.1.name_prefix))
            .then_with(|| a.1.name.cmp(&b.1.name))
            .then(Reverse(a.1.id).cmp(&Reverse(b.1.id)))
    };
    if found.len() > limit && limit > 0 {
        found.select_nth_unstable_by(limit - 1, cmp);
    }
    found.truncate(limit);
    found.sort_by(cmp);
    let hits = found.into_iter().filter_map(|(_, s)| hit(nb, s.kind, s.id, words)).collect();
    Group { hits, total }
}

// ---------------------------------------------------------------------------------------------------
// Making a hit from the notebook's text
// ---------------------------------------------------------------------------------------------------

fn or_default(s: &str, default: &str) -> String {
    if s.trim().is_empty() {
        default.to_string()
    } else {
        s.to_string()
    }
}

fn join_parts(parts: &[&str]) -> String {
    parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" · ")
}

fn hit(nb: &Notebook, kind: Kind, id: RecordId, words: &[Word]) -> Option<Hit> {
    let r = nb.record(id).filter(|r| r.kind == kind && !r.is_deleted())?;
    let d = describe(nb, r);
    let doc = Doc::new(&d.pieces);
    let scored = doc.score(words)?;
    let k = doc.seg_of(scored.at.start);
    let piece = d.pieces.get(k)?;
    let base = doc.segs[k].start as usize;
    let (snippet, highlights) = snippet(&piece.text, scored.at.start - base..scored.at.end - base, words);
    let text = |f: Field| r.text(f.key());
    let (title, detail, meeting) = match kind {
        Kind::Contact => (
            or_default(text(Field::Name), "Unnamed contact"),
            join_parts(&[text(Field::Title), text(Field::Organisation), text(Field::Nation)]),
            None,
        ),
        Kind::Meeting => {
            let date = human_date(text(Field::Date));
            (or_default(text(Field::Title), "Untitled meeting"), join_parts(&[&date, text(Field::Location)]), None)
        }
        Kind::Action => {
            let meeting: Option<RecordId> = text(Field::Meeting).parse().ok();
            let meeting_title = meeting.and_then(|m| nb.meeting(m)).map(|m| m.display_title()).unwrap_or_default();
            let due = if text(Field::Due).trim().is_empty() {
                String::new()
            } else {
                format!("due {}", human_date(text(Field::Due)))
            };
            let done = if r.flag(Field::Done.key()) { "done" } else { "" };
            (or_default(text(Field::Text), "Untitled action"), join_parts(&[&meeting_title, &due, done]), meeting)
        }
    };
    let main = match kind {
        Kind::Contact => Field::Name,
        Kind::Meeting => Field::Title,
        Kind::Action => Field::Text,
    };
    // A stand-in title ("Unnamed contact") is not the record's text: nothing in it is marked.
    let title_highlights = if text(main).trim().is_empty() {
        Vec::new()
    } else {
        let mapped = Mapped::new(&title);
        merge_ranges(occurrences(&mapped.folded, words).map(|r| mapped.original(r)).collect())
    };
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

#[cfg(test)]
impl SearchIndex {
    /// Panics unless every internal cross-reference holds.
    fn check(&self) {
        let mut postings = 0;
        for (t, token) in self.tokens.iter().enumerate() {
            if token.at == FREED {
                assert!(token.postings.is_empty() && self.free_tokens.contains(&(t as u32)));
                continue;
            }
            let text = self.token_text(t as u32);
            assert_eq!(self.interner.get(text), Some(&(t as u32)), "interned {text:?}");
            assert!(!token.postings.is_empty(), "a live token {text:?} has records");
            assert!(token.postings.windows(2).all(|w| w[0] >> SHIFT < w[1] >> SHIFT), "postings sorted");
            assert!(self.entries.contains(&(token.at, t as u32)));
            for p in &token.postings {
                let slot = self.records[(p >> SHIFT) as usize].as_ref().expect("a posting names a live slot");
                assert!(slot.tokens.contains(&((t as u32) << SHIFT | (p & ((1 << SHIFT) - 1)))));
            }
            postings += token.postings.len();
        }
        assert_eq!(self.interner.len() + self.free_tokens.len(), self.tokens.len());
        let tokens_in_slots: usize = self.records.iter().flatten().map(|s| s.tokens.len()).sum();
        assert_eq!(postings, tokens_in_slots);
        for (id, ord) in &self.by_id {
            assert_eq!(self.records[*ord as usize].as_ref().map(|s| s.id), Some(*id));
        }
        assert_eq!(self.records.iter().flatten().count(), self.by_id.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crdt::id::DeviceId;
    use crate::schema::Value;

    fn nb() -> Notebook {
        Notebook::new(DeviceId::new_v7(0, [1; 10]))
    }

    fn add(nb: &mut Notebook, kind: Kind, n: u8, fields: &[(Field, &str)]) -> RecordId {
        let id = nb.create(kind, 1_000 + u64::from(n), [n; 10]);
        for (f, v) in fields {
            let value = match f.shape() {
                crate::schema::Shape::List => Value::List(v.split('|').map(str::to_string).collect()),
                _ => Value::Text(v.to_string()),
            };
            nb.set(id, *f, value, 2_000).unwrap();
        }
        id
    }

    #[test]
    fn folding_ignores_case_accents_and_compatibility_forms() {
        assert_eq!(fold("Müller"), "muller");
        assert_eq!(fold("MÜLLER"), "muller");
        assert_eq!(fold("Mu\u{308}ller"), "muller");
        assert_eq!(fold("Strauß STRAUẞ"), "strauss strauss");
        assert_eq!(fold("Ｍüｌler ﬁle"), "muller file");
        assert_eq!(fold("ΕΛΈΝΗΣ Ελένης"), "ελενησ ελενησ");
        assert_eq!(fold("Иванова"), "иванова");
        assert_eq!(fold("李小龍"), "李小龍");
        assert_eq!(fold("Mül\u{AD}ler"), "muller");
        assert_eq!(fold("İstanbul Kırıkkale"), "istanbul kirikkale");
        assert_eq!(fold("محمّد"), fold("محمد"));
    }

    #[test]
    fn a_folded_range_maps_back_to_whole_original_characters() {
        let m = Mapped::new("Straße e\u{301}x");
        assert_eq!(m.folded, "strasse ex");
        // "ss" comes from one character: both halves map to all of it.
        assert_eq!(m.original(4..5), 4..6);
        assert_eq!(m.original(5..6), 4..6);
        // The accent after "e" folds to nothing and goes with its letter.
        assert_eq!(m.original(8..9), 8..11);
        assert_eq!(&"Straße e\u{301}x"[m.original(8..10)], "e\u{301}x");
    }

    #[test]
    fn highlight_marks_every_occurrence_in_the_original_text() {
        let text = "Jürgen MÜLLER met Herr Müller in München";
        let ranges = highlight(text, "müller");
        let marked: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(marked, ["MÜLLER", "Müller"]);
        assert!(highlight(text, "   ").is_empty());
    }

    #[test]
    fn scoring_prefers_main_field_then_word_start() {
        let mut nb = nb();
        let notes = add(&mut nb, Kind::Contact, 1, &[(Field::Name, "Zed"), (Field::Notes, "talked to berg")]);
        let infix = add(&mut nb, Kind::Contact, 2, &[(Field::Name, "Ana Isberg")]);
        let word = add(&mut nb, Kind::Contact, 3, &[(Field::Name, "Ana Berg")]);
        let start = add(&mut nb, Kind::Contact, 4, &[(Field::Name, "Bergmann")]);
        let org = add(&mut nb, Kind::Contact, 5, &[(Field::Name, "Bo"), (Field::Organisation, "Berg AG")]);
        let index = SearchIndex::build(&nb);
        let ids: Vec<RecordId> = index.search(&nb, "BERG", 10).contacts.hits.iter().map(|h| h.id).collect();
        assert_eq!(ids, [start, word, infix, org, notes]);
    }

    #[test]
    fn long_notes_give_a_bounded_snippet_around_the_match() {
        let mut nb = nb();
        let filler = "lorem ipsum dolor sit amet ".repeat(20);
        let notes = format!("{filler}the Kommandant Grüße said\n{filler}");
        let c = add(&mut nb, Kind::Contact, 1, &[(Field::Name, "Anna"), (Field::Notes, &notes)]);
        let index = SearchIndex::build(&nb);
        let r = index.search(&nb, "grusse", 5);
        let h = &r.contacts.hits[0];
        assert_eq!((h.id, h.field), (c, Field::Notes));
        assert!(h.snippet.starts_with('…') && h.snippet.ends_with('…'), "{}", h.snippet);
        assert!(h.snippet.chars().count() <= SNIPPET_CHARS + 2);
        assert_eq!(h.highlights.len(), 1);
        assert_eq!(&h.snippet[h.highlights[0].clone()], "Grüße");
        assert!(!h.snippet.contains('\n'));
    }

    #[test]
    fn incremental_updates_equal_a_fresh_build() {
        let mut nb = nb();
        let c = add(&mut nb, Kind::Contact, 1, &[(Field::Name, "Anna Berg")]);
        let m = add(&mut nb, Kind::Meeting, 2, &[(Field::Title, "Talks"), (Field::Participants, &c.to_string())]);
        let a = add(&mut nb, Kind::Action, 3, &[(Field::Text, "Send minutes"), (Field::Meeting, &m.to_string())]);
        let mut index = SearchIndex::build(&nb);
        nb.set(c, Field::Name, Value::Text("Anna Lind".into()), 3_000).unwrap();
        index.update(&nb, c);
        assert_eq!(index, SearchIndex::build(&nb));
        assert_eq!(index.search(&nb, "lind", 5).meetings.total, 1);
        nb.delete(m, 4_000).unwrap();
        index.update(&nb, m);
        assert_eq!(index, SearchIndex::build(&nb));
        assert_eq!(index.search(&nb, "minutes", 5).actions.total, 0, "an action of a deleted meeting is hidden");
        nb.restore(m, 5_000).unwrap();
        index.update(&nb, m);
        assert_eq!(index.search(&nb, "minutes", 5).actions.hits[0].meeting, Some(m));
        nb.delete(a, 6_000).unwrap();
        index.update(&nb, a);
        assert_eq!(index, SearchIndex::build(&nb));
        assert!(index.heap_bytes() > 0);
    }

    const TEXTS: [&str; 16] = [
        "Müller",
        "MÜLLER-Lüdenscheidt met the delegation",
        "Strauß and Strauss",
        "İstanbul office",
        "李小龍",
        "Ελένη Παπαδοπούλου",
        "Иванова Мария",
        "host-nation support, fuel",
        "e\u{301}lise ﬁle",
        "  leading space",
        "a b  c",
        "محمّد",
        "",
        "x",
        "multinational simulation",
        "Mül\u{AD}ler",
    ];

    const QUERIES: [&str; 14] = [
        "m",
        "mu",
        "müller",
        "MULLER lud",
        "strauss",
        "ß",
        "小龍",
        "ελενη",
        "ив",
        "nation",
        "e",
        "lise fi",
        "محمد",
        "x",
    ];

    /// Applies one random operation and brings the index up to date with the ids it touched.
    fn step(nb: &mut Notebook, index: &mut SearchIndex, ids: &mut Vec<RecordId>, op: (u8, usize, usize), n: u64) {
        let (kind, a, b) = op;
        let now = 10_000 + n * 10;
        let pick = |ids: &[RecordId], k: Option<Kind>, i: usize, nb: &Notebook| -> Option<RecordId> {
            let of: Vec<RecordId> = ids
                .iter()
                .copied()
                .filter(|id| k.is_none_or(|k| nb.record(*id).is_some_and(|r| r.kind == k)))
                .collect();
            (!of.is_empty()).then(|| of[i % of.len()])
        };
        let text = |i: usize| Value::Text(TEXTS[i % TEXTS.len()].to_string());
        let mut touched = Vec::new();
        match kind % 8 {
            0 => {
                let id = nb.create(Kind::Contact, now, [n as u8; 10]);
                nb.set(id, Field::Name, text(a), now).unwrap();
                nb.set(id, Field::Notes, text(b), now).unwrap();
                nb.set(id, Field::Tags, Value::List(vec![TEXTS[(a + b) % TEXTS.len()].into()]), now).unwrap();
                ids.push(id);
                touched.push(id);
            }
            1 => {
                let id = nb.create(Kind::Meeting, now, [n as u8; 10]);
                nb.set(id, Field::Title, text(a), now).unwrap();
                if let Some(c) = pick(ids, Some(Kind::Contact), b, nb) {
                    nb.set(id, Field::Participants, Value::List(vec![c.to_string()]), now).unwrap();
                }
                nb.set(id, Field::Date, Value::Text(format!("2026-0{}-1{}", 1 + a % 9, b % 10)), now).unwrap();
                ids.push(id);
                touched.push(id);
            }
            2 => {
                let id = nb.create(Kind::Action, now, [n as u8; 10]);
                nb.set(id, Field::Text, text(a), now).unwrap();
                if let Some(m) = pick(ids, Some(Kind::Meeting), b, nb) {
                    nb.set(id, Field::Meeting, Value::Text(m.to_string()), now).unwrap();
                }
                ids.push(id);
                touched.push(id);
            }
            3 => {
                if let Some(id) = pick(ids, None, a, nb) {
                    let field = match nb.record(id).map(|r| r.kind) {
                        Some(Kind::Contact) => [Field::Name, Field::Organisation, Field::Notes][b % 3],
                        Some(Kind::Meeting) => [Field::Title, Field::Location, Field::Agenda][b % 3],
                        _ => [Field::Text, Field::Owner, Field::Text][b % 3],
                    };
                    nb.set(id, field, text(a + b), now).unwrap();
                    touched.push(id);
                }
            }
            4 => {
                if let Some(id) = pick(ids, None, a, nb) {
                    nb.delete(id, now).unwrap();
                    touched.push(id);
                }
            }
            5 => {
                if let Some(id) = pick(ids, None, a, nb) {
                    nb.restore(id, now).unwrap();
                    touched.push(id);
                }
            }
            6 => {
                if let (Some(x), Some(y)) =
                    (pick(ids, Some(Kind::Contact), a, nb), pick(ids, Some(Kind::Contact), b, nb))
                {
                    if x != y && nb.merge_contacts(x, y, vec![], now).is_ok() {
                        touched.extend([x, y]);
                    }
                }
            }
            _ => {
                if let Some(m) = pick(ids, Some(Kind::Meeting), a, nb) {
                    let people: Vec<String> = ids
                        .iter()
                        .filter(|id| nb.record(**id).is_some_and(|r| r.kind == Kind::Contact))
                        .skip(b % 3)
                        .step_by(1 + b % 2)
                        .map(|id| id.to_string())
                        .collect();
                    nb.set(m, Field::Participants, Value::List(people), now).unwrap();
                    touched.push(m);
                }
            }
        }
        index.update_all(nb, touched);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        #[test]
        fn the_index_scores_every_record_as_a_scan_of_its_text_would(
            ops in proptest::collection::vec((0u8..8, 0usize..64, 0usize..64), 1..50)
        ) {
            let mut nb = nb();
            let mut index = SearchIndex::new();
            let mut ids = Vec::new();
            for (n, op) in ops.into_iter().enumerate() {
                step(&mut nb, &mut index, &mut ids, op, n as u64);
                index.check();
            }
            proptest::prop_assert_eq!(&index, &SearchIndex::build(&nb));
            for q in QUERIES {
                let words = query_words(q);
                let scores = index.scores(&words);
                for (slot, score) in index.records.iter().zip(&scores) {
                    let Some(slot) = slot else { continue };
                    let r = nb.record(slot.id).unwrap();
                    let d = describe(&nb, r);
                    let expected = Doc::new(&d.pieces).score(&words).map(|s| s.score);
                    proptest::prop_assert_eq!(*score, expected, "{:?} in {:?}", q, d.pieces.iter().map(|p| &p.text).collect::<Vec<_>>());
                }
            }
        }
    }

    #[test]
    fn the_vocabulary_is_compacted_when_mostly_dead() {
        let mut nb = nb();
        let id = add(&mut nb, Kind::Contact, 1, &[(Field::Name, "Anna")]);
        let mut index = SearchIndex::build(&nb);
        for i in 0..3_000 {
            let notes: String = (0..10).map(|k| format!("word{i}x{k} ")).collect();
            nb.set(id, Field::Notes, Value::Text(notes), 3_000 + i).unwrap();
            index.update(&nb, id);
        }
        index.check();
        assert!(index.vocabulary.len() < 200 * 1024, "{}", index.vocabulary.len());
        assert_eq!(index.search(&nb, "word2999x9", 5).contacts.total, 1);
        assert_eq!(index.search(&nb, "word2998x9", 5).contacts.total, 0);
        assert_eq!(index, SearchIndex::build(&nb));
    }

    #[test]
    fn find_pair_finds_the_first_pair_at_any_offset_and_distance() {
        let hay: Vec<u8> = (0..50u8).map(|i| i % 7).collect();
        for d in 0..10 {
            for a in 0..7u8 {
                for b in 0..7u8 {
                    for start in [0, 1, 5, 13] {
                        let expected = (start..hay.len().saturating_sub(d)).find(|&k| hay[k] == a && hay[k + d] == b);
                        let got = find_pair(&hay[start..], a, d, b).map(|k| k + start);
                        assert_eq!(got, expected, "{a} {d} {b} from {start}");
                    }
                }
            }
        }
    }

    #[test]
    fn find_byte_finds_the_first_occurrence_at_any_offset() {
        let hay: Vec<u8> = (0..40u8).collect();
        for (i, b) in hay.iter().enumerate() {
            assert_eq!(find_byte(&hay, *b), Some(i));
            assert_eq!(find_byte(&hay[..i], *b), None);
        }
        assert_eq!(find_byte(b"aaaaaaaaab", b'b'), Some(9));
        assert_eq!(find_byte(&[0x80, 0x00, 0x81, 0x01, 0xff, 0x7f, 0x01, 0x00, 0x01], 0x01), Some(3));
    }
}
