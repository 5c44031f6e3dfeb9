//! Content lines, as vCard (RFC 6350) and iCalendar (RFC 5545) share them: `NAME;PARAM=value:value`,
//! folded at 75 octets, with TEXT values escaped.
//!
//! Writing follows the RFCs strictly: CRLF line ends, folds of at most 75 octets that never split a
//! UTF-8 sequence (a fold inside one would make each physical line invalid UTF-8, and some readers
//! decode line by line), TEXT escaping of backslash, comma, semicolon and newline, and parameter values
//! always quoted, with RFC 6868's caret escapes for what quotes cannot hold.
//!
//! Reading is lenient, because the files come from phones and Outlook: LF, CRLF or iOS's CR CR LF line
//! ends, folds with a space or a tab, vCard 2.1's bare parameters (`TEL;WORK;VOICE:`), quoted-printable
//! values with soft line breaks, legacy charsets or UTF-16 files. It never panics and reports what it
//! cannot read as problems with line numbers.
//!
//! Unfolding works on bytes, as both RFCs define it, so a fold inside a UTF-8 sequence does no harm, and
//! each value's encoding is judged on its own: its `CHARSET` when it names one, else UTF-8 when the value
//! is (mostly) UTF-8, else Windows-1252. One stray byte in a note no longer decides the whole file's
//! encoding. Charsets that need tables core does not carry (Shift_JIS, GB18030, Big5, EUC-KR, KOI8-R, …)
//! are decoded by the caller's [`LegacyCharsets`]: the browser's `TextDecoder` in the app, encoding_rs
//! natively.

use std::borrow::Cow;

use super::{shown, Problems};

/// Decodes `bytes` from the charset `label` names, for charsets whose tables core does not carry; `None`
/// when it knows no such charset. A plain function, so that the app can pass the browser's `TextDecoder`
/// and the CLI encoding_rs without core holding either.
pub type LegacyCharsets = fn(label: &str, bytes: &[u8]) -> Option<String>;

/// Knows no charset beyond those core reads itself (UTF-8, US-ASCII, ISO-8859-1 and Windows-1252).
pub fn built_in_charsets(_label: &str, _bytes: &[u8]) -> Option<String> {
    None
}

/// The longest physical line, in octets, not counting the CRLF.
pub const FOLD_OCTETS: usize = 75;

/// Parameters one content line may have, and values one parameter may have; a line with more is
/// reported and not read. Real lines have a handful (`TEL;TYPE=work,voice;PREF=1`).
pub const MAX_PARAMS: usize = 100;

/// Appends `line` to `out`, folded so that no physical line exceeds [`FOLD_OCTETS`] octets, and ends it
/// with CRLF. A continuation line starts with one space, which counts towards its 75 octets. Folds fall
/// between characters, never inside a UTF-8 sequence.
pub fn fold_into(line: &str, out: &mut String) {
    let mut octets = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if octets + n > FOLD_OCTETS {
            out.push_str("\r\n ");
            octets = 1;
        }
        out.push(c);
        octets += n;
    }
    out.push_str("\r\n");
}

/// `line` folded and ended with CRLF (see [`fold_into`]).
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    fold_into(line, &mut out);
    out
}

