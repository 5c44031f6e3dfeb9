//! Words as the screens write them.

/// `noun` with its first letter capitalised, to open a sentence or heading: "Meeting deleted."
pub fn capitalised(noun: &str) -> String {
    let mut word = noun.to_string();
    if let Some(first) = word.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    word
}
