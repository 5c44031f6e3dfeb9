//! The legacy charsets that phones and old mail programs write (`CHARSET=SHIFT_JIS`, GB18030, Big5,
//! EUC-KR, KOI8-R, …), decoded natively with encoding_rs. Core carries no such tables, so that the app's
//! wasm stays small; the app uses the browser's `TextDecoder` instead.

/// Decodes `bytes` from the charset `label` names (a WHATWG encoding label, case ignored), or `None`
/// when encoding_rs knows no such label. Malformed sequences become U+FFFD, as in a browser.
pub fn legacy(label: &str, bytes: &[u8]) -> Option<String> {
    let encoding = encoding_rs::Encoding::for_label_no_replacement(label.trim().as_bytes())?;
    let (text, _, _) = encoding.decode(bytes);
    Some(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::legacy;

    #[test]
    fn shift_jis_and_gb18030_decode_and_unknown_labels_are_none() {
        assert_eq!(legacy("SHIFT_JIS", b"\x88\xc0\x93\xa1").as_deref(), Some("安藤"));
        assert_eq!(legacy(" gb18030 ", b"\xc4\xe3\xba\xc3").as_deref(), Some("你好"));
        assert_eq!(legacy("x-no-such-charset", b"abc"), None);
    }
}
