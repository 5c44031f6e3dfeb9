//! The scans of the vocabulary text: a word's least common bytes, found eight bytes at a time.

/// How common a byte is in folded text, roughly (higher is more common): English letter frequencies
/// for ASCII, and UTF-8 lead bytes as very common (every letter of a non-Latin script has one). The
/// scan of the vocabulary looks for a word's least common byte first.
pub(super) fn commonness(b: u8) -> u8 {
    match b {
        b'e' => 255,
        b't' => 250,
        b'a' => 245,
        b'o' => 240,
        b'i' => 235,
        b'n' => 230,
        b's' => 225,
        b'r' => 220,
        b'h' => 215,
        b'l' => 210,
        b'd' => 205,
        b'c' => 200,
        b'u' => 195,
        b'm' => 190,
        b'f' => 185,
        b'p' => 180,
        b'g' => 175,
        b'w' => 170,
        b'y' => 165,
        b'b' => 160,
        b'v' => 155,
        b'k' => 150,
        b'0'..=b'9' => 130,
        b'x' => 120,
        b'j' => 110,
        b'z' => 105,
        b'q' => 100,
        0xC2..=0xF4 => 250,
        0x80..=0xBF => 140,
        _ => 90,
    }
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The index of the first zero byte of `v`, if any: the lowest high bit of the classic "has a zero
/// byte" expression is exact (only bytes above a zero byte can be flagged wrongly).
#[inline(always)]
fn first_zero_byte(v: u64) -> Option<usize> {
    let zero = v.wrapping_sub(LO) & !v & HI;
    (zero != 0).then(|| (zero.trailing_zeros() / 8) as usize)
}

// The two scans below walk `as_chunks` arrays rather than indexing or converting slices: with the
// app's size-optimised release profile (opt-level "z") those keep their checks and run up to five
// times slower.

/// The first `b` in `hay`, eight bytes at a time (no SIMD needed, so as fast in wasm).
#[inline]
pub(super) fn find_byte(hay: &[u8], b: u8) -> Option<usize> {
    let pattern = LO.wrapping_mul(u64::from(b));
    let (chunks, rest) = hay.as_chunks::<8>();
    for (k, chunk) in chunks.iter().enumerate() {
        if let Some(j) = first_zero_byte(u64::from_le_bytes(*chunk) ^ pattern) {
            return Some(k * 8 + j);
        }
    }
    let tail = hay.len() - rest.len();
    rest.iter().position(|&x| x == b).map(|j| tail + j)
}

/// The first `i` with `hay[i] == a` and `hay[i + d] == b`, eight positions at a time. A pair of bytes
/// is much rarer than either byte, so common letters cost few false starts.
#[inline]
pub(super) fn find_pair(hay: &[u8], a: u8, d: usize, b: u8) -> Option<usize> {
    let later = hay.get(d..)?;
    let (pa, pb) = (LO.wrapping_mul(u64::from(a)), LO.wrapping_mul(u64::from(b)));
    let (xs, _) = hay.as_chunks::<8>();
    let (ys, _) = later.as_chunks::<8>();
    let mut done = 0;
    for (k, (x, y)) in xs.iter().zip(ys).enumerate() {
        if let Some(j) = first_zero_byte((u64::from_le_bytes(*x) ^ pa) | (u64::from_le_bytes(*y) ^ pb)) {
            return Some(k * 8 + j);
        }
        done = k * 8 + 8;
    }
    hay[done..].iter().zip(&later[done..]).position(|(&x, &y)| x == a && y == b).map(|j| done + j)
}
