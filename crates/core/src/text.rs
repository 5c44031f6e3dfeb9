//! Text rules every layer shares: folding for comparison, how close two names are, percent-encoding,
//! counted nouns, and the fast hasher.
//!
//! There is one folding rule in Liaison. Search, list filters, duplicate suggestions and the participant
//! picker all compare text through [`fold`] (spacing kept) or [`key`] (spacing made one), so "Strauß" is
//! "Strauss", "Wöber" is "Woeber" and "Коваленко" is "Kovalenko" everywhere a person types or looks. The
//! picker and the duplicate suggestions also forgive a typing slip or two ([`near`], [`within_edits`]).
//! Email addresses are compared by [`email_key`], which ignores case but not accents.

use std::hash::{BuildHasherDefault, Hasher};

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use crate::translit;

/// Characters that carry no letter: soft hyphen, zero-width space and joiners, direction marks, word
/// joiner, byte order mark, Arabic tatweel. Folding drops them, so "Mül\u{AD}ler" is found as "muller".
fn ignorable(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{0640}')
}

/// Writes one folded letter. German spells "ä", "ö" and "ü" as "ae", "oe" and "ue" where the letters are
/// missing (a passport, an email address), and the accent is already dropped, so an "e" right after "a",
/// "o" or "u" is dropped too: "Wöber" and "Woeber" both fold to "wober". The rule is applied to every
/// word alike, so a name with such a pair ("Samuel") still finds itself.
fn push_letter(c: char, out: &mut String) {
    if c == 'e' && out.ends_with(['a', 'o', 'u']) {
        return;
    }
    out.push(c);
}

/// Folds one character into `out`, after what was folded before it.
pub(crate) fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        push_letter(c.to_ascii_lowercase(), out);
        return;
    }
    if ignorable(c) {
        return;
    }
    decompose_compatible(c, |d| {
        // Kana voicing marks change the sound, not an accent: keep them ("が" is not "か").
        if is_combining_mark(d) && !matches!(d, '\u{3099}' | '\u{309A}') {
            return;
        }
        for l in d.to_lowercase() {
            let spelled = match l {
                'ß' => "ss",
                'æ' => "ae",
                'œ' => "oe",
                'ø' => "o",
                'đ' | 'ð' => "d",
                'ł' => "l",
                'ı' => "i",
                _ => match translit::latin(l, out.chars().next_back()) {
                    Some(latin) => latin,
                    None => {
                        push_letter(l, out);
                        continue;
                    }
                },
            };
            spelled.chars().for_each(|c| push_letter(c, out));
        }
    });
}

/// Folds text for searching: lower case, accents and other combining marks removed, compatibility
/// forms made plain (full-width letters, ligatures such as "ﬁ"), a few letters that have no
/// decomposition spelled out ("ß" → "ss", "ø" → "o", "ł" → "l"), German "ae", "oe", "ue" made one with
/// "ä", "ö", "ü" (see `push_letter`), and Cyrillic and Greek written in Latin ([`crate::translit`]), so
/// "Коваленко" is found by "kovalenko" and the other way round. Letters of other scripts are kept as
/// they are, so Arabic and CJK text is searched as written. Korean syllables become their jamo, so a
/// half-typed syllable matches too.
///
/// Spacing is kept as it is, so a search never matches across spaces; [`key`] also makes spacing one.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// Appends the folded `s` to `out`: runs of ASCII are copied and lower-cased at once, other
/// characters folded one by one.
pub(crate) fn fold_into(s: &str, out: &mut String) {
    let mut rest = s;
    while !rest.is_empty() {
        let ascii = rest.bytes().position(|b| !b.is_ascii()).unwrap_or(rest.len());
        if ascii > 0 {
            rest[..ascii].bytes().for_each(|b| push_letter(char::from(b.to_ascii_lowercase()), out));
            rest = &rest[ascii..];
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            fold_char(c, out);
            rest = chars.as_str();
        }
    }
}