/// Text as the export writes it before escaping: line ends made `\n` (a lone CR too), and control
/// characters other than tab and newline dropped, because neither RFC allows them in a value and some
/// readers stop at them. Everything else, in any script, is kept exactly.
pub fn exportable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Escapes a TEXT value (RFC 6350 §3.4, RFC 5545 §3.3.11): `\` `,` `;` get a backslash, a newline
/// becomes `\n`. Semicolons are escaped in every property, not only compound ones, which both RFCs
/// allow and which keeps one rule for all. The value is first made [`exportable`].
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in exportable(s).chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Several TEXT values as one comma-separated list (CATEGORIES), each escaped. Empty items are left out:
/// they would read back as nothing anyway.
pub fn escape_list(items: &[String]) -> String {
    items.iter().filter(|s| !s.is_empty()).map(|s| escape_text(s)).collect::<Vec<_>>().join(",")
}

/// A parameter value, always in double quotes (so `:`, `;` and `,` need nothing more), with RFC 6868's
/// escapes for what quotes cannot hold: `^` is `^^`, a newline `^n`, a double quote `^'`.
pub fn param_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in exportable(s).chars() {
        match c {
            '^' => out.push_str("^^"),
            '\n' => out.push_str("^n"),
            '"' => out.push_str("^'"),
            '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Undoes [`escape_text`]: `\n` or `\N` is a newline, `\\` `\,` `\;` the character. A backslash before
/// anything else is kept with it (Windows paths written by careless writers survive), except before `:`
/// and `"`, which some writers escape needlessly.
pub fn unescape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(c @ ('\\' | ',' | ';' | ':' | '"')) => out.push(c),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Splits a raw value at every `sep` that is not escaped, and unescapes each part: the components of
/// N and ORG (`;`), or the items of CATEGORIES (`,`).
pub fn split_escaped(s: &str, sep: char) -> Vec<String> {
    let mut parts = Vec::new();
    split_escaped_while(s, sep, |part| {
        parts.push(part);
        true
    });
    parts
}

/// Keeps the first value a file gives for a property that holds one: later ones are ignored.
pub(crate) fn first(slot: &mut Option<String>, value: String) {
    if slot.is_none() {
        *slot = Some(value);
    }
}

/// [`split_escaped`] one part at a time, for as long as `keep` returns true: a reader at its limit
/// stops there instead of splitting the rest of a value of millions of items.
pub(crate) fn split_escaped_while(s: &str, sep: char, mut keep: impl FnMut(String) -> bool) {
    let mut current = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            current.push(c);
            if let Some(next) = chars.next() {
                current.push(next);
            }
        } else if c == sep {
            if !keep(unescape_text(&current)) {
                return;
            }
            current.clear();
        } else {
            current.push(c);
        }
    }
    keep(unescape_text(&current));
}

/// One parameter of a content line; its name in upper case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) values: Vec<String>,
}

/// One logical (unfolded) content line.
#[derive(Clone, Debug)]
pub(crate) struct ContentLine {
    /// The physical line it starts on, from 1.
    pub(crate) line: usize,
    /// The property name in upper case, without its group (`item1.EMAIL` is `EMAIL`).
    pub(crate) name: String,
    pub(crate) params: Vec<Param>,
    /// The value's bytes, quoted-printable already decoded; charset decoding is left to [`Self::text`].
    pub(crate) value: Vec<u8>,
    /// How values that name no charset, or one core has no tables for, are decoded.
    pub(crate) decoding: Decoding,
}

impl ContentLine {
    /// The first value of a parameter.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|p| p.name == name).and_then(|p| p.values.first()).map(String::as_str)
    }

    /// Whether a parameter has this value (case ignored).
    pub(crate) fn param_is(&self, name: &str, value: &str) -> bool {
        self.params.iter().filter(|p| p.name == name).flat_map(|p| &p.values).any(|v| v.eq_ignore_ascii_case(value))
    }

    /// The value as text, still escaped: decoded from its CHARSET (else as [`decode`] judges it), with line ends
    /// (which only quoted-printable can carry) made `\n` and other control characters dropped, as the
    /// export does: they are never what a person typed, and they have no place in a notebook.
    pub(crate) fn raw_text(&self, problems: &mut Problems) -> String {
        exportable(&decode(&self.value, self.param("CHARSET"), self.decoding, self.line, problems))
    }

    /// The value as unescaped TEXT.
    pub(crate) fn text(&self, problems: &mut Problems) -> String {
        unescape_text(&self.raw_text(problems))
    }
}

/// Reads content lines one at a time, so that a file of millions of tiny lines never holds them all:
/// what is in memory at once is the file, one logical line, and whatever the caller keeps of the lines
/// already read. Lines that are not content lines are reported and skipped.
pub(crate) struct Reader<'a> {
    bytes: Cow<'a, [u8]>,
    /// Where the next physical line starts; past the end once the last one was read.
    pos: usize,
    /// Physical lines read so far.
    line: usize,
    /// The logical line being unfolded, returned once the next one starts.
    pending: Option<Logical>,
    decoding: Decoding,
}

