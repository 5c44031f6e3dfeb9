//! Version vectors: what a replica has seen of a record.
//!
//! Each device's stamps strictly increase, and records travel whole, so "the newest stamp seen from device
//! D" summarises everything seen from D. A value is *covered* by a vector when the vector has seen its
//! stamp; a covered value that is missing from a replica was replaced there, not never received.

use crate::crdt::clock::{Stamp, Tick};
use crate::crdt::id::DeviceId;

/// Per device, the newest tick seen.
///
/// Kept as a vector sorted by device, not a map: every register of every record holds one, nearly always
/// naming one or two devices, and a map's smallest node (room for eleven) made these vectors most of
/// the memory a team's hundred thousand records took.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct VersionVector(Vec<(DeviceId, Tick)>);

impl VersionVector {
    /// An empty vector: nothing seen.
    pub fn new() -> Self {
        Self::default()
    }

    /// The newest tick seen from `device`, if any.
    pub fn get(&self, device: &DeviceId) -> Option<&Tick> {
        self.0.binary_search_by(|(d, _)| d.cmp(device)).ok().map(|i| &self.0[i].1)
    }

    /// Every device seen, in device order, with its newest tick.
    pub fn iter(&self) -> impl Iterator<Item = (&DeviceId, &Tick)> {
        self.0.iter().map(|(d, t)| (d, t))
    }

    /// Whether nothing has been seen.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many devices have been seen.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Raises what has been seen from `device` to `tick`, if that is newer.
    pub fn raise(&mut self, device: DeviceId, tick: Tick) {
        match self.0.binary_search_by(|(d, _)| d.cmp(&device)) {
            Ok(i) => {
                if tick > self.0[i].1 {
                    self.0[i].1 = tick;
                }
            }
            Err(i) => {
                // Exactly one more: these vectors are many and small, and doubling would waste most of them.
                self.0.reserve_exact(1);
                self.0.insert(i, (device, tick));
            }
        }
    }

    /// Whether the edit with this stamp has been seen.
    pub fn covers(&self, stamp: &Stamp) -> bool {
        self.get(&stamp.device).is_some_and(|t| *t >= stamp.tick())
    }

    /// Records that the edit with this stamp has been seen.
    pub fn add(&mut self, stamp: &Stamp) {
        self.raise(stamp.device, stamp.tick());
    }

    /// The pointwise maximum: everything either side has seen.
    pub fn join(&mut self, other: &VersionVector) {
        for (d, t) in &other.0 {
            self.raise(*d, *t);
        }
    }

    /// Whether everything `other` has seen, this has seen too.
    pub fn dominates(&self, other: &VersionVector) -> bool {
        other.0.iter().all(|(d, t)| self.get(d).is_some_and(|m| m >= t))
    }
}

impl FromIterator<(DeviceId, Tick)> for VersionVector {
    fn from_iter<I: IntoIterator<Item = (DeviceId, Tick)>>(iter: I) -> Self {
        let mut v = Self::new();
        for (d, t) in iter {
            v.raise(d, t);
        }
        v
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
