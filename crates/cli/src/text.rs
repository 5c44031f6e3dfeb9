//! Rendering text that came from outside (bundles, file names) safely on one terminal line, and times.

use liaison_core::date::Date;

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

/// A time in ms since the epoch as ISO 8601 in UTC, to the second: `2026-01-05T09:30:00Z`.
pub fn iso_utc(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let rest = secs % 86_400;
    let date = Date::from_days_since_epoch(days);
    format!("{date}T{:02}:{:02}:{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

/// `1 record`, `2 records`, counted as the app counts them.
pub use liaison_core::text::plural;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_escaped_and_long_text_is_cut() {
        assert_eq!(clean("a\nb\u{1b}[31m", 80), "a\\nb\\u{1b}[31m");
        assert_eq!(clean("x\u{202E}y", 80), "x\\u{202e}y");
        assert_eq!(clean("Ἀθηνᾶ", 3), "Ἀθη…");
    }

    #[test]
    fn times_are_iso_8601_utc() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(1_767_225_600_000 + 3_723_000), "2026-01-01T01:02:03Z");
    }
}