impl<'a> Reader<'a> {
    /// A reader of a whole file: UTF-16 is converted and a UTF-8 byte-order mark skipped first. `legacy`
    /// decodes the charsets core has no tables for.
    pub(crate) fn new(bytes: &'a [u8], legacy: LegacyCharsets) -> Reader<'a> {
        let bytes = without_bom(bytes);
        // A file with more broken UTF-8 than UTF-8 in it is a Windows code page file (Outlook's): then
        // its values that happen to be valid UTF-8 ("Gruß" and a no-break space is) are not UTF-8 either.
        // Only lines that name no charset count: a phone's Shift_JIS name says what it is, and says
        // nothing about the lines beside it.
        let (good, bad) = unfolded(&bytes)
            .split(|b| *b == b'\n')
            .filter(|line| !names_a_charset(line))
            .map(utf8_evidence)
            .fold((0, 0), |(g, b), (g2, b2)| (g + g2, b + b2));
        let decoding = Decoding { legacy, western_file: bad > good };
        Reader { bytes, pos: 0, line: 0, pending: None, decoding }
    }

    /// The next content line, or `None` at the end of the file.
    pub(crate) fn next_line(&mut self, problems: &mut Problems) -> Option<ContentLine> {
        loop {
            let Some(rest) = self.bytes.get(self.pos..) else {
                let last = self.pending.take()?;
                match parse_line(last.line, last.bytes, self.decoding, problems) {
                    Some(l) => return Some(l),
                    None => continue,
                }
            };
            let end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
            let phys = &rest[..end];
            self.pos += end + 1;
            self.line += 1;
            // iOS ends lines with CR CR LF: a carriage return is never part of a value (quoted-printable
            // writes it as `=0D`), so every one at the end goes.
            let phys = without_trailing_cr(phys);
            if let Some(cur) = self.pending.as_mut() {
                if cur.soft_break() {
                    // Quoted-printable: a value line ending in `=` goes on at the start of the next line.
                    cur.bytes.pop();
                    cur.append(phys);
                    continue;
                }
                if matches!(phys.first(), Some(b' ' | b'\t')) {
                    cur.append(&phys[1..]);
                    continue;
                }
            }
            if phys.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let mut next =
                Logical { line: self.line, bytes: Vec::new(), qp: None, scanned: 0, quoted: false, quoted_colon: None };
            next.append(phys);
            if let Some(done) = self.pending.replace(next) {
                if let Some(l) = parse_line(done.line, done.bytes, self.decoding, problems) {
                    return Some(l);
                }
            }
        }
    }
}

/// The physical line without the carriage returns at its end.
fn without_trailing_cr(phys: &[u8]) -> &[u8] {
    let end = phys.iter().rposition(|b| *b != b'\r').map_or(0, |i| i + 1);
    &phys[..end]
}

/// Every content line of a file at once (see [`Reader`]), with the charsets core knows.
#[cfg(test)]
pub(crate) fn read(bytes: &[u8], problems: &mut Problems) -> Vec<ContentLine> {
    let mut reader = Reader::new(bytes, built_in_charsets);
    std::iter::from_fn(|| reader.next_line(problems)).collect()
}

/// A logical line being unfolded. Whether it is quoted-printable is worked out once, as soon as its
/// name and parameters are complete. Until then each fold's bytes are scanned once, where they are
/// appended: rescanning the line at every fold made a long head followed by millions of empty folds
/// quadratic.
struct Logical {
    line: usize,
    bytes: Vec<u8>,
    qp: Option<bool>,
    /// How much of `bytes` has been scanned for the colon, and the state the scan ended in.
    scanned: usize,
    quoted: bool,
    quoted_colon: Option<usize>,
}

impl Logical {
    fn append(&mut self, more: &[u8]) {
        self.bytes.extend_from_slice(more);
        if self.qp.is_some() {
            return;
        }
        let mut colon = None;
        for (i, b) in self.bytes.iter().enumerate().skip(self.scanned) {
            match b {
                b'"' => self.quoted = !self.quoted,
                b':' if !self.quoted => {
                    colon = Some(i);
                    break;
                }
                b':' => {
                    self.quoted_colon.get_or_insert(i);
                }
                _ => {}
            }
        }
        self.scanned = self.bytes.len();
        // As in `value_colon`: the first colon outside quotes, or, while quotes do not balance, the first.
        if let Some(colon) = colon.or(self.quoted_colon) {
            let head = self.bytes[..colon].to_ascii_uppercase();
            self.qp = Some(head.windows(16).any(|w| w == b"QUOTED-PRINTABLE"));
        } else if self.bytes.len() > 4096 {
            self.qp = Some(false);
        }
    }

