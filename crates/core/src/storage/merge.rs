//! Joining two tabs' copies of the metadata that every tab of a device shares.

use std::collections::{BTreeMap, BTreeSet};

use crate::crdt::id::{DeviceId, RecordId};
use crate::model::DeviceProfile;

/// Joins two lists of device profiles learnt from bundles (two tabs' copies of `meta/devices`): every
/// device either knows, once, in id order. For a device both know with different profiles, each field
/// takes a filled value over a blank one (as [`Notebook::learn_devices`] does), and of two filled values
/// the greater text: a profile carries no time, so neither can be called newer, and a fixed choice makes
/// every tab settle on the same profile whichever copy it heard first.
///
/// [`Notebook::learn_devices`]: crate::notebook::Notebook::learn_devices
pub fn merge_device_profiles(ours: &[DeviceProfile], theirs: &[DeviceProfile]) -> Vec<DeviceProfile> {
    fn pick(a: &str, b: &str) -> String {
        match (a.trim().is_empty(), b.trim().is_empty()) {
            (false, true) => a.to_string(),
            (true, false) => b.to_string(),
            _ => a.max(b).to_string(),
        }
    }
    let mut by_id: BTreeMap<DeviceId, DeviceProfile> = BTreeMap::new();
    for d in ours.iter().chain(theirs) {
        match by_id.get_mut(&d.id) {
            Some(known) => {
                known.label = pick(&known.label, &d.label);
                known.officer = pick(&known.officer, &d.officer);
            }
            None => {
                by_id.insert(d.id, d.clone());
            }
        }
    }
    by_id.into_values().collect()
}

/// Joins two tabs' sets of contact pairs a person said are different people: a pair either tab was
/// told about stays told. Nothing ever takes a pair back, so the union loses nothing.
pub fn merge_not_duplicates(
    ours: &BTreeSet<(RecordId, RecordId)>,
    theirs: &BTreeSet<(RecordId, RecordId)>,
) -> BTreeSet<(RecordId, RecordId)> {
    ours.union(theirs).copied().collect()
}
