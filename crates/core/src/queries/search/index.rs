//! The inverted index of folded tokens, kept up to date one record at a time.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::describe::describe;
use super::hit::{hit, Group, Results};
use super::scan::{commonness, find_byte, find_pair};
use super::words::{at_word_start, query_words, Word, AT_FIELD_START, AT_WORD_START, INSIDE_WORD, TIERS};
use crate::crdt::id::RecordId;
use crate::crdt::record::Record;
use crate::notebook::Notebook;
use crate::schema::{Field, Kind};
use crate::text::{fold_into, key, FxBuild};

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
pub(super) struct Slot {
    pub(super) id: RecordId,
    kind: Kind,
    /// The kind's tie-break, smaller first (see the documentation of `queries::search`).
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

type Interner = HashMap<Box<str>, u32, FxBuild>;

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
    pub(super) records: Vec<Option<Slot>>,
    free_records: Vec<u32>,
    by_id: HashMap<RecordId, u32, FxBuild>,
    tokens: Vec<Token>,
    free_tokens: Vec<u32>,
    interner: Interner,
    /// The text of every token, each followed by a newline, in the order they were first seen.
    pub(super) vocabulary: String,
    /// (where a token's text starts in `vocabulary`, the token), in vocabulary order. An entry whose
    /// token was freed (or reused, and so moved) is skipped, and dropped when the text is compacted.
    entries: Vec<(u32, u32)>,
    /// Bytes of `vocabulary` that belong to freed tokens.
    dead: usize,
    /// Per contact id, the ordinals (sorted) of the meetings whose links hold it: the meetings a
    /// contact's change re-indexes. Looking for them among all records made re-indexing many contacts
    /// quadratic.
    naming: HashMap<RecordId, Vec<u32>, FxBuild>,
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

    /// Gives back the room the buffers grew into while records were added.
    pub(super) fn shrink(&mut self) {
        for token in &mut self.tokens {
            token.postings.shrink_to_fit();
        }
        self.records.shrink_to_fit();
        self.tokens.shrink_to_fit();
        self.entries.shrink_to_fit();
        self.vocabulary.shrink_to_fit();
        self.interner.shrink_to_fit();
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
    pub(super) fn refresh(&mut self, nb: &Notebook, id: RecordId) {
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
    pub(super) fn scores(&self, words: &[Word]) -> Vec<Option<u32>> {
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

#[cfg(test)]
impl SearchIndex {
    /// Panics unless every internal cross-reference holds.
    pub(super) fn check(&self) {
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