    fn soft_break(&self) -> bool {
        self.qp == Some(true) && self.bytes.last() == Some(&b'=')
    }
}

/// Where the name and parameters end: the first colon outside double quotes (or, when quotes do not
/// balance, the first colon at all).
fn value_colon(bytes: &[u8]) -> Option<usize> {
    let mut quoted = false;
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b':' if !quoted => return Some(i),
            _ => {}
        }
    }
    bytes.iter().position(|b| *b == b':')
}

/// Splits at `sep` outside double quotes, or `None` when there would be more than `max` parts: a line
/// of a million parameters is not worth a million allocations to find that out.
fn split_outside_quotes(s: &str, sep: char, max: usize) -> Option<Vec<&str>> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            if parts.len() + 1 >= max {
                return None;
            }
            parts.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&s[start..]);
    Some(parts)
}

/// A parameter value without its quotes, RFC 6868 caret escapes undone.
fn param_text(raw: &str) -> String {
    let t = raw.trim();
    let t = t.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(t);
    let mut out = String::with_capacity(t.len());
    let mut chars = t.chars();
    while let Some(c) = chars.next() {
        if c != '^' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some('\'') => out.push('"'),
            Some('^') => out.push('^'),
            Some(other) => {
                out.push('^');
                out.push(other);
            }
            None => out.push('^'),
        }
    }
    out
}

fn parse_line(line: usize, mut raw: Vec<u8>, decoding: Decoding, problems: &mut Problems) -> Option<ContentLine> {
    let Some(colon) = value_colon(&raw) else {
        let text = String::from_utf8_lossy(&raw);
        problems.push(line, format!("“{}” is not a content line (NAME:value)", shown(&text)));
        return None;
    };
    let head = String::from_utf8_lossy(&raw[..colon]);
    let Some(parts) = split_outside_quotes(&head, ';', MAX_PARAMS + 1) else {
        problems.push(line, format!("the line has more than {MAX_PARAMS} parameters; it was not read"));
        return None;
    };
    let full_name = parts[0].trim();
    // `item1.EMAIL`: Apple's grouping of a property with its label. The group itself carries nothing.
    let name = full_name.rsplit_once('.').map_or(full_name, |(_, n)| n);
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        problems.push(line, format!("“{}” is not a property name", shown(full_name)));
        return None;
    }
    let name = name.to_ascii_uppercase();
    let mut params = Vec::new();
    for p in &parts[1..] {
        if p.trim().is_empty() {
            continue;
        }
        match p.split_once('=') {
            Some((k, v)) => {
                let Some(values) = split_outside_quotes(v, ',', MAX_PARAMS) else {
                    problems
                        .push(line, format!("a parameter has more than {MAX_PARAMS} values; the line was not read"));
                    return None;
                };
                params.push(Param {
                    name: k.trim().to_ascii_uppercase(),
                    values: values.into_iter().map(param_text).collect(),
                });
            }
            // vCard 2.1 names parameter values without their names: `TEL;WORK;VOICE`, `NOTE;QUOTED-PRINTABLE`.
            None => {
                let v = p.trim().to_ascii_uppercase();
                let name = match v.as_str() {
                    "QUOTED-PRINTABLE" | "BASE64" | "B" | "8BIT" | "7BIT" => "ENCODING",
                    _ => "TYPE",
                };
                params.push(Param { name: name.into(), values: vec![v] });
            }
        }
    }
    drop(parts);
    drop(head);
    // The value keeps the line's own buffer: a 16 MB value is not copied to drop its head.
    raw.drain(..=colon);
    let qp = params
        .iter()
        .any(|p| p.name == "ENCODING" && p.values.iter().any(|v| v.eq_ignore_ascii_case("QUOTED-PRINTABLE")));
    let value = if qp { quoted_printable(&raw) } else { raw };
    Some(ContentLine { line, name, params, value, decoding })
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes quoted-printable (RFC 2045 §6.7), soft line breaks already joined. An `=` that is not
/// followed by two hex digits is kept as it is.
pub(crate) fn quoted_printable(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        if v[i] == b'=' {
            if let (Some(h), Some(l)) = (v.get(i + 1).and_then(|b| hex(*b)), v.get(i + 2).and_then(|b| hex(*b))) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(v[i]);
        i += 1;
    }
    out
}

