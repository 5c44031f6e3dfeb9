//! A word-level difference of two texts, for the Conflicts screen: what two officers' versions share and
//! where they part. A longest common subsequence over words, written out here rather than taken from a
//! crate, because it is small and the app's wasm size counts.

/// What a piece of a [`words`] difference is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// In both versions.
    Same,
    /// Only in the first version.
    Removed,
    /// Only in the second version.
    Added,
}

/// A run of text, whole words and the spacing between them, that is in one version or both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    /// Which version holds it.
    pub change: Change,
    /// The text as written (the first version's spacing for a piece in both).
    pub text: String,
}

/// Word pairs above which the table would be too large for a screen to wait on: two texts of about
/// 1,400 words each. Longer versions are shown as one removed and one added piece.
const MAX_CELLS: usize = 2_000_000;

/// Splits text into words, runs of spacing and single punctuation marks, so that joining the tokens
/// gives the text back, a new line where a space was is a change too, and "Mondays." still shares
/// "Mondays" with "Mondays and".
fn tokens(s: &str) -> Vec<&str> {
    let class = |c: char| match c {
        c if c.is_whitespace() => 0,
        c if c.is_alphanumeric() || c == '\'' || c == '’' || c == ':' => 1,
        _ => 2,
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut before = None;
    for (i, c) in s.char_indices() {
        let here = class(c);
        if before.is_some_and(|was| was != here || here == 2) {
            out.push(&s[start..i]);
            start = i;
        }
        before = Some(here);
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// The word-level difference between `a` and `b`: pieces in order that, kept where [`Change::Same`] or
/// [`Change::Removed`], give back `a`, and kept where `Same` or [`Change::Added`] give back `b`.
pub fn words(a: &str, b: &str) -> Vec<Piece> {
    let (x, y) = (tokens(a), tokens(b));
    let mut out: Vec<Piece> = Vec::new();
    let mut push = |change: Change, text: &str| match out.last_mut() {
        _ if text.is_empty() => {}
        Some(last) if last.change == change => last.text.push_str(text),
        _ => out.push(Piece { change, text: text.to_string() }),
    };
    if x.len().saturating_mul(y.len()) > MAX_CELLS {
        if a == b {
            push(Change::Same, a);
        } else {
            push(Change::Removed, a);
            push(Change::Added, b);
        }
        return out;
    }
    let (xw, yw) = (&x, &y);
    // lcs[i][j]: the longest common subsequence of x[i..] and y[j..], in one flat table.
    let width = yw.len() + 1;
    let mut lcs = vec![0u32; (xw.len() + 1) * width];
    for i in (0..xw.len()).rev() {
        for j in (0..yw.len()).rev() {
            lcs[i * width + j] = if xw[i] == yw[j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let mut steps: Vec<(Change, &str)> = Vec::with_capacity(x.len() + y.len());
    let (mut i, mut j) = (0, 0);
    while i < x.len() || j < y.len() {
        if i < x.len() && j < y.len() && xw[i] == yw[j] {
            steps.push((Change::Same, x[i]));
            i += 1;
            j += 1;
        } else if j < y.len() && (i == x.len() || lcs[i * width + j + 1] > lcs[(i + 1) * width + j]) {
            steps.push((Change::Added, y[j]));
            j += 1;
        } else {
            steps.push((Change::Removed, x[i]));
            i += 1;
        }
    }
    // A space shared between two changes is part of the change: otherwise a rewritten sentence reads
    // as words struck and added in turn. Then each change is all of the first version's words followed
    // by all of the second's.
    let changed = |k: usize| steps.get(k).is_some_and(|s| s.0 != Change::Same);
    let mut removed = String::new();
    let mut added = String::new();
    for (k, &(change, text)) in steps.iter().enumerate() {
        let lone_space = change == Change::Same
            && text.chars().all(char::is_whitespace)
            && k > 0
            && changed(k - 1)
            && changed(k + 1);
        match change {
            Change::Same if !lone_space => {
                push(Change::Removed, &std::mem::take(&mut removed));
                push(Change::Added, &std::mem::take(&mut added));
                push(Change::Same, text);
            }
            Change::Same => {
                removed.push_str(text);
                added.push_str(text);
            }
            Change::Removed => removed.push_str(text),
            Change::Added => added.push_str(text),
        }
    }
    push(Change::Removed, &removed);
    push(Change::Added, &added);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| match p.change {
                Change::Same => p.text.clone(),
                Change::Removed => format!("[-{}-]", p.text),
                Change::Added => format!("{{+{}+}}", p.text),
            })
            .collect()
    }

    #[test]
    fn a_changed_word_is_shown_removed_and_added_between_shared_words() {
        let d = words("Agreed to meet in Graz on Monday.", "Agreed to meet in Vienna on Monday.");
        assert_eq!(shown(&d), "Agreed to meet in [-Graz-]{+Vienna+} on Monday.");
    }

    #[test]
    fn a_rewritten_sentence_is_one_removed_and_one_added_run() {
        let d = words("Joint patrol on Mondays.\nConvoy at 06:00.", "Joint patrol on Mondays and Thursdays.");
        assert_eq!(shown(&d), "Joint patrol on Mondays[-.\nConvoy at 06:00-]{+ and Thursdays+}.");
    }

    #[test]
    fn added_lines_keep_their_line_breaks() {
        let d = words("Convoy at 06:00.", "Convoy at 06:00.\nEscort by CHE platoon.");
        assert_eq!(shown(&d), "Convoy at 06:00.{+\nEscort by CHE platoon.+}");
    }

    #[test]
    fn equal_texts_are_one_shared_piece_and_empty_texts_nothing() {
        assert_eq!(words("same words", "same words"), [Piece { change: Change::Same, text: "same words".into() }]);
        assert!(words("", "").is_empty());
        assert_eq!(words("", "new"), [Piece { change: Change::Added, text: "new".into() }]);
    }

    fn side(pieces: &[Piece], keep: Change) -> String {
        pieces.iter().filter(|p| p.change == Change::Same || p.change == keep).map(|p| p.text.as_str()).collect()
    }

    proptest::proptest! {
        #[test]
        fn the_pieces_give_back_both_texts(a in "[ab \n]{0,30}", b in "[ab \n]{0,30}") {
            let d = words(&a, &b);
            proptest::prop_assert_eq!(side(&d, Change::Removed), a);
            proptest::prop_assert_eq!(side(&d, Change::Added), b);
        }
    }
}
