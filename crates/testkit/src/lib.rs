//! liaison-testkit: what the workspace's tests, benchmarks and bench tools share, as rust-analyzer's
//! `test-utils` does for its crates.
//!
//! - [`XorShift`]: a small seeded generator, so that a failing test names a seed and replays exactly, and a
//!   benchmark measures the same data after every change.
//! - [`prose`], [`date`], [`text`], [`list`]: notebook-like values made from it, and [`pools`] of words,
//!   names, organisations, nations and tags to pick from.
//! - [`block_on`]: drives a future that is ready at once (every `MemoryBackend` future), with no runtime.
//! - [`bundles`]: many officers' bundles over one shared set of records, for the coordinator's merge.
//!
//! Nothing here is for the shipped programs: the crates use it only as a dev-dependency.

#![warn(missing_docs)]

pub mod bundles;
pub mod pools;

use liaison_core::date::Date;
use liaison_core::Value;

/// 2026-01-01T00:00:00Z: when generated data starts.
pub const BASE_MS: u64 = 1_767_225_600_000;

const DAY_MS: u64 = 86_400_000;

/// xorshift64*: small, fast and deterministic; not for anything secret.
#[derive(Clone, Debug)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator from a seed (0 is replaced, since xorshift would stay at 0).
    pub fn new(seed: u64) -> Self {
        XorShift(if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when n is 0, which still takes a step, so that histories replay the same).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with the given percentage.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// One of the items ("" when there are none).
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }

    /// Ten random bytes, for a record or device id.
    pub fn bytes10(&mut self) -> [u8; 10] {
        let a = self.next_u64().to_le_bytes();
        let b = self.next_u64().to_le_bytes();
        [a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], b[0], b[1]]
    }

    /// Sixteen random bytes, for a bundle id.
    pub fn bytes16(&mut self) -> [u8; 16] {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes
    }

    /// Puts the items in a random order (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// Sentences from `sentence`, joined by spaces, until there are at least `bytes` bytes.
pub fn prose(rng: &mut XorShift, bytes: usize, mut sentence: impl FnMut(&mut XorShift) -> String) -> String {
    let mut s = String::new();
    while s.len() < bytes {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(&sentence(rng));
    }
    s
}

/// A text value.
pub fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// A list value.
pub fn list(items: Vec<String>) -> Value {
    Value::List(items)
}

/// The date `days` days after [`BASE_MS`], as a field stores it.
pub fn date(days: u64) -> String {
    Date::from_days_since_epoch(((BASE_MS / DAY_MS) + days) as i64).to_string()
}

/// The output of a future that is ready at once, as every `MemoryBackend` future is: one poll with a
/// no-op waker drives it to the end.
///
/// # Panics
///
/// When the future waits: that would need a runtime, and no test here has one.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("memory backend futures never wait"),
    }
}
