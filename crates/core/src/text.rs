//! Text rules every layer shares: folding for comparison, percent-encoding, counted nouns, and the fast
//! hasher.
//!
//! There is one folding rule in Liaison. Search, list filters, duplicate suggestions and the participant
//! picker all compare text through [`fold`] (spacing kept) or [`key`] (spacing made one), so "Strauß" is
//! "Strauss" and "Müller" is "muller" everywhere a person types or looks. Email addresses are compared by
//! [`email_key`], which ignores case but not accents.

use std::hash::{BuildHasherDefault, Hasher};

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Characters that carry no letter: soft hyphen, zero-width space and joiners, direction marks, word
/// joiner, byte order mark, Arabic tatweel. Folding drops them, so "Mül\u{AD}ler" is found as "muller".
fn ignorable(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{0640}')
}

/// Folds one character into `out`.
pub(crate) fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
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
            match l {
                'ß' => out.push_str("ss"),
                'æ' => out.push_str("ae"),
                'œ' => out.push_str("oe"),
                'ø' => out.push('o'),
                'đ' | 'ð' => out.push('d'),
                'ł' => out.push('l'),
                'ı' => out.push('i'),
                'ς' => out.push('σ'),
                _ => out.push(l),
            }
        }
    });
}

/// Folds text for searching: lower case, accents and other combining marks removed, compatibility
/// forms made plain (full-width letters, ligatures such as "ﬁ"), and a few letters that have no
/// decomposition spelled out ("ß" → "ss", "æ" → "ae", "ø" → "o", "ł" → "l", final "ς" → "σ"). Letters
/// of any script without accents are kept as they are, so Cyrillic, Greek, Arabic and CJK text is
/// searched as written. Korean syllables become their jamo, so a half-typed syllable matches too.
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
            let start = out.len();
            out.push_str(&rest[..ascii]);
            out[start..].make_ascii_lowercase();
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
        assert_eq!(fold("ΕΛΈΝΗΣ Ελένης"), "ελενησ ελενησ");
        assert_eq!(fold("Иванова"), "иванова");
        assert_eq!(fold("李小龍"), "李小龍");
        assert_eq!(fold("Mül\u{AD}ler"), "muller");
        assert_eq!(fold("İstanbul Kırıkkale"), "istanbul kirikkale");
        assert_eq!(fold("محمّد"), fold("محمد"));
    }

    #[test]
    fn one_key_for_spellings_that_differ_in_case_accents_spacing_and_sharp_s() {
        assert_eq!(key("  Jürgen   STRAUß "), "jurgen strauss");
        assert!(same("Müller GmbH", "muller  gmbh"));
        assert!(!same("Müller", "Mueller"));
    }

    #[test]
    fn percent_encoding_keeps_unreserved_and_the_chosen_bytes() {
        assert_eq!(percent_encode("a b/ü", b""), "a%20b%2F%C3%BC");
        assert_eq!(percent_encode("x@y.z", b"@"), "x@y.z");
    }
}
