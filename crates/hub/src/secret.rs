//! Enrolment codes and device tokens: drawn from the operating system's random source, stored only as
//! SHA-256, compared in constant time.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or typed from paper survives.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// What the hub could not do for lack of randomness.
#[derive(Debug, thiserror::Error)]
#[error("the operating system gave no random bytes: {0}")]
pub struct NoRandomness(String);

/// `n` random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], NoRandomness> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|e| NoRandomness(e.to_string()))?;
    Ok(out)
}

/// A new enrolment code: 20 base32 characters (100 bits) in groups of five, `7KQ2M-9XD4R-…`.
pub fn new_code() -> Result<String, NoRandomness> {
    let bytes: [u8; 20] = random_bytes()?;
    let mut out = String::with_capacity(23);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 5 == 0 {
            out.push('-');
        }
        out.push(CODE_ALPHABET[(*b & 31) as usize] as char);
    }
    Ok(out)
}

/// A code as people may type it, made canonical: case and separators ignored, and the letters base32
/// leaves out read as the digits they look like.
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\t'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// A new device token: 256 random bits, as 64 hex digits after `lh1_`.
pub fn new_token() -> Result<String, NoRandomness> {
    let bytes: [u8; 32] = random_bytes()?;
    Ok(format!("lh1_{}", hex(&bytes)))
}

/// SHA-256 of a secret, hex: what the database keeps instead of it.
pub fn hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Whether two hashes are equal, in time that does not depend on where they differ.
pub fn same_hash(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// A duration as `--expires` takes it: a whole number and a unit, `s`, `m`, `h` or `d` (`7d`, `12h`).
pub fn parse_duration_ms(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: u64 = n.parse().map_err(|_| format!("“{text}” is not a duration; write a number and s, m, h or d: 7d"))?;
    let unit_ms: u64 = match unit {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(format!("“{text}” has no unit; write s, m, h or d after the number: 7d")),
    };
    let ms = n.checked_mul(unit_ms).filter(|ms| *ms > 0 && *ms <= 366 * 86_400_000);
    ms.ok_or_else(|| format!("“{text}” is not between one second and a year"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_code_matches_the_printed_one_whatever_its_case_and_dashes() {
        let code = new_code().unwrap_or_default();
        assert_eq!(code.len(), 23);
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(hash(&normalise_code(&typed)), hash(&normalise_code(&code)));
        assert_eq!(normalise_code("oil-2"), "0112");
    }

    #[test]
    fn tokens_are_256_bits_and_hashes_compare_only_equal_to_themselves() {
        let a = new_token().unwrap_or_default();
        let b = new_token().unwrap_or_default();
        assert_eq!(a.len(), 4 + 64);
        assert_ne!(a, b);
        assert!(same_hash(&hash(&a), &hash(&a)));
        assert!(!same_hash(&hash(&a), &hash(&b)));
        assert!(!same_hash(&hash(&a), ""));
    }

    #[test]
    fn durations_read_with_their_unit_and_refuse_nonsense() {
        assert_eq!(parse_duration_ms("7d"), Ok(7 * 86_400_000));
        assert_eq!(parse_duration_ms("90s"), Ok(90_000));
        assert!(parse_duration_ms("7").is_err());
        assert!(parse_duration_ms("0h").is_err());
        assert!(parse_duration_ms("d").is_err());
        assert!(parse_duration_ms("400d").is_err());
    }
}