/// The key two values are compared by: [`fold`]ed, runs of space made one, ends trimmed. Names, nations
/// and organisations that differ only in case, accents or spacing have one key.
pub fn key(s: &str) -> String {
    let folded = fold(s);
    let mut out = String::with_capacity(folded.len());
    for word in folded.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whether two values are the same once folded (case, accents and spacing ignored).
pub fn same(a: &str, b: &str) -> bool {
    key(a) == key(b)
}

/// How many typing slips a folded word of `chars` characters may hold and still be taken for another:
/// none up to 4 characters (too many short names are one letter apart: Berg, Borg), one up to 7, two
/// from 8.
pub fn tolerance(chars: usize) -> usize {
    match chars {
        0..=4 => 0,
        5..=7 => 1,
        _ => 2,
    }
}

/// Whether `a` becomes `b` by at most `max` single-character insertions, deletions or substitutions
/// (Levenshtein distance), counted in characters. Only a band of width `2 * max + 1` is computed.
pub fn within_edits(a: &str, b: &str, max: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let far = max + 1;
    let mut row: Vec<usize> = (0..=b.len()).map(|j| j.min(far)).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = (i + 1).min(far);
        let mut best = row[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = if i.abs_diff(j) > max {
                far
            } else {
                let substitute = diagonal + usize::from(ca != cb);
                substitute.min(row[j] + 1).min(row[j + 1] + 1).min(far)
            };
            diagonal = row[j + 1];
            row[j + 1] = cost;
            best = best.min(cost);
        }
        if best > max {
            return false;
        }
    }
    row[b.len()] <= max
}

/// How well what was typed matches a name (or an alias, or an organisation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Closeness {
    /// The folded name contains the folded query.
    Contains,
    /// Every word of the query is, within its [`tolerance`], a word of the name or the start of one:
    /// "Kowalenko" for "Kovalenko", "Mayr" for "Maier". Shown as a possible existing contact.
    Near,
}

/// Whether `query` finds `text`, by the one folding rule, and how closely. Nothing finds a blank query.
pub fn near(query: &str, text: &str) -> Option<Closeness> {
    let (query, text) = (key(query), key(text));
    if query.is_empty() {
        return None;
    }
    if text.contains(&query) {
        return Some(Closeness::Contains);
    }
    let words: Vec<&str> = text.split(' ').collect();
    let close = |typed: &str| {
        let max = tolerance(typed.chars().count());
        words.iter().any(|word| {
            let start: String = word.chars().take(typed.chars().count()).collect();
            word.starts_with(typed) || (max > 0 && (within_edits(typed, word, max) || within_edits(typed, &start, max)))
        })
    };
    query.split(' ').all(close).then_some(Closeness::Near)
}

/// The key two email addresses are compared by: surrounding space trimmed, case ignored. Not folded,
/// because an address with an accent is another mailbox.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Percent-encodes `s` as UTF-8: RFC 3986's unreserved characters and the bytes in `keep` are written
/// as they are, everything else as `%XX`.
pub fn percent_encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// A count with its noun: `1 record`, `2 records`. Irregular plurals are why both forms are given.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// FxHash (as in rustc): a fast, deterministic hash for short strings. Not resistant to crafted
/// collisions, which would only slow the index down for the notebook that holds them.
#[derive(Clone, Copy, Default)]
pub struct FxHasher(u64);

