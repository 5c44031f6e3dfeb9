//! Cyrillic and Greek letters in Latin, so that a name written in either script is found by its usual
//! Latin spelling: "Коваленко" is "kovalenko", "Παπαδόπουλος" is "papadopoulos".
//!
//! The tables follow BGN/PCGN (Russian 1947, Ukrainian 1965, Belarusian 1979, Serbian and Macedonian) for
//! Cyrillic and ELOT 743 (the Greek standard BGN/PCGN adopted in 1996) for Greek, simplified the way a
//! search key must be: one Latin spelling per letter, no diacritics and no apostrophes (the soft and hard
//! signs are dropped), and lower case only, because [`crate::text::fold`] lowers the letter first. Where
//! the standards spell a letter by its neighbours (Greek "ου" is "ou", not "oy"), [`latin`] is told the
//! last letter already written in Latin.

/// The Latin spelling of one lower-case Cyrillic or Greek letter, or `None` for any other character.
/// `after` is the last character already written for the text (in Latin when it was Cyrillic or Greek),
/// which only Greek "υ" needs: "ου" is "ou", "αυ" and "ευ" are "av" and "ev", elsewhere it is "y".
pub fn latin(c: char, after: Option<char>) -> Option<&'static str> {
    match c {
        '\u{0400}'..='\u{04FF}' => cyrillic(c),
        '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => greek(c, after),
        _ => None,
    }
}

/// Russian, Ukrainian, Belarusian, Serbian and Macedonian letters (BGN/PCGN, simplified).
fn cyrillic(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'ґ' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' => "e",
        'є' => "ye",
        'ж' => "zh",
        'з' => "z",
        'и' | 'і' => "i",
        'ї' => "yi",
        'й' | 'ы' => "y",
        'ј' => "j",
        'к' => "k",
        'л' => "l",
        'љ' => "lj",
        'м' => "m",
        'н' => "n",
        'њ' => "nj",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'ћ' => "c",
        'ќ' => "kj",
        'ѓ' => "gj",
        'ђ' => "dj",
        'у' | 'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'џ' => "dz",
        'ѕ' => "dz",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ю' => "yu",
        'я' => "ya",
        _ => return None,
    })
}

/// Greek letters (ELOT 743, simplified). Accented letters arrive without their accents, because folding
/// decomposes them first.
fn greek(c: char, after: Option<char>) -> Option<&'static str> {
    Some(match c {
        'α' => "a",
        'β' => "v",
        'γ' => "g",
        'δ' => "d",
        'ε' => "e",
        'ζ' => "z",
        'η' => "i",
        'θ' => "th",
        'ι' => "i",
        'κ' => "k",
        'λ' => "l",
        'μ' => "m",
        'ν' => "n",
        'ξ' => "x",
        'ο' => "o",
        'π' => "p",
        'ρ' => "r",
        'σ' | 'ς' => "s",
        'τ' => "t",
        'υ' => match after {
            Some('o') => "u",
            Some('a' | 'e') => "v",
            _ => "y",
        },
        'φ' => "f",
        'χ' => "ch",
        'ψ' => "ps",
        'ω' => "o",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spell(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            match latin(c, out.chars().next_back()) {
                Some(l) => out.push_str(l),
                None => out.push(c),
            }
        }
        out
    }

    #[test]
    fn russian_and_ukrainian_names_read_as_their_bgn_pcgn_spelling() {
        assert_eq!(spell("коваленко"), "kovalenko");
        assert_eq!(spell("хрущёв"), "khrushchev");
        assert_eq!(spell("щербаков"), "shcherbakov");
        assert_eq!(spell("юлия"), "yuliya");
        assert_eq!(spell("ігор їжакевич"), "igor yizhakevich");
        assert_eq!(spell("євген"), "yevgen");
        assert_eq!(spell("мягков"), "myagkov");
        assert_eq!(spell("ильин"), "ilin");
    }

    #[test]
    fn serbian_and_macedonian_letters_have_a_latin_spelling() {
        assert_eq!(spell("ђоковић"), "djokovic");
        assert_eq!(spell("његош"), "njegosh");
        assert_eq!(spell("ѓорѓи"), "gjorgji");
    }

    #[test]
    fn greek_names_read_as_their_elot_743_spelling() {
        assert_eq!(spell("παπαδοπουλος"), "papadopoulos");
        assert_eq!(spell("γεωργιος"), "georgios");
        assert_eq!(spell("ευαγγελια"), "evaggelia");
        assert_eq!(spell("θεοδωρακης"), "theodorakis");
        assert_eq!(spell("χατζηδακης"), "chatzidakis");
        assert_eq!(spell("ψαρρος"), "psarros");
    }

    #[test]
    fn other_characters_are_left_alone() {
        assert_eq!(latin('a', None), None);
        assert_eq!(latin('ł', None), None);
        assert_eq!(latin('李', None), None);
    }
}