/// Windows-1252's characters for 0x80 to 0x9F, where it differs from ISO-8859-1. The five unassigned
/// bytes map to the C1 control of the same number, as browsers do.
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{2C6}', '\u{2030}',
    '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}', '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}',
    '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}',
    '\u{17E}', '\u{178}',
];

fn windows_1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| if (0x80..0xA0).contains(&b) { CP1252_HIGH[usize::from(b - 0x80)] } else { char::from(b) })
        .collect()
}

/// How a file's values are decoded where their `CHARSET` does not settle it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Decoding {
    /// Decodes the charsets core has no tables for.
    pub(crate) legacy: LegacyCharsets,
    /// The file as a whole is in a Windows code page: it holds more broken UTF-8 than UTF-8.
    pub(crate) western_file: bool,
}

/// Decodes a value from its charset. With none named (or UTF-8 named), UTF-8: a value that is mostly
/// UTF-8 with a few broken bytes keeps its characters and shows U+FFFD for the broken ones; a value with
/// no UTF-8 in it, or any value with other characters than ASCII in a Windows code page file, is read as
/// Windows-1252, which is what Outlook writes on a western Windows. Either is said once per file. Other
/// charsets go to the caller's `legacy`.
pub(crate) fn decode(
    bytes: &[u8],
    charset: Option<&str>,
    decoding: Decoding,
    line: usize,
    problems: &mut Problems,
) -> String {
    let label = charset.map(str::trim).filter(|c| !c.is_empty());
    let cs = label.map(|c| c.to_ascii_lowercase().replace('_', "-"));
    match cs.as_deref() {
        None if decoding.western_file && !bytes.is_ascii() => western(bytes, false, line, problems),
        None | Some("utf-8" | "utf8" | "us-ascii" | "ascii") => match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) if mostly_utf8(bytes) => {
                problems.push_once(line, "some text held bytes that are not UTF-8; they show as �");
                String::from_utf8_lossy(bytes).into_owned()
            }
            Err(_) => western(bytes, cs.is_some(), line, problems),
        },
        Some("iso-8859-1" | "latin1" | "latin-1" | "iso8859-1") => bytes.iter().map(|&b| char::from(b)).collect(),
        Some("windows-1252" | "cp1252" | "cp-1252" | "x-cp1252") => windows_1252(bytes),
        Some(other) => match label.and_then(|l| (decoding.legacy)(l, bytes)) {
            Some(text) => text,
            None => {
                problems
                    .push(line, format!("the charset “{}” is not supported; the text was read as UTF-8", shown(other)));
                String::from_utf8_lossy(bytes).into_owned()
            }
        },
    }
}

/// A value read as Windows-1252, said once per file; `named` when it claimed to be UTF-8.
fn western(bytes: &[u8], named: bool, line: usize, problems: &mut Problems) -> String {
    problems.push_once(
        line,
        if named {
            "some text said to be UTF-8 is not; it was read as Windows-1252, as Outlook writes it"
        } else {
            "some text is not UTF-8 and names no charset; it was read as Windows-1252, as Outlook writes it"
        },
    );
    windows_1252(bytes)
}

/// Whether a content line's parameters name a charset other than UTF-8 (`FN;CHARSET=SHIFT_JIS:…`).
/// Names and parameters are ASCII, so the first `:` outside quotes ends them whatever the value's bytes.
fn names_a_charset(line: &[u8]) -> bool {
    let mut quoted = false;
    let end = line
        .iter()
        .position(|b| {
            quoted ^= *b == b'"';
            *b == b':' && !quoted
        })
        .unwrap_or(line.len());
    let head = line[..end].to_ascii_uppercase();
    head.split(|b| *b == b';').any(|p| p.starts_with(b"CHARSET=") && !matches!(&p[8..], b"UTF-8" | b"\"UTF-8\""))
}