/// Builds [`FxHasher`]s, for maps inside core.
pub type FxBuild = BuildHasherDefault<FxHasher>;

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_accents_and_compatibility_forms() {
        assert_eq!(fold("Müller"), "muller");
        assert_eq!(fold("MÜLLER"), "muller");
        assert_eq!(fold("Mu\u{308}ller"), "muller");
        assert_eq!(fold("Strauß STRAUẞ"), "strauss strauss");
        assert_eq!(fold("Ｍüｌler ﬁle"), "muller file");
        assert_eq!(fold("ΕΛΈΝΗΣ Ελένης"), "elenis elenis");
        assert_eq!(fold("Иванова"), "ivanova");
        assert_eq!(fold("李小龍"), "李小龍");
        assert_eq!(fold("Mül\u{AD}ler"), "muller");
        assert_eq!(fold("İstanbul Kırıkkale"), "istanbul kirikkale");
        assert_eq!(fold("محمّد"), fold("محمد"));
    }

    #[test]
    fn one_key_for_spellings_that_differ_in_case_accents_spacing_and_sharp_s() {
        assert_eq!(key("  Jürgen   STRAUß "), "jurgen strauss");
        assert!(same("Müller GmbH", "muller  gmbh"));
        assert!(!same("Müller", "Miller"));
    }

    #[test]
    fn german_umlauts_and_their_two_letter_spellings_fold_alike() {
        assert!(same("Wöber", "Woeber"));
        assert!(same("Müller", "Mueller"));
        assert!(same("Jürgen Schäfer", "JUERGEN SCHAEFER"));
        assert!(same("Straße", "Strasse"));
        assert!(same("Göß", "Goess"));
        assert_eq!(fold("Wöber"), "wober");
    }

    #[test]
    fn cyrillic_and_greek_names_fold_to_their_latin_spelling() {
        assert!(same("Коваленко", "Kovalenko"));
        assert!(same("Ігор Шевченко", "Igor Shevchenko"));
        assert!(same("Хрущёв", "Khrushchev"));
        assert!(same("Παπαδόπουλος", "Papadopoulos"));
        assert!(same("Γεώργιος Θεοδωράκης", "Georgios Theodorakis"));
        assert!(same("ΕΥΑΓΓΕΛΊΑ", "Evaggelia"));
    }

    #[test]
    fn polish_letters_fold_to_their_base_letters() {
        assert!(same("Łukasz Wiśniewski", "Lukasz Wisniewski"));
        assert!(same("Małgorzata Żółć", "malgorzata zolc"));
        assert!(same("Grzegorz Brzęczyszczykiewicz", "grzegorz brzeczyszczykiewicz"));
    }

    #[test]
    fn small_slips_are_tolerated_by_length() {
        assert!(within_edits("kowalenko", "kovalenko", 1));
        assert!(within_edits("maier", "mayr", 2));
        assert!(!within_edits("maier", "mayr", 1));
        assert!(within_edits("", "ab", 2));
        assert!(!within_edits("abc", "xyz", 2));
        assert_eq!(tolerance(4), 0);
        assert_eq!(tolerance(5), 1);
        assert_eq!(tolerance(9), 2);
    }

    #[test]
    fn a_query_finds_a_name_it_contains_before_one_it_is_near() {
        assert_eq!(near("Woeber", "Maj. Karin Wöber"), Some(Closeness::Contains));
        assert_eq!(near("Kowalenko", "Коваленко"), Some(Closeness::Near));
        assert_eq!(near("Kowalenko", "Oleksandr Kovalenko"), Some(Closeness::Near));
        assert_eq!(near("kowal", "Kovalenko"), Some(Closeness::Near));
        assert_eq!(near("Berg", "Anna Borg"), None);
        assert_eq!(near("Bergmann", "Anna Bergman"), Some(Closeness::Near));
        assert_eq!(near("Smith", "Anna Berg"), None);
        assert_eq!(near("  ", "Anna Berg"), None);
    }

    /// The distance as the textbook computes it, to check the banded one against.
    fn distance(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.iter().enumerate() {
            let mut next = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                next[j + 1] = (row[j] + usize::from(ca != cb)).min(row[j + 1] + 1).min(next[j] + 1);
            }
            row = next;
        }
        row[b.len()]
    }

    proptest::proptest! {
        #[test]
        fn folding_twice_changes_nothing(s in "[a-zA-ZäöüÄÖÜßeéèłŁаеёоуюяАЕОУхщαευοΟΥς ]{0,24}") {
            proptest::prop_assert_eq!(fold(&fold(&s)), fold(&s));
        }

        #[test]
        fn the_banded_distance_agrees_with_the_textbook(a in "[abcé]{0,8}", b in "[abcé]{0,8}", max in 0usize..4) {
            proptest::prop_assert_eq!(within_edits(&a, &b, max), distance(&a, &b) <= max);
        }
    }

    #[test]
    fn percent_encoding_keeps_unreserved_and_the_chosen_bytes() {
        assert_eq!(percent_encode("a b/ü", b""), "a%20b%2F%C3%BC");
        assert_eq!(percent_encode("x@y.z", b"@"), "x@y.z");
    }
}
