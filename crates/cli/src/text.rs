//! Rendering text that came from outside (bundles, file names) safely on one terminal line.

/// Characters that reorder text on screen (bidirectional controls): shown escaped, so that a value
/// cannot make a line read differently from what it holds.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text from outside as one safe line: control characters (newlines, terminal escapes) and bidi
/// controls are shown escaped, and anything past `max_chars` characters is cut with an ellipsis.
pub fn clean(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max_chars * 2));
    for (n, c) in s.chars().enumerate() {
        if n == max_chars {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || is_bidi_control(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The longest rendering of a field value in conflict lists.
pub const VALUE_CHARS: usize = 80;
/// The longest rendering of a name, label or title.
pub const NAME_CHARS: usize = 60;
/// The longest rendering of a problem message.
pub const MESSAGE_CHARS: usize = 300;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_escaped_and_long_text_is_cut() {
        assert_eq!(clean("a\nb\u{1b}[31m", 80), "a\\nb\\u{1b}[31m");
        assert_eq!(clean("x\u{202E}y", 80), "x\\u{202e}y");
        assert_eq!(clean("Ἀθηνᾶ", 3), "Ἀθη…");
    }
}
