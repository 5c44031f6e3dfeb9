//! The hybrid logical clock.
//!
//! A stamp is (wall-clock ms, counter, device). Stamps from one device strictly increase, and stamps are
//! totally ordered across devices, so "the higher stamp wins" is deterministic everywhere. The wall part
//! keeps stamps close to real time for people reading provenance; the counter keeps them increasing when
//! the wall clock stalls or steps back.

use serde::{Deserialize, Serialize};

use crate::crdt::id::DeviceId;

/// How far ahead of the local wall clock a remote stamp may be before it is treated as coming from a
/// device with a wrong date: it is then flagged and does not move the local clock.
pub const MAX_FUTURE_SKEW_MS: u64 = 10 * 60 * 1000;

/// A point in hybrid logical time, written by one device.
///
/// Field order matters: the derived `Ord` compares wall time, then counter, then device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Stamp {
    /// Milliseconds since the Unix epoch, as the writing device's clock (or a stamp it had seen) said.
    pub wall_ms: u64,
    /// Disambiguates stamps within one millisecond.
    pub counter: u32,
    /// The device that wrote the edit: the provenance of the value.
    pub device: DeviceId,
}

impl Stamp {
    /// The (wall, counter) part, which is what a version vector keeps per device.
    pub fn tick(&self) -> Tick {
        Tick { wall_ms: self.wall_ms, counter: self.counter }
    }
}

/// A stamp without its device: the position of one device's edit in that device's own sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub struct Tick {
    /// Wall-clock milliseconds.
    pub wall_ms: u64,
    /// Counter within the millisecond.
    pub counter: u32,
}

/// What the clock made of a stamp it was shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observed {
    /// The stamp was within reach of local time; the clock now runs after it.
    Accepted,
    /// The stamp lies more than [`MAX_FUTURE_SKEW_MS`] ahead of local time. The clock ignored it.
    FarFuture {
        /// How far ahead, in milliseconds.
        ahead_ms: u64,
    },
}

/// One device's hybrid logical clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clock {
    device: DeviceId,
    last: Tick,
}

impl Clock {
    /// A clock for `device` that has seen nothing yet.
    pub fn new(device: DeviceId) -> Self {
        Clock { device, last: Tick::default() }
    }

    /// The device this clock stamps for.
    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// The last tick handed out or observed.
    pub fn last(&self) -> Tick {
        self.last
    }

    /// A new stamp, strictly greater than every stamp this clock has made or accepted.
    pub fn tick(&mut self, now_ms: u64) -> Stamp {
        let next = if now_ms > self.last.wall_ms {
            Tick { wall_ms: now_ms, counter: 0 }
        } else if self.last.counter == u32::MAX {
            Tick { wall_ms: self.last.wall_ms + 1, counter: 0 }
        } else {
            Tick { wall_ms: self.last.wall_ms, counter: self.last.counter + 1 }
        };
        self.last = next;
        Stamp { wall_ms: next.wall_ms, counter: next.counter, device: self.device }
    }

    /// Lets the clock know a stamp exists, so later local stamps sort after it. A stamp far in the future
    /// is refused, whichever device it names (this one included: a bundle can name any id): one device
    /// with a wrong date must not drag every clock it touches along with it.
    pub fn observe(&mut self, stamp: &Stamp, now_ms: u64) -> Observed {
        let limit = now_ms.saturating_add(MAX_FUTURE_SKEW_MS);
        if stamp.wall_ms > limit {
            return Observed::FarFuture { ahead_ms: stamp.wall_ms - now_ms };
        }
        self.follow(stamp);
        Observed::Accepted
    }

    /// Follows a stamp of this device's own, however far ahead, from this device's own storage: it wrote
    /// them itself (before its date was corrected, say), and a new local stamp below one of them would
    /// count as already seen everywhere, so the edit would vanish in every merge. Stamps of other devices
    /// go through [`Clock::observe`].
    pub fn observe_own(&mut self, stamp: &Stamp, now_ms: u64) -> Observed {
        if stamp.device != self.device {
            return self.observe(stamp, now_ms);
        }
        self.follow(stamp);
        Observed::Accepted
    }

    fn follow(&mut self, stamp: &Stamp) {
        if stamp.tick() > self.last {
            self.last = stamp.tick();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(n: u8) -> DeviceId {
        DeviceId::new_v7(0, [n; 10])
    }

    #[test]
    fn stamps_increase_even_when_the_wall_clock_steps_back() {
        let mut c = Clock::new(dev(1));
        let a = c.tick(5_000);
        let b = c.tick(4_000);
        let d = c.tick(4_000);
        assert!(a < b && b < d);
        assert_eq!(b.wall_ms, 5_000);
    }

    #[test]
    fn stamps_follow_the_wall_clock_when_it_moves_on() {
        let mut c = Clock::new(dev(1));
        c.tick(1_000);
        let s = c.tick(2_000);
        assert_eq!((s.wall_ms, s.counter), (2_000, 0));
    }

    #[test]
    fn observing_a_remote_stamp_makes_local_stamps_sort_after_it() {
        let mut c = Clock::new(dev(1));
        let remote = Stamp { wall_ms: 9_000, counter: 3, device: dev(2) };
        assert_eq!(c.observe(&remote, 8_000), Observed::Accepted);
        assert!(c.tick(8_000) > remote);
    }

    #[test]
    fn a_far_future_stamp_is_flagged_and_does_not_move_the_clock() {
        let mut c = Clock::new(dev(1));
        let now = 1_700_000_000_000;
        let remote = Stamp { wall_ms: now + 86_400_000, counter: 0, device: dev(2) };
        assert_eq!(c.observe(&remote, now), Observed::FarFuture { ahead_ms: 86_400_000 });
        assert_eq!(c.tick(now).wall_ms, now);
    }

    #[test]
    fn the_clock_follows_its_own_stored_stamps_however_far_ahead() {
        let mut c = Clock::new(dev(1));
        let now = 1_700_000_000_000;
        let own = Stamp { wall_ms: now + 86_400_000, counter: 4, device: dev(1) };
        assert_eq!(c.observe_own(&own, now), Observed::Accepted);
        assert!(c.tick(now) > own);
    }

    #[test]
    fn a_far_future_stamp_that_names_this_device_from_elsewhere_does_not_move_the_clock() {
        let mut c = Clock::new(dev(1));
        let now = 1_700_000_000_000;
        let claimed = Stamp { wall_ms: now + 360 * 86_400_000, counter: 0, device: dev(1) };
        assert!(matches!(c.observe(&claimed, now), Observed::FarFuture { .. }));
        assert_eq!(c.tick(now).wall_ms, now);
    }

    #[test]
    fn counter_overflow_carries_into_the_wall_part() {
        let mut c = Clock::new(dev(1));
        c.last = Tick { wall_ms: 10, counter: u32::MAX };
        let s = c.tick(10);
        assert_eq!((s.wall_ms, s.counter), (11, 0));
    }
}
