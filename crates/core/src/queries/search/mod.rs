//! Search across contacts, meetings and actions: the index behind the "Search" box.
//!
//! # Matching
//!
//! Text is *folded* ([`fold`](crate::text::fold)): lower case, accents and other combining marks
//! removed, compatibility forms made plain, "ß" → "ss" and a few more. The query is folded the same
//! way and split into words at spaces. A record matches when every word (AND) occurs in one of its
//! searchable fields as a substring of the folded text, so partial words match and CJK text without
//! spaces works. One exception keeps the first keystroke useful: a query word that is a single letter
//! of a script with case (Latin, Greek, Cyrillic…) or a single digit matches only at the start of a
//! word.
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
//! At start-up it is built a slice of records at a time ([`IndexBuild`]), so that the first screen of a
//! large notebook does not wait for it; a search meanwhile finds what is indexed so far.
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

mod build;
mod describe;
mod hit;
mod index;
mod scan;
#[cfg(test)]
mod tests;
mod words;

pub use build::IndexBuild;
pub use hit::{Group, Hit, Results, SNIPPET_CHARS};
pub use index::{IndexStats, SearchIndex};
pub use words::highlight;