/// How much of `bytes` reads as UTF-8: its characters beyond ASCII in well-formed sequences, and its
/// broken sequences.
fn utf8_evidence(bytes: &[u8]) -> (usize, usize) {
    let (mut good, mut bad) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        good += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        bad += usize::from(!chunk.invalid().is_empty());
    }
    (good, bad)
}

/// Whether text that is not valid UTF-8 is still meant as UTF-8: it holds well-formed multi-byte
/// characters, at least as many as broken sequences. Windows-1252 text can hold a well-formed one by
/// chance (an accented capital or ß before a quote mark or a no-break space), but rarely as many as its
/// broken ones; the file-level judgement in [`Reader::new`] catches the rest.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (good, bad) = utf8_evidence(bytes);
    good > 0 && good >= bad
}

/// A file's bytes with its folds undone (a line end followed by a space or tab), so that a fold inside
/// a UTF-8 sequence counts as the character it splits.
fn unfolded(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let fold = match &bytes[i..] {
            [b'\r', b'\n', b' ' | b'\t', ..] => 3,
            [b'\n', b' ' | b'\t', ..] => 2,
            _ => 0,
        };
        if fold == 0 {
            out.push(bytes[i]);
            i += 1;
        } else {
            i += fold;
        }
    }
    out
}

/// A file's bytes without their byte-order mark, UTF-16 turned into UTF-8.
fn without_bom(bytes: &[u8]) -> Cow<'_, [u8]> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        Cow::Owned(utf16_to_utf8(bytes).into_bytes())
    } else {
        Cow::Borrowed(bytes.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(bytes))
    }
}

/// A whole file as text, for formats read as one text (CSV): UTF-16 with its byte-order mark, else
/// judged as one value with no charset named (see [`decode`]).
pub(crate) fn text_of_file(bytes: &[u8], problems: &mut Problems) -> String {
    let bytes = without_bom(bytes);
    let decoding = Decoding { legacy: built_in_charsets, western_file: false };
    decode(&bytes, None, decoding, 1, problems)
}

