//! Version vectors: what a replica has seen of a record.
//!
//! Each device's stamps strictly increase, and records travel whole, so "the newest stamp seen from device
//! D" summarises everything seen from D. A value is *covered* by a vector when the vector has seen its
//! stamp; a covered value that is missing from a replica was replaced there, not never received.

use std::collections::BTreeMap;

use crate::crdt::clock::{Stamp, Tick};
use crate::crdt::id::DeviceId;

/// Per device, the newest tick seen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct VersionVector(pub BTreeMap<DeviceId, Tick>);

impl VersionVector {
    /// An empty vector: nothing seen.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the edit with this stamp has been seen.
    pub fn covers(&self, stamp: &Stamp) -> bool {
        self.0.get(&stamp.device).is_some_and(|t| *t >= stamp.tick())
    }

    /// Records that the edit with this stamp has been seen.
    pub fn add(&mut self, stamp: &Stamp) {
        let t = self.0.entry(stamp.device).or_default();
        if stamp.tick() > *t {
            *t = stamp.tick();
        }
    }

    /// The pointwise maximum: everything either side has seen.
    pub fn join(&mut self, other: &VersionVector) {
        for (d, t) in &other.0 {
            let mine = self.0.entry(*d).or_default();
            if *t > *mine {
                *mine = *t;
            }
        }
    }

    /// Whether everything `other` has seen, this has seen too.
    pub fn dominates(&self, other: &VersionVector) -> bool {
        other.0.iter().all(|(d, t)| self.0.get(d).is_some_and(|m| m >= t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(d: u8, wall: u64) -> Stamp {
        Stamp { wall_ms: wall, counter: 0, device: DeviceId::new_v7(0, [d; 10]) }
    }

    #[test]
    fn a_vector_covers_what_it_has_seen_and_nothing_newer() {
        let mut v = VersionVector::new();
        v.add(&stamp(1, 10));
        assert!(v.covers(&stamp(1, 10)));
        assert!(v.covers(&stamp(1, 9)));
        assert!(!v.covers(&stamp(1, 11)));
        assert!(!v.covers(&stamp(2, 1)));
    }

    #[test]
    fn join_is_the_pointwise_maximum() {
        let mut a = VersionVector::new();
        a.add(&stamp(1, 10));
        let mut b = VersionVector::new();
        b.add(&stamp(1, 5));
        b.add(&stamp(2, 7));
        a.join(&b);
        assert!(a.covers(&stamp(1, 10)) && a.covers(&stamp(2, 7)));
        assert!(a.dominates(&b) && !b.dominates(&a));
    }
}
