//! A query's words, and where they occur in a text: the matching rules that the index, the reference
//! scan and the highlights share.

use std::ops::Range;

use crate::text::{fold, fold_char};

/// Where a match sits within its field: the start of the field, the start of a word, or inside a word.
pub(super) const AT_FIELD_START: u8 = 0;
pub(super) const AT_WORD_START: u8 = 1;
pub(super) const INSIDE_WORD: u8 = 2;

/// Main field, short fields, long text: see the documentation of `queries::search`.
pub(super) const TIERS: u32 = 3;

/// Text folded together with, for every original character, where it starts in the original and where
/// its folded form starts. A character may fold to nothing (an accent) or to several (ß).
pub(super) struct Mapped {
    pub(super) folded: String,
    /// (original byte offset, folded byte offset) per original character, in order.
    starts: Vec<(usize, usize)>,
    original_len: usize,
}

impl Mapped {
    pub(super) fn new(original: &str) -> Mapped {
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
    pub(super) fn original(&self, range: Range<usize>) -> Range<usize> {
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
pub(super) struct Word {
    pub(super) text: String,
    /// Whether the word may match inside a word. A single letter of a script written with spaces
    /// between words (Latin, Greek, Cyrillic…), or a single digit, matches only at the start of a word:
    /// the first letter typed finds "Müller" and "Martin", not every name with an "m" in it. Longer
    /// words, and single characters of scripts without spaces (CJK, Thai) or without case, match
    /// anywhere.
    pub(super) anywhere: bool,
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
pub(super) fn at_word_start(text: &str, at: usize) -> bool {
    text[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric())
}

/// The query's words, folded, each once, longest first. Splitting after folding matters: some
/// characters fold to a space ("¨" is a space and a diaeresis).
pub(super) fn query_words(query: &str) -> Vec<Word> {
    let folded = fold(query);
    let mut words: Vec<&str> = folded.split_whitespace().collect();
    words.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    words.dedup();
    words.into_iter().map(Word::new).collect()
}

/// Every occurrence of every word in `folded` (overlaps allowed), as folded byte ranges.
pub(super) fn occurrences<'a>(folded: &'a str, words: &'a [Word]) -> impl Iterator<Item = Range<usize>> + 'a {
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
pub(super) fn merge_ranges(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
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
    marks(text, &query_words(query))
}

/// Where `words` occur in `text`, as [`highlight`] gives them.
pub(super) fn marks(text: &str, words: &[Word]) -> Vec<Range<usize>> {
    let mapped = Mapped::new(text);
    merge_ranges(occurrences(&mapped.folded, words).map(|r| mapped.original(r)).collect())
}