/// A UTF-16 file (with its byte-order mark) as UTF-8 text; unpaired surrogates become U+FFFD.
fn utf16_to_utf8(bytes: &[u8]) -> String {
    let little = bytes.starts_with(&[0xFF, 0xFE]);
    let units = bytes[2..].chunks_exact(2).map(|p| {
        if little {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    });
    char::decode_utf16(units).map(|r| r.unwrap_or('\u{FFFD}')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn physical(folded: &str) -> Vec<&str> {
        folded.strip_suffix("\r\n").unwrap().split("\r\n").collect()
    }

    #[test]
    fn short_lines_are_not_folded_and_end_in_crlf() {
        assert_eq!(fold("FN:Anna Berg"), "FN:Anna Berg\r\n");
        let exactly = format!("NOTE:{}", "x".repeat(70));
        assert_eq!(fold(&exactly), format!("{exactly}\r\n"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_with_a_leading_space() {
        let line = format!("NOTE:{}", "abcdefghij".repeat(20));
        let folded = fold(&line);
        let lines = physical(&folded);
        assert_eq!(lines[0].len(), 75);
        assert!(lines[1..].iter().all(|l| l.starts_with(' ') && l.len() <= 75));
        let unfolded: String = lines.iter().enumerate().map(|(i, l)| if i == 0 { *l } else { &l[1..] }).collect();
        assert_eq!(unfolded, line);
    }

    #[test]
    fn folds_never_split_a_utf8_sequence() {
        // Cyrillic (2 octets), CJK (3) and emoji (4), placed so that the 75th octet falls inside one.
        for prefix in ["", "a", "ab", "abc"] {
            let line = format!("FN:{prefix}{}", "Мария李🤝".repeat(20));
            let folded = fold(&line);
            for l in physical(&folded) {
                assert!(l.len() <= FOLD_OCTETS, "{} octets", l.len());
                assert!(std::str::from_utf8(l.as_bytes()).is_ok());
            }
            let mut problems = Problems::default();
            let read = read(folded.as_bytes(), &mut problems);
            assert_eq!(read.len(), 1);
            assert_eq!(read[0].text(&mut problems), line[3..]);
        }
    }

    #[test]
    fn text_escaping_covers_backslash_comma_semicolon_and_newlines() {
        assert_eq!(escape_text("a\\b,c;d\ne"), "a\\\\b\\,c\\;d\\ne");
        assert_eq!(escape_text("CRLF\r\nand CR\rend"), "CRLF\\nand CR\\nend");
        assert_eq!(escape_text("bell\u{7}tab\t"), "belltab\t");
        for s in ["a\\b,c;d\ne", "\\n is not a newline", "trailing\\", "Мария; 李, \"q\""] {
            assert_eq!(unescape_text(&escape_text(s)), s);
        }
    }

    #[test]
    fn escaped_separators_do_not_split() {
        assert_eq!(split_escaped("Berg;Anna\\;Maria;;;", ';'), ["Berg", "Anna;Maria", "", "", ""]);
        assert_eq!(split_escaped("a\\,b,c", ','), ["a,b", "c"]);
        assert_eq!(split_escaped("", ','), [""]);
    }

    #[test]
    fn parameter_values_are_quoted_with_caret_escapes() {
        assert_eq!(param_value("Berg, Anna"), "\"Berg, Anna\"");
        assert_eq!(param_value("say \"hi\"^\nbye"), "\"say ^'hi^'^^^nbye\"");
        assert_eq!(param_text(&param_value("say \"hi\"^\nbye: a;b")), "say \"hi\"^\nbye: a;b");
    }

    #[test]
    fn reading_handles_groups_bare_parameters_and_quoted_colons() {
        let text = "item1.EMAIL;type=INTERNET;type=pref:a@b.org\nTEL;WORK;VOICE:+43 1\r\nATTENDEE;CN=\"Berg: Anna\":mailto:a@b.org\n";
        let mut problems = Problems::default();
        let lines = read(text.as_bytes(), &mut problems);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].name, "EMAIL");
        assert!(lines[0].param_is("TYPE", "pref"));
        assert!(lines[1].param_is("TYPE", "work"));
        assert_eq!(lines[2].param("CN"), Some("Berg: Anna"));
        assert_eq!(lines[2].value, b"mailto:a@b.org");
        assert!(problems.finish().is_empty());
    }

    #[test]
    fn quoted_printable_with_soft_breaks_and_charsets_decodes() {
        let text = b"NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller=0D=0Azweite =\r\nZeile\r\nFN;CHARSET=ISO-8859-1:M\xfcller\r\nORG;CHARSET=WINDOWS-1252:\x80 \x93Euro\x94\r\n";
        let mut problems = Problems::default();
        let lines = read(text, &mut problems);
        assert_eq!(lines[0].text(&mut problems), "Müller\nzweite Zeile");
        assert_eq!(lines[1].text(&mut problems), "Müller");
        assert_eq!(lines[2].text(&mut problems), "€ “Euro”");
        // Every value names its charset, so nothing had to be guessed.
        let p = problems.finish();
        assert!(p.is_empty(), "{p:?}");
    }

    #[test]
    fn ios_cr_cr_lf_line_ends_leave_no_line_break_in_values() {
        let mut problems = Problems::default();
        let lines =
            read(b"FN:Bob Smith\r\r\nORG:Smith Auto\r\r\n  Repair\r\r\nEMAIL:bob@example.org\r\r\n", &mut problems);
        let values: Vec<String> = lines.iter().map(|l| l.text(&mut problems)).collect();
        assert_eq!(values, ["Bob Smith", "Smith Auto Repair", "bob@example.org"]);
    }

    #[test]
    fn one_value_that_is_not_utf8_does_not_decide_the_encoding_of_the_others() {
        // A Greek name in UTF-8, folded inside a letter, beside a note in Windows-1252.
        let mut problems = Problems::default();
        let lines = read(b"FN:\xce\xb2\xce\r\n \xb3\xce\xb4\r\nNOTE:caf\xe9\r\n", &mut problems);
        assert_eq!(lines[0].text(&mut problems), "βγδ");
        assert_eq!(lines[1].text(&mut problems), "café");
        let p = problems.finish();
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, 3);
        assert!(p[0].message.contains("Windows-1252"), "{p:?}");
    }

    #[test]
    fn in_an_outlook_file_a_value_that_happens_to_be_valid_utf8_is_still_windows_1252() {
        // "Gruß" and a no-break space is DF A0 in Windows-1252, which is also a well-formed UTF-8 letter.
        let mut problems = Problems::default();
        let lines = read(b"FN:J\xfcrgen M\xfcller\r\nNOTE:Gru\xdf\xa0\r\nORG:Stra\xdfe \x84AG\x93\r\n", &mut problems);
        let values: Vec<String> = lines.iter().map(|l| l.text(&mut problems)).collect();
        assert_eq!(values, ["Jürgen Müller", "Gruß\u{a0}", "Straße „AG“"]);
    }

    #[test]
    fn values_in_a_named_charset_do_not_make_the_rest_of_the_file_windows_1252() {
        // Two ISO-8859-1 names and a Polish one in UTF-8 with no CHARSET: the named ones say what they are.
        let mut problems = Problems::default();
        let text =
            "FN;CHARSET=ISO-8859-1:J\u{fc}rgen M\u{fc}ller\r\nN;CHARSET=\"ISO-8859-1\":M\u{fc}ller;J\u{fc}rgen\r\n";
        let mut bytes: Vec<u8> = text.chars().map(|c| c as u8).collect();
        bytes.extend_from_slice("FN:Łukasz Wróbel\r\n".as_bytes());
        let lines = read(&bytes, &mut problems);
        let values: Vec<String> = lines.iter().map(|l| l.text(&mut problems)).collect();
        assert_eq!(values, ["Jürgen Müller", "Müller;Jürgen", "Łukasz Wróbel"]);
        assert!(problems.finish().is_empty());
    }

    #[test]
    fn a_mostly_utf8_value_keeps_its_characters_and_marks_the_broken_bytes() {
        let mut problems = Problems::default();
        let lines = read(b"SUMMARY:2005\xe5\xb9\xb4\xe6\x97\xa5\xe5?\x9a\r\n", &mut problems);
        assert_eq!(lines[0].text(&mut problems), "2005年日\u{FFFD}?\u{FFFD}");
        assert!(problems.finish()[0].message.contains("not UTF-8; they show as"));
    }

    #[test]
    fn charsets_core_has_no_tables_for_go_to_the_callers_decoder() {
        fn shift_jis(label: &str, bytes: &[u8]) -> Option<String> {
            (label == "SHIFT_JIS" && bytes == b"\x88\xc0\x93\xa1").then(|| "安藤".to_string())
        }
        let mut problems = Problems::default();
        let text = b"N;CHARSET=SHIFT_JIS:\x88\xc0\x93\xa1\r\nFN;CHARSET=KOI8-R:x\r\n";
        let mut reader = Reader::new(text, shift_jis);
        let n = reader.next_line(&mut problems).map(|l| l.text(&mut problems));
        assert_eq!(n.as_deref(), Some("安藤"));
        let fn_line = reader.next_line(&mut problems).map(|l| l.text(&mut problems));
        assert_eq!(fn_line.as_deref(), Some("x"));
        let p = problems.finish();
        assert!(p.len() == 1 && p[0].message.contains("“koi8-r” is not supported"), "{p:?}");
    }

    #[test]
    fn control_characters_from_a_file_are_dropped() {
        let mut problems = Problems::default();
        let lines = read(b"NOTE;ENCODING=QUOTED-PRINTABLE:a=00b=1B[31mc=0D=0Ad=0De\r\n", &mut problems);
        assert_eq!(lines[0].text(&mut problems), "ab[31mc\nd\ne");
    }

    #[test]
    fn utf16_files_and_byte_order_marks_are_read() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "FN:Zoë\r\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let mut problems = Problems::default();
        let lines = read(&bytes, &mut problems);
        assert_eq!(lines[0].text(&mut problems), "Zoë");
        let lines = read("\u{FEFF}FN:Zoë\r\n".as_bytes(), &mut problems);
        assert_eq!(lines[0].name, "FN");
    }

    #[test]
    fn garbage_lines_are_problems_with_line_numbers() {
        let mut problems = Problems::default();
        let lines = read(b"FN:ok\nthis is not a line\n\xff\xfe:\n", &mut problems);
        assert_eq!(lines.len(), 1);
        let p = problems.finish();
        let at: Vec<usize> = p.iter().map(|p| p.line).collect();
        assert_eq!(at, [2, 3], "{p:?}");
    }
}
