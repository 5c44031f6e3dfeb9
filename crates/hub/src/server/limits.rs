//! A token bucket per key (a device, or an address for enrolment): requests beyond the burst wait for
//! the bucket to refill, and are told how long with `Retry-After`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// How fast each key may call.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    /// Requests a second, in the long run.
    pub per_second: f64,
    /// Requests at once, after a quiet spell.
    pub burst: f64,
}

impl Default for Rate {
    fn default() -> Self {
        Rate { per_second: 20.0, burst: 100.0 }
    }
}

/// The buckets of every key seen recently. Held in memory: a restarted hub starts everyone full, which
/// errs on the side of serving.
pub struct Limiter {
    rate: Rate,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

/// Keys kept before full buckets are forgotten.
const MAX_KEYS: usize = 100_000;

impl Limiter {
    /// A limiter allowing `rate` to each key.
    pub fn new(rate: Rate) -> Self {
        Limiter { rate, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request from `key`'s bucket, or says in how many whole seconds one will be there.
    pub fn take(&self, key: &str, now: Instant) -> Result<(), u64> {
        let Rate { per_second, burst } = self.rate;
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * per_second < burst);
        }
        let (tokens, at) = map.entry(key.to_string()).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_second).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / per_second).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_key_gets_its_burst_then_waits_for_the_refill_while_others_are_untouched() {
        let limiter = Limiter::new(Rate { per_second: 2.0, burst: 3.0 });
        let t = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.take("a", t), Ok(()));
        }
        assert_eq!(limiter.take("a", t), Err(1));
        assert_eq!(limiter.take("b", t), Ok(()));
        assert_eq!(limiter.take("a", t + Duration::from_millis(500)), Ok(()));
        assert_eq!(limiter.take("a", t + Duration::from_millis(500)), Err(1));
    }
}
