//! What the editors and the Conflicts screen say about a field two officers changed without seeing each
//! other's edit: which value is shown, who wrote the others and when, and what "Combine both" writes.
//! The editors mark such a field with [`field_conflict`]; the Conflicts screen lists the same versions.

use crate::crdt::id::{DeviceId, RecordId};
use crate::crdt::record::Entry;
use crate::notebook::Notebook;
use crate::schema::{Field, Shape, Value};
use crate::text;

/// One officer's value of a conflicted field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// The value.
    pub value: Value,
    /// The device that wrote it.
    pub device: DeviceId,
    /// Who wrote it: the officer's name when the device is known to have one, else as
    /// [`Notebook::author`] names the device.
    pub author: String,
    /// When it was written (the wall time of its stamp, ms since the epoch, UTC).
    pub wall_ms: u64,
}

/// A conflicted field: the value shown until someone chooses, and the others kept beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldConflict {
    /// The value shown (the highest stamp).
    pub shown: Version,
    /// Every other value, newest first; never empty.
    pub others: Vec<Version>,
}

/// The officer behind a device, for "Another version by Hptm Caflisch": the officer's name alone when the
/// device profile has one, else the device as [`Notebook::author`] names it.
pub fn officer(nb: &Notebook, device: DeviceId) -> String {
    match nb.devices().get(&device).map(|d| d.officer.trim()) {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => nb.author(device),
    }
}

fn version(nb: &Notebook, e: &Entry) -> Version {
    Version {
        value: e.value.clone(),
        device: e.stamp.device,
        author: officer(nb, e.stamp.device),
        wall_ms: e.stamp.wall_ms,
    }
}

/// Whether `field` of record `id` holds values that wait for a person to choose, and whose. `None` for a
/// field that is settled, a record that does not exist, and a field whose concurrent edits wrote one value.
pub fn field_conflict(nb: &Notebook, id: RecordId, field: Field) -> Option<FieldConflict> {
    let register = nb.record(id)?.fields.get(field.key()).filter(|r| r.is_conflict())?;
    let (shown, rest) = register.entries().split_first()?;
    let others: Vec<Version> = rest.iter().filter(|e| e.value != shown.value).map(|e| version(nb, e)).collect();
    (!others.is_empty()).then(|| FieldConflict { shown: version(nb, shown), others })
}

/// The fields written over several lines, which the Conflicts screen settles in a text area and the
/// word-level difference compares.
pub fn is_long_text(field: Field) -> bool {
    matches!(field, Field::Notes | Field::Agenda | Field::Decisions)
}

/// The anchor of a field's conflict on the Conflicts screen, which the editors' marker links to.
pub fn anchor(id: RecordId, field: Field) -> String {
    format!("conflict-{}-{id}", field.key())
}

/// What "Combine both" writes: for a list, every item of every version once (by [`text::key`]), in the
/// order given; for text, each version under a line naming its author (`labels`, one per version, say
/// "Hptm Caflisch, 1 Dec 07:44"), separated by a blank line. Versions that are blank are left out, and a
/// version whose text is already in the combined text is not added twice.
pub fn combine_both(field: Field, versions: &[(String, Value)]) -> Value {
    if field.shape() == Shape::List {
        let mut items: Vec<String> = Vec::new();
        for (_, value) in versions {
            for item in value.as_list() {
                if !items.iter().any(|i| text::same(i, item)) {
                    items.push(item.clone());
                }
            }
        }
        return Value::List(items);
    }
    let mut parts: Vec<String> = Vec::new();
    for (label, value) in versions {
        let body = value.display();
        let body = body.trim();
        if body.is_empty() || parts.iter().any(|p| p.contains(body)) {
            continue;
        }
        parts.push(if is_long_text(field) { format!("{label}:\n{body}") } else { format!("{body} ({label})") });
    }
    let separator = if is_long_text(field) { "\n\n" } else { " / " };
    Value::Text(parts.join(separator))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crdt::record::Record;
    use crate::model::DeviceProfile;
    use crate::schema::Kind;

    fn dev(n: u8) -> DeviceId {
        DeviceId::new_v7(0, [n; 10])
    }

    /// A meeting whose Decisions two officers wrote without seeing each other's edit.
    fn two_officers_decide() -> (Notebook, RecordId) {
        let mut a = Notebook::new(dev(1));
        let id = a.create(Kind::Meeting, 1_000, [7; 10]);
        let mut b = Notebook::new(dev(2));
        b.merge_record(a.record(id).unwrap(), 1_500).unwrap();
        a.set(id, Field::Decisions, Value::Text("Convoy at 06:00.".into()), 2_000).unwrap();
        b.set(id, Field::Decisions, Value::Text("Convoy at 07:00.".into()), 3_000).unwrap();
        let theirs: Record = b.record(id).unwrap().clone();
        a.merge_record(&theirs, 3_500).unwrap();
        a.learn_devices([DeviceProfile { id: dev(2), label: "Tablet".into(), officer: "Hptm Caflisch".into() }]);
        (a, id)
    }

    #[test]
    fn a_field_two_officers_changed_names_the_other_officer_and_when() {
        let (nb, id) = two_officers_decide();
        let c = field_conflict(&nb, id, Field::Decisions).unwrap();
        assert_eq!(c.shown.value, Value::Text("Convoy at 07:00.".into()));
        assert_eq!(c.shown.author, "Hptm Caflisch");
        assert_eq!(c.others.len(), 1);
        assert_eq!(c.others[0].value, Value::Text("Convoy at 06:00.".into()));
        assert_eq!(c.others[0].wall_ms, 2_000);
        assert!(field_conflict(&nb, id, Field::Title).is_none());
    }

    #[test]
    fn choosing_a_value_settles_the_field() {
        let (mut nb, id) = two_officers_decide();
        nb.set(id, Field::Decisions, Value::Text("Convoy at 06:30.".into()), 4_000).unwrap();
        assert!(field_conflict(&nb, id, Field::Decisions).is_none());
    }

    #[test]
    fn combining_long_text_keeps_every_version_under_its_author() {
        let both = combine_both(
            Field::Decisions,
            &[
                ("Hptm Caflisch, 1 Dec 07:44".into(), Value::Text("Convoy at 07:00.\nEscort CHE.".into())),
                ("Maj Wöber, 1 Dec 08:10".into(), Value::Text("Convoy at 06:00.".into())),
            ],
        );
        assert_eq!(
            both,
            Value::Text("Hptm Caflisch, 1 Dec 07:44:\nConvoy at 07:00.\nEscort CHE.\n\nMaj Wöber, 1 Dec 08:10:\nConvoy at 06:00.".into())
        );
    }

    #[test]
    fn combining_lists_keeps_each_item_once_and_blank_text_is_left_out() {
        let lists = [
            ("A".to_string(), Value::List(vec!["AUT".into(), "CHE".into()])),
            ("B".to_string(), Value::List(vec!["che".into(), "DEU".into()])),
        ];
        assert_eq!(combine_both(Field::Nations, &lists), Value::List(vec!["AUT".into(), "CHE".into(), "DEU".into()]));
        let texts = [("A".to_string(), Value::Text("Graz".into())), ("B".to_string(), Value::Text(" ".into()))];
        assert_eq!(combine_both(Field::Location, &texts), Value::Text("Graz (A)".into()));
    }
}
